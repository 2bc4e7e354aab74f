import type { Actor } from '../accounts/actor.js';
import type { PasswordHasher } from '../accounts/passwords.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { linksRepo, type LinkRow, type LinkWithNode } from '../db/links-repo.js';
import { errors } from '../errors.js';
import type { NodeAccess } from '../nodes/access.js';
import { newId } from '../util/ids.js';
import { LinkSecrets } from './link-secrets.js';
import { qrPng, qrSvg } from './qr.js';

export type LinkStatus = 'active' | 'expired' | 'exhausted' | 'trashed';

export interface LinkView {
  id: string;
  nodeId: string;
  name: string;
  kind: 'file' | 'folder';
  /** `<origin>/s/<token>`: the page visitors open. */
  url: string;
  token: string;
  hasPassword: boolean;
  expiresAt: number | null;
  maxDownloads: number | null;
  uploadOnly: boolean;
  views: number;
  downloads: number;
  status: LinkStatus;
  createdAt: number;
  updatedAt: number;
}

export interface LinkSettings {
  /** A new password; null removes it; absent leaves it. */
  password?: string | null;
  expiresAt?: number | null;
  maxDownloads?: number | null;
  uploadOnly?: boolean;
}

/**
 * The owner's side of public links: create, list, change, revoke, QR codes. Only the owner of
 * an item may link it. `origin` is where the server is reached (LOFT_PUBLIC_URL or the request's
 * own), used to build each link's URL.
 */
export class LinksService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly access: NodeAccess,
    private readonly hasher: PasswordHasher,
    private readonly secrets: LinkSecrets,
  ) {}

  async create(actor: Actor, nodeId: string, settings: LinkSettings, origin: string): Promise<LinkView> {
    const node = await this.access.load(actor, nodeId, 'read');
    if (node.owner_id !== actor.userId)
      throw errors.forbidden('Only the owner of an item can create a public link to it.');
    if (settings.uploadOnly && node.kind !== 'folder') throw errors.notAFolder();
    this.checkExpiry(settings.expiresAt);
    const now = this.clock.now();
    const row: LinkRow = {
      id: newId(),
      node_id: node.id,
      owner_id: node.owner_id,
      created_by: actor.userId,
      token_hash: '',
      password_hash: settings.password ? await this.hasher.hash(settings.password) : null,
      expires_at: settings.expiresAt ?? null,
      max_downloads: settings.maxDownloads ?? null,
      upload_only: settings.uploadOnly ? 1 : 0,
      view_count: 0,
      download_count: 0,
      created_at: now,
      updated_at: now,
    };
    row.token_hash = LinkSecrets.hashToken(this.secrets.tokenFor(row.id));
    await linksRepo.insert(this.database.db, row);
    return this.view(
      { ...row, node_name: node.name, node_kind: node.kind, node_trashed_at: node.trashed_at },
      origin,
    );
  }

  /** The caller's links, newest first; `nodeId` keeps those of one item. */
  async list(
    actor: Actor,
    opts: { limit: number; cursor: string | null; nodeId: string | null },
    origin: string,
  ): Promise<{ items: LinkView[]; nextCursor: string | null }> {
    const after = opts.cursor ? decodeCursor(opts.cursor) : null;
    const rows = await linksRepo.listByOwner(
      this.database.db,
      actor.userId,
      opts.nodeId,
      after,
      opts.limit + 1,
    );
    const page = rows.slice(0, opts.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => this.view(r, origin)),
      nextCursor: rows.length > opts.limit && last ? encodeCursor(last) : null,
    };
  }

  async get(actor: Actor, linkId: string, origin: string): Promise<LinkView> {
    return this.view(await this.loadOwn(actor, linkId), origin);
  }

  async update(actor: Actor, linkId: string, patch: LinkSettings, origin: string): Promise<LinkView> {
    const row = await this.loadOwn(actor, linkId);
    if (patch.uploadOnly && row.node_kind !== 'folder') throw errors.notAFolder();
    this.checkExpiry(patch.expiresAt);
    const set: Parameters<typeof linksRepo.update>[2] = { updated_at: this.clock.now() };
    if (patch.password !== undefined)
      set.password_hash = patch.password === null ? null : await this.hasher.hash(patch.password);
    if (patch.expiresAt !== undefined) set.expires_at = patch.expiresAt;
    if (patch.maxDownloads !== undefined) set.max_downloads = patch.maxDownloads;
    if (patch.uploadOnly !== undefined) set.upload_only = patch.uploadOnly ? 1 : 0;
    await linksRepo.update(this.database.db, row.id, set);
    return this.view({ ...row, ...set }, origin);
  }

  /** Revocation deletes the link: its token names nothing from the next request on. */
  async revoke(actor: Actor, linkId: string): Promise<void> {
    const row = await this.loadOwn(actor, linkId);
    if (!(await linksRepo.delete(this.database.db, row.id))) throw errors.notFound('Link');
  }

  async qr(actor: Actor, linkId: string, origin: string, format: 'svg' | 'png'): Promise<string | Buffer> {
    const { url } = await this.get(actor, linkId, origin);
    return format === 'svg' ? qrSvg(url) : qrPng(url);
  }

  private async loadOwn(actor: Actor, linkId: string): Promise<LinkWithNode> {
    const row = await linksRepo.findWithNode(this.database.db, linkId);
    // Someone else's link is "not found", like someone else's file.
    if (!row || row.owner_id !== actor.userId) throw errors.notFound('Link');
    return row;
  }

  private checkExpiry(expiresAt: number | null | undefined): void {
    if (expiresAt !== undefined && expiresAt !== null && expiresAt <= this.clock.now()) {
      throw errors.validation('Invalid request body: expiresAt must be in the future', [
        { field: 'body.expiresAt', code: 'invalid', message: 'must be in the future' },
      ]);
    }
  }

  private view(r: LinkWithNode, origin: string): LinkView {
    const token = this.secrets.tokenFor(r.id);
    const expiresAt = r.expires_at === null ? null : Number(r.expires_at);
    const maxDownloads = r.max_downloads === null ? null : Number(r.max_downloads);
    const downloads = Number(r.download_count);
    const status: LinkStatus =
      r.node_trashed_at !== null
        ? 'trashed'
        : expiresAt !== null && this.clock.now() >= expiresAt
          ? 'expired'
          : maxDownloads !== null && downloads >= maxDownloads
            ? 'exhausted'
            : 'active';
    return {
      id: r.id,
      nodeId: r.node_id,
      name: r.node_name,
      kind: r.node_kind,
      url: `${origin}/s/${token}`,
      token,
      hasPassword: r.password_hash !== null,
      expiresAt,
      maxDownloads,
      uploadOnly: Boolean(Number(r.upload_only)),
      views: Number(r.view_count),
      downloads,
      status,
      createdAt: Number(r.created_at),
      updatedAt: Number(r.updated_at),
    };
  }
}

function encodeCursor(r: LinkRow): string {
  return Buffer.from(`${Number(r.created_at)} ${r.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: number; id: string } {
  const [t, id, extra] = Buffer.from(cursor, 'base64url').toString('utf8').split(' ');
  if (!t || !id || extra !== undefined || !/^\d{1,16}$/.test(t) || !/^[A-Za-z0-9-]{1,64}$/.test(id))
    throw errors.invalidCursor();
  return { createdAt: Number(t), id };
}
