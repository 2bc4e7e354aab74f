import type { Executor, LocksTable } from './schema.js';

export type LockRow = LocksTable;

export const locksRepo = {
  insert: (ex: Executor, row: LockRow) => ex.insertInto('locks').values(row).execute(),

  find: (ex: Executor, token: string) =>
    ex.selectFrom('locks').selectAll().where('token', '=', token).executeTakeFirst(),

  /** Live locks anywhere in one owner's tree; usually none, answered from the index alone. */
  activeInTree: (ex: Executor, treeOwnerId: string, now: number) =>
    ex
      .selectFrom('locks')
      .selectAll()
      .where('tree_owner_id', '=', treeOwnerId)
      .where('expires_at', '>', now)
      .execute(),

  anyActiveInTree: async (ex: Executor, treeOwnerId: string, now: number) =>
    (await ex
      .selectFrom('locks')
      .select('token')
      .where('tree_owner_id', '=', treeOwnerId)
      .where('expires_at', '>', now)
      .limit(1)
      .executeTakeFirst()) !== undefined,

  refresh: (ex: Executor, token: string, timeoutSeconds: number, expiresAt: number) =>
    ex
      .updateTable('locks')
      .set({ timeout_seconds: timeoutSeconds, expires_at: expiresAt })
      .where('token', '=', token)
      .execute(),

  delete: async (ex: Executor, token: string) =>
    Number((await ex.deleteFrom('locks').where('token', '=', token).executeTakeFirst()).numDeletedRows),

  deleteForNodes: async (ex: Executor, nodeIds: string[]) => {
    for (let i = 0; i < nodeIds.length; i += 500)
      await ex
        .deleteFrom('locks')
        .where('node_id', 'in', nodeIds.slice(i, i + 500))
        .execute();
  },

  deleteExpired: (ex: Executor, treeOwnerId: string, now: number) =>
    ex.deleteFrom('locks').where('tree_owner_id', '=', treeOwnerId).where('expires_at', '<=', now).execute(),
};
