import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from './helpers/files.js';
import type { Client } from './helpers/client.js';
import { dialect, startServer, type TestServer } from './helpers/server.js';

/** A multipart body built by hand, the way a browser's FormData sends it. */
function multipart(files: { name: string; body: Buffer | string; type?: string }[]) {
  const boundary = `----loft${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const f of files) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${f.name}"\r\nContent-Type: ${f.type ?? 'application/octet-stream'}\r\n\r\n`,
      ),
      Buffer.from(f.body),
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}` };
}

describe(`uploads (${dialect})`, () => {
  let server: TestServer;
  let admin: Client;
  beforeAll(async () => {
    server = await startServer();
    admin = await server.user('uploads.admin');
  });
  afterAll(async () => server?.close());

  it('accepts several files in one multipart request and recreates their folders', async () => {
    const c = await server.user();
    const form = multipart([
      { name: 'photos/2026/beach.jpg', body: 'jpeg bytes', type: 'image/jpeg' },
      { name: 'photos/readme.md', body: '# hi' },
      { name: 'top.txt', body: 'top' },
    ]);
    const r = await c.request('POST', `/api/nodes/${c.rootId}/files`, {
      headers: { 'content-type': form.type },
      body: form.body,
    });
    expect(r.status).toBe(201);
    const items = JSON.parse(r.body.toString()).items;
    expect(items.map((i: any) => i.name)).toEqual(['beach.jpg', 'readme.md', 'top.txt']);
    expect(items[0].contentType).toBe('image/jpeg');
    expect(items[1].contentType).toBe('text/markdown');
    expect((await c.resolve('/photos/2026/beach.jpg')).sha256).toBe(sha256('jpeg bytes'));
    expect((await c.me()).usedBytes).toBe('jpeg bytes'.length + '# hi'.length + 3);
  });

  it('handles name conflicts: new version by default, 409 with conflict=fail, a free name with conflict=rename', async () => {
    const c = await server.user();
    expect((await c.upload('/a.txt', 'one')).status).toBe(201);
    const v2 = await c.upload('/a.txt', 'two');
    expect(v2.status).toBe(200);
    const fail = await c.upload('/a.txt', 'three', { query: 'conflict=fail' });
    expect(fail.status).toBe(409);
    expect(fail.body.error.code).toBe('name_conflict');
    const renamed = await c.upload('/a.txt', 'four', { query: 'conflict=rename' });
    expect(renamed.status).toBe(201);
    expect(renamed.body.name).toBe('a (1).txt');
    expect((await c.upload('/a.txt', 'five', { query: 'conflict=rename' })).body.name).toBe('a (2).txt');
    // A folder of that name is never overwritten by a file.
    await c.json('POST', `/api/nodes/${c.rootId}/folders`, { name: 'dir' }, 201);
    expect((await c.upload('/dir', 'x')).status).toBe(409);
    expect((await c.me()).usedBytes).toBe(3 + 3 + 4 + 4);
  });

  it('replaces content with If-Match for optimistic concurrency', async () => {
    const c = await server.user();
    const f = await c.upload('/doc.txt', 'v1');
    const stale = await c.request('PUT', `/api/nodes/${f.body.id}/content`, {
      headers: { 'if-match': `"${sha256('something else')}"`, 'content-type': 'text/plain' },
      body: 'v2',
    });
    expect(stale.status).toBe(412);
    const ok = await c.request('PUT', `/api/nodes/${f.body.id}/content`, {
      headers: { 'if-match': `"${f.body.sha256}"`, 'content-type': 'text/plain' },
      body: 'v2',
    });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body.toString()).sha256).toBe(sha256('v2'));
    expect((await c.json('GET', `/api/nodes/${f.body.id}/versions`, undefined, 200)).body.items).toHaveLength(
      2,
    );
  });

  it('reports quota_exceeded for a multipart file that does not fit, keeping the files before it', async () => {
    const c = await server.user();
    await admin.json('PATCH', `/api/admin/users/${c.user!.id}`, { quotaBytes: 300 * 1024 }, 200);
    const form = multipart([
      { name: 'small.bin', body: Buffer.alloc(100 * 1024, 1) },
      { name: 'big.bin', body: Buffer.alloc(400 * 1024, 2) },
    ]);
    const r = await c.request('POST', `/api/nodes/${c.rootId}/files`, {
      headers: { 'content-type': form.type },
      body: form.body,
    });
    expect(r.status).toBe(507);
    expect(JSON.parse(r.body.toString()).error.code).toBe('quota_exceeded');
    const list = await c.json('GET', `/api/nodes/${c.rootId}/children`, undefined, 200);
    expect(list.body.items.map((i: any) => i.name)).toEqual(['small.bin']);
    expect((await c.me()).usedBytes).toBe(100 * 1024);
  });

  it('answers a refused upload to a client still sending its body, instead of resetting it', async () => {
    const c = await server.user();
    await admin.json('PATCH', `/api/admin/users/${c.user!.id}`, { quotaBytes: 1024 * 1024 }, 200);
    const size = 16 * 1024 * 1024;
    // Streamed in 64 KiB writes, like a program sending a file; the test client says
    // "Connection: close", and the server must still let it finish and read the answer.
    const body = () =>
      Readable.from(
        (function* () {
          for (let sent = 0; sent < size; sent += 64 * 1024) yield Buffer.alloc(64 * 1024, 5);
        })(),
      );
    const headers = { 'content-length': String(size) };
    for (let i = 0; i < 5; i++) {
      const refused = await c.upload(`/big-${i}.bin`, body(), { headers });
      expect(refused.status).toBe(507);
      expect(refused.body.error.code).toBe('quota_exceeded');
      const anonymous = await server.anonymous().upload(`/big-${i}.bin`, body(), { headers });
      expect(anonymous.status).toBe(401);
    }
    expect((await c.me()).usedBytes).toBe(0);
  });

  it('serves user content so it can never run in our origin', async () => {
    const c = await server.user();
    const f = await c.upload('/evil.html', '<script>alert(1)</script>', {
      headers: { 'content-type': 'text/html' },
    });
    const r = await c.request('GET', `/api/nodes/${f.body.id}/content`);
    expect(r.headers['content-disposition']).toMatch(/^attachment;/);
    expect(r.headers['content-security-policy']).toContain('sandbox');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    const svg = await c.upload('/evil.svg', '<svg onload="alert(1)"/>');
    const s = await c.request('GET', `/api/nodes/${svg.body.id}/content`);
    expect(s.headers['content-type']).toBe('image/svg+xml');
    expect(s.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
  });
});
