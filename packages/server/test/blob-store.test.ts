import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/database.js';
import { DatabaseBlobStore } from '../src/storage/database-blob-store.js';
import { LocalBlobStore } from '../src/storage/local-blob-store.js';
import { TieredBlobStore } from '../src/storage/tiered-blob-store.js';
import { dropSchema, testEnv } from './helpers/server.js';
import {
  blobStoreConformance,
  bytes,
  chunked,
  failingAfter,
  listAll,
  readAll,
  sha256Of,
} from './conformance/blob-store-suite.js';

const tmpEntries = async (root: string) => (await fs.readdir(path.join(root, 'tmp'))).sort();

/** Where a blob lives: one level of fan-out by the first two hex digits, root/ab/<sha256>. */
const blobFile = (root: string, sha256: string) => path.join(root, sha256.slice(0, 2), sha256);

blobStoreConformance('LocalBlobStore', async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'loft-blobs-'));
  const store = new LocalBlobStore(root);
  await store.init();
  return {
    store,
    cleanup: () => fs.rm(root, { recursive: true, force: true }),
    leftovers: () => tmpEntries(root),
    simulateInterruptedWrite: async () => {
      await fs.writeFile(
        path.join(root, 'tmp', `${randomBytes(12).toString('hex')}.part`),
        randomBytes(4096),
      );
    },
  };
});

// What the server runs: contents up to 64 KiB given whole go to the database, the rest to disk.
blobStoreConformance('TieredBlobStore (database + local disk)', async () => {
  const { env, dataDir, schema } = testEnv();
  const database = await openDatabase(loadConfig(env));
  const root = path.join(dataDir, 'blobs');
  const store = new TieredBlobStore(
    new DatabaseBlobStore(database, systemClock),
    new LocalBlobStore(root),
    64 * 1024,
  );
  await store.init();
  return {
    store,
    cleanup: async () => {
      await database.close();
      await dropSchema(schema);
      await fs.rm(dataDir, { recursive: true, force: true });
    },
    leftovers: () => tmpEntries(root),
    simulateInterruptedWrite: async () => {
      await fs.writeFile(
        path.join(root, 'tmp', `${randomBytes(12).toString('hex')}.part`),
        randomBytes(4096),
      );
    },
  };
});

/** Every file under dir, as paths relative to it. */
async function walk(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(`${rel}/`, ...(await walk(path.join(dir, e.name), rel)));
    else out.push(rel);
  }
  return out.sort();
}

