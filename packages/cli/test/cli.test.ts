import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../../server/test/helpers/server.js';
import { spawn } from 'node:child_process';
import { BIN, envFor, loft, onPty, sameBytes, sha256, tempHome, writeBigFile } from './helpers.js';

const PASSWORD = 'a long passphrase for the cli';
const MiB = 1024 * 1024;

let server: TestServer;
let home: string;
let work: string;
let tokenBeforeLogout = '';
const seen: Array<{ method: string; url: string; range?: string; ifRange?: string }> = [];

beforeAll(async () => {
  server = await startServer();
  // Watch the requests the binary sends (to see its Range headers); the server is unchanged.
  server.app.http.server.on('request', (req) =>
    seen.push({
      method: req.method ?? '',
      url: req.url ?? '',
      range: req.headers.range,
      ifRange: req.headers['if-range'] as string | undefined,
    }),
  );
  await server.user('alice', { password: PASSWORD });
  await server.user('bob', { password: PASSWORD });
  home = tempHome();
  work = tempHome();
});

afterAll(async () => {
  await server?.close();
  for (const d of [home, work]) if (d) rmSync(d, { recursive: true, force: true });
});

const run = (args: string[], input?: string) => loft(args, { home, input, cwd: work });

describe('accounts', () => {
  it('logs in with the password on stdin and stores only a token, mode 0600', async () => {
    const r = await run(['login', server.url, '--username', 'alice', '--password-stdin'], PASSWORD + '\n');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('as alice');

    const dir = path.join(home, 'loft');
    const db = path.join(dir, 'loft.db');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(db).mode & 0o777).toBe(0o600);
    // The password is nowhere in the config dir.
    for (const f of readdirSync(dir)) {
      const bytes = readFileSync(path.join(dir, f));
      expect(bytes.includes(Buffer.from(PASSWORD))).toBe(false);
    }
    const rows = new Database(db, { readonly: true }).prepare('SELECT * FROM accounts').all() as any[];
    expect(rows).toHaveLength(1);
    expect(rows[0].username).toBe('alice');
    expect(rows[0].token).toBeTruthy();

    // A personal access token named after the device; the login session was closed again.
    const alice = server.anonymous();
    alice.token = rows[0].token;
    const tokens = await alice.json('GET', '/api/auth/tokens', undefined, 200);
    expect(tokens.body.items).toHaveLength(1);
    expect(tokens.body.items[0].name).toBe(`loft CLI on ${os.hostname()}`);
    expect(tokens.body.items[0].current).toBe(true);
  });

  it('on a terminal, asks for the username and reads the password without echoing it', async () => {
    await server.user('carol', { password: PASSWORD });
    const termHome = tempHome();
    try {
      const child = spawn('script', ['-qfec', `node ${BIN} login ${server.url}`, '/dev/null'], {
        cwd: work,
        env: envFor(termHome, { TERM: 'xterm' }),
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let screen = '';
      const sent = { user: false, password: false };
      // Answer each prompt once it is on the screen, as a person would.
      child.stdout.on('data', (d: Buffer) => {
        screen += d.toString();
        if (!sent.user && screen.includes('Username or email: ')) {
          sent.user = true;
          child.stdin.write('carol\r');
        }
        if (!sent.password && screen.includes('Password: ')) {
          sent.password = true;
          child.stdin.write(`${PASSWORD}\r`);
        }
      });
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(code).toBe(0);
      expect(screen).toContain('carol');
      expect(screen).toContain('as carol');
      // The terminal never showed the password.
      expect(screen).not.toContain(PASSWORD);
    } finally {
      rmSync(termHome, { recursive: true, force: true });
    }
  });

  it('uses the stored token silently on the next command', async () => {
    const r = await run(['whoami']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/user\s+alice/);
    expect(r.stdout).toContain(server.url);
    expect(r.stdout).toMatch(/usage\s+0 B of 1\.0 GiB/);
    const j = JSON.parse((await run(['whoami', '--json'])).stdout);
    expect(j).toMatchObject({ username: 'alice', server: server.url, usedBytes: 0 });
  });

  it('keeps several accounts; the last login is the default and --account picks one', async () => {
    const r = await run(['login', server.url, '-u', 'bob'], `${PASSWORD}\n`);
    expect(r.code).toBe(0);
    const list = JSON.parse((await run(['accounts', '--json'])).stdout);
    const host = server.url.replace('http://', '');
    expect(list.map((a: any) => [a.account, a.default])).toEqual([
      [`bob@${host}`, true],
      [`alice@${host}`, false],
    ]);
    expect((await run(['whoami', '--json'])).stdout).toContain('"username": "bob"');
    const a = await run(['--account', `alice@${host}`, 'whoami', '--json']);
    expect(JSON.parse(a.stdout).username).toBe('alice');
    // Log in as alice again: she is the default from now on.
    expect((await run(['login', server.url, '-u', 'alice'], `${PASSWORD}\n`)).code).toBe(0);
    expect(JSON.parse((await run(['whoami', '--json'])).stdout).username).toBe('alice');
  });

  it('refuses a wrong password with the server code', async () => {
    const r = await run(['login', server.url, '-u', 'alice', '--password-stdin'], 'wrong password!!\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^loft: invalid_credentials: /);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('register prints the sign-up address when there is no browser', async () => {
    const r = await loft(['register', server.url], { home, env: { LOFT_NO_BROWSER: '1' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${server.url}/signup`);
  });
});

describe('files', () => {
  it('mkdir, ls, mv, cp, stat, versions', async () => {
    expect((await run(['mkdir', '-p', 'docs/2024/q1'])).code).toBe(0);
    expect((await run(['mkdir', '-p', 'docs/2024'])).code).toBe(0);
    const dup = await run(['mkdir', 'docs']);
    expect(dup.code).toBe(1);
    writeFileSync(path.join(work, 'note.txt'), 'hello');
    expect((await run(['put', 'note.txt', 'docs'])).code).toBe(0);
    writeFileSync(path.join(work, 'note.txt'), 'hello again');
    expect((await run(['put', 'note.txt', 'docs'])).code).toBe(0);

    const ls = await run(['ls', 'docs']);
    expect(ls.code).toBe(0);
    const lines = ls.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^d\s+-\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+2024\/$/);
    expect(lines[1]).toMatch(/^-\s+11 B\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+note\.txt$/);
    const rec = await run(['ls', '-r', '/docs']);
    expect(rec.stdout).toContain('2024/q1/');

    expect((await run(['mv', 'docs/note.txt', 'docs/2024'])).code).toBe(0);
    expect((await run(['cp', 'docs/2024/note.txt', 'docs/copy.txt'])).code).toBe(0);
    expect((await run(['mv', 'docs/copy.txt', 'docs/renamed.txt'])).code).toBe(0);
    const st = JSON.parse((await run(['stat', '--json', 'docs/renamed.txt'])).stdout);
    expect(st).toMatchObject({ path: '/docs/renamed.txt', kind: 'file', size: 11 });
    const v = await run(['versions', 'docs/2024/note.txt', '--json']);
    expect(JSON.parse(v.stdout).map((x: any) => x.size)).toEqual([11, 5]);
  });

  it('rm puts things in the trash, and trash restore brings them back', async () => {
    expect((await run(['rm', 'docs/renamed.txt'])).code).toBe(0);
    expect((await run(['stat', 'docs/renamed.txt'])).code).toBe(1);
    const t = await run(['trash', 'ls']);
    expect(t.stdout).toMatch(/-\s+11 B\s+trashed .*\/docs\/renamed\.txt/);
    const r = await run(['trash', 'restore', 'renamed.txt']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('restored /docs/renamed.txt');
    expect((await run(['stat', 'docs/renamed.txt'])).code).toBe(0);
    expect((await run(['trash', 'ls', '--json'])).stdout.trim()).toBe('[]');
    // Purging without naming items wants a confirmation.
    expect((await run(['trash', 'purge'])).code).toBe(2);
  });

  it('errors: one line with the code, exit 1; bad usage exits 2', async () => {
    const nf = await run(['stat', 'no/such/thing']);
    expect(nf.code).toBe(1);
    expect(nf.stderr).toMatch(/^loft: not_found: .*\n$/);
    const nf2 = await run(['ls', '/nope']);
    expect(nf2.code).toBe(1);
    expect(nf2.stderr).toContain('loft: not_found');
    for (const args of [['frobnicate'], ['ls', '--bogus'], ['mv', 'only-one'], ['put', 'x']]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^loft: usage: /);
    }
    const help = await run(['put', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('LOCAL... REMOTE_DIR');
  });
});

describe('transfers', () => {
  const tree = () => path.join(work, 'tree');
  const big = () => path.join(work, 'big.bin');

  it('puts a directory tree and a 100 MiB file, then gets them back byte for byte', async () => {
    mkdirSync(path.join(tree(), 'sub', 'deeper'), { recursive: true });
    mkdirSync(path.join(tree(), 'empty'));
    writeFileSync(path.join(tree(), 'a.txt'), 'hello world\n');
    writeFileSync(path.join(tree(), 'zero.bin'), '');
    writeBigFile(path.join(tree(), 'sub', 'one.bin'), MiB + 3);
    writeBigFile(path.join(tree(), 'sub', 'deeper', 'five.bin'), 5 * MiB - 1);
    writeBigFile(big(), 100 * MiB);

    const up = await run(['put', 'tree', 'big.bin', 'backup']);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    // Not a terminal: plain lines, nothing else.
    const lines = up.stdout.trim().split('\n').sort();
    expect(lines).toEqual([
      'uploaded backup/big.bin (100 MiB, 104857600 bytes)',
      'uploaded backup/tree/a.txt (12 bytes)',
      'uploaded backup/tree/sub/deeper/five.bin (5.0 MiB, 5242879 bytes)',
      'uploaded backup/tree/sub/one.bin (1.0 MiB, 1048579 bytes)',
      'uploaded backup/tree/zero.bin (0 bytes)',
    ]);
    console.log(`put 106 MiB: ${up.ms} ms`);

    const out = path.join(work, 'out');
    const down = await run(['get', 'backup', 'out']);
    expect(down.stderr).toBe('');
    expect(down.code).toBe(0);
    expect(down.stdout).toContain('downloaded backup/big.bin (100 MiB, 104857600 bytes)');
    console.log(`get 106 MiB: ${down.ms} ms`);
    for (const f of ['a.txt', 'zero.bin', 'sub/one.bin', 'sub/deeper/five.bin'])
      expect(sameBytes(path.join(tree(), f), path.join(out, 'backup', 'tree', f)), f).toBe(true);
    expect(sameBytes(big(), path.join(out, 'backup', 'big.bin'))).toBe(true);
    expect(existsSync(path.join(out, 'backup', 'tree', 'empty'))).toBe(true);
    expect(readdirSync(path.join(out, 'backup')).filter((f) => f.endsWith('.part'))).toEqual([]);
  });

  it('skips unchanged files on a second put', async () => {
    writeFileSync(path.join(tree(), 'a.txt'), 'hello there\n');
    const again = await run(['put', 'tree', 'big.bin', 'backup', '--json']);
    expect(again.code).toBe(0);
    const res = JSON.parse(again.stdout) as Array<{ path: string; status: string }>;
    const byPath = Object.fromEntries(res.map((r) => [r.path, r.status]));
    expect(byPath).toEqual({
      '/backup/big.bin': 'skipped',
      '/backup/tree/a.txt': 'uploaded',
      '/backup/tree/zero.bin': 'skipped',
      '/backup/tree/sub/one.bin': 'skipped',
      '/backup/tree/sub/deeper/five.bin': 'skipped',
    });
    const plain = await run(['put', 'tree', 'backup']);
    expect(plain.stdout).not.toContain('uploaded');
    expect(plain.stdout).toContain('unchanged backup/tree/sub/one.bin');
  });

  it('resumes an interrupted download with Range and checks the SHA-256', async () => {
    const dir = path.join(work, 'resume');
    mkdirSync(dir);
    // What an interrupted run leaves behind: the first 40 MiB in big.bin.part.
    const part = readFileSync(big()).subarray(0, 40 * MiB);
    writeFileSync(path.join(dir, 'big.bin.part'), part);
    seen.length = 0;
    const r = await run(['get', 'backup/big.bin', 'resume']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const content = seen.filter((s) => s.method === 'GET' && s.url.includes('/content'));
    expect(content).toHaveLength(1);
    expect(content[0]!.range).toBe(`bytes=${40 * MiB}-`);
    expect(content[0]!.ifRange).toBe(`"${await sha256(big())}"`);
    expect(sameBytes(big(), path.join(dir, 'big.bin'))).toBe(true);
    expect(existsSync(path.join(dir, 'big.bin.part'))).toBe(false);

    // A part file that does not match the server's bytes fails loudly and is not kept.
    writeFileSync(path.join(dir, 'five.bin.part'), Buffer.alloc(1000, 7));
    const bad = await run(['get', 'backup/tree/sub/deeper/five.bin', 'resume']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/loft: checksum_mismatch: five\.bin: SHA-256/);
    expect(existsSync(path.join(dir, 'five.bin'))).toBe(false);
    expect(existsSync(path.join(dir, 'five.bin.part'))).toBe(false);
    // Run again: a clean download.
    expect((await run(['get', 'backup/tree/sub/deeper/five.bin', 'resume'])).code).toBe(0);
    expect(sameBytes(path.join(tree(), 'sub/deeper/five.bin'), path.join(dir, 'five.bin'))).toBe(true);
  });

  it('resumes after the process is killed mid-download', async () => {
    const dir = path.join(work, 'killed');
    const { spawn } = await import('node:child_process');
    const { BIN, envFor } = await import('./helpers.js');
    const child = spawn(process.execPath, [BIN, 'get', 'backup/big.bin', dir], {
      cwd: work,
      env: envFor(home),
      stdio: 'ignore',
    });
    const partFile = path.join(dir, 'big.bin.part');
    const t0 = Date.now();
    while (!(existsSync(partFile) && statSync(partFile).size > 5 * MiB) && Date.now() - t0 < 30_000)
      await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    const have = statSync(partFile).size;
    console.log(`killed with ${have} bytes in big.bin.part`);
    if (have >= 100 * MiB) return; // too fast to interrupt here; covered by the test above
    seen.length = 0;
    const r = await run(['get', 'backup/big.bin', dir]);
    expect(r.code).toBe(0);
    const content = seen.filter((s) => s.url.includes('/content'));
    expect(content[0]!.range).toMatch(/^bytes=\d+-$/);
    expect(Number(/=(\d+)-/.exec(content[0]!.range!)![1])).toBeGreaterThan(0);
    expect(sameBytes(big(), path.join(dir, 'big.bin'))).toBe(true);
  });

  it('draws progress bars and a total on a terminal', async () => {
    const src = path.join(work, 'pty');
    mkdirSync(src);
    writeBigFile(path.join(src, 'p1.bin'), 20 * MiB);
    writeBigFile(path.join(src, 'p2.bin'), 12 * MiB);
    const r = await onPty(`${process.execPath} ${path.resolve('bin/loft.js')} put pty ptydest`, home, work);
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/pty\/p1\.bin\s+\[[#-]+\]\s+\d+%/); // a bar per file
    expect(out).toMatch(
      /total \[[#-]+\] \d+%\s+[\d.]+ \w?i?B\/32\.0 MiB\s+[\d.]+ \w?i?B\/s\s+(ETA|in) \d\d:\d\d/,
    );
    expect(out).toContain('\x1b['); // redrawn in place
    expect(out).toContain('uploaded ptydest/pty/p2.bin');
    expect(out).toMatch(/2\/2 files/);
  });
});

describe('sharing', () => {
  const host = () => server.url.replace('http://', '');
  it('shares a folder with another user, lists who has access, and ends it', async () => {
    expect((await run(['mkdir', '-p', '/Shared/Plans'])).code).toBe(0);
    const r = await run(['--account', `alice@${host()}`, 'share', '/Shared', 'bob', '--role', 'editor']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('shared /Shared with bob as editor');
    const list = await run(['--account', `alice@${host()}`, 'share', '/Shared', '--json']);
    expect(JSON.parse(list.stdout).map((s: any) => `${s.user.username}:${s.role}`)).toEqual(['bob:editor']);
    const gone = await run(['--account', `alice@${host()}`, 'share', '/Shared', 'bob', '--remove']);
    expect(gone.stdout.trim()).toBe('stopped sharing /Shared with bob');
    expect(JSON.parse((await run(['share', '/Shared', '--json'])).stdout)).toEqual([]);
    const bad = await run(['share', '/Shared', 'bob', '--role', 'owner']);
    expect(bad.code).toBe(2);
    const nobody = await run(['share', '/Shared', 'nobody-here']);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toMatch(/^loft: validation_failed: /);
  });

  it('makes a public link with a password, expiry and limit; prints the URL, and a QR code when asked', async () => {
    writeFileSync(path.join(work, 'flyer.txt'), 'come to the party');
    expect((await run(['put', path.join(work, 'flyer.txt'), '/Shared'])).code).toBe(0);
    const r = await run([
      'link',
      '/Shared/flyer.txt',
      '--password',
      'party time',
      '--expires',
      '7d',
      '--max-downloads',
      '3',
    ]);
    expect(r.stderr).toBe('');
    const [url, facts] = r.stdout.trim().split('\n');
    expect(url).toMatch(new RegExp(`^${server.url}/s/[A-Za-z0-9_-]{40,}$`));
    expect(facts).toMatch(/^password · expires .+ · 3 downloads$/);
    // Not a terminal: no QR code unless asked.
    expect(r.stdout).not.toMatch(/[▀▄█]/);
    const token = url!.split('/s/')[1]!;
    const info = await server.anonymous().json('GET', `/api/public/links/${token}`);
    expect(info.body).toMatchObject({ passwordRequired: true, downloadsLeft: 3 });
    expect(info.body.expiresAt - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    const qr = await run(['link', '/Shared', '--qr']);
    expect(qr.stdout).toMatch(/[▀▄█]/);
    const badExpiry = await run(['link', '/Shared', '--expires', 'someday']);
    expect(badExpiry.code).toBe(2);
  });
});

describe('logout', () => {
  it('revokes the token on the server and forgets it', async () => {
    const db = new Database(path.join(home, 'loft', 'loft.db'), { readonly: true });
    tokenBeforeLogout = (db.prepare("SELECT token FROM accounts WHERE username = 'alice'").get() as any)
      .token;
    db.close();
    const r = await run(['logout']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Logged out of alice@');
    const c = server.anonymous();
    c.token = tokenBeforeLogout;
    expect((await c.json('GET', '/api/me')).status).toBe(401);
    // bob is still there and now the default.
    const list = JSON.parse((await run(['accounts', '--json'])).stdout);
    expect(list.map((a: any) => a.username)).toEqual(['bob']);
  });
});

describe('quota', () => {
  let small: TestServer;
  const h = tempHome();
  beforeAll(async () => {
    small = await startServer({ LOFT_DEFAULT_QUOTA: String(2 * MiB) });
    await small.user('carol', { password: PASSWORD });
  });
  afterAll(async () => {
    await small?.close();
    rmSync(h, { recursive: true, force: true });
  });

  it('says clearly when the quota is exceeded', async () => {
    const login = await loft(['login', small.url, '-u', 'carol', '--password-stdin'], {
      home: h,
      input: PASSWORD,
    });
    expect(login.code).toBe(0);
    writeBigFile(path.join(h, 'three.bin'), 3 * MiB);
    const r = await loft(['put', 'three.bin', '/'], { home: h });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^loft: quota_exceeded: .*\(three\.bin\)$/m);
    expect(r.stderr).toMatch(/^loft: quota_exceeded: no room left .*\(0 B of 2\.0 MiB used\)/m);
    expect(r.stderr.trim().split('\n')).toHaveLength(2);
  });
});
