import { urls } from '@loft/sdk';
import { api, call, humanError, LoftApiError, noticeExpiry, parseErrorResponse, refreshMe } from './api.js';
import type { Picked } from './drop.js';
import { formatBytes } from './format.js';
import { Store } from './store.js';

export type TransferStatus = 'queued' | 'uploading' | 'done' | 'error' | 'canceled';

export interface Transfer {
  id: number;
  name: string;
  /** Where it goes, relative to the folder it was dropped on ("photos/2024"). */
  dir: string;
  size: number;
  loaded: number;
  status: TransferStatus;
  error?: string;
  errorCode?: string;
  /** Bytes per second, smoothed. */
  speed: number;
}

interface Job {
  t: Transfer;
  file: File;
  rootId: string;
  xhr?: XMLHttpRequest;
  lastAt?: number;
  lastLoaded?: number;
}

const PARALLEL = 3;
export const transfers = new Store<Transfer[]>([]);
/** Bumped with the id of a folder whose contents changed, so an open listing reloads. */
export const folderChanged = new Store<{ folderId: string; n: number }>({ folderId: '', n: 0 });

const jobs = new Map<number, Job>();
const folderIds = new Map<string, Promise<string>>();
let seq = 0;
let flushTimer: number | null = null;

/** Progress events come many times a second per file; the panel re-renders at most ten times a second. */
function publish(now = false): void {
  if (now) {
    if (flushTimer !== null) clearTimeout(flushTimer);
    flushTimer = null;
    transfers.set([...jobs.values()].map((j) => ({ ...j.t })));
    return;
  }
  flushTimer ??= window.setTimeout(() => publish(true), 100);
}

function touched(folderId: string): void {
  folderChanged.set((c) => ({ folderId, n: c.n + 1 }));
}

/** The folder for a relative directory, created like mkdir -p; one request per directory. */
function folderFor(rootId: string, dir: string): Promise<string> {
  if (!dir) return Promise.resolve(rootId);
  const key = `${rootId}\n${dir}`;
  let p = folderIds.get(key);
  if (!p) {
    p = call(
      api.POST('/api/nodes/{id}/folders', {
        params: { path: { id: rootId } },
        body: { name: dir, parents: true },
      }),
    ).then((n) => {
      touched(rootId);
      return n.id;
    });
    p.catch(() => folderIds.delete(key));
    folderIds.set(key, p);
  }
  return p;
}

export function enqueueUploads(rootId: string, picked: Picked): void {
  for (const dir of picked.dirs) void folderFor(rootId, dir).catch(() => undefined);
  for (const { file, relativePath } of picked.files) {
    const parts = relativePath.split('/');
    const name = parts.pop() ?? file.name;
    const t: Transfer = {
      id: ++seq,
      name,
      dir: parts.join('/'),
      size: file.size,
      loaded: 0,
      status: 'queued',
      speed: 0,
    };
    jobs.set(t.id, { t, file, rootId });
  }
  publish(true);
  pump();
}

function pump(): void {
  let running = [...jobs.values()].filter((j) => j.t.status === 'uploading').length;
  for (const job of jobs.values()) {
    if (running >= PARALLEL) break;
    if (job.t.status !== 'queued') continue;
    running++;
    job.t.status = 'uploading';
    void start(job);
  }
  publish(true);
}

async function start(job: Job): Promise<void> {
  try {
    const folderId = await folderFor(job.rootId, job.t.dir);
    if (job.t.status !== 'uploading') return;
    await send(job, folderId);
    job.t.status = 'done';
    job.t.loaded = job.t.size;
    touched(folderId);
  } catch (e) {
    if (job.t.status === 'uploading') {
      job.t.status = 'error';
      job.t.error = uploadError(e, job.t.size);
      job.t.errorCode = (e as { code?: string }).code;
      noticeExpiry(e);
    }
  } finally {
    job.xhr = undefined;
    publish(true);
    pump();
    if (![...jobs.values()].some((j) => j.t.status === 'uploading' || j.t.status === 'queued'))
      void refreshMe().catch(() => undefined);
  }
}

/** A refused upload in words; for quota, how much the file needs and how much is left. */
function uploadError(e: unknown, size: number): string {
  if (e instanceof LoftApiError && e.code === 'quota_exceeded') {
    const quota = Number(e.details.quota);
    const used = Number(e.details.used);
    if (Number.isFinite(quota) && Number.isFinite(used))
      return `This file needs ${formatBytes(size)} but only ${formatBytes(Math.max(0, quota - used))} of your ${formatBytes(quota)} is free.`;
  }
  return humanError(e);
}

function send(job: Job, folderId: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    job.xhr = xhr;
    xhr.open('PUT', urls.upload(folderId, job.t.name));
    xhr.setRequestHeader('Content-Type', job.file.type || 'application/octet-stream');
    xhr.upload.onprogress = (ev) => {
      const now = performance.now();
      if (job.lastAt !== undefined && now > job.lastAt) {
        const rate = ((ev.loaded - (job.lastLoaded ?? 0)) * 1000) / (now - job.lastAt);
        job.t.speed = job.t.speed ? job.t.speed * 0.7 + rate * 0.3 : rate;
      }
      job.lastAt = now;
      job.lastLoaded = ev.loaded;
      job.t.loaded = ev.loaded;
      publish();
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve();
      else void parseErrorResponse(xhr.status, xhr.responseText).then(reject);
    };
    xhr.onerror = () => reject(new LoftApiError(0, 'network_error', 'The connection was lost.'));
    xhr.onabort = () => reject(Object.assign(new Error('canceled'), { name: 'AbortError' }));
    xhr.send(job.file);
  });
}

export function cancelTransfer(id: number): void {
  const job = jobs.get(id);
  if (!job || (job.t.status !== 'queued' && job.t.status !== 'uploading')) return;
  job.t.status = 'canceled';
  job.xhr?.abort();
  publish(true);
  pump();
}

export function cancelAll(): void {
  for (const id of jobs.keys()) cancelTransfer(id);
}

export function retryTransfer(id: number): void {
  const job = jobs.get(id);
  if (!job || (job.t.status !== 'error' && job.t.status !== 'canceled')) return;
  Object.assign(job.t, { status: 'queued', loaded: 0, speed: 0, error: undefined, errorCode: undefined });
  job.lastAt = undefined;
  pump();
}

export function clearFinished(): void {
  for (const [id, job] of jobs)
    if (job.t.status !== 'queued' && job.t.status !== 'uploading') jobs.delete(id);
  publish(true);
}
