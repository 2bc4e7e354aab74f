import { sql } from 'kysely';
import type { Executor, NodesTable } from './schema.js';

export type NodeRow = NodesTable;
export type SortKey = 'name' | 'size' | 'modified';
export type SortOrder = 'asc' | 'desc';

/** Position after which the next page starts: the sort value, then sort_name, then id. */
export interface Keyset {
  value: string | number;
  sortName: string;
  id: string;
}

const CHUNK = 500;

export const nodesRepo = {
  insert: (ex: Executor, row: NodeRow) => ex.insertInto('nodes').values(row).execute(),

  insertMany: async (ex: Executor, rows: NodeRow[]) => {
    for (let i = 0; i < rows.length; i += CHUNK)
      await ex
        .insertInto('nodes')
        .values(rows.slice(i, i + CHUNK))
        .execute();
  },

  /**
   * Inserts unless a live sibling has the name already; false when it had. A concurrent insert of
   * the same name is waited for instead of failing, so the transaction stays usable.
   */
  insertIfAbsent: async (ex: Executor, row: NodeRow) => {
    const r = await ex
      .insertInto('nodes')
      .values(row)
      .onConflict((oc) => oc.columns(['parent_id', 'name']).where('trashed_at', 'is', null).doNothing())
      .returning('id')
      .executeTakeFirst();
    return r !== undefined;
  },

  findById: (ex: Executor, id: string) =>
    ex.selectFrom('nodes').selectAll().where('id', '=', id).executeTakeFirst(),

  findLiveChild: (ex: Executor, parentId: string, name: string) =>
    ex
      .selectFrom('nodes')
      .selectAll()
      .where('parent_id', '=', parentId)
      .where('name', '=', name)
      .where('trashed_at', 'is', null)
      .executeTakeFirst(),

  /** One page of live children of one kind, in index order. */
  listChildren: (
    ex: Executor,
    parentId: string,
    kind: NodeRow['kind'],
    sort: SortKey,
    order: SortOrder,
    after: Keyset | null,
    limit: number,
  ) => {
    const cmp = order === 'asc' ? '>' : '<';
    let q = ex
      .selectFrom('nodes')
      .selectAll()
      .where('parent_id', '=', parentId)
      .where('kind', '=', kind)
      .where('trashed_at', 'is', null);
    if (sort === 'name') {
      if (after)
        q = q.where((eb) => eb(eb.refTuple('sort_name', 'id'), cmp, eb.tuple(after.sortName, after.id)));
      q = q.orderBy('sort_name', order).orderBy('id', order);
    } else {
      const col = sort === 'size' ? 'size' : 'modified_at';
      if (after) {
        q = q.where((eb) =>
          eb(
            eb.refTuple(col, 'sort_name', 'id'),
            cmp,
            eb.tuple(Number(after.value), after.sortName, after.id),
          ),
        );
      }
      q = q.orderBy(col, order).orderBy('sort_name', order).orderBy('id', order);
    }
    return q.limit(limit).execute();
  },

  countLiveChildren: async (ex: Executor, parentId: string) => {
    const r = await ex
      .selectFrom('nodes')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('parent_id', '=', parentId)
      .where('trashed_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },

  /** The node and its ancestors up to the root, nearest first. */
  ancestry: async (ex: Executor, id: string) => {
    const r = await sql<Pick<NodeRow, 'id' | 'parent_id' | 'name' | 'trashed_at'> & { depth: number }>`
      with recursive up(id, parent_id, name, trashed_at, depth) as (
        select id, parent_id, name, trashed_at, 0 from nodes where id = ${id}
        union all
        select n.id, n.parent_id, n.name, n.trashed_at, up.depth + 1
        from nodes n join up on n.id = up.parent_id
      )
      select id, parent_id, name, trashed_at, depth from up order by depth`.execute(ex);
    return r.rows;
  },

  /**
   * One page of the owner's live nodes (never the root) whose lower-cased name contains `needle`,
   * in (sort_name, id) order. `needle` is matched literally: LIKE's wildcards are escaped here.
   * Names are compared through sort_name, lower-cased in JS, so case folding is the same on both
   * dialects. A plain LIKE scans the owner's live nodes; a later issue replaces it with a
   * trigram (PostgreSQL) / FTS (SQLite) index.
   */
  searchByName: (
    ex: Executor,
    ownerId: string,
    needle: string,
    after: { sortName: string; id: string } | null,
    limit: number,
    /** The user's send box: sends are not part of their files. */
    hiddenParentId: string | null = null,
  ) => {
    const pattern = `%${needle.replace(/[\\%_]/g, '\\$&')}%`;
    return ex
      .selectFrom('nodes')
      .selectAll()
      .where('owner_id', '=', ownerId)
      .where('trashed_at', 'is', null)
      .where('parent_id', 'is not', null)
      .$if(hiddenParentId !== null, (q) => q.where('parent_id', '!=', hiddenParentId!))
      .where(sql<boolean>`sort_name like ${pattern} escape '\\'`)
      .$if(after !== null, (q) =>
        q.where((eb) => eb(eb.refTuple('sort_name', 'id'), '>', eb.tuple(after!.sortName, after!.id))),
      )
      .orderBy('sort_name')
      .orderBy('id')
      .limit(limit)
      .execute();
  },

  /**
   * The given nodes and all their ancestors, each once: one recursive walk shared by every start
   * node (UNION drops rows already seen, so common ancestors are visited once).
   */
  withAncestors: async (ex: Executor, ids: string[]) => {
    if (ids.length === 0) return [];
    const r = await sql<Pick<NodeRow, 'id' | 'parent_id' | 'name'>>`
      with recursive up(id, parent_id, name) as (
        select id, parent_id, name from nodes where id in (${sql.join(ids)})
        union
        select n.id, n.parent_id, n.name from nodes n join up on n.id = up.parent_id
      )
      select id, parent_id, name from up`.execute(ex);
    return r.rows;
  },

  /** Ids of a node and all its live descendants. */
  liveSubtreeIds: async (ex: Executor, id: string) => {
    const r = await sql<{ id: string }>`
      with recursive sub(id) as (
        select id from nodes where id = ${id}
        union all
        select n.id from nodes n join sub on n.parent_id = sub.id where n.trashed_at is null
      )
      select id from sub`.execute(ex);
    return r.rows.map((x) => x.id);
  },

  /** Live children of many parents at once: the breadth-first step of copy and zip. */
  liveChildrenOf: async (ex: Executor, parentIds: string[]) => {
    const out: NodeRow[] = [];
    for (let i = 0; i < parentIds.length; i += CHUNK) {
      out.push(
        ...(await ex
          .selectFrom('nodes')
          .selectAll()
          .where('parent_id', 'in', parentIds.slice(i, i + CHUNK))
          .where('trashed_at', 'is', null)
          .orderBy('sort_name')
          .execute()),
      );
    }
    return out;
  },

  /** Hands nodes to another owner (ownership transfer). */
  setOwner: async (ex: Executor, ids: string[], ownerId: string) => {
    for (let i = 0; i < ids.length; i += CHUNK)
      await ex
        .updateTable('nodes')
        .set({ owner_id: ownerId })
        .where('id', 'in', ids.slice(i, i + CHUNK))
        .execute();
  },

  update: (ex: Executor, id: string, patch: Partial<NodeRow>) =>
    ex.updateTable('nodes').set(patch).where('id', '=', id).execute(),

  markTrashed: async (ex: Executor, rootId: string, ids: string[], now: number, originalPath: string) => {
    for (let i = 0; i < ids.length; i += CHUNK) {
      await ex
        .updateTable('nodes')
        .set({ trashed_at: now, trash_root_id: rootId })
        .where('id', 'in', ids.slice(i, i + CHUNK))
        .execute();
    }
    await ex.updateTable('nodes').set({ original_path: originalPath }).where('id', '=', rootId).execute();
  },

  trashMembers: async (ex: Executor, rootId: string) =>
    (await ex.selectFrom('nodes').select('id').where('trash_root_id', '=', rootId).execute()).map(
      (r) => r.id,
    ),

  /** The root first, at its new place and name, so its old name never collides with a live sibling. */
  restoreTrashed: async (ex: Executor, rootId: string, patchRoot: Partial<NodeRow>) => {
    await ex
      .updateTable('nodes')
      .set({ ...patchRoot, trashed_at: null, trash_root_id: null, original_path: null })
      .where('id', '=', rootId)
      .execute();
    await ex
      .updateTable('nodes')
      .set({ trashed_at: null, trash_root_id: null, original_path: null })
      .where('trash_root_id', '=', rootId)
      .execute();
  },

  listTrashRoots: (
    ex: Executor,
    ownerId: string,
    limit: number,
    after: { trashedAt: number; id: string } | null,
  ) =>
    ex
      .selectFrom('nodes')
      .selectAll()
      .where('owner_id', '=', ownerId)
      .where('trashed_at', 'is not', null)
      .whereRef('trash_root_id', '=', 'id')
      .$if(after !== null, (q) =>
        q.where((eb) => eb(eb.refTuple('trashed_at', 'id'), '<', eb.tuple(after!.trashedAt, after!.id))),
      )
      .orderBy('trashed_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute(),

  trashRootsBefore: (ex: Executor, cutoff: number, limit: number) =>
    ex
      .selectFrom('nodes')
      .select(['id', 'owner_id'])
      .where('trashed_at', '<', cutoff)
      .whereRef('trash_root_id', '=', 'id')
      .limit(limit)
      .execute(),

  /**
   * Deletes the rows of one trashed subtree for good. Items deleted earlier on their own from inside
   * it lose their parent here, so they are detached first; they keep original_path for a restore.
   */
  deleteTrashed: async (ex: Executor, rootId: string, ids: string[]) => {
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      await ex
        .updateTable('nodes')
        .set({ parent_id: null })
        .where('parent_id', 'in', chunk)
        .where('trash_root_id', '!=', rootId)
        .execute();
      // Unlinking parents first lets chunks go in any order without breaking the foreign key.
      await ex.updateTable('nodes').set({ parent_id: null }).where('id', 'in', chunk).execute();
    }
    for (let i = 0; i < ids.length; i += CHUNK) {
      await ex
        .deleteFrom('nodes')
        .where('id', 'in', ids.slice(i, i + CHUNK))
        .execute();
    }
  },
};
