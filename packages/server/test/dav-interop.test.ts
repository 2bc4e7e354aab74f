/**
 * WebDAV interoperability: real third-party clients (Debian's litmus, rclone and cadaver) against
 * a real server on a free port, signing in with HTTP Basic and a personal access token, and what
 * they did checked through the REST API. The clients are required, never skipped: CI installs
 * them (.ci/run), and a missing one fails with how to install it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from './helpers/client.js';
import {
  cadaverScenario,
  davRequest,
  LITMUS_SUITES,
  rcloneScenario,
  requireTool,
  runLitmus,
  type DavTarget,
  type ServerView,
} from './helpers/dav-clients.js';
import { dialect, startServer, type TestServer } from './helpers/server.js';

/** Loft's own view of a user's tree, through the REST API: paths are from their root folder. */
function restView(c: Client): ServerView {
  const resolve = async (rel: string): Promise<{ id: string; kind: 'file' | 'folder' } | null> => {
    const r = await c.json('GET', `/api/resolve?path=${encodeURIComponent(`/${rel}`)}`);
    if (r.status === 404) return null;
    expect(r.status, `GET /api/resolve?path=/${rel}: ${JSON.stringify(r.body)}`).toBe(200);
    return r.body;
  };
  const existing = async (rel: string) => {
    const node = await resolve(rel);
    expect(node, `no item at /${rel}`).not.toBeNull();
    return node!;
  };
  return {
    async read(rel) {
      const node = await resolve(rel);
      if (node?.kind !== 'file') return null;
      const r = await c.request('GET', `/api/nodes/${node.id}/content`);
      expect(r.status, `GET the content of /${rel}`).toBe(200);
      return r.body;
    },
    async kind(rel) {
      return (await resolve(rel))?.kind ?? null;
    },
    async write(rel, bytes) {
      const r = await c.upload(`/${rel}`, bytes);
      expect([200, 201], `PUT /api/files?path=/${rel}: ${r.status} ${JSON.stringify(r.body)}`).toContain(
        r.status,
      );
    },
    async rename(rel, name) {
      await c.json('PATCH', `/api/nodes/${(await existing(rel)).id}`, { name }, 200);
    },
    async move(rel, parentRel) {
      const parentId = (await existing(parentRel)).id;
      await c.json('PATCH', `/api/nodes/${(await existing(rel)).id}`, { parentId }, 200);
    },
    async remove(rel) {
      await c.json('DELETE', `/api/nodes/${(await existing(rel)).id}`, undefined, 204);
    },
    async trashed() {
      const paths: string[] = [];
      let cursor: string | null = null;
      do {
        const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
        const page = await c.json('GET', `/api/trash?limit=1000${q}`, undefined, 200);
        for (const item of page.body.items) {
          paths.push(`${item.originalPath.replace(/\/+$/, '')}/${item.name}`.replace(/^\/+/, ''));
        }
        cursor = page.body.nextCursor;
      } while (cursor);
      return paths;
    },
  };
}

describe(`WebDAV interop with litmus, rclone and cadaver (${dialect})`, () => {
  let server: TestServer;
  const dirs: string[] = [];
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const workDir = (label: string): string => {
    const d = mkdtempSync(path.join(os.tmpdir(), `loft-dav-${label}-`));
    dirs.push(d);
    return d;
  };

  /** A new user, signed in, with a personal access token for WebDAV. */
  async function davUser(name: string): Promise<{ c: Client; token: string }> {
    const c = await server.user(name);
    const t = await c.json('POST', '/api/auth/tokens', { name: 'dav' }, 201);
    expect(t.body.token).toEqual(expect.any(String));
    return { c, token: t.body.token };
  }

  it('litmus: the basic, copymove, props, locks and http suites all pass', async () => {
    requireTool('litmus');
    const { c, token } = await davUser('litmus-user');
    const target: DavTarget = { url: `${server.url}/dav/`, user: c.user!.username, pass: token };

    // Clients send credentials after a challenge: a wrong token gets 401 with a Basic challenge.
    const refused = await davRequest({ ...target, pass: 'not-the-token' }, 'PROPFIND', '', {
      headers: { depth: '0' },
    });
    expect(refused.status).toBe(401);
    expect(refused.headers['www-authenticate']).toMatch(/^Basic /i);

    const { result, report, output } = await runLitmus(target, workDir('litmus'));
    const detail = `litmus failed:\n${report.problems.join('\n')}\n\n--- full output ---\n${output}`;
    console.log(
      [...report.suites.values()]
        .map((s) => `litmus ${s.name}: ${s.passed}/${s.run} passed, ${s.failed} failed, ${s.skipped} skipped`)
        .concat(report.warnings.map((w) => `litmus warning: ${w}`))
        .join('\n'),
    );
    expect(result.timedOut, detail).toBe(false);
    expect(report.problems, detail).toEqual([]);
    for (const name of LITMUS_SUITES) {
      const suite = report.suites.get(name);
      expect(suite, `suite ${name} did not run\n${detail}`).toBeDefined();
      expect(suite!.failed, detail).toBe(0);
      expect(suite!.skipped, detail).toBe(0);
      expect(suite!.passed, detail).toBe(suite!.run);
      expect(suite!.percent, detail).toBe(100);
    }
    expect(result.code, detail).toBe(0);

    const health = await server.anonymous().json('GET', '/healthz');
    expect(health.status).toBe(200);
  }, 180_000);

  it('rclone: copy, sync up, sync down and check 1,000 files with awkward names', async () => {
    requireTool('rclone');
    const { c, token } = await davUser('rclone-user');
    const target: DavTarget = { url: `${server.url}/dav/`, user: c.user!.username, pass: token };
    const started = Date.now();
    await rcloneScenario(target, restView(c), workDir('rclone'), {
      count: 1000,
      large: 5,
      log: (m) => console.log(m),
    });
    console.log(`rclone: the whole scenario took ${Date.now() - started} ms`);
  }, 300_000);

  it('cadaver: a scripted session with the username in the URL', async () => {
    requireTool('cadaver');
    const { c, token } = await davUser('cadaver-user');
    const user = c.user!.username;
    const target: DavTarget = { url: `${server.url}/dav/${user}/`, user, pass: token };
    await cadaverScenario(target, restView(c), workDir('cadaver'), (m) => console.log(m));
    // The same file through the URL without the name, signed in with the token as a bearer.
    const viaRoot = await c.request('GET', '/dav/cad/copy.txt', {
      auth: false,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(viaRoot.status).toBe(200);
    expect(viaRoot.body.toString()).toBe('hello from cadaver\n');
  }, 120_000);
});
