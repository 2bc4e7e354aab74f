import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCodes, type ErrorCode } from '../src/errors.js';
import type { Client } from './helpers/client.js';
import { sha256 } from './helpers/files.js';
import { dialect, startServer, type TestServer } from './helpers/server.js';

/**
 * Malformed input of every kind gets a 4xx with a catalogue code in the one error shape, never a
 * 500, never a crash; and the server keeps serving afterwards.
 */

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  body: any;
}

const enc = encodeURIComponent;
const PASSWORD = 'correct horse battery';

/** Sends exactly the path given (no URL normalization, so "%2E%2E" stays as it is). */
function raw(
  base: string,
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: string | Buffer; token?: string | null } = {},
): Promise<Answer> {
  const url = new URL(base);
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined && !headers['transfer-encoding']) {
    headers['content-length'] ??= String(Buffer.byteLength(opts.body));
  }
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, method, path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : null;
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode!, headers: res.headers, text, body });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Writes bytes to a socket as they are and returns whatever comes back before the server closes. */
function socketExchange(
  base: string,
  data: string | Buffer,
  opts: { destroyAfterMs?: number } = {},
): Promise<string> {
  const url = new URL(base);
  return new Promise((resolve) => {
    const socket = net.connect(Number(url.port), url.hostname);
    let out = '';
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      resolve(out);
    };
    socket.on('data', (d: Buffer) => (out += d.toString('utf8')));
    socket.on('close', finish);
    socket.on('error', finish);
    socket.write(data);
    if (opts.destroyAfterMs !== undefined) {
      setTimeout(() => {
        socket.destroy();
        finish();
      }, opts.destroyAfterMs);
    } else {
      setTimeout(() => socket.end(), 3000);
    }
  });
}

/** Parses "HTTP/1.1 400 Bad Request\r\n...\r\n\r\n{body}" from a socket exchange. */
function parseRawResponse(text: string): { status: number; body: any } {
  const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
  const json = text.slice(text.indexOf('\r\n\r\n') + 4);
  let body: unknown = null;
  try {
    body = JSON.parse(json);
  } catch {
    body = json;
  }
  return { status: m ? Number(m[1]) : 0, body };
}

/** The one error shape, a code from the catalogue, and the catalogue's status for that code. */
function expectCatalogueError(a: { status: number; body: any }, where: string) {
  expect(a.status, where).toBeGreaterThanOrEqual(400);
  expect(a.status, where).toBeLessThan(500);
  expect(a.body, where).toEqual({
    error: expect.objectContaining({ code: expect.any(String), message: expect.any(String) }),
  });
  const keys = Object.keys(a.body.error).sort();
  expect(
    keys.filter((k) => !['code', 'details', 'message'].includes(k)),
    where,
  ).toEqual([]);
  expect(Object.keys(ErrorCodes), where).toContain(a.body.error.code);
  expect(ErrorCodes[a.body.error.code as ErrorCode], where).toBe(a.status);
}

