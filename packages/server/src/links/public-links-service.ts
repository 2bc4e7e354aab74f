import type { Readable } from 'node:stream';
import type { Actor } from '../accounts/actor.js';
import type { PasswordHasher } from '../accounts/passwords.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { linksRepo, type LinkRow } from '../db/links-repo.js';
import type { NodeRow } from '../db/nodes-repo.js';
import { usersRepo } from '../db/users-repo.js';
import { errors } from '../errors.js';
import type { ArchiveService } from '../nodes/archive-service.js';
import type { FilesService, OpenedContent } from '../nodes/files-service.js';
import { listFolder, type ListOptions } from '../nodes/folder-listing.js';
import { normalizeName } from '../nodes/names.js';
import { BlobNotFoundError, type BlobStore } from '../storage/blob-store.js';
import type { LinkAccess, Visitor } from './link-access.js';
import type { LinkSecrets } from './link-secrets.js';
import type { LinkThrottle } from './link-throttle.js';

/** How long a correct password lets a visitor in before it is asked again. */
export const GRANT_TTL_MS = 3600_000;

/** What a visitor sees of an item: no ids, no owner, nothing about the tree above the link. */
export interface PublicNodeView {
  name: string;
  kind: 'folder' | 'file';
  size: number;
  contentType: string | null;
  modifiedAt: number;
}

export interface PublicLinkInfo {
  kind: 'folder' | 'file';
  /** The linked item's name, size, type and date: null until the password is given. */
  name: string | null;
  size: number | null;
  contentType: string | null;
  modifiedAt: number | null;
  /** The link has a password and this request carries no valid grant. */
  passwordRequired: boolean;
  uploadOnly: boolean;
  expiresAt: number | null;
  /** Downloads left before the link is used up; null without a limit. */
  downloadsLeft: number | null;
}

/**
 * A file inside a link, like a signed-in download but without its row; open() from the first byte
 * counts as a download (410 once used up).
 */
export type LinkContent = Omit<OpenedContent, 'node'>;

/**
 * What anonymous visitors do through a public link: read its metadata, give its password, list
 * and download inside the linked folder, or upload into a file drop. Every call starts with
 * LinkAccess.open() and reaches items only through LinkAccess.resolve().
 */
