import type { Executor, PropertiesTable } from './schema.js';

export type PropertyRow = PropertiesTable;

const CHUNK = 500;

export const propertiesRepo = {
  forNode: (ex: Executor, nodeId: string) =>
    ex.selectFrom('properties').selectAll().where('node_id', '=', nodeId).execute(),

  /** Every dead property of a folder's live children, for a listing of the folder. */
  forChildrenOf: (ex: Executor, folderId: string) =>
    ex
      .selectFrom('properties')
      .innerJoin('nodes', 'nodes.id', 'properties.node_id')
      .select(['properties.node_id', 'properties.ns', 'properties.name', 'properties.xml'])
      .where('nodes.parent_id', '=', folderId)
      .where('nodes.trashed_at', 'is', null)
      .execute(),

  forNodes: async (ex: Executor, nodeIds: string[]) => {
    const out: PropertyRow[] = [];
    for (let i = 0; i < nodeIds.length; i += CHUNK)
      out.push(
        ...(await ex
          .selectFrom('properties')
          .selectAll()
          .where('node_id', 'in', nodeIds.slice(i, i + CHUNK))
          .execute()),
      );
    return out;
  },

  upsert: (ex: Executor, row: PropertyRow) =>
    ex
      .insertInto('properties')
      .values(row)
      .onConflict((oc) => oc.columns(['node_id', 'ns', 'name']).doUpdateSet({ xml: row.xml }))
      .execute(),

  remove: (ex: Executor, nodeId: string, ns: string, name: string) =>
    ex
      .deleteFrom('properties')
      .where('node_id', '=', nodeId)
      .where('ns', '=', ns)
      .where('name', '=', name)
      .execute(),

  insertMany: async (ex: Executor, rows: PropertyRow[]) => {
    for (let i = 0; i < rows.length; i += CHUNK)
      await ex
        .insertInto('properties')
        .values(rows.slice(i, i + CHUNK))
        .execute();
  },

  /** Count and total size of one node's properties, to keep them bounded. */
  sizeOf: async (ex: Executor, nodeId: string) => {
    const r = await ex
      .selectFrom('properties')
      .select((eb) => [
        eb.fn.countAll<number>().as('n'),
        eb.fn.sum<number>(eb.fn('length', ['xml'])).as('bytes'),
      ])
      .where('node_id', '=', nodeId)
      .executeTakeFirstOrThrow();
    return { count: Number(r.n), bytes: Number(r.bytes ?? 0) };
  },
};
