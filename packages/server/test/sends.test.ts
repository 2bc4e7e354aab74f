import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from './helpers/client.js';
import { dialect, startServer, type TestServer } from './helpers/server.js';

const enc = encodeURIComponent;
const MIN = 60_000;

async function send(c: Client, name: string, body: string | Buffer, query = '') {
  const r = await c.request('POST', `/api/sends?name=${enc(name)}${query}`, {
    headers: { 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(body)) },
    body,
  });
  const text = r.body.toString();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

const publicInfo = (server: TestServer, token: string) =>
  server.anonymous().json('GET', `/api/public/links/${token}`);

describe(`sends (${dialect})`, () => {
  let server: TestServer;
  let alice: Client;

  beforeAll(async () => {
    server = await startServer({ LOFT_SENDS_PER_USER: '3', LOFT_SEND_MAX_MINUTES: '1440' });
    alice = await server.user('alice.sender');
  });
  afterAll(() => server.close());

  it('puts a file behind a link for two hours, in the quota but never in the file tree', async () => {
    const before = (await alice.me()).usedBytes;
    const r = await send(alice, 'boarding pass.pdf', 'PDF bytes here');
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ name: 'boarding pass.pdf', size: 14 });
    expect(r.body.expiresAt - r.body.createdAt).toBe(120 * MIN);
    expect(r.body.link.url).toMatch(/\/s\/[A-Za-z0-9_-]{40,}$/);
    expect(r.body.link.expiresAt).toBe(r.body.expiresAt);
    expect((await alice.me()).usedBytes).toBe(before + 14);

    // Anyone with the link gets it; the QR code is the link's.
    const info = await publicInfo(server, r.body.link.token);
    expect(info.body).toMatchObject({ kind: 'file', name: 'boarding pass.pdf', size: 14 });
    const dl = await server.anonymous().request('GET', `/api/public/links/${r.body.link.token}/content`);
    expect(dl.body.toString()).toBe('PDF bytes here');
    const qr = await alice.request('GET', `/api/links/${r.body.link.id}/qr.svg`);
    expect(qr.headers['content-type']).toMatch(/^image\/svg\+xml/);

    // Not in my files: not listed, not found by search.
    const root = await alice.json('GET', `/api/nodes/${alice.rootId}/children`, undefined, 200);
    expect(root.body.items.map((n: any) => n.name)).not.toContain('Sends');
    const found = await alice.json('GET', `/api/search?q=boarding`, undefined, 200);
    expect(found.body.items).toEqual([]);
    const list = await alice.json('GET', '/api/sends', undefined, 200);
    expect(list.body.items.map((s: any) => s.id)).toEqual([r.body.id]);
  });

  it('expires on time: the link stops at once, the job deletes the bytes and frees the quota', async () => {
    const r = await send(alice, 'short.txt', 'gone soon', '&lifetime=30');
    expect(r.body.expiresAt - r.body.createdAt).toBe(30 * MIN);
    const used = (await alice.me()).usedBytes;
    server.clock.advance(31 * MIN);
    const expired = await publicInfo(server, r.body.link.token);
    expect(expired.status).toBe(410);
    expect(expired.body.error.code).toBe('link_expired');
    expect(
      (await alice.json('GET', '/api/sends', undefined, 200)).body.items.map((s: any) => s.id),
    ).not.toContain(r.body.id);
    await server.app.services.sends.expire();
    expect((await alice.me()).usedBytes).toBe(used - 9);
    expect((await alice.json('GET', `/api/nodes/${r.body.link.nodeId}`)).status).toBe(404);
    expect((await publicInfo(server, r.body.link.token)).status).toBe(404);
  });

  it('caps the lifetime, and keeps at most the configured number of sends (the oldest goes)', async () => {
    const tooLong = await send(alice, 'long.txt', 'x', `&lifetime=${25 * 60}`);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.details.fields[0]).toMatchObject({ field: 'lifetime', code: 'too_long' });

    const bob = await server.user('bob.sender');
    const made = [];
    for (const n of ['1', '2', '3', '4']) made.push((await send(bob, `file${n}.txt`, `content ${n}`)).body);
    const left = (await bob.json('GET', '/api/sends', undefined, 200)).body.items.map((s: any) => s.name);
    expect(left).toEqual(['file4.txt', 'file3.txt', 'file2.txt']);
    expect((await publicInfo(server, made[0].link.token)).status).toBe(404);
    expect((await bob.me()).usedBytes).toBe(27);
  });

  it('ends a send on request; only its owner can; a send too big for the quota leaves nothing behind', async () => {
    const r = await send(alice, 'oops.txt', 'wrong file');
    const carol = await server.user('carol.sender');
    expect((await carol.json('DELETE', `/api/sends/${r.body.id}`)).status).toBe(404);
    expect((await server.anonymous().json('GET', '/api/sends')).status).toBe(401);
    const used = (await alice.me()).usedBytes;
    await alice.json('DELETE', `/api/sends/${r.body.id}`, undefined, 204);
    expect((await alice.me()).usedBytes).toBe(used - 10);
    expect((await publicInfo(server, r.body.link.token)).status).toBe(404);

    const dave = await server.user('dave.sender');
    // alice registered first: she is the admin.
    await alice.json('PATCH', `/api/admin/users/${dave.user!.id}`, { quotaBytes: 8 }, 200);
    const big = await send(dave, 'big.bin', 'more than eight bytes');
    expect(big.status).toBe(507);
    expect(big.body.error.code).toBe('quota_exceeded');
    expect((await dave.json('GET', '/api/sends', undefined, 200)).body.items).toEqual([]);
    expect((await dave.me()).usedBytes).toBe(0);
  });
});
