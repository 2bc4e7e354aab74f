import type { Actor } from '../accounts/actor.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { nodesRepo } from '../db/nodes-repo.js';
import { sendsRepo, type SendRow } from '../db/sends-repo.js';
import { lockUserTree, usersRepo } from '../db/users-repo.js';
import { errors } from '../errors.js';
import type { LinksService, LinkView } from '../links/links-service.js';
import type { FilesService, UploadInput } from '../nodes/files-service.js';
import { newFolderRow } from '../nodes/nodes-service.js';
import type { TrashService } from '../trash/trash-service.js';
import { newId } from '../util/ids.js';

export interface SendView {
  id: string;
  name: string;
  size: number;
  contentType: string | null;
  createdAt: number;
  expiresAt: number;
  /** The public link: URL, token, downloads, QR at /api/links/<linkId>/qr.svg. */
  link: LinkView;
}

/**
 * Sends: a file put up behind a public link for a while (2 hours unless asked otherwise, never
 * longer than the server allows). The bytes sit in a hidden folder of the owner's, outside the
 * file tree: they count in the quota while the send lives, and a job deletes them when it ends.
 */
export class SendsService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly config: Config,
    private readonly files: FilesService,
    private readonly links: LinksService,
    private readonly trash: TrashService,
  ) {}

  async create(
    actor: Actor,
    input: UploadInput & { name: string; lifetimeMs?: number; maxDownloads?: number | null },
    origin: string,
  ): Promise<SendView> {
    const lifetime = input.lifetimeMs ?? this.config.sendDefaultLifetimeMs;
    if (lifetime > this.config.sendMaxLifetimeMs) {
      const max = Math.floor(this.config.sendMaxLifetimeMs / 60_000);
      throw errors.validation(`A send can last at most ${max} minutes on this server.`, [
        { field: 'lifetime', code: 'too_long', message: `At most ${max} minutes.` },
      ]);
    }
    const box = await this.sendbox(actor);
    const up = await this.files.uploadInto(actor, box, input.name, { ...input, conflict: 'rename' });
    const now = this.clock.now();
    const expiresAt = now + lifetime;
    let link: LinkView;
    try {
      link = await this.links.create(
        actor,
        up.node.id,
        { expiresAt, maxDownloads: input.maxDownloads ?? null },
        origin,
      );
    } catch (e) {
      await this.database.transaction((trx) => this.trash.destroy(trx, up.node.id));
      throw e;
    }
    const row: SendRow = {
      id: newId(),
      owner_id: actor.userId,
      node_id: up.node.id,
      link_id: link.id,
      created_at: now,
      expires_at: expiresAt,
    };
    await sendsRepo.insert(this.database.db, row);
    await this.evictBeyondLimit(actor);
    return { ...this.viewOf(row, up.node), link };
  }

  async list(actor: Actor, origin: string): Promise<SendView[]> {
    const rows = await sendsRepo.listActive(this.database.db, actor.userId, this.clock.now());
    const out: SendView[] = [];
    for (const r of rows) {
      const node = await nodesRepo.findById(this.database.db, r.node_id);
      if (!node) continue;
      out.push({ ...this.viewOf(r, node), link: await this.links.get(actor, r.link_id, origin) });
    }
    return out;
  }

  async delete(actor: Actor, id: string): Promise<void> {
    const row = await sendsRepo.find(this.database.db, id);
    if (!row || row.owner_id !== actor.userId) throw errors.notFound('Send');
    await this.remove(row);
  }

  /** The job: sends past their time go for good, and their bytes stop counting. */
  async expire(): Promise<number> {
    let removed = 0;
    for (;;) {
      const rows = await sendsRepo.expired(this.database.db, this.clock.now(), 100);
      if (!rows.length) return removed;
      for (const r of rows) await this.remove(r);
      removed += rows.length;
    }
  }

  private async remove(row: SendRow): Promise<void> {
    await this.database.transaction(async (trx) => {
      await lockUserTree(trx, row.owner_id);
      // Deleting the file deletes its link and the send row with it (foreign keys cascade).
      await this.trash.destroy(trx, row.node_id);
      await sendsRepo.delete(trx, row.id);
    });
  }

  /** Past the per-user limit, the oldest sends make room. */
  private async evictBeyondLimit(actor: Actor): Promise<void> {
    const active = await sendsRepo.listActive(this.database.db, actor.userId, this.clock.now());
    for (const old of active.slice(this.config.sendsPerUser)) await this.remove(old);
  }

  /** The user's hidden send box: a folder with no parent, so no listing, path or search reaches it. */
  private async sendbox(actor: Actor): Promise<string> {
    return this.database.transaction(async (trx) => {
      await lockUserTree(trx, actor.userId);
      const user = await usersRepo.findById(trx, actor.userId);
      if (!user) throw errors.unauthenticated();
      if (user.sendbox_id) return user.sendbox_id;
      const row = newFolderRow(actor.userId, null, 'Sends', this.clock.now());
      await nodesRepo.insert(trx, row);
      await usersRepo.setSendbox(trx, actor.userId, row.id);
      return row.id;
    });
  }

  private viewOf(
    r: SendRow,
    node: { name: string; size: number; content_type?: string | null; contentType?: string | null },
  ) {
    return {
      id: r.id,
      name: node.name,
      size: Number(node.size),
      contentType: node.content_type ?? node.contentType ?? null,
      createdAt: Number(r.created_at),
      expiresAt: Number(r.expires_at),
    };
  }
}
