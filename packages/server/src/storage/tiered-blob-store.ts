import type { Readable } from 'node:stream';
import { BlobNotFoundError, type BlobInfo, type BlobStore, type ByteRange } from './blob-store.js';

/**
 * Two stores behind one: contents up to `threshold` bytes that arrive whole (a Buffer) go to
 * `small`, everything else to `large`. Reads look in the small store first, where a miss is one
 * index probe. Callers never know which one holds a blob.
 */
export class TieredBlobStore implements BlobStore {
  constructor(
    private readonly small: BlobStore,
    private readonly large: BlobStore,
    private readonly threshold: number,
  ) {}

  async init(): Promise<void> {
    await this.small.init();
    await this.large.init();
  }

  put(source: Readable | Buffer): Promise<BlobInfo> {
    return Buffer.isBuffer(source) && source.length <= this.threshold
      ? this.small.put(source)
      : this.large.put(source);
  }

  async get(sha256: string, range?: ByteRange): Promise<Readable> {
    try {
      return await this.small.get(sha256, range);
    } catch (e) {
      if (!(e instanceof BlobNotFoundError)) throw e;
      return this.large.get(sha256, range);
    }
  }

  async stat(sha256: string): Promise<{ size: number } | null> {
    return (await this.small.stat(sha256)) ?? (await this.large.stat(sha256));
  }

  async delete(sha256: string): Promise<void> {
    await this.small.delete(sha256);
    await this.large.delete(sha256);
  }

  /** Each blob once, even when both stores hold it (the same bytes put whole, then streamed). */
  async *list(): AsyncIterable<{ sha256: string; modifiedAt: number }> {
    yield* this.small.list();
    for await (const b of this.large.list()) if (!(await this.small.stat(b.sha256))) yield b;
  }

  async close(): Promise<void> {
    await this.small.close();
    await this.large.close();
  }
}
