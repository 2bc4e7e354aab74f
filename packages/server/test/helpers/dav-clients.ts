/**
 * Drivers for third-party WebDAV clients (Debian's litmus, rclone and cadaver) and the scenarios
 * the interop tests run with them. The scenarios know the server only through a DAV URL with
 * credentials and a `ServerView`, the server's own view of the same tree (Loft's REST API in the
 * tests), so they were first checked against Apache's mod_dav with a file-system view.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { expect } from 'vitest';

/** A WebDAV collection URL (ending in "/") and the Basic credentials for it. */
export interface DavTarget {
  url: string;
  user: string;
  pass: string;
}

/**
 * The server's view of the tree behind a DavTarget, taken without WebDAV. Paths are relative to
 * the target's collection, "/"-separated, without a leading "/".
 */
export interface ServerView {
  /** The bytes of the file at `rel`, or null when there is no file there. */
  read(rel: string): Promise<Buffer | null>;
  kind(rel: string): Promise<'file' | 'folder' | null>;
  /** Creates or replaces a file; missing folders are created. */
  write(rel: string, bytes: Buffer): Promise<void>;
  rename(rel: string, newName: string): Promise<void>;
  move(rel: string, newParentRel: string): Promise<void>;
  remove(rel: string): Promise<void>;
  /** Paths of the items in the trash (the top item of each trashed subtree), or null: no trash. */
  trashed(): Promise<string[] | null>;
}

export const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

// ---------------------------------------------------------------------------------------------
// Processes

/** The absolute path of a Debian-installed client, or a failure telling how to install it. */
export function requireTool(name: 'litmus' | 'rclone' | 'cadaver'): string {
  for (const dir of [...(process.env.PATH ?? '').split(':').filter(Boolean), '/usr/bin']) {
    const p = path.join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // try the next one
    }
  }
  throw new Error(
    `${name} is not installed: the WebDAV interop tests need it. Install it with ` +
      `"apt-get install -y ${name}" (CI's .ci/run does).`,
  );
}

export interface RunResult {
  cmd: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

/** Runs a program to its end (or kills it after timeoutMs), collecting its output. */
export function run(
  cmd: string,
  args: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number; input?: string },
): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        cmd: [path.basename(cmd), ...args].join(' '),
        code,
        signal,
        stdout,
        stderr,
        ms: Date.now() - started,
        timedOut,
      });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** A run's command, status and output, for failure messages. */
export function describeRun(r: RunResult): string {
  const status = r.timedOut
    ? `killed after ${r.ms} ms (timeout)`
    : `exit ${r.code ?? r.signal} in ${r.ms} ms`;
  return `$ ${r.cmd}\n${status}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
}

// ---------------------------------------------------------------------------------------------
// Raw WebDAV requests

/** One request to a path under the target's collection, with its Basic credentials. */
export function davRequest(
  t: DavTarget,
  method: string,
  rel: string,
  opts: { headers?: Record<string, string>; body?: Buffer | string } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  const url = new URL(rel.split('/').map(encodeURIComponent).join('/'), t.url);
  const auth = Buffer.from(`${t.user}:${t.pass}`).toString('base64');
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method, headers: { authorization: `Basic ${auth}`, ...opts.headers }, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

// ---------------------------------------------------------------------------------------------
// litmus

export const LITMUS_SUITES = ['basic', 'copymove', 'props', 'locks', 'http'] as const;

export interface LitmusSuite {
  name: string;
  run: number;
  passed: number;
  failed: number;
  percent: number;
  /** Tests skipped (after a failed prerequisite), from the "(N skipped)" after the summary. */
  skipped: number;
}

export interface LitmusReport {
  suites: Map<string, LitmusSuite>;
  /** Lines reporting a failed, skipped or aborted test, or a suite that could not run. */
  problems: string[];
  warnings: string[];
}

/**
 * Reads litmus's output. Each suite ends with
 * "<- summary for `basic': of 16 tests run: 16 passed, 0 failed. 100.0%" (then " (N skipped)"
 * when some were); a failed test's line ends in "FAIL (reason)".
 */
