import { createHash, randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Client, RawRes } from './helpers/client.js';
import { dialect, startServer, type TestServer } from './helpers/server.js';
import { readZip } from './helpers/zip.js';

const enc = encodeURIComponent;
const MIN = 60_000;
const HOUR = 60 * MIN;

const pub = (token: string, sub = '') => `/api/public/links/${token}${sub}`;

/** JSON of a raw answer, or null. */
const jsonOf = (r: RawRes): any => {
  const text = r.body.toString('utf8');
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
};

function multipartBody(files: { filename: string; content: string }[]) {
  const boundary = `----loft${randomBytes(8).toString('hex')}`;
  const parts = files.map(
    (f) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${f.filename}"\r\n` +
      `Content-Type: text/plain\r\n\r\n${f.content}\r\n`,
  );
  return {
    body: Buffer.from(`${parts.join('')}--${boundary}--\r\n`),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

async function createLink(c: Client, nodeId: string, body: Record<string, unknown> = {}) {
  return (await c.json('POST', `/api/nodes/${nodeId}/links`, body, 201)).body;
}

/** A visitor: an anonymous client that may carry a grant (header or cookie). */
async function get(
  server: TestServer,
  path: string,
  opts: { grant?: string; cookie?: string; headers?: Record<string, string>; method?: string } = {},
) {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.grant) headers['x-loft-link-grant'] = opts.grant;
  if (opts.cookie) headers.cookie = opts.cookie;
  const r = await server.anonymous().request(opts.method ?? 'GET', path, { headers });
  return { ...r, json: jsonOf(r) };
}

async function unlock(
  server: TestServer,
  token: string,
  password: string,
  headers: Record<string, string> = {},
) {
  const r = await server.anonymous().json('POST', pub(token, '/unlock'), { password }, undefined, headers);
  return r;
}

async function upload(
  server: TestServer,
  token: string,
  files: { filename: string; content: string }[],
  opts: { grant?: string; path?: string; headers?: Record<string, string> } = {},
) {
  const { body, contentType } = multipartBody(files);
  const q = opts.path === undefined ? '' : `?path=${enc(opts.path)}`;
  const r = await server.anonymous().request('POST', pub(token, `/files${q}`), {
    headers: {
      'content-type': contentType,
      'content-length': String(body.length),
      ...(opts.grant ? { 'x-loft-link-grant': opts.grant } : {}),
      ...opts.headers,
    },
    body,
  });
  return { ...r, json: jsonOf(r) };
}

describe(`public links (${dialect})`, () => {
  let server: TestServer;
  let admin: Client;
  let alice: Client;
  let bob: Client;
  let ids: Record<'shared' | 'a' | 'sub' | 'deep' | 'sibling' | 'secret' | 'top' | 'big', string>;

  beforeAll(async () => {
    server = await startServer();
    admin = await server.user(`admin${randomBytes(3).toString('hex')}`);
    alice = await server.user(`alice${randomBytes(3).toString('hex')}`);
    bob = await server.user(`bob${randomBytes(3).toString('hex')}`);
    await alice.upload('/Shared/a.txt', 'hello from a');
    await alice.upload('/Shared/sub/deep.txt', 'deep inside');
    await alice.upload('/Sibling/secret.txt', 'not for visitors');
    await alice.upload('/top.txt', 'top level text');
    await alice.upload('/Big/big.bin', randomBytes(64 * 1024));
    ids = {
      shared: (await alice.resolve('/Shared')).id,
      a: (await alice.resolve('/Shared/a.txt')).id,
      sub: (await alice.resolve('/Shared/sub')).id,
      deep: (await alice.resolve('/Shared/sub/deep.txt')).id,
      sibling: (await alice.resolve('/Sibling')).id,
      secret: (await alice.resolve('/Sibling/secret.txt')).id,
      top: (await alice.resolve('/top.txt')).id,
      big: (await alice.resolve('/Big/big.bin')).id,
    };
  });
  afterAll(async () => server?.close());

  it('creates, lists, reads, edits and revokes links; only the owner sees them', async () => {
    const link = await createLink(alice, ids.top);
    expect(link).toMatchObject({
      nodeId: ids.top,
      name: 'top.txt',
      kind: 'file',
      hasPassword: false,
      expiresAt: null,
      maxDownloads: null,
      uploadOnly: false,
      views: 0,
      downloads: 0,
      status: 'active',
    });
    // 256 bits, URL-safe, and the URL is the web page on this server's origin.
    expect(link.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(link.url).toBe(`${server.url}/s/${link.token}`);
    const second = await createLink(alice, ids.shared, { maxDownloads: 5 });
    expect(second.token).not.toBe(link.token);

    // The owner reads the same URL again later; a database leak alone gives no usable token.
    expect((await alice.json('GET', `/api/links/${link.id}`, undefined, 200)).body.url).toBe(link.url);
    const row = await server.app.services.database.db
      .selectFrom('links')
      .selectAll()
      .where('id', '=', link.id)
      .executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(createHash('sha256').update(link.token).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(link.token);

    // Newest first, paginated; nodeId filters.
    const page1 = (await alice.json('GET', '/api/links?limit=1', undefined, 200)).body;
    expect(page1.items.map((l: any) => l.id)).toEqual([second.id]);
    expect(page1.nextCursor).toEqual(expect.any(String));
    const page2 = (await alice.json('GET', `/api/links?limit=1&cursor=${page1.nextCursor}`, undefined, 200))
      .body;
    expect(page2.items.map((l: any) => l.id)).toEqual([link.id]);
    expect(page2.items[0].url).toBe(link.url);
    const byNode = (await alice.json('GET', `/api/links?nodeId=${ids.shared}`, undefined, 200)).body;
    expect(byNode.items.map((l: any) => l.id)).toEqual([second.id]);
    expect((await alice.json('GET', '/api/links?cursor=nonsense')).body.error.code).toBe('invalid_cursor');

    // Edit: password, expiry, limit; null removes.
    const expiresAt = server.clock.now() + 24 * HOUR;
    const edited = (
      await alice.json(
        'PATCH',
        `/api/links/${link.id}`,
        { password: 'open sesame', expiresAt, maxDownloads: 2 },
        200,
      )
    ).body;
    expect(edited).toMatchObject({ hasPassword: true, expiresAt, maxDownloads: 2, url: link.url });
    const cleared = (
      await alice.json(
        'PATCH',
        `/api/links/${link.id}`,
        { password: null, expiresAt: null, maxDownloads: null },
        200,
      )
    ).body;
    expect(cleared).toMatchObject({ hasPassword: false, expiresAt: null, maxDownloads: null });
    expect((await alice.json('GET', `/api/links/${link.id}`, undefined, 200)).body).toMatchObject({
      hasPassword: false,
      expiresAt: null,
    });

    // Refusals: upload-only needs a folder, expiry in the past, unknown fields.
    expect(
      (await alice.json('POST', `/api/nodes/${ids.top}/links`, { uploadOnly: true })).body.error.code,
    ).toBe('not_a_folder');
    expect((await alice.json('PATCH', `/api/links/${link.id}`, { uploadOnly: true })).body.error.code).toBe(
      'not_a_folder',
    );
    const past = await alice.json('POST', `/api/nodes/${ids.top}/links`, {
      expiresAt: server.clock.now() - 1,
    });
    expect(past.status).toBe(400);
    expect(past.body.error.details.fields[0].field).toBe('body.expiresAt');
    expect((await alice.json('PATCH', `/api/links/${link.id}`, { pasword: 'typo' })).status).toBe(400);
    expect((await alice.json('POST', `/api/nodes/${ids.top}/links`, { maxDownloads: 0 })).status).toBe(400);

    // Other people: someone else's link or item is "not found"; no account, 401.
    for (const [method, p, body] of [
      ['GET', `/api/links/${link.id}`, undefined],
      ['PATCH', `/api/links/${link.id}`, { maxDownloads: 1 }],
      ['DELETE', `/api/links/${link.id}`, undefined],
      ['GET', `/api/links/${link.id}/qr.svg`, undefined],
      ['GET', `/api/links/${link.id}/qr.png`, undefined],
      ['POST', `/api/nodes/${ids.top}/links`, {}],
    ] as const) {
      const other = await bob.json(method, p, body);
      expect(other.status, `${method} ${p}`).toBe(404);
      expect(other.body.error.code).toBe('not_found');
      expect(JSON.stringify(other.body)).not.toContain(link.token);
      const anon = await server.anonymous().json(method, p, body);
      expect(anon.status, `${method} ${p}`).toBe(401);
    }
    expect((await bob.json('GET', '/api/links', undefined, 200)).body.items).toEqual([]);
    expect((await admin.json('GET', `/api/links/${link.id}`)).status).toBe(404);

    // Revoke: gone for the owner and for visitors, at once.
    expect((await get(server, pub(link.token))).status).toBe(200);
    await alice.json('DELETE', `/api/links/${link.id}`, undefined, 204);
    expect((await alice.json('GET', `/api/links/${link.id}`)).status).toBe(404);
    expect((await alice.json('DELETE', `/api/links/${link.id}`)).status).toBe(404);
    const gone = await get(server, pub(link.token));
    expect(gone.status).toBe(404);
    expect(gone.json.error.code).toBe('not_found');
    expect((await get(server, pub(link.token, '/content'))).status).toBe(404);
    await alice.json('DELETE', `/api/links/${second.id}`, undefined, 204);
  });

  it('lets only the owner link an item shared with others', async () => {
    const share = (
      await alice.json(
        'POST',
        `/api/nodes/${ids.sibling}/shares`,
        { user: bob.user!.username, role: 'editor' },
        201,
      )
    ).body;
    const r = await bob.json('POST', `/api/nodes/${ids.secret}/links`, {});
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('forbidden');
    expect((await bob.json('GET', '/api/links', undefined, 200)).body.items).toEqual([]);
    await alice.json('DELETE', `/api/shares/${share.id}`, undefined, 204);
  });

  it('keeps the instance secret in a 0600 file: links survive a restart', async () => {
    const link = await createLink(alice, ids.top);
    const file = path.join(server.dataDir, 'instance-secret');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    await server.restart();
    expect((await alice.json('GET', `/api/links/${link.id}`, undefined, 200)).body.url).toBe(link.url);
    expect((await get(server, pub(link.token, '/content'))).body.toString()).toBe('top level text');
    await alice.json('DELETE', `/api/links/${link.id}`, undefined, 204);
  });

  it('serves QR codes of the URL as SVG and PNG', async () => {
    const link = await createLink(alice, ids.top);
    const svg = await alice.request('GET', `/api/links/${link.id}/qr.svg`);
    expect(svg.status).toBe(200);
    expect(svg.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(svg.headers['cache-control']).toBe('private, no-store');
    expect(svg.headers['x-content-type-options']).toBe('nosniff');
    expect(svg.body.toString()).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg.body.toString()).not.toMatch(/<script/i);
    const png = await alice.request('GET', `/api/links/${link.id}/qr.png`);
    expect(png.status).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.body.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.body.length).toBeGreaterThan(200);
    await alice.json('DELETE', `/api/links/${link.id}`, undefined, 204);
    expect((await alice.request('GET', `/api/links/${link.id}/qr.svg`)).status).toBe(404);
  });

  it('shows a file link, counts views and full downloads, and serves it like the signed-in download', async () => {
    const link = await createLink(alice, ids.top);
    const meta = await get(server, pub(link.token));
    expect(meta.status).toBe(200);
    expect(meta.json).toEqual({
      kind: 'file',
      name: 'top.txt',
      size: 14,
      contentType: expect.stringMatching(/^text\/plain/),
      modifiedAt: expect.any(Number),
      passwordRequired: false,
      uploadOnly: false,
      expiresAt: null,
      downloadsLeft: null,
    });
    // Nothing about the owner or the tree leaks.
    for (const secret of [alice.user!.id, alice.user!.username, ids.top, alice.rootId])
      expect(meta.body.toString()).not.toContain(secret);
    expect(meta.headers['referrer-policy']).toBe('no-referrer');
    await get(server, pub(link.token), { method: 'HEAD' });
    await get(server, pub(link.token));

    const dl = await get(server, pub(link.token, '/content'));
    expect(dl.status).toBe(200);
    expect(dl.body.toString()).toBe('top level text');
    expect(dl.headers['x-content-type-options']).toBe('nosniff');
    expect(dl.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    expect(dl.headers['content-disposition']).toMatch(/^attachment; filename="top.txt"/);
    expect(dl.headers.etag).toEqual(expect.any(String));
    // A HEAD and a 304 are not downloads.
    expect((await get(server, pub(link.token, '/content'), { method: 'HEAD' })).status).toBe(200);
    const cached = await get(server, pub(link.token, '/content'), {
      headers: { 'if-none-match': dl.headers.etag! },
    });
    expect(cached.status).toBe(304);
    // A file link has no children; a path below a file is nowhere.
    expect((await get(server, pub(link.token, '/children'))).json.error.code).toBe('not_a_folder');
    expect((await get(server, pub(link.token, '/content?path=/x'))).status).toBe(404);
    const zip = await get(server, pub(link.token, '/zip'));
    expect(zip.status).toBe(200);
    expect(readZip(zip.body).names).toEqual(['top.txt']);

    const view = (await alice.json('GET', `/api/links/${link.id}`, undefined, 200)).body;
    expect(view).toMatchObject({ views: 2, downloads: 2 });
    await alice.json('DELETE', `/api/links/${link.id}`, undefined, 204);
  });

  it('asks for the password and lets the visitor in with a link-scoped grant, never the password again', async () => {
    const link = await createLink(alice, ids.shared, { password: 'open sesame' });
    const other = await createLink(alice, ids.top, { password: 'open sesame' });
    const meta = await get(server, pub(link.token));
    expect(meta.status).toBe(200);
    expect(meta.json).toMatchObject({ kind: 'folder', name: null, size: null, passwordRequired: true });
    for (const sub of ['/children', '/content?path=/a.txt', '/zip', '/children?path=/sub']) {
      const r = await get(server, pub(link.token, sub));
      expect(r.status, sub).toBe(401);
      expect(r.json.error.code).toBe('link_password_required');
      expect(r.body.toString()).not.toContain('a.txt');
    }
    const wrong = await unlock(server, link.token, 'open sesam');
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('link_password_invalid');
    expect(wrong.headers['set-cookie']).toBeUndefined();

    const ok = await unlock(server, link.token, 'open sesame');
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ grant: expect.any(String), expiresAt: expect.any(Number) });
    expect(ok.body.grant).not.toContain('open sesame');
    const setCookie = ok.headers['set-cookie']![0]!;
    expect(setCookie).toMatch(/^loft_link_grant=[^;]+;/);
    const attrs = setCookie.split(/;\s*/).slice(1);
    expect(attrs).toEqual(
      expect.arrayContaining([`Path=/api/public/links/${link.token}`, 'HttpOnly', 'SameSite=Lax']),
    );
    expect(attrs.find((a) => a.startsWith('Max-Age='))).toBe('Max-Age=3600');
    expect(attrs).not.toContain('Secure');
    const cookie = setCookie.split(';')[0]!;

    // Cookie (browsers) or header (programs).
    expect((await get(server, pub(link.token, '/content?path=/a.txt'), { cookie })).body.toString()).toBe(
      'hello from a',
    );
    const listed = await get(server, pub(link.token, '/children'), { grant: ok.body.grant });
    expect(listed.status).toBe(200);
    expect(listed.json.items.map((i: any) => i.name)).toEqual(['sub', 'a.txt']);
    const unlocked = await get(server, pub(link.token), { grant: ok.body.grant });
    expect(unlocked.json).toMatchObject({ name: 'Shared', passwordRequired: false });

    // A grant opens its own link only, and a forged one nothing.
    expect((await get(server, pub(other.token, '/content'), { grant: ok.body.grant })).status).toBe(401);
    const [exp, mac] = ok.body.grant.split('.');
    for (const forged of [
      `${Number(exp) + 1000}.${mac}`,
      `${exp}.${'A'.repeat(43)}`,
      'garbage',
      `${exp}.${mac}x`,
    ]) {
      expect((await get(server, pub(link.token, '/children'), { grant: forged })).status).toBe(401);
    }

    // Unlock refuses cross-site forms like sign-in does.
    const cross = await unlock(server, link.token, 'open sesame', { origin: 'https://evil.example' });
    expect(cross.status).toBe(403);
    expect(cross.body.error.code).toBe('csrf_rejected');

    // A new password ends every grant; so does time.
    const again = (await unlock(server, other.token, 'open sesame')).body.grant;
    expect((await get(server, pub(other.token, '/content'), { grant: again })).status).toBe(200);
    await alice.json('PATCH', `/api/links/${other.id}`, { password: 'new secret' }, 200);
    expect((await get(server, pub(other.token, '/content'), { grant: again })).status).toBe(401);
    expect((await unlock(server, other.token, 'open sesame')).status).toBe(401);
    const fresh = (await unlock(server, other.token, 'new secret')).body.grant;
    expect((await get(server, pub(other.token, '/content'), { grant: fresh })).status).toBe(200);
    server.clock.advance(HOUR + MIN);
    const stale = await get(server, pub(other.token, '/content'), { grant: fresh });
    expect(stale.status).toBe(401);
    expect(stale.json.error.code).toBe('link_password_required');
    // Removing the password opens the link to everyone.
    await alice.json('PATCH', `/api/links/${other.id}`, { password: null }, 200);
    expect((await get(server, pub(other.token, '/content'))).status).toBe(200);

    await alice.json('DELETE', `/api/links/${link.id}`, undefined, 204);
    await alice.json('DELETE', `/api/links/${other.id}`, undefined, 204);
  });

  it('stops working when it expires, on the injected clock', async () => {
    const expiresAt = server.clock.now() + HOUR;
    const link = await createLink(alice, ids.shared, { expiresAt, password: 'pw for expiry' });
    const meta = await get(server, pub(link.token));
    expect(meta.json).toMatchObject({ expiresAt });
    const grant = (await unlock(server, link.token, 'pw for expiry')).body.grant;
    server.clock.advance(HOUR + 1000);
    for (const sub of ['', '/children', '/content?path=/a.txt', '/zip']) {
      const r = await get(server, pub(link.token, sub), { grant });
      expect(r.status, sub).toBe(410);
      expect(r.json.error).toMatchObject({ code: 'link_expired', details: { expiresAt } });
    }
    const u = await unlock(server, link.token, 'pw for expiry');
    expect(u.status).toBe(410);
    expect((await alice.json('GET', `/api/links/${link.id}`, undefined, 200)).body.status).toBe('expired');
    // A later date revives it.
    await alice.json(
      'PATCH',
      `/api/links/${link.id}`,
      { expiresAt: server.clock.now() + HOUR, password: null },
      200,
    );
    expect((await get(server, pub(link.token, '/children'))).status).toBe(200);
    await alice.json('DELETE', `/api/links/${link.id}`, undefined, 204);
  });

  it('enforces the download limit atomically: 10 parallel downloads with a limit of 3, exactly 3 succeed', async () => {
    const link = await createLink(alice, ids.big, { maxDownloads: 3 });
    expect((await get(server, pub(link.token))).json.downloadsLeft).toBe(3);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => server.anonymous().downloadHash(pub(link.token, '/content'))),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 410, 410, 410, 410, 410, 410, 410]);
    const okSizes = results.filter((r) => r.status === 200).map((r) => r.size);
    expect(okSizes).toEqual([65536, 65536, 65536]);
    // The refused ones are plain errors, not half a download.
    const refused = await get(server, pub(link.token, '/content'));
    expect(refused.status).toBe(410);
    expect(refused.json.error).toMatchObject({ code: 'link_exhausted', details: { maxDownloads: 3 } });
    expect(refused.headers['content-disposition']).toBeUndefined();
    expect(refused.headers['content-type']).toMatch(/^application\/json/);
    // Exhausted: the whole link answers 410, metadata included.
    expect((await get(server, pub(link.token))).json.error.code).toBe('link_exhausted');
    expect((await get(server, pub(link.token, '/content'), { headers: { range: 'bytes=10-' } })).status).toBe(
      410,
    );
    const view = (await alice.json('GET', `/api/links/${link.id}`, undefined, 200)).body;
    expect(view).toMatchObject({ downloads: 3, status: 'exhausted' });
    // Raising the limit revives it.
    await alice.json('PATCH', `/api/links/${link.id}`, { maxDownloads: 4 }, 200);
    expect((await get(server, pub(link.token, '/content'))).status).toBe(200);
    expect((await get(server, pub(link.token, '/content'))).status).toBe(410);
    await alice.json('DELETE', `/api/links/${link.id}`, undefined, 204);
  });

  it('counts a download once: a Range continuing it is free, a zip counts once', async () => {
    const link = await createLink(alice, ids.big, { maxDownloads: 2 });
    const first = await get(server, pub(link.token, '/content'), { headers: { range: 'bytes=0-999' } });
    expect(first.status).toBe(206);
    const rest = await get(server, pub(link.token, '/content'), { headers: { range: 'bytes=1000-' } });
    expect(rest.status).toBe(206);
    expect(Buffer.concat([first.body, rest.body]).length).toBe(65536);
    expect((await alice.json('GET', `/api/links/${link.id}`, undefined, 200)).body.downloads).toBe(1);
    const tail = await get(server, pub(link.token, '/content'), { headers: { range: 'bytes=-100' } });
    expect(tail.status).toBe(206);
    expect((await alice.json('GET', `/api/links/${link.id}`, undefined, 200)).body.downloads).toBe(1);
    // An unsatisfiable range is no download either.
    expect(
      (await get(server, pub(link.token, '/content'), { headers: { range: 'bytes=999999-' } })).status,
    ).toBe(416);
    expect((await alice.json('GET', `/api/links/${link.id}`, undefined, 200)).body.downloads).toBe(1);

    const folder = await createLink(alice, ids.shared, { maxDownloads: 1 });
    expect((await get(server, pub(folder.token, '/zip'), { method: 'HEAD' })).status).toBe(200);
    const zip = await get(server, pub(folder.token, '/zip'));
    expect(zip.status).toBe(200);
    expect(zip.headers['content-disposition']).toMatch(/^attachment; filename="Shared.zip"/);
    expect((await get(server, pub(folder.token, '/zip'))).json.error.code).toBe('link_exhausted');
    await alice.json('DELETE', `/api/links/${link.id}`, undefined, 204);
    await alice.json('DELETE', `/api/links/${folder.id}`, undefined, 204);
  });

  it('confines a folder link to its folder: .., encoded variants, ids and sibling paths are 404', async () => {
    const link = await createLink(alice, ids.shared);
    const t = link.token;
    const root = await get(server, pub(t, '/children?total=true'));
    expect(root.status).toBe(200);
    expect(root.json).toMatchObject({ path: '/', total: 2 });
    expect(root.json.items.map((i: any) => [i.name, i.kind])).toEqual([
      ['sub', 'folder'],
      ['a.txt', 'file'],
    ]);
    expect(Object.keys(root.json.items[0]).sort()).toEqual([
      'contentType',
      'kind',
      'modifiedAt',
      'name',
      'size',
    ]);
    for (const secret of [ids.shared, ids.sub, ids.a, alice.user!.id])
      expect(root.body.toString()).not.toContain(secret);
    const sub = await get(server, pub(t, `/children?path=${enc('/sub')}`));
    expect(sub.json).toMatchObject({ path: '/sub', items: [{ name: 'deep.txt' }] });
    expect((await get(server, pub(t, `/content?path=${enc('/sub/deep.txt')}`))).body.toString()).toBe(
      'deep inside',
    );
    expect((await get(server, pub(t, `/content?path=${enc('sub/deep.txt')}`))).status).toBe(200);
    // Pages like the signed-in listing.
    const p1 = await get(server, pub(t, '/children?limit=1'));
    expect(p1.json.items.map((i: any) => i.name)).toEqual(['sub']);
    const p2 = await get(server, pub(t, `/children?limit=1&cursor=${p1.json.nextCursor}`));
    expect(p2.json.items.map((i: any) => i.name)).toEqual(['a.txt']);
    expect(p2.json.nextCursor).toBeNull();
    // The zip holds the linked folder and nothing else.
    const zip = await get(server, pub(t, '/zip'));
    expect(readZip(zip.body).names.sort()).toEqual(['a.txt', 'sub/', 'sub/deep.txt']);
    const subZip = await get(server, pub(t, `/zip?path=${enc('/sub')}`));
    expect(readZip(subZip.body).names).toEqual(['deep.txt']);

    const escapes = [
      `path=${enc('/../Sibling/secret.txt')}`,
      `path=${enc('../Sibling/secret.txt')}`,
      `path=${enc('/sub/../../Sibling/secret.txt')}`,
      'path=%2e%2e%2fSibling%2fsecret.txt',
      'path=%2E%2E/Sibling/secret.txt',
      'path=/%2e%2e/Sibling/secret.txt',
      'path=..%2F..%2Ftop.txt',
      'path=%252e%252e%252fSibling%252fsecret.txt',
      `path=${enc('..\\Sibling\\secret.txt')}`,
      `path=${enc('/./a.txt')}`,
      `path=${enc('/Sibling/secret.txt')}`,
      `path=${enc('/Shared/a.txt')}`,
      `path=${enc('/top.txt')}`,
      `path=${ids.secret}`,
      `path=/${ids.secret}`,
      `path=${ids.a}`,
      `path=/${ids.sibling}/secret.txt`,
      `path=${enc('/a.txt/x')}`,
      `path=${enc('/a.txt\u0000')}`,
    ];
    for (const q of escapes) {
      const r = await get(server, pub(t, `/content?${q}`));
      expect(r.status, q).toBe(404);
      expect(r.json.error.code, q).toBe('not_found');
      expect(r.body.toString()).not.toContain('not for visitors');
    }
    for (const q of [
      `path=${enc('/..')}`,
      'path=%2e%2e',
      `path=${enc('/Sibling')}`,
      `path=${ids.sibling}`,
      `path=/${ids.sibling}`,
    ]) {
      for (const sub of ['/children', '/zip']) {
        const r = await get(server, pub(t, `${sub}?${q}`));
        expect(r.status, `${sub}?${q}`).toBe(404);
        expect(r.body.toString()).not.toContain('secret.txt');
      }
    }
    // Ids are not paths, and the router does not resolve dot segments either.
    expect((await get(server, `/api/public/links/${t}/../../nodes/${ids.secret}/content`)).status).toBe(404);
    expect(
      (await get(server, `/api/public/links/${t}/%2e%2e/%2e%2e/nodes/${ids.secret}/content`)).status,
    ).toBe(404);
    await alice.json('DELETE', `/api/links/${link.id}`, undefined, 204);
  });

  it('turns a folder into an upload-only drop: visitors upload, never list or download', async () => {
    await alice.upload('/Drop/existing.txt', 'was here first');
    const drop = (await alice.resolve('/Drop')).id;
    const link = await createLink(alice, drop, { uploadOnly: true });
    expect(link.uploadOnly).toBe(true);
    const meta = await get(server, pub(link.token));
    expect(meta.json).toMatchObject({ kind: 'folder', uploadOnly: true, name: 'Drop' });
    for (const sub of ['/children', '/content?path=/existing.txt', '/zip']) {
      const r = await get(server, pub(link.token, sub));
      expect(r.status, sub).toBe(403);
      expect(r.json.error.code).toBe('link_forbidden');
      expect(r.body.toString()).not.toContain('was here first');
    }
    const usedBefore = (await alice.me()).usedBytes;
    const up = await upload(server, link.token, [
      { filename: 'existing.txt', content: 'from a visitor' },
      { filename: 'notes.txt', content: 'one' },
      { filename: 'dir/notes.txt', content: 'two' },
      { filename: '../../escape.txt', content: 'three' },
    ]);
    expect(up.status).toBe(201);
    // The answer repeats the names as sent: it tells nothing about what the folder holds.
    expect(up.json.items).toEqual([
      { name: 'existing.txt', size: 14 },
      { name: 'notes.txt', size: 3 },
      { name: 'notes.txt', size: 3 },
      { name: 'escape.txt', size: 5 },
    ]);
    const listing = (await alice.json('GET', `/api/nodes/${drop}/children`, undefined, 200)).body.items;
    expect(listing.map((i: any) => i.name).sort()).toEqual([
      'escape.txt',
      'existing (1).txt',
      'existing.txt',
      'notes (1).txt',
      'notes.txt',
    ]);
    // Nothing was overwritten, the bytes count against the owner's quota, nothing landed elsewhere.
    expect(
      (await alice.downloadHash(`/api/nodes/${(await alice.resolve('/Drop/existing.txt')).id}/content`)).size,
    ).toBe(14);
    expect((await alice.resolve('/Drop/existing.txt')).sha256).toBe(
      createHash('sha256').update('was here first').digest('hex'),
    );
    expect((await alice.me()).usedBytes).toBe(usedBefore + 14 + 3 + 3 + 5);
    expect((await alice.json('GET', `/api/resolve?path=${enc('/escape.txt')}`)).status).toBe(404);

    // Only drops take uploads; a drop's password covers uploads too; cross-site forms are refused.
    const plain = await createLink(alice, ids.shared);
    const refused = await upload(server, plain.token, [{ filename: 'x.txt', content: 'x' }]);
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe('link_forbidden');
    expect((await alice.json('GET', `/api/resolve?path=${enc('/Shared/x.txt')}`)).status).toBe(404);
    await alice.json('PATCH', `/api/links/${link.id}`, { password: 'drop pw' }, 200);
    const locked = await upload(server, link.token, [{ filename: 'y.txt', content: 'y' }]);
    expect(locked.json.error.code).toBe('link_password_required');
    const grant = (await unlock(server, link.token, 'drop pw')).body.grant;
    expect((await upload(server, link.token, [{ filename: 'y.txt', content: 'y' }], { grant })).status).toBe(
      201,
    );
    const cross = await upload(server, link.token, [{ filename: 'z.txt', content: 'z' }], {
      grant,
      headers: { 'sec-fetch-site': 'cross-site' },
    });
    expect(cross.json.error.code).toBe('csrf_rejected');
    expect((await alice.json('GET', `/api/resolve?path=${enc('/Drop/z.txt')}`)).status).toBe(404);
    // Not multipart: 415.
    const raw = await server.anonymous().request('POST', pub(link.token, '/files'), {
      headers: { 'content-type': 'text/plain', 'x-loft-link-grant': grant },
      body: 'raw',
    });
    expect(raw.status).toBe(415);
    await alice.json('DELETE', `/api/links/${link.id}`, undefined, 204);
    await alice.json('DELETE', `/api/links/${plain.id}`, undefined, 204);
  });

  it('stops at once when the item or a folder above it is trashed, and works again after a restore', async () => {
    const fileLink = await createLink(alice, ids.a);
    const subLink = await createLink(alice, ids.sub);
    expect((await get(server, pub(fileLink.token, '/content'))).status).toBe(200);

    await alice.json('DELETE', `/api/nodes/${ids.a}`, undefined, 204);
    for (const sub of ['', '/content', '/zip'])
      expect((await get(server, pub(fileLink.token, sub))).status).toBe(404);
    expect((await alice.json('GET', `/api/links/${fileLink.id}`, undefined, 200)).body.status).toBe(
      'trashed',
    );
    await alice.json('POST', `/api/trash/${ids.a}/restore`, undefined, 200);
    expect((await get(server, pub(fileLink.token, '/content'))).body.toString()).toBe('hello from a');

    // An ancestor: Shared holds sub.
    await alice.json('DELETE', `/api/nodes/${ids.shared}`, undefined, 204);
    expect((await get(server, pub(subLink.token))).status).toBe(404);
    expect((await get(server, pub(subLink.token, '/children'))).status).toBe(404);
    expect((await get(server, pub(fileLink.token, '/content'))).status).toBe(404);
    await alice.json('POST', `/api/trash/${ids.shared}/restore`, undefined, 200);
    expect((await get(server, pub(subLink.token, '/children'))).json.items.map((i: any) => i.name)).toEqual([
      'deep.txt',
    ]);
    // A file trashed inside a linked folder disappears from it.
    const folderLink = await createLink(alice, ids.shared);
    await alice.json('DELETE', `/api/nodes/${ids.a}`, undefined, 204);
    expect((await get(server, pub(folderLink.token, '/content?path=/a.txt'))).status).toBe(404);
    expect(
      (await get(server, pub(folderLink.token, '/children'))).json.items.map((i: any) => i.name),
    ).toEqual(['sub']);
    await alice.json('POST', `/api/trash/${ids.a}/restore`, undefined, 200);
    for (const l of [fileLink, subLink, folderLink])
      await alice.json('DELETE', `/api/links/${l.id}`, undefined, 204);
    // Deleted for good: the link goes with the item.
    await alice.upload('/doomed.txt', 'short-lived');
    const doomed = (await alice.resolve('/doomed.txt')).id;
    const doomedLink = await createLink(alice, doomed);
    await alice.json('DELETE', `/api/nodes/${doomed}`, undefined, 204);
    await alice.json('DELETE', `/api/trash/${doomed}`, undefined, 204);
    expect((await alice.json('GET', `/api/links/${doomedLink.id}`)).status).toBe(404);
    expect((await get(server, pub(doomedLink.token))).status).toBe(404);
  });

  it('stops when the owner is suspended', async () => {
    const link = await createLink(alice, ids.top);
    await admin.json('PATCH', `/api/admin/users/${alice.user!.id}`, { status: 'banned' }, 200);
    expect((await get(server, pub(link.token))).status).toBe(404);
    await admin.json('PATCH', `/api/admin/users/${alice.user!.id}`, { status: 'active' }, 200);
    expect((await get(server, pub(link.token))).status).toBe(200);
    // A ban ends the account's sessions: sign in again.
    expect((await alice.login(alice.user!.username, 'correct horse battery')).status).toBe(200);
    await alice.json('DELETE', `/api/links/${link.id}`, undefined, 204);
  });

  it('gives each kind of visitor exactly what the table says, on every public route', async () => {
    await alice.upload('/Matrix/m.txt', 'matrix file');
    await alice.upload('/Matrix/sub/n.txt', 'nested');
    await alice.upload('/Gone/g.txt', 'soon in the trash');
    await alice.upload('/Inbox/keep.txt', 'kept');
    const folder = (await alice.resolve('/Matrix')).id;
    const gone = (await alice.resolve('/Gone')).id;
    const inbox = (await alice.resolve('/Inbox')).id;
    const PW = 'matrix password';
    const open = await createLink(alice, folder);
    const locked = await createLink(alice, folder, { password: PW });
    const otherLocked = await createLink(alice, folder, { password: PW });
    const expired = await createLink(alice, folder, { expiresAt: server.clock.now() + 1000 });
    const exhausted = await createLink(alice, folder, { maxDownloads: 1 });
    const revoked = await createLink(alice, folder);
    const trashed = await createLink(alice, gone);
    const drop = await createLink(alice, inbox, { uploadOnly: true });
    const grant = (await unlock(server, locked.token, PW)).body.grant;
    const otherGrant = (await unlock(server, otherLocked.token, PW)).body.grant;
    expect((await get(server, pub(exhausted.token, '/zip'))).status).toBe(200);
    await alice.json('DELETE', `/api/links/${revoked.id}`, undefined, 204);
    await alice.json('DELETE', `/api/nodes/${gone}`, undefined, 204);
    server.clock.advance(2000);

    interface Visitor {
      link: any;
      grant?: string;
      password: string;
    }
    const visitors: Record<string, Visitor> = {
      open: { link: open, password: 'anything' },
      'password given': { link: locked, grant, password: PW },
      'no grant': { link: locked, password: PW },
      "another link's grant": { link: locked, grant: otherGrant, password: PW },
      'wrong password': { link: locked, password: 'not it' },
      expired: { link: expired, password: 'x' },
      exhausted: { link: exhausted, password: 'x' },
      revoked: { link: revoked, password: 'x' },
      trashed: { link: trashed, password: 'x' },
      'file drop': { link: drop, password: 'x' },
    };
    type Route = 'meta' | 'unlock' | 'children' | 'content' | 'zip' | 'upload';
    // status[:code] per route, in the order of the Route type.
    const TABLE: Record<string, string[]> = {
      open: ['200', '200', '200', '200', '200', '403:link_forbidden'],
      'password given': ['200', '200', '200', '200', '200', '403:link_forbidden'],
      'no grant': ['200', '200', ...Array(4).fill('401:link_password_required')],
      "another link's grant": ['200', '200', ...Array(4).fill('401:link_password_required')],
      'wrong password': ['200', '401:link_password_invalid', ...Array(4).fill('401:link_password_required')],
      expired: Array(6).fill('410:link_expired'),
      exhausted: Array(6).fill('410:link_exhausted'),
      revoked: Array(6).fill('404:not_found'),
      trashed: Array(6).fill('404:not_found'),
      'file drop': ['200', '200', ...Array(3).fill('403:link_forbidden'), '201'],
    };
    const routes: Route[] = ['meta', 'unlock', 'children', 'content', 'zip', 'upload'];
    const call = async (route: Route, v: Visitor) => {
      const t = v.link.token as string;
      const opts = { grant: v.grant };
      switch (route) {
        case 'meta':
          return get(server, pub(t), opts);
        case 'unlock': {
          const r = await unlock(server, t, v.password);
          return { status: r.status, json: r.body, body: Buffer.from(JSON.stringify(r.body)) };
        }
        case 'children':
          return get(server, pub(t, `/children?path=${enc('/sub')}`), opts);
        case 'content':
          return get(server, pub(t, `/content?path=${enc('/m.txt')}`), opts);
        case 'zip':
          return get(server, pub(t, '/zip'), opts);
        case 'upload':
          return upload(server, t, [{ filename: 'visitor.txt', content: 'dropped' }], { grant: v.grant });
      }
    };
    let checked = 0;
    for (const [name, v] of Object.entries(visitors)) {
      for (const [i, route] of routes.entries()) {
        const [status, code] = TABLE[name]![i]!.split(':');
        const r = await call(route, v);
        expect(r.status, `${name} × ${route}: ${r.body.toString().slice(0, 200)}`).toBe(Number(status));
        if (code) expect(r.json.error.code, `${name} × ${route}`).toBe(code);
        if (Number(status) >= 400) {
          for (const secret of ['matrix file', 'nested', 'soon in the trash', 'kept', 'm.txt', 'n.txt'])
            expect(r.body.toString(), `${name} × ${route}`).not.toContain(secret);
        }
        checked++;
      }
    }
    expect(checked).toBe(60);
    // Only the drop took a file; nothing reached the other folders.
    const names = async (id: string) =>
      (await alice.json('GET', `/api/nodes/${id}/children`, undefined, 200)).body.items.map(
        (i: any) => i.name,
      );
    expect((await names(inbox)).sort()).toEqual(['keep.txt', 'visitor.txt']);
    expect((await names(folder)).sort()).toEqual(['m.txt', 'sub']);
  });

  it('answers unknown and malformed tokens 404 everywhere', async () => {
    const unknown = randomBytes(32).toString('base64url');
    for (const token of [unknown, 'short', 'x'.repeat(200)]) {
      for (const sub of ['', '/children', '/content', '/zip']) {
        const r = await get(server, pub(token, sub));
        expect(r.status, `${token} ${sub}`).toBe(404);
        expect(r.json.error.code).toBe('not_found');
      }
    }
  });
});

