import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, type ErrorCode } from '../src/errors.js';
import type { Client } from './helpers/client.js';
import { registeredRoutes, send, type Answer, type Auth, type Req } from './helpers/matrix.js';
import { dialect, startServer, type TestServer } from './helpers/server.js';

/**
 * Every route the server registers, with what each kind of caller may do with it. Owner A's data
 * is probed by another user, an admin who is not the owner, an anonymous caller, a forged token
 * and a revoked token of A; then the same requests from the owner prove they were well formed.
 */

const PASSWORD = 'correct horse battery';

/** Everything one user owns that a request can name. */
interface Fx {
  client: Client;
  userId: string;
  username: string;
  email: string;
  rootId: string;
  folderId: string;
  folderName: string;
  /** A file inside the folder, with two versions. */
  fileId: string;
  fileName: string;
  oldVersionId: string;
  currentVersionId: string;
  /** A file in the root folder. */
  looseId: string;
  looseName: string;
  /** The root of a trashed item. */
  trashId: string;
  trashName: string;
  patId: string;
  patToken: string;
  /** A share of the file with a third user (not a stranger of the matrix). */
  shareId: string;
  /** A public link to the file (no password, no limits), and its secret token. */
  linkId: string;
  linkToken: string;
  /** An active send of the user's. */
  sendId: string;
  /** A second session of the user, besides the one `client` uses (only when asked for). */
  spareSessionId: string | null;
  spareSessionToken: string | null;
  currentSessionId: string;
  oldSha: string;
  currentSha: string;
  shas: string[];
}

interface Ctx {
  login: { login: string; password: string };
  uniq(): string;
}

interface Call {
  label: string;
  req(t: Fx, me: Fx, ctx: Ctx): Req;
  /** Status when the caller owns the data (or, for admin rows, is an admin). */
  owner: number;
  /** Status for a signed-in caller on 'self' and 'public' rows (default: owner). */
  other?: number;
  /**
   * Strings of the target a non-owner's answer may legitimately contain (it named them itself, or,
   * on 'public' rows, they are what the target's public link shows to anyone).
   */
  mayEcho?(t: Fx): string[];
  /** The call ends the caller's session: make it with a session of its own. */
  ownSession?: boolean;
  /** Extra checks on a non-owner's successful answer. */
  check?(body: any, me: Fx, t: Fx): void;
  /** The target needs a second session. */
  spare?: boolean;
}

type Kind =
  /** Touches the target's data by id or path: others get 404, anonymous 401. */
  | 'owned'
  /** Acts on the caller's own account: others get their own data, never the target's. */
  | 'self'
  /** Administrators only: 403 for others, 401 anonymous. */
  | 'admin'
  /** No sign-in needed. */
  | 'public';

interface Row {
  method: string;
  route: string;
  kind: Kind;
  calls: Call[];
  /** Left out of the OpenAPI document on purpose. */
  hidden?: boolean;
}

const enc = encodeURIComponent;

