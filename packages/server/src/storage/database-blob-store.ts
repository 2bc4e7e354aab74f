import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Clock } from '../clock.js';
import { blobDataRepo } from '../db/blob-data-repo.js';
import type { Database } from '../db/database.js';
import { BlobNotFoundError, isSha256, type BlobInfo, type BlobStore, type ByteRange } from './blob-store.js';

/**
 * Blobs as rows of the database: for small contents, where a file of their own costs more than
 * the bytes (create, fdatasync, rename, fsync of the directory). A put is one insert; it is as
 * durable as the database's commits, and on SQLite the write that refers to the blob is
 * acknowledged only after the log holding both is synced (Database.durable), in order. Called
 * inside a transaction (the collector deletes through one), it runs in that transaction.
 */
export class DatabaseBlobStore implements BlobStore {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
  ) {}

  async init(): Promise<void> {}

  async put(source: Readable | Buffer): Promise<BlobInfo> {
    const data = Buffer.isBuffer(source) ? source : await readAll(source);
    const sha256 = createHash('sha256').update(data).digest('hex');
    await blobDataRepo.insert(this.database.current(), {
      sha256,
      size: data.length,
      data,
      created_at: this.clock.now(),
    });
    return { sha256, size: data.length };
  }

  async get(sha256: string, range?: ByteRange): Promise<Readable> {
    const row = isSha256(sha256) ? await blobDataRepo.data(this.database.current(), sha256) : undefined;
    if (!row) throw new BlobNotFoundError(sha256);
    const data = Buffer.from(row.data);
    return Readable.from([range ? data.subarray(range.start, range.end + 1) : data], { objectMode: false });
  }

  async stat(sha256: string): Promise<{ size: number } | null> {
    if (!isSha256(sha256)) return null;
    const row = await blobDataRepo.size(this.database.current(), sha256);
    return row ? { size: Number(row.size) } : null;
  }

  async delete(sha256: string): Promise<void> {
    await blobDataRepo.delete(this.database.current(), sha256);
  }

  async *list(): AsyncIterable<{ sha256: string; modifiedAt: number }> {
    let after = '';
    for (;;) {
      const rows = await blobDataRepo.page(this.database.current(), after, 1000);
      for (const r of rows) yield { sha256: r.sha256, modifiedAt: Number(r.created_at) };
      if (rows.length < 1000) return;
      after = rows[rows.length - 1]!.sha256;
    }
  }

  async close(): Promise<void> {}
}

async function readAll(source: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of source as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}