export function parseLitmus(output: string): LitmusReport {
  const suites = new Map<string, LitmusSuite>();
  const problems: string[][] = [];
  const warnings: string[] = [];
  const summary =
    /<- summary for [`'](\w+)': of (\d+) tests run: (\d+) passed, (\d+) failed\. ([\d.]+)%(.*)$/;
  const bad = /(?<!X)FAIL|ABORTED|SKIPPED|all tests skipped|ERROR: Could not find|segmentation fault/;
  // A test's line ("12. delete_coll..... FAIL (reason") may go on over the next lines.
  const starts = /^\s*(\d+\.\s|<- |-> |\.{5,})/;
  let current: string[] | null = null;
  let suite = '?';
  for (const raw of output.split('\n')) {
    const line = raw.slice(raw.lastIndexOf('\r') + 1);
    const running = /^-> running [`'](\w+)'/.exec(line);
    if (running) suite = running[1]!;
    if (current && !starts.test(line) && line.trim()) {
      current.push(line.trim());
      continue;
    }
    current = null;
    const m = summary.exec(line);
    if (m) {
      const skipped = /\((\d+) skipped\)/.exec(m[6]!);
      suites.set(m[1]!, {
        name: m[1]!,
        run: Number(m[2]),
        passed: Number(m[3]),
        failed: Number(m[4]),
        percent: Number(m[5]),
        skipped: skipped ? Number(skipped[1]) : 0,
      });
      continue;
    }
    if (/WARNING/.test(line)) warnings.push(`${suite}: ${line.trim()}`);
    if (bad.test(line)) {
      current = [`${suite}: ${line.trim()}`];
      problems.push(current);
    }
  }
  return { suites, problems: problems.map((p) => p.join(' ')), warnings };
}

/** Runs litmus's suites against the target (it works in the collection `litmus/` under it). */
export async function runLitmus(
  t: DavTarget,
  cwd: string,
  suites: readonly string[] = LITMUS_SUITES,
): Promise<{ result: RunResult; report: LitmusReport; output: string }> {
  const litmus = requireTool('litmus');
  // -k: keep going after a failed suite, so that one run reports every failure.
  const result = await run(litmus, ['-k', t.url, t.user, t.pass], {
    cwd,
    env: { ...process.env, TESTS: suites.join(' ') },
    timeoutMs: 120_000,
  });
  // On a pipe litmus still redraws each test's line after a carriage return: keep the last draw.
  const output = `${result.stdout}${result.stderr}`
    .split('\n')
    .map((l) => l.slice(l.lastIndexOf('\r') + 1))
    .join('\n');
  return { result, report: parseLitmus(output), output };
}

// ---------------------------------------------------------------------------------------------
// Test trees

/** A small deterministic PRNG (mulberry32). */
function prng(seed: string): () => number {
  let a = createHash('sha256').update(seed).digest().readUInt32LE(0);
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `size` deterministic pseudo-random bytes for a name (AES-CTR over zeros: fast). */
export function bytesFor(name: string, size: number): Buffer {
  const key = createHash('sha256').update(`key:${name}`).digest();
  const iv = createHash('sha256').update(`iv:${name}`).digest().subarray(0, 16);
  return createCipheriv('aes-256-ctr', key, iv).update(Buffer.alloc(size));
}

// Names that trip up URL handling: spaces, percent-encoding look-alikes, reserved characters,
// non-ASCII in NFC (é), CJK, an emoji outside the BMP, and a leading dot.
const DIRS = [
  ['docs', 'dir #1', 'répertoire é', '日本', '🎉 party', "it's 100% & more+"],
  ['alpha', 'b e t a', 'γάμμα', 'd#%&+'],
  ['x', 'y y', 'z日'],
];
const STEMS = [
  'plain',
  'with space',
  'café',
  '日本語のファイル',
  'emoji 🎉',
  'hash#tag',
  '100% done',
  'a&b',
  'c+d',
  "it's",
  "mix #%&+' é日🎉",
  'semi;colon=eq',
  'paren (1) [x]',
  '.hidden',
  '%20 not a space',
];
const EXTS = ['.txt', '.bin', '.json', '', '.tar.gz'];

/**
 * Writes a tree of `count` files under `root`: folders three levels deep, names from STEMS,
 * sizes mostly small (0 to 64 KiB, many under 4 KiB) and `large` files of 1 to 5 MiB.
 * Returns the relative paths ("/"-separated) and sizes.
 */
export async function makeTree(
  root: string,
  opts: { count: number; large: number; seed: string },
): Promise<Map<string, number>> {
  const rand = prng(opts.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const dirs: string[] = [''];
  for (const a of DIRS[0]!) {
    dirs.push(a);
    for (const b of DIRS[1]!) {
      dirs.push(`${a}/${b}`);
      for (const c of DIRS[2]!) dirs.push(`${a}/${b}/${c}`);
    }
  }
  const files = new Map<string, number>();
  for (let i = 0; i < opts.count; i++) {
    const dir = dirs[i % dirs.length]!;
    const name = `${pick(STEMS)} ${i}${pick(EXTS)}`;
    const rel = dir ? `${dir}/${name}` : name;
    let size: number;
    if (i < opts.large) size = 1024 * 1024 + Math.floor(rand() * 4 * 1024 * 1024);
    else {
      const r = rand();
      size = r < 0.04 ? 0 : r < 0.65 ? 1 + Math.floor(rand() * 4096) : Math.floor(rand() * 65536) + 1;
    }
    files.set(rel, size);
  }
  for (const [rel, size] of files)
    await writeFileP(path.join(root, rel), bytesFor(`${opts.seed}/${rel}`, size));
  return files;
}

export async function writeFileP(file: string, bytes: Buffer | string): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, bytes);
}

