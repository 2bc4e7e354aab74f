import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_CSP } from '../src/http/web-app.js';
import { dialect, startServer, type TestServer } from './helpers/server.js';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** Sends exactly the path given: no URL normalization, so "%2e%2e" and "/../" reach the server as they are. */
function raw(base: string, method: string, rawPath: string, headers: Record<string, string> = {}) {
  const url = new URL(base);
  return new Promise<Answer>((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, method, path: rawPath, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(chunks).toString() }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const INDEX =
  '<!doctype html><html><head><script type="module" src="/assets/app-abc123.js"></script></head><body><div id="root"></div></body></html>\n';
const APP_JS = 'console.log("loft");\n';
const CSS = 'body { margin: 0 }\n';
const SW = 'self.addEventListener("fetch", () => {});\n';
const MANIFEST = '{"name":"Loft","start_url":"/"}\n';
const ICON = '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"></svg>\n';
const SECRET = 'TOP SECRET, outside the web directory\n';

function expectHtmlHeaders(a: Answer, where: string) {
  expect(a.headers['content-type'], where).toBe('text/html; charset=utf-8');
  expect(a.headers['content-security-policy'], where).toBe(WEB_CSP);
  expect(a.headers['x-content-type-options'], where).toBe('nosniff');
  expect(a.headers['referrer-policy'], where).toBe('same-origin');
  expect(a.headers['x-frame-options'], where).toBe('DENY');
}

function expectIndex(a: Answer, where: string) {
  expect(a.status, where).toBe(200);
  expect(a.text, where).toBe(INDEX);
  expectHtmlHeaders(a, where);
  expect(a.headers['cache-control'], where).toBe('no-cache');
}

function expectJson404(a: Answer, where: string) {
  expect(a.status, where).toBe(404);
  expect(a.headers['content-type'], where).toBe('application/json; charset=utf-8');
  expect(JSON.parse(a.text).error.code, where).toBe('not_found');
}

describe(`web app (${dialect})`, () => {
  let server: TestServer;
  let tmp: string;
  let webDir: string;

  beforeAll(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'loft-web-'));
    webDir = path.join(tmp, 'dist');
    mkdirSync(path.join(webDir, 'assets'), { recursive: true });
    writeFileSync(path.join(webDir, 'index.html'), INDEX);
    writeFileSync(path.join(webDir, 'assets', 'app-abc123.js'), APP_JS);
    writeFileSync(path.join(webDir, 'assets', 'style-def456.css'), CSS);
    writeFileSync(path.join(webDir, 'sw.js'), SW);
    writeFileSync(path.join(webDir, 'manifest.webmanifest'), MANIFEST);
    writeFileSync(path.join(webDir, 'icon.svg'), ICON);
    writeFileSync(path.join(webDir, '.env'), SECRET);
    // Beside the web directory, with a name that starts like it, and linked from inside it.
    writeFileSync(path.join(tmp, 'secret.txt'), SECRET);
    mkdirSync(path.join(tmp, 'dist-private'));
    writeFileSync(path.join(tmp, 'dist-private', 'secret.txt'), SECRET);
    symlinkSync(path.join(tmp, 'secret.txt'), path.join(webDir, 'link.txt'));
    symlinkSync(tmp, path.join(webDir, 'assets', 'up'));
    server = await startServer({ LOFT_WEB_DIR: webDir });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('serves the built files with their types, nosniff, and long caching for hashed assets only', async () => {
    const cases: [string, string, string, string][] = [
      [
        '/assets/app-abc123.js',
        APP_JS,
        'text/javascript; charset=utf-8',
        'public, max-age=31536000, immutable',
      ],
      ['/assets/style-def456.css', CSS, 'text/css; charset=utf-8', 'public, max-age=31536000, immutable'],
      ['/sw.js', SW, 'text/javascript; charset=utf-8', 'no-cache'],
      ['/manifest.webmanifest', MANIFEST, 'application/manifest+json', 'no-cache'],
      ['/icon.svg', ICON, 'image/svg+xml', 'no-cache'],
    ];
    for (const [p, body, type, cache] of cases) {
      const a = await raw(server.url, 'GET', p);
      expect(a.status, p).toBe(200);
      expect(a.text, p).toBe(body);
      expect(a.headers['content-type'], p).toBe(type);
      expect(a.headers['cache-control'], p).toBe(cache);
      expect(a.headers['x-content-type-options'], p).toBe('nosniff');
      expect(a.headers['content-length'], p).toBe(String(Buffer.byteLength(body)));
      // Not HTML: no page policy needed.
      expect(a.headers['content-security-policy'], p).toBeUndefined();

      const head = await raw(server.url, 'HEAD', p);
      expect(head.status, p).toBe(200);
      expect(head.text, p).toBe('');
      expect(head.headers['content-length'], p).toBe(String(Buffer.byteLength(body)));
      expect(head.headers['content-type'], p).toBe(type);
      expect(head.headers['cache-control'], p).toBe(cache);
    }
    expectIndex(await raw(server.url, 'GET', '/'), '/');
    expectIndex(await raw(server.url, 'GET', '/index.html'), '/index.html');
    const head = await raw(server.url, 'HEAD', '/');
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    expect(head.headers['content-length']).toBe(String(Buffer.byteLength(INDEX)));
    expectHtmlHeaders(head, 'HEAD /');
  });

  it('answers 304 to a matching If-None-Match', async () => {
    for (const p of ['/', '/sw.js', '/assets/app-abc123.js', '/files/deep/link']) {
      const first = await raw(server.url, 'GET', p);
      const etag = first.headers.etag!;
      expect(etag, p).toMatch(/^W\/".+"$/);
      const again = await raw(server.url, 'GET', p, { 'if-none-match': etag });
      expect(again.status, p).toBe(304);
      expect(again.text, p).toBe('');
      const stale = await raw(server.url, 'GET', p, { 'if-none-match': 'W/"0-0"' });
      expect(stale.status, p).toBe(200);
    }
  });

  it('answers index.html to every other GET or HEAD outside /api/, for client-side routes', async () => {
    for (const p of [
      '/files/a/b',
      '/files',
      '/files/',
      '/trash',
      '/signin',
      '/settings?tab=tokens',
      `/files/${encodeURIComponent('My Docs')}/${encodeURIComponent('résumé (1).pdf')}`,
      '/files/a%5Cb',
      '/assets',
      '/sw.js/extra',
      '/apis',
      '/healthzz',
      '/metrics-dashboard',
      '/%E0%A4%A',
    ]) {
      const a = await raw(server.url, 'GET', p);
      if (p === '/%E0%A4%A') {
        // A URL that does not decode is refused before routing, like everywhere else.
        expect(a.status).toBe(400);
        continue;
      }
      expectIndex(a, p);
      const head = await raw(server.url, 'HEAD', p);
      expect(head.status, p).toBe(200);
      expect(head.text, p).toBe('');
    }
    // Whatever credentials come along, the page itself loads: the app signs in through the API.
    const viewer = await server.user();
    const credentials: Record<string, string>[] = [
      { authorization: `Bearer ${viewer.token}` },
      { cookie: viewer.cookie! },
      { authorization: 'Bearer loft_forged_token_forged_token_forged' },
      { cookie: 'loft_session=garbage' },
    ];
    for (const headers of credentials) {
      expectIndex(await raw(server.url, 'GET', '/files/x', headers), JSON.stringify(headers));
    }
  });

  it('keeps the JSON 404 for unknown API paths, missing assets and other methods', async () => {
    for (const p of [
      '/api',
      '/api/',
      '/api/nope',
      '/api/nodes/00000000-0000-0000-0000-000000000000/nothing',
      '/API/nope',
      '/%61pi/nope',
      '/healthz/extra',
      '/metrics/x',
      '/assets/app-000000.js',
      '/assets/nested/missing.css',
    ]) {
      expectJson404(await raw(server.url, 'GET', p), `GET ${p}`);
      const head = await raw(server.url, 'HEAD', p);
      expect(head.status, `HEAD ${p}`).toBe(404);
    }
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      for (const p of ['/', '/files/a', '/index.html', '/assets/app-abc123.js']) {
        expectJson404(await raw(server.url, method, p), `${method} ${p}`);
      }
    }
    // The operational endpoints are unchanged.
    expect(JSON.parse((await raw(server.url, 'GET', '/healthz')).text)).toEqual({ status: 'ok' });
    expect(JSON.parse((await raw(server.url, 'GET', '/readyz')).text)).toEqual({ status: 'ready' });
    expect((await raw(server.url, 'GET', '/metrics')).text).toContain('# HELP');
    expect((await raw(server.url, 'GET', '/api/openapi.json')).status).toBe(200);
  });

  it('never serves anything outside the web directory', async () => {
    const attempts = [
      '/..%2f..%2fetc/passwd',
      '/..%2F..%2F..%2F..%2Fetc%2Fpasswd',
      '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/../../../../etc/passwd',
      '/../secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/assets/../../secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '/..%5csecret.txt',
      '/assets/..%5c..%5csecret.txt',
      '/..%252f..%252fsecret.txt',
      '/%2fetc%2fpasswd',
      '//etc/passwd',
      '/%2F%2Fetc%2Fpasswd',
      '/../dist-private/secret.txt',
      '/..%2fdist-private%2fsecret.txt',
      '/link.txt',
      '/assets/up/secret.txt',
      '/.env',
      '/%2eenv',
      '/index.html%00',
      '/index.html%00.js',
      '/assets/app-abc123.js%00.html',
      '/%00',
      '/%00/../secret.txt',
      '/secret.txt%00/../index.html',
      '/%c0%ae%c0%ae/secret.txt',
      '/%c0%ae%c0%ae%c0%afsecret.txt',
      `/${'..%2f'.repeat(40)}etc/passwd`,
    ];
    for (const p of attempts) {
      for (const method of ['GET', 'HEAD']) {
        const a = await raw(server.url, method, p);
        const where = `${method} ${p}`;
        expect(a.text, where).not.toContain('TOP SECRET');
        expect(a.text, where).not.toContain('root:');
        expect([200, 400, 404], `${where}: ${a.status}`).toContain(a.status);
        // Whatever answers 200 is the app's page, never another file.
        if (a.status === 200) {
          expect(a.headers['content-type'], where).toBe('text/html; charset=utf-8');
          if (method === 'GET') expect(a.text, where).toBe(INDEX);
        }
      }
    }
    // Still serving.
    expect((await raw(server.url, 'GET', '/assets/app-abc123.js')).text).toBe(APP_JS);
  });
});

