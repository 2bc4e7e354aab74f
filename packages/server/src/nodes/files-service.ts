import { Transform, pipeline, type Readable, type TransformCallback } from 'node:stream';
import type { Actor } from '../accounts/actor.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { blobsRepo } from '../db/blobs-repo.js';
import { isUniqueViolation } from '../db/errors.js';
import { nodesRepo, type NodeRow } from '../db/nodes-repo.js';
import type { Executor } from '../db/schema.js';
import { lockUserTree, usersRepo } from '../db/users-repo.js';
import { versionsRepo, type VersionRow } from '../db/versions-repo.js';
import { errors, isLoftError } from '../errors.js';
import type { Telemetry } from '../observability/telemetry.js';
import { SMALL_UPLOAD_BYTES, type QuotaHold, type QuotaService } from '../quotas/quota-service.js';
import { BlobNotFoundError, type BlobInfo, type BlobStore, type ByteRange } from '../storage/blob-store.js';
import { newId } from '../util/ids.js';
import type { NodeAccess } from './access.js';
import { contentTypeFor } from './content-types.js';
import { normalizeName, parsePath, sortNameOf } from './names.js';
import { toNodeView, type NodeView } from './node-view.js';
import { assertNameAllowed, selfOf, type NodesService } from './nodes-service.js';
import type { LockGuard } from '../locks/lock-guard.js';

export interface UploadInput {
  body: Readable;
  /** Declared length (Content-Length); null for chunked bodies. */
  length: number | null;
  contentType: string | null;
  /** What to do when a file of that name exists: new version (default), refuse, or pick a free name. */
  conflict?: 'overwrite' | 'fail' | 'rename';
  /** Optimistic concurrency: the sha256 the caller expects the file to have now (If-Match). */
  ifMatch?: string | null;
  /** The file's own modification time (ms), kept by sync clients; the upload time otherwise. */
  modifiedAt?: number | null;
}

export interface UploadResult {
  node: NodeView;
  created: boolean;
}

type Target =
  | { kind: 'folder'; parentId: string; name: string }
  /** By path, from the actor's root or from the folder `fromId` (which may be shared with them). */
  | { kind: 'path'; parents: string[]; name: string; fromId?: string; createParents?: boolean }
  | { kind: 'node'; nodeId: string };

export interface VersionView {
  id: string;
  size: number;
  sha256: string;
  contentType: string;
  createdAt: number;
  current: boolean;
}

export interface OpenedContent {
  node: NodeRow;
  sha256: string;
  size: number;
  contentType: string;
  modifiedAt: number;
  name: string;
  open(range?: ByteRange): Promise<Readable>;
}

/**
 * File content: uploads, downloads and versions. An upload streams through a quota meter into the
 * blob store; only then does one transaction make it visible and turn held space into used space.
 */
