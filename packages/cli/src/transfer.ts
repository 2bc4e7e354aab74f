import { LoftApiError, urls, type Node } from '@loft/sdk';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fsp, type Stats } from 'node:fs';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { CliError, describeError, UsageError } from './errors.js';
import { apiErrorFrom, normalizeRemote, type Session } from './context.js';
import { formatBytes } from './format.js';
import { Progress, type Task } from './progress.js';

const PARALLEL = 3;

export interface TransferOptions {
  progress: boolean;
  json: boolean;
}

interface Outcome {
  path: string;
  status: 'uploaded' | 'downloaded' | 'skipped' | 'failed';
  bytes: number;
  error?: string;
}

/** Runs jobs PARALLEL at a time; stops starting new ones once stop() says so. */
async function pool<T>(items: T[], run: (item: T) => Promise<void>, stop: () => boolean): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !stop()) await run(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, worker));
}

function send(
  url: string,
  method: string,
  headers: Record<string, string | number>,
  body?: NodeJS.ReadableStream,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = (u.protocol === 'https:' ? https : http).request(u, { method, headers });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      if ((res.statusCode ?? 0) >= 400 && body) {
        // Refused (quota, auth...): stop sending the rest of the body once the answer is read.
        res.on('end', () => {
          body.unpipe(req);
          (body as unknown as { destroy?: () => void }).destroy?.();
          req.destroy();
        });
      }
      resolve(res);
    });
    req.on('error', (e) => {
      // The server may answer (507, 401...) and close before reading the whole body: keep its answer.
      if (!answered) reject(new LoftApiError(0, 'network_error', `${u.host}: ${e.message}`));
    });
    if (body) {
      body.on('error', (e) => {
        req.destroy(e);
        if (!answered) reject(e);
      });
      body.pipe(req);
    } else req.end();
  });
}

async function readText(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(createReadStream(file), h);
  return h.digest('hex');
}

function counter(task: Task, hash?: ReturnType<typeof createHash>): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      task.advance(chunk.length);
      hash?.update(chunk);
      cb(null, chunk);
    },
  });
}

function finishReport(
  outcomes: Outcome[],
  progress: Progress,
  opts: TransferOptions,
  final?: CliError,
): void {
  progress.finish();
  if (opts.json) process.stdout.write(JSON.stringify(outcomes, null, 2) + '\n');
  const failed = outcomes.filter((o) => o.status === 'failed');
  if (final) throw final;
  if (failed.length > 0)
    throw new CliError('transfer_failed', `${failed.length} of ${outcomes.length} files failed`);
}

// ---------------------------------------------------------------------------------------------- put

interface UploadJob {
  local: string;
  stat: Stats;
  folderId: string;
  name: string;
  /** For messages: the remote path. */
  remote: string;
  existing: Node | undefined;
}

