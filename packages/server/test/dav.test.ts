import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client, RawRes } from './helpers/client.js';
import { dialect, startServer, type TestServer } from './helpers/server.js';

/**
 * WebDAV over real HTTP: credentials, the protocol's answers, and that every write is the same
 * operation as through the REST API (versions, trash, quota, sharing, locks). The conformance
 * suites (litmus, rclone, cadaver) are in dav-interop.test.ts.
 */

interface DavUser {
  client: Client;
  username: string;
  pat: string;
  basic: string;
}

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const b64url = (hex: string) => Buffer.from(hex, 'hex').toString('base64url');

async function davUser(server: TestServer, name?: string): Promise<DavUser> {
  const client = await server.user(name);
  const username = client.user!.username;
  const pat = (await client.json('POST', '/api/auth/tokens', { name: 'dav' }, 201)).body.token as string;
  return { client, username, pat, basic: `Basic ${Buffer.from(`${username}:${pat}`).toString('base64')}` };
}

function dav(
  server: TestServer,
  u: DavUser | null,
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: string | Buffer | Readable } = {},
): Promise<RawRes & { text: string }> {
  const headers: Record<string, string> = { ...(u ? { authorization: u.basic } : {}), ...opts.headers };
  if (typeof opts.body === 'string' || Buffer.isBuffer(opts.body))
    headers['content-length'] ??= String(Buffer.byteLength(opts.body));
  return server
    .anonymous()
    .request(method, path, { headers, body: opts.body, auth: false })
    .then((r) => ({ ...r, text: r.body.toString('utf8') }));
}

const propfindBody = (props: string) =>
  `<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop>${props}</D:prop></D:propfind>`;
const LOCKINFO =
  '<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope>' +
  '<D:locktype><D:write/></D:locktype><D:owner><D:href>mailto:me@example.test</D:href></D:owner></D:lockinfo>';
const count = (text: string, re: RegExp) => (text.match(re) ?? []).length;