describe('LocalBlobStore on disk', () => {
  let root: string;
  let store: LocalBlobStore;
  beforeEach(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'loft-blobs-'));
    store = new LocalBlobStore(root);
    await store.init();
  });
  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('creates its root and tmp directory on init', async () => {
    const fresh = path.join(root, 'not', 'yet', 'there');
    await new LocalBlobStore(fresh).init();
    expect((await fs.stat(path.join(fresh, 'tmp'))).isDirectory()).toBe(true);
  });

  it('lays blobs out as ab/<sha256> and nothing else', async () => {
    const a = bytes(1234);
    const b = bytes(4321);
    const infoA = await store.put(chunked(a));
    const infoB = await store.put(chunked(b));
    const expected = new Set(['tmp/']);
    for (const { sha256 } of [infoA, infoB])
      expected.add(`${sha256.slice(0, 2)}/`).add(`${sha256.slice(0, 2)}/${sha256}`);
    expect(await walk(root)).toEqual([...expected].sort());
    expect((await fs.readFile(blobFile(root, infoA.sha256))).equals(a)).toBe(true);
    expect((await fs.readFile(blobFile(root, infoB.sha256))).equals(b)).toBe(true);
  });

  it('recreates a fan-out directory removed by hand since it was last used', async () => {
    const first = bytes(100);
    const info = await store.put(chunked(first));
    await fs.rm(path.dirname(blobFile(root, info.sha256)), { recursive: true });
    expect(await store.stat(info.sha256)).toBeNull();
    expect(await store.put(chunked(first))).toEqual(info);
    expect((await fs.readFile(blobFile(root, info.sha256))).equals(first)).toBe(true);
    expect(await tmpEntries(root)).toEqual([]);
  });

  it('leaves no *.part file in tmp after successful puts', async () => {
    await store.put(chunked(bytes(3 * 1024 * 1024)));
    await store.put(chunked(Buffer.alloc(0)));
    const same = bytes(1000);
    await Promise.all([store.put(chunked(same)), store.put(chunked(same))]);
    expect(await tmpEntries(root)).toEqual([]);
  });

  it('writes into tmp while a put is in progress, then leaves no *.part after it fails', async () => {
    const stalled = failingAfter(bytes(2 * 1024 * 1024), new Error('client went away'));
    const put = store.put(stalled);
    const caught = put.catch((e: Error) => e);
    let seen: string[] = [];
    for (let i = 0; i < 200 && seen.length === 0; i++) {
      seen = await tmpEntries(root);
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/\.part$/);
    expect(((await caught) as Error).message).toBe('client went away');
    expect(await tmpEntries(root)).toEqual([]);
    expect(await walk(root)).toEqual(['tmp/']);
  });

  it('init removes stray files and directories in tmp, and nothing else', async () => {
    const data = bytes(777);
    const info = await store.put(chunked(data));
    const tmp = path.join(root, 'tmp');
    await fs.writeFile(path.join(tmp, 'abc.part'), 'partial');
    await fs.writeFile(path.join(tmp, 'stray'), 'x');
    await fs.mkdir(path.join(tmp, 'dir', 'nested'), { recursive: true });
    await fs.writeFile(path.join(tmp, 'dir', 'nested', 'f'), 'y');
    await fs.writeFile(path.join(root, 'README'), 'operator notes');
    await new LocalBlobStore(root).init();
    expect(await tmpEntries(root)).toEqual([]);
    expect(await fs.readFile(path.join(root, 'README'), 'utf8')).toBe('operator notes');
    expect((await readAll(await store.get(info.sha256))).equals(data)).toBe(true);
  });

  it('list ignores files that are not blobs', async () => {
    const info = await store.put(chunked(bytes(10)));
    const dir = path.dirname(blobFile(root, info.sha256));
    await fs.writeFile(path.join(dir, 'notes.txt'), 'x');
    await fs.writeFile(path.join(dir, `${info.sha256}.bak`), 'x');
    await fs.mkdir(path.join(dir, 'cd'));
    await fs.mkdir(path.join(root, 'zz'));
    await fs.writeFile(path.join(root, 'zz', sha256Of(Buffer.from('x'))), 'x');
    await fs.writeFile(path.join(root, 'tmp', sha256Of(Buffer.from('y'))), 'y');
    expect((await listAll(store)).map((b) => b.sha256)).toEqual([info.sha256]);
  });

  it('putting stored content again freshens its mtime', async () => {
    const data = bytes(100);
    const info = await store.put(chunked(data));
    const file = blobFile(root, info.sha256);
    const old = new Date(Date.now() - 7 * 24 * 3600_000);
    await fs.utimes(file, old, old);
    expect((await listAll(store))[0]!.modifiedAt).toBeLessThan(Date.now() - 6 * 24 * 3600_000);
    const before = Date.now();
    await store.put(chunked(data));
    expect((await fs.stat(file)).mtimeMs).toBeGreaterThanOrEqual(before - 1000);
    expect((await listAll(store))[0]!.modifiedAt).toBeGreaterThanOrEqual(before - 1000);
  });

  it('a process killed in the middle of a put leaves only tmp/*.part, which init removes', async () => {
    const kept = bytes(5000);
    const keptInfo = await store.put(chunked(kept));
    const moduleUrl = new URL('../src/storage/local-blob-store.ts', import.meta.url).href;
    // The child writes forever; the parent kills it once bytes have reached tmp.
    const script = `
      import { Readable } from 'node:stream';
      const { LocalBlobStore } = await import(${JSON.stringify(moduleUrl)});
      const store = new LocalBlobStore(${JSON.stringify(root)});
      const chunk = Buffer.alloc(64 * 1024, 7);
      let sent = 0;
      const source = new Readable({ read() { sent++ < 32 ? this.push(chunk) : setTimeout(() => this.push(chunk), 50); } });
      store.put(source);
      setTimeout(() => console.log('writing'), 100);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: path.dirname(fileURLToPath(import.meta.url)),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`child exited early (${code}): ${stderr}`)));
    });
    child.kill('SIGKILL');
    await exited;

    const left = await tmpEntries(root);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/\.part$/);
    expect((await fs.stat(path.join(root, 'tmp', left[0]!))).size).toBeGreaterThan(0);
    // Nothing partial is visible under any hash.
    expect((await listAll(store)).map((b) => b.sha256)).toEqual([keptInfo.sha256]);

    const restarted = new LocalBlobStore(root);
    await restarted.init();
    expect(await tmpEntries(root)).toEqual([]);
    expect((await readAll(await restarted.get(keptInfo.sha256))).equals(kept)).toBe(true);
  });
});