const TABLE: Row[] = [
  // auth
  {
    method: 'POST',
    route: '/api/auth/register',
    kind: 'public',
    calls: [
      {
        label: 'new account',
        req: (_t, _m, ctx) => {
          const u = ctx.uniq();
          return {
            method: 'POST',
            path: '/api/auth/register',
            json: { username: u, email: `${u}@example.test`, password: PASSWORD },
          };
        },
        owner: 201,
      },
    ],
  },
  {
    method: 'POST',
    route: '/api/auth/login',
    kind: 'public',
    calls: [
      {
        label: 'sign in',
        req: (_t, _m, ctx) => ({ method: 'POST', path: '/api/auth/login', json: ctx.login }),
        owner: 200,
      },
    ],
  },
  {
    method: 'POST',
    route: '/api/auth/logout',
    kind: 'self',
    calls: [
      {
        label: 'sign out',
        req: () => ({ method: 'POST', path: '/api/auth/logout' }),
        owner: 204,
        ownSession: true,
      },
    ],
  },
  {
    method: 'GET',
    route: '/api/me',
    kind: 'self',
    calls: [
      {
        label: 'me',
        req: () => ({ method: 'GET', path: '/api/me' }),
        owner: 200,
        check: (b, me) => expect(b.user.id).toBe(me.userId),
      },
    ],
  },
  {
    method: 'GET',
    route: '/api/auth/sessions',
    kind: 'self',
    calls: [
      {
        label: 'list sessions',
        req: () => ({ method: 'GET', path: '/api/auth/sessions' }),
        owner: 200,
        check: (b, me) => expect(b.items.map((i: any) => i.id)).toContain(me.currentSessionId),
      },
    ],
  },
  {
    method: 'DELETE',
    route: '/api/auth/sessions/:id',
    kind: 'owned',
    calls: [
      {
        label: "the target's other session",
        req: (t) => ({ method: 'DELETE', path: `/api/auth/sessions/${t.spareSessionId}` }),
        owner: 204,
        spare: true,
      },
      {
        label: "the target's token id as a session",
        req: (t) => ({ method: 'DELETE', path: `/api/auth/sessions/${t.patId}` }),
        owner: 404,
      },
    ],
  },
  {
    method: 'GET',
    route: '/api/auth/tokens',
    kind: 'self',
    calls: [
      {
        label: 'list tokens',
        req: () => ({ method: 'GET', path: '/api/auth/tokens' }),
        owner: 200,
        check: (b, me) => expect(b.items.map((i: any) => i.id)).toContain(me.patId),
      },
    ],
  },
  {
    method: 'POST',
    route: '/api/auth/tokens',
    kind: 'self',
    calls: [
      {
        label: 'create token',
        req: () => ({ method: 'POST', path: '/api/auth/tokens', json: { name: 'cli' } }),
        owner: 201,
      },
    ],
  },
  {
    method: 'DELETE',
    route: '/api/auth/tokens/:id',
    kind: 'owned',
    calls: [
      {
        label: "the target's token",
        req: (t) => ({ method: 'DELETE', path: `/api/auth/tokens/${t.patId}` }),
        owner: 204,
      },
      {
        label: "the target's session id as a token",
        req: (t) => ({ method: 'DELETE', path: `/api/auth/tokens/${t.currentSessionId}` }),
        owner: 404,
      },
    ],
  },

  // files and folders
  {
    method: 'GET',
    route: '/api/nodes/root',
    kind: 'self',
    calls: [
      {
        label: 'my root',
        req: () => ({ method: 'GET', path: '/api/nodes/root' }),
        owner: 200,
        check: (b, me) => expect(b.id).toBe(me.rootId),
      },
    ],
  },
  {
    method: 'GET',
    route: '/api/resolve',
    kind: 'owned',
    calls: [
      {
        label: 'folder path',
        req: (t) => ({ method: 'GET', path: `/api/resolve?path=${enc(`/${t.folderName}`)}` }),
        owner: 200,
      },
      {
        label: 'file path',
        req: (t) => ({ method: 'GET', path: `/api/resolve?path=${enc(`/${t.folderName}/${t.fileName}`)}` }),
        owner: 200,
      },
    ],
  },
  {
    method: 'GET',
    route: '/api/search',
    kind: 'self',
    calls: [
      {
        label: "the target's file name",
        req: (t) => ({ method: 'GET', path: `/api/search?q=${enc(t.fileName)}` }),
        owner: 200,
        check: (b) => expect(b.items).toEqual([]),
      },
      {
        label: 'a name everyone has',
        req: () => ({ method: 'GET', path: '/api/search?q=secret-&limit=200' }),
        owner: 200,
        check: (b, me, t) => {
          const ids = b.items.map((i: any) => i.id);
          expect(ids).toContain(me.fileId);
          expect(ids).not.toContain(t.fileId);
        },
      },
    ],
  },
  {
    method: 'GET',
    route: '/api/nodes/:id',
    kind: 'owned',
    calls: [
      { label: 'root', req: (t) => ({ method: 'GET', path: `/api/nodes/${t.rootId}` }), owner: 200 },
      { label: 'folder', req: (t) => ({ method: 'GET', path: `/api/nodes/${t.folderId}` }), owner: 200 },
      { label: 'file', req: (t) => ({ method: 'GET', path: `/api/nodes/${t.fileId}` }), owner: 200 },
      { label: 'trashed item', req: (t) => ({ method: 'GET', path: `/api/nodes/${t.trashId}` }), owner: 404 },
    ],
  },
  {
    method: 'PATCH',
    route: '/api/nodes/:id',
    kind: 'owned',
    calls: [
      {
        label: 'rename file',
        req: (t) => ({ method: 'PATCH', path: `/api/nodes/${t.fileId}`, json: { name: 'renamed.txt' } }),
        owner: 200,
      },
      {
        label: 'move file into my root',
        req: (t, me) => ({ method: 'PATCH', path: `/api/nodes/${t.fileId}`, json: { parentId: me.rootId } }),
        owner: 200,
      },
      {
        label: 'move my file into their folder',
        req: (t, me) => ({
          method: 'PATCH',
          path: `/api/nodes/${me.looseId}`,
          json: { parentId: t.folderId },
        }),
        owner: 200,
      },
      {
        label: 'rename root',
        req: (t) => ({ method: 'PATCH', path: `/api/nodes/${t.rootId}`, json: { name: 'x' } }),
        owner: 409,
      },
      {
        label: 'rename trashed',
        req: (t) => ({ method: 'PATCH', path: `/api/nodes/${t.trashId}`, json: { name: 'x' } }),
        owner: 404,
      },
    ],
  },
  {
    method: 'DELETE',
    route: '/api/nodes/:id',
    kind: 'owned',
    calls: [
      { label: 'file', req: (t) => ({ method: 'DELETE', path: `/api/nodes/${t.fileId}` }), owner: 204 },
      { label: 'folder', req: (t) => ({ method: 'DELETE', path: `/api/nodes/${t.folderId}` }), owner: 204 },
      { label: 'root', req: (t) => ({ method: 'DELETE', path: `/api/nodes/${t.rootId}` }), owner: 409 },
      { label: 'trashed', req: (t) => ({ method: 'DELETE', path: `/api/nodes/${t.trashId}` }), owner: 404 },
    ],
  },
  {
    method: 'GET',
    route: '/api/nodes/:id/children',
    kind: 'owned',
    calls: [
      { label: 'root', req: (t) => ({ method: 'GET', path: `/api/nodes/${t.rootId}/children` }), owner: 200 },
      {
        label: 'folder, sorted and paged',
        req: (t) => ({
          method: 'GET',
          path: `/api/nodes/${t.folderId}/children?sort=size&order=desc&limit=1`,
        }),
        owner: 200,
      },
      {
        label: 'trashed',
        req: (t) => ({ method: 'GET', path: `/api/nodes/${t.trashId}/children` }),
        owner: 404,
      },
    ],
  },
  {
    method: 'POST',
    route: '/api/nodes/:id/folders',
    kind: 'owned',
    calls: [
      {
        label: 'in folder',
        req: (t) => ({ method: 'POST', path: `/api/nodes/${t.folderId}/folders`, json: { name: 'sub' } }),
        owner: 201,
      },
      {
        label: 'mkdir -p in root',
        req: (t) => ({
          method: 'POST',
          path: `/api/nodes/${t.rootId}/folders`,
          json: { name: `${t.looseName}.d/q`, parents: true },
        }),
        owner: 201,
      },
    ],
  },
  {
    method: 'POST',
    route: '/api/nodes/:id/copy',
    kind: 'owned',
    calls: [
      {
        label: 'copy their file into my root',
        req: (t, me) => ({
          method: 'POST',
          path: `/api/nodes/${t.fileId}/copy`,
          json: { parentId: me.rootId },
        }),
        owner: 201,
      },
      {
        label: 'copy their folder into my root',
        req: (t, me) => ({
          method: 'POST',
          path: `/api/nodes/${t.folderId}/copy`,
          json: { parentId: me.rootId, name: `stolen ${t.folderName}` },
        }),
        owner: 201,
      },
      {
        label: 'copy my file into their folder',
        req: (t, me) => ({
          method: 'POST',
          path: `/api/nodes/${me.looseId}/copy`,
          json: { parentId: t.folderId },
        }),
        owner: 201,
      },
    ],
  },

  // content
  {
    method: 'PUT',
    route: '/api/nodes/:id/files/:name',
    kind: 'owned',
    calls: [
      {
        label: 'into folder',
        req: (t) => ({ method: 'PUT', path: `/api/nodes/${t.folderId}/files/planted.txt`, raw: 'planted' }),
        owner: 201,
      },
      {
        label: 'into root',
        req: (t) => ({
          method: 'PUT',
          path: `/api/nodes/${t.rootId}/files/planted-${enc(t.looseName)}`,
          raw: 'planted',
        }),
        owner: 201,
      },
      {
        label: 'over existing file',
        req: (t) => ({
          method: 'PUT',
          path: `/api/nodes/${t.folderId}/files/${enc(t.fileName)}`,
          raw: 'overwritten',
        }),
        owner: 200,
      },
      {
        label: 'into a file',
        req: (t) => ({ method: 'PUT', path: `/api/nodes/${t.fileId}/files/x.txt`, raw: 'x' }),
        owner: 409,
      },
    ],
  },
  {
    method: 'PUT',
    route: '/api/files',
    kind: 'self',
    calls: [
      {
        label: "upload to the target's path",
        req: (t) => ({
          method: 'PUT',
          path: `/api/files?path=${enc(`/${t.folderName}/${t.fileName}`)}`,
          raw: 'mine',
        }),
        owner: 200,
        other: 201,
        mayEcho: (t) => [t.fileName],
        check: (b, _me, t) => expect(b.id).not.toBe(t.fileId),
      },
    ],
  },
  {
    method: 'PUT',
    route: '/api/nodes/:id/content',
    kind: 'owned',
    calls: [
      {
        label: 'replace content',
        req: (t) => ({ method: 'PUT', path: `/api/nodes/${t.fileId}/content`, raw: 'replaced' }),
        owner: 200,
      },
      {
        label: 'replace with If-Match',
        req: (t) => ({
          method: 'PUT',
          path: `/api/nodes/${t.fileId}/content`,
          raw: 'replaced',
          headers: { 'if-match': `"${t.currentSha}"` },
        }),
        owner: 200,
      },
    ],
  },
  {
    method: 'POST',
    route: '/api/nodes/:id/files',
    kind: 'owned',
    calls: [
      {
        label: 'multipart into folder',
        req: (t) => ({
          method: 'POST',
          path: `/api/nodes/${t.folderId}/files`,
          multipart: { filename: 'form.txt', content: 'from a form' },
        }),
        owner: 201,
      },
      {
        label: 'multipart with a relative path',
        req: (t) => ({
          method: 'POST',
          path: `/api/nodes/${t.rootId}/files`,
          multipart: { filename: `deep/${t.looseName}/form.txt`, content: 'x' },
        }),
        owner: 201,
      },
    ],
  },
  {
    method: 'GET',
    route: '/api/nodes/:id/content',
    kind: 'owned',
    calls: [
      {
        label: 'download',
        req: (t) => ({ method: 'GET', path: `/api/nodes/${t.fileId}/content` }),
        owner: 200,
      },
      {
        label: 'download a range',
        req: (t) => ({
          method: 'GET',
          path: `/api/nodes/${t.fileId}/content`,
          headers: { range: 'bytes=0-3' },
        }),
        owner: 206,
      },
      {
        label: 'old version',
        req: (t) => ({ method: 'GET', path: `/api/nodes/${t.fileId}/content?version=${t.oldVersionId}` }),
        owner: 200,
      },
      {
        label: 'their version through my file',
        req: (t, me) => ({
          method: 'GET',
          path: `/api/nodes/${me.fileId}/content?version=${t.oldVersionId}`,
        }),
        owner: 200,
      },
      {
        label: 'folder',
        req: (t) => ({ method: 'GET', path: `/api/nodes/${t.folderId}/content` }),
        owner: 409,
      },
    ],
  },
  {
    method: 'GET',
    route: '/api/nodes/:id/versions',
    kind: 'owned',
    calls: [
      {
        label: 'versions',
        req: (t) => ({ method: 'GET', path: `/api/nodes/${t.fileId}/versions` }),
        owner: 200,
      },
    ],
  },
  {
    method: 'POST',
    route: '/api/nodes/:id/versions/:versionId/restore',
    kind: 'owned',
    calls: [
      {
        label: 'restore their version',
        req: (t) => ({ method: 'POST', path: `/api/nodes/${t.fileId}/versions/${t.oldVersionId}/restore` }),
        owner: 200,
      },
      {
        label: 'restore their version onto my file',
        req: (t, me) => ({
          method: 'POST',
          path: `/api/nodes/${me.fileId}/versions/${t.oldVersionId}/restore`,
        }),
        owner: 200,
      },
    ],
  },
  {
    method: 'GET',
    route: '/api/nodes/:id/zip',
    kind: 'owned',
    calls: [
      { label: 'folder', req: (t) => ({ method: 'GET', path: `/api/nodes/${t.folderId}/zip` }), owner: 200 },
      { label: 'root', req: (t) => ({ method: 'GET', path: `/api/nodes/${t.rootId}/zip` }), owner: 200 },
      { label: 'file', req: (t) => ({ method: 'GET', path: `/api/nodes/${t.fileId}/zip` }), owner: 200 },
    ],
  },
  {
    method: 'GET',
    route: '/api/zip',
    kind: 'owned',
    calls: [
      { label: 'their file', req: (t) => ({ method: 'GET', path: `/api/zip?ids=${t.fileId}` }), owner: 200 },
      {
        label: 'mine and theirs',
        req: (t, me) => ({ method: 'GET', path: `/api/zip?ids=${me.looseId},${t.folderId}` }),
        owner: 200,
      },
    ],
  },

  // sharing
  {
    method: 'GET',
    route: '/api/nodes/:id/shares',
    kind: 'owned',
    calls: [
      {
        label: 'their file',
        req: (t) => ({ method: 'GET', path: `/api/nodes/${t.fileId}/shares` }),
        owner: 200,
      },
    ],
  },
  {
    method: 'POST',
    route: '/api/nodes/:id/shares',
    kind: 'owned',
    calls: [
      {
        label: 'share their folder',
        req: (t, _m, ctx) => ({
          method: 'POST',
          path: `/api/nodes/${t.folderId}/shares`,
          json: { user: ctx.login.login, role: 'editor' },
        }),
        owner: 201,
      },
    ],
  },
  {
    method: 'PATCH',
    route: '/api/shares/:id',
    kind: 'owned',
    calls: [
      {
        label: 'their share',
        req: (t) => ({ method: 'PATCH', path: `/api/shares/${t.shareId}`, json: { role: 'viewer' } }),
        owner: 200,
      },
    ],
  },
  {
    method: 'DELETE',
    route: '/api/shares/:id',
    kind: 'owned',
    calls: [
      {
        label: 'their share',
        req: (t) => ({ method: 'DELETE', path: `/api/shares/${t.shareId}` }),
        owner: 204,
      },
    ],
  },
  {
    method: 'POST',
    route: '/api/nodes/:id/transfer',
    kind: 'owned',
    calls: [
      {
        label: 'give their folder away',
        req: (t, _m, ctx) => ({
          method: 'POST',
          path: `/api/nodes/${t.folderId}/transfer`,
          json: { user: ctx.login.login, keepAccess: false },
        }),
        owner: 200,
      },
    ],
  },
  {
    method: 'GET',
    route: '/api/shares/incoming',
    kind: 'self',
    calls: [
      {
        label: 'shared with me',
        req: () => ({ method: 'GET', path: '/api/shares/incoming' }),
        owner: 200,
        check: (b) => expect(b.items).toEqual([]),
      },
    ],
  },
  {
    method: 'GET',
    route: '/api/shares/outgoing',
    kind: 'self',
    calls: [
      {
        label: 'shared by me',
        req: () => ({ method: 'GET', path: '/api/shares/outgoing' }),
        owner: 200,
        check: (b, me) => expect(b.items.map((i: any) => i.id)).toEqual(me.shareId ? [me.fileId] : []),
      },
    ],
  },

  // sends
  {
    method: 'POST',
    route: '/api/sends',
    kind: 'self',
    calls: [
      {
        label: 'send my own file',
        req: () => ({ method: 'POST', path: '/api/sends?name=mine.txt', raw: 'my own bytes' }),
        owner: 201,
      },
    ],
  },
  {
    method: 'GET',
    route: '/api/sends',
    kind: 'self',
    calls: [
      {
        label: 'my sends',
        req: () => ({ method: 'GET', path: '/api/sends' }),
        owner: 200,
        check: (b, me) => expect(b.items.map((i: any) => i.id)).toContain(me.sendId),
      },
    ],
  },
  {
    method: 'DELETE',
    route: '/api/sends/:id',
    kind: 'owned',
    calls: [
      { label: 'their send', req: (t) => ({ method: 'DELETE', path: `/api/sends/${t.sendId}` }), owner: 204 },
    ],
  },

  // trash
  {
    method: 'GET',
    route: '/api/trash',
    kind: 'self',
    calls: [
      {
        label: 'my trash',
        req: () => ({ method: 'GET', path: '/api/trash' }),
        owner: 200,
        check: (b, me) => expect(b.items.map((i: any) => i.id)).toEqual([me.trashId]),
      },
    ],
  },
  {
    method: 'DELETE',
    route: '/api/trash',
    kind: 'self',
    calls: [{ label: 'empty my trash', req: () => ({ method: 'DELETE', path: '/api/trash' }), owner: 200 }],
  },
  {
    method: 'POST',
    route: '/api/trash/:id/restore',
    kind: 'owned',
    calls: [
      {
        label: 'trashed item',
        req: (t) => ({ method: 'POST', path: `/api/trash/${t.trashId}/restore` }),
        owner: 200,
      },
      {
        label: 'live file',
        req: (t) => ({ method: 'POST', path: `/api/trash/${t.fileId}/restore` }),
        owner: 404,
      },
    ],
  },
  {
    method: 'DELETE',
    route: '/api/trash/:id',
    kind: 'owned',
    calls: [
      {
        label: 'trashed item',
        req: (t) => ({ method: 'DELETE', path: `/api/trash/${t.trashId}` }),
        owner: 204,
      },
      { label: 'live file', req: (t) => ({ method: 'DELETE', path: `/api/trash/${t.fileId}` }), owner: 404 },
    ],
  },

  // admin
  {
    method: 'GET',
    route: '/api/admin/users',
    kind: 'admin',
    calls: [
      {
        label: 'list users',
        req: () => ({ method: 'GET', path: '/api/admin/users?limit=1000' }),
        owner: 200,
      },
    ],
  },
  {
    method: 'PATCH',
    route: '/api/admin/users/:id',
    kind: 'admin',
    calls: [
      {
        label: 'ban the target',
        req: (t) => ({ method: 'PATCH', path: `/api/admin/users/${t.userId}`, json: { status: 'banned' } }),
        owner: 200,
      },
      {
        label: 'make myself admin with a huge quota',
        req: (_t, me) => ({
          method: 'PATCH',
          path: `/api/admin/users/${me.userId}`,
          json: { role: 'admin', quotaBytes: 2 ** 50 },
        }),
        owner: 200,
      },
    ],
  },

  // public links, the owner's side (the fixture's file has a link; ids of other things must not work as one)
  {
    method: 'POST',
    route: '/api/nodes/:id/links',
    kind: 'owned',
    calls: [
      {
        label: 'link their file',
        req: (t) => ({ method: 'POST', path: `/api/nodes/${t.fileId}/links`, json: {} }),
        owner: 201,
      },
      {
        label: 'their folder as a drop with a password and limits',
        req: (t) => ({
          method: 'POST',
          path: `/api/nodes/${t.folderId}/links`,
          json: { uploadOnly: true, password: 'drop password', maxDownloads: 3 },
        }),
        owner: 201,
      },
      {
        label: 'their trashed item',
        req: (t) => ({ method: 'POST', path: `/api/nodes/${t.trashId}/links`, json: {} }),
        owner: 404,
      },
    ],
  },
  {
    method: 'GET',
    route: '/api/links',
    kind: 'self',
    calls: [
      {
        label: 'my links',
        req: () => ({ method: 'GET', path: '/api/links' }),
        owner: 200,
        // Only the caller's own links (theirs and their sends'), never the target's.
        check: (b, me, t) => {
          const ids = b.items.map((i: any) => i.id);
          expect(ids).toContain(me.linkId);
          expect(ids).not.toContain(t.linkId);
        },
      },
      {
        label: 'my links of their file',
        req: (t) => ({ method: 'GET', path: `/api/links?nodeId=${t.fileId}` }),
        owner: 200,
        check: (b) => expect(b.items).toEqual([]),
      },
    ],
  },
  ...(
    [
      ['GET', '', undefined, 200],
      ['PATCH', '', { maxDownloads: 1 }, 200],
      ['DELETE', '', undefined, 204],
      ['GET', '/qr.svg', undefined, 200],
      ['GET', '/qr.png', undefined, 200],
    ] as const
  ).map(([method, sub, json, status]): Row => ({
    method,
    route: `/api/links/:linkId${sub}`,
    kind: 'owned',
    calls: [
      {
        label: 'their link',
        req: (t) => ({ method, path: `/api/links/${t.linkId}${sub}`, json }),
        owner: status,
      },
      {
        label: 'their file id as a link id',
        req: (t) => ({ method, path: `/api/links/${t.fileId}${sub}`, json }),
        owner: 404,
      },
    ],
  })),
  // public links, the visitors' side: the target's token gives everyone, signed in or not, the same
  // answer (the link is to a file, without a password), and an unknown token is "not found" for
  // everyone (links.test.ts covers each visitor state: valid, wrong password, expired, exhausted,
  // revoked, trashed)
  ...(
    [
      ['GET', '', {}, 200],
      // The link has no password: any password unlocks it.
      ['POST', '/unlock', { json: { password: 'a guess' } }, 200],
      ['GET', '/children?path=/', {}, 409],
      ['GET', '/content', {}, 200],
      ['GET', '/zip', {}, 200],
      ['POST', '/files', { multipart: { filename: 'drop.txt', content: 'dropped' } }, 403],
    ] as const
  ).map(([method, sub, body, status]): Row => ({
    method,
    route: `/api/public/links/:token${sub.split('?')[0]}`,
    kind: 'public',
    calls: [
      {
        label: 'their link token',
        req: (t) => ({ method, path: `/api/public/links/${t.linkToken}${sub}`, ...body }),
        owner: status,
        // What the link shows: the linked file's name (its metadata, and the entry in its zip).
        mayEcho: (t) => [t.fileName],
      },
      {
        label: 'unknown token',
        req: () => ({ method, path: `/api/public/links/${'0'.repeat(43)}${sub}`, ...body }),
        owner: 404,
      },
    ],
  })),
  // WebDAV: paths name items in the caller's own tree, so another user's request for A's path
  // reaches their own (missing) items: 404, or 409 where the folder to write into is missing.
  ...davRows(),
  // operations and documentation: public, hidden from the OpenAPI document
  ...(
    [
      ['/healthz', 200],
      ['/readyz', 200],
      ['/metrics', 200],
      ['/api/openapi.json', 200],
      ['/api/docs', 200],
      ['/api/docs/', 200],
      ['/api/docs/static/index.html', 302],
      ['/api/docs/static/swagger-initializer.js', 200],
      ['/api/docs/json', 200],
      ['/api/docs/yaml', 200],
    ] as const
  ).map(([path, status]): Row => ({
    method: 'GET',
    route: path,
    kind: 'public',
    hidden: true,
    calls: [{ label: path, req: () => ({ method: 'GET', path }), owner: status }],
  })),
  // the web app: index.html for every other path (the test server has no built app: 503)
  {
    method: 'GET',
    route: '/*',
    kind: 'public',
    hidden: true,
    calls: [
      { label: 'home', req: () => ({ method: 'GET', path: '/' }), owner: 503 },
      {
        label: 'deep link',
        req: (t) => ({ method: 'GET', path: `/files/${enc(t.folderName)}/${enc(t.fileName)}` }),
        owner: 503,
      },
      {
        label: 'unknown API path',
        req: () => ({ method: 'GET', path: '/api/nodes/00000000-0000-0000-0000-000000000000/nothing' }),
        owner: 404,
      },
    ],
  },
  {
    method: 'GET',
    route: '/api/docs/*',
    kind: 'public',
    hidden: true,
    calls: [
      {
        label: 'static asset',
        req: () => ({ method: 'GET', path: '/api/docs/static/swagger-ui.css' }),
        owner: 200,
      },
    ],
  },
];

