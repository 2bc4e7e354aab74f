import { errors, isLoftError, LoftError } from '../../errors.js';
import type { UploadInput } from '../../nodes/files-service.js';
import { depthOf, hasBody, hrefFor, targetNode, type DavContext } from './dav-context.js';
import { destinationPath, parseDavPath } from './dav-paths.js';
import { davEtag, sha256OfEtag } from './dav-props.js';
import { assertReal, davLookup, writeBase } from './dav-resolve.js';

/** The name of the item the URL names, or 403/405 for the root, which has none. */
function leafName(c: DavContext, method: string): string {
  const name = c.path.names[c.path.names.length - 1];
  if (name === undefined)
    throw new LoftError('method_not_allowed', `${method} is not allowed on the root folder.`);
  return name;
}

/** The folder the URL's item is (or would be) in; 409 when it does not exist (RFC 4918 §9.7.1). */
export async function parentFolder(c: DavContext, names: string[]) {
  const { node } = await davLookup(c.s, c.actor, names.slice(0, -1));
  if (!node) throw errors.missingParent();
  assertReal(node);
  if (node.kind !== 'folder') throw errors.notAFolder();
  return node;
}

function uploadInput(c: DavContext): UploadInput {
  const len = c.req.headers['content-length'];
  const length = len === undefined ? null : Number(len);
  if (length !== null && (!Number.isSafeInteger(length) || length < 0))
    throw errors.badRequest('Invalid Content-Length.');
  const ifMatch = c.req.headers['if-match'];
  return {
    body: c.req.raw,
    length,
    contentType: c.req.headers['content-type'] ?? null,
    conflict: c.req.headers['if-none-match']?.trim() === '*' ? 'fail' : 'overwrite',
    // An unknown tag matches nothing: the PUT fails with 412 rather than overwriting blindly.
    modifiedAt: mtimeOf(c.req.headers['x-oc-mtime']),
    ifMatch: typeof ifMatch === 'string' && ifMatch.trim() !== '*' ? (sha256OfEtag(ifMatch) ?? 'none') : null,
  };
}

/**
 * X-OC-Mtime (ownCloud's, sent by rclone with vendor=owncloud and by desktop sync clients): the
 * file's modification time in seconds, so a later sync sees it unchanged. Out-of-range values are
 * ignored, not refused: the upload itself is fine.
 */
function mtimeOf(raw: string | string[] | undefined): number | null {
  if (typeof raw !== 'string' || !/^\d{1,11}(\.\d+)?$/.test(raw.trim())) return null;
  const ms = Math.round(Number(raw.trim()) * 1000);
  return ms > 0 && ms < 8.64e15 ? ms : null;
}

/**
 * PUT: streamed into the same storage as every upload; a new version over an existing file. The
 * path is resolved inside the upload's transaction: no lookups before the body is read.
 */
export async function put(c: DavContext): Promise<void> {
  leafName(c, 'PUT');
  const input = uploadInput(c);
  try {
    const base = await writeBase(c.s, c.actor, c.path.names);
    let r;
    if (base.root && base.rest.length === 0) {
      // The shared item itself: a file shared with the user, written over.
      if (base.root.kind === 'folder')
        throw new LoftError('method_not_allowed', 'A folder has no content to replace.');
      if (input.conflict === 'fail') throw errors.preconditionFailed();
      r = await c.s.files.replaceContent(c.actor, base.root.id, input);
    } else r = await c.s.files.uploadAt(c.actor, base.rest, input, base.fromId);
    c.reply.header('etag', davEtag(r.node.sha256!));
    if (input.modifiedAt !== null) c.reply.header('x-oc-mtime', 'accepted');
    await c.reply.status(r.created ? 201 : 204).send();
  } catch (e) {
    if (isLoftError(e) && e.code === 'name_conflict') {
      // If-None-Match: * with something there; otherwise the name is a folder's.
      if (input.conflict === 'fail') throw errors.preconditionFailed();
      throw new LoftError('method_not_allowed', 'A folder has no content to replace.');
    }
    throw e;
  }
}

export async function mkcol(c: DavContext): Promise<void> {
  const name = leafName(c, 'MKCOL');
  if (await hasBody(c.req)) throw new LoftError('unsupported_media_type', 'MKCOL takes no body.');
  const { node, parent } = await davLookup(c.s, c.actor, c.path.names);
  if (node) throw new LoftError('method_not_allowed', 'Something already exists at this URL.');
  if (parent) assertReal(parent);
  const folder = parent ?? (await parentFolder(c, c.path.names));
  await c.s.nodes.createFolder(c.actor, folder.id, name);
  await c.reply.status(201).send();
}

/** DELETE moves the item to the trash, as everywhere else in Loft. */
export async function del(c: DavContext): Promise<void> {
  leafName(c, 'DELETE');
  const node = await targetNode(c);
  assertReal(node);
  await c.s.nodes.trash(c.actor, node.id);
  await c.reply.status(204).send();
}

/** COPY and MOVE (RFC 4918 §9.8–9.9) through the same services as the REST API. */
export async function copyOrMove(c: DavContext, move: boolean): Promise<void> {
  const method = move ? 'MOVE' : 'COPY';
  leafName(c, method);
  const source = await targetNode(c);
  assertReal(source);
  const depth = depthOf(c.req, 'infinity');
  if (depth === '1' || (move && depth !== 'infinity' && source.kind === 'folder'))
    throw errors.badRequest(`${method} of a folder takes Depth: infinity${move ? '' : ' or 0'}.`);
  const dest = parseDavPath(destinationPath(c.req, c.s.config), c.actor.username).names;
  const destName = dest[dest.length - 1];
  if (destName === undefined) throw errors.forbidden(`Cannot ${method.toLowerCase()} onto the root folder.`);
  const src = c.path.names;
  if (dest.length === src.length && dest.every((n, i) => n === src[i]))
    throw errors.forbidden('The source and the destination are the same.');
  // Overwriting a folder that holds the source would delete the source first.
  if (dest.length < src.length && dest.every((n, i) => n === src[i]))
    throw new LoftError('name_conflict', 'The destination contains the source.');

  const overwrite = String(c.req.headers.overwrite ?? 'T')
    .trim()
    .toUpperCase();
  if (overwrite !== 'T' && overwrite !== 'F') throw errors.badRequest('The Overwrite header must be T or F.');
  const folder = await parentFolder(c, dest);
  const { node: existing } = await davLookup(c.s, c.actor, dest);
  if (existing) assertReal(existing);
  if (existing) {
    if (overwrite === 'F') throw errors.preconditionFailed();
    // Replaced, not merged (RFC 4918 §9.8.4): the old item goes to the trash, recoverable.
    await c.s.nodes.trash(c.actor, existing.id);
  }
  if (move) await c.s.nodes.update(c.actor, source.id, { name: destName, parentId: folder.id });
  else
    await c.s.nodes.copy(c.actor, source.id, {
      parentId: folder.id,
      name: destName,
      conflict: 'fail',
      shallow: depth === '0',
    });
  if (!existing) c.reply.header('location', hrefFor(c, dest, source.kind === 'folder'));
  await c.reply.status(existing ? 204 : 201).send();
}