describe(`public link passwords: throttling (${dialect})`, () => {
  let server: TestServer;
  let owner: Client;
  let fileId: string;

  beforeAll(async () => {
    server = await startServer();
    owner = await server.user();
    fileId = (await owner.upload('/f.txt', 'guarded')).body.id;
  });
  afterAll(async () => server?.close());

  it('blocks a link after 5 wrong passwords (429 + Retry-After), even for the right one, until the block ends', async () => {
    const link = await createLink(owner, fileId, { password: 'the right one' });
    for (let i = 0; i < 5; i++) {
      const r = await unlock(server, link.token, `wrong ${i}`);
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe('link_password_invalid');
    }
    const blocked = await unlock(server, link.token, 'the right one');
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('too_many_requests');
    const retry = Number(blocked.headers['retry-after']);
    expect(retry).toBeGreaterThan(0);
    // Another link is not blocked by it.
    const other = await createLink(owner, fileId, { password: 'other one' });
    expect((await unlock(server, other.token, 'other one')).status).toBe(200);
    server.clock.advance(retry * 1000 + 1000);
    expect((await unlock(server, link.token, 'the right one')).status).toBe(200);
  });

  it('blocks an address after 30 wrong passwords over many links', async () => {
    server.clock.advance(16 * MIN);
    let failures = 0;
    const links = [];
    for (let i = 0; i < 7; i++) links.push(await createLink(owner, fileId, { password: `pw ${i}` }));
    for (const link of links.slice(0, 6)) {
      for (let i = 0; i < 5; i++) {
        const r = await unlock(server, link.token, `nope ${i}`);
        expect(r.status).toBe(401);
        failures++;
      }
    }
    expect(failures).toBe(30);
    const last = links[6]!;
    const r = await unlock(server, last.token, 'pw 6');
    expect(r.status).toBe(429);
    // Unknown links count for the address too, and are refused the same way while it is blocked.
    expect((await unlock(server, randomBytes(32).toString('base64url'), 'x')).status).toBe(429);
    server.clock.advance(Number(r.headers['retry-after']) * 1000 + 1000);
    expect((await unlock(server, last.token, 'pw 6')).status).toBe(200);
  });
});

