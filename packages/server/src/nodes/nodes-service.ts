import type { Actor } from '../accounts/actor.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import { nodesRepo, type NodeRow } from '../db/nodes-repo.js';
import type { Executor } from '../db/schema.js';
import { lockUserTree, usersRepo } from '../db/users-repo.js';
import { versionsRepo } from '../db/versions-repo.js';
import { blobsRepo } from '../db/blobs-repo.js';
import { errors } from '../errors.js';
import type { LockCheck, LockGuard } from '../locks/lock-guard.js';
import { PropertiesService } from '../properties/properties-service.js';
import { newId } from '../util/ids.js';
import type { Grant, NodeAccess } from './access.js';
import { listFolder, type ListOptions } from './folder-listing.js';
import { normalizeName, parsePath, SHARED_FOLDER_NAME, sortNameOf, variantName } from './names.js';
import { toNodeView, type NodeView } from './node-view.js';

export interface SearchOptions {
  limit: number;
  cursor: string | null;
}

export type ConflictPolicy = 'fail' | 'rename';

export class NodesService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    readonly access: NodeAccess,
    private readonly locks: LockGuard,
  ) {}

  async get(actor: Actor, id: string): Promise<NodeView & { path: string }> {
    const { node, grant } = await this.access.loadWithGrant(actor, id, 'read');
    if (!grant.chain) return { ...toNodeView(node), path: await this.pathOf(node.id) };
    // A recipient never learns the owner's folder above the share, not even its id.
    const view = toNodeView(node);
    return {
      ...view,
      parentId: node.id === grant.shareRootId ? null : view.parentId,
      path: sharedPath(grant),
    };
  }

  /**
   * Locks the tree an item belongs to, for the rest of the transaction: changes to one owner's
   * tree run one at a time (moves, trash, uploads), whoever makes them.
   */
  async lockTreeOf(trx: Executor, actor: Actor, nodeId: string | null): Promise<void> {
    const owner = nodeId ? (await nodesRepo.findById(trx, nodeId))?.owner_id : undefined;
    await lockUserTree(trx, owner ?? actor.userId);
  }

  /** Inside a transaction pass it as ex: on SQLite a second connection would wait for it forever. */
  async rootOf(actor: Actor, ex: Executor = this.database.db): Promise<NodeRow> {
    return this.access.load(actor, actor.rootId, 'read', ex);
  }

  /**
   * Resolves "/a/b/c" in the actor's tree (or below the folder `fromId`, e.g. a folder shared with
   * them), one indexed lookup per segment.
   */
  async resolvePath(
    actor: Actor,
    rawPath: string,
    ex: Executor = this.database.db,
    fromId?: string,
  ): Promise<NodeRow> {
    const names = parsePath(rawPath);
    let node = fromId
      ? await this.access.loadFolder(actor, fromId, 'read', ex)
      : await this.rootOf(actor, ex);
    for (const name of names) {
      if (node.kind !== 'folder') throw errors.notFound();
      const child = await nodesRepo.findLiveChild(ex, node.id, name);
      if (!child) throw errors.notFound();
      node = child;
    }
    return node;
  }

  /**
   * Walks already-parsed names from the actor's root: the item, or when only the last name is
   * missing, its would-be parent (for a PUT or MKCOL that creates it), or neither.
   */
  async lookup(
    actor: Actor,
    names: string[],
    /** Where the names start: the actor's root, or an item shared with them (authorized by the caller). */
    from?: NodeRow,
  ): Promise<{ node: NodeRow | null; parent: NodeRow | null }> {
    const ex = this.database.db;
    let node = from ?? (await this.rootOf(actor, ex));
    for (const [i, name] of names.entries()) {
      if (node.kind !== 'folder') return { node: null, parent: null };
      const child = await nodesRepo.findLiveChild(ex, node.id, name);
      if (!child) return { node: null, parent: i === names.length - 1 ? node : null };
      node = child;
    }
    return { node, parent: null };
  }

  async pathOf(id: string, ex: Executor = this.database.db): Promise<string> {
    const chain = await nodesRepo.ancestry(ex, id);
    return (
      '/' +
      chain
        .slice(0, -1)
        .reverse()
        .map((n) => n.name)
        .join('/')
    );
  }

  /**
   * One page of a folder. The first page (no cursor) also carries `total`, the number of live
   * children, so a client can show "n items" without walking every page.
   */
  async list(
    actor: Actor,
    folderId: string,
    opts: ListOptions,
  ): Promise<{ items: NodeView[]; nextCursor: string | null; total?: number }> {
    const folder = await this.access.loadFolder(actor, folderId, 'read');
    const { rows, ...page } = await listFolder(this.database.db, folder.id, opts);
    return { items: rows.map(toNodeView), ...page };
  }

  /** Every live child of a folder the actor may read, folders first, in pages (WebDAV listings). */
  async *childPages(actor: Actor, folderId: string, pageSize = 5000): AsyncGenerator<NodeRow[]> {
    const folder = await this.access.loadFolder(actor, folderId, 'read');
    let cursor: string | null = null;
    do {
      const page = await listFolder(this.database.db, folder.id, {
        sort: 'name',
        order: 'asc',
        limit: pageSize,
        cursor,
      });
      yield page.rows;
      cursor = page.nextCursor;
    } while (cursor);
  }

  /**
   * The live tree below a folder, breadth-first, each item with its names below the folder.
   * Refused past `limit` items: a whole drive in one answer would take minutes and gigabytes.
   */
  async tree(actor: Actor, folderId: string, limit: number): Promise<{ node: NodeRow; names: string[] }[]> {
    const folder = await this.access.loadFolder(actor, folderId, 'read');
    const out: { node: NodeRow; names: string[] }[] = [];
    const namesOf = new Map<string, string[]>([[folder.id, []]]);
    let frontier = [folder.id];
    while (frontier.length) {
      const children = await nodesRepo.liveChildrenOf(this.database.db, frontier);
      if (out.length + children.length > limit) throw errors.depthTooDeep(limit);
      frontier = [];
      for (const c of children) {
        const names = [...namesOf.get(c.parent_id!)!, c.name];
        out.push({ node: c, names });
        if (c.kind === 'folder') {
          namesOf.set(c.id, names);
          frontier.push(c.id);
        }
      }
    }
    return out;
  }

  /**
   * The actor's live files and folders (never the root) whose name contains `query`, ignoring
   * case, ordered by name then id, each with its full path. The search only ever reads the
   * actor's own tree.
   */
  async search(
    actor: Actor,
    query: string,
    opts: SearchOptions,
  ): Promise<{ items: (NodeView & { path: string })[]; nextCursor: string | null }> {
    const needle = query.trim().normalize('NFC');
    if (needle.length === 0) {
      throw errors.validation('Invalid request querystring: q must not be blank', [
        { field: 'querystring.q', code: 'invalid', message: 'must not be blank' },
      ]);
    }
    const after = opts.cursor ? decodeSearchCursor(opts.cursor) : null;
    const sendbox = (await usersRepo.findById(this.database.db, actor.userId))?.sendbox_id ?? null;
    const rows = await nodesRepo.searchByName(
      this.database.db,
      actor.userId,
      sortNameOf(needle),
      after,
      opts.limit + 1,
      sendbox,
    );
    const page = rows.slice(0, opts.limit);
    const last = page[page.length - 1];
    const folderPaths = await this.folderPaths(page.map((n) => n.parent_id!));
    const items: (NodeView & { path: string })[] = [];
    for (const n of page) {
      const parentPath = folderPaths.get(n.parent_id!);
      // Undefined only if the item was trashed and purged between the two queries: it is gone.
      if (parentPath !== undefined) items.push({ ...toNodeView(n), path: `${parentPath}/${n.name}` });
    }
    return {
      items,
      nextCursor: rows.length > opts.limit && last ? encodeSearchCursor(last) : null,
    };
  }

  /**
   * Paths of many folders ("" for a root, "/a/b" below it) from one query that walks all their
   * ancestors at once; each ancestor's path is computed once and shared.
   */
  private async folderPaths(ids: string[]): Promise<Map<string, string>> {
    const rows = await nodesRepo.withAncestors(this.database.db, [...new Set(ids)]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const paths = new Map<string, string | null>();
    // Walks up to a folder whose path is known (or the root), then fills in paths on the way down.
    const pathOf = (start: string): string | null => {
      const chain: { id: string; name: string }[] = [];
      let id = start;
      let base: string | null;
      for (;;) {
        const known = paths.get(id);
        if (known !== undefined) {
          base = known;
          break;
        }
        const row = byId.get(id);
        // A missing ancestor (purged meanwhile) or a cycle (never written, but never looped on).
        if (!row || chain.length > byId.size) {
          base = null;
          break;
        }
        if (row.parent_id === null) {
          base = '';
          paths.set(id, base);
          break;
        }
        chain.push(row);
        id = row.parent_id;
      }
      for (let i = chain.length - 1; i >= 0; i--) {
        base = base === null ? null : `${base}/${chain[i]!.name}`;
        paths.set(chain[i]!.id, base);
      }
      return base;
    };
    const out = new Map<string, string>();
    for (const id of ids) {
      const p = pathOf(id);
      if (p !== null) out.set(id, p);
    }
    return out;
  }

  async createFolder(actor: Actor, parentId: string, rawName: string, opts: { parents?: boolean } = {}) {
    const parent = await this.access.loadFolder(actor, parentId, 'write');
    const names = opts.parents ? parsePath(rawName) : [normalizeName(rawName)];
    if (names.length === 0) throw errors.invalidName('a name cannot be empty');
    return this.database.transaction(async (trx) => {
      // Tree changes of one owner run one at a time, so nothing lands in a folder being trashed.
      await lockUserTree(trx, parent.owner_id);
      let current = await this.access.loadFolder(actor, parent.id, 'write', trx);
      await this.locks.assertWritable(trx, actor, [selfOf(current)]);
      let created = false;
      for (const [i, name] of names.entries()) {
        const existing = await nodesRepo.findLiveChild(trx, current.id, name);
        if (existing) {
          if (existing.kind !== 'folder') throw errors.nameConflict(name);
          if (!opts.parents && i === names.length - 1) throw errors.nameConflict(name);
          current = existing;
          continue;
        }
        await assertNameAllowed(trx, current, name);
        current = await this.insertFolder(trx, current, name);
        created = true;
      }
      return { node: toNodeView(current), created };
    });
  }

  /** mkdir -p inside a transaction, for uploads by path and restores. */
  async ensureFolders(
    trx: Executor,
    from: NodeRow,
    names: string[],
    /** false: the folders must exist already (WebDAV never creates them on the way). */
    create = true,
  ): Promise<NodeRow> {
    let current = from;
    for (const name of names) {
      let existing = await nodesRepo.findLiveChild(trx, current.id, name);
      if (!existing && !create) throw errors.missingParent();
      if (!existing) {
        await assertNameAllowed(trx, current, name);
        // Concurrent uploads into one new folder: the first creates it, the others use it.
        const row = this.folderRow(current, name);
        if (await nodesRepo.insertIfAbsent(trx, row)) {
          current = row;
          continue;
        }
        existing = await nodesRepo.findLiveChild(trx, current.id, name);
        if (!existing) throw errors.nameConflict(name);
      }
      if (existing.kind !== 'folder') throw errors.notAFolder();
      current = existing;
    }
    return current;
  }

  private async insertFolder(trx: Executor, parent: NodeRow, name: string): Promise<NodeRow> {
    const row = this.folderRow(parent, name);
    await insertUnique(trx, row);
    return row;
  }

  private folderRow(parent: NodeRow, name: string): NodeRow {
    return newFolderRow(parent.owner_id, parent.id, name, this.clock.now());
  }

  /** Rename and/or move. Refuses to move a folder under itself. */
  async update(actor: Actor, id: string, patch: { name?: string; parentId?: string }): Promise<NodeView> {
    const name = patch.name === undefined ? undefined : normalizeName(patch.name);
    return this.database.transaction(async (trx) => {
      await this.lockTreeOf(trx, actor, id);
      const node = await this.access.loadForChange(actor, id, trx);
      if (node.parent_id === null) throw errors.rootImmutable();
      let parentId = node.parent_id;
      const checks = [
        treeOf(node),
        { nodeId: node.parent_id, treeOwnerId: node.owner_id, scope: 'self' as const },
      ];
      if (patch.parentId !== undefined && patch.parentId !== node.parent_id) {
        const target = await this.access.loadFolder(actor, patch.parentId, 'write', trx);
        checks.push(selfOf(target));
        // Ownership and quota go with the tree: an item never changes owner by a move.
        if (target.owner_id !== node.owner_id) throw errors.crossOwnerMove();
        const chain = await nodesRepo.ancestry(trx, target.id);
        if (chain.some((n) => n.id === node.id)) throw errors.moveIntoDescendant();
        parentId = target.id;
      }
      const newName = name ?? node.name;
      if (newName === node.name && parentId === node.parent_id) return toNodeView(node);
      if (MAYBE_USERNAME.test(newName) || newName === SHARED_FOLDER_NAME)
        await assertNameAllowed(trx, (await nodesRepo.findById(trx, parentId))!, newName);
      await this.locks.assertWritable(trx, actor, checks);
      await this.locks.forget(trx, node.owner_id, node.id);
      const updated: NodeRow = {
        ...node,
        name: newName,
        sort_name: sortNameOf(newName),
        parent_id: parentId,
        modified_at: this.clock.now(),
      };
      try {
        await nodesRepo.update(trx, node.id, {
          name: updated.name,
          sort_name: updated.sort_name,
          parent_id: updated.parent_id,
          modified_at: updated.modified_at,
        });
      } catch (e) {
        if (isUniqueViolation(e)) throw errors.nameConflict(newName);
        throw e;
      }
      return toNodeView(updated);
    });
  }

  /**
   * Copies a file or a whole folder. No bytes move: the copies point at the same blobs. The
   * copy counts against the quota like any other content.
   */
  async copy(
    actor: Actor,
    id: string,
    target: { parentId: string; name?: string; conflict?: ConflictPolicy; shallow?: boolean },
  ): Promise<NodeView> {
    return this.database.transaction(async (trx) => {
      // Tree changes of one owner run one at a time, so nothing lands in a folder being trashed.
      await this.lockTreeOf(trx, actor, target.parentId);
      const source = await this.access.load(actor, id, 'read', trx);
      if (source.parent_id === null) throw errors.rootImmutable();
      const parent = await this.access.loadFolder(actor, target.parentId, 'write', trx);
      await this.locks.assertWritable(trx, actor, [selfOf(parent)]);
      if (source.kind === 'folder') {
        const chain = await nodesRepo.ancestry(trx, parent.id);
        if (chain.some((n) => n.id === source.id)) throw errors.moveIntoDescendant();
      }
      const wanted = target.name === undefined ? source.name : normalizeName(target.name);
      const conflict =
        target.conflict ?? (parent.id === source.parent_id && target.name === undefined ? 'rename' : 'fail');
      const name = await this.freeName(trx, parent.id, wanted, conflict, 'copy');
      const now = this.clock.now();

      // Breadth-first over the live subtree, mapping old ids to new ones.
      const idMap = new Map<string, string>([[source.id, newId()]]);
      const rows: NodeRow[] = [
        {
          ...source,
          id: idMap.get(source.id)!,
          parent_id: parent.id,
          name,
          sort_name: sortNameOf(name),
          created_at: now,
          modified_at: source.kind === 'folder' ? now : source.modified_at,
          current_version_id: null,
          owner_id: parent.owner_id,
        },
      ];
      // Shallow: the folder alone, without its contents (WebDAV COPY with Depth: 0).
      let frontier = source.kind === 'folder' && !target.shallow ? [source.id] : [];
      while (frontier.length) {
        const children = await nodesRepo.liveChildrenOf(trx, frontier);
        frontier = [];
        for (const c of children) {
          const nid = newId();
          idMap.set(c.id, nid);
          rows.push({
            ...c,
            id: nid,
            parent_id: idMap.get(c.parent_id!)!,
            created_at: now,
            current_version_id: null,
            owner_id: parent.owner_id,
          });
          if (c.kind === 'folder') frontier.push(c.id);
        }
      }
      const files = rows.filter((r) => r.kind === 'file');
      const bytes = files.reduce((s, f) => s + Number(f.size), 0);
      if (bytes > 0 && !(await usersRepo.addUsageIfFits(trx, parent.owner_id, bytes))) {
        const u = await usersRepo.findById(trx, parent.owner_id);
        throw errors.quotaExceeded(Number(u?.quota_bytes ?? 0), Number(u?.used_bytes ?? 0));
      }
      const versions = files.map((f) => ({
        id: newId(),
        node_id: f.id,
        owner_id: parent.owner_id,
        sha256: f.sha256!,
        size: Number(f.size),
        content_type: f.content_type ?? 'application/octet-stream',
        created_at: now,
      }));
      for (const [i, f] of files.entries()) f.current_version_id = versions[i]!.id;
      try {
        await nodesRepo.insertMany(trx, rows);
      } catch (e) {
        if (isUniqueViolation(e)) throw errors.nameConflict(name);
        throw e;
      }
      await versionsRepo.insertMany(trx, versions);
      await PropertiesService.copyAll(trx, idMap);
      const refs = new Map<string, { size: number; n: number }>();
      for (const v of versions) {
        const r = refs.get(v.sha256) ?? { size: v.size, n: 0 };
        r.n++;
        refs.set(v.sha256, r);
      }
      for (const [sha, r] of refs) await blobsRepo.addRef(trx, sha, r.size, now, r.n);
      return toNodeView(rows[0]!);
    });
  }

  /** Moves a node and everything under it to the trash. Usage does not change: trash counts. */
  async trash(actor: Actor, id: string): Promise<void> {
    await this.database.transaction(async (trx) => {
      // Like a move: a node moved into this subtree meanwhile must not stay live under a trashed folder.
      await this.lockTreeOf(trx, actor, id);
      const node = await this.access.loadForChange(actor, id, trx);
      if (node.parent_id === null) throw errors.rootImmutable();
      await this.locks.assertWritable(trx, actor, [
        treeOf(node),
        { nodeId: node.parent_id, treeOwnerId: node.owner_id, scope: 'self' },
      ]);
      await this.locks.forget(trx, node.owner_id, node.id);
      const ids = await nodesRepo.liveSubtreeIds(trx, node.id);
      const originalPath = await this.pathOf(node.parent_id, trx);
      await nodesRepo.markTrashed(trx, node.id, ids, this.clock.now(), originalPath);
    });
  }

  /** A name free among the live children of parentId, or name_conflict when policy is "fail". */
  async freeName(
    trx: Executor,
    parentId: string,
    name: string,
    policy: ConflictPolicy,
    label: string,
  ): Promise<string> {
    const parent =
      MAYBE_USERNAME.test(name) || name === SHARED_FOLDER_NAME
        ? await nodesRepo.findById(trx, parentId)
        : undefined;
    const taken = async (n: string) =>
      (await nodesRepo.findLiveChild(trx, parentId, n)) !== undefined ||
      (parent !== undefined && (await isReservedName(trx, parent, n)));
    if (!(await taken(name))) return name;
    if (policy === 'fail') {
      if (parent) await assertNameAllowed(trx, parent, name);
      throw errors.nameConflict(name);
    }
    for (let n = 1; n < 10_000; n++) {
      const candidate = variantName(name, label, n);
      if (!(await taken(candidate))) return candidate;
    }
    throw errors.nameConflict(name);
  }
}

