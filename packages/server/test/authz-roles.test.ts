import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, type ErrorCode } from '../src/errors.js';
import type { Client } from './helpers/client.js';
import { registeredRoutes, send, type Answer, type Req } from './helpers/matrix.js';
import { dialect, startServer, type TestServer } from './helpers/server.js';

/**
 * The sharing roles as a table. The owner keeps a folder "Work" with a folder "Shared" in it
 * (shared with the editor as editor and with the viewer as viewer) and a private file beside it.
 * Every route that touches nodes or shares is tried by six actors: the owner, the editor, the
 * viewer, a stranger (signed in, nothing shared with them), an anonymous caller and an admin who is
 * not the owner (admins get no access to other people's files). The table says what each must get;
 * every difference is collected, and the list of differences must be empty.
 *
 * Reads run on one fixture (and must leave it as it was); every write, and every row that needs
 * a prepared state, runs on a fresh fixture per actor, so the order of the rows does not matter.
 */

const ACTORS = ['owner', 'editor', 'viewer', 'stranger', 'anonymous', 'admin'] as const;
type ActorName = (typeof ACTORS)[number];
type Expect = Record<ActorName, number>;
/** Actors who must learn nothing about the owner's files: not a name, not an id. */
const OUTSIDERS: readonly ActorName[] = ['stranger', 'anonymous', 'admin'];
const RECIPIENTS: readonly ActorName[] = ['editor', 'viewer'];

/** One fixture: the owner's tree, shared with the editor and the viewer. */
interface Fx {
  tag: string;
  /** The owner's folder above the share: never shared. */
  workId: string;
  workName: string;
  /** Shared with the editor (editor) and the viewer (viewer). */
  sharedId: string;
  sharedName: string;
  /** A file in the shared folder, with two versions. */
  docId: string;
  docName: string;
  oldVersionId: string;
  currentVersionId: string;
  oldSha: string;
  currentSha: string;
  /** A subfolder of the shared folder, with a file. */
  subId: string;
  subName: string;
  innerId: string;
  innerName: string;
  innerSha: string;
  /** A file beside the shared folder (in Work): never shared. */
  privateId: string;
  privateName: string;
  privateVersionId: string;
  privateSha: string;
  editorShareId: string;
  viewerShareId: string;
}

/** What the acting user owns themself, for moves and copies between trees. */
interface Own {
  rootId: string;
  folderId: string;
  fileId: string;
  fileName: string;
}

interface CheckCtx {
  actor: ActorName;
  f: Fx;
  me: Own;
}

/** Checks on an allowed answer (state changes land where they should); returns a problem, if any. */
type Check = (a: Answer, x: CheckCtx) => Promise<string | void> | string | void;

interface Row {
  method: string;
  route: string;
  label: string;
  req(f: Fx, me: Own): Req;
  expect: Expect;
  /** Changes state: every actor gets a fresh fixture, and a refusal must change nothing. */
  write?: boolean;
  /** Runs on a fresh fixture before the request. */
  prepare?(f: Fx): Promise<void>;
  /** Error codes other than the usual ones (401 unauthenticated, 403 forbidden, 404 not_found). */
  codes?: Partial<Record<number, ErrorCode>>;
  check?: Check;
  /** Strings the caller named in the request itself, which the answer may carry back. */
  echoes?(f: Fx): string[];
}

const enc = encodeURIComponent;
const DEFAULT_CODES: Partial<Record<number, ErrorCode>> = {
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
};

/** Everyone but the owner: 404 (or 401). */
const OWNER_ONLY_READ = (s: number): Expect => ({
  owner: s,
  editor: 404,
  viewer: 404,
  stranger: 404,
  anonymous: 401,
  admin: 404,
});

// The users, set up in beforeAll.
const C = {} as Record<ActorName | 'taker', Client>;
const U = {} as Record<ActorName | 'taker', string>;

