import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialect, startServer, type TestServer } from './helpers/server.js';

const metric = (text: string, name: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.split(' ').pop()) : NaN;
};

describe(`operations endpoints (${dialect})`, () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => server?.close());

  it('answers health and readiness', async () => {
    const c = server.anonymous();
    expect((await c.json('GET', '/healthz', undefined, 200)).body.status).toBe('ok');
    expect((await c.json('GET', '/readyz', undefined, 200)).body.status).toBe('ready');
  });

  it('exports Prometheus metrics that move with the traffic, including dedup savings', async () => {
    const a = await server.user();
    const b = await server.user();
    const before = (await a.request('GET', '/metrics')).body.toString();
    expect(before).toContain('loft_http_request_duration_seconds_bucket');
    const body = Buffer.alloc(300 * 1024, 7);
    await a.upload('/same.bin', body);
    await b.upload('/same.bin', body);
    await a.request('GET', `/api/nodes/${(await a.resolve('/same.bin')).id}/content`);
    const after = (await a.request('GET', '/metrics')).body.toString();
    expect(metric(after, 'loft_uploads_total') - (metric(before, 'loft_uploads_total') || 0)).toBe(2);
    expect(
      metric(after, 'loft_dedup_saved_bytes_total') - (metric(before, 'loft_dedup_saved_bytes_total') || 0),
    ).toBe(body.length);
    expect(metric(after, 'loft_http_bytes_in_total')).toBeGreaterThanOrEqual(2 * body.length);
    expect(metric(after, 'loft_http_bytes_out_total')).toBeGreaterThanOrEqual(body.length);
    expect(metric(after, 'loft_stored_bytes')).toBe(body.length);
  });

  it('publishes an OpenAPI 3.1 document and browsable docs', async () => {
    const c = server.anonymous();
    const doc = (await c.json('GET', '/api/openapi.json', undefined, 200)).body;
    expect(doc.openapi).toBe('3.1.0');
    for (const p of [
      '/api/auth/login',
      '/api/nodes/{id}/children',
      '/api/files',
      '/api/trash',
      '/api/nodes/{id}/zip',
    ]) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
    expect(doc.paths['/api/auth/register'].post.requestBody).toBeDefined();
    expect(doc.paths['/healthz']).toBeUndefined();
    const html = await c.request('GET', '/api/docs/');
    expect(html.status).toBe(200);
    expect(html.body.toString()).toMatch(/swagger/i);
  });

  it('reports not ready while shutting down and finishes in-flight requests', async () => {
    const other = await startServer();
    try {
      const c = await other.user();
      const body = new PassThrough();
      const slow = c.upload('/slow.bin', body, { chunked: true });
      body.write(Buffer.alloc(64 * 1024, 3));
      await new Promise((r) => setTimeout(r, 300));
      const closing = other.app.close();
      await new Promise((r) => setTimeout(r, 100));
      // While draining, new clients are told to go elsewhere.
      const probe = await other
        .anonymous()
        .request('GET', '/readyz')
        .catch(() => ({ status: 503 }));
      expect(probe.status).toBe(503);
      body.end(Buffer.alloc(64 * 1024, 4));
      const r = await slow;
      expect(r.status).toBe(201);
      expect(r.body.size).toBe(128 * 1024);
      await closing;
    } finally {
      await other.close().catch(() => undefined);
    }
  });
});