const LOCKINFO =
  '<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope>' +
  '<D:locktype><D:write/></D:locktype><D:owner>matrix</D:owner></D:lockinfo>';
const PROPPATCH =
  '<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:matrix"><D:set><D:prop>' +
  '<Z:color>blue</Z:color></D:prop></D:set></D:propertyupdate>';

function davRows(): Row[] {
  // Through /dav/<username>/: for anyone else, the first name is just a missing folder in their tree.
  const folder = (t: Fx) => `/dav/${enc(t.username)}/${enc(t.folderName)}/`;
  const file = (t: Fx) => `${folder(t)}${enc(t.fileName)}`;
  const dest = (t: Fx, name: string) => ({ destination: `${folder(t)}${name}` });
  const bogusToken = { 'lock-token': '<urn:uuid:00000000-0000-4000-8000-000000000000>' };
  const calls: Record<string, { root: Call[]; item: Call[] }> = {
    GET: {
      root: [{ label: 'root', req: () => ({ method: 'GET', path: '/dav/' }), owner: 200 }],
      item: [
        { label: 'file', req: (t) => ({ method: 'GET', path: file(t) }), owner: 200, other: 404 },
        { label: 'folder', req: (t) => ({ method: 'GET', path: folder(t) }), owner: 200, other: 404 },
      ],
    },
    PROPFIND: {
      root: [
        {
          label: 'root',
          req: () => ({ method: 'PROPFIND', path: '/dav', headers: { depth: '1' } }),
          owner: 207,
          // Every fixture uses the same names: the caller sees their own items of those names.
          mayEcho: (t) => [t.folderName, t.looseName],
        },
      ],
      item: [
        {
          label: 'folder',
          req: (t) => ({ method: 'PROPFIND', path: folder(t), headers: { depth: '1' } }),
          owner: 207,
          other: 404,
        },
      ],
    },
    PROPPATCH: {
      root: [
        { label: 'root', req: () => ({ method: 'PROPPATCH', path: '/dav/', raw: PROPPATCH }), owner: 207 },
      ],
      item: [
        {
          label: 'file',
          req: (t) => ({ method: 'PROPPATCH', path: file(t), raw: PROPPATCH }),
          owner: 207,
          other: 404,
        },
      ],
    },
    PUT: {
      root: [{ label: 'root', req: () => ({ method: 'PUT', path: '/dav', raw: 'x' }), owner: 405 }],
      item: [
        {
          label: 'file',
          req: (t) => ({ method: 'PUT', path: file(t), raw: 'new content' }),
          owner: 204,
          other: 409,
        },
      ],
    },
    DELETE: {
      root: [{ label: 'root', req: () => ({ method: 'DELETE', path: '/dav/' }), owner: 405 }],
      item: [{ label: 'file', req: (t) => ({ method: 'DELETE', path: file(t) }), owner: 204, other: 404 }],
    },
    MKCOL: {
      root: [{ label: 'root', req: () => ({ method: 'MKCOL', path: '/dav/' }), owner: 405 }],
      item: [
        {
          label: 'subfolder',
          req: (t) => ({ method: 'MKCOL', path: `${folder(t)}new` }),
          owner: 201,
          other: 409,
        },
      ],
    },
    COPY: {
      root: [
        { label: 'root', req: (t) => ({ method: 'COPY', path: '/dav', headers: dest(t, 'x') }), owner: 405 },
      ],
      item: [
        {
          label: 'file',
          req: (t) => ({ method: 'COPY', path: file(t), headers: dest(t, 'copy.txt') }),
          owner: 201,
          other: 404,
        },
      ],
    },
    MOVE: {
      root: [
        { label: 'root', req: (t) => ({ method: 'MOVE', path: '/dav/', headers: dest(t, 'x') }), owner: 405 },
      ],
      item: [
        {
          label: 'file',
          req: (t) => ({ method: 'MOVE', path: file(t), headers: dest(t, 'moved.txt') }),
          owner: 201,
          other: 404,
        },
      ],
    },
    LOCK: {
      root: [{ label: 'refresh without token', req: () => ({ method: 'LOCK', path: '/dav/' }), owner: 400 }],
      item: [
        {
          label: 'file',
          req: (t) => ({ method: 'LOCK', path: file(t), raw: LOCKINFO }),
          owner: 200,
          other: 409,
        },
      ],
    },
    UNLOCK: {
      root: [
        { label: 'root', req: () => ({ method: 'UNLOCK', path: '/dav/', headers: bogusToken }), owner: 409 },
      ],
      item: [
        {
          label: 'file',
          req: (t) => ({ method: 'UNLOCK', path: file(t), headers: bogusToken }),
          owner: 409,
          other: 404,
        },
      ],
    },
    OPTIONS: {
      root: [{ label: 'root', req: () => ({ method: 'OPTIONS', path: '/dav/' }), owner: 200 }],
      item: [{ label: 'file', req: (t) => ({ method: 'OPTIONS', path: file(t) }), owner: 200 }],
    },
  };
  const rows: Row[] = [];
  for (const [method, c] of Object.entries(calls)) {
    const kind: Kind = method === 'OPTIONS' ? 'public' : 'self';
    rows.push({ method, route: '/dav', kind, hidden: true, calls: c.root });
    rows.push({ method, route: '/dav/*', kind, hidden: true, calls: c.item });
  }
  // Windows asks the server root whether it speaks WebDAV before it mounts a folder.
  rows.push({
    method: 'OPTIONS',
    route: '/',
    kind: 'public',
    hidden: true,
    calls: [{ label: 'server root', req: () => ({ method: 'OPTIONS', path: '/' }), owner: 200 }],
  });
  return rows;
}