const TABLE: Row[] = [
  // ---------------------------------------------------------------- metadata and listings
  {
    method: 'GET',
    route: '/api/nodes/:id',
    label: 'the shared folder',
    req: (f) => ({ method: 'GET', path: `/api/nodes/${f.sharedId}` }),
    expect: { owner: 200, editor: 200, viewer: 200, stranger: 404, anonymous: 401, admin: 404 },
    check: (a, { actor, f }) => {
      const want = actor === 'owner' ? `/${f.workName}/${f.sharedName}` : `/${f.sharedName}`;
      if (a.body.path !== want) return `path ${a.body.path}, expected ${want}`;
    },
  },
  {
    method: 'GET',
    route: '/api/nodes/:id',
    label: 'a file in the shared folder',
    req: (f) => ({ method: 'GET', path: `/api/nodes/${f.docId}` }),
    expect: { owner: 200, editor: 200, viewer: 200, stranger: 404, anonymous: 401, admin: 404 },
  },
  {
    method: 'GET',
    route: '/api/nodes/:id',
    label: 'a file in a subfolder of the shared folder',
    req: (f) => ({ method: 'GET', path: `/api/nodes/${f.innerId}` }),
    expect: { owner: 200, editor: 200, viewer: 200, stranger: 404, anonymous: 401, admin: 404 },
    check: (a, { actor, f }) => {
      if (actor !== 'owner' && a.body.path !== `/${f.sharedName}/${f.subName}/${f.innerName}`)
        return `path ${a.body.path}`;
    },
  },
  {
    method: 'GET',
    route: '/api/nodes/:id',
    label: "the owner's folder above the share",
    req: (f) => ({ method: 'GET', path: `/api/nodes/${f.workId}` }),
    expect: OWNER_ONLY_READ(200),
  },
  {
    method: 'GET',
    route: '/api/nodes/:id',
    label: "the owner's file beside the share",
    req: (f) => ({ method: 'GET', path: `/api/nodes/${f.privateId}` }),
    expect: OWNER_ONLY_READ(200),
  },
  {
    method: 'GET',
    route: '/api/nodes/:id',
    label: 'a file an editor moved to the trash',
    prepare: (f) => editorTrashes(f.docId),
    req: (f) => ({ method: 'GET', path: `/api/nodes/${f.docId}` }),
    expect: { owner: 404, editor: 404, viewer: 404, stranger: 404, anonymous: 401, admin: 404 },
  },
  {
    method: 'GET',
    route: '/api/nodes/:id/children',
    label: 'the shared folder',
    req: (f) => ({ method: 'GET', path: `/api/nodes/${f.sharedId}/children` }),
    expect: { owner: 200, editor: 200, viewer: 200, stranger: 404, anonymous: 401, admin: 404 },
    check: (a, { f }) => {
      const names = a.body.items.map((i: any) => i.name);
      if (JSON.stringify(names) !== JSON.stringify([f.subName, f.docName])) return `items ${names}`;
    },
  },
  {
    method: 'GET',
    route: '/api/nodes/:id/children',
    label: 'a subfolder of the shared folder',
    req: (f) => ({ method: 'GET', path: `/api/nodes/${f.subId}/children` }),
    expect: { owner: 200, editor: 200, viewer: 200, stranger: 404, anonymous: 401, admin: 404 },
  },
  {
    method: 'GET',
    route: '/api/nodes/:id/children',
    label: "the owner's folder above the share",
    req: (f) => ({ method: 'GET', path: `/api/nodes/${f.workId}/children` }),
    expect: OWNER_ONLY_READ(200),
  },
  {
    method: 'GET',
    route: '/api/resolve',
    label: 'a file, from the shared folder',
    req: (f) => ({ method: 'GET', path: `/api/resolve?path=${enc(`/${f.docName}`)}&from=${f.sharedId}` }),
    expect: { owner: 200, editor: 200, viewer: 200, stranger: 404, anonymous: 401, admin: 404 },
    check: (a, { f }) => (a.body.id === f.docId ? undefined : `resolved to ${a.body.id}`),
  },
  {
    method: 'GET',
    route: '/api/resolve',
    label: 'a deeper file, from the shared folder',
    req: (f) => ({
      method: 'GET',
      path: `/api/resolve?path=${enc(`/${f.subName}/${f.innerName}`)}&from=${f.sharedId}`,
    }),
    expect: { owner: 200, editor: 200, viewer: 200, stranger: 404, anonymous: 401, admin: 404 },
    check: (a, { f }) => (a.body.id === f.innerId ? undefined : `resolved to ${a.body.id}`),
  },
  {
    method: 'GET',
    route: '/api/resolve',
    label: 'climbing out of the shared folder with ..',
    req: (f) => ({
      method: 'GET',
      path: `/api/resolve?path=${enc(`/../${f.privateName}`)}&from=${f.sharedId}`,
    }),
    expect: { owner: 400, editor: 400, viewer: 400, stranger: 400, anonymous: 401, admin: 400 },
    codes: { 400: 'invalid_path' },
  },
  {
    method: 'GET',
    route: '/api/resolve',
    label: "the private file, from the owner's folder above the share",
    req: (f) => ({ method: 'GET', path: `/api/resolve?path=${enc(`/${f.privateName}`)}&from=${f.workId}` }),
    expect: OWNER_ONLY_READ(200),
  },
  {
    method: 'GET',
    route: '/api/resolve',
    label: "the owner's full path, without from (each caller resolves in their own files)",
    req: (f) => ({ method: 'GET', path: `/api/resolve?path=${enc(`/${f.workName}/${f.sharedName}`)}` }),
    expect: OWNER_ONLY_READ(200),
  },
  {
    method: 'GET',
    route: '/api/search',
    label: "a name in the owner's shared folder (search reads only the caller's own tree)",
    req: (f) => ({ method: 'GET', path: `/api/search?q=${enc(f.docName)}` }),
    expect: { owner: 200, editor: 200, viewer: 200, stranger: 200, anonymous: 401, admin: 200 },
    check: (a, { actor, f }) => {
      const ids = a.body.items.map((i: any) => i.id);
      const want = actor === 'owner' ? [f.docId] : [];
      if (JSON.stringify(ids) !== JSON.stringify(want)) return `found ${ids}`;
    },
  },

  {
    method: 'GET',
    route: '/api/nodes/root',
    label: "the caller's own root, never the owner's",
    req: () => ({ method: 'GET', path: '/api/nodes/root' }),
    expect: { owner: 200, editor: 200, viewer: 200, stranger: 200, anonymous: 401, admin: 200 },
    check: (a, { actor }) => (a.body.id === C[actor].rootId ? undefined : `root ${a.body.id}`),
  },
  {
    method: 'PUT',
    route: '/api/files',
    label: "upload by the owner's path (lands in the caller's own files)",
    write: true,
    req: (f) => ({
      method: 'PUT',
      path: `/api/files?path=${enc(`/${f.workName}/${f.sharedName}/${f.docName}`)}`,
      raw: 'by path',
    }),
    expect: { owner: 200, editor: 201, viewer: 201, stranger: 201, anonymous: 401, admin: 201 },
    echoes: (f) => [f.docName],
    check: async (a, { actor, f }) => {
      if (actor === 'owner') return ownerReads(f.docId, 'by path');
      if (a.body.id === f.docId) return "overwrote the owner's file";
      return ownerReads(f.docId, `second draft ${f.tag}`);
    },
  },

  // ---------------------------------------------------------------- content, versions, zips
  {
    method: 'GET',
    route: '/api/nodes/:id/content',
    label: 'a file in the shared folder',
    req: (f) => ({ method: 'GET', path: `/api/nodes/${f.docId}/content` }),
    expect: { owner: 200, editor: 200, viewer: 200, stranger: 404, anonymous: 401, admin: 404 },
    check: (a, { f }) => (a.text === `second draft ${f.tag}` ? undefined : `content ${a.text}`),
  },
  {
    method: 'GET',
    route: '/api/nodes/:id/content',
    label: 'an older version of a file in the shared folder',
    req: (f) => ({ method: 'GET', path: `/api/nodes/${f.docId}/content?version=${f.oldVersionId}` }),
    expect: { owner: 200, editor: 200, viewer: 200, stranger: 404, anonymous: 401, admin: 404 },
    check: (a, { f }) => (a.text === `first draft ${f.tag}` ? undefined : `content ${a.text}`),
  },
  {
    method: 'GET',
    route: '/api/nodes/:id/content',
    label: "the private file's version through the shared file",
    req: (f) => ({ method: 'GET', path: `/api/nodes/${f.docId}/content?version=${f.privateVersionId}` }),
    expect: { owner: 404, editor: 404, viewer: 404, stranger: 404, anonymous: 401, admin: 404 },
  },
  {
    method: 'GET',
    route: '/api/nodes/:id/content',
    label: "the owner's file beside the share",
    req: (f) => ({ method: 'GET', path: `/api/nodes/${f.privateId}/content` }),
    expect: OWNER_ONLY_READ(200),
  },
  {
    method: 'GET',
    route: '/api/nodes/:id/content',
    label: 'a range of a file in the shared folder',
    req: (f) => ({ method: 'GET', path: `/api/nodes/${f.docId}/content`, headers: { range: 'bytes=0-5' } }),
    expect: { owner: 206, editor: 206, viewer: 206, stranger: 404, anonymous: 401, admin: 404 },
  },
  {
    method: 'GET',
    route: '/api/nodes/:id/versions',
    label: 'a file in the shared folder',
    req: (f) => ({ method: 'GET', path: `/api/nodes/${f.docId}/versions` }),
    expect: { owner: 200, editor: 200, viewer: 200, stranger: 404, anonymous: 401, admin: 404 },
    check: (a, { f }) => {
      const ids = a.body.items.map((v: any) => v.id).sort();
      if (JSON.stringify(ids) !== JSON.stringify([f.oldVersionId, f.currentVersionId].sort()))
        return `versions ${ids}`;
    },
  },
  {
    method: 'GET',
    route: '/api/nodes/:id/versions',
    label: "the owner's file beside the share",
    req: (f) => ({ method: 'GET', path: `/api/nodes/${f.privateId}/versions` }),
    expect: OWNER_ONLY_READ(200),
  },
  {
    method: 'GET',
    route: '/api/nodes/:id/zip',
    label: 'the shared folder',
    req: (f) => ({ method: 'GET', path: `/api/nodes/${f.sharedId}/zip` }),
    expect: { owner: 200, editor: 200, viewer: 200, stranger: 404, anonymous: 401, admin: 404 },
    check: (a, { f }) =>
      a.text.includes(f.docName) && a.text.includes(f.innerName) ? undefined : 'zip lacks the shared files',
  },
  {
    method: 'GET',
    route: '/api/nodes/:id/zip',
    label: 'a file in the shared folder',
    req: (f) => ({ method: 'GET', path: `/api/nodes/${f.docId}/zip` }),
    expect: { owner: 200, editor: 200, viewer: 200, stranger: 404, anonymous: 401, admin: 404 },
  },
  {
    method: 'GET',
    route: '/api/nodes/:id/zip',
    label: "the owner's folder above the share",
    req: (f) => ({ method: 'GET', path: `/api/nodes/${f.workId}/zip` }),
    expect: OWNER_ONLY_READ(200),
  },
  {
    method: 'GET',
    route: '/api/zip',
    label: 'a file and a subfolder of the shared folder',
    req: (f) => ({ method: 'GET', path: `/api/zip?ids=${f.docId},${f.subId}` }),
    expect: { owner: 200, editor: 200, viewer: 200, stranger: 404, anonymous: 401, admin: 404 },
  },
  {
    method: 'GET',
    route: '/api/zip',
    label: 'my own file and the shared folder',
    req: (f, me) => ({ method: 'GET', path: `/api/zip?ids=${me.fileId},${f.sharedId}` }),
    expect: { owner: 200, editor: 200, viewer: 200, stranger: 404, anonymous: 401, admin: 404 },
  },
  {
    method: 'GET',
    route: '/api/zip',
    label: "the shared folder and the owner's file beside it",
    req: (f) => ({ method: 'GET', path: `/api/zip?ids=${f.sharedId},${f.privateId}` }),
    expect: OWNER_ONLY_READ(200),
  },

  // ---------------------------------------------------------------- sharing (reads)
  {
    method: 'GET',
    route: '/api/nodes/:id/shares',
    label: 'the shared folder',
    req: (f) => ({ method: 'GET', path: `/api/nodes/${f.sharedId}/shares` }),
    expect: { owner: 200, editor: 403, viewer: 403, stranger: 404, anonymous: 401, admin: 404 },
  },
  {
    method: 'GET',
    route: '/api/nodes/:id/shares',
    label: 'a file in the shared folder',
    req: (f) => ({ method: 'GET', path: `/api/nodes/${f.docId}/shares` }),
    expect: { owner: 200, editor: 403, viewer: 403, stranger: 404, anonymous: 401, admin: 404 },
  },
  {
    method: 'GET',
    route: '/api/shares/incoming',
    label: 'items shared with me',
    req: () => ({ method: 'GET', path: '/api/shares/incoming' }),
    expect: { owner: 200, editor: 200, viewer: 200, stranger: 200, anonymous: 401, admin: 200 },
    check: (a, { actor, f }) => {
      const mine = a.body.items.filter((i: any) => i.id === f.sharedId);
      if (!RECIPIENTS.includes(actor)) return mine.length ? 'lists the shared folder' : undefined;
      if (mine.length !== 1 || mine[0].share.role !== actor || mine[0].share.owner !== U.owner)
        return `shared folder listed as ${JSON.stringify(mine)}`;
    },
  },
  {
    method: 'GET',
    route: '/api/shares/outgoing',
    label: 'items I shared',
    req: () => ({ method: 'GET', path: '/api/shares/outgoing' }),
    expect: { owner: 200, editor: 200, viewer: 200, stranger: 200, anonymous: 401, admin: 200 },
    check: (a, { actor, f }) => {
      const withWhom = a.body.items
        .filter((i: any) => i.id === f.sharedId)
        .map((i: any) => i.share.with)
        .sort();
      const want = actor === 'owner' ? [U.editor, U.viewer].sort() : [];
      if (JSON.stringify(withWhom) !== JSON.stringify(want)) return `shared with ${withWhom}`;
    },
  },

  // ---------------------------------------------------------------- folders, rename, move
  {
    method: 'POST',
    route: '/api/nodes/:id/folders',
    label: 'in the shared folder',
    write: true,
    req: (f) => ({ method: 'POST', path: `/api/nodes/${f.sharedId}/folders`, json: { name: 'New' } }),
    expect: { owner: 201, editor: 201, viewer: 403, stranger: 404, anonymous: 401, admin: 404 },
    check: (a, { f }) => ownerSees(a.body.id, f.sharedId),
  },
  {
    method: 'POST',
    route: '/api/nodes/:id/folders',
    label: 'mkdir -p in a subfolder of the shared folder',
    write: true,
    req: (f) => ({
      method: 'POST',
      path: `/api/nodes/${f.subId}/folders`,
      json: { name: 'a/b', parents: true },
    }),
    expect: { owner: 201, editor: 201, viewer: 403, stranger: 404, anonymous: 401, admin: 404 },
    check: (a) => ownerSees(a.body.id),
  },
  {
    method: 'POST',
    route: '/api/nodes/:id/folders',
    label: "in the owner's folder above the share",
    write: true,
    req: (f) => ({ method: 'POST', path: `/api/nodes/${f.workId}/folders`, json: { name: 'New' } }),
    expect: OWNER_ONLY_READ(201),
  },
  {
    method: 'PATCH',
    route: '/api/nodes/:id',
    label: 'rename a file in the shared folder',
    write: true,
    req: (f) => ({ method: 'PATCH', path: `/api/nodes/${f.docId}`, json: { name: 'renamed.txt' } }),
    expect: { owner: 200, editor: 200, viewer: 403, stranger: 404, anonymous: 401, admin: 404 },
    check: async (_a, { f }) => {
      const n = await C.owner.json('GET', `/api/nodes/${f.docId}`);
      if (n.body.name !== 'renamed.txt') return `the owner sees ${n.body.name}`;
    },
  },
  {
    method: 'PATCH',
    route: '/api/nodes/:id',
    label: 'rename a subfolder of the shared folder',
    write: true,
    req: (f) => ({ method: 'PATCH', path: `/api/nodes/${f.subId}`, json: { name: 'Renamed' } }),
    expect: { owner: 200, editor: 200, viewer: 403, stranger: 404, anonymous: 401, admin: 404 },
  },
  {
    method: 'PATCH',
    route: '/api/nodes/:id',
    label: 'rename the shared folder itself',
    write: true,
    req: (f) => ({ method: 'PATCH', path: `/api/nodes/${f.sharedId}`, json: { name: 'Mine now' } }),
    expect: { owner: 200, editor: 403, viewer: 403, stranger: 404, anonymous: 401, admin: 404 },
  },
  {
    method: 'PATCH',
    route: '/api/nodes/:id',
    label: 'move a file within the shared folder (into its subfolder)',
    write: true,
    req: (f) => ({ method: 'PATCH', path: `/api/nodes/${f.docId}`, json: { parentId: f.subId } }),
    expect: { owner: 200, editor: 200, viewer: 403, stranger: 404, anonymous: 401, admin: 404 },
    check: (_a, { f }) => ownerSees(f.docId, f.subId),
  },
  {
    method: 'PATCH',
    route: '/api/nodes/:id',
    label: "move a file out of the shared folder into the actor's own folder",
    write: true,
    req: (f, me) => ({ method: 'PATCH', path: `/api/nodes/${f.docId}`, json: { parentId: me.folderId } }),
    expect: { owner: 200, editor: 409, viewer: 403, stranger: 404, anonymous: 401, admin: 404 },
    codes: { 409: 'cross_owner_move' },
  },
  {
    method: 'PATCH',
    route: '/api/nodes/:id',
    label: "move a file out of the shared folder into the owner's folder above it",
    write: true,
    req: (f) => ({ method: 'PATCH', path: `/api/nodes/${f.docId}`, json: { parentId: f.workId } }),
    expect: { owner: 200, editor: 404, viewer: 403, stranger: 404, anonymous: 401, admin: 404 },
  },
  {
    method: 'PATCH',
    route: '/api/nodes/:id',
    label: "move the actor's own file into the shared folder",
    write: true,
    req: (f, me) => ({ method: 'PATCH', path: `/api/nodes/${me.fileId}`, json: { parentId: f.sharedId } }),
    expect: { owner: 200, editor: 409, viewer: 403, stranger: 404, anonymous: 401, admin: 404 },
    codes: { 409: 'cross_owner_move' },
  },
  {
    method: 'PATCH',
    route: '/api/nodes/:id',
    label: "move the shared folder itself into the actor's own folder",
    write: true,
    req: (f, me) => ({ method: 'PATCH', path: `/api/nodes/${f.sharedId}`, json: { parentId: me.folderId } }),
    expect: { owner: 200, editor: 403, viewer: 403, stranger: 404, anonymous: 401, admin: 404 },
  },

  // ---------------------------------------------------------------- copy
  {
    method: 'POST',
    route: '/api/nodes/:id/copy',
    label: 'a file in the shared folder, into the shared folder',
    write: true,
    req: (f) => ({ method: 'POST', path: `/api/nodes/${f.docId}/copy`, json: { parentId: f.sharedId } }),
    expect: { owner: 201, editor: 201, viewer: 403, stranger: 404, anonymous: 401, admin: 404 },
    check: (a, { f }) => ownerSees(a.body.id, f.sharedId),
  },
  {
    method: 'POST',
    route: '/api/nodes/:id/copy',
    label: "a file in the shared folder, into the actor's own root",
    write: true,
    req: (f, me) => ({ method: 'POST', path: `/api/nodes/${f.docId}/copy`, json: { parentId: me.rootId } }),
    expect: { owner: 201, editor: 201, viewer: 201, stranger: 404, anonymous: 401, admin: 404 },
    check: (a, x) => actorOwns(a, x),
  },
  {
    method: 'POST',
    route: '/api/nodes/:id/copy',
    label: "the shared folder, into the actor's own root",
    write: true,
    req: (f, me) => ({
      method: 'POST',
      path: `/api/nodes/${f.sharedId}/copy`,
      json: { parentId: me.rootId },
    }),
    expect: { owner: 201, editor: 201, viewer: 201, stranger: 404, anonymous: 401, admin: 404 },
    check: (a, x) => actorOwns(a, x),
  },
  {
    method: 'POST',
    route: '/api/nodes/:id/copy',
    label: "the actor's own file, into the shared folder",
    write: true,
    req: (f, me) => ({
      method: 'POST',
      path: `/api/nodes/${me.fileId}/copy`,
      json: { parentId: f.sharedId },
    }),
    expect: { owner: 201, editor: 201, viewer: 403, stranger: 404, anonymous: 401, admin: 404 },
    check: (a, { f }) => ownerSees(a.body.id, f.sharedId),
  },
  {
    method: 'POST',
    route: '/api/nodes/:id/copy',
    label: "the owner's file beside the share, into the actor's own root",
    write: true,
    req: (f, me) => ({
      method: 'POST',
      path: `/api/nodes/${f.privateId}/copy`,
      json: { parentId: me.rootId },
    }),
    expect: OWNER_ONLY_READ(201),
  },

  // ---------------------------------------------------------------- delete to the trash
  {
    method: 'DELETE',
    route: '/api/nodes/:id',
    label: 'a file in the shared folder',
    write: true,
    req: (f) => ({ method: 'DELETE', path: `/api/nodes/${f.docId}` }),
    expect: { owner: 204, editor: 204, viewer: 403, stranger: 404, anonymous: 401, admin: 404 },
    check: async (_a, { f }) => {
      const trash = await C.owner.json('GET', '/api/trash?limit=1000');
      if (!trash.body.items.some((i: any) => i.id === f.docId)) return "not in the owner's trash";
    },
  },
  {
    method: 'DELETE',
    route: '/api/nodes/:id',
    label: 'a subfolder of the shared folder',
    write: true,
    req: (f) => ({ method: 'DELETE', path: `/api/nodes/${f.subId}` }),
    expect: { owner: 204, editor: 204, viewer: 403, stranger: 404, anonymous: 401, admin: 404 },
  },
  {
    method: 'DELETE',
    route: '/api/nodes/:id',
    label: 'the shared folder itself',
    write: true,
    req: (f) => ({ method: 'DELETE', path: `/api/nodes/${f.sharedId}` }),
    expect: { owner: 204, editor: 403, viewer: 403, stranger: 404, anonymous: 401, admin: 404 },
  },
  {
    method: 'DELETE',
    route: '/api/nodes/:id',
    label: "the owner's file beside the share",
    write: true,
    req: (f) => ({ method: 'DELETE', path: `/api/nodes/${f.privateId}` }),
    expect: OWNER_ONLY_READ(204),
  },

  // ---------------------------------------------------------------- uploads and versions
  {
    method: 'PUT',
    route: '/api/nodes/:id/files/:name',
    label: 'a new file into the shared folder',
    write: true,
    req: (f) => ({ method: 'PUT', path: `/api/nodes/${f.sharedId}/files/new.txt`, raw: 'twelve bytes' }),
    expect: { owner: 201, editor: 201, viewer: 403, stranger: 404, anonymous: 401, admin: 404 },
    check: (a, { f }) => ownerSees(a.body.id, f.sharedId),
  },
  {
    method: 'PUT',
    route: '/api/nodes/:id/files/:name',
    label: 'over a file in the shared folder (new version)',
    write: true,
    req: (f) => ({ method: 'PUT', path: `/api/nodes/${f.sharedId}/files/${enc(f.docName)}`, raw: 'third' }),
    expect: { owner: 200, editor: 200, viewer: 403, stranger: 404, anonymous: 401, admin: 404 },
    check: (_a, { f }) => ownerReads(f.docId, 'third'),
  },
  {
    method: 'PUT',
    route: '/api/nodes/:id/files/:name',
    label: 'a new file into a subfolder of the shared folder',
    write: true,
    req: (f) => ({ method: 'PUT', path: `/api/nodes/${f.subId}/files/new.txt`, raw: 'x' }),
    expect: { owner: 201, editor: 201, viewer: 403, stranger: 404, anonymous: 401, admin: 404 },
  },
  {
    method: 'PUT',
    route: '/api/nodes/:id/files/:name',
    label: "a new file into the owner's folder above the share",
    write: true,
    req: (f) => ({ method: 'PUT', path: `/api/nodes/${f.workId}/files/new.txt`, raw: 'x' }),
    expect: OWNER_ONLY_READ(201),
  },
  {
    method: 'POST',
    route: '/api/nodes/:id/files',
    label: 'multipart, a plain file name, into the shared folder',
    write: true,
    req: (f) => ({
      method: 'POST',
      path: `/api/nodes/${f.sharedId}/files`,
      multipart: { filename: 'form.txt', content: 'from a form' },
    }),
    expect: { owner: 201, editor: 201, viewer: 403, stranger: 404, anonymous: 401, admin: 404 },
    check: (a, { f }) => ownerSees(a.body.items[0].id, f.sharedId),
  },
  {
    method: 'POST',
    route: '/api/nodes/:id/files',
    label: 'multipart, a relative path (folder upload), into the shared folder',
    write: true,
    req: (f) => ({
      method: 'POST',
      path: `/api/nodes/${f.sharedId}/files`,
      multipart: { filename: 'dropped/deep.txt', content: 'from a folder upload' },
    }),
    expect: { owner: 201, editor: 201, viewer: 403, stranger: 404, anonymous: 401, admin: 404 },
    check: async (a, { f }) => {
      const r = await C.owner.json(
        'GET',
        `/api/resolve?path=${enc(`/${f.workName}/${f.sharedName}/dropped/deep.txt`)}`,
      );
      if (r.status !== 200 || r.body.id !== a.body.items[0].id)
        return `the upload did not land in the shared folder (answer says ${JSON.stringify(a.body.items[0])}, the owner's resolve gives ${r.status})`;
    },
  },
  {
    method: 'PUT',
    route: '/api/nodes/:id/content',
    label: 'replace the content of a file in the shared folder',
    write: true,
    req: (f) => ({ method: 'PUT', path: `/api/nodes/${f.docId}/content`, raw: 'replaced' }),
    expect: { owner: 200, editor: 200, viewer: 403, stranger: 404, anonymous: 401, admin: 404 },
    check: (_a, { f }) => ownerReads(f.docId, 'replaced'),
  },
  {
    method: 'PUT',
    route: '/api/nodes/:id/content',
    label: "replace the content of the owner's file beside the share",
    write: true,
    req: (f) => ({ method: 'PUT', path: `/api/nodes/${f.privateId}/content`, raw: 'replaced' }),
    expect: OWNER_ONLY_READ(200),
  },
  {
    method: 'POST',
    route: '/api/nodes/:id/versions/:versionId/restore',
    label: 'an older version of a file in the shared folder',
    write: true,
    req: (f) => ({ method: 'POST', path: `/api/nodes/${f.docId}/versions/${f.oldVersionId}/restore` }),
    expect: { owner: 200, editor: 200, viewer: 403, stranger: 404, anonymous: 401, admin: 404 },
    check: (_a, { f }) => ownerReads(f.docId, `first draft ${f.tag}`),
  },
  {
    method: 'POST',
    route: '/api/nodes/:id/versions/:versionId/restore',
    label: "the private file's version, through a file in the shared folder",
    write: true,
    req: (f) => ({ method: 'POST', path: `/api/nodes/${f.docId}/versions/${f.privateVersionId}/restore` }),
    expect: { owner: 404, editor: 404, viewer: 403, stranger: 404, anonymous: 401, admin: 404 },
  },

  // ---------------------------------------------------------------- sharing (writes)
  {
    method: 'POST',
    route: '/api/nodes/:id/shares',
    label: 'share the shared folder with a third user',
    write: true,
    req: (f) => ({
      method: 'POST',
      path: `/api/nodes/${f.sharedId}/shares`,
      json: { user: U.taker, role: 'editor' },
    }),
    expect: { owner: 201, editor: 403, viewer: 403, stranger: 404, anonymous: 401, admin: 404 },
  },
  {
    method: 'POST',
    route: '/api/nodes/:id/shares',
    label: 'share a file in the shared folder with a third user',
    write: true,
    req: (f) => ({
      method: 'POST',
      path: `/api/nodes/${f.docId}/shares`,
      json: { user: U.taker, role: 'viewer' },
    }),
    expect: { owner: 201, editor: 403, viewer: 403, stranger: 404, anonymous: 401, admin: 404 },
  },
  {
    method: 'PATCH',
    route: '/api/shares/:id',
    label: "raise the viewer's share to editor",
    write: true,
    req: (f) => ({ method: 'PATCH', path: `/api/shares/${f.viewerShareId}`, json: { role: 'editor' } }),
    expect: { owner: 200, editor: 404, viewer: 404, stranger: 404, anonymous: 401, admin: 404 },
  },
  {
    method: 'PATCH',
    route: '/api/shares/:id',
    label: "lower the editor's share to viewer",
    write: true,
    req: (f) => ({ method: 'PATCH', path: `/api/shares/${f.editorShareId}`, json: { role: 'viewer' } }),
    expect: { owner: 200, editor: 404, viewer: 404, stranger: 404, anonymous: 401, admin: 404 },
  },
  {
    method: 'DELETE',
    route: '/api/shares/:id',
    label: "the viewer's share",
    write: true,
    req: (f) => ({ method: 'DELETE', path: `/api/shares/${f.viewerShareId}` }),
    expect: { owner: 204, editor: 404, viewer: 204, stranger: 404, anonymous: 401, admin: 404 },
    check: async (_a, { f }) => {
      const r = await C.viewer.json('GET', `/api/nodes/${f.sharedId}`);
      if (r.status !== 404) return `the viewer still gets ${r.status}`;
    },
  },
  {
    method: 'DELETE',
    route: '/api/shares/:id',
    label: "the editor's share",
    write: true,
    req: (f) => ({ method: 'DELETE', path: `/api/shares/${f.editorShareId}` }),
    expect: { owner: 204, editor: 204, viewer: 404, stranger: 404, anonymous: 401, admin: 404 },
    check: async (_a, { f }) => {
      const r = await C.editor.json('GET', `/api/nodes/${f.docId}`);
      if (r.status !== 404) return `the editor still gets ${r.status}`;
    },
  },
  {
    method: 'POST',
    route: '/api/nodes/:id/transfer',
    label: 'give the shared folder to a third user',
    write: true,
    req: (f) => ({ method: 'POST', path: `/api/nodes/${f.sharedId}/transfer`, json: { user: U.taker } }),
    expect: { owner: 200, editor: 403, viewer: 403, stranger: 404, anonymous: 401, admin: 404 },
    check: async (_a, { f }) => {
      const r = await C.taker.json('GET', `/api/nodes/${f.sharedId}/shares`);
      if (r.status !== 200) return `the new owner gets ${r.status}`;
    },
  },
  {
    method: 'POST',
    route: '/api/nodes/:id/transfer',
    label: 'give a file in the shared folder to a third user',
    write: true,
    req: (f) => ({ method: 'POST', path: `/api/nodes/${f.docId}/transfer`, json: { user: U.taker } }),
    expect: { owner: 200, editor: 403, viewer: 403, stranger: 404, anonymous: 401, admin: 404 },
  },

  // ---------------------------------------------------------------- the trash (an editor deleted a file)
  {
    method: 'GET',
    route: '/api/trash',
    label: 'a file an editor deleted is in the owner’s trash only',
    prepare: (f) => editorTrashes(f.docId),
    req: () => ({ method: 'GET', path: '/api/trash?limit=1000' }),
    expect: { owner: 200, editor: 200, viewer: 200, stranger: 200, anonymous: 401, admin: 200 },
    check: (a, { actor, f }) => {
      const listed = a.body.items.some((i: any) => i.id === f.docId);
      if (listed !== (actor === 'owner')) return listed ? 'listed' : 'not listed';
    },
  },
  {
    method: 'DELETE',
    route: '/api/trash',
    label: "emptying one's trash after an editor deleted a file purges only the caller's own",
    write: true,
    prepare: (f) => editorTrashes(f.docId),
    req: () => ({ method: 'DELETE', path: '/api/trash' }),
    expect: { owner: 200, editor: 200, viewer: 200, stranger: 200, anonymous: 401, admin: 200 },
    check: async (_a, { actor, f }) => {
      const trash = (await C.owner.json('GET', '/api/trash?limit=1000', undefined, 200)).body.items;
      const there = trash.some((i: any) => i.id === f.docId);
      if (there === (actor === 'owner'))
        return there ? 'still in the owner’s trash' : 'purged by a recipient';
    },
  },
  {
    method: 'POST',
    route: '/api/trash/:id/restore',
    label: 'a file an editor deleted',
    write: true,
    prepare: (f) => editorTrashes(f.docId),
    req: (f) => ({ method: 'POST', path: `/api/trash/${f.docId}/restore` }),
    expect: { owner: 200, editor: 404, viewer: 404, stranger: 404, anonymous: 401, admin: 404 },
    check: async (_a, { f }) => {
      const r = await C.editor.json('GET', `/api/nodes/${f.docId}`);
      if (r.status !== 200) return `the editor gets ${r.status} after the restore`;
    },
  },
  {
    method: 'DELETE',
    route: '/api/trash/:id',
    label: 'a file an editor deleted, forever',
    write: true,
    prepare: (f) => editorTrashes(f.docId),
    req: (f) => ({ method: 'DELETE', path: `/api/trash/${f.docId}` }),
    expect: { owner: 204, editor: 404, viewer: 404, stranger: 404, anonymous: 401, admin: 404 },
  },
];