export async function put(s: Session, args: string[], opts: TransferOptions): Promise<void> {
  if (args.length < 2) throw new UsageError('put needs LOCAL... REMOTE_DIR (see loft put --help)');
  const locals = args.slice(0, -1);
  const remoteDir = normalizeRemote(args[args.length - 1]!);
  const stats = await Promise.all(
    locals.map(async (l) => {
      try {
        return await fsp.stat(l);
      } catch {
        throw new CliError('not_found', `${l}: no such local file or directory`);
      }
    }),
  );
  let target = await s.tryResolve(remoteDir);
  if (!target) target = { ...(await s.mkdirp(remoteDir)), path: remoteDir };
  if (target.kind !== 'folder') throw new CliError('not_a_folder', `${remoteDir} is a file, not a folder`);

  // Walk the local trees: folders are created on the way (mkdir -p, existing ones reused).
  const jobs: UploadJob[] = [];
  const listings = new Map<string, Map<string, Node>>();
  const listing = async (folderId: string, fresh: boolean) => {
    let m = listings.get(folderId);
    if (!m) {
      m = new Map(fresh ? [] : (await s.children(folderId)).map((n) => [n.name, n]));
      listings.set(folderId, m);
    }
    return m;
  };
  const join = (a: string, b: string) => (a === '/' ? `/${b}` : `${a}/${b}`);
  const walk = async (local: string, st: Stats, folderId: string, folderPath: string, fresh: boolean) => {
    const name = path.basename(path.resolve(local));
    if (st.isFile()) {
      jobs.push({
        local,
        stat: st,
        folderId,
        name,
        remote: join(folderPath, name),
        existing: (await listing(folderId, fresh)).get(name),
      });
    } else if (st.isDirectory()) {
      const res = await s.api.POST('/api/nodes/{id}/folders', {
        params: { path: { id: folderId } },
        body: { name, parents: true },
      });
      if (!res.response.ok) throw apiErrorFrom(res.response.status, JSON.stringify(res.error ?? null));
      const folder = res.data!;
      const created = res.response.status === 201;
      const entries = (await fsp.readdir(local, { withFileTypes: true })).sort((a, b) =>
        a.name < b.name ? -1 : 1,
      );
      for (const e of entries) {
        const p = path.join(local, e.name);
        const est = await fsp.stat(p).catch(() => undefined);
        if (est && (est.isFile() || est.isDirectory()))
          await walk(p, est, folder.id, join(folderPath, folder.name), created);
      }
    }
  };
  for (let i = 0; i < locals.length; i++) await walk(locals[i]!, stats[i]!, target.id, target.path, false);

  const total = jobs.reduce((n, j) => n + j.stat.size, 0);
  const progress = new Progress(total, jobs.length, opts.progress && !opts.json);
  const outcomes: Outcome[] = [];
  let quotaHit = false;
  const shown = (j: UploadJob) => j.remote.replace(/^\//, '');

  await pool(
    jobs,
    async (j) => {
      try {
        if (j.existing?.kind === 'file' && j.existing.size === j.stat.size && j.existing.sha256) {
          if ((await sha256File(j.local)) === j.existing.sha256) {
            progress.skip(j.stat.size, opts.json ? '' : `unchanged ${shown(j)}`);
            outcomes.push({ path: j.remote, status: 'skipped', bytes: j.stat.size });
            return;
          }
        }
        const task = progress.start(shown(j), j.stat.size);
        try {
          const body = createReadStream(j.local).pipe(counter(task));
          const res = await send(
            s.baseUrl + urls.upload(j.folderId, j.name),
            'PUT',
            {
              ...s.authHeaders(),
              'content-type': 'application/octet-stream',
              'content-length': j.stat.size,
            },
            body,
          );
          const text = await readText(res);
          if ((res.statusCode ?? 0) >= 400) throw apiErrorFrom(res.statusCode ?? 0, text);
        } catch (e) {
          task.fail();
          throw e;
        }
        task.done(opts.json ? '' : `uploaded ${shown(j)} (${sizeWords(j.stat.size)})`);
        outcomes.push({ path: j.remote, status: 'uploaded', bytes: j.stat.size });
      } catch (e) {
        if (e instanceof LoftApiError && e.code === 'quota_exceeded') quotaHit = true;
        const { line } = describeError(e);
        progress.note(`${line} (${shown(j)})`);
        outcomes.push({ path: j.remote, status: 'failed', bytes: 0, error: line });
      }
    },
    () => quotaHit,
  );
  let final: CliError | undefined;
  if (quotaHit) {
    const me = await s.api.GET('/api/me').catch(() => undefined);
    const u = me?.data?.user;
    const left = jobs.length - outcomes.length;
    final = new CliError(
      'quota_exceeded',
      `no room left for your files on the server` +
        (u ? ` (${formatBytes(u.usedBytes)} of ${formatBytes(u.quotaBytes)} used)` : '') +
        (left > 0 ? `; ${left} more file(s) not sent` : '') +
        '. Free some space (empty the trash: loft trash purge) or ask for a larger quota.',
    );
  }
  finishReport(outcomes, progress, opts, final);
}

// ---------------------------------------------------------------------------------------------- get

interface DownloadJob {
  node: Node;
  dest: string;
  shown: string;
}

export async function get(s: Session, args: string[], opts: TransferOptions): Promise<void> {
  if (args.length < 1) throw new UsageError('get needs REMOTE... [LOCAL_DIR] (see loft get --help)');
  const remotes = args.length > 1 ? args.slice(0, -1) : args;
  const localDir = args.length > 1 ? args[args.length - 1]! : '.';
  const nodes = [];
  for (const r of remotes) nodes.push(await s.resolve(r));
  await fsp.mkdir(localDir, { recursive: true });

  const jobs: DownloadJob[] = [];
  const walk = async (n: Node, dir: string, rel: string) => {
    const dest = path.join(dir, n.name);
    const shown = rel ? `${rel}/${n.name}` : n.name;
    if (n.kind === 'file') jobs.push({ node: n, dest, shown });
    else {
      await fsp.mkdir(dest, { recursive: true });
      for (const c of await s.children(n.id)) await walk(c, dest, shown);
    }
  };
  for (const n of nodes) {
    if (n.parentId === null) {
      // The root folder: its content goes straight into LOCAL_DIR.
      for (const c of await s.children(n.id)) await walk(c, localDir, '');
    } else await walk(n, localDir, '');
  }

  const total = jobs.reduce((t, j) => t + j.node.size, 0);
  const progress = new Progress(total, jobs.length, opts.progress && !opts.json);
  const outcomes: Outcome[] = [];
  await pool(
    jobs,
    async (j) => {
      try {
        const r = await download(s, j, progress, opts);
        outcomes.push({ path: j.dest, status: r, bytes: j.node.size });
      } catch (e) {
        const { line } = describeError(e);
        progress.note(`${line} (${j.shown})`);
        outcomes.push({ path: j.dest, status: 'failed', bytes: 0, error: line });
      }
    },
    () => false,
  );
  finishReport(outcomes, progress, opts);
}

async function download(
  s: Session,
  j: DownloadJob,
  progress: Progress,
  opts: TransferOptions,
): Promise<'downloaded' | 'skipped'> {
  const size = j.node.size;
  const expected = j.node.sha256;
  const existing = await fsp.stat(j.dest).catch(() => undefined);
  if (existing?.isFile() && existing.size === size && expected && (await sha256File(j.dest)) === expected) {
    progress.skip(size, opts.json ? '' : `unchanged ${j.shown}`);
    return 'skipped';
  }
  const part = `${j.dest}.part`;
  let have = (await fsp.stat(part).catch(() => undefined))?.size ?? 0;
  if (have > size || !expected) {
    await fsp.rm(part, { force: true });
    have = 0;
  }
  const hash = createHash('sha256');
  const headers: Record<string, string> = { ...s.authHeaders() };
  if (have > 0) {
    // Resume: only if the content is still the one the part came from (If-Range with its ETag).
    headers.range = `bytes=${have}-`;
    headers['if-range'] = `"${expected}"`;
  }
  const task = progress.start(j.shown, size, 0);
  try {
    let res: IncomingMessage | undefined;
    if (have < size || size === 0) {
      res = await send(s.baseUrl + urls.content(j.node.id), 'GET', headers);
      if (res.statusCode === 200) have = 0;
      else if (res.statusCode !== 206) throw apiErrorFrom(res.statusCode ?? 0, await readText(res));
      const etag = String(res.headers.etag ?? '')
        .replace(/^W\//, '')
        .replace(/"/g, '');
      if (etag && expected && etag !== expected) {
        res.destroy();
        throw new CliError('changed', `${j.shown} changed on the server while listing; run get again`);
      }
    }
    // What is already there (resumed, or complete) counts in the hash and the progress.
    if (have > 0) {
      for await (const c of createReadStream(part, { end: have - 1 })) hash.update(c as Buffer);
      task.advance(have);
    }
    if (res)
      await pipeline(res, counter(task, hash), createWriteStream(part, { flags: have > 0 ? 'a' : 'w' }));
    const got = hash.digest('hex');
    const want = expected ?? '';
    if (got !== want) {
      await fsp.rm(part, { force: true });
      throw new CliError(
        'checksum_mismatch',
        `${j.shown}: SHA-256 of the downloaded bytes is ${got}, the server says ${want}; the file was not kept`,
      );
    }
    await fsp.rename(part, j.dest);
  } catch (e) {
    task.fail();
    throw e;
  }
  task.done(opts.json ? '' : `downloaded ${j.shown} (${sizeWords(size)})`);
  return 'downloaded';
}

const sizeWords = (n: number) => (n < 1024 ? `${n} bytes` : `${formatBytes(n)}, ${n} bytes`);
