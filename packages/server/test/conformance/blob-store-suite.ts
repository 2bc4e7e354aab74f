import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobNotFoundError, type BlobStore, type ByteRange } from '../../src/storage/blob-store.js';

/**
 * What a BlobStore implementation hands the conformance suite. Everything is checked through the
 * BlobStore interface; the two hooks let the suite see (and fake) what an unfinished write leaves
 * behind in the backend, which the interface deliberately hides.
 */
export interface BlobStoreHarness {
  /** A store over empty backing storage, init() already called. */
  store: BlobStore;
  cleanup(): Promise<void>;
  /** Traces of unfinished writes (local: entries in tmp/; S3: open multipart uploads). */
  leftovers(): Promise<string[]>;
  /** Leaves behind what a crash in the middle of put() would (a partial file, an open upload). */
  simulateInterruptedWrite(): Promise<void>;
}

export const sha256Of = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Pseudo-random bytes; random so no two tests (or runs) share content by accident. */
export const bytes = (n: number) => randomBytes(n);

/** Streams `data` in chunks of the given sizes (cycled), yielding to the event loop now and then. */
export function chunked(data: Buffer, sizes: number[] = [1, 7, 4093, 65537, 13, 1048583, 333333]): Readable {
  return Readable.from(
    (async function* () {
      let offset = 0;
      let i = 0;
      while (offset < data.length) {
        const n = sizes[i++ % sizes.length]!;
        yield data.subarray(offset, offset + n);
        offset += n;
        if (i % 5 === 0) await new Promise((r) => setImmediate(r));
      }
    })(),
    { objectMode: false },
  );
}

/** Yields `prefix` in chunks, then fails with `error` (or is destroyed without one, like a dropped client). */
export function failingAfter(prefix: Buffer, error: Error | null): Readable {
  const stream = new Readable({ read() {} });
  void (async () => {
    for (let offset = 0; offset < prefix.length; offset += 64 * 1024) {
      stream.push(prefix.subarray(offset, offset + 64 * 1024));
      await sleep(1);
    }
    await sleep(5);
    stream.destroy(error ?? undefined);
  })();
  return stream;
}

export async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  return Buffer.concat(parts);
}

export async function listAll(store: BlobStore): Promise<{ sha256: string; modifiedAt: number }[]> {
  const out: { sha256: string; modifiedAt: number }[] = [];
  for await (const b of store.list()) out.push(b);
  return out.sort((a, b) => a.sha256.localeCompare(b.sha256));
}

const shas = async (store: BlobStore) => (await listAll(store)).map((b) => b.sha256);

async function getBytes(store: BlobStore, sha: string, range?: ByteRange): Promise<Buffer> {
  return readAll(await store.get(sha, range));
}

const MiB = 1024 * 1024;

/**
 * The contract every BlobStore implementation must meet. Run it from an implementation's test
 * file with a factory that gives each test its own empty store.
 */
