import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from './helpers/client.js';
import { dialect, startServer, type TestServer } from './helpers/server.js';

const enc = encodeURIComponent;

async function search(c: Client, q: string, extra = '') {
  return (await c.json('GET', `/api/search?q=${enc(q)}${extra}`, undefined, 200)).body as {
    items: { id: string; name: string; kind: string; parentId: string; path: string }[];
    nextCursor: string | null;
  };
}

const namesOf = async (c: Client, q: string) => (await search(c, q, '&limit=200')).items.map((i) => i.name);

/** Every result, page by page; fails on an item seen twice. */
async function searchAll(c: Client, q: string, limit: number) {
  const items: { id: string; name: string; path: string }[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await search(c, q, `&limit=${limit}${cursor ? `&cursor=${enc(cursor)}` : ''}`);
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    cursor = page.nextCursor;
    pages++;
  } while (cursor);
  expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
  return { items, pages };
}

describe(`search by name (${dialect})`, () => {
  let server: TestServer;
  let c: Client;
  let other: Client;

  beforeAll(async () => {
    server = await startServer();
    c = await server.user();
    other = await server.user();
    for (const [path, body] of [
      ['/Projects/Report 2024.pdf', 'r'],
      ['/Projects/Deep/Nested/report-final.TXT', 'f'],
      ['/Projects/100%_done.txt', 'a'],
      ['/Projects/100x done.txt', 'b'],
      ['/Projects/under_score.txt', 'c'],
      ['/Projects/underXscore.txt', 'd'],
      ['/Misc/a\\b.txt', 'e'],
      ['/Misc/ab.txt', 'f'],
      ['/Misc/Éclair.txt', 'g'],
      ['/Old/report-old.txt', 'h'],
      ['/Old/Gone/report-in-trashed-folder.txt', 'i'],
    ]) {
      expect((await c.upload(path!, body!)).status).toBe(201);
    }
    // An empty folder is found too.
    await c.json('POST', `/api/nodes/${c.rootId}/folders`, { name: 'Reports archive' }, 201);
    await c.json('DELETE', `/api/nodes/${(await c.resolve('/Old/report-old.txt')).id}`, undefined, 204);
    await c.json('DELETE', `/api/nodes/${(await c.resolve('/Old/Gone')).id}`, undefined, 204);
    expect((await other.upload('/Theirs/report-of-someone-else.txt', 'x')).status).toBe(201);
  });
  afterAll(async () => server?.close());

  it('finds files and folders whose name contains q, ignoring case, ordered by name', async () => {
    const page = await search(c, 'REPORT');
    expect(page.items.map((i) => [i.name, i.kind])).toEqual([
      ['Report 2024.pdf', 'file'],
      ['report-final.TXT', 'file'],
      ['Reports archive', 'folder'],
    ]);
    expect(page.nextCursor).toBeNull();
    expect(await namesOf(c, 'projects')).toEqual(['Projects']);
    expect(await namesOf(c, 'ORT-fin')).toEqual(['report-final.TXT']);
    // Case folding beyond ASCII, and a query in another Unicode normal form.
    expect(await namesOf(c, 'éCLAIR')).toEqual(['Éclair.txt']);
    expect(await namesOf(c, 'E\u0301CLAIR')).toEqual(['Éclair.txt']);
    // Surrounding blanks are trimmed.
    expect(await namesOf(c, '  final ')).toEqual(['report-final.TXT']);
    expect(await namesOf(c, 'no such name')).toEqual([]);
  });

  it('gives each result the same full path as GET /api/nodes/:id', async () => {
    const page = await search(c, 'e', '&limit=200');
    expect(page.items.length).toBeGreaterThan(5);
    for (const item of page.items) {
      const node = (await c.json('GET', `/api/nodes/${item.id}`, undefined, 200)).body;
      expect(item).toEqual(node);
    }
    const byName = new Map(page.items.map((i) => [i.name, i.path]));
    expect(byName.get('report-final.TXT')).toBe('/Projects/Deep/Nested/report-final.TXT');
    expect(byName.get('Report 2024.pdf')).toBe('/Projects/Report 2024.pdf');
    expect(byName.get('Projects')).toBe('/Projects');
    expect(byName.get('Nested')).toBe('/Projects/Deep/Nested');
    expect(page.items.map((i) => i.id)).not.toContain(c.rootId);
  });

  it('matches %, _ and \\ literally', async () => {
    expect(await namesOf(c, '100%_')).toEqual(['100%_done.txt']);
    expect(await namesOf(c, '%')).toEqual(['100%_done.txt']);
    expect(await namesOf(c, 'under_')).toEqual(['under_score.txt']);
    expect(await namesOf(c, '_')).toEqual(['100%_done.txt', 'under_score.txt']);
    expect(await namesOf(c, 'a\\b')).toEqual(['a\\b.txt']);
    expect(await namesOf(c, '\\')).toEqual(['a\\b.txt']);
    expect(await namesOf(c, "'; drop table nodes; --")).toEqual([]);
  });

  it("leaves out trashed items and other users' items", async () => {
    expect(await namesOf(c, 'report')).toEqual(['Report 2024.pdf', 'report-final.TXT', 'Reports archive']);
    expect(await namesOf(c, 'trashed')).toEqual([]);
    expect(await namesOf(c, 'someone-else')).toEqual([]);
    expect(await namesOf(other, 'report')).toEqual(['report-of-someone-else.txt']);
    expect(await namesOf(other, 'Projects')).toEqual([]);
    // Restored, the item is found again.
    const trash = (await c.json('GET', '/api/trash', undefined, 200)).body.items;
    const old = trash.find((t: any) => t.name === 'report-old.txt');
    await c.json('POST', `/api/trash/${old.id}/restore`, undefined, 200);
    expect((await search(c, 'report-old')).items.map((i) => i.path)).toEqual(['/Old/report-old.txt']);
  });

  it('pages through results with an opaque cursor, by name then id, none twice or missed', async () => {
    const names: string[] = [];
    for (let i = 0; i < 13; i++) {
      const name = `${i % 2 ? 'Page' : 'page'}-${String(i).padStart(2, '0')}.txt`;
      await c.upload(`/Paging/${i % 3}/${name}`, String(i));
      names.push(name);
    }
    // The same name in several folders: the id decides the order.
    for (const folder of ['A', 'B', 'C', 'D']) await c.upload(`/Paging/${folder}/page-dup.txt`, folder);
    const expected = [...names, 'page-dup.txt', 'page-dup.txt', 'page-dup.txt', 'page-dup.txt'].sort(
      (x, y) => (x.toLowerCase() < y.toLowerCase() ? -1 : x.toLowerCase() > y.toLowerCase() ? 1 : 0),
    );

    const whole = await search(c, 'page-', '&limit=200');
    expect(whole.items.map((i) => i.name)).toEqual(expected);
    const dups = whole.items.filter((i) => i.name === 'page-dup.txt').map((i) => i.id);
    expect(dups).toEqual([...dups].sort());

    for (const limit of [1, 4, 17]) {
      const { items, pages } = await searchAll(c, 'page-', limit);
      expect(
        items.map((i) => i.id),
        `limit ${limit}`,
      ).toEqual(whole.items.map((i) => i.id));
      expect(pages).toBe(Math.ceil(17 / limit));
    }
    // The default page size is 50.
    for (let i = 0; i < 40; i++) await c.upload(`/Paging/many/many-${i}.txt`, 'm');
    const first = await search(c, 'many-');
    expect(first.items).toHaveLength(40);
    expect(first.nextCursor).toBeNull();
    const all = await search(c, '.txt');
    expect(all.items).toHaveLength(50);
    expect(all.nextCursor).toEqual(expect.any(String));
  });

  it('refuses a blank or missing q, bad limits and bad cursors', async () => {
    const expectError = async (query: string, code: string, field?: string) => {
      const r = await c.json('GET', `/api/search${query}`);
      expect(r.status, query).toBe(400);
      expect(r.body.error.code, query).toBe(code);
      if (field)
        expect(
          r.body.error.details.fields.map((f: any) => f.field),
          query,
        ).toEqual([field]);
    };
    await expectError(`?q=${enc('   ')}`, 'validation_failed', 'querystring.q');
    await expectError(`?q=${enc('\t\n')}`, 'validation_failed', 'querystring.q');
    await expectError('?q=', 'validation_failed', 'querystring.q');
    await expectError('', 'validation_failed', 'querystring.q');
    await expectError(`?q=${'x'.repeat(201)}`, 'validation_failed', 'querystring.q');
    await expectError('?q=x&limit=0', 'validation_failed', 'querystring.limit');
    await expectError('?q=x&limit=201', 'validation_failed', 'querystring.limit');
    await expectError('?q=x&cursor=not-a-cursor', 'invalid_cursor');
    await expectError(`?q=x&cursor=${Buffer.from('{"sortName":1}').toString('base64url')}`, 'invalid_cursor');
    expect((await c.json('GET', `/api/search?q=${'x'.repeat(200)}&limit=200`)).status).toBe(200);
  });

  it('needs a signed-in user', async () => {
    const r = await server.anonymous().json('GET', '/api/search?q=report');
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('unauthenticated');
    expect(r.body).not.toHaveProperty('items');
  });
});