export const selfOf = (n: NodeRow): LockCheck => ({ nodeId: n.id, treeOwnerId: n.owner_id, scope: 'self' });
const treeOf = (n: NodeRow): LockCheck => ({ nodeId: n.id, treeOwnerId: n.owner_id, scope: 'tree' });

/** A recipient sees paths from the item shared with them down, never the owner's folders above it. */
function sharedPath(grant: Grant): string {
  const chain = grant.chain!;
  const top = chain.findIndex((n) => n.id === grant.shareRootId);
  return (
    '/' +
    chain
      .slice(0, top + 1)
      .reverse()
      .map((n) => n.name)
      .join('/')
  );
}

async function insertUnique(trx: Executor, row: NodeRow): Promise<void> {
  try {
    await nodesRepo.insert(trx, row);
  } catch (e) {
    if (isUniqueViolation(e)) throw errors.nameConflict(row.name);
    throw e;
  }
}

interface SearchCursor {
  sortName: string;
  id: string;
}

function encodeSearchCursor(n: NodeRow): string {
  const state: SearchCursor = { sortName: n.sort_name, id: n.id };
  return Buffer.from(JSON.stringify(state)).toString('base64url');
}

function decodeSearchCursor(cursor: string): SearchCursor {
  try {
    const s = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as SearchCursor;
    if (s && typeof s.sortName === 'string' && typeof s.id === 'string') {
      return { sortName: s.sortName, id: s.id };
    }
  } catch {
    // fall through
  }
  throw errors.invalidCursor();
}

