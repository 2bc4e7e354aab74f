import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { linksRepo, type LinkRow } from '../db/links-repo.js';
import { nodesRepo, type NodeRow } from '../db/nodes-repo.js';
import { errors } from '../errors.js';
import { parsePath } from '../nodes/names.js';
import { LinkSecrets } from './link-secrets.js';

/** Someone using a public link: no account, only an address and perhaps a password grant. */
export interface Visitor {
  ip: string;
  /** A grant from a correct password (cookie or header), if the request carries one. */
  grant: string | null;
}

/**
 * What the visitor wants to do. `view`: the link's metadata, allowed before the password;
 * `read`: list and download (not through a file drop); `upload`: only through a file drop.
 */
export type LinkNeed = 'view' | 'read' | 'upload';

export interface OpenLink {
  link: LinkRow;
  /** The linked file or folder: the visitor sees this and what is under it, nothing else. */
  root: NodeRow;
  /** False while the link has a password and the visitor showed no valid grant. */
  unlocked: boolean;
}

export interface Found {
  link: LinkRow;
  root: NodeRow;
}

/**
 * The one place that decides what a link visitor may do, as NodeAccess does for users. Every
 * public route goes through open(), and every item a visitor names is found from the linked node
 * downwards by resolve(), one live child at a time, so nothing above or beside it can be reached.
 *
 * A token that names no link, a revoked link, a link whose item is in the trash (or under a
 * trashed folder) and a link of a suspended account are all "not found". Expiry and the download
 * limit are checked on every request, against the injected clock.
 */
export class LinkAccess {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly secrets: LinkSecrets,
  ) {}

  /** The usable link the token names, or null; no state (expiry, limit, password) is checked. */
  async find(token: string): Promise<Found | null> {
    if (!LinkSecrets.isWellFormed(token)) return null;
    const db = this.database.db;
    const link = await linksRepo.findByTokenHash(db, LinkSecrets.hashToken(token));
    if (!link || link.owner_status !== 'active') return null;
    const root = await nodesRepo.findById(db, link.node_id);
    // Trashing a folder marks everything under it, so a live root means a live path up to it.
    if (!root || root.trashed_at !== null) return null;
    const { owner_status: _status, ...row } = link;
    return { link: row, root };
  }

  /** 410 once the link has expired or used up its downloads. */
  checkState(link: LinkRow): void {
    if (link.expires_at !== null && this.clock.now() >= Number(link.expires_at))
      throw errors.linkExpired(Number(link.expires_at));
    if (link.max_downloads !== null && Number(link.download_count) >= Number(link.max_downloads))
      throw errors.linkExhausted(Number(link.max_downloads));
  }

  isUnlocked(link: LinkRow, visitor: Visitor): boolean {
    if (link.password_hash === null) return true;
    return (
      visitor.grant !== null &&
      this.secrets.checkGrant(visitor.grant, link.id, link.password_hash, this.clock.now())
    );
  }

  async open(token: string, visitor: Visitor, need: LinkNeed): Promise<OpenLink> {
    const found = await this.find(token);
    if (!found) throw errors.notFound('Link');
    const { link, root } = found;
    this.checkState(link);
    const unlocked = this.isUnlocked(link, visitor);
    if (need === 'view') return { link, root, unlocked };
    if (!unlocked) throw errors.linkPasswordRequired();
    if (need === 'read' && link.upload_only)
      throw errors.linkForbidden('This link is a file drop: you can upload files but not list or download.');
    if (need === 'upload' && !link.upload_only)
      throw errors.linkForbidden('This link does not accept uploads.');
    return { link, root, unlocked };
  }

  /**
   * An item by its path below the linked folder ("/" or "" is the linked item itself). Anything
   * that is not a chain of live children of the linked item is "not found": "..", encoded or not
   * (refused as a name), ids, paths through a file, trashed items.
   */
  async resolve(open: OpenLink, rawPath: string | undefined): Promise<{ node: NodeRow; path: string }> {
    let names: string[];
    try {
      names = parsePath(rawPath ?? '/');
    } catch {
      throw errors.notFound();
    }
    let node = open.root;
    for (const name of names) {
      if (node.kind !== 'folder') throw errors.notFound();
      const child = await nodesRepo.findLiveChild(this.database.db, node.id, name);
      if (!child) throw errors.notFound();
      node = child;
    }
    return { node, path: `/${names.join('/')}` };
  }
}
