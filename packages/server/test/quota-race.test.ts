import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client, Res } from './helpers/client.js';
import { randomFile, storedBlobs } from './helpers/files.js';
import { dialect, startServer, type TestServer } from './helpers/server.js';

const MiB = 1024 * 1024;

interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}
const QUOTA = 100 * MiB;
const SIZE = 10 * MiB;
const UPLOADS = 20;

type RandomFile = Awaited<ReturnType<typeof randomFile>>;

async function listFolder(
  c: Client,
  folderPath: string,
): Promise<{ name: string; size: number; sha256: string }[]> {
  const folder = await c.resolve(folderPath);
  const page = await c.json('GET', `/api/nodes/${folder.id}/children?limit=1000`, undefined, 200);
  expect(page.body.nextCursor).toBeNull();
  return page.body.items;
}

/**
 * Sends the headers of an upload declaring `length` bytes, then no body at all: the answer can
 * only come from a server that decides before reading the body.
 */
function headersOnlyUpload(
  c: Client,
  filePath: string,
  length: number,
): Promise<{ status: number; body: ErrorBody }> {
  return new Promise((resolve, reject) => {
    const req = http.request(new URL(`/api/files?path=${encodeURIComponent(filePath)}`, c.base), {
      method: 'PUT',
      agent: false,
      headers: {
        ...c.authHeaders(),
        'content-type': 'application/octet-stream',
        'content-length': String(length),
      },
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error('no answer while the body was withheld'));
    }, 15_000);
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (b: Buffer) => chunks.push(b));
      res.on('end', () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      });
    });
    req.flushHeaders();
  });
}

async function deleteForever(c: Client, nodeId: string): Promise<void> {
  await c.json('DELETE', `/api/nodes/${nodeId}`, undefined, 204);
  await c.json('DELETE', `/api/trash/${nodeId}`, undefined, 204);
}