/** HEAD is answered for every GET route and must follow the same rules (no body to check). */
const ROWS: Row[] = TABLE.flatMap((r) =>
  r.method === 'GET'
    ? [
        r,
        {
          ...r,
          method: 'HEAD',
          check: undefined,
          req: (f: Fx, me: Own) => ({ ...r.req(f, me), method: 'HEAD' }),
        },
      ]
    : [r],
);

const rowName = (r: Row) => `${r.method} ${r.route} [${r.label}]`;
const fresh = (r: Row) => !!(r.write || r.prepare);

// ---------------------------------------------------------------- helpers

let base = '';

const sendAs = (bearer: string | null, r: Req): Promise<Answer> => send(base, bearer ? { bearer } : null, r);

const as = (actor: ActorName, r: Req) => sendAs(actor === 'anonymous' ? null : C[actor].token!, r);

async function mkdir(c: Client, parentId: string, name: string): Promise<any> {
  return (await c.json('POST', `/api/nodes/${parentId}/folders`, { name }, 201)).body;
}

async function put(c: Client, folderId: string, name: string, content: string, status: number) {
  const r = await c.request('PUT', `/api/nodes/${folderId}/files/${enc(name)}`, {
    headers: { 'content-type': 'text/plain' },
    body: content,
  });
  const text = r.body.toString('utf8');
  if (r.status !== status) throw new Error(`PUT ${name}: ${r.status} ${text}`);
  return JSON.parse(text);
}

