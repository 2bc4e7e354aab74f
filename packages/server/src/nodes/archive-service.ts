import yazl from 'yazl';
import type { Readable } from 'node:stream';
import type { Actor } from '../accounts/actor.js';
import type { Database } from '../db/database.js';
import { nodesRepo, type NodeRow } from '../db/nodes-repo.js';
import { errors } from '../errors.js';
import type { BlobStore } from '../storage/blob-store.js';
import type { NodeAccess } from './access.js';

/**
 * Zips folders and selections as a stream: entries are read from the database level by level
 * and each file is opened only when the zip writer reaches it, so memory stays flat and nothing
 * touches a temp file.
 */
export class ArchiveService {
  constructor(
    private readonly database: Database,
    private readonly access: NodeAccess,
    private readonly blobs: BlobStore,
  ) {}

  async zip(actor: Actor, ids: string[]): Promise<{ name: string; stream: Readable }> {
    if (ids.length === 0) throw errors.badRequest('Choose at least one item.');
    const roots: NodeRow[] = [];
    // An id listed twice is zipped once: a repeated id must not multiply the work.
    for (const id of new Set(ids)) roots.push(await this.access.load(actor, id, 'read'));
    return this.zipLoaded(roots);
  }

  /**
   * Zips nodes the caller has already authorized: rows loaded through NodeAccess (above) or through
   * a public link's LinkAccess. Only live descendants of those rows are read.
   */
  zipLoaded(roots: NodeRow[]): { name: string; stream: Readable } {
    if (roots.length === 0) throw errors.badRequest('Choose at least one item.');
    const name = roots.length === 1 ? `${roots[0]!.name || 'Files'}.zip` : 'Files.zip';
    const zip = new yazl.ZipFile();
    const used = new Set<string>();
    void this.fill(zip, roots, used).then(
      () => zip.end(),
      (e: Error) => (zip.outputStream as Readable).destroy(e),
    );
    return { name, stream: zip.outputStream as Readable };
  }

  private async fill(zip: yazl.ZipFile, roots: NodeRow[], used: Set<string>): Promise<void> {
    let level: { node: NodeRow; path: string }[] = roots.map((n) => ({
      node: n,
      path: unique(used, entryName(n.name) || 'Files'),
    }));
    // A single folder's zip holds its contents, not a folder wrapping them.
    if (roots.length === 1 && roots[0]!.kind === 'folder') level = [{ node: roots[0]!, path: '' }];
    while (level.length) {
      const folders: { node: NodeRow; path: string }[] = [];
      for (const { node, path } of level) {
        if (node.kind === 'file') this.addFile(zip, node, path);
        else {
          if (path) zip.addEmptyDirectory(path, { mtime: new Date(Number(node.modified_at)) });
          folders.push({ node, path });
        }
      }
      level = [];
      const byId = new Map(folders.map((f) => [f.node.id, f.path]));
      const children = await nodesRepo.liveChildrenOf(this.database.db, [...byId.keys()]);
      for (const c of children) {
        const base = byId.get(c.parent_id!)!;
        level.push({
          node: c,
          path: unique(used, base ? `${base}/${entryName(c.name)}` : entryName(c.name)),
        });
      }
    }
  }

  private addFile(zip: yazl.ZipFile, node: NodeRow, path: string): void {
    const sha = node.sha256!;
    zip.addReadStreamLazy(
      path,
      { mtime: new Date(Number(node.modified_at)), compress: false, size: Number(node.size) },
      (cb) => {
        this.blobs.get(sha).then(
          (s) => cb(null, s),
          (e: unknown) => cb(e, undefined as never),
        );
      },
    );
  }
}

/**
 * Zip readers take "\" as a separator and a leading "C:" as a drive (yazl refuses both), but both are
 * valid in our names: they are replaced, and unique() keeps a replaced name from meeting a sibling.
 */
function entryName(name: string): string {
  return name.replace(/\\/g, '_').replace(/^([A-Za-z]):/, '$1_');
}

function unique(used: Set<string>, name: string): string {
  let candidate = name;
  for (let n = 2; used.has(candidate); n++) candidate = `${name} (${n})`;
  used.add(candidate);
  return candidate;
}