describe(`public link passwords: timing (${dialect})`, () => {
  let server: TestServer;
  let owner: Client;

  beforeAll(async () => {
    server = await startServer();
    owner = await server.user();
  });
  afterAll(async () => server?.close());

  it('answers an unknown link and a wrong password in about the same time', async () => {
    const id = (await owner.upload('/t.txt', 'timing')).body.id;
    const link = await createLink(owner, id, { password: 'correct horse' });
    const times = { unknown: [] as number[], wrong: [] as number[] };
    // Four rounds: a fifth wrong password would block the link.
    for (let i = 0; i < 4; i++) {
      let t = performance.now();
      const u = await unlock(server, randomBytes(32).toString('base64url'), `guess ${i}`);
      times.unknown.push(performance.now() - t);
      expect(u.status).toBe(404);
      t = performance.now();
      const w = await unlock(server, link.token, `guess ${i}`);
      times.wrong.push(performance.now() - t);
      expect(w.status).toBe(401);
    }
    const ratio = Math.min(...times.unknown) / Math.min(...times.wrong);
    // Both pay one argon2 verify; without the dummy verify the ratio would be far below 0.3.
    expect(ratio).toBeGreaterThan(0.3);
    expect(ratio).toBeLessThan(3);
    // And the count of the table rows stays sane: an unknown token adds no per-link row.
    const rows = await sql<{ key: string }>`select key from login_throttle`.execute(
      server.app.services.database.db,
    );
    expect(rows.rows.filter((r) => r.key.startsWith('link:')).map((r) => r.key)).toEqual([`link:${link.id}`]);
  });
});

describe('link tokens in logs', () => {
  it('are replaced in logged request URLs, API and web page alike', async () => {
    const { redactLinkToken } = await import('../src/http/routes/link-routes.js');
    const t = randomBytes(32).toString('base64url');
    expect(redactLinkToken(`/api/public/links/${t}/content?path=/a.txt`)).toBe(
      '/api/public/links/[token]/content?path=/a.txt',
    );
    expect(redactLinkToken(`/api/public/links/${t}`)).toBe('/api/public/links/[token]');
    expect(redactLinkToken(`/s/${t}`)).toBe('/s/[token]');
    expect(redactLinkToken(`/s/${t}?x=1`)).toBe('/s/[token]?x=1');
    expect(redactLinkToken('/api/links/abc/qr.svg')).toBe('/api/links/abc/qr.svg');
    expect(redactLinkToken('/files/s/x')).toBe('/files/s/x');
  });
});
