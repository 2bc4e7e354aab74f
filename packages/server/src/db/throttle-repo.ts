import { sql } from 'kysely';
import type { Executor, LoginThrottleTable } from './schema.js';

export const throttleRepo = {
  /**
   * Creates the rows if missing and write-locks them until the transaction ends, so concurrent
   * failures are counted one after the other (PostgreSQL row lock; SQLite writes are serial).
   */
  lock: (ex: Executor, keys: string[]) =>
    ex
      .insertInto('login_throttle')
      .values(keys.map((key) => ({ key, failures: 0, window_start: 0, blocked_until: 0 })))
      .onConflict((oc) => oc.column('key').doUpdateSet({ key: sql`excluded.key` }))
      .execute(),

  get: (ex: Executor, keys: string[]) =>
    ex.selectFrom('login_throttle').selectAll().where('key', 'in', keys).execute(),

  put: (ex: Executor, row: LoginThrottleTable) =>
    ex
      .insertInto('login_throttle')
      .values(row)
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          failures: row.failures,
          window_start: row.window_start,
          blocked_until: row.blocked_until,
        }),
      )
      .execute(),

  clear: (ex: Executor, key: string) => ex.deleteFrom('login_throttle').where('key', '=', key).execute(),

  deleteStale: (ex: Executor, before: number) =>
    ex
      .deleteFrom('login_throttle')
      .where('window_start', '<', before)
      .where('blocked_until', '<', before)
      .execute(),
};