/** SHA-256 of every file under root by relative path; empty folders are left out. */
export async function digestTree(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (dir: string, prefix: string): Promise<void> => {
    for (const e of await fs.readdir(dir, { withFileTypes: true })) {
      const rel = prefix ? `${prefix}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(path.join(dir, e.name), rel);
      else out.set(rel, sha256(await fs.readFile(path.join(dir, e.name))));
    }
  };
  await walk(root, '');
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** What differs between two digests, as short lines ("" when nothing). */
export function diffDigests(a: Map<string, string>, b: Map<string, string>, names = ['a', 'b']): string {
  const lines: string[] = [];
  for (const [k, v] of a) {
    if (!b.has(k)) lines.push(`only in ${names[0]}: ${k}`);
    else if (b.get(k) !== v) lines.push(`differs: ${k}`);
  }
  for (const k of b.keys()) if (!a.has(k)) lines.push(`only in ${names[1]}: ${k}`);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// rclone

/**
 * rclone with one remote, "loft:", defined only by environment variables (no config file is
 * read or written: RCLONE_CONFIG points at a file that does not exist, HOME at the work dir).
 */
export class Rclone {
  private constructor(
    private readonly bin: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly work: string,
  ) {}

  static async create(t: DavTarget, work: string): Promise<Rclone> {
    const bin = requireTool('rclone');
    const base: NodeJS.ProcessEnv = {
      ...process.env,
      HOME: work,
      XDG_CONFIG_HOME: path.join(work, '.config'),
      XDG_CACHE_HOME: path.join(work, '.cache'),
      RCLONE_CONFIG: path.join(work, 'rclone.conf'),
    };
    // The password goes through stdin, not the command line.
    const obscured = await run(bin, ['obscure', '-'], {
      cwd: work,
      env: base,
      timeoutMs: 30_000,
      input: t.pass,
    });
    if (obscured.code !== 0) throw new Error(`rclone obscure failed\n${describeRun(obscured)}`);
    const env = {
      ...base,
      RCLONE_CONFIG_LOFT_TYPE: 'webdav',
      RCLONE_CONFIG_LOFT_URL: t.url,
      RCLONE_CONFIG_LOFT_VENDOR: 'other',
      RCLONE_CONFIG_LOFT_USER: t.user,
      RCLONE_CONFIG_LOFT_PASS: obscured.stdout.trim(),
    };
    return new Rclone(bin, env, work);
  }

  /** Runs rclone with flags kind to two cores and that let failures surface, not be retried. */
  run(args: string[], timeoutMs = 120_000): Promise<RunResult> {
    return run(
      this.bin,
      [...args, '--transfers', '4', '--checkers', '4', '--low-level-retries', '1', '--retries', '1'],
      { cwd: this.work, env: this.env, timeoutMs },
    );
  }

  /** Runs rclone and fails the test, with its output, unless it exits 0. */
  async ok(args: string[]): Promise<RunResult> {
    const r = await this.run(args);
    expect(r.code, describeRun(r)).toBe(0);
    return r;
  }

  /**
   * `rclone check` between two places, listing every file in a combined report, and fails unless
   * all `expected` files match and nothing else is reported. With vendor=other the remote offers
   * no hash, so check compares names and sizes only, unless `download` has it compare the bytes.
   */
  async expectSame(
    src: string,
    dst: string,
    expected: number,
    opts: { download: boolean },
  ): Promise<RunResult> {
    const report = path.join(this.work, `check-${Date.now()}.txt`);
    const r = await this.run([
      'check',
      src,
      dst,
      '--combined',
      report,
      ...(opts.download ? ['--download'] : []),
    ]);
    const combined = await fs.readFile(report, 'utf8').catch(() => '');
    const lines = combined.split('\n').filter(Boolean);
    const notMatching = lines.filter((l) => !l.startsWith('= '));
    const detail = `${describeRun(r)}\n--- not matching (- missing in dst, + missing in src, * differ, ! error) ---\n${notMatching.join('\n')}`;
    expect(notMatching, detail).toEqual([]);
    expect(r.stderr, detail).toMatch(/\b0 differences found/);
    expect(r.code, detail).toBe(0);
    expect(lines.length, detail).toBe(expected);
    return r;
  }
}

// ---------------------------------------------------------------------------------------------
// cadaver

/**
 * An interactive cadaver session: each command is written to its stdin and answered once the
 * next prompt ("dav:/path/> ") shows. Credentials come from a .netrc in a temp HOME.
 */
export class CadaverSession {
  transcript = '';
  /** The last prompt, "dav:/dav/cad/> ": it shows the current collection. */
  prompt = '';
  private pending = '';
  private waiters: (() => void)[] = [];
  private exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.setEncoding('utf8').on('data', (d: string) => this.take(d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => this.take(d));
    this.exited = new Promise((resolve) =>
      child.on('close', (code) => {
        resolve(code);
        for (const w of this.waiters.splice(0)) w();
      }),
    );
  }

  private take(d: string): void {
    this.transcript += d;
    this.pending += d;
    for (const w of this.waiters.splice(0)) w();
  }

  static async start(t: DavTarget, work: string): Promise<CadaverSession> {
    const bin = requireTool('cadaver');
    const home = path.join(work, 'home');
    await fs.mkdir(home, { recursive: true });
    const host = new URL(t.url).hostname;
    await fs.writeFile(path.join(home, '.netrc'), `machine ${host}\nlogin ${t.user}\npassword ${t.pass}\n`, {
      mode: 0o600,
    });
    // A UTF-8 locale whatever the caller's: names with é and 日本 are printed as they are.
    const env = { ...process.env, HOME: home, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };
    const child = spawn(bin, [t.url], { cwd: work, env });
    const session = new CadaverSession(child);
    const banner = await session.untilPrompt(15_000);
    expect(banner, `cadaver did not connect:\n${session.transcript}`).not.toMatch(/Could not|failed/i);
    return session;
  }

  /** Waits for the prompt; fails at once if cadaver asks for credentials (the .netrc was refused). */
  private async untilPrompt(timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = /dav:[^\n]*> $/.exec(this.pending);
      if (m) {
        const out = this.pending.slice(0, m.index);
        this.prompt = m[0];
        this.pending = '';
        return out;
      }
      if (/Username:|Password:/.test(this.pending)) {
        throw new Error(`cadaver asked for credentials: the server refused them\n${this.transcript}`);
      }
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(
          `cadaver ended (${this.child.exitCode ?? this.child.signalCode})\n${this.transcript}`,
        );
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`cadaver gave no prompt within ${timeoutMs} ms\n${this.transcript}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 1000));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Runs one command and returns what cadaver printed for it (its echo left out). */
  async cmd(line: string, timeoutMs = 30_000): Promise<string> {
    this.child.stdin.write(`${line}\n`);
    const out = await this.untilPrompt(timeoutMs);
    return out.startsWith(`${line}\n`) ? out.slice(line.length + 1) : out;
  }

  /** Runs a command and fails the test unless cadaver reports it succeeded. */
  async ok(line: string): Promise<string> {
    const out = await this.cmd(line);
    expect(out, `cadaver: ${line}\n--- session so far ---\n${this.transcript}`).toMatch(/succeeded\./);
    expect(out, `cadaver: ${line}\n--- session so far ---\n${this.transcript}`).not.toMatch(/failed/i);
    return out;
  }

  /** Names and sizes from `ls`, folders with a trailing "/". */
  async ls(): Promise<Map<string, number>> {
    const out = await this.ok('ls');
    const entries = new Map<string, number>();
    for (const line of out.split('\n')) {
      // "Coll:   name     0  Nov 21 10:16" or "        name    14  Nov 21 10:16" (or "Nov 21  2025")
      const m = /^(Coll: {3}| {8})(.+?)\s+(\d+)\s+\w{3}\s+\d+\s+[\d:]+$/.exec(line);
      if (m) entries.set(m[1] === 'Coll:   ' ? `${m[2]}/` : m[2]!, Number(m[3]));
    }
    return entries;
  }

  async quit(): Promise<number | null> {
    this.child.stdin.end('quit\n');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

// ---------------------------------------------------------------------------------------------
// Scenarios

type Log = (msg: string) => void;

/** Under a trashed path: the path itself or one of its folders is in the trash. */
export function inTrash(trash: string[], rel: string): boolean {
  return trash.some((t) => rel === t || rel.startsWith(`${t}/`));
}

/**
 * rclone up, sync with local changes, and down with server-side changes, checked with
 * `rclone check --download`, our own hashes, and the server's view. Returns timings.
 */
export async function rcloneScenario(
  t: DavTarget,
  view: ServerView,
  work: string,
  opts: { count: number; large: number; log: Log },
): Promise<void> {
  const { log } = opts;
  const local = path.join(work, 'local');
  const local2 = path.join(work, 'local2');
  const files = await makeTree(local, { count: opts.count, large: opts.large, seed: 'interop' });
  const rc = await Rclone.create(t, work);
  const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    const r = await fn();
    log(`rclone: ${name} in ${Date.now() - started} ms`);
    return r;
  };

  // rclone's webdav backend paces itself to about 100 requests a second (a fixed 10 ms between
  // calls), so each pass over the 1,000 files costs 10 s or more. The checks compare names and
  // sizes after each step, and every byte once, at the end (--download); samples of the bytes
  // are read back through the server's view on the way.

  // 1. Upload the whole tree.
  await step(`copy of ${files.size} files up`, () => rc.ok(['copy', local, 'loft:tree']));
  await step('check', () => rc.expectSame(local, 'loft:tree', files.size, { download: false }));
  const rels = [...files.keys()];
  const special = rels.filter((r) => /[#%&+'é日🎉]/u.test(r) && r.split('/').length === 4).slice(0, 3);
  const largest = rels.reduce((a, b) => (files.get(a)! >= files.get(b)! ? a : b));
  const empty = rels.find((r) => files.get(r) === 0)!;
  for (const rel of [...special, largest, empty]) {
    const bytes = await view.read(`tree/${rel}`);
    expect(bytes, `the server has no file at tree/${rel}`).not.toBeNull();
    expect(sha256(bytes!), `tree/${rel} on the server`).toBe(
      sha256(await fs.readFile(path.join(local, rel))),
    );
  }

  // 2. Change the local tree and sync it up. Modified files change size: with vendor=other the
  // server offers no hash and rclone can't set modification times, so rclone's own change
  // detection is by size only (a client limit, not the server's).
  const deletedDir = `${DIRS[0]![3]}/${DIRS[1]![2]}`; // "日本/γάμμα", with its subfolders
  const modified = rels.filter((r, i) => i % 40 === 7 && !r.startsWith(`${deletedDir}/`)).slice(0, 25);
  for (const rel of modified) await fs.appendFile(path.join(local, rel), `changed ${rel}\n`);
  const deleted = rels.filter((r, i) => !modified.includes(r) && i % 50 === 13).slice(0, 20);
  for (const rel of deleted) await fs.rm(path.join(local, rel));
  const deletedInDir = rels.filter((r) => r.startsWith(`${deletedDir}/`) && !deleted.includes(r));
  await fs.rm(path.join(local, deletedDir), { recursive: true });
  const added: string[] = [];
  for (let i = 0; i < 30; i++) {
    const rel = i < 10 ? `new folder #${i % 3}/日本 ${i}+&.txt` : `${DIRS[0]![i % 6]}/added ${i} é.bin`;
    await writeFileP(path.join(local, rel), bytesFor(`added/${rel}`, i * 997));
    added.push(rel);
  }
  const after = await digestTree(local);
  await step('sync up', () => rc.ok(['sync', local, 'loft:tree']));
  await step('check', () => rc.expectSame(local, 'loft:tree', after.size, { download: false }));
  for (const rel of [...modified.slice(0, 3), ...added.slice(0, 2), added[15]!]) {
    const bytes = await view.read(`tree/${rel}`);
    expect(bytes && sha256(bytes), `tree/${rel} on the server after the sync`).toBe(after.get(rel));
  }
  for (const rel of [...deleted, ...deletedInDir]) {
    expect(await view.read(`tree/${rel}`), `tree/${rel} was deleted`).toBeNull();
  }
  expect(await view.kind(`tree/${deletedDir}`), `tree/${deletedDir} was deleted`).toBeNull();
  const trash = await view.trashed();
  if (trash) {
    const missing = [...deleted, ...deletedInDir].filter((rel) => !inTrash(trash, `tree/${rel}`));
    expect(missing, `deleted files not in the trash; the trash holds:\n${trash.join('\n')}`).toEqual([]);
    expect(inTrash(trash, `tree/${deletedDir}`), `tree/${deletedDir} is not in the trash`).toBe(true);
  } else log('rclone: the server has no trash to check');

  // 3. A second machine that had the same tree (a plain copy of it) syncs down changes made on
  // the server: a new file in a new folder, a replaced file, a renamed one, a deleted one, and a
  // folder moved into another.
  await fs.cp(local, local2, { recursive: true });

  // "🎉 party/d#%&+" moves into "it's 100% & more+/alpha".
  const movedDir = `${DIRS[0]![4]}/${DIRS[1]![3]}`;
  const movedInto = `${DIRS[0]![5]}/${DIRS[1]![0]}`;
  const movedTo = `${movedInto}/${DIRS[1]![3]}`;
  const stable = (r: string) => after.has(r) && !modified.includes(r) && !r.startsWith(`${movedDir}/`);
  const serverNew = 'server side/新しい #1 & 100%.txt';
  const serverNewBytes = bytesFor('server-new', 12345);
  await view.write(`tree/${serverNew}`, serverNewBytes);
  const replaced = rels.find((r) => stable(r) && files.get(r)! > 100)!;
  const replacedBytes = bytesFor('server-replaced', files.get(replaced)! + 1);
  await view.write(`tree/${replaced}`, replacedBytes);
  const renamedFrom = rels.find((r) => stable(r) && r !== replaced && r.startsWith(`${DIRS[0]![1]}/`))!;
  const renamedTo = `${path.posix.dirname(renamedFrom)}/renamed on the server 🎉.txt`;
  await view.rename(`tree/${renamedFrom}`, path.posix.basename(renamedTo));
  const removed = rels.find((r) => stable(r) && ![replaced, renamedFrom].includes(r) && r.includes('/'))!;
  await view.remove(`tree/${removed}`);
  const inMovedDir = [...after.keys()].filter((r) => r.startsWith(`${movedDir}/`));
  expect(inMovedDir.length).toBeGreaterThan(0);
  await view.move(`tree/${movedDir}`, `tree/${movedInto}`);

  await step('sync down', () => rc.ok(['sync', 'loft:tree', local2]));
  // local2 now holds exactly what the server changed, compared with our own hashes, and rclone
  // finds every byte on the server equal to it.
  const expected = new Map(after);
  expected.set(serverNew, sha256(serverNewBytes));
  expected.set(replaced, sha256(replacedBytes));
  expected.set(renamedTo, after.get(renamedFrom)!);
  expected.delete(renamedFrom);
  expected.delete(removed);
  for (const rel of inMovedDir) {
    expected.set(`${movedTo}${rel.slice(movedDir.length)}`, after.get(rel)!);
    expected.delete(rel);
  }
  const down = await digestTree(local2);
  expect(diffDigests(expected, down, ['the expected tree', 'local2'])).toBe('');
  await step('check of every byte', () => rc.expectSame('loft:tree', local2, down.size, { download: true }));
}

/**
 * A cadaver session: mkcol, put, get, copy, move, lock (with a PUT refused to others and allowed
 * to the lock holder), unlock, propset/propget, rmcol, delete and ls, checked through cadaver's
 * output, raw requests and the server's view.
 */
export async function cadaverScenario(t: DavTarget, view: ServerView, work: string, log: Log): Promise<void> {
  const a = 'hello from cadaver\n';
  const b = 'written under a lock, by its holder\n';
  const c = 'written by another client after the unlock\n';
  await fs.writeFile(path.join(work, 'hello.txt'), a);
  await fs.writeFile(path.join(work, 'other.txt'), b);
  const cad = await CadaverSession.start(t, work);
  try {
    await cad.ok('mkcol cad');
    expect(await view.kind('cad')).toBe('folder');
    expect(await cad.cmd('cd cad')).toBe('');
    expect(cad.prompt).toMatch(/\/cad\/> $/);
    await cad.ok('put hello.txt');
    await cad.ok('put hello.txt "notes é #1 & 100%.txt"');
    await cad.ok('get hello.txt got.txt');
    expect(await fs.readFile(path.join(work, 'got.txt'), 'utf8')).toBe(a);
    await cad.ok('copy hello.txt copy.txt');
    await cad.ok('move hello.txt moved.txt');

    await cad.ok('lock moved.txt');
    const refused = await davRequest(t, 'PUT', 'cad/moved.txt', { body: 'not the lock holder' });
    expect(refused.status, 'a PUT without the lock token on a locked file').toBe(423);
    await cad.ok('put other.txt moved.txt'); // cadaver sends its lock token
    expect((await view.read('cad/moved.txt'))?.toString()).toBe(b);
    await cad.ok('unlock moved.txt');
    const allowed = await davRequest(t, 'PUT', 'cad/moved.txt', { body: c });
    expect([200, 201, 204], `PUT after the unlock: ${allowed.status}`).toContain(allowed.status);

    await cad.ok('propset moved.txt color "deep red"');
    expect(await cad.cmd('propget moved.txt color')).toMatch(/Value of color is: deep red/);

    await cad.ok('mkcol sub');
    await cad.ok('put hello.txt sub/x.txt');
    expect((await view.read('cad/sub/x.txt'))?.toString()).toBe(a);
    await cad.ok('rmcol sub');
    await cad.ok('copy copy.txt doomed.txt');
    await cad.ok('delete doomed.txt');
    const missing = await cad.cmd('delete nosuch.txt');
    expect(missing).toMatch(/failed:\s*\n?404/);

    const listing = await cad.ls();
    expect(Object.fromEntries(listing)).toEqual({
      'copy.txt': Buffer.byteLength(a),
      'moved.txt': Buffer.byteLength(c),
      'notes é #1 & 100%.txt': Buffer.byteLength(a),
    });
    expect(await cad.quit()).toBe(0);
  } catch (e) {
    cad.kill();
    log(`cadaver transcript:\n${cad.transcript}`);
    throw e;
  }

  expect((await view.read('cad/moved.txt'))?.toString()).toBe(c);
  expect((await view.read('cad/copy.txt'))?.toString()).toBe(a);
  expect((await view.read('cad/notes é #1 & 100%.txt'))?.toString()).toBe(a);
  expect(await view.kind('cad/hello.txt')).toBeNull();
  expect(await view.kind('cad/doomed.txt')).toBeNull();
  expect(await view.kind('cad/sub')).toBeNull();
  const trash = await view.trashed();
  if (trash) {
    expect(inTrash(trash, 'cad/doomed.txt'), trash.join('\n')).toBe(true);
    expect(inTrash(trash, 'cad/sub/x.txt'), trash.join('\n')).toBe(true);
  }
}
