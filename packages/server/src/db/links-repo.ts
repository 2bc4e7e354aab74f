import { sql } from 'kysely';
import type { Executor, LinksTable, NodesTable } from './schema.js';

export type LinkRow = LinksTable;

/** A link with what its owner's list shows of the linked item. */
export type LinkWithNode = LinkRow & {
  node_name: string;
  node_kind: NodesTable['kind'];
  node_trashed_at: number | null;
};

const withNode = (ex: Executor) =>
  ex
    .selectFrom('links')
    .innerJoin('nodes', 'nodes.id', 'links.node_id')
    .selectAll('links')
    .select(['nodes.name as node_name', 'nodes.kind as node_kind', 'nodes.trashed_at as node_trashed_at']);

export const linksRepo = {
  insert: (ex: Executor, row: LinkRow) => ex.insertInto('links').values(row).execute(),

  findWithNode: (ex: Executor, id: string): Promise<LinkWithNode | undefined> =>
    withNode(ex).where('links.id', '=', id).executeTakeFirst(),

  /** The link a visitor's token names, with the status of the owner's account. */
  findByTokenHash: (ex: Executor, tokenHash: string) =>
    ex
      .selectFrom('links')
      .innerJoin('users', 'users.id', 'links.owner_id')
      .selectAll('links')
      .select('users.status as owner_status')
      .where('links.token_hash', '=', tokenHash)
      .executeTakeFirst(),

  /** One page of an owner's links, newest first (created_at, id descending). */
  listByOwner: (
    ex: Executor,
    ownerId: string,
    nodeId: string | null,
    after: { createdAt: number; id: string } | null,
    limit: number,
  ): Promise<LinkWithNode[]> =>
    withNode(ex)
      .where('links.owner_id', '=', ownerId)
      .$if(nodeId !== null, (q) => q.where('links.node_id', '=', nodeId!))
      .$if(after !== null, (q) =>
        q.where((eb) =>
          eb(eb.refTuple('links.created_at', 'links.id'), '<', eb.tuple(after!.createdAt, after!.id)),
        ),
      )
      .orderBy('links.created_at', 'desc')
      .orderBy('links.id', 'desc')
      .limit(limit)
      .execute(),

  update: (
    ex: Executor,
    id: string,
    patch: Partial<
      Pick<LinkRow, 'password_hash' | 'expires_at' | 'max_downloads' | 'upload_only' | 'updated_at'>
    >,
  ) => ex.updateTable('links').set(patch).where('id', '=', id).execute(),

  delete: async (ex: Executor, id: string) => {
    const r = await ex.deleteFrom('links').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  },

  /**
   * For an ownership transfer: the links to the moved items go with them, so the new owner sees,
   * changes and revokes them, and the old owner no longer can.
   */
  transfer: async (ex: Executor, nodeIds: string[], ownerId: string) => {
    for (let i = 0; i < nodeIds.length; i += 500) {
      await ex
        .updateTable('links')
        .set({ owner_id: ownerId })
        .where('node_id', 'in', nodeIds.slice(i, i + 500))
        .execute();
    }
  },

  countView: (ex: Executor, id: string) =>
    ex
      .updateTable('links')
      .set({ view_count: sql`view_count + 1` })
      .where('id', '=', id)
      .execute(),

  /**
   * Counts one download unless the limit is reached, in one conditional UPDATE: concurrent
   * downloads can never count past max_downloads. False when the link is exhausted.
   */
  countDownload: async (ex: Executor, id: string) => {
    const r = await ex
      .updateTable('links')
      .set({ download_count: sql`download_count + 1` })
      .where('id', '=', id)
      .where((eb) =>
        eb.or([eb('max_downloads', 'is', null), eb('download_count', '<', eb.ref('max_downloads'))]),
      )
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  },
};
