import type { Actor } from '../../accounts/actor.js';
import type { NodeRow } from '../../db/nodes-repo.js';
import { errors } from '../../errors.js';
import { SHARED_FOLDER_NAME } from '../../nodes/names.js';
import type { Services } from '../../services.js';

/**
 * The drive a WebDAV client sees: the user's own tree, plus "Shared with me" at the top, a
 * folder that exists only here and holds the items other users shared with them, each under a
 * name unique among them. Below a shared item, paths are walked like any other; what the user
 * may do there is decided by the services, through the share's role.
 */

const SHARES_ID = 'dav:shared-with-me';

export const isSharesFolder = (n: NodeRow | null | undefined): boolean => n?.id === SHARES_ID;

function sharesFolder(actor: Actor, now: number): NodeRow {
  return {
    id: SHARES_ID,
    owner_id: actor.userId,
    parent_id: actor.rootId,
    name: SHARED_FOLDER_NAME,
    sort_name: SHARED_FOLDER_NAME.toLowerCase(),
    kind: 'folder',
    size: 0,
    sha256: null,
    content_type: null,
    current_version_id: null,
    created_at: now,
    modified_at: now,
    trashed_at: null,
    trash_root_id: null,
    original_path: null,
  };
}

/** The shared items, by the names they have in "Shared with me". */
export function sharedRoots(s: Services, actor: Actor) {
  return s.sharing.incomingRoots(actor);
}

/** The item at `names` (or, when only the last name is missing, its would-be parent). */
export async function davLookup(
  s: Services,
  actor: Actor,
  names: string[],
): Promise<{ node: NodeRow | null; parent: NodeRow | null }> {
  if (names[0] !== SHARED_FOLDER_NAME) return s.nodes.lookup(actor, names);
  const virtual = sharesFolder(actor, s.clock.now());
  if (names.length === 1) return { node: virtual, parent: null };
  const root = (await sharedRoots(s, actor)).find((r) => r.name === names[1]);
  if (!root) return { node: null, parent: names.length === 2 ? virtual : null };
  // Shown under its name here, which may carry the owner's name to tell two "Plans" apart.
  if (names.length === 2) return { node: { ...root.node, name: root.name }, parent: null };
  return s.nodes.lookup(actor, names.slice(2), root.node);
}

/**
 * Where a write's names start for the services: the user's root, or the shared item the path
 * goes through (its id, and the names below it).
 */
export async function writeBase(
  s: Services,
  actor: Actor,
  names: string[],
): Promise<{ fromId?: string; rest: string[]; root?: NodeRow }> {
  if (names[0] !== SHARED_FOLDER_NAME) return { rest: names };
  const root = names.length > 1 ? (await sharedRoots(s, actor)).find((r) => r.name === names[1]) : undefined;
  if (!root) throw refuseShares();
  return { fromId: root.node.id, rest: names.slice(2), root: root.node };
}

export function refuseShares() {
  return errors.forbidden(
    `"${SHARED_FOLDER_NAME}" shows what others shared with you: items cannot be added, renamed or removed there. Work inside a folder shared with you as an editor.`,
  );
}

/** Refuses changes to the virtual folder itself. */
export function assertReal(node: NodeRow): void {
  if (isSharesFolder(node)) throw refuseShares();
}
