import { sql } from 'kysely';
import type { Executor } from './schema.js';

export const jobsRepo = {
  /**
   * Takes the lease on a job if it is free and due. One conditional UPDATE, so with several
   * instances on one PostgreSQL each run happens exactly once.
   */
  tryLease: async (
    ex: Executor,
    name: string,
    holder: string,
    now: number,
    leaseMs: number,
    dueBefore: number,
  ) => {
    await ex
      .insertInto('jobs')
      .values({ name, lease_holder: null, lease_until: 0, last_run_at: null })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const r = await ex
      .updateTable('jobs')
      .set({ lease_holder: holder, lease_until: now + leaseMs })
      .where('name', '=', name)
      .where('lease_until', '<', now)
      .where((eb) => eb.or([eb('last_run_at', 'is', null), eb('last_run_at', '<=', dueBefore)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },

  complete: (ex: Executor, name: string, holder: string, now: number) =>
    ex
      .updateTable('jobs')
      .set({ lease_holder: null, lease_until: 0, last_run_at: now })
      .where('name', '=', name)
      .where('lease_holder', '=', holder)
      .execute(),

  release: (ex: Executor, name: string, holder: string) =>
    ex
      .updateTable('jobs')
      .set({ lease_holder: null, lease_until: sql`0` })
      .where('name', '=', name)
      .where('lease_holder', '=', holder)
      .execute(),
};