async function makeFixture(): Promise<Fx> {
  const o = C.owner;
  const tag = randomBytes(5).toString('hex');
  const work = await mkdir(o, o.rootId, `Work ${tag}`);
  const shared = await mkdir(o, work.id, `Shared ${tag}`);
  const docName = `doc-${tag}.txt`;
  await put(o, shared.id, docName, `first draft ${tag}`, 201);
  const doc = await put(o, shared.id, docName, `second draft ${tag}`, 200);
  const sub = await mkdir(o, shared.id, `Sub ${tag}`);
  const inner = await put(o, sub.id, `inner-${tag}.txt`, `inner ${tag}`, 201);
  const priv = await put(o, work.id, `private-${tag}.txt`, `private ${tag}`, 201);
  const versions = (await o.json('GET', `/api/nodes/${doc.id}/versions`, undefined, 200)).body.items;
  const privVersions = (await o.json('GET', `/api/nodes/${priv.id}/versions`, undefined, 200)).body.items;
  const share = async (user: string, role: string) =>
    (await o.json('POST', `/api/nodes/${shared.id}/shares`, { user, role }, 201)).body.id as string;
  const old = versions.find((v: any) => !v.current);
  const current = versions.find((v: any) => v.current);
  return {
    tag,
    workId: work.id,
    workName: work.name,
    sharedId: shared.id,
    sharedName: shared.name,
    docId: doc.id,
    docName,
    oldVersionId: old.id,
    currentVersionId: current.id,
    oldSha: old.sha256,
    currentSha: current.sha256,
    subId: sub.id,
    subName: sub.name,
    innerId: inner.id,
    innerName: inner.name,
    innerSha: inner.sha256,
    privateId: priv.id,
    privateName: priv.name,
    privateVersionId: privVersions[0].id,
    privateSha: priv.sha256,
    editorShareId: await share(U.editor, 'editor'),
    viewerShareId: await share(U.viewer, 'viewer'),
  };
}

