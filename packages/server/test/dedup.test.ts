import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from './helpers/client.js';
import { randomFile, storedBlobs } from './helpers/files.js';
import { dialect, startServer, type TestServer } from './helpers/server.js';

const MiB = 1024 * 1024;

/** Bytes and blobs under blobs/, leaving out blobs/tmp. */
async function blobDiskUsage(root: string): Promise<{ bytes: number; files: Map<string, number> }> {
  const files = await storedBlobs(root);
  let bytes = 0;
  for (const size of files.values()) bytes += size;
  return { bytes, files };
}

async function deleteForever(c: Client, nodeId: string): Promise<void> {
  await c.json('DELETE', `/api/nodes/${nodeId}`, undefined, 204);
  const trash = await c.json('GET', '/api/trash', undefined, 200);
  expect(trash.body.items.map((i: { id: string }) => i.id)).toContain(nodeId);
  await c.json('DELETE', `/api/trash/${nodeId}`, undefined, 204);
  expect((await c.json('GET', '/api/trash', undefined, 200)).body.items).toHaveLength(0);
}

describe(`content deduplication across users (${dialect})`, () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => server?.close());

  it('stores identical bytes once, counts them for each owner, and frees them after the last purge', async () => {
    const blobsRoot = path.join(server.dataDir, 'blobs');
    const a = await server.user();
    const b = await server.user();
    const file = await randomFile(50 * MiB);
    try {
      const start = await blobDiskUsage(blobsRoot);
      expect(start.files.size).toBe(0);

      // A uploads: the store grows by exactly the file.
      const upA = await a.upload('/mine/same.bin', { file: file.file, size: file.size });
      expect(upA.status).toBe(201);
      expect(upA.body.sha256).toBe(file.sha256);
      expect(upA.body.size).toBe(file.size);
      const afterA = await blobDiskUsage(blobsRoot);
      expect(afterA.bytes - start.bytes).toBe(file.size);
      expect(afterA.files.size).toBe(start.files.size + 1);
      expect((await blobDiskUsage(blobsRoot)).files.get(file.sha256)).toBe(file.size);

      // B uploads the same bytes under another name: nothing new on disk.
      const upB = await b.upload('/theirs/copy of same.bin', { file: file.file, size: file.size });
      expect(upB.status).toBe(201);
      expect(upB.body.sha256).toBe(file.sha256);
      expect(upB.body.id).not.toBe(upA.body.id);
      const afterB = await blobDiskUsage(blobsRoot);
      expect(afterB.bytes).toBe(afterA.bytes);
      expect([...afterB.files.keys()]).toEqual([...afterA.files.keys()]);
      expect(await fs.readdir(path.join(blobsRoot, 'tmp'))).toEqual([]);

      // Each owner is charged for what they stored, shared or not.
      expect((await a.me()).usedBytes).toBe(file.size);
      expect((await b.me()).usedBytes).toBe(file.size);

      // A deletes forever: A's usage drops, the bytes stay for B.
      await deleteForever(a, upA.body.id);
      expect((await a.me()).usedBytes).toBe(0);
      expect((await b.me()).usedBytes).toBe(file.size);
      expect((await a.json('GET', `/api/nodes/${upA.body.id}`)).status).toBe(404);
      // Even long after A's purge, the collector must not touch bytes B still refers to.
      server.clock.advance(server.config.blobGcGraceMs + 60_000);
      expect(await server.app.services.collector.collect()).toEqual({ blobs: 0 });
      expect((await blobDiskUsage(blobsRoot)).bytes).toBe(afterB.bytes);
      const downB = await b.downloadHash(`/api/nodes/${upB.body.id}/content`);
      expect(downB.status).toBe(200);
      expect(downB.size).toBe(file.size);
      expect(downB.sha256).toBe(file.sha256);
      // A can no longer read it through its old id.
      expect((await a.downloadHash(`/api/nodes/${upA.body.id}/content`)).status).toBe(404);

      // B deletes forever too: usage back to zero; the bytes wait out the grace period.
      await deleteForever(b, upB.body.id);
      expect((await b.me()).usedBytes).toBe(0);
      expect(await server.app.services.collector.collect()).toEqual({ blobs: 0 });
      expect((await blobDiskUsage(blobsRoot)).files.get(file.sha256)).toBe(file.size);
      expect((await blobDiskUsage(blobsRoot)).bytes).toBe(afterB.bytes);

      server.clock.advance(server.config.blobGcGraceMs + 1000);
      expect(await server.app.services.collector.collect()).toEqual({ blobs: 1 });
      expect((await blobDiskUsage(blobsRoot)).files.has(file.sha256)).toBe(false);
      const end = await blobDiskUsage(blobsRoot);
      expect(end.bytes).toBe(start.bytes);
      expect(end.files.size).toBe(start.files.size);
      // Nothing left to collect: a second run is a no-op.
      expect(await server.app.services.collector.collect()).toEqual({ blobs: 0 });
    } finally {
      file.cleanup();
    }
  });

  it('keeps one copy under concurrent identical uploads, and revives bytes re-uploaded during the grace period', async () => {
    const blobsRoot = path.join(server.dataDir, 'blobs');
    const a = await server.user();
    const b = await server.user();
    const file = await randomFile(50 * MiB, 'concurrent');
    try {
      const start = await blobDiskUsage(blobsRoot);
      const [upA, upB] = await Promise.all([
        a.upload('/at-once.bin', { file: file.file, size: file.size }),
        b.upload('/at-once.bin', { file: file.file, size: file.size }),
      ]);
      expect([upA.status, upB.status]).toEqual([201, 201]);
      expect(upA.body.sha256).toBe(file.sha256);
      expect(upB.body.sha256).toBe(file.sha256);
      const after = await blobDiskUsage(blobsRoot);
      expect(after.bytes - start.bytes).toBe(file.size);
      expect(after.files.size).toBe(start.files.size + 1);
      expect(await fs.readdir(path.join(blobsRoot, 'tmp'))).toEqual([]);
      expect((await a.me()).usedBytes).toBe(file.size);
      expect((await b.me()).usedBytes).toBe(file.size);

      // Both purge: the blob is unreferenced but within its grace period.
      await deleteForever(a, upA.body.id);
      await deleteForever(b, upB.body.id);
      expect(await server.app.services.collector.collect()).toEqual({ blobs: 0 });
      expect((await blobDiskUsage(blobsRoot)).files.get(file.sha256)).toBe(file.size);

      // B uploads the same bytes again before the collector runs: the reference is revived,
      // so a collection after the grace period must leave the bytes alone.
      const again = await b.upload('/again.bin', { file: file.file, size: file.size });
      expect(again.status).toBe(201);
      expect((await blobDiskUsage(blobsRoot)).bytes).toBe(after.bytes);
      server.clock.advance(server.config.blobGcGraceMs + 1000);
      expect(await server.app.services.collector.collect()).toEqual({ blobs: 0 });
      const down = await b.downloadHash(`/api/nodes/${again.body.id}/content`);
      expect(down.status).toBe(200);
      expect(down.sha256).toBe(file.sha256);
      expect((await b.me()).usedBytes).toBe(file.size);

      await deleteForever(b, again.body.id);
      server.clock.advance(server.config.blobGcGraceMs + 1000);
      expect(await server.app.services.collector.collect()).toEqual({ blobs: 1 });
      expect((await blobDiskUsage(blobsRoot)).files.has(file.sha256)).toBe(false);
      expect((await blobDiskUsage(blobsRoot)).bytes).toBe(start.bytes);
    } finally {
      file.cleanup();
    }
  });
});
