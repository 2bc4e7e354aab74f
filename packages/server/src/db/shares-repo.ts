import type { Executor, SharesTable } from './schema.js';

export type ShareRow = SharesTable;

export const sharesRepo = {
  /** Inserts unless that item is already shared with that user (a concurrent share won). */
  insertIfAbsent: (ex: Executor, row: ShareRow) =>
    ex
      .insertInto('shares')
      .values(row)
      .onConflict((oc) => oc.columns(['node_id', 'grantee_id']).doNothing())
      .execute(),

  find: (ex: Executor, id: string) =>
    ex.selectFrom('shares').selectAll().where('id', '=', id).executeTakeFirst(),

  findFor: (ex: Executor, nodeId: string, granteeId: string) =>
    ex
      .selectFrom('shares')
      .selectAll()
      .where('node_id', '=', nodeId)
      .where('grantee_id', '=', granteeId)
      .executeTakeFirst(),

  /** A recipient's shares on any of the given nodes (an item and its ancestors). */
  grantsOn: (ex: Executor, granteeId: string, nodeIds: string[]) =>
    ex
      .selectFrom('shares')
      .select(['id', 'node_id', 'role'])
      .where('grantee_id', '=', granteeId)
      .where('node_id', 'in', nodeIds)
      .execute(),

  /** After an ownership transfer: shares move to the new owner; one to the new owner goes. */
  transfer: async (ex: Executor, nodeIds: string[], newOwnerId: string) => {
    for (let i = 0; i < nodeIds.length; i += 500) {
      const chunk = nodeIds.slice(i, i + 500);
      await ex
        .deleteFrom('shares')
        .where('node_id', 'in', chunk)
        .where('grantee_id', '=', newOwnerId)
        .execute();
      await ex.updateTable('shares').set({ owner_id: newOwnerId }).where('node_id', 'in', chunk).execute();
    }
  },

  updateRole: (ex: Executor, id: string, role: ShareRow['role']) =>
    ex.updateTable('shares').set({ role }).where('id', '=', id).execute(),

  delete: (ex: Executor, id: string) => ex.deleteFrom('shares').where('id', '=', id).execute(),

  /** Who has access to one item, with their names. */
  listForNode: (ex: Executor, nodeId: string) =>
    ex
      .selectFrom('shares')
      .innerJoin('users', 'users.id', 'shares.grantee_id')
      .select([
        'shares.id',
        'shares.node_id',
        'shares.owner_id',
        'shares.grantee_id',
        'shares.role',
        'shares.created_at',
        'users.username as grantee_username',
        'users.email as grantee_email',
      ])
      .where('shares.node_id', '=', nodeId)
      .orderBy('shares.created_at')
      .orderBy('shares.id')
      .execute(),

  /** Items shared with a user whose item is live (a trashed item vanishes from the view at once). */
  listForGrantee: (ex: Executor, granteeId: string) =>
    ex
      .selectFrom('shares')
      .innerJoin('nodes', 'nodes.id', 'shares.node_id')
      .innerJoin('users', 'users.id', 'shares.owner_id')
      .selectAll('nodes')
      .select([
        'shares.id as share_id',
        'shares.role as share_role',
        'shares.created_at as shared_at',
        'users.username as owner_username',
      ])
      .where('shares.grantee_id', '=', granteeId)
      .where('nodes.trashed_at', 'is', null)
      .orderBy('shares.created_at', 'desc')
      .orderBy('shares.id')
      .execute(),

  /** Items a user shared, newest first. */
  listForOwner: (ex: Executor, ownerId: string) =>
    ex
      .selectFrom('shares')
      .innerJoin('nodes', 'nodes.id', 'shares.node_id')
      .innerJoin('users', 'users.id', 'shares.grantee_id')
      .selectAll('nodes')
      .select([
        'shares.id as share_id',
        'shares.role as share_role',
        'shares.created_at as shared_at',
        'users.username as grantee_username',
      ])
      .where('shares.owner_id', '=', ownerId)
      .where('nodes.trashed_at', 'is', null)
      .orderBy('shares.created_at', 'desc')
      .orderBy('shares.id')
      .execute(),
};
