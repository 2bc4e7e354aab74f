import { nodesRepo, type Keyset, type NodeRow, type SortKey, type SortOrder } from '../db/nodes-repo.js';
import type { Executor } from '../db/schema.js';
import { errors } from '../errors.js';

export interface ListOptions {
  sort: SortKey;
  order: SortOrder;
  limit: number;
  cursor: string | null;
  /** On the first page, also count the folder's items: a scan of the whole folder, so on request. */
  total?: boolean;
}

interface CursorState extends Keyset {
  phase: 'folder' | 'file';
  sort: SortKey;
  order: SortOrder;
}

/**
 * One page of a folder's live children, for a folder the caller has already authorized (through
 * NodeAccess, or a public link's LinkAccess). Asked for, the first page (no cursor) also carries
 * `total`, the number of live children, so a client can size its view without walking every page.
 */
export async function listFolder(
  ex: Executor,
  folderId: string,
  opts: ListOptions,
): Promise<{ rows: NodeRow[]; nextCursor: string | null; total?: number }> {
  if (opts.cursor || !opts.total) return listPage(ex, folderId, opts);
  const [page, total] = await Promise.all([
    listPage(ex, folderId, opts),
    nodesRepo.countLiveChildren(ex, folderId),
  ]);
  return { ...page, total };
}

async function listPage(
  ex: Executor,
  folderId: string,
  opts: ListOptions,
): Promise<{ rows: NodeRow[]; nextCursor: string | null }> {
  let state: CursorState | null = opts.cursor ? decodeCursor(opts.cursor) : null;
  if (state && (state.sort !== opts.sort || state.order !== opts.order)) throw errors.invalidCursor();
  const items: NodeRow[] = [];
  let phase: 'folder' | 'file' = state?.phase ?? 'folder';
  // Folders first, then files: each phase is one range scan of the index for this sort order.
  for (;;) {
    const want = opts.limit - items.length;
    const after = state && state.phase === phase ? state : null;
    const rows = await nodesRepo.listChildren(ex, folderId, phase, opts.sort, opts.order, after, want + 1);
    if (rows.length > want) {
      items.push(...rows.slice(0, want));
      return { rows: items, nextCursor: encodeCursor(items[items.length - 1]!, phase, opts) };
    }
    items.push(...rows);
    if (phase === 'file') return { rows: items, nextCursor: null };
    phase = 'file';
    state = null;
    if (items.length === opts.limit) {
      // Folders filled the page exactly: there is a next page only if there are files.
      const anyFile = await nodesRepo.listChildren(ex, folderId, 'file', opts.sort, opts.order, null, 1);
      const last = items[items.length - 1]!;
      return { rows: items, nextCursor: anyFile.length ? encodeCursor(last, 'folder', opts) : null };
    }
  }
}

function keysetOf(n: NodeRow, sort: SortKey): Keyset {
  const value = sort === 'size' ? Number(n.size) : sort === 'modified' ? Number(n.modified_at) : n.sort_name;
  return { value, sortName: n.sort_name, id: n.id };
}

function encodeCursor(n: NodeRow, phase: 'folder' | 'file', opts: ListOptions): string {
  const state: CursorState = { ...keysetOf(n, opts.sort), phase, sort: opts.sort, order: opts.order };
  return Buffer.from(JSON.stringify(state)).toString('base64url');
}

function decodeCursor(cursor: string): CursorState {
  try {
    const s = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as CursorState;
    if (
      (s.phase === 'folder' || s.phase === 'file') &&
      typeof s.sortName === 'string' &&
      typeof s.id === 'string' &&
      ['name', 'size', 'modified'].includes(s.sort) &&
      // The value is bound against the sort column: text for names, a number for size and date.
      (s.sort === 'name' ? typeof s.value === 'string' : Number.isSafeInteger(s.value)) &&
      (s.order === 'asc' || s.order === 'desc')
    ) {
      return s;
    }
  } catch {
    // fall through
  }
  throw errors.invalidCursor();
}
