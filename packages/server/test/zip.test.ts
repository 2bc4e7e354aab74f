import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from './helpers/files.js';
import { readZip } from './helpers/zip.js';
import { dialect, startServer, type TestServer } from './helpers/server.js';

describe(`zip downloads (${dialect})`, () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => server?.close());

  it('streams a folder with UTF-8 names, nested and empty folders, readable by another implementation', async () => {
    const c = await server.user();
    const files: Record<string, string> = {
      'Résumé ✓/日本語.txt': 'konnichiwa',
      'Résumé ✓/sub/deep/😀.bin': 'x'.repeat(100_000),
      'Résumé ✓/plain.txt': '',
    };
    for (const [p, body] of Object.entries(files)) expect((await c.upload(`/${p}`, body)).status).toBe(201);
    await c.json('POST', `/api/nodes/${(await c.resolve('/Résumé ✓')).id}/folders`, { name: 'empty' }, 201);
    // Trashed content must not appear in the zip.
    const gone = await c.upload('/Résumé ✓/deleted.txt', 'bye');
    await c.json('DELETE', `/api/nodes/${gone.body.id}`, undefined, 204);

    const folder = await c.resolve('/Résumé ✓');
    const r = await c.request('GET', `/api/nodes/${folder.id}/zip`);
    expect(r.status).toBe(200);
    expect(r.headers['content-disposition']).toContain(`filename*=UTF-8''R%C3%A9sum%C3%A9%20%E2%9C%93.zip`);
    expect(r.headers['transfer-encoding']).toBe('chunked');
    const zip = readZip(r.body);
    expect(zip.names.sort()).toEqual(
      ['empty/', 'plain.txt', 'sub/', 'sub/deep/', 'sub/deep/😀.bin', '日本語.txt'].sort(),
    );
    for (const [p, body] of Object.entries(files)) {
      expect(zip.hashes[p.replace('Résumé ✓/', '')]).toBe(sha256(body));
    }
  });

  it('zips a selection, and refuses items that are not mine', async () => {
    const a = await server.user();
    const b = await server.user();
    const one = await a.upload('/one.txt', '1');
    const two = await a.upload('/dir/two.txt', '2');
    const dir = await a.resolve('/dir');
    const r = await a.request('GET', `/api/zip?ids=${one.body.id},${dir.id}`);
    expect(r.status).toBe(200);
    expect(readZip(r.body).names.sort()).toEqual(['dir/', 'dir/two.txt', 'one.txt']);
    expect(two.status).toBe(201);
    const stranger = await b.request('GET', `/api/zip?ids=${one.body.id}`);
    expect(stranger.status).toBe(404);
    expect(stranger.body.toString()).not.toContain('PK');
  });
});