/** A folder and a file of the actor's own (the anonymous caller names the stranger's). */
async function makeOwn(actor: ActorName): Promise<Own> {
  const c = C[actor === 'anonymous' ? 'stranger' : actor];
  const tag = randomBytes(5).toString('hex');
  const folder = await mkdir(c, c.rootId, `Mine ${tag}`);
  const fileName = `mine-${tag}.txt`;
  const file = await put(c, folder.id, fileName, `mine ${tag}`, 201);
  return { rootId: c.rootId, folderId: folder.id, fileId: file.id, fileName };
}

async function editorTrashes(id: string): Promise<void> {
  await C.editor.json('DELETE', `/api/nodes/${id}`, undefined, 204);
}

/** The owner sees the item (in that folder, when given). */
async function ownerSees(id: string, parentId?: string): Promise<string | void> {
  const r = await C.owner.json('GET', `/api/nodes/${id}`);
  if (r.status !== 200) return `the owner gets ${r.status} for the new item`;
  if (parentId && r.body.parentId !== parentId) return `landed in ${r.body.parentId}, not ${parentId}`;
}

async function ownerReads(id: string, content: string): Promise<string | void> {
  const r = await C.owner.request('GET', `/api/nodes/${id}/content`);
  if (r.body.toString('utf8') !== content) return `the owner reads "${r.body.toString('utf8')}"`;
}