/** Fastify answers HEAD for every GET route; HEAD must be held to the same rules. */
const ROWS: Row[] = TABLE.flatMap((r) =>
  r.method === 'GET'
    ? [
        r,
        {
          ...r,
          method: 'HEAD',
          hidden: r.route !== '/api/nodes/:id/content',
          calls: r.calls.map((c) => ({ ...c, req: headOf(c.req) })),
        },
      ]
    : [r],
);

function headOf(f: Call['req']): Call['req'] {
  return (t, me, ctx) => ({ ...f(t, me, ctx), method: 'HEAD' });
}

const UNSAFE = (r: Row) => !['GET', 'HEAD', 'OPTIONS'].includes(r.method);

/** The user every fixture shares its file with: none of the matrix's strangers. */
let recipient = '';

async function makeFixture(server: TestServer, c: Client, opts: { spare?: boolean } = {}): Promise<Fx> {
  const tag = randomBytes(5).toString('hex');
  const folderName = `Private ${tag}`;
  const fileName = `secret-${tag}.txt`;
  const looseName = `loose-${tag}.txt`;
  const trashName = `trashed-${tag}.txt`;
  const folder = await c.json('POST', `/api/nodes/${c.rootId}/folders`, { name: folderName }, 201);
  const v1 = await c.request('PUT', `/api/nodes/${folder.body.id}/files/${enc(fileName)}`, {
    body: `first draft ${tag}`,
  });
  expect(v1.status).toBe(201);
  const v2 = await c.request('PUT', `/api/nodes/${folder.body.id}/files/${enc(fileName)}`, {
    body: `second draft ${tag}`,
  });
  expect(v2.status).toBe(200);
  const file = JSON.parse(v2.body.toString());
  const versions = (await c.json('GET', `/api/nodes/${file.id}/versions`, undefined, 200)).body.items;
  expect(versions).toHaveLength(2);
  const loose = await c.upload(`/${looseName}`, `loose ${tag}`);
  expect(loose.status).toBe(201);
  const trashed = await c.upload(`/${trashName}`, `trash ${tag}`);
  expect(trashed.status).toBe(201);
  await c.json('DELETE', `/api/nodes/${trashed.body.id}`, undefined, 204);
  const pat = (await c.json('POST', '/api/auth/tokens', { name: `pat ${tag}` }, 201)).body;
  const share = recipient
    ? (await c.json('POST', `/api/nodes/${file.id}/shares`, { user: recipient, role: 'editor' }, 201)).body
    : null;
  const link = (await c.json('POST', `/api/nodes/${file.id}/links`, {}, 201)).body;
  let spare: Client | null = null;
  if (opts.spare) {
    spare = server.anonymous();
    expect((await spare.login(c.user!.username, PASSWORD)).status).toBe(200);
  }
  const currentSession = async (cl: Client) =>
    (await cl.json('GET', '/api/auth/sessions', undefined, 200)).body.items.find((i: any) => i.current)
      .id as string;
  const sent = await c.request('POST', `/api/sends?name=${enc(`send-${tag}.txt`)}`, {
    headers: { 'content-type': 'text/plain' },
    body: `send ${tag}`,
  });
  expect(sent.status).toBe(201);
  const sendId = JSON.parse(sent.body.toString()).id as string;
  const me = (await c.json('GET', '/api/me', undefined, 200)).body.user;
  const old = versions.find((v: any) => !v.current);
  const current = versions.find((v: any) => v.current);
  return {
    client: c,
    userId: me.id,
    username: me.username,
    email: me.email,
    rootId: me.rootId,
    folderId: folder.body.id,
    folderName,
    fileId: file.id,
    fileName,
    oldVersionId: old.id,
    currentVersionId: current.id,
    looseId: loose.body.id,
    looseName,
    trashId: trashed.body.id,
    trashName,
    patId: pat.id,
    shareId: share?.id ?? '',
    linkId: link.id,
    linkToken: link.token,
    sendId,
    patToken: pat.token,
    spareSessionId: spare ? await currentSession(spare) : null,
    spareSessionToken: spare ? spare.token! : null,
    currentSessionId: await currentSession(c),
    oldSha: old.sha256,
    currentSha: current.sha256,
    shas: [old.sha256, current.sha256, loose.body.sha256, trashed.body.sha256],
  };
}

