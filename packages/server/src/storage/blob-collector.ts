import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { blobsRepo } from '../db/blobs-repo.js';
import type { BlobStore } from './blob-store.js';

/**
 * Frees bytes nothing refers to any more, after a grace period. The row is claimed and the
 * bytes deleted inside one transaction, so an upload of the same content either sees the row
 * gone (and checks the bytes) or keeps it alive.
 */
export class BlobCollector {
  constructor(
    private readonly database: Database,
    private readonly blobs: BlobStore,
    private readonly clock: Clock,
    private readonly graceMs: number,
  ) {}

  /** Bytes of unique content still referenced: what the store really holds for users. */
  async storedBytes(): Promise<number> {
    return Number((await blobsRepo.totals(this.database.db)).bytes ?? 0);
  }

  async collect(): Promise<{ blobs: number }> {
    const cutoff = this.clock.now() - this.graceMs;
    let count = 0;
    for (;;) {
      const rows = await blobsRepo.listCollectable(this.database.db, cutoff, 200);
      if (rows.length === 0) return { blobs: count };
      for (const { sha256 } of rows) {
        await this.database.transaction(async (trx) => {
          if (await blobsRepo.claimCollectable(trx, sha256, cutoff)) {
            await this.blobs.delete(sha256);
            count++;
          }
        });
      }
    }
  }

  /** Bytes a crash left in the store without any row (written, never committed). */
  async sweepUnknown(): Promise<{ blobs: number }> {
    const cutoff = this.clock.now() - this.graceMs;
    let count = 0;
    let batch: { sha256: string; modifiedAt: number }[] = [];
    const flush = async () => {
      const known = await blobsRepo.existing(
        this.database.db,
        batch.map((b) => b.sha256),
      );
      for (const b of batch) {
        if (known.has(b.sha256)) continue;
        // An upload of the same bytes may be committing right now: deleting through a row, as
        // collect() does, means it either takes a reference first or finds the bytes gone (503).
        const st = await this.blobs.stat(b.sha256);
        if (!st) continue;
        await blobsRepo.recordOrphan(this.database.db, b.sha256, st.size, Math.floor(b.modifiedAt));
        await this.database.transaction(async (trx) => {
          if (await blobsRepo.claimCollectable(trx, b.sha256, cutoff)) {
            await this.blobs.delete(b.sha256);
            count++;
          }
        });
      }
      batch = [];
    };
    for await (const b of this.blobs.list()) {
      if (b.modifiedAt >= cutoff) continue;
      batch.push(b);
      if (batch.length >= 500) await flush();
    }
    if (batch.length) await flush();
    return { blobs: count };
  }
}