/** A copy into the actor's own root is theirs: they see it there, the owner does not. */
async function actorOwns(a: Answer, { actor }: CheckCtx): Promise<string | void> {
  const mine = await C[actor].json('GET', `/api/nodes/${a.body.id}`);
  if (mine.status !== 200 || mine.body.parentId !== C[actor].rootId)
    return `the copy is not in the actor's root (${mine.status})`;
  if (actor !== 'owner' && (await C.owner.json('GET', `/api/nodes/${a.body.id}`)).status !== 404)
    return 'the owner sees the copy';
}

/** Strings of the owner's that an outsider's answer must never contain. */
function outsiderSecrets(f: Fx): string[] {
  return [
    f.tag,
    f.workId,
    f.sharedId,
    f.docId,
    f.subId,
    f.innerId,
    f.privateId,
    f.oldVersionId,
    f.currentVersionId,
    f.privateVersionId,
    f.editorShareId,
    f.viewerShareId,
    f.oldSha,
    f.currentSha,
    f.innerSha,
    f.privateSha,
    U.owner,
    C.owner.user!.id,
    C.owner.rootId,
  ];
}

/** What a recipient must never see: the owner's things outside the share. */
function recipientSecrets(f: Fx): string[] {
  return [
    f.workName,
    // The id of the owner's folder above the share too (no parentId pointing at it).
    f.workId,
    f.privateId,
    f.privateName,
    f.privateVersionId,
    f.privateSha,
    `private ${f.tag}`,
    C.owner.rootId,
  ];
}

