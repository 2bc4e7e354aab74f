import type { Actor } from '../accounts/actor.js';
import type { Database } from '../db/database.js';
import { nodesRepo, type NodeRow } from '../db/nodes-repo.js';
import type { Executor } from '../db/schema.js';
import { errors } from '../errors.js';

export type Permission = 'read' | 'write';

/**
 * The one place that decides whether an actor may touch a node. Every path (REST, WebDAV, zip,
 * links) loads nodes through here. Someone else's item answers "not found", never "forbidden",
 * so ids cannot be probed.
 */
export class NodeAccess {
  constructor(private readonly database: Database) {}

  async load(actor: Actor, id: string, _perm: Permission, ex: Executor = this.database.db): Promise<NodeRow> {
    const node = await nodesRepo.findById(ex, id);
    if (!node || node.trashed_at !== null || node.owner_id !== actor.userId) throw errors.notFound();
    return node;
  }

  async loadFolder(actor: Actor, id: string, perm: Permission, ex?: Executor): Promise<NodeRow> {
    const node = await this.load(actor, id, perm, ex);
    if (node.kind !== 'folder') throw errors.notAFolder();
    return node;
  }

  async loadFile(actor: Actor, id: string, perm: Permission, ex?: Executor): Promise<NodeRow> {
    const node = await this.load(actor, id, perm, ex);
    if (node.kind !== 'file') throw errors.notAFile();
    return node;
  }
}
