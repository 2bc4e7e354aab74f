import type { Executor, TokensTable } from './schema.js';

export const tokensRepo = {
  insert: (ex: Executor, row: TokensTable) => ex.insertInto('tokens').values(row).execute(),

  /** The token with its user, in one round trip: this runs on every authenticated request. */
  findByHash: (ex: Executor, hash: string) =>
    ex
      .selectFrom('tokens')
      .innerJoin('users', 'users.id', 'tokens.user_id')
      .select([
        'tokens.id as token_id',
        'tokens.kind',
        'tokens.expires_at',
        'tokens.last_used_at',
        'users.id as user_id',
        'users.username',
        'users.role',
        'users.status',
        'users.root_id',
      ])
      .where('tokens.token_hash', '=', hash)
      .executeTakeFirst(),

  listForUser: (ex: Executor, userId: string, kind: TokensTable['kind']) =>
    ex
      .selectFrom('tokens')
      .select(['id', 'name', 'created_at', 'last_used_at', 'expires_at', 'user_agent', 'ip'])
      .where('user_id', '=', userId)
      .where('kind', '=', kind)
      .orderBy('created_at', 'desc')
      .execute(),

  delete: async (ex: Executor, id: string, userId: string, kind: TokensTable['kind']) => {
    const r = await ex
      .deleteFrom('tokens')
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .where('kind', '=', kind)
      .executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  },

  deleteById: (ex: Executor, id: string) => ex.deleteFrom('tokens').where('id', '=', id).execute(),

  deleteForUser: (ex: Executor, userId: string) =>
    ex.deleteFrom('tokens').where('user_id', '=', userId).execute(),

  touch: (ex: Executor, id: string, now: number, expiresAt: number | null) =>
    ex
      .updateTable('tokens')
      .set(expiresAt === null ? { last_used_at: now } : { last_used_at: now, expires_at: expiresAt })
      .where('id', '=', id)
      .execute(),

  deleteExpired: async (ex: Executor, now: number) =>
    Number(
      (
        await ex
          .deleteFrom('tokens')
          .where('expires_at', 'is not', null)
          .where('expires_at', '<', now)
          .executeTakeFirst()
      ).numDeletedRows,
    ),
};
