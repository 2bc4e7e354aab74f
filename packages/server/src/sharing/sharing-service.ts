import type { Actor } from '../accounts/actor.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import type { Executor } from '../db/schema.js';
import type { NodeRow } from '../db/nodes-repo.js';
import { linksRepo } from '../db/links-repo.js';
import { nodesRepo } from '../db/nodes-repo.js';
import { sharesRepo, type ShareRow } from '../db/shares-repo.js';
import { lockUserTree, usersRepo } from '../db/users-repo.js';
import { versionsRepo } from '../db/versions-repo.js';
import { sortNameOf, variantName } from '../nodes/names.js';
import type { NodesService } from '../nodes/nodes-service.js';
import { errors } from '../errors.js';
import type { NodeAccess } from '../nodes/access.js';
import { toNodeView, type NodeView } from '../nodes/node-view.js';
import { newId } from '../util/ids.js';

export type ShareRole = ShareRow['role'];

export interface ShareView {
  id: string;
  nodeId: string;
  role: ShareRole;
  createdAt: number;
  user: { id: string; username: string };
}

export interface SharedItem extends NodeView {
  share: { id: string; role: ShareRole; sharedAt: number; owner?: string; with?: string };
}

/**
 * Sharing with other users. Only an item's owner shares it, changes roles or revokes; a recipient
 * may drop a share from their own view. The access rules themselves live in NodeAccess, so a
 * revoked share stops working on the very next request, whatever the protocol.
 */
