import type { Actor } from '../accounts/actor.js';
import type { Clock } from '../clock.js';
import { locksRepo, type LockRow } from '../db/locks-repo.js';
import { nodesRepo } from '../db/nodes-repo.js';
import type { Executor } from '../db/schema.js';
import { errors } from '../errors.js';

/**
 * What a write touches. "self": the item's content, properties or (for a folder) its list of
 * members; "tree": the item and everything below it, as a delete or a move does.
 */
export interface LockCheck {
  nodeId: string;
  treeOwnerId: string;
  scope: 'self' | 'tree';
}

/**
 * Enforces WebDAV write locks on every write path (REST, WebDAV, links): services call it inside
 * their transaction. Most trees have no lock at all, which costs one index probe.
 */
export class LockGuard {
  constructor(private readonly clock: Clock) {}

  async assertWritable(ex: Executor, actor: Actor, checks: LockCheck[]): Promise<void> {
    const now = this.clock.now();
    const byOwner = new Map<string, LockRow[]>();
    for (const c of checks) {
      let locks = byOwner.get(c.treeOwnerId);
      if (!locks) {
        locks = (await locksRepo.anyActiveInTree(ex, c.treeOwnerId, now))
          ? await locksRepo.activeInTree(ex, c.treeOwnerId, now)
          : [];
        byOwner.set(c.treeOwnerId, locks);
      }
      if (!locks.length) continue;
      const covering = await coveringLocks(ex, locks, c.nodeId, c.scope);
      // Each locked item needs one of its locks proven: a shared lock is any of several.
      const byNode = new Map<string, LockRow[]>();
      for (const l of covering) byNode.set(l.node_id, [...(byNode.get(l.node_id) ?? []), l]);
      for (const group of byNode.values()) {
        if (!group.some((l) => holds(actor, l))) throw errors.locked(group[0]!.root_href);
      }
    }
  }

  /**
   * Locks on an item and everything below it go when the item is deleted or moved away
   * (RFC 4918 §7.7: locks do not follow a move).
   */
  async forget(ex: Executor, treeOwnerId: string, rootId: string): Promise<void> {
    const now = this.clock.now();
    if (!(await locksRepo.anyActiveInTree(ex, treeOwnerId, now))) return;
    for (const l of await locksRepo.activeInTree(ex, treeOwnerId, now)) {
      if (l.node_id === rootId || (await nodesRepo.ancestry(ex, l.node_id)).some((n) => n.id === rootId))
        await locksRepo.delete(ex, l.token);
    }
  }
}

/** Whether the request may act under lock `l`. */
export function holds(actor: Actor, l: LockRow): boolean {
  if (l.user_id !== actor.userId) return false;
  return actor.lockTokens === undefined || actor.lockTokens.includes(l.token);
}

/**
 * The locks among `locks` (one tree's) that apply to a node: on the node itself, depth-infinity
 * locks on its ancestors, and for "tree" also locks anywhere below it.
 */
export async function coveringLocks(
  ex: Executor,
  locks: LockRow[],
  nodeId: string,
  scope: 'self' | 'tree',
): Promise<LockRow[]> {
  const ancestors = new Set((await nodesRepo.ancestry(ex, nodeId)).slice(1).map((n) => n.id));
  const out: LockRow[] = [];
  for (const l of locks) {
    if (l.node_id === nodeId || (l.depth === 'infinity' && ancestors.has(l.node_id))) out.push(l);
    else if (scope === 'tree' && (await nodesRepo.ancestry(ex, l.node_id)).some((n) => n.id === nodeId))
      out.push(l);
  }
  return out;
}