export function blobStoreConformance(name: string, makeStore: () => Promise<BlobStoreHarness>): void {
  describe(`BlobStore conformance: ${name}`, () => {
    let h: BlobStoreHarness;
    let store: BlobStore;
    beforeEach(async () => {
      h = await makeStore();
      store = h.store;
    });
    afterEach(async () => {
      await h?.store.close();
      await h?.cleanup();
    });

    it('starts empty', async () => {
      expect(await shas(store)).toEqual([]);
      expect(await h.leftovers()).toEqual([]);
    });

    describe('put', () => {
      it('stores an empty blob under the hash of no bytes', async () => {
        const info = await store.put(chunked(Buffer.alloc(0)));
        expect(info).toEqual({ sha256: sha256Of(Buffer.alloc(0)), size: 0 });
        expect(await store.stat(info.sha256)).toEqual({ size: 0 });
        expect((await getBytes(store, info.sha256)).length).toBe(0);
        expect(await shas(store)).toEqual([info.sha256]);
      });

      it('stores a single byte', async () => {
        const data = bytes(1);
        const info = await store.put(chunked(data));
        expect(info).toEqual({ sha256: sha256Of(data), size: 1 });
        expect((await getBytes(store, info.sha256)).equals(data)).toBe(true);
      });

      it('streams several MiB in odd-sized chunks and hashes every byte', async () => {
        const data = bytes(5 * MiB + 4099);
        const info = await store.put(chunked(data));
        expect(info.size).toBe(data.length);
        expect(info.sha256).toBe(sha256Of(data));
        expect(await store.stat(info.sha256)).toEqual({ size: data.length });
        const back = await getBytes(store, info.sha256);
        expect(back.length).toBe(data.length);
        expect(sha256Of(back)).toBe(info.sha256);
        expect(await h.leftovers()).toEqual([]);
      });

      it('stores contents given whole as a Buffer, the same as streamed', async () => {
        const data = bytes(4096);
        const whole = await store.put(data);
        expect(whole).toEqual({ sha256: sha256Of(data), size: data.length });
        expect((await getBytes(store, whole.sha256)).equals(data)).toBe(true);
        expect(await store.put(chunked(data))).toEqual(whole);
        expect(await store.put(Buffer.alloc(0))).toEqual({ sha256: sha256Of(Buffer.alloc(0)), size: 0 });
        const again = await Promise.all([store.put(data), store.put(Buffer.from(data))]);
        expect(again).toEqual([whole, whole]);
        expect((await shas(store)).sort()).toEqual([whole.sha256, sha256Of(Buffer.alloc(0))].sort());
        expect(await h.leftovers()).toEqual([]);
      });

      it('accepts a stream of strings and one made of a single large chunk', async () => {
        const text = 'héllo wörld '.repeat(1000);
        const a = await store.put(Readable.from([text.slice(0, 5), text.slice(5)]));
        expect(a).toEqual({ sha256: sha256Of(Buffer.from(text)), size: Buffer.byteLength(text) });
        const big = bytes(3 * MiB);
        const b = await store.put(Readable.from([big]));
        expect(b).toEqual({ sha256: sha256Of(big), size: big.length });
        expect((await getBytes(store, b.sha256)).equals(big)).toBe(true);
      });

      it('is durable as soon as it resolves: stat, get and list see it at once', async () => {
        const data = bytes(70_000);
        const info = await store.put(chunked(data));
        expect(await store.stat(info.sha256)).toEqual({ size: data.length });
        expect(await shas(store)).toContain(info.sha256);
        expect((await getBytes(store, info.sha256)).equals(data)).toBe(true);
      });

      it('keeps one copy of identical content put twice', async () => {
        const data = bytes(200_001);
        const first = await store.put(chunked(data));
        const second = await store.put(chunked(data, [99_999, 3]));
        expect(second).toEqual(first);
        expect(await shas(store)).toEqual([first.sha256]);
        expect((await getBytes(store, first.sha256)).equals(data)).toBe(true);
        expect(await h.leftovers()).toEqual([]);
      });

      it('refreshes modifiedAt when content already stored is put again (the orphan sweep relies on it)', async () => {
        const data = bytes(1000);
        const info = await store.put(chunked(data));
        const [before] = await listAll(store);
        // Some backends keep times to the second.
        await sleep(1100);
        await store.put(chunked(data));
        const [after] = await listAll(store);
        expect(after!.sha256).toBe(info.sha256);
        expect(after!.modifiedAt).toBeGreaterThan(before!.modifiedAt);
      });

      it('stores distinct contents side by side', async () => {
        const blobs = [bytes(10), bytes(10), bytes(1), bytes(100_000)];
        const infos = [];
        for (const b of blobs) infos.push(await store.put(chunked(b)));
        expect(new Set(infos.map((i) => i.sha256)).size).toBe(blobs.length);
        for (const [i, b] of blobs.entries()) {
          expect((await getBytes(store, infos[i]!.sha256)).equals(b)).toBe(true);
        }
      });

      it.each([
        ['before any byte', 0],
        ['after one chunk', 1000],
        ['after a few hundred KiB', 300_000],
        ['after several MiB', 3 * MiB + 17],
      ])('rejects, and stores nothing, when the source errors %s', async (_label, prefixLength) => {
        const kept = await store.put(chunked(bytes(5000)));
        const listed = await shas(store);
        const prefix = bytes(prefixLength);
        await expect(store.put(failingAfter(prefix, new Error('source broke')))).rejects.toThrow(
          'source broke',
        );
        expect(await shas(store)).toEqual(listed);
        // Whatever got through must not be stored under its own hash either.
        expect(await store.stat(sha256Of(prefix))).toBeNull();
        await expect(store.get(sha256Of(prefix))).rejects.toBeInstanceOf(BlobNotFoundError);
        expect(await h.leftovers()).toEqual([]);
        expect(await store.stat(kept.sha256)).toEqual({ size: 5000 });
      });

      it('rejects, and stores nothing, when the source is destroyed midway without an error', async () => {
        const before = await shas(store);
        const prefix = bytes(500_000);
        await expect(store.put(failingAfter(prefix, null))).rejects.toThrow();
        expect(await shas(store)).toEqual(before);
        expect(await store.stat(sha256Of(prefix))).toBeNull();
        expect(await h.leftovers()).toEqual([]);
      });

      it('is still usable after a failed put, including for the same bytes', async () => {
        const prefix = bytes(400_000);
        await expect(store.put(failingAfter(prefix, new Error('boom')))).rejects.toThrow('boom');
        const info = await store.put(chunked(prefix));
        expect(info).toEqual({ sha256: sha256Of(prefix), size: prefix.length });
        expect((await getBytes(store, info.sha256)).equals(prefix)).toBe(true);
      });

      it('lets concurrent puts of the same content all succeed', async () => {
        const data = bytes(2 * MiB + 5);
        const results = await Promise.all([
          store.put(chunked(data)),
          store.put(chunked(data, [4096])),
          store.put(chunked(data, [MiB + 1, 3])),
          store.put(Readable.from([data])),
        ]);
        for (const r of results) expect(r).toEqual({ sha256: sha256Of(data), size: data.length });
        expect(await shas(store)).toEqual([sha256Of(data)]);
        expect((await getBytes(store, sha256Of(data))).equals(data)).toBe(true);
        expect(await h.leftovers()).toEqual([]);
      });

      it('lets concurrent puts of different content all succeed', async () => {
        const blobs = Array.from({ length: 6 }, (_, i) => bytes(100_000 * (i + 1) + i));
        const results = await Promise.all(blobs.map((b) => store.put(chunked(b))));
        expect(results.map((r) => r.sha256)).toEqual(blobs.map(sha256Of));
        expect(await shas(store)).toEqual(blobs.map(sha256Of).sort());
        for (const b of blobs) expect((await getBytes(store, sha256Of(b))).equals(b)).toBe(true);
      });
    });

    describe('get', () => {
      const size = 600_007;
      let data: Buffer;
      let sha: string;
      beforeEach(async () => {
        data = bytes(size);
        sha = (await store.put(chunked(data))).sha256;
      });

      it('returns the whole blob without a range', async () => {
        expect((await getBytes(store, sha)).equals(data)).toBe(true);
      });

      it.each([
        ['the first byte', 0, 0],
        ['the last byte', size - 1, size - 1],
        ['a middle slice', 12_345, 67_890],
        ['a slice across a 256 KiB boundary', 262_140, 262_150],
        ['everything', 0, size - 1],
        ['the tail', size - 1000, size - 1],
      ])('returns %s for a range', async (_label, start, end) => {
        const got = await getBytes(store, sha, { start, end });
        expect(got.length).toBe(end - start + 1);
        expect(got.equals(data.subarray(start, end + 1))).toBe(true);
      });

      it('serves several reads of the same blob at once', async () => {
        const reads = await Promise.all([
          getBytes(store, sha),
          getBytes(store, sha, { start: 1, end: 1 }),
          getBytes(store, sha, { start: 100, end: 500_000 }),
        ]);
        expect(reads[0]!.equals(data)).toBe(true);
        expect(reads[1]!.equals(data.subarray(1, 2))).toBe(true);
        expect(reads[2]!.equals(data.subarray(100, 500_001))).toBe(true);
      });

      it('rejects with BlobNotFoundError for an absent blob, with or without a range', async () => {
        const absent = sha256Of(bytes(32));
        const err = await store.get(absent).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(BlobNotFoundError);
        expect((err as BlobNotFoundError).sha256).toBe(absent);
        await expect(store.get(absent, { start: 0, end: 0 })).rejects.toBeInstanceOf(BlobNotFoundError);
      });

      it('treats names that are not SHA-256 hex as absent, never as paths or keys', async () => {
        for (const bad of [
          '',
          '../../../etc/passwd',
          'tmp',
          sha.slice(0, 63),
          `${sha}0`,
          `../${sha}`,
          sha.toUpperCase(),
        ]) {
          await expect(store.get(bad), bad).rejects.toBeInstanceOf(BlobNotFoundError);
          expect(await store.stat(bad), bad).toBeNull();
        }
      });
    });

    describe('stat', () => {
      it('reports the size of a present blob and null for an absent one', async () => {
        const data = bytes(12_345);
        const info = await store.put(chunked(data));
        expect(await store.stat(info.sha256)).toEqual({ size: 12_345 });
        expect(await store.stat(sha256Of(bytes(8)))).toBeNull();
      });
    });

    describe('delete', () => {
      it('removes the blob, and is idempotent', async () => {
        const a = await store.put(chunked(bytes(3000)));
        const b = await store.put(chunked(bytes(4000)));
        await store.delete(a.sha256);
        expect(await store.stat(a.sha256)).toBeNull();
        await expect(store.get(a.sha256)).rejects.toBeInstanceOf(BlobNotFoundError);
        expect(await shas(store)).toEqual([b.sha256]);
        await expect(store.delete(a.sha256)).resolves.toBeUndefined();
        await expect(store.delete(sha256Of(bytes(5)))).resolves.toBeUndefined();
        expect(await store.stat(b.sha256)).toEqual({ size: 4000 });
      });

      it('allows the same content to be stored again afterwards', async () => {
        const data = bytes(9999);
        const info = await store.put(chunked(data));
        await store.delete(info.sha256);
        expect(await store.put(chunked(data))).toEqual(info);
        expect((await getBytes(store, info.sha256)).equals(data)).toBe(true);
      });
    });

    describe('list', () => {
      it('yields every stored blob exactly once, with a modification time in epoch milliseconds', async () => {
        const start = Date.now();
        const blobs = [Buffer.alloc(0), bytes(1), bytes(2), bytes(70_000), bytes(1_000_001)];
        for (const b of blobs) await store.put(chunked(b));
        const listed = await listAll(store);
        expect(listed.map((b) => b.sha256)).toEqual(blobs.map(sha256Of).sort());
        for (const b of listed) {
          // Second-granular backends may round down; a clock in seconds would be far off.
          expect(b.modifiedAt).toBeGreaterThan(start - 5_000);
          expect(b.modifiedAt).toBeLessThan(Date.now() + 5_000);
        }
      });

      it('yields many blobs spread over the key space', async () => {
        const blobs = Array.from({ length: 120 }, () => bytes(16));
        for (const b of blobs) await store.put(Readable.from([b]));
        expect(await shas(store)).toEqual(blobs.map(sha256Of).sort());
      });
    });

    describe('init', () => {
      it('drops what an interrupted write left behind and keeps stored blobs', async () => {
        const data = bytes(50_000);
        const kept = await store.put(chunked(data));
        await h.simulateInterruptedWrite();
        expect((await h.leftovers()).length).toBeGreaterThan(0);
        await store.init();
        expect(await h.leftovers()).toEqual([]);
        expect(await shas(store)).toEqual([kept.sha256]);
        expect((await getBytes(store, kept.sha256)).equals(data)).toBe(true);
      });

      it('is idempotent and leaves the store usable', async () => {
        await store.init();
        await store.init();
        const data = bytes(10);
        const info = await store.put(chunked(data));
        expect((await getBytes(store, info.sha256)).equals(data)).toBe(true);
      });
    });
  });
}
