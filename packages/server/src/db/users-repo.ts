import { SqliteAdapter, sql } from 'kysely';
import type { Executor, UsersTable } from './schema.js';

export type UserRow = UsersTable;

export const usersRepo = {
  insert: (ex: Executor, row: UserRow) => ex.insertInto('users').values(row).execute(),

  findById: (ex: Executor, id: string) =>
    ex.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst(),

  findByLogin: (ex: Executor, login: string) =>
    ex
      .selectFrom('users')
      .selectAll()
      .where((eb) => eb.or([eb('username', '=', login), eb('email', '=', login)]))
      .executeTakeFirst(),

  findTaken: (ex: Executor, username: string, email: string) =>
    ex
      .selectFrom('users')
      .select(['username', 'email'])
      .where((eb) => eb.or([eb('username', '=', username), eb('email', '=', email)]))
      .execute(),

  count: async (ex: Executor) =>
    Number(
      (
        await ex
          .selectFrom('users')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),

  list: (ex: Executor, limit: number, after: string | null) =>
    ex
      .selectFrom('users')
      .selectAll()
      .$if(after !== null, (q) => q.where('username', '>', after!))
      .orderBy('username')
      .limit(limit)
      .execute(),

  update: (ex: Executor, id: string, patch: Partial<Pick<UserRow, 'role' | 'status' | 'quota_bytes'>>) =>
    ex.updateTable('users').set(patch).where('id', '=', id).executeTakeFirst(),

  setSendbox: (ex: Executor, id: string, folderId: string) =>
    ex.updateTable('users').set({ sendbox_id: folderId }).where('id', '=', id).execute(),

  touchActivity: (ex: Executor, id: string, now: number) =>
    ex.updateTable('users').set({ last_active_at: now }).where('id', '=', id).execute(),

  /**
   * Reserve-then-commit, step one: one conditional UPDATE, so concurrent uploads on any number of
   * instances can never reserve more than the quota together.
   */
  reserve: async (ex: Executor, id: string, bytes: number) => {
    const r = await ex
      .updateTable('users')
      .set({ reserved_bytes: sql`reserved_bytes + ${bytes}` })
      .where('id', '=', id)
      .where(sql<boolean>`used_bytes + reserved_bytes + ${bytes} <= quota_bytes`)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },

  releaseReserved: (ex: Executor, id: string, bytes: number) =>
    ex
      .updateTable('users')
      .set({
        reserved_bytes: sql`case when reserved_bytes > ${bytes} then reserved_bytes - ${bytes} else 0 end`,
      })
      .where('id', '=', id)
      .execute(),

  /** Turns a reservation into usage (or frees usage when delta is negative). */
  adjustUsage: (ex: Executor, id: string, usedDelta: number, reservedRelease = 0) =>
    ex
      .updateTable('users')
      .set({
        used_bytes: sql`used_bytes + ${usedDelta}`,
        reserved_bytes: sql`case when reserved_bytes > ${reservedRelease} then reserved_bytes - ${reservedRelease} else 0 end`,
      })
      .where('id', '=', id)
      .execute(),

  /** Adds usage only if it fits: copies and restores take space without a stream to reserve for. */
  addUsageIfFits: async (ex: Executor, id: string, bytes: number) => {
    const r = await ex
      .updateTable('users')
      .set({ used_bytes: sql`used_bytes + ${bytes}` })
      .where('id', '=', id)
      .where(sql<boolean>`used_bytes + reserved_bytes + ${bytes} <= quota_bytes`)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },
};

/**
 * Serializes tree-shape changes (moves) of one user: a no-op UPDATE takes the row lock on
 * PostgreSQL; SQLite transactions are serialized already.
 */
export const lockUserTree = async (ex: Executor, userId: string): Promise<void> => {
  // SQLite runs one transaction at a time on its one connection: there is nothing to wait for.
  if (ex.getExecutor().adapter instanceof SqliteAdapter) return;
  await ex
    .updateTable('users')
    .set({ root_id: sql`root_id` })
    .where('id', '=', userId)
    .execute();
};
