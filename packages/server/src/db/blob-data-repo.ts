import type { BlobDataTable, Executor } from './schema.js';

export const blobDataRepo = {
  /** A second put of the same bytes is a no-op: content-addressed, so it is the same row. */
  insert: (ex: Executor, row: BlobDataTable) =>
    ex
      .insertInto('blob_data')
      .values(row)
      .onConflict((oc) => oc.column('sha256').doNothing())
      .execute(),

  data: (ex: Executor, sha256: string) =>
    ex.selectFrom('blob_data').select('data').where('sha256', '=', sha256).executeTakeFirst(),

  size: (ex: Executor, sha256: string) =>
    ex.selectFrom('blob_data').select('size').where('sha256', '=', sha256).executeTakeFirst(),

  delete: (ex: Executor, sha256: string) => ex.deleteFrom('blob_data').where('sha256', '=', sha256).execute(),

  /** One page of every stored blob's name and age, in name order. */
  page: (ex: Executor, after: string, limit: number) =>
    ex
      .selectFrom('blob_data')
      .select(['sha256', 'created_at'])
      .where('sha256', '>', after)
      .orderBy('sha256')
      .limit(limit)
      .execute(),
};
