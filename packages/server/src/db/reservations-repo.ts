import type { Executor, ReservationsTable } from './schema.js';

export const reservationsRepo = {
  insert: (ex: Executor, row: ReservationsTable) => ex.insertInto('reservations').values(row).execute(),

  setBytes: (ex: Executor, id: string, bytes: number) =>
    ex.updateTable('reservations').set({ bytes }).where('id', '=', id).execute(),

  renew: (ex: Executor, id: string, expiresAt: number) =>
    ex.updateTable('reservations').set({ expires_at: expiresAt }).where('id', '=', id).execute(),

  /** Returns the row it deleted, so the caller releases exactly what was still held. */
  take: (ex: Executor, id: string) =>
    ex.deleteFrom('reservations').where('id', '=', id).returning(['user_id', 'bytes']).executeTakeFirst(),

  listStale: (ex: Executor, now: number, instanceId: string | null, limit: number) =>
    ex
      .selectFrom('reservations')
      .select('id')
      .where((eb) =>
        instanceId === null
          ? eb('expires_at', '<', now)
          : eb.or([eb('expires_at', '<', now), eb('instance_id', '=', instanceId)]),
      )
      .limit(limit)
      .execute(),
};
