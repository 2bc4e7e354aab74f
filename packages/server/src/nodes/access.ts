import type { Actor } from '../accounts/actor.js';
import type { Database } from '../db/database.js';
import { nodesRepo, type NodeRow } from '../db/nodes-repo.js';
import type { Executor } from '../db/schema.js';
import { sharesRepo } from '../db/shares-repo.js';
import { errors } from '../errors.js';

export type Permission = 'read' | 'write';
export type Role = 'owner' | 'editor' | 'viewer';

export interface Grant {
  role: Role;
  /** For a recipient, the shared item this access comes through (the topmost one shared to them). */
  shareRootId: string | null;
  /** The item and its ancestors, nearest first; only loaded for recipients. */
  chain: { id: string; name: string }[] | null;
}

const allows = (role: Role, perm: Permission) => role !== 'viewer' || perm === 'read';

/**
 * The one place that decides whether an actor may touch a node. Every path (REST, WebDAV, zip,
 * links) loads nodes through here. Owners have every right on their tree; another user has the
 * role of the nearest share on the item or one of its ancestors (viewer: read; editor: also
 * write). An item nobody shared with you answers "not found", never "forbidden", so ids cannot be
 * probed.
 */
export class NodeAccess {
  constructor(private readonly database: Database) {}

  async load(actor: Actor, id: string, perm: Permission, ex: Executor = this.database.db): Promise<NodeRow> {
    return (await this.loadWithGrant(actor, id, perm, ex)).node;
  }

  async loadWithGrant(
    actor: Actor,
    id: string,
    perm: Permission,
    ex: Executor = this.database.db,
  ): Promise<{ node: NodeRow; grant: Grant }> {
    const node = await nodesRepo.findById(ex, id);
    if (!node || node.trashed_at !== null) throw errors.notFound();
    if (node.owner_id === actor.userId)
      return { node, grant: { role: 'owner', shareRootId: null, chain: null } };
    const grant = await this.grantOf(actor, node.id, ex);
    if (!grant) throw errors.notFound();
    if (!allows(grant.role, perm))
      throw errors.forbidden('You can view this item but not change it: it was shared with you read-only.');
    return { node, grant };
  }

  async loadFolder(actor: Actor, id: string, perm: Permission, ex?: Executor): Promise<NodeRow> {
    const node = await this.load(actor, id, perm, ex);
    if (node.kind !== 'folder') throw errors.notAFolder();
    return node;
  }

  async loadFile(actor: Actor, id: string, perm: Permission, ex?: Executor): Promise<NodeRow> {
    const node = await this.load(actor, id, perm, ex);
    if (node.kind !== 'file') throw errors.notAFile();
    return node;
  }

  /**
   * For renaming, moving or trashing an item itself: the owner, or an editor of a folder above it.
   * The shared item itself stays the owner's to rename, move or delete.
   */
  async loadForChange(actor: Actor, id: string, ex: Executor = this.database.db): Promise<NodeRow> {
    const { node, grant } = await this.loadWithGrant(actor, id, 'write', ex);
    if (grant.role === 'owner') return node;
    // Changing an item changes its folder: the recipient must be an editor of that folder too.
    const parentGrant = node.parent_id ? await this.grantOf(actor, node.parent_id, ex) : null;
    if (!parentGrant || !allows(parentGrant.role, 'write'))
      throw errors.forbidden('Only the owner can rename, move or delete the shared item itself.');
    return node;
  }

  /** The recipient's role through shares on the item or its ancestors; the broadest one wins. */
  private async grantOf(actor: Actor, nodeId: string, ex: Executor): Promise<Grant | null> {
    const chain = await nodesRepo.ancestry(ex, nodeId);
    const grants = await sharesRepo.grantsOn(
      ex,
      actor.userId,
      chain.map((n) => n.id),
    );
    if (!grants.length) return null;
    const role: Role = grants.some((g) => g.role === 'editor') ? 'editor' : 'viewer';
    const shared = new Set(grants.map((g) => g.node_id));
    let shareRootId: string | null = null;
    for (const n of chain) if (shared.has(n.id)) shareRootId = n.id;
    return { role, shareRootId, chain: chain.map((n) => ({ id: n.id, name: n.name })) };
  }
}
