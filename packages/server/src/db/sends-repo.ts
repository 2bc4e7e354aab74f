import type { Executor, SendsTable } from './schema.js';

export type SendRow = SendsTable;

export const sendsRepo = {
  insert: (ex: Executor, row: SendRow) => ex.insertInto('sends').values(row).execute(),

  find: (ex: Executor, id: string) =>
    ex.selectFrom('sends').selectAll().where('id', '=', id).executeTakeFirst(),

  /** A user's sends that have not expired, newest first. */
  listActive: (ex: Executor, ownerId: string, now: number) =>
    ex
      .selectFrom('sends')
      .selectAll()
      .where('owner_id', '=', ownerId)
      .where('expires_at', '>', now)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute(),

  expired: (ex: Executor, now: number, limit: number) =>
    ex
      .selectFrom('sends')
      .selectAll()
      .where('expires_at', '<=', now)
      .orderBy('expires_at')
      .limit(limit)
      .execute(),

  delete: (ex: Executor, id: string) => ex.deleteFrom('sends').where('id', '=', id).execute(),
};
