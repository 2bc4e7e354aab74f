import { rmSync } from 'node:fs';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../../server/test/helpers/server.js';
import { BIN, loft, onPty, tempHome } from './helpers.js';

const PASSWORD = 'a long passphrase for the cli';

let server: TestServer;
let home: string;

beforeAll(async () => {
  server = await startServer();
  await server.user('dana', { password: PASSWORD });
  home = tempHome();
  const r = await loft(['login', server.url, '-u', 'dana', '--password-stdin'], { home, input: PASSWORD });
  expect(r.code).toBe(0);
});

afterAll(async () => {
  await server?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

const run = (args: string[], env?: Record<string, string>) => loft(args, { home, env });

/** What the API answers to this secret as a Bearer token. */
async function meWith(token: string): Promise<number> {
  const c = server.anonymous();
  c.token = token;
  return (await c.json('GET', '/api/me')).status;
}

describe('loft token', () => {
  let laptop = { id: '', token: '' };

  it('create prints the secret alone, which works as a Bearer token; --json gives id, name and token', async () => {
    const r = await run(['token', 'create', 'laptop drive']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // Only the secret on stdout, so `TOKEN=$(loft token create NAME)` works.
    expect(r.stdout).toMatch(/^loftpat_\S{20,}\n$/);
    const token = r.stdout.trim();
    expect(await meWith(token)).toBe(200);

    const j = await run(['token', 'create', 'rclone on the NAS', '--json']);
    expect(j.code).toBe(0);
    const created = JSON.parse(j.stdout);
    expect(Object.keys(created).sort()).toEqual(['id', 'name', 'token']);
    expect(created.name).toBe('rclone on the NAS');
    expect(await meWith(created.token)).toBe(200);

    const list = JSON.parse((await run(['token', 'ls', '--json'])).stdout) as Array<{
      id: string;
      name: string;
      current: boolean;
    }>;
    laptop = { id: list.find((t) => t.name === 'laptop drive')!.id, token };
    expect(list.map((t) => [t.name, t.current]).sort()).toEqual([
      ['laptop drive', false],
      [`loft CLI on ${os.hostname()}`, true],
      ['rclone on the NAS', false],
    ]);
  });

  it('create says on a terminal that the secret is shown only once', async () => {
    const r = await onPty(`${process.execPath} ${BIN} token create "on a terminal"`, home, home);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^loftpat_\S+\r?\n/);
    expect(r.stdout).toContain('Token "on a terminal" created');
    expect(r.stdout).toContain('it is not shown again');
  });

  it('ls lists id, created, last use and name; * marks the token this device uses', async () => {
    // The server notes a use at most once a minute, the minute after creation included.
    server.clock.advance(61_000);
    expect(await meWith(laptop.token)).toBe(200);
    const r = await run(['token', 'ls']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    const date = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d`;
    const mine = lines.find((l) => l.startsWith('*'))!;
    expect(mine).toMatch(new RegExp(`^\\*\\s+\\S+\\s+created ${date}\\s+used ${date}\\s+loft CLI on `));
    const used = lines.find((l) => l.endsWith('laptop drive'))!;
    expect(used).toMatch(
      new RegExp(`^ \\s+${laptop.id}\\s+created ${date}\\s+used ${date}\\s+laptop drive$`),
    );
    expect(lines.find((l) => l.endsWith('rclone on the NAS'))).toMatch(/\snot used yet\s+rclone on the NAS$/);
  });

  it('revoke by id or by name ends the token at once', async () => {
    const r = await run(['token', 'revoke', laptop.id]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`revoked ${laptop.id} (laptop drive)\n`);
    expect(await meWith(laptop.token)).toBe(401);

    const rclone = JSON.parse((await run(['token', 'ls', '--json'])).stdout).find(
      (t: { name: string }) => t.name === 'rclone on the NAS',
    );
    const byName = await run(['token', 'revoke', 'rclone on the NAS', '--json']);
    expect(byName.code).toBe(0);
    expect(JSON.parse(byName.stdout)).toEqual({ revoked: [rclone.id] });
    const names = JSON.parse((await run(['token', 'ls', '--json'])).stdout).map((t: any) => t.name);
    expect(names.sort()).toEqual([`loft CLI on ${os.hostname()}`, 'on a terminal']);
  });

  it('errors: unknown token, the one in use here, a blank name, no name', async () => {
    const unknown = await run(['token', 'revoke', 'no-such-token']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^loft: not_found: no-such-token: no such token \(see loft token ls\)\n$/);

    // Revoking the token this device uses would strand the stored account: that is `loft logout`.
    const current = JSON.parse((await run(['token', 'ls', '--json'])).stdout).find((t: any) => t.current);
    const own = await run(['token', 'revoke', current.id]);
    expect(own.code).toBe(1);
    expect(own.stderr).toMatch(/^loft: current_token: .*loft logout/);
    expect((await run(['whoami'])).code).toBe(0);

    const blank = await run(['token', 'create', '   ']);
    expect(blank.code).toBe(1);
    expect(blank.stderr).toMatch(/^loft: validation_failed: Give the token a name/);
    expect(blank.stderr.trim().split('\n')).toHaveLength(1);

    const missing = await run(['token', 'create']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^loft: usage: /);
  });
});

describe('loft dav', () => {
  it('prints the WebDAV address and username, and points to `loft token create` for the password', async () => {
    const r = await run(['dav']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n')).toEqual([
      `address   ${server.url}/dav/`,
      'username  dana',
      'password  a personal access token: create one with `loft token create NAME`',
    ]);
    const j = await run(['webdav', '--json']);
    expect(j.code).toBe(0);
    expect(JSON.parse(j.stdout)).toEqual({ url: `${server.url}/dav/`, username: 'dana', server: server.url });
  });

  it('takes the username from the server when the account comes from LOFT_TOKEN', async () => {
    const secret = JSON.parse((await run(['token', 'create', 'env', '--json'])).stdout).token;
    const empty = tempHome();
    try {
      const r = await loft(['dav', '--json'], {
        home: empty,
        env: { LOFT_SERVER: server.url, LOFT_TOKEN: secret },
      });
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout)).toMatchObject({ url: `${server.url}/dav/`, username: 'dana' });
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('a token made with `loft token create` opens the printed address with the printed username', async () => {
    const { url, username } = JSON.parse((await run(['dav', '--json'])).stdout);
    const secret = (await run(['token', 'create', 'file manager'])).stdout.trim();
    const basic = (user: string, pass: string) =>
      `Basic ${Buffer.from(`${user}:${pass}`, 'utf8').toString('base64')}`;
    const propfind = (authorization: string) =>
      server
        .anonymous()
        .request('PROPFIND', new URL(url).pathname, { headers: { depth: '0', authorization } });
    expect((await propfind(basic(username, secret))).status).toBe(207);
    expect((await propfind(basic(username, 'loftpat_not-a-real-token'))).status).toBe(401);
  });
});
