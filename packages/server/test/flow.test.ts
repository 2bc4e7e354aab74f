import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomFile } from './helpers/files.js';
import { dialect, startServer, type TestServer } from './helpers/server.js';

describe(`end-to-end flow over HTTP (${dialect})`, () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => server?.close());

  it('registers, signs in, manages folders and files, and purges the trash', async () => {
    const anon = server.anonymous();
    const reg = await anon.json(
      'POST',
      '/api/auth/register',
      { username: 'Flow.User', email: 'flow@example.test', password: 'a long passphrase' },
      201,
    );
    expect(reg.body.user.username).toBe('flow.user');
    const bad = await anon.login('flow.user', 'wrong password!');
    expect(bad.status).toBe(401);
    expect((bad.body as any).error.code).toBe('invalid_credentials');

    const c = server.anonymous();
    const login = await c.login('FLOW@example.test', 'a long passphrase');
    expect(login.status).toBe(200);
    expect(login.headers['set-cookie']?.[0]).toMatch(/loft_session=.*HttpOnly.*SameSite=Lax/i);

    const docs = await c.json(
      'POST',
      `/api/nodes/${c.rootId}/folders`,
      { name: 'Documents/Reports/2026', parents: true },
      201,
    );
    expect(docs.body.name).toBe('2026');
    const dup = await c.json('POST', `/api/nodes/${c.rootId}/folders`, { name: 'Documents' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('name_conflict');

    // A 200 MiB upload streamed from disk and back, compared by SHA-256.
    const big = await randomFile(200 * 1024 * 1024);
    try {
      const up = await c.upload('/Documents/big.bin', { file: big.file, size: big.size });
      expect(up.status).toBe(201);
      expect(up.body.sha256).toBe(big.sha256);
      expect(up.body.size).toBe(big.size);
      const down = await c.downloadHash(`/api/nodes/${up.body.id}/content`);
      expect(down.status).toBe(200);
      expect(down.headers.etag).toBe(`"${big.sha256}"`);
      expect(down.sha256).toBe(big.sha256);

      // Ranges: middle, suffix, open-ended, unsatisfiable, If-Range mismatch, conditional GET.
      const mid = await c.request('GET', `/api/nodes/${up.body.id}/content`, {
        headers: { range: 'bytes=1000-1999' },
      });
      expect(mid.status).toBe(206);
      expect(mid.headers['content-range']).toBe(`bytes 1000-1999/${big.size}`);
      expect(mid.body.length).toBe(1000);
      const suffix = await c.request('GET', `/api/nodes/${up.body.id}/content`, {
        headers: { range: 'bytes=-10' },
      });
      expect(suffix.status).toBe(206);
      expect(suffix.body.length).toBe(10);
      const none = await c.request('GET', `/api/nodes/${up.body.id}/content`, {
        headers: { range: `bytes=${big.size}-` },
      });
      expect(none.status).toBe(416);
      expect(none.headers['content-range']).toBe(`bytes */${big.size}`);
      const ifRange = await c.request('HEAD', `/api/nodes/${up.body.id}/content`, {
        headers: { range: 'bytes=0-9', 'if-range': '"other"' },
      });
      expect(ifRange.status).toBe(200);
      expect(ifRange.headers['content-length']).toBe(String(big.size));
      const notModified = await c.request('GET', `/api/nodes/${up.body.id}/content`, {
        headers: { 'if-none-match': `"${big.sha256}"` },
      });
      expect(notModified.status).toBe(304);
      expect(notModified.body.length).toBe(0);
    } finally {
      big.cleanup();
    }

    // Small files, listing, metadata, rename, move, copy.
    const note = await c.upload('/Documents/Reports/notes é.txt', 'first draft');
    expect(note.status).toBe(201);
    const again = await c.upload('/Documents/Reports/notes é.txt', 'second draft');
    expect(again.status).toBe(200);
    const versions = await c.json('GET', `/api/nodes/${note.body.id}/versions`, undefined, 200);
    expect(versions.body.items).toHaveLength(2);
    const old = versions.body.items.find((v: any) => !v.current);
    const oldBytes = await c.request('GET', `/api/nodes/${note.body.id}/content?version=${old.id}`);
    expect(oldBytes.body.toString()).toBe('first draft');
    expect(oldBytes.headers['content-disposition']).toContain("filename*=UTF-8''notes%20%C3%A9.txt");
    await c.json('POST', `/api/nodes/${note.body.id}/versions/${old.id}/restore`, undefined, 200);
    expect((await c.request('GET', `/api/nodes/${note.body.id}/content`)).body.toString()).toBe(
      'first draft',
    );

    const reports = await c.resolve('/Documents/Reports');
    const list = await c.json('GET', `/api/nodes/${reports.id}/children`, undefined, 200);
    expect(list.body.items.map((n: any) => `${n.kind}:${n.name}`)).toEqual([
      'folder:2026',
      'file:notes é.txt',
    ]);

    const renamed = await c.json('PATCH', `/api/nodes/${note.body.id}`, { name: 'notes.txt' }, 200);
    expect(renamed.body.name).toBe('notes.txt');
    const moved = await c.json('PATCH', `/api/nodes/${note.body.id}`, { parentId: docs.body.id }, 200);
    expect(moved.body.parentId).toBe(docs.body.id);
    expect((await c.json('GET', `/api/nodes/${note.body.id}`, undefined, 200)).body.path).toBe(
      '/Documents/Reports/2026/notes.txt',
    );
    const cycle = await c.json('PATCH', `/api/nodes/${(await c.resolve('/Documents')).id}`, {
      parentId: docs.body.id,
    });
    expect(cycle.status).toBe(409);
    expect(cycle.body.error.code).toBe('move_into_descendant');

    const usageBefore = (await c.me()).usedBytes;
    const copy = await c.json(
      'POST',
      `/api/nodes/${(await c.resolve('/Documents')).id}/copy`,
      { parentId: c.rootId, name: 'Documents copy' },
      201,
    );
    expect(copy.body.name).toBe('Documents copy');
    const copiedBig = await c.resolve('/Documents copy/big.bin');
    expect(copiedBig.sha256).toBe((await c.resolve('/Documents/big.bin')).sha256);
    expect((await c.me()).usedBytes).toBe(usageBefore + 200 * 1024 * 1024 + 'first draft'.length);

    // Zip of a folder, streamed.
    const zip = await c.request('GET', `/api/nodes/${(await c.resolve('/Documents/Reports')).id}/zip`);
    expect(zip.status).toBe(200);
    expect(zip.headers['content-type']).toBe('application/zip');
    expect(zip.body.subarray(0, 2).toString()).toBe('PK');

    // Delete → trash → restore → delete → purge after the retention period.
    const copyId = copy.body.id;
    await c.json('DELETE', `/api/nodes/${copyId}`, undefined, 204);
    expect((await c.json('GET', `/api/nodes/${copyId}`)).status).toBe(404);
    const trash = await c.json('GET', '/api/trash', undefined, 200);
    expect(trash.body.items.map((i: any) => i.name)).toEqual(['Documents copy']);
    expect(trash.body.items[0].originalPath).toBe('/');
    const restored = await c.json('POST', `/api/trash/${copyId}/restore`, undefined, 200);
    expect(restored.body.path).toBe('/Documents copy');
    expect((await c.resolve('/Documents copy/big.bin')).id).toBe(copiedBig.id);

    await c.json('DELETE', `/api/nodes/${copyId}`, undefined, 204);
    const usageInTrash = (await c.me()).usedBytes;
    expect(usageInTrash).toBe(usageBefore + 200 * 1024 * 1024 + 'first draft'.length);
    server.clock.advance(31 * 24 * 3600_000);
    await server.app.services.scheduler.runNow('trash-purge');
    // A month later the 12-hour session has expired, as it should: sign in again.
    expect((await c.json('GET', '/api/me')).status).toBe(401);
    expect((await c.login('flow.user', 'a long passphrase')).status).toBe(200);
    expect((await c.json('GET', '/api/trash', undefined, 200)).body.items).toHaveLength(0);
    expect((await c.me()).usedBytes).toBe(usageBefore);
    // The original still reads fine: purging the copy released only the copy's references.
    const stillThere = await c.downloadHash(
      `/api/nodes/${(await c.resolve('/Documents/big.bin')).id}/content`,
    );
    expect(stillThere.size).toBe(200 * 1024 * 1024);

    // Sign out: the token stops working.
    await c.json('POST', '/api/auth/logout', undefined, 204);
    expect((await c.json('GET', '/api/me')).status).toBe(401);
  });
});