function multipartBody(parts: { filename: string; content: string }[]) {
  const boundary = `----loft${randomBytes(8).toString('hex')}`;
  const body =
    parts
      .map(
        (p) =>
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${p.filename}"\r\n` +
          `Content-Type: text/plain\r\n\r\n${p.content}\r\n`,
      )
      .join('') + `--${boundary}--\r\n`;
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

interface Env {
  url: string;
  token: string;
  rootId: string;
  fileId: string;
  folderId: string;
  fileName: string;
  versionId: string;
  listCursor: string;
}

interface Case {
  name: string;
  req(e: Env): {
    method: string;
    path: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    anonymous?: boolean;
  };
  status: number;
  code: ErrorCode;
  check?(body: any): void;
}

const json = (method: string, path: string, value: unknown) => ({
  method,
  path,
  headers: { 'content-type': 'application/json' },
  body: typeof value === 'string' ? value : JSON.stringify(value),
});
const folder = (name: unknown) => (e: Env) => json('POST', `/api/nodes/${e.rootId}/folders`, { name });
const putName = (encodedName: string) => (e: Env) => ({
  method: 'PUT',
  path: `/api/nodes/${e.rootId}/files/${encodedName}`,
  body: 'x',
});
const fieldIs = (field: string) => (b: any) =>
  expect(b.error.details.fields.map((f: any) => f.field)).toContain(field);
const fieldCodes = (expected: Record<string, string>) => (b: any) => {
  const got = Object.fromEntries(b.error.details.fields.map((f: any) => [f.field, f.code]));
  expect(got).toEqual(expected);
  for (const f of b.error.details.fields) expect(typeof f.message).toBe('string');
};
const register = (fields: Record<string, unknown>) => () => ({
  ...json('POST', '/api/auth/register', fields),
  anonymous: true,
});
const login = (fields: Record<string, unknown>) => () => ({
  ...json('POST', '/api/auth/login', fields),
  anonymous: true,
});
const children = (query: string) => (e: Env) => ({
  method: 'GET',
  path: `/api/nodes/${e.rootId}/children?${query}`,
});
const E256 = 'é'.repeat(128); // 256 bytes of UTF-8
const LONG_PATH = `/${'a'.repeat(200)}`.repeat(21).slice(0, 4097);

const CASES: Case[] = [
  // names, in a JSON body
  { name: 'folder name ""', req: folder(''), status: 400, code: 'invalid_name' },
  { name: 'folder name "."', req: folder('.'), status: 400, code: 'invalid_name' },
  { name: 'folder name ".."', req: folder('..'), status: 400, code: 'invalid_name' },
  { name: 'folder name "a/b"', req: folder('a/b'), status: 400, code: 'invalid_name' },
  { name: 'folder name with NUL', req: folder('a\u0000b'), status: 400, code: 'invalid_name' },
  { name: 'folder name with BEL', req: folder('\u0007bell'), status: 400, code: 'invalid_name' },
  { name: 'folder name with DEL', req: folder('del\u007f'), status: 400, code: 'invalid_name' },
  { name: 'folder name with a C1 control', req: folder('next\u0085line'), status: 400, code: 'invalid_name' },
  { name: 'folder name with a newline', req: folder('two\nlines'), status: 400, code: 'invalid_name' },
  { name: 'folder name of 256 UTF-8 bytes', req: folder(E256), status: 400, code: 'invalid_name' },
  { name: 'folder name with a lone surrogate', req: folder('bad\ud800x'), status: 400, code: 'invalid_name' },
  {
    name: 'folder name over the schema limit',
    req: folder('x'.repeat(5000)),
    status: 400,
    code: 'validation_failed',
    check: fieldIs('body.name'),
  },
  {
    name: 'mkdir -p through ".."',
    req: (e) => json('POST', `/api/nodes/${e.rootId}/folders`, { name: 'a/../b', parents: true }),
    status: 400,
    code: 'invalid_path',
  },
  {
    name: 'rename to ".."',
    req: (e) => json('PATCH', `/api/nodes/${e.fileId}`, { name: '..' }),
    status: 400,
    code: 'invalid_name',
  },
  {
    name: 'copy under a name with "/"',
    req: (e) => json('POST', `/api/nodes/${e.fileId}/copy`, { parentId: e.rootId, name: 'x/y' }),
    status: 400,
    code: 'invalid_name',
  },

  // names, in the URL of a raw upload
  { name: 'upload name "%2E"', req: putName('%2E'), status: 400, code: 'invalid_name' },
  { name: 'upload name "%2E%2E"', req: putName('%2E%2E'), status: 400, code: 'invalid_name' },
  { name: 'upload name "a%2Fb"', req: putName('a%2Fb'), status: 400, code: 'invalid_name' },
  { name: 'upload name with %00', req: putName('a%00b'), status: 400, code: 'invalid_name' },
  { name: 'upload name with %07', req: putName('%07bell'), status: 400, code: 'invalid_name' },
  { name: 'upload name of 256 UTF-8 bytes', req: putName(enc(E256)), status: 400, code: 'invalid_name' },
  { name: 'upload name with bad percent-encoding', req: putName('a%ZZb'), status: 400, code: 'bad_request' },
  {
    name: 'upload name with an over-long UTF-8 encoding of "/"',
    req: putName('a%C0%AFb'),
    status: 400,
    code: 'bad_request',
  },

  // paths
  {
    name: 'resolve "/a/../b"',
    req: () => ({ method: 'GET', path: `/api/resolve?path=${enc('/a/../b')}` }),
    status: 400,
    code: 'invalid_path',
  },
  {
    name: 'resolve "/./x"',
    req: () => ({ method: 'GET', path: `/api/resolve?path=${enc('/./x')}` }),
    status: 400,
    code: 'invalid_path',
  },
  {
    name: 'resolve a path with NUL',
    req: () => ({ method: 'GET', path: `/api/resolve?path=${enc('/a\u0000b')}` }),
    status: 400,
    code: 'invalid_path',
  },
  {
    name: 'resolve without a path',
    req: () => ({ method: 'GET', path: '/api/resolve' }),
    status: 400,
    code: 'validation_failed',
    check: fieldIs('querystring.path'),
  },
  {
    name: 'resolve a path over 4096 characters',
    req: () => ({ method: 'GET', path: `/api/resolve?path=${enc(LONG_PATH)}` }),
    status: 400,
    code: 'validation_failed',
    check: fieldIs('querystring.path'),
  },
  {
    name: 'resolve through a file',
    req: (e) => ({ method: 'GET', path: `/api/resolve?path=${enc(`/${e.fileName}/x`)}` }),
    status: 404,
    code: 'not_found',
  },
  {
    name: 'upload to path ""',
    req: () => ({ method: 'PUT', path: '/api/files?path=', body: 'x' }),
    status: 400,
    code: 'invalid_path',
  },
  {
    name: 'upload to path "/"',
    req: () => ({ method: 'PUT', path: `/api/files?path=${enc('/')}`, body: 'x' }),
    status: 400,
    code: 'invalid_path',
  },
  {
    name: 'upload to path "/a/../b"',
    req: () => ({ method: 'PUT', path: `/api/files?path=${enc('/dots/../b.txt')}`, body: 'x' }),
    status: 400,
    code: 'invalid_path',
  },
  {
    name: 'upload to a path over 4096 characters',
    req: () => ({ method: 'PUT', path: `/api/files?path=${enc(LONG_PATH)}`, body: 'x' }),
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'upload with a 256-byte name in the path',
    req: () => ({ method: 'PUT', path: `/api/files?path=${enc(`/${E256}`)}`, body: 'x' }),
    status: 400,
    code: 'invalid_path',
  },
  {
    name: 'upload without a path',
    req: () => ({ method: 'PUT', path: '/api/files', body: 'x' }),
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'upload below a file',
    req: (e) => ({ method: 'PUT', path: `/api/files?path=${enc(`/${e.fileName}/child.txt`)}`, body: 'x' }),
    status: 409,
    code: 'not_a_folder',
  },

  // JSON bodies
  {
    name: 'invalid JSON',
    req: (e) => json('POST', `/api/nodes/${e.rootId}/folders`, "{name: 'x'}"),
    status: 400,
    code: 'bad_request',
  },
  {
    name: 'truncated JSON',
    req: (e) => json('POST', `/api/nodes/${e.rootId}/folders`, '{"name":'),
    status: 400,
    code: 'bad_request',
  },
  {
    name: 'empty JSON body',
    req: (e) => ({
      method: 'POST',
      path: `/api/nodes/${e.rootId}/folders`,
      headers: { 'content-type': 'application/json' },
    }),
    status: 400,
    code: 'bad_request',
  },
  {
    name: 'JSON array body',
    req: (e) => json('POST', `/api/nodes/${e.rootId}/folders`, '[]'),
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'JSON string body',
    req: (e) => json('POST', `/api/nodes/${e.rootId}/folders`, '"docs"'),
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'JSON null body',
    req: (e) => json('POST', `/api/nodes/${e.rootId}/folders`, 'null'),
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'missing field',
    req: (e) => json('POST', `/api/nodes/${e.rootId}/folders`, {}),
    status: 400,
    code: 'validation_failed',
    check: fieldIs('body.name'),
  },
  {
    name: 'name is an object',
    req: folder({ a: 1 }),
    status: 400,
    code: 'validation_failed',
    check: fieldIs('body.name'),
  },
  { name: 'name is a list of two', req: folder(['a', 'b']), status: 400, code: 'validation_failed' },
  // JSON bodies are not coerced: a number or a one-element list is not quietly made a name.
  { name: 'name is a number', req: folder(123), status: 400, code: 'validation_failed' },
  { name: 'name is a list of one', req: folder(['q']), status: 400, code: 'validation_failed' },
  {
    name: 'remember is a string',
    req: () => json('POST', '/api/auth/login', { login: 'x', password: 'y', remember: 'true' }),
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'parents is not a boolean',
    req: (e) => json('POST', `/api/nodes/${e.rootId}/folders`, { name: 'x', parents: 'maybe' }),
    status: 400,
    code: 'validation_failed',
    check: fieldIs('body.parents'),
  },
  {
    name: '__proto__ in the body',
    req: (e) => json('POST', `/api/nodes/${e.rootId}/folders`, '{"name":"p","__proto__":{"admin":true}}'),
    status: 400,
    code: 'bad_request',
  },
  {
    name: 'JSON body over 1 MiB',
    req: (e) =>
      json('POST', `/api/nodes/${e.rootId}/folders`, { name: 'big', pad: 'x'.repeat(1024 * 1024 + 10) }),
    status: 413,
    code: 'payload_too_large',
  },
  {
    name: 'chunked JSON body over 1 MiB',
    req: (e) => ({
      ...json('POST', `/api/nodes/${e.rootId}/folders`, { name: 'big', pad: 'x'.repeat(2 * 1024 * 1024) }),
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
    }),
    status: 413,
    code: 'payload_too_large',
  },
  {
    name: 'move to a parent id with odd characters',
    req: (e) => json('PATCH', `/api/nodes/${e.fileId}`, { parentId: '../../etc' }),
    status: 400,
    code: 'validation_failed',
    check: fieldIs('body.parentId'),
  },
  {
    name: 'copy without parentId',
    req: (e) => json('POST', `/api/nodes/${e.fileId}/copy`, {}),
    status: 400,
    code: 'validation_failed',
    check: fieldIs('body.parentId'),
  },
  {
    name: 'token with a blank name',
    req: () => json('POST', '/api/auth/tokens', { name: '   ' }),
    status: 400,
    code: 'validation_failed',
    check: fieldIs('name'),
  },
  {
    name: 'token with a 101-character name',
    req: () => json('POST', '/api/auth/tokens', { name: 'n'.repeat(101) }),
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'admin: negative quota',
    req: (e) => json('PATCH', `/api/admin/users/${e.rootId}`, { quotaBytes: -1 }),
    status: 400,
    code: 'validation_failed',
    check: fieldIs('body.quotaBytes'),
  },
  {
    name: 'admin: unknown role',
    req: (e) => json('PATCH', `/api/admin/users/${e.rootId}`, { role: 'root' }),
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'admin: unknown user',
    req: () => json('PATCH', `/api/admin/users/${randomUUID()}`, { quotaBytes: 1 }),
    status: 404,
    code: 'not_found',
  },

  // ids
  {
    name: 'unknown node id',
    req: () => ({ method: 'GET', path: `/api/nodes/${randomUUID()}` }),
    status: 404,
    code: 'not_found',
  },
  {
    name: 'non-uuid node id',
    req: () => ({ method: 'GET', path: '/api/nodes/not-a-uuid' }),
    status: 404,
    code: 'not_found',
  },
  {
    name: 'node id with a space',
    req: () => ({ method: 'GET', path: '/api/nodes/abc%20def' }),
    status: 400,
    code: 'validation_failed',
    check: fieldIs('params.id'),
  },
  {
    name: 'node id with SQL',
    req: () => ({ method: 'GET', path: `/api/nodes/${enc("x' OR '1'='1")}` }),
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'node id with NUL',
    req: () => ({ method: 'GET', path: '/api/nodes/a%00b' }),
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'node id with "é"',
    req: () => ({ method: 'GET', path: `/api/nodes/${enc('é')}` }),
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'node id of 65 characters',
    req: () => ({ method: 'GET', path: `/api/nodes/${'a'.repeat(65)}` }),
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'node id "..%2F.."',
    req: () => ({ method: 'GET', path: '/api/nodes/..%2F..' }),
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'node id with bad percent-encoding',
    req: () => ({ method: 'GET', path: '/api/nodes/%E0%A4%A' }),
    status: 400,
    code: 'bad_request',
  },
  {
    name: 'delete unknown node',
    req: () => ({ method: 'DELETE', path: `/api/nodes/${randomUUID()}` }),
    status: 404,
    code: 'not_found',
  },
  {
    name: 'rename unknown node',
    req: () => json('PATCH', `/api/nodes/${randomUUID()}`, { name: 'x' }),
    status: 404,
    code: 'not_found',
  },
  {
    name: 'list a file',
    req: (e) => ({ method: 'GET', path: `/api/nodes/${e.fileId}/children` }),
    status: 409,
    code: 'not_a_folder',
  },
  {
    name: 'versions of a folder',
    req: (e) => ({ method: 'GET', path: `/api/nodes/${e.folderId}/versions` }),
    status: 409,
    code: 'not_a_file',
  },
  {
    name: 'unknown version',
    req: (e) => ({ method: 'GET', path: `/api/nodes/${e.fileId}/content?version=${randomUUID()}` }),
    status: 404,
    code: 'not_found',
  },
  {
    name: 'version id with odd characters',
    req: (e) => ({ method: 'GET', path: `/api/nodes/${e.fileId}/content?version=${enc('v;1')}` }),
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'restore unknown version',
    req: (e) => ({ method: 'POST', path: `/api/nodes/${e.fileId}/versions/${randomUUID()}/restore` }),
    status: 404,
    code: 'not_found',
  },
  {
    name: 'restore version id with odd characters',
    req: (e) => ({ method: 'POST', path: `/api/nodes/${e.fileId}/versions/${enc('a.b')}/restore` }),
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'restore unknown trash item',
    req: () => ({ method: 'POST', path: `/api/trash/${randomUUID()}/restore` }),
    status: 404,
    code: 'not_found',
  },
  {
    name: 'restore a live file from trash',
    req: (e) => ({ method: 'POST', path: `/api/trash/${e.fileId}/restore` }),
    status: 404,
    code: 'not_found',
  },
  {
    name: 'purge unknown trash item',
    req: () => ({ method: 'DELETE', path: `/api/trash/${randomUUID()}` }),
    status: 404,
    code: 'not_found',
  },
  {
    name: 'revoke unknown session',
    req: () => ({ method: 'DELETE', path: `/api/auth/sessions/${randomUUID()}` }),
    status: 404,
    code: 'not_found',
  },
  {
    name: 'revoke unknown token',
    req: () => ({ method: 'DELETE', path: `/api/auth/tokens/${randomUUID()}` }),
    status: 404,
    code: 'not_found',
  },
  {
    name: 'zip of nothing',
    req: () => ({ method: 'GET', path: '/api/zip?ids=' }),
    status: 400,
    code: 'bad_request',
  },
  {
    name: 'zip with odd ids',
    req: () => ({ method: 'GET', path: `/api/zip?ids=${enc('a;b')}` }),
    status: 400,
    code: 'bad_request',
  },
  {
    name: 'zip without ids',
    req: () => ({ method: 'GET', path: '/api/zip' }),
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'zip of an unknown id',
    req: (e) => ({ method: 'GET', path: `/api/zip?ids=${e.fileId},${randomUUID()}` }),
    status: 404,
    code: 'not_found',
  },
  {
    name: 'unknown route',
    req: () => ({ method: 'GET', path: '/api/nope' }),
    status: 404,
    code: 'not_found',
  },

  // query parameters
  {
    name: 'limit=0',
    req: children('limit=0'),
    status: 400,
    code: 'validation_failed',
    check: fieldIs('querystring.limit'),
  },
  {
    name: 'limit=abc',
    req: children('limit=abc'),
    status: 400,
    code: 'validation_failed',
    check: fieldIs('querystring.limit'),
  },
  { name: 'limit=-1', req: children('limit=-1'), status: 400, code: 'validation_failed' },
  { name: 'limit=1.5', req: children('limit=1.5'), status: 400, code: 'validation_failed' },
  { name: 'limit=1001', req: children('limit=1001'), status: 400, code: 'validation_failed' },
  { name: 'limit given twice', req: children('limit=1&limit=2'), status: 400, code: 'validation_failed' },
  {
    name: 'sort=bogus',
    req: children('sort=bogus'),
    status: 400,
    code: 'validation_failed',
    check: fieldIs('querystring.sort'),
  },
  { name: 'order=sideways', req: children('order=sideways'), status: 400, code: 'validation_failed' },
  { name: 'cursor=garbage', req: children('cursor=garbage'), status: 400, code: 'invalid_cursor' },
  {
    name: 'cursor of the wrong shape',
    req: children(`cursor=${Buffer.from(JSON.stringify({ phase: 'x' })).toString('base64url')}`),
    status: 400,
    code: 'invalid_cursor',
  },
  {
    name: 'cursor from another sort order',
    req: (e) => children(`sort=size&cursor=${e.listCursor}`)(e),
    status: 400,
    code: 'invalid_cursor',
  },
  {
    name: 'cursor over 2048 characters',
    req: children(`cursor=${'A'.repeat(3000)}`),
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'trash cursor=garbage',
    req: () => ({ method: 'GET', path: '/api/trash?cursor=garbage' }),
    status: 400,
    code: 'invalid_cursor',
  },
  {
    name: 'trash limit=0',
    req: () => ({ method: 'GET', path: '/api/trash?limit=0' }),
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'admin users limit=abc',
    req: () => ({ method: 'GET', path: '/api/admin/users?limit=abc' }),
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'upload conflict=bogus',
    req: () => ({ method: 'PUT', path: `/api/files?path=${enc('/c.txt')}&conflict=bogus`, body: 'x' }),
    status: 400,
    code: 'validation_failed',
  },

  // headers
  {
    name: 'Range past the end',
    req: (e) => ({ method: 'GET', path: `/api/nodes/${e.fileId}/content`, headers: { range: 'bytes=10-' } }),
    status: 416,
    code: 'invalid_range',
    check: (b) => expect(b.error.details.size).toBe(10),
  },
  {
    name: 'Range "bytes=-0"',
    req: (e) => ({ method: 'GET', path: `/api/nodes/${e.fileId}/content`, headers: { range: 'bytes=-0' } }),
    status: 416,
    code: 'invalid_range',
  },
  {
    name: 'If-Match that does not match',
    req: (e) => ({
      method: 'PUT',
      path: `/api/nodes/${e.fileId}/content`,
      headers: { 'if-match': '"abc"' },
      body: 'new',
    }),
    status: 412,
    code: 'precondition_failed',
  },
  {
    name: 'Authorization that is not Bearer',
    req: () => ({
      method: 'GET',
      path: '/api/me',
      headers: { authorization: 'Basic YTpi' },
      anonymous: true,
    }),
    status: 401,
    code: 'unauthenticated',
  },
  {
    name: 'Bearer with two tokens',
    req: (e) => ({
      method: 'GET',
      path: '/api/me',
      headers: { authorization: `Bearer ${e.token} ${e.token}` },
      anonymous: true,
    }),
    status: 401,
    code: 'unauthenticated',
  },

  // registration: every field problem comes back with its own code
  {
    name: 'register: short username',
    req: register({ username: 'ab', email: 'ab@example.test', password: PASSWORD }),
    status: 400,
    code: 'validation_failed',
    check: fieldCodes({ username: 'too_short' }),
  },
  {
    name: 'register: long username',
    req: register({ username: 'a'.repeat(33), email: 'long@example.test', password: PASSWORD }),
    status: 400,
    code: 'validation_failed',
    check: fieldCodes({ username: 'too_long' }),
  },
  {
    name: 'register: username with spaces',
    req: register({ username: 'Bad Name!', email: 'bad@example.test', password: PASSWORD }),
    status: 400,
    code: 'validation_failed',
    check: fieldCodes({ username: 'invalid_characters' }),
  },
  {
    name: 'register: username over the schema limit',
    req: register({ username: 'a'.repeat(300), email: 'x@example.test', password: PASSWORD }),
    status: 400,
    code: 'validation_failed',
    check: fieldIs('body.username'),
  },
  {
    name: 'register: empty email',
    req: register({ username: 'emptymail', email: '', password: PASSWORD }),
    status: 400,
    code: 'validation_failed',
    check: fieldCodes({ email: 'required' }),
  },
  {
    name: 'register: invalid email',
    req: register({ username: 'badmail', email: 'not-an-email', password: PASSWORD }),
    status: 400,
    code: 'validation_failed',
    check: fieldCodes({ email: 'invalid_email' }),
  },
  {
    name: 'register: short password',
    req: register({ username: 'shortpw', email: 'shortpw@example.test', password: 'short' }),
    status: 400,
    code: 'validation_failed',
    check: fieldCodes({ password: 'too_short' }),
  },
  {
    name: 'register: long password',
    req: register({ username: 'longpw', email: 'longpw@example.test', password: 'p'.repeat(257) }),
    status: 400,
    code: 'validation_failed',
    check: fieldCodes({ password: 'too_long' }),
  },
  {
    name: 'register: everything wrong',
    req: register({ username: 'x', email: 'x', password: 'x' }),
    status: 400,
    code: 'validation_failed',
    check: fieldCodes({ username: 'too_short', email: 'invalid_email', password: 'too_short' }),
  },
  {
    name: 'register: missing password',
    req: register({ username: 'nopass', email: 'nopass@example.test' }),
    status: 400,
    code: 'validation_failed',
    check: fieldIs('body.password'),
  },
  {
    name: 'register: taken username',
    req: register({ username: 'Bad-Input-Owner', email: 'other@example.test', password: PASSWORD }),
    status: 409,
    code: 'username_taken',
    check: fieldCodes({ username: 'taken' }),
  },
  {
    name: 'register: taken email',
    req: register({ username: 'someoneelse', email: 'BAD-INPUT-OWNER@example.test', password: PASSWORD }),
    status: 409,
    code: 'email_taken',
    check: fieldCodes({ email: 'taken' }),
  },

  // sign-in
  {
    name: 'login: no fields',
    req: login({}),
    status: 400,
    code: 'validation_failed',
    check: fieldIs('body.login'),
  },
  {
    name: 'login: no password',
    req: login({ login: 'bad-input-owner' }),
    status: 400,
    code: 'validation_failed',
    check: fieldIs('body.password'),
  },
  {
    name: 'login: no login',
    req: login({ password: PASSWORD }),
    status: 400,
    code: 'validation_failed',
    check: fieldIs('body.login'),
  },
  {
    name: 'login: empty login',
    req: login({ login: '', password: PASSWORD }),
    status: 401,
    code: 'invalid_credentials',
  },
  {
    name: 'login: remember is not a boolean',
    req: login({ login: 'bad-input-owner', password: PASSWORD, remember: 'maybe' }),
    status: 400,
    code: 'validation_failed',
  },

  // media types
  {
    name: 'JSON route with text/plain',
    req: (e) => ({
      method: 'POST',
      path: `/api/nodes/${e.rootId}/folders`,
      headers: { 'content-type': 'text/plain' },
      body: '{"name":"tp"}',
    }),
    status: 400,
    code: 'validation_failed',
    check: fieldIs('body'),
  },
  {
    name: 'JSON route with a form body',
    req: (e) => ({
      method: 'POST',
      path: `/api/nodes/${e.rootId}/folders`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=x',
    }),
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'JSON route with XML',
    req: (e) => ({
      method: 'POST',
      path: `/api/nodes/${e.rootId}/folders`,
      headers: { 'content-type': 'application/xml' },
      body: '<name>x</name>',
    }),
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'JSON route without Content-Type',
    req: (e) => ({ method: 'POST', path: `/api/nodes/${e.rootId}/folders`, body: '{"name":"noct"}' }),
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'login with text/plain',
    req: () => ({
      method: 'POST',
      path: '/api/auth/login',
      headers: { 'content-type': 'text/plain' },
      body: 'x',
      anonymous: true,
    }),
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'multipart route with JSON',
    req: (e) => json('POST', `/api/nodes/${e.rootId}/files`, { file: 'x' }),
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'multipart route with text/plain',
    req: (e) => ({
      method: 'POST',
      path: `/api/nodes/${e.rootId}/files`,
      headers: { 'content-type': 'text/plain' },
      body: 'x',
    }),
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'multipart route with octet-stream',
    req: (e) => ({
      method: 'POST',
      path: `/api/nodes/${e.rootId}/files`,
      headers: { 'content-type': 'application/octet-stream' },
      body: 'x',
    }),
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'multipart without a boundary',
    req: (e) => ({
      method: 'POST',
      path: `/api/nodes/${e.rootId}/files`,
      headers: { 'content-type': 'multipart/form-data' },
      body: 'garbage',
    }),
    status: 400,
    code: 'bad_request',
  },
  {
    name: 'multipart body that is not multipart',
    req: (e) => ({
      method: 'POST',
      path: `/api/nodes/${e.rootId}/files`,
      headers: { 'content-type': 'multipart/form-data; boundary=XYZ' },
      body: 'garbage',
    }),
    status: 400,
    code: 'bad_request',
  },
  {
    name: 'multipart cut off inside a file',
    req: (e) => ({
      method: 'POST',
      path: `/api/nodes/${e.rootId}/files`,
      headers: { 'content-type': 'multipart/form-data; boundary=XYZ' },
      body: '--XYZ\r\nContent-Disposition: form-data; name="f"; filename="cut.txt"\r\nContent-Type: text/plain\r\n\r\nhello',
    }),
    status: 400,
    code: 'bad_request',
  },
  {
    name: 'multipart file name climbing out with ".."',
    req: (e) => {
      const m = multipartBody([{ filename: '../escape.txt', content: 'x' }]);
      return {
        method: 'POST',
        path: `/api/nodes/${e.folderId}/files`,
        headers: { 'content-type': m.contentType },
        body: m.body,
      };
    },
    status: 400,
    code: 'invalid_path',
  },
  {
    name: 'multipart file name "."',
    req: (e) => {
      const m = multipartBody([{ filename: '.', content: 'x' }]);
      return {
        method: 'POST',
        path: `/api/nodes/${e.folderId}/files`,
        headers: { 'content-type': m.contentType },
        body: m.body,
      };
    },
    status: 400,
    code: 'invalid_name',
  },
];

describe(`bad input (${dialect})`, () => {
  let server: TestServer;
  let c: Client;
  let env: Env;
  let usedBefore: number;
  let rootBefore: string[];

  const rootNames = async (cl: Client) =>
    (await cl.json('GET', `/api/nodes/${cl.rootId}/children?limit=1000`, undefined, 200)).body.items
      .map((n: any) => n.name)
      .sort();

  beforeAll(async () => {
    server = await startServer();
    // The first account is the admin: the admin-route cases then reach their validation.
    c = await server.user('bad-input-owner');
    expect(c.user!.role).toBe('admin');
    const file = await c.upload('/digits.txt', '0123456789');
    expect(file.status).toBe(201);
    const dir = await c.json('POST', `/api/nodes/${c.rootId}/folders`, { name: 'Folder' }, 201);
    await c.json('POST', `/api/nodes/${c.rootId}/folders`, { name: 'Second' }, 201);
    const page = await c.json('GET', `/api/nodes/${c.rootId}/children?limit=1`, undefined, 200);
    expect(page.body.nextCursor).toEqual(expect.any(String));
    const versions = await c.json('GET', `/api/nodes/${file.body.id}/versions`, undefined, 200);
    env = {
      url: server.url,
      token: c.token!,
      rootId: c.rootId,
      fileId: file.body.id,
      folderId: dir.body.id,
      fileName: 'digits.txt',
      versionId: versions.body.items[0].id,
      listCursor: page.body.nextCursor,
    };
    usedBefore = (await c.me()).usedBytes;
    rootBefore = await rootNames(c);
  });
  afterAll(async () => server?.close());

  it.each(CASES.map((k) => [k.name, k] as const))('%s', async (_name, k) => {
    const r = k.req(env);
    const res = await raw(server.url, r.method, r.path, {
      headers: r.headers,
      body: r.body,
      token: r.anonymous ? null : env.token,
    });
    expectCatalogueError(res, `${k.name}: ${res.text.slice(0, 300)}`);
    expect(res.status, res.text.slice(0, 300)).toBe(k.status);
    expect(res.body.error.code).toBe(k.code);
    k.check?.(res.body);
  });

  it('left the tree and the usage as they were after all those refusals', async () => {
    expect(await rootNames(c)).toEqual(rootBefore);
    expect((await c.json('GET', `/api/nodes/${env.folderId}/children`, undefined, 200)).body.items).toEqual(
      [],
    );
    expect((await c.me()).usedBytes).toBe(usedBefore);
    const content = await c.request('GET', `/api/nodes/${env.fileId}/content`);
    expect(content.body.toString()).toBe('0123456789');
  });

  it('accepts a 255-byte name, and counts bytes after NFC normalization', async () => {
    const n255 = `${'é'.repeat(127)}a`;
    expect(Buffer.byteLength(n255)).toBe(255);
    const f = await c.json('POST', `/api/nodes/${c.rootId}/folders`, { name: n255 }, 201);
    expect(f.body.name).toBe(n255);
    const up = await raw(server.url, 'PUT', `/api/nodes/${f.body.id}/files/${enc(n255)}`, {
      token: env.token,
      body: 'long',
    });
    expect(up.status, up.text).toBe(201);
    expect(up.body.name).toBe(n255);
    const byPath = await c.upload(`/${n255}/${n255}`, 'longer');
    expect(byPath.status).toBe(200);
    expect(byPath.body.id).toBe(up.body.id);
    // 127 × "e" + combining acute is 382 bytes as sent, 254 + 1 once composed: accepted.
    const nfd255 = `${'e\u0301'.repeat(127)}b`;
    const g = await c.json('POST', `/api/nodes/${c.rootId}/folders`, { name: nfd255 }, 201);
    expect(g.body.name).toBe(nfd255.normalize('NFC'));
    // ... and 128 of them compose to 256 bytes: refused.
    const nfd256 = 'e\u0301'.repeat(128);
    const h = await c.json('POST', `/api/nodes/${c.rootId}/folders`, { name: nfd256 });
    expectCatalogueError(h, 'nfd256');
    expect(h.body.error.code).toBe('invalid_name');
  });

  it('normalizes names to NFC: NFD and NFC spellings are the same item', async () => {
    await c.json('POST', `/api/nodes/${c.rootId}/folders`, { name: 'nfc' }, 201);
    const up = await c.upload('/nfc/e\u0301.txt', 'decomposed');
    expect(up.status).toBe(201);
    expect(up.body.name).toBe('\u00e9.txt');
    expect((await c.resolve('/nfc/\u00e9.txt')).id).toBe(up.body.id);
    expect((await c.resolve('/nfc/e\u0301.txt')).id).toBe(up.body.id);
    const again = await c.upload('/nfc/\u00e9.txt', 'composed');
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(up.body.id);
    const nfc = await c.resolve('/nfc');
    const list = await c.json('GET', `/api/nodes/${nfc.id}/children`, undefined, 200);
    expect(list.body.items.map((n: any) => n.name)).toEqual(['\u00e9.txt']);

    await c.json('POST', `/api/nodes/${nfc.id}/folders`, { name: 'caf\u00e9' }, 201);
    const dup = await c.json('POST', `/api/nodes/${nfc.id}/folders`, { name: 'cafe\u0301' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('name_conflict');
    const other = await c.json('POST', `/api/nodes/${nfc.id}/folders`, { name: 'other' }, 201);
    const rename = await c.json('PATCH', `/api/nodes/${other.body.id}`, { name: 'cafe\u0301' });
    expect(rename.status).toBe(409);
    expect(rename.body.error.code).toBe('name_conflict');
    const viaUrl = await raw(
      server.url,
      'PUT',
      `/api/nodes/${nfc.id}/files/${enc('e\u0301.txt')}?conflict=fail`,
      {
        token: env.token,
        body: 'x',
      },
    );
    expect(viaUrl.status).toBe(409);
    expect(viaUrl.body.error.code).toBe('name_conflict');
  });

  it('resolves "" and "/" to the root, and a 4096-character path is valid but missing', async () => {
    expect((await c.resolve('')).id).toBe(c.rootId);
    expect((await c.resolve('/')).id).toBe(c.rootId);
    expect((await c.resolve('//Folder//')).id).toBe(env.folderId);
    const exact = LONG_PATH.slice(0, 4096);
    expect(exact).toHaveLength(4096);
    const r = await c.json('GET', `/api/resolve?path=${enc(exact)}`);
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('not_found');
    // The refused "/dots/../b.txt" upload created nothing, not even "dots".
    expect((await c.json('GET', `/api/resolve?path=${enc('/dots')}`)).status).toBe(404);
  });

  it('ignores ranges it cannot parse and serves the whole file', async () => {
    const path = `/api/nodes/${env.fileId}/content`;
    for (const range of ['bytes=abc', 'bytes=5-1', 'bytes=0-1,3-4', 'items=0-1', 'bytes=', 'bytes=--1']) {
      const r = await c.request('GET', path, { headers: { range } });
      expect(r.status, range).toBe(200);
      expect(r.body.toString(), range).toBe('0123456789');
      expect(r.headers['content-range'], range).toBeUndefined();
    }
    const cases: [string, string, string][] = [
      ['bytes=2-4', '234', 'bytes 2-4/10'],
      ['bytes=-3', '789', 'bytes 7-9/10'],
      ['bytes=8-100', '89', 'bytes 8-9/10'],
    ];
    for (const [range, body, contentRange] of cases) {
      const r = await c.request('GET', path, { headers: { range } });
      expect(r.status, range).toBe(206);
      expect(r.body.toString(), range).toBe(body);
      expect(r.headers['content-range'], range).toBe(contentRange);
    }
    const past = await c.request('GET', path, { headers: { range: 'bytes=10-' } });
    expect(past.headers['content-range']).toBe('bytes */10');
  });

  it('answers requests Node cannot parse (bad Content-Length, huge headers) with a catalogue error', async () => {
    for (const length of ['-1', 'abc', '1e3', '10, 20']) {
      const text = await socketExchange(
        server.url,
        `PUT /api/files?path=${enc(`/cl-${length}.txt`)} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
          `Authorization: Bearer ${env.token}\r\nContent-Length: ${length}\r\n\r\nabc`,
      );
      const res = parseRawResponse(text);
      expectCatalogueError(res, `Content-Length: ${length}: ${text.slice(0, 300)}`);
      expect(res.body.error.code).toBe('bad_request');
    }
    // Headers over Node's 16 KiB limit: refused by the parser too, in the same shape.
    const text = await socketExchange(
      server.url,
      `GET /api/me HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: ${'p'.repeat(20_000)}\r\n\r\n`,
    );
    const res = parseRawResponse(text);
    expectCatalogueError(res, `header overflow: ${text.slice(0, 300)}`);
    expect(res.body.error.code).toBe('bad_request');
    expect(await rootNames(c)).not.toContainEqual(expect.stringMatching(/^cl-/));
  });

  it('never lists a file whose body ended early, and gives back the space it held', async () => {
    const q = await server.user('bad-input-quota');
    const used = (await q.me()).usedBytes;
    await c.json('PATCH', `/api/admin/users/${q.user!.id}`, { quotaBytes: used + 1000 }, 200);

    const attempts = [
      // Declares 1000 bytes, sends 100, hangs up.
      `PUT /api/files?path=${enc('/short.bin')} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${q.token}\r\n` +
        `Content-Type: application/octet-stream\r\nContent-Length: 1000\r\n\r\n${'x'.repeat(100)}`,
      // Chunked, one chunk, no terminating chunk, hangs up.
      `PUT /api/files?path=${enc('/chunked.bin')} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${q.token}\r\n` +
        `Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n${'y'.repeat(100)}\r\n`,
      // Multipart, cut off inside the file, hangs up.
      `POST /api/nodes/${q.rootId}/files HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${q.token}\r\n` +
        `Content-Type: multipart/form-data; boundary=XYZ\r\nContent-Length: 900\r\n\r\n` +
        `--XYZ\r\nContent-Disposition: form-data; name="f"; filename="form.bin"\r\n\r\n${'z'.repeat(100)}`,
    ];
    for (const attempt of attempts) {
      const answer = await socketExchange(server.url, attempt, { destroyAfterMs: 300 });
      // Nothing may claim success for a body that never arrived.
      expect(answer).not.toMatch(/^HTTP\/1\.1 20/);

      // The held quota comes back: a 1000-byte upload fits again (give the server a moment).
      const full = Buffer.alloc(1000, 7);
      let status = 0;
      for (let i = 0; i < 50 && status !== 200 && status !== 201; i++) {
        const r = await q.upload('/full.bin', full);
        status = r.status;
        if (status !== 200 && status !== 201) {
          expect(r.body.error.code).toBe('quota_exceeded');
          await new Promise((res) => setTimeout(res, 100));
        }
      }
      expect(status === 200 || status === 201, `quota held after: ${attempt.slice(0, 40)}`).toBe(true);
      // Free the space again for the next attempt.
      await q.json('DELETE', `/api/nodes/${(await q.resolve('/full.bin')).id}`, undefined, 204);
      await q.json('DELETE', '/api/trash', undefined, 200);
    }
    expect(await rootNames(q)).toEqual([]);
    for (const name of ['short.bin', 'chunked.bin', 'form.bin']) {
      expect((await q.json('GET', `/api/resolve?path=${enc(`/${name}`)}`)).status).toBe(404);
    }
    expect((await q.json('GET', '/api/trash', undefined, 200)).body.items).toEqual([]);
    expect((await q.me()).usedBytes).toBe(used);
  });

  it('is still healthy and serving', async () => {
    expect((await server.anonymous().json('GET', '/healthz')).status).toBe(200);
    expect((await server.anonymous().json('GET', '/readyz')).status).toBe(200);
    const used = (await c.me()).usedBytes;
    const up = await c.upload('/after/all.txt', 'still here');
    expect(up.status).toBe(201);
    const down = await c.request('GET', `/api/nodes/${up.body.id}/content`);
    expect(down.status).toBe(200);
    expect(sha256(down.body)).toBe(sha256('still here'));
    expect((await c.me()).usedBytes).toBe(used + 'still here'.length);
  });
});
