import type { Actor } from '../accounts/actor.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { blobsRepo } from '../db/blobs-repo.js';
import { nodesRepo, type NodeRow } from '../db/nodes-repo.js';
import type { Executor } from '../db/schema.js';
import { lockUserTree, usersRepo } from '../db/users-repo.js';
import { versionsRepo } from '../db/versions-repo.js';
import { errors } from '../errors.js';
import { parsePath } from '../nodes/names.js';
import { toNodeView, type NodeView } from '../nodes/node-view.js';
import type { NodesService } from '../nodes/nodes-service.js';

export interface TrashItemView extends NodeView {
  trashedAt: number;
  originalPath: string;
  purgeAt: number;
}

export class TrashService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly nodes: NodesService,
    private readonly retentionMs: number,
  ) {}

  async list(actor: Actor, opts: { limit: number; cursor: string | null }) {
    let after: { trashedAt: number; id: string } | null = null;
    if (opts.cursor) {
      const [t, id] = Buffer.from(opts.cursor, 'base64url').toString('utf8').split(' ');
      if (!t || !id || !Number.isSafeInteger(Number(t))) throw errors.invalidCursor();
      after = { trashedAt: Number(t), id };
    }
    const rows = await nodesRepo.listTrashRoots(this.database.db, actor.userId, opts.limit + 1, after);
    const page = rows.slice(0, opts.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((n) => this.view(n)),
      nextCursor:
        rows.length > opts.limit && last
          ? Buffer.from(`${last.trashed_at} ${last.id}`).toString('base64url')
          : null,
    };
  }

  private view(n: NodeRow): TrashItemView {
    const trashedAt = Number(n.trashed_at);
    return {
      ...toNodeView(n),
      trashedAt,
      originalPath: n.original_path ?? '/',
      purgeAt: trashedAt + this.retentionMs,
    };
  }

  private async loadRoot(trx: Executor, actor: Actor, id: string): Promise<NodeRow> {
    const node = await nodesRepo.findById(trx, id);
    if (
      !node ||
      node.owner_id !== actor.userId ||
      node.trashed_at === null ||
      node.trash_root_id !== node.id
    ) {
      throw errors.notFound('Trash item');
    }
    return node;
  }

  /**
   * Puts an item back where it was. A parent that is gone (or itself in the trash) is recreated
   * from the remembered path; a name taken meanwhile becomes "name (restored)".
   */
  async restore(actor: Actor, id: string): Promise<NodeView & { path: string }> {
    return this.database.transaction(async (trx) => {
      await lockUserTree(trx, actor.userId);
      const node = await this.loadRoot(trx, actor, id);
      let parent = node.parent_id ? await nodesRepo.findById(trx, node.parent_id) : undefined;
      if (!parent || parent.trashed_at !== null) {
        parent = await this.nodes.ensureFolders(
          trx,
          await this.nodes.rootOf(actor, trx),
          parsePath(node.original_path ?? '/'),
        );
      }
      const name = await this.nodes.freeName(trx, parent.id, node.name, 'rename', 'restored');
      await nodesRepo.restoreTrashed(trx, node.id, {
        parent_id: parent.id,
        name,
        sort_name: name.toLowerCase(),
      });
      const restored = { ...node, parent_id: parent.id, name, trashed_at: null };
      return { ...toNodeView(restored), path: await this.nodes.pathOf(node.id, trx) };
    });
  }

  async deleteForever(actor: Actor, id: string): Promise<void> {
    await this.database.transaction(async (trx) => {
      const node = await this.loadRoot(trx, actor, id);
      await this.purge(trx, node);
    });
  }

  async empty(actor: Actor): Promise<number> {
    let purged = 0;
    for (;;) {
      const rows = await nodesRepo.listTrashRoots(this.database.db, actor.userId, 50, null);
      if (rows.length === 0) return purged;
      for (const r of rows) {
        await this.database.transaction(async (trx) => {
          const node = await nodesRepo.findById(trx, r.id);
          if (node && node.trash_root_id === node.id) await this.purge(trx, node);
        });
        purged++;
      }
    }
  }

  /** The daily job: trash older than the retention period goes for good. */
  async purgeExpired(): Promise<number> {
    const cutoff = this.clock.now() - this.retentionMs;
    let purged = 0;
    for (;;) {
      const rows = await nodesRepo.trashRootsBefore(this.database.db, cutoff, 100);
      if (rows.length === 0) return purged;
      for (const r of rows) {
        await this.database.transaction(async (trx) => {
          const node = await nodesRepo.findById(trx, r.id);
          if (node && node.trash_root_id === node.id && Number(node.trashed_at) < cutoff)
            await this.purge(trx, node);
        });
        purged++;
      }
    }
  }

  /** Deletes a live item for good at once, without the trash (sends that expire). */
  async destroy(trx: Executor, nodeId: string): Promise<void> {
    const node = await nodesRepo.findById(trx, nodeId);
    if (!node) return;
    if (node.trashed_at === null) {
      const ids = await nodesRepo.liveSubtreeIds(trx, node.id);
      await nodesRepo.markTrashed(trx, node.id, ids, this.clock.now(), '/');
    }
    const root = await nodesRepo.findById(trx, nodeId);
    if (root && root.trash_root_id === root.id) await this.purge(trx, root);
  }

  /** Deletes a trashed subtree: its versions release their blobs and their bytes of quota. */
  private async purge(trx: Executor, root: NodeRow): Promise<void> {
    const ids = await nodesRepo.trashMembers(trx, root.id);
    const usage = await versionsRepo.blobUsageForNodes(trx, ids);
    const now = this.clock.now();
    let bytes = 0;
    await versionsRepo.deleteForNodes(trx, ids);
    for (const [sha, u] of usage) {
      await blobsRepo.releaseRef(trx, sha, u.refs, now);
      bytes += u.bytes;
    }
    if (bytes > 0) await usersRepo.adjustUsage(trx, root.owner_id, -bytes);
    await nodesRepo.deleteTrashed(trx, root.id, ids);
  }
}
