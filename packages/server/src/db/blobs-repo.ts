import { sql } from 'kysely';
import type { Executor } from './schema.js';

export const blobsRepo = {
  /**
   * Counts one more reference to a blob, creating its row on first use. Returns the count after,
   * so the caller knows whether these bytes were already stored (dedup).
   */
  addRef: async (ex: Executor, sha256: string, size: number, now: number, n = 1) => {
    const row = await ex
      .insertInto('blobs')
      .values({ sha256, size, ref_count: n, created_at: now, orphaned_at: null })
      .onConflict((oc) =>
        oc.column('sha256').doUpdateSet({ ref_count: sql`blobs.ref_count + ${n}`, orphaned_at: null }),
      )
      .returning('ref_count')
      .executeTakeFirstOrThrow();
    return Number(row.ref_count);
  },

  releaseRef: (ex: Executor, sha256: string, n: number, now: number) =>
    ex
      .updateTable('blobs')
      .set({
        ref_count: sql`ref_count - ${n}`,
        orphaned_at: sql`case when ref_count - ${n} <= 0 then ${now} else orphaned_at end`,
      })
      .where('sha256', '=', sha256)
      .execute(),

  /** Records a blob the store holds but nothing references yet, so the collector finds it. */
  recordOrphan: (ex: Executor, sha256: string, size: number, now: number) =>
    ex
      .insertInto('blobs')
      .values({ sha256, size, ref_count: 0, created_at: now, orphaned_at: now })
      .onConflict((oc) => oc.column('sha256').doNothing())
      .execute(),

  listCollectable: (ex: Executor, cutoff: number, limit: number) =>
    ex
      .selectFrom('blobs')
      .select('sha256')
      .where('ref_count', '<=', 0)
      .where('orphaned_at', '<', cutoff)
      .limit(limit)
      .execute(),

  /** Deletes the row only if it is still unreferenced; the caller deletes bytes inside the same transaction. */
  claimCollectable: async (ex: Executor, sha256: string, cutoff: number) => {
    const r = await ex
      .deleteFrom('blobs')
      .where('sha256', '=', sha256)
      .where('ref_count', '<=', 0)
      .where('orphaned_at', '<', cutoff)
      .executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  },

  existing: async (ex: Executor, shas: string[]) => {
    if (shas.length === 0) return new Set<string>();
    const rows = await ex.selectFrom('blobs').select('sha256').where('sha256', 'in', shas).execute();
    return new Set(rows.map((r) => r.sha256));
  },

  totals: (ex: Executor) =>
    ex
      .selectFrom('blobs')
      .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.sum<number>('size').as('bytes')])
      .where('ref_count', '>', 0)
      .executeTakeFirstOrThrow(),
};