/** Strings that must never appear in an answer to anyone but the owner. */
function secretsOf(fx: Fx): string[] {
  return [
    fx.userId,
    fx.username,
    fx.email,
    fx.rootId,
    fx.folderId,
    fx.folderName,
    fx.fileId,
    fx.fileName,
    fx.oldVersionId,
    fx.currentVersionId,
    fx.looseId,
    fx.looseName,
    fx.trashId,
    fx.trashName,
    fx.patId,
    fx.patToken,
    fx.shareId,
    fx.linkId,
    fx.linkToken,
    fx.sendId,
    fx.spareSessionId,
    fx.spareSessionToken,
    fx.currentSessionId,
    fx.client.token!,
    ...fx.shas,
  ].filter((s): s is string => !!s);
}

/** Activity timestamps, and the link's counters (the public rows view and download through it). */
const VOLATILE = new Set(['lastUsedAt', 'lastActiveAt', 'expiresAt', 'views', 'downloads']);

/** Everything the owner can see of their account, minus activity timestamps. */
async function snapshot(fx: Fx) {
  const c = fx.client;
  const get = async (path: string) => {
    const r = await c.json('GET', path);
    return { status: r.status, body: r.body };
  };
  const hashOf = async (path: string) => {
    const r = await c.downloadHash(path);
    return { status: r.status, sha256: r.sha256, size: r.size };
  };
  const state = {
    me: await get('/api/me'),
    root: await get(`/api/nodes/${fx.rootId}/children`),
    folder: await get(`/api/nodes/${fx.folderId}/children`),
    file: await get(`/api/nodes/${fx.fileId}`),
    content: await hashOf(`/api/nodes/${fx.fileId}/content`),
    oldContent: await hashOf(`/api/nodes/${fx.fileId}/content?version=${fx.oldVersionId}`),
    versions: await get(`/api/nodes/${fx.fileId}/versions`),
    trash: await get('/api/trash'),
    sessions: await get('/api/auth/sessions'),
    tokens: await get('/api/auth/tokens'),
    link: await get(`/api/links/${fx.linkId}`),
    patWorks: (await send(c.base, { bearer: fx.patToken }, { method: 'GET', path: '/api/me' })).status,
    spareWorks: (await send(c.base, { bearer: fx.spareSessionToken! }, { method: 'GET', path: '/api/me' }))
      .status,
  };
  return JSON.parse(JSON.stringify(state, (k, v: unknown) => (VOLATILE.has(k) ? undefined : v)));
}

