import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialect, startServer, type TestServer } from './helpers/server.js';
import { readZip } from './helpers/zip.js';

const zipNames = (zip: Buffer): string[] => readZip(zip).names;

describe(`review findings (${dialect})`, () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => server?.close());

  it('zips a folder holding names that zip readers treat as paths (backslash, drive letter)', async () => {
    const c = await server.user();
    for (const name of ['..\\evil.txt', 'C:notes.txt', 'a\\b.txt', 'plain.txt']) {
      expect((await c.upload(`/z/${name}`, 'x')).status).toBe(201);
    }
    const folder = await c.resolve('/z');
    const r = await c.request('GET', `/api/nodes/${folder.id}/zip`);
    expect(r.status).toBe(200);
    const names = zipNames(r.body);
    expect(names).toHaveLength(4);
    expect(names).toContain('plain.txt');
    for (const n of names) {
      expect(n).not.toMatch(/\\|^[A-Za-z]:|^\/|(^|\/)\.\.(\/|$)/);
    }
    // The same names inside a nested folder, and as roots of a selection.
    const sel = await c.json('GET', `/api/nodes/${folder.id}/children`, undefined, 200);
    const ids = (sel.body.items as { id: string }[]).map((i) => i.id).join(',');
    const r2 = await c.request('GET', `/api/zip?ids=${ids}`);
    expect(r2.status).toBe(200);
    expect(zipNames(r2.body)).toHaveLength(4);
  });

  it('zips an item listed twice in a selection once', async () => {
    const c = await server.user();
    const f = await c.upload('/dup.txt', 'x');
    const r = await c.request('GET', `/api/zip?ids=${f.body.id},${f.body.id},${f.body.id}`);
    expect(r.status).toBe(200);
    expect(zipNames(r.body)).toEqual(['dup.txt']);
  });

  it('refuses a listing cursor whose sort value has the wrong type with invalid_cursor, not 500', async () => {
    const c = await server.user();
    const root = c.rootId;
    for (const sort of ['size', 'modified']) {
      const cursor = Buffer.from(
        JSON.stringify({ value: 'abc', sortName: 'a', id: 'x', phase: 'file', sort, order: 'asc' }),
      ).toString('base64url');
      const r = await c.json('GET', `/api/nodes/${root}/children?sort=${sort}&cursor=${cursor}`);
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('invalid_cursor');
    }
  });

  it('does not let concurrent wrong passwords slip past the account throttle', async () => {
    await server.user('parallel.user');
    const c = server.anonymous();
    const attempts = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        c.json('POST', '/api/auth/login', { login: 'parallel.user', password: `wrong-${i}-password` }),
      ),
    );
    const denied = attempts.filter((r) => r.status === 401).length;
    // 5 failures block the name; failures are counted under a row lock, so not one more gets a 401.
    expect(denied).toBeLessThanOrEqual(5);
    expect(attempts.every((r) => r.status === 401 || r.status === 429)).toBe(true);
  });

  it('sweeps bytes nothing refers to, through a row, and keeps bytes an upload refers to', async () => {
    const c = await server.user();
    const kept = await c.upload('/kept.txt', 'kept bytes for the sweep');
    const { blobs, collector } = server.app.services;
    const stray = await blobs.put(Buffer.from('stray bytes a crash left behind'));
    server.clock.advance(2 * 3600_000);
    expect(await collector.sweepUnknown()).toEqual({ blobs: 1 });
    expect(await blobs.stat(stray.sha256)).toBeNull();
    expect(await blobs.stat(kept.body.sha256)).not.toBeNull();
    // No row is left behind for the swept bytes: uploading them again stores them again.
    const again = await c.upload('/again.txt', 'stray bytes a crash left behind');
    expect(again.status).toBe(201);
    expect((await c.downloadHash(`/api/nodes/${again.body.id}/content`)).size).toBe(31);
  });
});
