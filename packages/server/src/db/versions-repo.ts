import type { Executor, VersionsTable } from './schema.js';

export type VersionRow = VersionsTable;

export const versionsRepo = {
  insert: (ex: Executor, row: VersionRow) => ex.insertInto('versions').values(row).execute(),

  insertMany: async (ex: Executor, rows: VersionRow[]) => {
    for (let i = 0; i < rows.length; i += 500)
      await ex
        .insertInto('versions')
        .values(rows.slice(i, i + 500))
        .execute();
  },

  listForNode: (ex: Executor, nodeId: string) =>
    ex
      .selectFrom('versions')
      .selectAll()
      .where('node_id', '=', nodeId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute(),

  find: (ex: Executor, nodeId: string, id: string) =>
    ex
      .selectFrom('versions')
      .selectAll()
      .where('node_id', '=', nodeId)
      .where('id', '=', id)
      .executeTakeFirst(),

  /** Every version under the given nodes, grouped by blob, for releasing references and usage. */
  blobUsageForNodes: async (ex: Executor, nodeIds: string[]) => {
    const totals = new Map<string, { refs: number; bytes: number }>();
    for (let i = 0; i < nodeIds.length; i += 500) {
      const rows = await ex
        .selectFrom('versions')
        .select((eb) => [
          'sha256',
          eb.fn.countAll<number>().as('refs'),
          eb.fn.sum<number>('size').as('bytes'),
        ])
        .where('node_id', 'in', nodeIds.slice(i, i + 500))
        .groupBy('sha256')
        .execute();
      for (const r of rows) {
        const t = totals.get(r.sha256) ?? { refs: 0, bytes: 0 };
        t.refs += Number(r.refs);
        t.bytes += Number(r.bytes);
        totals.set(r.sha256, t);
      }
    }
    return totals;
  },

  setOwner: async (ex: Executor, nodeIds: string[], ownerId: string) => {
    for (let i = 0; i < nodeIds.length; i += 500)
      await ex
        .updateTable('versions')
        .set({ owner_id: ownerId })
        .where('node_id', 'in', nodeIds.slice(i, i + 500))
        .execute();
  },

  deleteForNodes: async (ex: Executor, nodeIds: string[]) => {
    for (let i = 0; i < nodeIds.length; i += 500) {
      await ex
        .deleteFrom('versions')
        .where('node_id', 'in', nodeIds.slice(i, i + 500))
        .execute();
    }
  },
};
