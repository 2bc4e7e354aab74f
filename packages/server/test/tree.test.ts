import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from './helpers/client.js';
import { dialect, startServer, type TestServer } from './helpers/server.js';

async function listAll(c: Client, folderId: string, query: string, limit: number) {
  const names: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const q: string = `${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const r = await c.json('GET', `/api/nodes/${folderId}/children?${q}`, undefined, 200);
    expect(r.body.items.length).toBeLessThanOrEqual(limit);
    names.push(...r.body.items.map((n: any) => `${n.kind === 'folder' ? 'd' : 'f'}:${n.name}`));
    cursor = r.body.nextCursor;
    pages++;
  } while (cursor);
  return { names, pages };
}

describe(`file tree semantics (${dialect})`, () => {
  let server: TestServer;
  let c: Client;
  let admin: Client;
  beforeAll(async () => {
    server = await startServer();
    admin = await server.user('tree.admin');
    c = await server.user();
  });
  afterAll(async () => server?.close());

  it('pages through a folder with every sort order, folders first, no item twice or missed', async () => {
    const parent = (await c.json('POST', `/api/nodes/${c.rootId}/folders`, { name: 'paging' }, 201)).body;
    const expectedFiles: { name: string; size: number }[] = [];
    for (let i = 0; i < 23; i++) {
      const name = `${i % 2 ? 'B' : 'a'}-file-${String(i).padStart(2, '0')}.txt`;
      const body = 'x'.repeat((i * 7) % 11);
      await c.upload(`/paging/${name}`, body);
      expectedFiles.push({ name, size: body.length });
    }
    for (let i = 0; i < 7; i++)
      await c.json('POST', `/api/nodes/${parent.id}/folders`, { name: `Dir ${i}` }, 201);

    const byName = await listAll(c, parent.id, 'sort=name&order=asc', 4);
    const folders = [...Array(7).keys()].map((i) => `d:Dir ${i}`);
    const files = expectedFiles
      .map((f) => f.name)
      .sort((x, y) => (x.toLowerCase() < y.toLowerCase() ? -1 : 1))
      .map((n) => `f:${n}`);
    expect(byName.names).toEqual([...folders, ...files]);
    expect(byName.pages).toBe(Math.ceil(30 / 4));

    const desc = await listAll(c, parent.id, 'sort=name&order=desc', 7);
    expect(desc.names).toEqual([...[...folders].reverse(), ...[...files].reverse()]);

    const bySize = await listAll(c, parent.id, 'sort=size&order=asc', 5);
    const sizes = new Map(expectedFiles.map((f) => [`f:${f.name}`, f.size]));
    const fileOrder = bySize.names.filter((n) => n.startsWith('f:'));
    expect(bySize.names.slice(0, 7).every((n) => n.startsWith('d:'))).toBe(true);
    expect(new Set(bySize.names).size).toBe(30);
    for (let i = 1; i < fileOrder.length; i++) {
      expect(sizes.get(fileOrder[i]!)!).toBeGreaterThanOrEqual(sizes.get(fileOrder[i - 1]!)!);
    }
    const byModified = await listAll(c, parent.id, 'sort=modified&order=desc', 30);
    expect(new Set(byModified.names).size).toBe(30);

    // A cursor from one sort order is refused for another.
    const first = await c.json('GET', `/api/nodes/${parent.id}/children?sort=name&limit=2`, undefined, 200);
    const wrong = await c.json(
      'GET',
      `/api/nodes/${parent.id}/children?sort=size&limit=2&cursor=${first.body.nextCursor}`,
    );
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('invalid_cursor');
  });

  it('gives the number of live children on the first page only, when asked', async () => {
    const folder = (await c.json('POST', `/api/nodes/${c.rootId}/folders`, { name: 'counted' }, 201)).body;
    const list = async (query = '') =>
      (await c.json('GET', `/api/nodes/${folder.id}/children?total=true&${query}`, undefined, 200)).body;
    expect(await list()).toEqual({ items: [], nextCursor: null, total: 0 });
    // Not asked: no count (it scans the whole folder).
    expect((await c.json('GET', `/api/nodes/${folder.id}/children`, undefined, 200)).body).toEqual({
      items: [],
      nextCursor: null,
    });

    for (let i = 0; i < 3; i++)
      await c.json('POST', `/api/nodes/${folder.id}/folders`, { name: `d${i}` }, 201);
    for (let i = 0; i < 5; i++) await c.upload(`/counted/f${i}.txt`, 'x'.repeat(i));
    await c.upload('/counted/d0/nested.txt', 'not a child of counted');
    const gone = await c.upload('/counted/gone.txt', 'trashed');
    await c.json('DELETE', `/api/nodes/${gone.body.id}`, undefined, 204);

    const whole = await list();
    expect(whole.items).toHaveLength(8);
    expect(whole.total).toBe(8);
    for (const query of ['limit=3', 'sort=size&order=desc&limit=1', 'sort=modified&limit=8']) {
      const first = await list(query);
      expect(first.total, query).toBe(8);
      if (first.nextCursor === null) continue;
      const next = await list(`${query}&cursor=${encodeURIComponent(first.nextCursor)}`);
      expect(next.items.length, query).toBeGreaterThan(0);
      expect(next, query).not.toHaveProperty('total');
    }

    // It follows trash and moves.
    const f0 = await c.resolve('/counted/f0.txt');
    await c.json('DELETE', `/api/nodes/${f0.id}`, undefined, 204);
    const d1 = await c.resolve('/counted/d1');
    await c.json('PATCH', `/api/nodes/${d1.id}`, { parentId: c.rootId, name: 'moved-out-of-counted' }, 200);
    expect((await list('limit=1')).total).toBe(6);
    // The total of a subfolder counts its own children only.
    const d0 = await c.resolve('/counted/d0');
    expect((await c.json('GET', `/api/nodes/${d0.id}/children?total=true`, undefined, 200)).body.total).toBe(
      1,
    );
  });

  it('restores into a recreated folder and renames on a clash', async () => {
    await c.upload('/projects/alpha/plan.txt', 'v1');
    const plan = await c.resolve('/projects/alpha/plan.txt');
    await c.json('DELETE', `/api/nodes/${plan.id}`, undefined, 204);
    const alpha = await c.resolve('/projects/alpha');
    await c.json('DELETE', `/api/nodes/${alpha.id}`, undefined, 204);
    // The parent went to the trash and was purged: restoring the file recreates /projects/alpha.
    await c.json('DELETE', `/api/trash/${alpha.id}`, undefined, 204);
    const restored = await c.json('POST', `/api/trash/${plan.id}/restore`, undefined, 200);
    expect(restored.body.path).toBe('/projects/alpha/plan.txt');
    expect((await c.request('GET', `/api/nodes/${plan.id}/content`)).body.toString()).toBe('v1');

    // Same name taken meanwhile → "plan (restored).txt".
    await c.json('DELETE', `/api/nodes/${plan.id}`, undefined, 204);
    await c.upload('/projects/alpha/plan.txt', 'new plan');
    const again = await c.json('POST', `/api/trash/${plan.id}/restore`, undefined, 200);
    expect(again.body.name).toBe('plan (restored).txt');
    expect(again.body.path).toBe('/projects/alpha/plan (restored).txt');
  });

  it('keeps trashed children out of listings and resolves, and refuses to trash or move the root', async () => {
    await c.upload('/bin/x/y.txt', 'y');
    const bin = await c.resolve('/bin');
    await c.json('DELETE', `/api/nodes/${bin.id}`, undefined, 204);
    expect((await c.json('GET', `/api/resolve?path=${encodeURIComponent('/bin/x/y.txt')}`)).status).toBe(404);
    const y = (await c.json('GET', '/api/trash', undefined, 200)).body.items.find(
      (i: any) => i.name === 'bin',
    );
    expect(y.originalPath).toBe('/');
    expect((await c.json('DELETE', `/api/nodes/${c.rootId}`)).body.error.code).toBe('root_immutable');
    expect((await c.json('PATCH', `/api/nodes/${c.rootId}`, { name: 'x' })).body.error.code).toBe(
      'root_immutable',
    );
    // Names freed by the trash can be reused at once.
    expect((await c.json('POST', `/api/nodes/${c.rootId}/folders`, { name: 'bin' })).status).toBe(201);
  });

  it('refuses a copy that does not fit the quota, and conflicts unless asked to rename', async () => {
    const small = await server.user();
    await admin.json('PATCH', `/api/admin/users/${small.user!.id}`, { quotaBytes: 1500 }, 200);
    const f = await small.upload('/a.bin', Buffer.alloc(1000, 1));
    expect(f.status).toBe(201);
    const copy = await small.json('POST', `/api/nodes/${f.body.id}/copy`, {
      parentId: small.rootId,
      name: 'b.bin',
    });
    expect(copy.status).toBe(507);
    expect(copy.body.error.code).toBe('quota_exceeded');
    expect((await small.me()).usedBytes).toBe(1000);
    await admin.json('PATCH', `/api/admin/users/${small.user!.id}`, { quotaBytes: 10_000 }, 200);
    const clash = await small.json('POST', `/api/nodes/${f.body.id}/copy`, {
      parentId: small.rootId,
      conflict: 'fail',
    });
    expect(clash.status).toBe(409);
    const renamed = await small.json('POST', `/api/nodes/${f.body.id}/copy`, { parentId: small.rootId }, 201);
    expect(renamed.body.name).toBe('a (copy).bin');
    expect((await small.me()).usedBytes).toBe(2000);
  });
});