function expectError(a: Answer, status: number, code: ErrorCode, method: string, where: string) {
  const msg = `${where}: ${a.text.slice(0, 300)}`;
  expect(ErrorCodes[code]).toBe(status);
  expect(a.status, msg).toBe(status);
  if (method === 'HEAD') return;
  expect(a.body?.error?.code, msg).toBe(code);
  expect(typeof a.body.error.message, msg).toBe('string');
}

function expectNoLeak(a: Answer, secrets: string[], allowed: string[] = []) {
  for (const s of secrets) {
    if (allowed.includes(s)) continue;
    expect(a.text.includes(s), `answer leaks "${s}": ${a.text.slice(0, 300)}`).toBe(false);
  }
}

describe(`authorization matrix (${dialect})`, () => {
  let server: TestServer;
  let admin: Fx;
  let a: Fx;
  let b: Fx;
  let owner: Client;
  let loginUser: Client;
  let revokedToken: string;
  let before: unknown;
  const ctx = (): Ctx => ({
    login: { login: loginUser.user!.username, password: PASSWORD },
    uniq: () => `u${randomBytes(6).toString('hex')}`,
  });
  const label = (r: Row, c: Call) => `${r.method} ${r.route} [${c.label}]`;

  beforeAll(async () => {
    server = await startServer();
    // The first account becomes the admin.
    const name = (n: string) => `${n}-${randomBytes(4).toString('hex')}`;
    admin = await makeFixture(server, await server.user(name('admin')));
    expect(admin.client.user!.role).toBe('admin');
    recipient = (await server.user(name('carol'))).user!.username;
    a = await makeFixture(server, await server.user(name('alice')), { spare: true });
    b = await makeFixture(server, await server.user(name('bob')));
    owner = await server.user(name('olive'));
    loginUser = await server.user(name('dave'));
    const gone = server.anonymous();
    await gone.login(a.username, PASSWORD);
    revokedToken = gone.token!;
    await gone.json('POST', '/api/auth/logout', undefined, 204);
    before = await snapshot(a);
  });
  afterAll(async () => server?.close());

  it('covers every registered route, and the OpenAPI document matches the table', async () => {
    const table = new Set(ROWS.map((r) => `${r.method} ${r.route}`));
    expect(table.size).toBe(ROWS.length);
    const registered = registeredRoutes(server);
    expect(registered.size).toBeGreaterThan(40);
    expect([...registered].filter((k) => !table.has(k)).sort()).toEqual([]);
    expect([...table].filter((k) => !registered.has(k)).sort()).toEqual([]);

    const doc = (await server.anonymous().json('GET', '/api/openapi.json', undefined, 200)).body;
    const documented = new Set<string>();
    for (const [path, ops] of Object.entries<Record<string, unknown>>(doc.paths)) {
      for (const method of Object.keys(ops))
        documented.add(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`);
    }
    expect([...documented].filter((k) => !table.has(k)).sort()).toEqual([]);
    const shouldBeDocumented = ROWS.filter((r) => !r.hidden).map((r) => `${r.method} ${r.route}`);
    expect(shouldBeDocumented.filter((k) => !documented.has(k)).sort()).toEqual([]);
    expect(
      ROWS.filter((r) => r.hidden && documented.has(`${r.method} ${r.route}`)).map((r) => r.route),
    ).toEqual([]);
  });

  it('refuses every route on A’s data to other users, admins, anonymous callers and dead tokens', async () => {
    const secrets = secretsOf(a);
    const strangers = [
      { name: 'B', fx: () => b },
      { name: 'admin', fx: () => admin },
    ];
    const forged = `loft_${randomBytes(32).toString('base64url')}`;
    const nobody: { name: string; auth: Auth | null }[] = [
      { name: 'anonymous', auth: null },
      { name: 'forged token', auth: { bearer: forged } },
      { name: "A's revoked session", auth: { bearer: revokedToken } },
      { name: 'forged cookie', auth: { cookie: `loft_session=${forged}` } },
    ];
    let checked = 0;
    for (const row of ROWS) {
      for (const call of row.calls) {
        const where = label(row, call);
        for (const s of strangers) {
          const me = s.fx();
          if (row.kind === 'admin' && s.name === 'admin') continue;
          const auth: Auth = { bearer: me.client.token! };
          if (call.ownSession) {
            const session = server.anonymous();
            await session.login(me.username, PASSWORD);
            auth.bearer = session.token!;
          }
          const req = call.req(a, me, ctx());
          const res = await send(server.url, auth, req);
          const ctxMsg = `${s.name}: ${where}`;
          if (row.kind === 'owned') expectError(res, 404, 'not_found', req.method, ctxMsg);
          else if (row.kind === 'admin') expectError(res, 403, 'forbidden', req.method, ctxMsg);
          else {
            expect(res.status, `${ctxMsg}: ${res.text.slice(0, 300)}`).toBe(call.other ?? call.owner);
            if (call.check && req.method !== 'HEAD') call.check(res.body, me, a);
          }
          expectNoLeak(res, secrets, call.mayEcho?.(a));
          checked++;
        }
        for (const n of nobody) {
          const req = call.req(a, b, ctx());
          const res = await send(server.url, n.auth, req);
          if (row.kind === 'public') expect(res.status, `${n.name}: ${where}`).toBe(call.other ?? call.owner);
          else expectError(res, 401, 'unauthenticated', req.method, `${n.name}: ${where}`);
          expectNoLeak(res, secrets, row.kind === 'public' ? call.mayEcho?.(a) : []);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(400);

    // B is still a plain user with the default quota: the admin routes did not let them in.
    const bMe = (await b.client.json('GET', '/api/me', undefined, 200)).body.user;
    expect(bMe.role).toBe('user');
    expect(bMe.quotaBytes).toBe(server.config.defaultQuotaBytes);
    expect(await snapshot(a)).toEqual(before);
    // Sanity: the snapshot itself sees the data, so "unchanged" means something.
    const snap = before as any;
    expect(snap.content).toMatchObject({ status: 200, sha256: a.currentSha });
    expect(snap.oldContent).toMatchObject({ status: 200, sha256: a.oldSha });
    expect(snap.trash.body.items.map((i: any) => i.id)).toEqual([a.trashId]);
    expect(snap.link).toMatchObject({ status: 200, body: { id: a.linkId, nodeId: a.fileId } });
    expect(snap.me.body.user.usedBytes).toBeGreaterThan(0);
    expect([snap.patWorks, snap.spareWorks]).toEqual([200, 200]);
  });

  it('lets the owner make every one of those requests (the matrix requests are well formed)', async () => {
    const shared = await makeFixture(server, owner);
    for (const row of ROWS) {
      if (row.kind === 'public') continue;
      for (const call of row.calls) {
        let actor = owner;
        let t: Fx;
        let me: Fx;
        if (row.kind === 'admin') {
          actor = admin.client;
          t = await makeFixture(server, await server.user());
          me = admin;
        } else {
          t = me = UNSAFE(row) ? await makeFixture(server, owner, { spare: call.spare }) : shared;
        }
        let bearer = actor.token!;
        if (call.ownSession) {
          const session = server.anonymous();
          await session.login(actor.user!.username, PASSWORD);
          bearer = session.token!;
        }
        const res = await send(server.url, { bearer }, call.req(t, me, ctx()));
        expect(res.status, `${label(row, call)}: ${res.text.slice(0, 300)}`).toBe(call.owner);
      }
    }
  });

  const CROSS_SITE: Record<string, string>[] = [
    { origin: 'https://evil.example' },
    { 'sec-fetch-site': 'cross-site' },
    { 'sec-fetch-site': 'same-site' },
    { origin: 'null' },
  ];

  it('refuses cookie-authenticated unsafe requests from other sites, and they change nothing', async () => {
    const sessionsBefore = (await loginUser.json('GET', '/api/auth/sessions', undefined, 200)).body.items
      .length;
    let refused = 0;
    for (const headers of CROSS_SITE) {
      for (const row of ROWS.filter(UNSAFE)) {
        for (const call of row.calls) {
          const actor = row.kind === 'admin' ? admin : a;
          const req = call.req(a, actor, ctx());
          const auth = row.kind === 'public' ? null : { cookie: actor.client.cookie! };
          const res = await send(server.url, auth, req, headers);
          expect(
            res.status,
            `${JSON.stringify(headers)} ${label(row, call)}: ${res.text.slice(0, 200)}`,
          ).toBe(403);
          expect(res.body.error.code).toBe('csrf_rejected');
          refused++;
        }
      }
    }
    expect(refused).toBeGreaterThan(100);
    expect(await snapshot(a)).toEqual(before);
    // Neither the cross-site sign-in nor the cross-site registration happened.
    const sessions = (await loginUser.json('GET', '/api/auth/sessions', undefined, 200)).body.items;
    expect(sessions).toHaveLength(sessionsBefore);
    const u = ctx().uniq();
    const reg = { username: u, email: `${u}@example.test`, password: PASSWORD };
    const cross = await send(
      server.url,
      null,
      { method: 'POST', path: '/api/auth/register', json: reg },
      CROSS_SITE[0],
    );
    expect(cross.status).toBe(403);
    const anon = server.anonymous();
    expect((await anon.login(u, PASSWORD)).status).toBe(401);
    await anon.json('POST', '/api/auth/register', reg, 201);
  });

  it('accepts the same requests with Bearer auth from anywhere, or with a same-origin cookie', async () => {
    const modes: { name: string; auth: (c: Client) => Auth; headers: Record<string, string> }[] = [
      {
        name: 'bearer, cross-site',
        auth: (c) => ({ bearer: c.token! }),
        headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      },
      { name: 'cookie, same Origin', auth: (c) => ({ cookie: c.cookie! }), headers: { origin: server.url } },
      {
        name: 'cookie, Sec-Fetch-Site same-origin',
        auth: (c) => ({ cookie: c.cookie! }),
        headers: { 'sec-fetch-site': 'same-origin' },
      },
    ];
    for (const mode of modes) {
      for (const row of ROWS.filter(UNSAFE)) {
        for (const call of row.calls) {
          const actor = row.kind === 'admin' ? admin.client : owner;
          let t: Fx;
          let me: Fx;
          if (row.kind === 'admin') {
            t = await makeFixture(server, await server.user());
            me = admin;
          } else if (row.kind === 'public') {
            t = me = b;
          } else {
            t = me = await makeFixture(server, owner, { spare: call.spare });
          }
          let auth: Auth | null = row.kind === 'public' ? null : mode.auth(actor);
          if (call.ownSession) {
            const session = server.anonymous();
            await session.login(actor.user!.username, PASSWORD);
            auth = mode.auth(session);
          }
          // Public routes carry no credentials: only a same-site page may call them.
          const headers = row.kind === 'public' && mode.name.startsWith('bearer') ? {} : mode.headers;
          const res = await send(server.url, auth, call.req(t, me, ctx()), headers);
          expect(res.status, `${mode.name}: ${label(row, call)}: ${res.text.slice(0, 300)}`).toBe(call.owner);
        }
      }
    }
  });

  it('never changes state on GET or HEAD, even from another site with a cookie', async () => {
    for (const row of ROWS.filter((r) => !UNSAFE(r))) {
      for (const call of row.calls) {
        const actor = row.kind === 'admin' ? admin : a;
        const req = call.req(a, actor, ctx());
        const res = await send(server.url, { cookie: actor.client.cookie! }, req, CROSS_SITE[0]);
        expect(res.status, `${label(row, call)}: ${res.text.slice(0, 300)}`).toBe(call.owner);
      }
    }
    expect(await snapshot(a)).toEqual(before);
  });
});