/** A new, empty, live folder row; also the root folder of a new account (parentId null). */
export function newFolderRow(
  ownerId: string,
  parentId: string | null,
  name: string,
  now: number,
  id = newId(),
): NodeRow {
  return {
    id,
    owner_id: ownerId,
    parent_id: parentId,
    name,
    sort_name: sortNameOf(name),
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

const MAYBE_USERNAME = /^[a-z0-9._-]{3,32}$/;

/**
 * At the top of a user's files, their own username is reserved: WebDAV serves the drive at both
 * /dav/… and /dav/<username>/…, so an item of that name would make /dav/<username>/ ambiguous.
 * Only names that could be a username cost a query.
 */
export async function isReservedName(ex: Executor, parent: NodeRow, name: string): Promise<boolean> {
  if (parent.parent_id !== null) return false;
  if (name === SHARED_FOLDER_NAME) return true;
  if (!MAYBE_USERNAME.test(name)) return false;
  const owner = await usersRepo.findById(ex, parent.owner_id);
  return owner?.root_id === parent.id && owner.username === name;
}

export async function assertNameAllowed(ex: Executor, parent: NodeRow, name: string): Promise<void> {
  if (name === SHARED_FOLDER_NAME && parent.parent_id === null)
    throw errors.invalidName(
      `"${name}" is reserved at the top of your files: WebDAV clients show the items shared with you there`,
    );
  if (await isReservedName(ex, parent, name))
    throw errors.invalidName(
      `"${name}" is your username, which is reserved at the top of your files (WebDAV clients reach your drive at /dav/${name}/)`,
    );
}
