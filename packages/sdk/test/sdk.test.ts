import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../../server/test/helpers/server.js';
import { createLoftClient, LoftApiError, unwrap } from '../src/index.js';
import { renderSdkSources } from '../scripts/render.js';

describe('generated sources', () => {
  it('match the server routes (run `npm run generate -w @loft/sdk` after changing a route)', async () => {
    const { json, types } = await renderSdkSources();
    expect(readFileSync(new URL('../openapi.json', import.meta.url), 'utf8')).toBe(json);
    expect(readFileSync(new URL('../src/schema.ts', import.meta.url), 'utf8')).toBe(types);
  });
});

describe('client against a real server', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server.close());

  it('logs in with a token, lists, and turns error bodies into LoftApiError', async () => {
    const anon = createLoftClient({ baseUrl: server.url });
    await unwrap(
      anon.POST('/api/auth/register', {
        body: { username: 'sdkuser', email: 'sdk@example.org', password: 'correct horse battery' },
      }),
    );
    const login = await unwrap(
      anon.POST('/api/auth/login', { body: { login: 'sdkuser', password: 'correct horse battery' } }),
    );
    const api = createLoftClient({ baseUrl: server.url, token: login.token });
    const me = await unwrap(api.GET('/api/me'));
    expect(me.user.username).toBe('sdkuser');
    const folder = await unwrap(
      api.POST('/api/nodes/{id}/folders', {
        params: { path: { id: me.user.rootId } },
        body: { name: 'Docs' },
      }),
    );
    const page = await unwrap(
      api.GET('/api/nodes/{id}/children', {
        params: { path: { id: me.user.rootId }, query: { sort: 'name' } },
      }),
    );
    expect(page.items.map((n) => n.name)).toEqual(['Docs']);
    expect(folder.kind).toBe('folder');

    const dup = await unwrap(
      api.POST('/api/nodes/{id}/folders', {
        params: { path: { id: me.user.rootId } },
        body: { name: 'Docs' },
      }),
    ).catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(LoftApiError);
    expect((dup as LoftApiError).status).toBe(409);
    expect((dup as LoftApiError).code).toBe('name_conflict');

    const bad = await unwrap(
      anon.POST('/api/auth/register', { body: { username: 'sdkuser', email: 'x', password: 'short' } }),
    ).then(
      () => {
        throw new Error('expected a refusal');
      },
      (e: unknown) => e as LoftApiError,
    );
    expect(Object.keys(bad.fields).sort()).toEqual(['email', 'password']);
  });

  it('reports an unreachable server as network_error', async () => {
    const api = createLoftClient({ baseUrl: 'http://127.0.0.1:9' });
    const e = await unwrap(api.GET('/api/me')).then(
      () => {
        throw new Error('expected a refusal');
      },
      (x: unknown) => x as LoftApiError,
    );
    expect(e.code).toBe('network_error');
    expect(e.status).toBe(0);
  });
});