describe(`WebDAV (${dialect})`, () => {
  let server: TestServer;
  let alice: DavUser;

  beforeAll(async () => {
    server = await startServer({ LOFT_DAV_DEPTH_INFINITY_LIMIT: '50' });
    alice = await davUser(server);
  });
  afterAll(() => server?.close());

  it('answers OPTIONS with the WebDAV classes, without credentials, also at the server root', async () => {
    for (const path of ['/dav/', '/dav/some/where', '/']) {
      const r = await dav(server, null, 'OPTIONS', path);
      expect(r.status, path).toBe(200);
      expect(r.headers.dav).toBe('1, 2');
      expect(r.headers['ms-author-via']).toBe('DAV');
      expect(r.headers.allow).toContain('PROPFIND');
    }
  });

  it('takes Basic with a personal access token, Bearer, and the password only when allowed', async () => {
    expect((await dav(server, alice, 'PROPFIND', '/dav/', { headers: { depth: '0' } })).status).toBe(207);
    const bearer = await dav(server, null, 'PROPFIND', '/dav/', {
      headers: { depth: '0', authorization: `Bearer ${alice.pat}` },
    });
    expect(bearer.status).toBe(207);

    const basic = (user: string, secret: string) =>
      `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;
    const refused = [
      basic('someoneelse', alice.pat), // the token is not theirs
      basic(alice.username, 'correct horse battery'), // password: off by default
      basic(alice.username, alice.client.token!), // a browser session is not an access token
      basic(alice.username, `loftpat_${'x'.repeat(43)}`),
      'Basic !!!',
      'Digest username="x"',
    ];
    for (const authorization of refused) {
      const r = await dav(server, null, 'PROPFIND', '/dav/', { headers: { depth: '0', authorization } });
      expect(r.status, authorization).toBe(401);
      expect(r.headers['www-authenticate']).toMatch(/^Basic realm="Loft"/);
      expect(r.text).toMatch(/<L:code>(invalid_credentials|unauthenticated)<\/L:code>/);
    }
    const none = await dav(server, null, 'GET', '/dav/');
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Basic/);

    const withPasswords = await startServer({ LOFT_DAV_PASSWORD_AUTH: 'true' });
    try {
      const bob = await withPasswords.user();
      const auth = basic(bob.user!.username, 'correct horse battery');
      for (let i = 0; i < 3; i++) {
        const r = await dav(withPasswords, null, 'PROPFIND', '/dav/', {
          headers: { depth: '0', authorization: auth },
        });
        expect(r.status).toBe(207);
      }
      const wrong = await dav(withPasswords, null, 'PROPFIND', '/dav/', {
        headers: { depth: '0', authorization: basic(bob.user!.username, 'wrong password') },
      });
      expect(wrong.status).toBe(401);
    } finally {
      await withPasswords.close();
    }
  });

  it('serves the same tree at /dav/ and /dav/<username>/, with hrefs under the URL used', async () => {
    await dav(server, alice, 'MKCOL', '/dav/mount');
    await dav(server, alice, 'PUT', '/dav/mount/a b.txt', { body: 'x' });
    const plain = await dav(server, alice, 'PROPFIND', '/dav/mount/', { headers: { depth: '1' } });
    const named = await dav(server, alice, 'PROPFIND', `/dav/${alice.username}/mount/`, {
      headers: { depth: '1' },
    });
    expect(plain.text).toContain('<D:href>/dav/mount/a%20b.txt</D:href>');
    expect(named.text).toContain(`<D:href>/dav/${alice.username}/mount/a%20b.txt</D:href>`);
  });

  it('reserves the username at the top of the files, so /dav/<username>/ is never ambiguous', async () => {
    const u = alice.username;
    const root = alice.client.user!.rootId;
    const mk = await alice.client.json('POST', `/api/nodes/${root}/folders`, { name: u });
    expect([mk.status, mk.body.error.code]).toEqual([400, 'invalid_name']);
    expect(mk.body.error.message).toContain(`/dav/${u}/`);
    expect((await dav(server, alice, 'MKCOL', `/dav/${u}/${u}`)).status).toBe(400);
    expect((await dav(server, alice, 'PUT', `/dav/${u}/${u}`, { body: 'x' })).status).toBe(400);
    await dav(server, alice, 'MKCOL', '/dav/inner');
    await dav(server, alice, 'MKCOL', `/dav/inner/${u}`);
    expect(
      (await dav(server, alice, 'MOVE', `/dav/inner/${u}/`, { headers: { destination: `/dav/${u}/${u}/` } }))
        .status,
    ).toBe(400);
    // Below the top it is an ordinary name; a copy to the top picks a free variant.
    expect(
      (await dav(server, alice, 'PROPFIND', `/dav/inner/${u}/`, { headers: { depth: '0' } })).status,
    ).toBe(207);
    const inner = (await alice.client.json('GET', `/api/resolve?path=/inner/${u}`, undefined, 200)).body;
    const copy = await alice.client.json('POST', `/api/nodes/${inner.id}/copy`, {
      parentId: root,
      conflict: 'rename',
    });
    expect(copy.status).toBe(201);
    expect(copy.body.name).toBe(`${u} (copy)`);
  });

  it('writes through the same services as the REST API: versions, trash, quota', async () => {
    const c = alice.client;
    expect((await dav(server, alice, 'MKCOL', '/dav/docs')).status).toBe(201);
    expect((await dav(server, alice, 'MKCOL', '/dav/docs')).status).toBe(405);
    expect((await dav(server, alice, 'MKCOL', '/dav/nowhere/sub')).status).toBe(409);
    expect((await dav(server, alice, 'PUT', '/dav/nowhere/f.txt', { body: 'x' })).text).toContain(
      'missing_parent',
    );

    const put1 = await dav(server, alice, 'PUT', '/dav/docs/report.txt', {
      body: 'first',
      headers: { 'content-type': 'text/plain' },
    });
    expect(put1.status).toBe(201);
    expect(put1.headers.etag).toBe(`"${b64url(sha('first'))}"`);
    // Chunked, without Content-Length, as Finder sends.
    const put2 = await dav(server, alice, 'PUT', '/dav/docs/report.txt', {
      body: Readable.from([Buffer.from('sec'), Buffer.from('ond')]),
    });
    expect(put2.status).toBe(204);

    const node = (await c.json('GET', '/api/resolve?path=/docs/report.txt', undefined, 200)).body;
    expect(node.sha256).toBe(sha('second'));
    const versions = (await c.json('GET', `/api/nodes/${node.id}/versions`, undefined, 200)).body.items;
    expect(versions.map((v: { sha256: string }) => v.sha256).sort()).toEqual(
      [sha('first'), sha('second')].sort(),
    );

    const got = await dav(server, alice, 'GET', '/dav/docs/report.txt');
    expect(got.text).toBe('second');
    expect(got.headers.etag).toBe(`"${b64url(sha('second'))}"`);
    const range = await dav(server, alice, 'GET', '/dav/docs/report.txt', {
      headers: { range: 'bytes=1-3' },
    });
    expect([range.status, range.text]).toEqual([206, 'eco']);
    expect(
      (
        await dav(server, alice, 'GET', '/dav/docs/report.txt', {
          headers: { 'if-none-match': got.headers.etag! },
        })
      ).status,
    ).toBe(304);

    // If-Match with a stale tag fails, and with the current one succeeds.
    const stale = await dav(server, alice, 'PUT', '/dav/docs/report.txt', {
      body: 'third',
      headers: { 'if-match': put1.headers.etag! },
    });
    expect(stale.status).toBe(412);
    const fresh = await dav(server, alice, 'PUT', '/dav/docs/report.txt', {
      body: 'third',
      headers: { 'if-match': got.headers.etag! },
    });
    expect(fresh.status).toBe(204);
    const noClobber = await dav(server, alice, 'PUT', '/dav/docs/report.txt', {
      body: 'x',
      headers: { 'if-none-match': '*' },
    });
    expect(noClobber.status).toBe(412);

    expect((await dav(server, alice, 'DELETE', '/dav/docs/report.txt')).status).toBe(204);
    expect((await dav(server, alice, 'GET', '/dav/docs/report.txt')).status).toBe(404);
    const trash = (await c.json('GET', '/api/trash', undefined, 200)).body.items;
    expect(trash.some((t: { id: string }) => t.id === node.id)).toBe(true);
    expect((await dav(server, alice, 'DELETE', '/dav/')).status).toBe(405);
  });

  it("keeps a sync client's modification time (X-OC-Mtime)", async () => {
    const put = await dav(server, alice, 'PUT', '/dav/dated.txt', {
      body: 'old',
      headers: { 'x-oc-mtime': '1700000000' },
    });
    expect([put.status, put.headers['x-oc-mtime']]).toEqual([201, 'accepted']);
    const node = (await alice.client.json('GET', '/api/resolve?path=/dated.txt', undefined, 200)).body;
    expect(node.modifiedAt).toBe(1_700_000_000_000);
    const props = await dav(server, alice, 'PROPFIND', '/dav/dated.txt', {
      headers: { depth: '0' },
      body: propfindBody('<D:getlastmodified/>'),
    });
    expect(props.text).toContain('<D:getlastmodified>Tue, 14 Nov 2023 22:13:20 GMT</D:getlastmodified>');
    // A value that is not a time is ignored: the upload time is kept instead.
    const odd = await dav(server, alice, 'PUT', '/dav/dated.txt', {
      body: 'new',
      headers: { 'x-oc-mtime': 'yesterday' },
    });
    expect([odd.status, odd.headers['x-oc-mtime']]).toEqual([204, undefined]);
    const after = (await alice.client.json('GET', '/api/resolve?path=/dated.txt', undefined, 200)).body;
    expect(after.modifiedAt).toBeGreaterThan(1_700_000_000_000);
  });

  it('refuses a PUT over quota with 507 and keeps nothing of it', async () => {
    const small = await startServer({ LOFT_DEFAULT_QUOTA: '64KiB' });
    try {
      const u = await davUser(small);
      const big = Buffer.alloc(100 * 1024, 7);
      expect((await dav(small, u, 'PUT', '/dav/big.bin', { body: big })).status).toBe(507);
      expect((await dav(small, u, 'PUT', '/dav/big2.bin', { body: Readable.from([big]) })).status).toBe(507);
      const list = await dav(small, u, 'PROPFIND', '/dav/', {
        headers: { depth: '1' },
        body: propfindBody('<D:quota-used-bytes/><D:quota-available-bytes/>'),
      });
      expect(list.text).not.toContain('big');
      expect(list.text).toContain('<D:quota-used-bytes>0</D:quota-used-bytes>');
      expect(list.text).toContain(`<D:quota-available-bytes>${64 * 1024}</D:quota-available-bytes>`);
    } finally {
      await small.close();
    }
  });

  it('lists with Depth 0, 1 and a bounded infinity, and answers named, all and unknown properties', async () => {
    await dav(server, alice, 'MKCOL', '/dav/tree');
    await dav(server, alice, 'MKCOL', '/dav/tree/sub');
    await dav(server, alice, 'PUT', '/dav/tree/sub/deep.txt', { body: 'deep' });
    await dav(server, alice, 'PUT', '/dav/tree/top.txt', { body: 'top' });
    const body = propfindBody('<D:getcontentlength/><D:resourcetype/><Z:nothing xmlns:Z="urn:z"/>');
    const d0 = await dav(server, alice, 'PROPFIND', '/dav/tree/', { headers: { depth: '0' }, body });
    expect(count(d0.text, /<D:response>/g)).toBe(1);
    expect(d0.text).toContain('HTTP/1.1 404 Not Found');
    const d1 = await dav(server, alice, 'PROPFIND', '/dav/tree/', { headers: { depth: '1' }, body });
    expect(count(d1.text, /<D:response>/g)).toBe(3);
    expect(d1.text).toContain('<D:getcontentlength>3</D:getcontentlength>');
    const inf = await dav(server, alice, 'PROPFIND', '/dav/tree/', { headers: { depth: 'infinity' } });
    expect(inf.status).toBe(207);
    expect(inf.text).toContain('/dav/tree/sub/deep.txt');
    // The test server lists at most 50 items at once.
    for (let i = 0; i < 50; i++) await dav(server, alice, 'PUT', `/dav/tree/sub/f${i}`, { body: '' });
    const tooMany = await dav(server, alice, 'PROPFIND', '/dav/tree/', { headers: { depth: 'infinity' } });
    expect(tooMany.status).toBe(403);
    expect(tooMany.text).toContain('<D:propfind-finite-depth/>');
    const names = await dav(server, alice, 'PROPFIND', '/dav/tree/top.txt', {
      headers: { depth: '0' },
      body: '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:propname/></D:propfind>',
    });
    expect(names.text).toContain('<D:getetag/>');
    const all = await dav(server, alice, 'PROPFIND', '/dav/tree/top.txt', { headers: { depth: '0' } });
    expect(all.text).toContain(`<D:getetag>"${b64url(sha('top'))}"</D:getetag>`);
    expect(all.text).toMatch(/<D:creationdate>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<\/D:creationdate>/);
    expect(all.text).toContain('<D:supportedlock>');
    expect(
      (await dav(server, alice, 'PROPFIND', '/dav/tree/missing', { headers: { depth: '0' } })).status,
    ).toBe(404);
    expect((await dav(server, alice, 'PROPFIND', '/dav/tree/', { headers: { depth: '2' } })).status).toBe(
      400,
    );
  });

  it('stores dead properties atomically and refuses the computed ones', async () => {
    await dav(server, alice, 'PUT', '/dav/props.txt', { body: 'p' });
    const set = (props: string) =>
      dav(server, alice, 'PROPPATCH', '/dav/props.txt', {
        body: `<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z"><D:set><D:prop>${props}</D:prop></D:set></D:propertyupdate>`,
      });
    const ok = await set('<Z:color>blue <Z:b>bold</Z:b></Z:color>');
    expect(ok.status).toBe(207);
    expect(ok.text).toContain('HTTP/1.1 200 OK');
    const mixed = await set('<Z:size>big</Z:size><D:getetag>"forged"</D:getetag>');
    expect(mixed.text).toContain('HTTP/1.1 403 Forbidden');
    expect(mixed.text).toContain('HTTP/1.1 424 Failed Dependency');
    expect(mixed.text).toContain('<D:cannot-modify-protected-property/>');
    const read = await dav(server, alice, 'PROPFIND', '/dav/props.txt', {
      headers: { depth: '0' },
      body: propfindBody('<Z:color xmlns:Z="urn:z"/><Z:size xmlns:Z="urn:z"/>'),
    });
    expect(read.text).toMatch(/<x0:color xmlns:x0="urn:z">blue <x0:b>bold<\/x0:b><\/x0:color>/);
    // The failed request stored nothing.
    expect(read.text).toMatch(
      /<D:propstat><D:prop><X:size xmlns:X="urn:z"\/><\/D:prop><D:status>HTTP\/1.1 404/,
    );
    // A copy carries them; the REST API sees the copy.
    expect(
      (
        await dav(server, alice, 'COPY', '/dav/props.txt', {
          headers: { destination: '/dav/props-copy.txt' },
        })
      ).status,
    ).toBe(201);
    const copied = await dav(server, alice, 'PROPFIND', '/dav/props-copy.txt', { headers: { depth: '0' } });
    expect(copied.text).toContain('urn:z');
    await alice.client.json('GET', '/api/resolve?path=/props-copy.txt', undefined, 200);
  });

  it('refuses hostile or malformed XML with 400 and keeps serving', async () => {
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>' +
      '<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop>&lol2;</D:propfind>';
    const bodies = [
      laughs,
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><D:propfind xmlns:D="DAV:">&e;</D:propfind>',
      '<D:propfind><D:allprop/></D:propfind>', // undeclared prefix
      '<D:propfind xmlns:D="DAV:"><D:prop>',
      '<x xmlns="DAV:"/>',
      `<D:propfind xmlns:D="DAV:"><D:prop>${'<Z:a xmlns:Z="urn:z"/>'.repeat(60_000)}</D:prop></D:propfind>`,
      `${'<a>'.repeat(100_000)}`,
      Buffer.from([0xff, 0xfe, 0x00, 0x3c]),
    ];
    for (const body of bodies) {
      for (const method of ['PROPFIND', 'PROPPATCH', 'LOCK']) {
        const r = await dav(server, alice, method, '/dav/', { headers: { depth: '0' }, body });
        expect(r.status, `${method} ${body.slice(0, 60).toString()}`).toBe(400);
        expect(r.text).toMatch(/<L:code>(invalid_xml|bad_request)<\/L:code>/);
      }
    }
    expect((await dav(server, alice, 'PROPFIND', '/dav/', { headers: { depth: '0' } })).status).toBe(207);
  });

  it('locks: tokens in the If header, a locked empty resource, and the REST API held to them', async () => {
    const bob = await davUser(server);
    const carol = await davUser(server);
    await dav(server, bob, 'MKCOL', '/dav/team');
    const team = (await bob.client.json('GET', '/api/resolve?path=/team', undefined, 200)).body;
    await bob.client.json(
      'POST',
      `/api/nodes/${team.id}/shares`,
      { user: carol.username, role: 'editor' },
      201,
    );

    // LOCK on a URL where nothing is yet creates an empty file (RFC 4918 §7.3).
    const locked = await dav(server, bob, 'LOCK', '/dav/team/plan.txt', {
      body: LOCKINFO,
      headers: { timeout: 'Second-120' },
    });
    expect(locked.status).toBe(201);
    const token = /^<(.+)>$/.exec(locked.headers['lock-token'] as string)![1]!;
    expect(locked.text).toContain('mailto:me@example.test');
    expect(locked.text).toMatch(/<D:timeout>Second-1[12]\d<\/D:timeout>/);
    const file = (await bob.client.json('GET', '/api/resolve?path=/team/plan.txt', undefined, 200)).body;
    expect(file.size).toBe(0);

    // Without the token, even the holder's WebDAV write is refused; with it, it goes through.
    const noToken = await dav(server, bob, 'PUT', '/dav/team/plan.txt', { body: 'v1' });
    expect(noToken.status).toBe(423);
    expect(noToken.text).toContain('<D:lock-token-submitted>');
    expect(
      (await dav(server, bob, 'PUT', '/dav/team/plan.txt', { body: 'v1', headers: { if: `(<${token}>)` } }))
        .status,
    ).toBe(204);
    expect((await dav(server, bob, 'LOCK', '/dav/team/plan.txt', { body: LOCKINFO })).status).toBe(423);

    // The REST API: another user (an editor of the share) is refused; the holder is not.
    const rest = await carol.client.request('PUT', `/api/nodes/${file.id}/content`, { body: 'carol' });
    expect(rest.status).toBe(423);
    expect(JSON.parse(rest.body.toString()).error.code).toBe('locked');
    expect((await carol.client.json('PATCH', `/api/nodes/${file.id}`, { name: 'x.txt' })).status).toBe(423);
    expect((await carol.client.json('DELETE', `/api/nodes/${file.id}`)).status).toBe(423);
    expect((await bob.client.request('PUT', `/api/nodes/${file.id}/content`, { body: 'v2' })).status).toBe(
      200,
    );

    // lockdiscovery shows it; a refresh extends it; UNLOCK ends it.
    const disc = await dav(server, bob, 'PROPFIND', '/dav/team/', {
      headers: { depth: '1' },
      body: propfindBody('<D:lockdiscovery/>'),
    });
    expect(disc.text).toContain(token);
    const refresh = await dav(server, bob, 'LOCK', '/dav/team/plan.txt', {
      headers: { if: `(<${token}>)`, timeout: 'Second-600' },
    });
    expect(refresh.status).toBe(200);
    expect(refresh.text).toMatch(/Second-(59\d|600)/);
    expect(
      (await dav(server, carol, 'UNLOCK', '/dav/team/plan.txt', { headers: { 'lock-token': `<${token}>` } }))
        .status,
    ).toBe(404);
    expect(
      (
        await dav(server, bob, 'UNLOCK', '/dav/team/plan.txt', {
          headers: { 'lock-token': '<urn:uuid:nope>' },
        })
      ).status,
    ).toBe(409);
    expect(
      (await dav(server, bob, 'UNLOCK', '/dav/team/plan.txt', { headers: { 'lock-token': `<${token}>` } }))
        .status,
    ).toBe(204);
    expect((await carol.client.json('PATCH', `/api/nodes/${file.id}`, { name: 'x.txt' })).status).toBe(200);

    // A depth-infinity lock on a folder covers what is created in it, and expires on the server clock.
    const deep = await dav(server, bob, 'LOCK', '/dav/team/', {
      body: LOCKINFO,
      headers: { timeout: 'Second-60' },
    });
    expect(deep.status).toBe(200);
    expect((await dav(server, bob, 'PUT', '/dav/team/new.txt', { body: 'n' })).status).toBe(423);
    server.clock.advance(61_000);
    expect((await dav(server, bob, 'PUT', '/dav/team/new.txt', { body: 'n' })).status).toBe(201);
  });

  it('shows what others shared under "Shared with me", with the share\'s role on every write', async () => {
    const owner = await davUser(server);
    const other = await davUser(server);
    const me = await davUser(server);
    const enc = encodeURIComponent('Shared with me');
    // Nothing shared yet: no such folder at the top.
    expect((await dav(server, me, 'PROPFIND', '/dav/', { headers: { depth: '1' } })).text).not.toContain(enc);
    for (const [u, role] of [
      [owner, 'editor'],
      [other, 'viewer'],
    ] as const) {
      await dav(server, u, 'MKCOL', '/dav/Plans');
      await dav(server, u, 'PUT', '/dav/Plans/readme.txt', { body: `from ${u.username}` });
      const plans = (await u.client.json('GET', '/api/resolve?path=/Plans', undefined, 200)).body;
      await u.client.json('POST', `/api/nodes/${plans.id}/shares`, { user: me.username, role }, 201);
    }
    const top = await dav(server, me, 'PROPFIND', '/dav/', { headers: { depth: '1' } });
    expect(top.text).toContain(`<D:href>/dav/${enc}/</D:href>`);
    const shared = await dav(server, me, 'PROPFIND', `/dav/${enc}/`, { headers: { depth: '1' } });
    const mine = `/dav/${enc}/Plans/`;
    // Hrefs percent-encode parentheses too.
    const theirs = `/dav/${enc}/Plans%20%28${encodeURIComponent(other.username)}%29/`;
    expect(shared.text).toContain(`<D:href>${mine}</D:href>`);
    expect(shared.text).toContain(`<D:href>${theirs}</D:href>`);
    expect(shared.text).not.toContain('quota-used-bytes');

    // Editor: writes land in the owner's tree and quota; viewer: reads only.
    expect((await dav(server, me, 'GET', `${mine}readme.txt`)).text).toBe(`from ${owner.username}`);
    expect((await dav(server, me, 'PUT', `${mine}notes.txt`, { body: 'mine' })).status).toBe(201);
    expect((await dav(server, me, 'MKCOL', `${mine}sub`)).status).toBe(201);
    expect(
      (
        await dav(server, me, 'MOVE', `${mine}notes.txt`, {
          headers: { destination: `${mine}sub/notes.txt` },
        })
      ).status,
    ).toBe(201);
    const landed = (await owner.client.json('GET', '/api/resolve?path=/Plans/sub/notes.txt', undefined, 200))
      .body;
    expect(landed.size).toBe(4);
    expect((await dav(server, me, 'GET', `${theirs}readme.txt`)).text).toBe(`from ${other.username}`);
    expect((await dav(server, me, 'PUT', `${theirs}x.txt`, { body: 'no' })).status).toBe(403);
    expect((await dav(server, me, 'DELETE', `${theirs}readme.txt`)).status).toBe(403);
    // Copying out of a share into my own files is fine; moving out is not (it would change owner).
    expect(
      (await dav(server, me, 'COPY', `${theirs}readme.txt`, { headers: { destination: '/dav/copied.txt' } }))
        .status,
    ).toBe(201);
    expect(
      (await dav(server, me, 'MOVE', `${mine}readme.txt`, { headers: { destination: '/dav/moved.txt' } }))
        .status,
    ).toBe(409);

    // The folder itself is not mine to change, and its name is reserved in my files.
    expect((await dav(server, me, 'MKCOL', `/dav/${enc}/New`)).status).toBe(403);
    expect((await dav(server, me, 'PUT', `/dav/${enc}/new.txt`, { body: 'x' })).status).toBe(403);
    expect((await dav(server, me, 'DELETE', `/dav/${enc}/`)).status).toBe(403);
    expect((await dav(server, me, 'DELETE', mine)).status).toBe(403);
    const root = me.client.user!.rootId;
    expect(
      (await me.client.json('POST', `/api/nodes/${root}/folders`, { name: 'Shared with me' })).status,
    ).toBe(400);
  });

  it('copies and moves with Depth and Overwrite, the old destination going to the trash', async () => {
    await dav(server, alice, 'MKCOL', '/dav/cm');
    await dav(server, alice, 'MKCOL', '/dav/cm/src');
    await dav(server, alice, 'PUT', '/dav/cm/src/a.txt', { body: 'a' });
    await dav(server, alice, 'PUT', '/dav/cm/other.txt', { body: 'other' });
    const copy0 = await dav(server, alice, 'COPY', '/dav/cm/src/', {
      headers: { destination: '/dav/cm/empty/', depth: '0' },
    });
    expect(copy0.status).toBe(201);
    expect((await dav(server, alice, 'GET', '/dav/cm/empty/a.txt')).status).toBe(404);
    const host = new URL(server.url).host;
    const copyAll = await dav(server, alice, 'COPY', '/dav/cm/src/', {
      headers: { destination: `http://${host}/dav/cm/full/` },
    });
    expect(copyAll.status).toBe(201);
    expect((await dav(server, alice, 'GET', '/dav/cm/full/a.txt')).text).toBe('a');
    const noOverwrite = await dav(server, alice, 'MOVE', '/dav/cm/other.txt', {
      headers: { destination: '/dav/cm/full/a.txt', overwrite: 'F' },
    });
    expect(noOverwrite.status).toBe(412);
    const overwrite = await dav(server, alice, 'MOVE', '/dav/cm/other.txt', {
      headers: { destination: '/dav/cm/full/a.txt' },
    });
    expect(overwrite.status).toBe(204);
    expect((await dav(server, alice, 'GET', '/dav/cm/full/a.txt')).text).toBe('other');
    expect((await dav(server, alice, 'GET', '/dav/cm/other.txt')).status).toBe(404);
    const elsewhere = await dav(server, alice, 'COPY', '/dav/cm/src/', {
      headers: { destination: 'http://elsewhere.example/dav/x/' },
    });
    expect(elsewhere.status).toBe(502);
    const intoSelf = await dav(server, alice, 'MOVE', '/dav/cm/src/', {
      headers: { destination: '/dav/cm/src/inner/' },
    });
    expect(intoSelf.status).toBe(409);
  });

  it('works the way Finder writes a file: empty PUT, LOCK, chunked PUT with the token, AppleDouble, PROPPATCH', async () => {
    await dav(server, alice, 'MKCOL', '/dav/mac');
    expect((await dav(server, alice, 'PUT', '/dav/mac/photo.jpg', { body: '' })).status).toBe(201);
    const lock = await dav(server, alice, 'LOCK', '/dav/mac/photo.jpg', {
      body: LOCKINFO,
      headers: { timeout: 'Second-600', depth: '0' },
    });
    expect(lock.status).toBe(200);
    const token = /^<(.+)>$/.exec(lock.headers['lock-token'] as string)![1]!;
    const jpeg = Buffer.alloc(300_000, 0xd8);
    const put = await dav(server, alice, 'PUT', '/dav/mac/photo.jpg', {
      body: Readable.from([jpeg.subarray(0, 100_000), jpeg.subarray(100_000)]),
      headers: { if: `(<${token}>)`, 'x-expected-entity-length': String(jpeg.length) },
    });
    expect(put.status).toBe(204);
    // The resource fork and Finder's folder settings are files like any other.
    for (const name of ['._photo.jpg', '.DS_Store'])
      expect(
        (await dav(server, alice, 'PUT', `/dav/mac/${name}`, { body: Buffer.alloc(4096, 1) })).status,
      ).toBe(201);
    const xattr = await dav(server, alice, 'PROPPATCH', '/dav/mac/photo.jpg', {
      headers: { if: `(<${token}>)` },
      body:
        '<?xml version="1.0" encoding="utf-8"?><D:propertyupdate xmlns:D="DAV:"><D:set><D:prop>' +
        '<x:com.apple.FinderInfo xmlns:x="http://apple.com/ns/xattr">AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA</x:com.apple.FinderInfo>' +
        '</D:prop></D:set></D:propertyupdate>',
    });
    expect(xattr.text).toContain('HTTP/1.1 200 OK');
    expect(
      (await dav(server, alice, 'UNLOCK', '/dav/mac/photo.jpg', { headers: { 'lock-token': `<${token}>` } }))
        .status,
    ).toBe(204);
    const listing = await dav(server, alice, 'PROPFIND', '/dav/mac/', { headers: { depth: '1' } });
    expect(listing.text).toContain('<D:getcontentlength>300000</D:getcontentlength>');
    expect(listing.text).toContain('/dav/mac/._photo.jpg');
    expect(listing.text).toContain('com.apple.FinderInfo');
  });

  it('works the way the Windows Mini-Redirector mounts and saves', async () => {
    const options = await dav(server, null, 'OPTIONS', '/');
    expect(options.headers['ms-author-via']).toBe('DAV');
    const root = await dav(server, alice, 'PROPFIND', '/dav', { headers: { depth: '0', translate: 'f' } });
    expect(root.status).toBe(207);
    expect(root.headers['content-length']).toBeDefined();
    expect(root.text).toContain('<D:resourcetype><D:collection/></D:resourcetype>');
    await dav(server, alice, 'PUT', '/dav/report.docx', { body: '' });
    const lock = await dav(server, alice, 'LOCK', '/dav/report.docx', {
      body: LOCKINFO.replace('mailto:me@example.test', 'ALICE-PC\\alice'),
      headers: { timeout: 'Infinite, Second-4100000000' },
    });
    expect(lock.status).toBe(200);
    // Infinite is capped by the server (LOFT_DAV_LOCK_MAX_SECONDS, an hour by default).
    expect(lock.text).toMatch(/<D:timeout>Second-(3599|3600)<\/D:timeout>/);
    const token = /^<(.+)>$/.exec(lock.headers['lock-token'] as string)![1]!;
    const win32 =
      '<?xml version="1.0" encoding="utf-8" ?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:schemas-microsoft-com:"><D:set><D:prop>' +
      '<Z:Win32CreationTime>Sat, 21 Nov 2026 10:00:00 GMT</Z:Win32CreationTime><Z:Win32FileAttributes>00000020</Z:Win32FileAttributes>' +
      '</D:prop></D:set></D:propertyupdate>';
    const patch = await dav(server, alice, 'PROPPATCH', '/dav/report.docx', {
      headers: { if: `(<${token}>)` },
      body: win32,
    });
    expect(count(patch.text, /HTTP\/1.1 200 OK/g)).toBe(2);
    expect(
      (
        await dav(server, alice, 'PUT', '/dav/report.docx', {
          body: 'PK...',
          headers: { if: `(<${token}>)` },
        })
      ).status,
    ).toBe(204);
    const got = await dav(server, alice, 'GET', '/dav/report.docx', { headers: { translate: 'f' } });
    expect(got.text).toBe('PK...');
    const props = await dav(server, alice, 'PROPFIND', '/dav/report.docx', { headers: { depth: '0' } });
    expect(props.text).toContain('Win32FileAttributes');
    expect(props.text).toContain('ALICE-PC');
  });

  it('streams a Depth 1 listing of a large folder, every entry once', async () => {
    await dav(server, alice, 'MKCOL', '/dav/big');
    const n = 5_100;
    // Filled through the multipart API, 510 files a request: far quicker than 5,100 PUTs.
    const big = (await alice.client.json('GET', '/api/resolve?path=/big', undefined, 200)).body;
    for (let start = 0; start < n; start += 510) {
      const boundary = `----dav${start}`;
      let form = '';
      for (let i = start; i < start + 510; i++)
        form += `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="f${i}.txt"\r\n\r\n${i}\r\n`;
      form += `--${boundary}--\r\n`;
      const up = await alice.client.request('POST', `/api/nodes/${big.id}/files`, {
        headers: {
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': String(Buffer.byteLength(form)),
        },
        body: form,
      });
      expect(up.status).toBe(201);
    }
    const r = await dav(server, alice, 'PROPFIND', '/dav/big/', {
      headers: { depth: '1' },
      body: propfindBody('<D:getetag/>'),
    });
    expect(r.status).toBe(207);
    expect(r.headers['content-length']).toBeUndefined();
    expect(count(r.text, /<D:response>/g)).toBe(n + 1);
    expect(new Set(r.text.match(/\/dav\/big\/f\d+\.txt/g)).size).toBe(n);
    expect(r.text.trimEnd().endsWith('</D:multistatus>')).toBe(true);
  });
});
