import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import { rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from './helpers/client.js';
import { sha256, storedBlobs, storedBlobsInDatabase } from './helpers/files.js';
import { dialect, dropSchema, testEnv } from './helpers/server.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const SLOW_UPLOADS = 10;
const SLOW_SIZE = 3 * MiB;
const serverDir = fileURLToPath(new URL('..', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** The real server, as a separate process running src/main.ts through tsx. */
class ServerProcess {
  child: ChildProcess | null = null;
  output = '';

  constructor(
    readonly env: Record<string, string>,
    readonly url: string,
  ) {}

  async start(): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: serverDir,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout!.on('data', (b: Buffer) => (this.output += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (this.output += b.toString()));
    await waitFor('the server to answer /healthz', async () => {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`server exited (${child.exitCode ?? child.signalCode}):\n${this.output}`);
      }
      const res = await fetch(`${this.url}/healthz`).catch(() => null);
      return res?.status === 200 ? true : null;
    });
  }

  /** kill -9: no shutdown hook, no flush, no cleanup. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
    expect(child.signalCode).toBe('SIGKILL');
  }
}

/**
 * A body that trickles out: 64 KiB every 25 ms up to `stallAt` bytes, then nothing more until
 * destroyed, so the upload is still in flight whenever the test chooses to crash the server.
 */
function trickle(stallAt: number): Readable & { sent: () => number } {
  let sent = 0;
  let timer: NodeJS.Timeout | null = null;
  const body = new Readable({
    read() {
      if (timer || sent >= stallAt) return;
      timer = setTimeout(() => {
        timer = null;
        const chunk = randomBytes(Math.min(64 * KiB, stallAt - sent));
        sent += chunk.length;
        body.push(chunk);
      }, 25);
    },
    destroy(err, cb) {
      if (timer) clearTimeout(timer);
      cb(err);
    },
  });
  return Object.assign(body, { sent: () => sent });
}

async function register(url: string, username: string): Promise<Client> {
  const c = new Client(url);
  const password = 'correct horse battery';
  await c.json('POST', '/api/auth/register', { username, email: `${username}@example.test`, password }, 201);
  expect((await c.login(username, password)).status).toBe(200);
  return c;
}

interface ListedFile {
  path: string;
  id: string;
  size: number;
  sha256: string;
}

/** Every live file of the user, depth first, with its path. */
async function listTree(c: Client, folderId: string, prefix = ''): Promise<ListedFile[]> {
  const out: ListedFile[] = [];
  let cursor: string | null = null;
  do {
    const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const page = await c.json('GET', `/api/nodes/${folderId}/children?limit=1000${q}`, undefined, 200);
    for (const n of page.body.items) {
      const p = `${prefix}/${n.name}`;
      if (n.kind === 'folder') out.push(...(await listTree(c, n.id, p)));
      else out.push({ path: p, id: n.id, size: n.size, sha256: n.sha256 });
    }
    cursor = page.body.nextCursor;
  } while (cursor);
  return out;
}

async function partFiles(tmpDir: string): Promise<{ name: string; size: number }[]> {
  const names = await fs.readdir(tmpDir).catch(() => [] as string[]);
  const out: { name: string; size: number }[] = [];
  for (const name of names) {
    const st = await fs.stat(path.join(tmpDir, name)).catch(() => null);
    if (st) out.push({ name, size: st.size });
  }
  return out;
}

describe(`crash in the middle of uploads (${dialect})`, () => {
  let proc: ServerProcess;
  let dataDir: string;
  let schema: string | null;
  let env: Record<string, string>;

  beforeAll(async () => {
    const port = await freePort();
    const t = testEnv({ PORT: String(port) });
    dataDir = t.dataDir;
    schema = t.schema;
    env = t.env;
    proc = new ServerProcess(t.env, `http://127.0.0.1:${port}`);
    await proc.start();
  });

  afterAll(async () => {
    await proc?.kill();
    await dropSchema(schema);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps acknowledged uploads, drops the interrupted ones, and gives their space back', async () => {
    const blobsRoot = path.join(dataDir, 'blobs');
    const tmpDir = path.join(blobsRoot, 'tmp');
    const suffix = randomBytes(3).toString('hex');
    const admin = await register(proc.url, `admin${suffix}`);
    expect(admin.user!.role).toBe('admin');
    const c = await register(proc.url, `crash${suffix}`);

    // Ten uploads that declare their length and then trickle, stalling halfway.
    const bodies = Array.from({ length: SLOW_UPLOADS }, () => trickle(SLOW_SIZE / 2));
    const settled = Promise.allSettled(
      bodies.map((body, i) =>
        c.upload(`/slow/s${i}.bin`, body, { headers: { 'content-length': String(SLOW_SIZE) } }),
      ),
    );
    // The server is writing all ten: one partial file each in blobs/tmp.
    await waitFor('ten uploads in flight', async () => {
      const parts = await partFiles(tmpDir);
      return parts.length >= SLOW_UPLOADS && parts.every((p) => p.size >= 128 * KiB) ? parts : null;
    });

    // Meanwhile, uploads that complete and are acknowledged: with and without a length, small
    // enough to skip the reservation, and a second version of one file.
    const acked = new Map<string, Buffer>();
    const ackUpload = async (p: string, data: Buffer, opts: { chunked?: boolean } = {}, status = 201) => {
      const r = await c.upload(p, data, opts);
      expect(r.status).toBe(status);
      expect(r.body.sha256).toBe(sha256(data));
      acked.set(p, data);
    };
    await ackUpload('/done/a.bin', randomBytes(MiB + 123));
    await ackUpload('/done/nested/b.bin', randomBytes(700 * KiB), { chunked: true });
    await ackUpload('/done/c.txt', Buffer.from('small and acknowledged'));
    const firstA = acked.get('/done/a.bin')!;
    await ackUpload('/done/a.bin', randomBytes(2 * MiB + 7), {}, 200);
    await Promise.all([
      ackUpload('/done/p1.bin', randomBytes(512 * KiB)),
      ackUpload('/done/p2.bin', randomBytes(300 * KiB), { chunked: true }),
    ]);

    // The ten hold their declared length: with the quota at what is used plus exactly that, not
    // one more byte fits while they stream.
    const usedBeforeCrash = (await c.me()).usedBytes;
    const quota = usedBeforeCrash + SLOW_UPLOADS * SLOW_SIZE;
    await admin.json('PATCH', `/api/admin/users/${c.user!.id}`, { quotaBytes: quota }, 200);
    const squeezed = await c.upload('/squeezed.bin', 'x');
    expect(squeezed.status).toBe(507);
    expect(squeezed.body.error.code).toBe('quota_exceeded');

    // Still streaming, none finished: crash now.
    expect((await partFiles(tmpDir)).length).toBeGreaterThanOrEqual(SLOW_UPLOADS);
    for (const b of bodies) expect(b.sent()).toBeLessThan(SLOW_SIZE);
    await proc.kill();
    const outcomes = await settled;
    for (const b of bodies) b.destroy();
    for (const o of outcomes) {
      if (o.status === 'fulfilled') expect(o.value.status).not.toBe(201);
    }

    await proc.start();

    // Interrupted writes are gone from the staging area.
    expect(await fs.readdir(tmpDir)).toEqual([]);

    // Exactly the acknowledged files are listed; every one reads back whole.
    const files = await listTree(c, c.rootId);
    expect(files.map((f) => f.path).sort()).toEqual([...acked.keys()].sort());
    let versionBytes = 0;
    const referenced = new Set<string>();
    for (const f of files) {
      const expected = acked.get(f.path)!;
      expect(f.size).toBe(expected.length);
      expect(f.sha256).toBe(sha256(expected));
      const down = await c.downloadHash(`/api/nodes/${f.id}/content`);
      expect(down.status).toBe(200);
      expect(down.size).toBe(f.size);
      expect(down.sha256).toBe(f.sha256);
      const versions = (await c.json('GET', `/api/nodes/${f.id}/versions`, undefined, 200)).body.items as {
        id: string;
        size: number;
        sha256: string;
        current: boolean;
      }[];
      for (const v of versions) {
        versionBytes += v.size;
        referenced.add(v.sha256);
        const vd = await c.downloadHash(`/api/nodes/${f.id}/content?version=${v.id}`);
        expect(vd.status).toBe(200);
        expect(vd.size).toBe(v.size);
        expect(vd.sha256).toBe(v.sha256);
      }
    }
    const aVersions = (
      await c.json(
        'GET',
        `/api/nodes/${files.find((f) => f.path === '/done/a.bin')!.id}/versions`,
        undefined,
        200,
      )
    ).body.items;
    expect(aVersions.map((v: { sha256: string }) => v.sha256).sort()).toEqual(
      [sha256(firstA), sha256(acked.get('/done/a.bin')!)].sort(),
    );
    const me = await c.me();
    expect(me.usedBytes).toBe(versionBytes);
    expect(me.usedBytes).toBe(usedBeforeCrash);
    expect(me.quotaBytes).toBe(quota);
    // No bytes of the interrupted uploads were kept under a blob name, on disk or in the database.
    const stored = new Set([
      ...(await storedBlobs(blobsRoot)).keys(),
      ...(await storedBlobsInDatabase(env)).keys(),
    ]);
    expect([...stored].sort()).toEqual([...referenced].sort());

    // The space the ten uploads held is free again: all of it fits, and not one byte more.
    const fill = randomBytes(SLOW_UPLOADS * SLOW_SIZE);
    const up = await c.upload('/fill.bin', fill);
    expect(up.status).toBe(201);
    expect(up.body.sha256).toBe(sha256(fill));
    expect((await c.me()).usedBytes).toBe(quota);
    const over = await c.upload('/one-more.bin', 'x');
    expect(over.status).toBe(507);
    expect(over.body.error.code).toBe('quota_exceeded');
    expect(await fs.readdir(tmpDir)).toEqual([]);
  });
});
