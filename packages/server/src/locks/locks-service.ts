import { randomUUID } from 'node:crypto';
import type { Actor } from '../accounts/actor.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { locksRepo, type LockRow } from '../db/locks-repo.js';
import { nodesRepo, type NodeRow } from '../db/nodes-repo.js';
import type { Executor } from '../db/schema.js';
import { lockUserTree } from '../db/users-repo.js';
import { errors } from '../errors.js';
import type { NodeAccess } from '../nodes/access.js';
import { coveringLocks, type LockGuard } from './lock-guard.js';

export interface LockRequest {
  scope: 'exclusive' | 'shared';
  depth: '0' | 'infinity';
  /** The client's DAV:owner element, kept verbatim and shown back in lockdiscovery. */
  ownerXml: string | null;
  /** The URL being locked, shown as the lock root. */
  rootHref: string;
  /** Seconds the client asked for (null: no preference); capped by the server. */
  timeoutSeconds: number | null;
}

export interface LockLimits {
  defaultSeconds: number;
  maxSeconds: number;
}

/**
 * WebDAV write locks (RFC 4918 §6–7): taking, refreshing and releasing them, and reading which
 * locks apply to an item. Enforcement on writes is the LockGuard's, called by every service.
 */
export class LocksService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly access: NodeAccess,
    readonly guard: LockGuard,
    private readonly limits: LockLimits,
  ) {}

  async lock(actor: Actor, nodeId: string, req: LockRequest): Promise<LockRow> {
    return this.database.transaction(async (trx) => {
      const node = await this.access.load(actor, nodeId, 'write', trx);
      // Two clients locking the same item at once: one at a time per tree.
      await lockUserTree(trx, node.owner_id);
      const now = this.clock.now();
      await locksRepo.deleteExpired(trx, node.owner_id, now);
      const active = await locksRepo.activeInTree(trx, node.owner_id, now);
      const conflicts = await coveringLocks(trx, active, node.id, req.depth === 'infinity' ? 'tree' : 'self');
      // Only shared locks coexist; one of them may be on an ancestor or, for a deep lock, below.
      const blocking = conflicts.find((l) => l.scope === 'exclusive' || req.scope === 'exclusive');
      if (blocking) throw errors.locked(blocking.root_href);
      const seconds = this.seconds(req.timeoutSeconds);
      const row: LockRow = {
        token: `urn:uuid:${randomUUID()}`,
        node_id: node.id,
        tree_owner_id: node.owner_id,
        user_id: actor.userId,
        scope: req.scope,
        depth: req.depth,
        owner_xml: req.ownerXml,
        root_href: req.rootHref,
        timeout_seconds: seconds,
        created_at: now,
        expires_at: now + seconds * 1000,
      };
      await locksRepo.insert(trx, row);
      return row;
    });
  }

  /** A LOCK without a body: extends the lock whose token the client submitted. */
  async refresh(actor: Actor, nodeId: string, tokens: readonly string[], timeoutSeconds: number | null) {
    const node = await this.access.load(actor, nodeId, 'read');
    const covering = await this.covering(node);
    const lock = covering.find((l) => tokens.includes(l.token) && l.user_id === actor.userId);
    if (!lock) throw errors.preconditionFailed();
    const seconds = this.seconds(timeoutSeconds);
    const expiresAt = this.clock.now() + seconds * 1000;
    await locksRepo.refresh(this.database.db, lock.token, seconds, expiresAt);
    return { ...lock, timeout_seconds: seconds, expires_at: expiresAt };
  }

  /** Its holder or the owner of the tree may release a lock. */
  async unlock(actor: Actor, nodeId: string, token: string): Promise<void> {
    const node = await this.access.load(actor, nodeId, 'read');
    const lock = (await this.covering(node)).find((l) => l.token === token);
    if (!lock) throw errors.lockTokenMismatch();
    if (lock.user_id !== actor.userId && node.owner_id !== actor.userId)
      throw errors.forbidden('This lock belongs to another user.');
    await locksRepo.delete(this.database.db, token);
  }

  /** The live locks that apply to a node (its own and deep ones above it). */
  async covering(node: NodeRow, ex: Executor = this.database.db): Promise<LockRow[]> {
    const now = this.clock.now();
    if (!(await locksRepo.anyActiveInTree(ex, node.owner_id, now))) return [];
    return coveringLocks(ex, await locksRepo.activeInTree(ex, node.owner_id, now), node.id, 'self');
  }

  /**
   * The locks that apply to each child of an (authorized) folder, for a listing: the deep locks on
   * the folder and above apply to all of them, the others only to the child they are on.
   */
  async coveringChildren(folder: NodeRow, ex: Executor = this.database.db) {
    const now = this.clock.now();
    if (!(await locksRepo.anyActiveInTree(ex, folder.owner_id, now)))
      return { inherited: [] as LockRow[], byNode: new Map<string, LockRow[]>() };
    const active = await locksRepo.activeInTree(ex, folder.owner_id, now);
    const chain = new Set((await nodesRepo.ancestry(ex, folder.id)).map((n) => n.id));
    const inherited = active.filter((l) => l.depth === 'infinity' && chain.has(l.node_id));
    const byNode = new Map<string, LockRow[]>();
    for (const l of active)
      if (!chain.has(l.node_id)) byNode.set(l.node_id, [...(byNode.get(l.node_id) ?? []), l]);
    return { inherited, byNode };
  }

  private seconds(requested: number | null): number {
    if (requested === null || requested <= 0) return this.limits.defaultSeconds;
    return Math.min(requested, this.limits.maxSeconds);
  }
}