const VOLATILE = new Set(['lastUsedAt', 'lastActiveAt']);

/**
 * The owner's view of the fixture, and the actor's own files: a refused write changes none of it.
 * With `accounts`, also the account-wide state (usage, the whole trash) of the owner and the actor.
 */
async function snapshot(f: Fx, actor: ActorName, accounts = true): Promise<string> {
  const o = C.owner;
  const get = async (c: Client, path: string) => {
    const r = await c.json('GET', path);
    return { status: r.status, body: r.body };
  };
  const state: Record<string, unknown> = {
    work: await get(o, `/api/nodes/${f.workId}/children?limit=1000`),
    shared: await get(o, `/api/nodes/${f.sharedId}/children?limit=1000`),
    sub: await get(o, `/api/nodes/${f.subId}/children?limit=1000`),
    doc: await get(o, `/api/nodes/${f.docId}`),
    versions: await get(o, `/api/nodes/${f.docId}/versions`),
    docContent: (await o.request('GET', `/api/nodes/${f.docId}/content`)).body.toString('utf8'),
    shares: await get(o, `/api/nodes/${f.sharedId}/shares`),
    docShares: await get(o, `/api/nodes/${f.docId}/shares`),
    trash: (await get(o, '/api/trash?limit=1000')).body.items.filter(
      (i: any) => i.originalPath.startsWith(`/${f.workName}`) || i.id === f.workId,
    ),
  };
  if (accounts) state.usage = (await o.me()).usedBytes;
  if (accounts && actor !== 'anonymous' && actor !== 'owner') {
    const c = C[actor];
    state.actorRoot = await get(c, `/api/nodes/${c.rootId}/children?limit=1000`);
    state.actorTrash = await get(c, '/api/trash?limit=1000');
    state.actorUsage = (await c.me()).usedBytes;
    state.incoming = await get(c, '/api/shares/incoming');
  }
  return JSON.stringify(state, (k, v: unknown) => (VOLATILE.has(k) ? undefined : v));
}

