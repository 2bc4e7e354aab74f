import type { Executor, LoginThrottleTable } from './schema.js';

export const throttleRepo = {
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