describe(`web app not built (${dialect})`, () => {
  let server: TestServer;
  let webDir: string;

  beforeAll(async () => {
    webDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'loft-web-')), 'missing', 'dist');
    server = await startServer({ LOFT_WEB_DIR: webDir });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(path.dirname(path.dirname(webDir)), { recursive: true, force: true });
  });

  it('starts, and answers a 503 page that says how to build the app', async () => {
    for (const p of ['/', '/files/a/b', '/index.html', '/signin']) {
      const a = await raw(server.url, 'GET', p);
      expect(a.status, p).toBe(503);
      expectHtmlHeaders(a, p);
      expect(a.headers['cache-control'], p).toBe('no-store');
      expect(a.text, p).toContain('npm run build');
      expect(a.text, p).toMatch(/^<!doctype html>/);
      // Self-contained: nothing to load, and nothing the policy would block.
      expect(a.text, p).not.toMatch(/<script|<link|<style|style=/);
      expect(a.text, p).not.toContain(webDir);
      const head = await raw(server.url, 'HEAD', p);
      expect(head.status, p).toBe(503);
      expect(head.text, p).toBe('');
    }
    expectJson404(await raw(server.url, 'GET', '/api/nope'), '/api/nope');
    expectJson404(await raw(server.url, 'GET', '/assets/app-abc123.js'), '/assets/app-abc123.js');
    expect((await raw(server.url, 'GET', '/healthz')).status).toBe(200);
    const c = await server.user();
    expect((await c.json('GET', '/api/me')).status).toBe(200);
  });

  it('serves the app as soon as it is built, without a restart', async () => {
    mkdirSync(path.join(webDir, 'assets'), { recursive: true });
    writeFileSync(path.join(webDir, 'index.html'), INDEX);
    writeFileSync(path.join(webDir, 'assets', 'app-abc123.js'), APP_JS);
    expectIndex(await raw(server.url, 'GET', '/files/a/b'), 'after build');
    expect((await raw(server.url, 'GET', '/assets/app-abc123.js')).text).toBe(APP_JS);
  });
});