export class PublicLinksService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly access: LinkAccess,
    private readonly throttle: LinkThrottle,
    private readonly hasher: PasswordHasher,
    private readonly secrets: LinkSecrets,
    private readonly files: FilesService,
    private readonly archive: ArchiveService,
    private readonly blobs: BlobStore,
    private readonly grantTtlMs = GRANT_TTL_MS,
  ) {}

  /** The link's metadata; the details of the item only once the password was given. */
  async info(token: string, visitor: Visitor, opts: { countView: boolean }): Promise<PublicLinkInfo> {
    const { link, root, unlocked } = await this.access.open(token, visitor, 'view');
    if (opts.countView) await linksRepo.countView(this.database.db, link.id);
    const max = link.max_downloads === null ? null : Number(link.max_downloads);
    return {
      kind: root.kind,
      name: unlocked ? root.name : null,
      size: unlocked && root.kind === 'file' ? Number(root.size) : null,
      contentType: unlocked ? root.content_type : null,
      modifiedAt: unlocked ? Number(root.modified_at) : null,
      passwordRequired: !unlocked,
      uploadOnly: Boolean(Number(link.upload_only)),
      expiresAt: link.expires_at === null ? null : Number(link.expires_at),
      downloadsLeft: max === null ? null : Math.max(0, max - Number(link.download_count)),
    };
  }

  /**
   * Checks a link's password and returns a grant for the visitor to send back (cookie or header).
   * Like sign-in: throttled per link and per address before the password is looked at, and an
   * unknown token costs one argon2 verify too, so timing does not tell whether a link exists.
   */
  async unlock(
    token: string,
    password: string,
    ip: string,
  ): Promise<{ grant: string; expiresAt: number; ttlMs: number }> {
    const found = await this.access.find(token);
    const linkId = found?.link.id ?? null;
    await this.throttle.check(linkId, ip);
    if (!found) {
      await this.hasher.verifyDummy(password);
      await this.recordFailure(null, ip);
      throw errors.notFound('Link');
    }
    const { link } = found;
    this.access.checkState(link);
    const ok = link.password_hash === null || (await this.hasher.verify(link.password_hash, password));
    // A block set by parallel guesses while this one was verified wins, whatever the password.
    await this.throttle.check(linkId, ip);
    if (!ok) {
      await this.recordFailure(link.id, ip);
      throw errors.linkPasswordInvalid();
    }
    if (link.password_hash !== null) await this.throttle.recordSuccess(link.id);
    const expiresAt = this.clock.now() + this.grantTtlMs;
    return {
      grant: this.secrets.issueGrant(link.id, link.password_hash, expiresAt),
      expiresAt,
      ttlMs: this.grantTtlMs,
    };
  }

  private async recordFailure(linkId: string | null, ip: string): Promise<void> {
    const blockedUntil = await this.throttle.recordFailure(linkId, ip);
    const now = this.clock.now();
    if (blockedUntil > now) throw errors.tooManyRequests(Math.ceil((blockedUntil - now) / 1000));
  }

  /** One page of a folder inside the link, like the signed-in listing (folders first, keyset cursor). */
  async list(
    token: string,
    visitor: Visitor,
    path: string | undefined,
    opts: ListOptions,
  ): Promise<{ path: string; items: PublicNodeView[]; nextCursor: string | null; total?: number }> {
    const open = await this.access.open(token, visitor, 'read');
    const { node, path: where } = await this.access.resolve(open, path);
    if (node.kind !== 'folder') throw errors.notAFolder();
    const { rows, ...page } = await listFolder(this.database.db, node.id, opts);
    return { path: where, items: rows.map(publicView), ...page };
  }

  /** A file inside the link (or the linked file), for the shared download code. */
  async openContent(token: string, visitor: Visitor, path: string | undefined): Promise<LinkContent> {
    const open = await this.access.open(token, visitor, 'read');
    const { node } = await this.access.resolve(open, path);
    if (node.kind !== 'file') throw errors.notAFile();
    const sha256 = node.sha256!;
    return {
      sha256,
      size: Number(node.size),
      contentType: node.content_type ?? 'application/octet-stream',
      modifiedAt: Number(node.modified_at),
      name: node.name,
      open: async (range) => {
        let stream: Readable;
        try {
          stream = await this.blobs.get(sha256, range);
        } catch (e) {
          if (e instanceof BlobNotFoundError) throw errors.unavailable('The stored content is missing.');
          throw e;
        }
        // A read from the first byte is a download; a Range that continues one is not.
        if (!range || range.start === 0) {
          try {
            await this.countDownload(open.link);
          } catch (e) {
            stream.destroy();
            throw e;
          }
        }
        return stream;
      },
    };
  }

  /** A folder inside the link (or the whole link) as a streamed zip; counts as one download. */
  async zip(
    token: string,
    visitor: Visitor,
    path: string | undefined,
    opts: { count: boolean },
  ): Promise<{ name: string; stream: Readable | null }> {
    const open = await this.access.open(token, visitor, 'read');
    const { node } = await this.access.resolve(open, path);
    // HEAD: the same checks and headers, no zip and no download counted.
    if (!opts.count) return { name: `${node.name || 'Files'}.zip`, stream: null };
    await this.countDownload(open.link);
    return this.archive.zipLoaded([node]);
  }

  /**
   * Checks that the link is a file drop the visitor may upload into, before any byte is read.
   * upload() checks again for every file.
   */
  async checkDrop(token: string, visitor: Visitor, path: string | undefined): Promise<void> {
    await this.dropFolder(token, visitor, path);
  }

  /**
   * Stores one file in a file drop, in the owner's files and quota. A taken name gets a free one
   * ("a (1).txt"): nothing is ever overwritten. The answer gives back the name as sent, so a
   * visitor learns nothing about what the folder already holds.
   */
  async upload(
    token: string,
    visitor: Visitor,
    path: string | undefined,
    file: { filename: string; body: Readable; contentType: string | null },
  ): Promise<{ name: string; size: number }> {
    const { folder, owner } = await this.dropFolder(token, visitor, path);
    // A drop takes files, not trees: only the last segment of a relative name is kept.
    const name = normalizeName(file.filename.replace(/\\/g, '/').split('/').pop() ?? '');
    const r = await this.files.uploadInto(owner, folder.id, name, {
      body: file.body,
      length: null,
      contentType: file.contentType,
      conflict: 'rename',
    });
    return { name, size: r.node.size };
  }

  private async dropFolder(token: string, visitor: Visitor, path: string | undefined) {
    const open = await this.access.open(token, visitor, 'upload');
    const { node } = await this.access.resolve(open, path);
    if (node.kind !== 'folder') throw errors.notAFolder();
    const user = await usersRepo.findById(this.database.db, node.owner_id);
    if (!user || user.status !== 'active') throw errors.notFound('Link');
    // LinkAccess has authorized the visitor for this folder; the bytes are stored as the owner's
    // own upload, so their quota, locks and versioning rules apply unchanged.
    const owner: Actor = {
      userId: user.id,
      username: user.username,
      role: user.role,
      rootId: user.root_id,
      tokenId: `link:${open.link.id}`,
      via: 'session',
    };
    return { folder: node, owner };
  }

  private async countDownload(link: LinkRow): Promise<void> {
    if (!(await linksRepo.countDownload(this.database.db, link.id)))
      throw errors.linkExhausted(Number(link.max_downloads));
  }
}

const publicView = (n: NodeRow): PublicNodeView => ({
  name: n.name,
  kind: n.kind,
  size: Number(n.size),
  contentType: n.content_type,
  modifiedAt: Number(n.modified_at),
});