describe(`quota under concurrent uploads (${dialect})`, () => {
  let server: TestServer;
  let admin: Client;
  let files: RandomFile[] = [];
  let blobsRoot: string;

  beforeAll(async () => {
    server = await startServer();
    blobsRoot = path.join(server.dataDir, 'blobs');
    admin = await server.user();
    expect(admin.user!.role).toBe('admin');
    for (let i = 0; i < UPLOADS; i++) files.push(await randomFile(SIZE, String(i)));
  });
  afterAll(async () => {
    for (const f of files) f.cleanup();
    files = [];
    await server?.close();
  });

  async function userWithQuota(quotaBytes: number): Promise<Client> {
    const c = await server.user();
    const r = await admin.json('PATCH', `/api/admin/users/${c.user!.id}`, { quotaBytes }, 200);
    expect(r.body.user.quotaBytes).toBe(quotaBytes);
    const me = await c.me();
    expect(me.quotaBytes).toBe(quotaBytes);
    expect(me.usedBytes).toBe(0);
    return c;
  }

  /** Fires all uploads at once; every answer must be a 201 or a clean 507 quota_exceeded. */
  async function race(c: Client, folder: string, chunked: boolean) {
    const results = await Promise.all(
      files.map((f, i) => c.upload(`${folder}/f${i}.bin`, { file: f.file, size: f.size }, { chunked })),
    );
    const accepted: { name: string; file: RandomFile; res: Res<{ id: string }> }[] = [];
    results.forEach((r, i) => {
      if (r.status === 201) {
        expect(r.body.size).toBe(SIZE);
        expect(r.body.sha256).toBe(files[i]!.sha256);
        accepted.push({ name: `f${i}.bin`, file: files[i]!, res: r });
      } else {
        expect({ status: r.status, code: r.body?.error?.code }).toEqual({
          status: 507,
          code: 'quota_exceeded',
        });
      }
    });
    return accepted;
  }

  /** Usage, accepted uploads and the listing must agree exactly. */
  async function checkConsistent(c: Client, folder: string, accepted: { name: string; file: RandomFile }[]) {
    const acceptedBytes = accepted.reduce((n, a) => n + a.file.size, 0);
    expect(acceptedBytes).toBeLessThanOrEqual(QUOTA);
    const listed = await listFolder(c, folder);
    expect(listed.map((n) => n.name).sort()).toEqual(accepted.map((a) => a.name).sort());
    for (const n of listed) expect(n.sha256).toBe(accepted.find((a) => a.name === n.name)!.file.sha256);
    const listedBytes = listed.reduce((n, f) => n + f.size, 0);
    const me = await c.me();
    expect(me.usedBytes).toBe(acceptedBytes);
    expect(listedBytes).toBe(acceptedBytes);
    // No interrupted write is left behind.
    expect(await fs.readdir(path.join(blobsRoot, 'tmp'))).toEqual([]);
    return acceptedBytes;
  }

  /**
   * Held space must all be back: after freeing one file, an upload of exactly the remaining
   * space fits, and one more byte does not.
   */
  async function checkReservationsReleased(
    c: Client,
    folder: string,
    accepted: { res: Res<{ id: string }> }[],
  ) {
    if (accepted.length) await deleteForever(c, accepted[0]!.res.body.id);
    const me = await c.me();
    const remaining = me.quotaBytes - me.usedBytes;
    expect(remaining).toBeGreaterThanOrEqual(SIZE);
    const fill = await randomFile(remaining, 'fill');
    try {
      const up = await c.upload(`${folder}/fill.bin`, { file: fill.file, size: fill.size });
      expect(up.status).toBe(201);
      expect(up.body.size).toBe(remaining);
    } finally {
      fill.cleanup();
    }
    expect((await c.me()).usedBytes).toBe(QUOTA);
    const over = await c.upload(`${folder}/one-more.bin`, 'x');
    expect(over.status).toBe(507);
    expect(over.body.error.code).toBe('quota_exceeded');
    expect((await c.me()).usedBytes).toBe(QUOTA);
  }

  it('with Content-Length: never accepts more than the quota, and refuses before writing a byte', async () => {
    const c = await userWithQuota(QUOTA);
    const before = await storedBlobs(blobsRoot);
    const accepted = await race(c, '/race', false);
    // Space is reserved for the declared length up front, so exactly as many fit as the quota allows.
    expect(accepted).toHaveLength(Math.floor(QUOTA / SIZE));
    const used = await checkConsistent(c, '/race', accepted);
    expect(used).toBe(QUOTA);
    // Refused uploads wrote nothing: the store holds exactly the accepted blobs.
    const after = await storedBlobs(blobsRoot);
    expect([...after.keys()].sort()).toEqual(
      [...new Set([...before.keys(), ...accepted.map((a) => a.file.sha256)])].sort(),
    );

    // Content-Length alone exceeds what is left: 507 while the body has not sent a single byte.
    await deleteForever(c, accepted[1]!.res.body.id);
    const usage = (await c.me()).usedBytes;
    const remaining = QUOTA - usage;
    expect(remaining).toBe(SIZE);
    const snapshot = await storedBlobs(blobsRoot);
    const refused = await headersOnlyUpload(c, '/race/too-big.bin', remaining + 1);
    expect(refused.status).toBe(507);
    expect(refused.body.error.code).toBe('quota_exceeded');
    expect(refused.body.error.details).toEqual({ quota: QUOTA, used: usage });
    expect(await fs.readdir(path.join(blobsRoot, 'tmp'))).toEqual([]);
    expect(await storedBlobs(blobsRoot)).toEqual(snapshot);
    expect((await c.me()).usedBytes).toBe(usage);
    expect((await c.json('GET', '/api/resolve?path=%2Frace%2Ftoo-big.bin')).status).toBe(404);

    // The refusal held nothing back: exactly the remaining space is still usable.
    await checkReservationsReleased(c, '/race', accepted.slice(2));
  });

  it('chunked (no Content-Length): stops each stream at the quota and releases what it held', async () => {
    const c = await userWithQuota(QUOTA);
    await c.json('POST', `/api/nodes/${c.rootId}/folders`, { name: 'chunked' }, 201);
    // Lengths are unknown, so streams hold space in steps and wait a little for space the others
    // give back: nearly as many win as fit (10), never more, and the books must balance.
    const accepted = await race(c, '/chunked', true);
    expect(accepted.length).toBeGreaterThanOrEqual(8);
    await checkConsistent(c, '/chunked', accepted);
    await checkReservationsReleased(c, '/chunked', accepted);
  });
});