export class SharingService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly access: NodeAccess,
    private readonly nodes: NodesService,
  ) {}

  private async ownedNode(actor: Actor, nodeId: string): Promise<NodeRow> {
    const { node, grant } = await this.access.loadWithGrant(actor, nodeId, 'read');
    if (grant.role !== 'owner')
      throw errors.forbidden('Only the owner of an item can manage who has access.');
    return node;
  }

  async share(
    actor: Actor,
    nodeId: string,
    input: { user: string; role: ShareRole },
  ): Promise<{ share: ShareView; created: boolean }> {
    const node = await this.ownedNode(actor, nodeId);
    if (node.parent_id === null) throw errors.rootImmutable();
    const login = input.user.trim().toLowerCase();
    const grantee = login ? await usersRepo.findByLogin(this.database.db, login) : undefined;
    if (!grantee)
      throw errors.validation('No such user.', [
        { field: 'user', code: 'not_found', message: 'No user has that username or email.' },
      ]);
    if (grantee.id === actor.userId)
      throw errors.validation('You own this item already.', [
        { field: 'user', code: 'self', message: 'You cannot share an item with yourself.' },
      ]);
    const user = { id: grantee.id, username: grantee.username };
    return this.database.transaction(async (trx) => {
      const existing = await sharesRepo.findFor(trx, node.id, grantee.id);
      if (existing) {
        if (existing.role !== input.role) await sharesRepo.updateRole(trx, existing.id, input.role);
        return { share: view({ ...existing, role: input.role }, user), created: false };
      }
      const row: ShareRow = {
        id: newId(),
        node_id: node.id,
        owner_id: actor.userId,
        grantee_id: grantee.id,
        role: input.role,
        created_at: this.clock.now(),
      };
      await sharesRepo.insertIfAbsent(trx, row);
      const stored = (await sharesRepo.findFor(trx, node.id, grantee.id)) ?? row;
      return { share: view(stored, user), created: stored.id === row.id };
    });
  }

  private async findUser(login: string, actor: Actor) {
    const user = login.trim()
      ? await usersRepo.findByLogin(this.database.db, login.trim().toLowerCase())
      : undefined;
    if (!user)
      throw errors.validation('No such user.', [
        { field: 'user', code: 'not_found', message: 'No user has that username or email.' },
      ]);
    if (user.id === actor.userId)
      throw errors.validation('You own this item already.', [
        { field: 'user', code: 'self', message: 'You already own this item.' },
      ]);
    return user;
  }

  /**
   * Gives an item (and everything in it) to another user: it moves into the top of their files and
   * into their quota. The old owner keeps editor access unless keepAccess is false.
   */
  async transfer(
    actor: Actor,
    nodeId: string,
    input: { user: string; keepAccess?: boolean },
  ): Promise<{ node: NodeView; newOwner: string }> {
    const node = await this.ownedNode(actor, nodeId);
    if (node.parent_id === null) throw errors.rootImmutable();
    const to = await this.findUser(input.user, actor);
    return this.database.transaction(async (trx) => {
      // Both trees change: lock them in a fixed order so two opposite transfers cannot deadlock.
      for (const id of [actor.userId, to.id].sort()) await lockUserTree(trx, id);
      const current = await this.ownedNodeIn(trx, actor, node.id);
      const ids = await nodesRepo.liveSubtreeIds(trx, current.id);
      const usage = await versionsRepo.blobUsageForNodes(trx, ids);
      const bytes = [...usage.values()].reduce((sum, u) => sum + u.bytes, 0);
      if (bytes > 0 && !(await usersRepo.addUsageIfFits(trx, to.id, bytes)))
        throw errors.quotaExceeded(Number(to.quota_bytes), Number(to.used_bytes));
      if (bytes > 0) await usersRepo.adjustUsage(trx, actor.userId, -bytes);
      const name = await this.nodes.freeName(
        trx,
        to.root_id,
        current.name,
        'rename',
        'from ' + actor.username,
      );
      await nodesRepo.setOwner(trx, ids, to.id);
      await versionsRepo.setOwner(trx, ids, to.id);
      await nodesRepo.update(trx, current.id, {
        parent_id: to.root_id,
        name,
        sort_name: sortNameOf(name),
        modified_at: this.clock.now(),
      });
      await sharesRepo.transfer(trx, ids, to.id);
      // Public links go with the items: the new owner manages them, the old owner no longer can.
      await linksRepo.transfer(trx, ids, to.id);
      if (input.keepAccess !== false)
        await sharesRepo.insertIfAbsent(trx, {
          id: newId(),
          node_id: current.id,
          owner_id: to.id,
          grantee_id: actor.userId,
          role: 'editor',
          created_at: this.clock.now(),
        });
      return {
        node: toNodeView({ ...current, owner_id: to.id, parent_id: to.root_id, name }),
        newOwner: to.username,
      };
    });
  }

  private async ownedNodeIn(trx: Executor, actor: Actor, nodeId: string): Promise<NodeRow> {
    const { node, grant } = await this.access.loadWithGrant(actor, nodeId, 'write', trx);
    if (grant.role !== 'owner') throw errors.forbidden('Only the owner of an item can give it away.');
    return node;
  }

  async listForNode(actor: Actor, nodeId: string): Promise<ShareView[]> {
    const node = await this.ownedNode(actor, nodeId);
    const rows = await sharesRepo.listForNode(this.database.db, node.id);
    return rows.map((r) => view(r, { id: r.grantee_id, username: r.grantee_username }));
  }

  async updateRole(actor: Actor, shareId: string, role: ShareRole): Promise<ShareView> {
    const row = await sharesRepo.find(this.database.db, shareId);
    if (!row || row.owner_id !== actor.userId) throw errors.notFound('Share');
    await sharesRepo.updateRole(this.database.db, row.id, role);
    const u = await usersRepo.findById(this.database.db, row.grantee_id);
    return view({ ...row, role }, { id: row.grantee_id, username: u?.username ?? '' });
  }

  /** The owner revokes, or the recipient removes the share from their view; either ends it. */
  async remove(actor: Actor, shareId: string): Promise<void> {
    const row = await sharesRepo.find(this.database.db, shareId);
    if (!row || (row.owner_id !== actor.userId && row.grantee_id !== actor.userId))
      throw errors.notFound('Share');
    await sharesRepo.delete(this.database.db, row.id);
  }

  async sharedWithMe(actor: Actor): Promise<SharedItem[]> {
    const rows = await sharesRepo.listForGrantee(this.database.db, actor.userId);
    return rows.map((r) => ({
      // The owner's folder above the share stays private, id included.
      ...toNodeView(r),
      parentId: null,
      share: { id: r.share_id, role: r.share_role, sharedAt: Number(r.shared_at), owner: r.owner_username },
    }));
  }

  /**
   * The items shared with the actor, each under a name unique among them, for clients that show
   * shares as one folder (WebDAV): "Plans", and "Plans (bob)" for a second "Plans" shared later.
   */
  async incomingRoots(actor: Actor): Promise<{ name: string; node: NodeRow; role: ShareRole }[]> {
    const rows = await sharesRepo.listForGrantee(this.database.db, actor.userId);
    const used = new Set<string>();
    const out: { name: string; node: NodeRow; role: ShareRole }[] = [];
    // Oldest share first keeps its plain name, so a new share never renames one a client knows.
    for (const r of [...rows].reverse()) {
      const { share_id: _s, share_role, shared_at: _a, owner_username, ...node } = r;
      let name = r.name;
      for (let n = 1; used.has(name); n++) name = variantName(r.name, owner_username, n);
      used.add(name);
      out.push({ name, node: node as NodeRow, role: share_role });
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async sharedByMe(actor: Actor): Promise<SharedItem[]> {
    const rows = await sharesRepo.listForOwner(this.database.db, actor.userId);
    return rows.map((r) => ({
      ...toNodeView(r),
      share: { id: r.share_id, role: r.share_role, sharedAt: Number(r.shared_at), with: r.grantee_username },
    }));
  }
}

function view(row: ShareRow, user: { id: string; username: string }): ShareView {
  return { id: row.id, nodeId: row.node_id, role: row.role, createdAt: Number(row.created_at), user };
}