export class FilesService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly access: NodeAccess,
    private readonly nodes: NodesService,
    private readonly blobs: BlobStore,
    private readonly quotas: QuotaService,
    private readonly telemetry: Telemetry,
    private readonly locks: LockGuard,
  ) {}

  uploadInto(actor: Actor, parentId: string, name: string, input: UploadInput) {
    return this.upload(actor, { kind: 'folder', parentId, name: normalizeName(name) }, input);
  }

  /** Upload by path, creating missing parent folders: what scripts and `curl -T` want. */
  uploadToPath(actor: Actor, path: string, input: UploadInput) {
    const names = parsePath(path);
    const name = names.pop();
    if (!name) throw errors.invalidPath('the path must name a file');
    return this.upload(actor, { kind: 'path', parents: names, name }, input);
  }

  /** A relative path ("photos/2024/a.jpg") under a folder, creating the folders: folder uploads. */
  uploadUnder(actor: Actor, folderId: string, relativePath: string, input: UploadInput) {
    const names = parsePath(relativePath);
    const name = names.pop();
    if (!name) throw errors.invalidPath('the path must name a file');
    return this.upload(actor, { kind: 'path', parents: names, name, fromId: folderId }, input);
  }

  /**
   * Names from the actor's root, whose folders must all exist: a WebDAV PUT. Resolved inside the
   * upload's own transaction, so it costs no lookups before the body is read.
   */
  uploadAt(actor: Actor, names: string[], input: UploadInput, fromId?: string) {
    const name = names[names.length - 1];
    if (name === undefined) throw errors.invalidPath('the path must name a file');
    return this.upload(
      actor,
      { kind: 'path', parents: names.slice(0, -1), name, createParents: false, fromId },
      input,
    );
  }

  replaceContent(actor: Actor, nodeId: string, input: UploadInput) {
    return this.upload(actor, { kind: 'node', nodeId }, { ...input, conflict: 'overwrite' });
  }

  private async upload(actor: Actor, target: Target, input: UploadInput): Promise<UploadResult> {
    // Authorize and find the quota owner before reading a single byte.
    const ownerId = await this.preflight(actor, target);
    if (input.length !== null && (!Number.isSafeInteger(input.length) || input.length < 0)) {
      throw errors.badRequest('Invalid Content-Length.');
    }
    const reservation = await this.quotas.hold(ownerId, input.length);
    let blob: BlobInfo | null = null;
    try {
      if (input.length !== null && input.length <= SMALL_UPLOAD_BYTES) {
        // Small and of known length: read it whole (bounded) and store it in one step.
        blob = await this.blobs.put(await readSmallBody(input.body, input.length));
      } else {
        const meter = new QuotaMeter(reservation, input.length);
        // pipeline, not pipe: a client that disconnects must fail the write, not stall it.
        pipeline(input.body, meter, () => undefined);
        blob = await this.blobs.put(meter);
      }
      if (input.length !== null && blob.size !== input.length)
        throw errors.incompleteUpload(input.length, blob.size);
      const stored = blob;
      const result = await this.commitWithRetry(actor, target, input, stored, reservation, ownerId);
      return result;
    } catch (e) {
      if (!input.body.destroyed) input.body.resume();
      await reservation.release().catch(() => undefined);
      if (blob)
        await blobsRepo
          .recordOrphan(this.database.db, blob.sha256, blob.size, this.clock.now())
          .catch(() => undefined);
      throw e;
    }
  }

  private async preflight(actor: Actor, target: Target): Promise<string> {
    if (target.kind === 'folder')
      return (await this.access.loadFolder(actor, target.parentId, 'write')).owner_id;
    if (target.kind === 'node') return (await this.access.loadFile(actor, target.nodeId, 'write')).owner_id;
    if (target.fromId) return (await this.access.loadFolder(actor, target.fromId, 'write')).owner_id;
    // A path from the root is inside the actor's own tree: they own it, no query needed.
    return actor.userId;
  }

  private async commitWithRetry(
    actor: Actor,
    target: Target,
    input: UploadInput,
    blob: BlobInfo,
    r: QuotaHold,
    ownerId: string,
  ) {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.database.transaction((trx) =>
          this.commit(trx, actor, target, input, blob, r, ownerId),
        );
      } catch (e) {
        // Two uploads created the same new name at once: the loser becomes a new version.
        if (attempt < 2 && isUniqueViolation(e)) continue;
        throw e;
      }
    }
  }

  private async commit(
    trx: Executor,
    actor: Actor,
    target: Target,
    input: UploadInput,
    blob: BlobInfo,
    reservation: QuotaHold,
    ownerId: string,
  ): Promise<UploadResult> {
    // Serialized with trash and moves of the tree's owner (a no-op on SQLite, a row lock on
    // PostgreSQL); the preflight already found that owner, so no extra query on this hot path.
    await lockUserTree(trx, ownerId);
    const now = this.clock.now();
    let parent: NodeRow | null = null;
    let existing: NodeRow | undefined;
    let name: string;
    if (target.kind === 'node') {
      existing = await this.access.loadFile(actor, target.nodeId, 'write', trx);
      name = existing.name;
    } else {
      parent =
        target.kind === 'folder'
          ? await this.access.loadFolder(actor, target.parentId, 'write', trx)
          : await this.nodes.ensureFolders(
              trx,
              target.fromId
                ? await this.access.loadFolder(actor, target.fromId, 'write', trx)
                : await this.nodes.rootOf(actor, trx),
              target.parents,
              target.createParents,
            );
      name = target.name;
      existing = await nodesRepo.findLiveChild(trx, parent.id, name);
      if (existing && (input.conflict === 'rename' || existing.kind === 'folder')) {
        if (existing.kind === 'folder' && input.conflict !== 'rename') throw errors.nameConflict(name);
        name = await this.nodes.freeName(trx, parent.id, name, 'rename', '');
        existing = undefined;
      } else if (existing && input.conflict === 'fail') {
        throw errors.nameConflict(name);
      }
    }
    if (input.ifMatch && existing?.sha256 !== input.ifMatch) throw errors.preconditionFailed();
    if (!existing) await assertNameAllowed(trx, parent!, name);
    await this.locks.assertWritable(trx, actor, [selfOf(existing ?? parent!)]);

    const refs = await blobsRepo.addRef(trx, blob.sha256, blob.size, now);
    // The collector may have removed these bytes between put() and now; the row lock we hold
    // after addRef means it cannot any more, so one check here is enough.
    if (refs === 1 && !(await this.blobs.stat(blob.sha256))) {
      throw errors.unavailable('Storage changed during the upload. Please retry.');
    }
    const contentType = contentTypeFor(name, input.contentType);
    const version: VersionRow = {
      id: newId(),
      node_id: existing?.id ?? newId(),
      owner_id: existing?.owner_id ?? parent!.owner_id,
      sha256: blob.sha256,
      size: blob.size,
      content_type: contentType,
      created_at: now,
    };
    const modifiedAt = input.modifiedAt ?? now;
    let node: NodeRow;
    if (existing) {
      node = {
        ...existing,
        size: blob.size,
        sha256: blob.sha256,
        content_type: contentType,
        current_version_id: version.id,
        modified_at: modifiedAt,
      };
      await versionsRepo.insert(trx, version);
      await nodesRepo.update(trx, node.id, {
        size: node.size,
        sha256: node.sha256,
        content_type: node.content_type,
        current_version_id: node.current_version_id,
        modified_at: modifiedAt,
      });
    } else {
      node = {
        id: version.node_id,
        owner_id: version.owner_id,
        parent_id: parent!.id,
        name,
        sort_name: sortNameOf(name),
        kind: 'file',
        size: blob.size,
        sha256: blob.sha256,
        content_type: contentType,
        current_version_id: version.id,
        created_at: now,
        modified_at: modifiedAt,
        trashed_at: null,
        trash_root_id: null,
        original_path: null,
      };
      await nodesRepo.insert(trx, node);
      await versionsRepo.insert(trx, version);
    }
    await reservation.commit(trx, blob.size);
    this.telemetry.uploadCommitted(blob.size, refs > 1);
    return { node: toNodeView(node), created: !existing };
  }

  async openContent(actor: Actor, nodeId: string, versionId?: string): Promise<OpenedContent> {
    const node = await this.access.loadFile(actor, nodeId, 'read');
    let sha256 = node.sha256!;
    let size = Number(node.size);
    let contentType = node.content_type ?? 'application/octet-stream';
    let modifiedAt = Number(node.modified_at);
    if (versionId && versionId !== node.current_version_id) {
      const v = await versionsRepo.find(this.database.db, node.id, versionId);
      if (!v) throw errors.notFound('Version');
      sha256 = v.sha256;
      size = Number(v.size);
      contentType = v.content_type;
      modifiedAt = Number(v.created_at);
    }
    return {
      node,
      sha256,
      size,
      contentType,
      modifiedAt,
      name: node.name,
      open: async (range) => {
        try {
          return await this.blobs.get(sha256, range);
        } catch (e) {
          if (e instanceof BlobNotFoundError) throw errors.unavailable('The stored content is missing.');
          throw e;
        }
      },
    };
  }

  async listVersions(actor: Actor, nodeId: string): Promise<VersionView[]> {
    const node = await this.access.loadFile(actor, nodeId, 'read');
    const rows = await versionsRepo.listForNode(this.database.db, node.id);
    return rows.map((v) => ({
      id: v.id,
      size: Number(v.size),
      sha256: v.sha256,
      contentType: v.content_type,
      createdAt: Number(v.created_at),
      current: v.id === node.current_version_id,
    }));
  }

  /** Makes an older version current again. History is kept, so usage does not change. */
  async restoreVersion(actor: Actor, nodeId: string, versionId: string): Promise<NodeView> {
    return this.database.transaction(async (trx) => {
      const node = await this.access.loadFile(actor, nodeId, 'write', trx);
      await this.locks.assertWritable(trx, actor, [selfOf(node)]);
      const v = await versionsRepo.find(trx, node.id, versionId);
      if (!v) throw errors.notFound('Version');
      const patch = {
        size: Number(v.size),
        sha256: v.sha256,
        content_type: v.content_type,
        current_version_id: v.id,
        modified_at: this.clock.now(),
      };
      await nodesRepo.update(trx, node.id, patch);
      return toNodeView({ ...node, ...patch });
    });
  }

  async usage(actor: Actor) {
    const u = await usersRepo.findById(this.database.db, actor.userId);
    if (!u) throw errors.unauthenticated();
    return {
      usedBytes: Number(u.used_bytes),
      quotaBytes: Number(u.quota_bytes),
      reservedBytes: Number(u.reserved_bytes),
    };
  }
}

/** Reads a body of declared length; never holds more than that length. */
async function readSmallBody(body: Readable, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  let got = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (got + chunk.length > length) throw errors.badRequest('The body is longer than its Content-Length.');
    chunk.copy(buf, got);
    got += chunk.length;
  }
  if (got !== length) throw errors.incompleteUpload(length, got);
  return buf;
}

/**
 * Counts bytes on their way to the store and holds quota for them: a body of unknown length is
 * stopped as soon as it crosses the limit, a body longer than it said is refused.
 */
class QuotaMeter extends Transform {
  private count = 0;

  constructor(
    private readonly reservation: QuotaHold,
    private readonly declared: number | null,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.count += chunk.length;
    if (this.declared !== null && this.count > this.declared) {
      cb(errors.badRequest('The body is longer than its Content-Length.'));
      return;
    }
    if (this.count <= this.reservation.bytes) {
      cb(null, chunk);
      return;
    }
    this.reservation.ensure(this.count).then(
      () => cb(null, chunk),
      (e: unknown) => cb(isLoftError(e) ? e : (e as Error)),
    );
  }
}
