import type { Actor } from '../accounts/actor.js';
import type { Database } from '../db/database.js';
import { propertiesRepo, type PropertyRow } from '../db/properties-repo.js';
import type { Executor } from '../db/schema.js';
import { LoftError } from '../errors.js';
import type { LockGuard } from '../locks/lock-guard.js';
import type { NodeAccess } from '../nodes/access.js';

export type PropertyOp =
  { op: 'set'; ns: string; name: string; xml: string } | { op: 'remove'; ns: string; name: string };

/** Keeps one item's properties small: they are read with every listing of its folder. */
export const PROPERTY_LIMITS = { valueBytes: 64 * 1024, perNode: 256, bytesPerNode: 1024 * 1024 };

/**
 * Dead properties: name/value pairs clients attach to files and folders (WebDAV PROPPATCH;
 * Windows keeps its file attributes there). Values are opaque XML to the server. A set of changes
 * applies atomically: all of them or none.
 */
export class PropertiesService {
  constructor(
    private readonly database: Database,
    private readonly access: NodeAccess,
    private readonly locks: LockGuard,
  ) {}

  async list(actor: Actor, nodeId: string): Promise<PropertyRow[]> {
    const node = await this.access.load(actor, nodeId, 'read');
    return propertiesRepo.forNode(this.database.db, node.id);
  }

  /** The properties of a folder's children, for a folder the caller has authorized already. */
  listChildrenOf(folderId: string, ex: Executor = this.database.db): Promise<PropertyRow[]> {
    return propertiesRepo.forChildrenOf(ex, folderId);
  }

  /** For nodes the caller has authorized already (a tree listing). */
  listFor(nodeIds: string[], ex: Executor = this.database.db): Promise<PropertyRow[]> {
    return propertiesRepo.forNodes(ex, nodeIds);
  }

  /** Applies every change or none; the first one that cannot apply is thrown with its index. */
  async patch(actor: Actor, nodeId: string, ops: PropertyOp[]): Promise<void> {
    for (const [i, op] of ops.entries()) {
      if (op.op === 'set' && Buffer.byteLength(op.xml) > PROPERTY_LIMITS.valueBytes)
        throw tooLarge(i, `The value of ${op.name} is larger than 64 KiB.`);
    }
    await this.database.transaction(async (trx) => {
      const node = await this.access.load(actor, nodeId, 'write', trx);
      await this.locks.assertWritable(trx, actor, [
        { nodeId: node.id, treeOwnerId: node.owner_id, scope: 'self' },
      ]);
      for (const op of ops) {
        if (op.op === 'set')
          await propertiesRepo.upsert(trx, { node_id: node.id, ns: op.ns, name: op.name, xml: op.xml });
        else await propertiesRepo.remove(trx, node.id, op.ns, op.name);
      }
      const size = await propertiesRepo.sizeOf(trx, node.id);
      if (size.count > PROPERTY_LIMITS.perNode || size.bytes > PROPERTY_LIMITS.bytesPerNode)
        throw tooLarge(
          ops.findIndex((o) => o.op === 'set'),
          `An item keeps at most ${PROPERTY_LIMITS.perNode} properties and 1 MiB of them.`,
        );
    });
  }

  /** Copies carry their properties along (RFC 4918 §9.8.2): called by the copy's transaction. */
  static async copyAll(trx: Executor, idMap: Map<string, string>): Promise<void> {
    const rows = await propertiesRepo.forNodes(trx, [...idMap.keys()]);
    if (rows.length)
      await propertiesRepo.insertMany(
        trx,
        rows.map((r) => ({ ...r, node_id: idMap.get(r.node_id)! })),
      );
  }
}

function tooLarge(index: number, message: string): LoftError {
  return new LoftError('payload_too_large', message, { index });
}