describe(`authorization by sharing role (${dialect})`, () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer();
    base = server.url;
    // The first account becomes the administrator: an admin who owns none of the files.
    for (const name of ['admin', 'owner', 'editor', 'viewer', 'stranger', 'taker'] as const) {
      U[name] = `${name}.${randomBytes(3).toString('hex')}`;
      C[name] = await server.user(U[name]);
    }
    expect(C.admin.user!.role).toBe('admin');
    expect(C.owner.user!.role).toBe('user');
  });
  afterAll(async () => server?.close());

  it('answers every route and method as the table says, for every actor, with zero unexpected allows', async () => {
    const started = Date.now();
    const mismatches: string[] = [];
    const unexpectedAllows: string[] = [];
    const leaks: string[] = [];
    let checks = 0;

    const readFx = await makeFixture();
    const readOwn = new Map<ActorName, Own>();
    for (const actor of ACTORS) readOwn.set(actor, await makeOwn(actor));
    const readBefore = await snapshot(readFx, 'owner', false);

    for (const row of ROWS) {
      for (const actor of ACTORS) {
        const where = `${actor}: ${rowName(row)}`;
        const f = fresh(row) ? await makeFixture() : readFx;
        const me = fresh(row) ? await makeOwn(actor) : readOwn.get(actor)!;
        await row.prepare?.(f);
        const want = row.expect[actor];
        const before = row.write && want >= 400 ? await snapshot(f, actor) : null;

        const req = row.req(f, me);
        const a = await as(actor, req);
        checks++;

        if (a.status !== want) {
          mismatches.push(`${where}: expected ${want}, got ${a.status} ${a.text.slice(0, 200)}`);
          if (want >= 400 && a.status < 400) unexpectedAllows.push(`${where}: ${a.status}`);
        } else if (want >= 400 && req.method !== 'HEAD') {
          const code = row.codes?.[want] ?? DEFAULT_CODES[want];
          if (code && ErrorCodes[code] !== want) throw new Error(`${where}: ${code} is not a ${want}`);
          if (code && a.body?.error?.code !== code)
            mismatches.push(`${where}: expected error ${code}, got ${a.text.slice(0, 200)}`);
        } else if (a.status < 300 && row.check) {
          const problem = await row.check(a, { actor, f, me });
          if (problem) mismatches.push(`${where}: allowed as expected, but ${problem}`);
        }

        if (before !== null) {
          const after = await snapshot(f, actor);
          if (after !== before)
            mismatches.push(`${where}: expected a refusal (${want}), got ${a.status}, and the state changed`);
        }

        const secrets = OUTSIDERS.includes(actor)
          ? outsiderSecrets(f)
          : RECIPIENTS.includes(actor)
            ? recipientSecrets(f)
            : [];
        // What the caller named themself may come back; nothing else of the owner's may.
        const text = (row.echoes?.(f) ?? []).reduce((t, e) => t.split(e).join(''), a.text);
        for (const s of secrets)
          if (text.includes(s)) leaks.push(`${where}: the answer contains "${s}": ${a.text.slice(0, 200)}`);
      }
    }
    const readAfter = await snapshot(readFx, 'owner', false);
    if (readAfter !== readBefore) {
      // Say which part changed, so a rare failure can be understood from the log alone.
      const [b, a] = [JSON.parse(readBefore), JSON.parse(readAfter)];
      const changed = Object.keys(b)
        .filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k]))
        .map((k) => `${k}: ${JSON.stringify(b[k]).slice(0, 600)} -> ${JSON.stringify(a[k]).slice(0, 600)}`);
      mismatches.push(`the read-only rows changed the fixture they read: ${changed.join(' | ')}`);
    }

    console.info(
      `authz-roles (${dialect}): ${ROWS.length} rows × ${ACTORS.length} actors = ${checks} checks in ${
        Date.now() - started
      } ms`,
    );
    for (const [what, list] of [
      ['unexpected allows', unexpectedAllows],
      ['mismatches', mismatches],
      ['leaks', leaks],
    ] as const)
      if (list.length) console.error(`${list.length} ${what}:\n${list.join('\n')}`);
    // An empty (or shrunken) table must not pass.
    expect(checks).toBe(ROWS.length * ACTORS.length);
    expect(ROWS.length).toBeGreaterThanOrEqual(90);
    expect(unexpectedAllows, unexpectedAllows.join('\n')).toEqual([]);
    expect(mismatches, mismatches.join('\n')).toEqual([]);
    expect(leaks, leaks.join('\n')).toEqual([]);
  });

  it('covers every route that touches nodes, shares or the trash', () => {
    const covered = new Set(ROWS.map((r) => `${r.method} ${r.route}`));
    const touching = [...registeredRoutes(server)].filter(
      // Public links (…/links, /s/…) have their own matrix in links.test.ts.
      (k) => /^\w+ \/api\/(nodes|shares|zip|resolve|trash|files|search)\b/.test(k) && !/links/.test(k),
    );
    expect(touching.length).toBeGreaterThan(25);
    expect(touching.filter((k) => !covered.has(k)).sort()).toEqual([]);
    expect([...covered].filter((k) => !touching.includes(k)).sort()).toEqual([]);
  });

  it('revocation takes effect on the very next request', async () => {
    const f = await makeFixture();
    const probes = (id: string): Req[] => [
      { method: 'GET', path: `/api/nodes/${id}` },
      { method: 'GET', path: `/api/nodes/${f.sharedId}/children` },
      { method: 'GET', path: `/api/nodes/${f.docId}/content` },
      { method: 'GET', path: `/api/nodes/${f.sharedId}/zip` },
      { method: 'GET', path: `/api/resolve?path=${enc(`/${f.docName}`)}&from=${f.sharedId}` },
    ];
    for (const r of probes(f.docId)) expect((await as('viewer', r)).status, r.path).toBe(200);

    // The owner revokes: the very next request of the viewer is refused, the editor is unaffected.
    await C.owner.json('DELETE', `/api/shares/${f.viewerShareId}`, undefined, 204);
    for (const r of probes(f.docId)) {
      const a = await as('viewer', r);
      expect(a.status, r.path).toBe(404);
      expect(a.body.error.code).toBe('not_found');
    }
    const incoming = (await C.viewer.json('GET', '/api/shares/incoming', undefined, 200)).body.items;
    expect(incoming.map((i: any) => i.id)).not.toContain(f.sharedId);
    for (const r of probes(f.docId)) expect((await as('editor', r)).status, r.path).toBe(200);

    // A role change too: editor → viewer refuses the next upload, and back again allows it.
    const upload = (name: string): Req => ({
      method: 'PUT',
      path: `/api/nodes/${f.sharedId}/files/${name}`,
      raw: 'x',
    });
    expect((await as('editor', upload('one.txt'))).status).toBe(201);
    await C.owner.json('PATCH', `/api/shares/${f.editorShareId}`, { role: 'viewer' }, 200);
    expect((await as('editor', upload('two.txt'))).status).toBe(403);
    await C.owner.json('PATCH', `/api/shares/${f.editorShareId}`, { role: 'editor' }, 200);
    expect((await as('editor', upload('three.txt'))).status).toBe(201);

    // The recipient drops the share from their view: the next request is refused as well.
    await C.editor.json('DELETE', `/api/shares/${f.editorShareId}`, undefined, 204);
    for (const r of probes(f.docId)) expect((await as('editor', r)).status, r.path).toBe(404);
    expect((await as('editor', upload('four.txt'))).status).toBe(404);
    expect((await C.owner.json('GET', `/api/nodes/${f.sharedId}/shares`, undefined, 200)).body.items).toEqual(
      [],
    );
  });

  it('trashing the shared folder cuts every recipient off at once; restoring brings them back', async () => {
    const f = await makeFixture();
    const probes: Req[] = [
      { method: 'GET', path: `/api/nodes/${f.sharedId}` },
      { method: 'GET', path: `/api/nodes/${f.docId}` },
      { method: 'GET', path: `/api/nodes/${f.innerId}` },
      { method: 'GET', path: `/api/nodes/${f.sharedId}/children` },
      { method: 'GET', path: `/api/nodes/${f.subId}/children` },
      { method: 'GET', path: `/api/nodes/${f.docId}/content` },
      { method: 'HEAD', path: `/api/nodes/${f.docId}/content` },
      { method: 'GET', path: `/api/nodes/${f.docId}/versions` },
      { method: 'GET', path: `/api/nodes/${f.sharedId}/zip` },
      { method: 'GET', path: `/api/zip?ids=${f.docId}` },
      { method: 'GET', path: `/api/resolve?path=${enc(`/${f.docName}`)}&from=${f.sharedId}` },
    ];
    const uploadReq: Req = { method: 'PUT', path: `/api/nodes/${f.sharedId}/files/late.txt`, raw: 'late' };
    const listed = async (actor: ActorName) =>
      (await C[actor].json('GET', '/api/shares/incoming', undefined, 200)).body.items.some(
        (i: any) => i.id === f.sharedId,
      );

    for (const actor of RECIPIENTS) {
      for (const r of probes) expect((await as(actor, r)).status, `${actor} ${r.path}`).toBe(200);
      expect(await listed(actor)).toBe(true);
    }

    await C.owner.json('DELETE', `/api/nodes/${f.sharedId}`, undefined, 204);
    for (const actor of RECIPIENTS) {
      for (const r of probes) expect((await as(actor, r)).status, `${actor} ${r.method} ${r.path}`).toBe(404);
      expect((await as(actor, uploadReq)).status, actor).toBe(404);
      expect(await listed(actor)).toBe(false);
      // Nor can a recipient bring it back: the trash is the owner's.
      const restore = await as(actor, { method: 'POST', path: `/api/trash/${f.sharedId}/restore` });
      expect(restore.status).toBe(404);
    }

    await C.owner.json('POST', `/api/trash/${f.sharedId}/restore`, undefined, 200);
    for (const actor of RECIPIENTS) {
      for (const r of probes) expect((await as(actor, r)).status, `${actor} ${r.path}`).toBe(200);
      expect(await listed(actor)).toBe(true);
    }
    expect((await as('editor', uploadReq)).status).toBe(201);
    expect((await as('viewer', uploadReq)).status).toBe(403);
  });
});
