import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, mkdtempSync, openSync, readSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../bin/loft.js', import.meta.url));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** A config dir of its own for each test user: XDG_CONFIG_HOME points there. */
export function tempHome(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'loft-cli-'));
}

/** The environment of a run: none of the caller's LOFT_* settings, only those a test passes in `extra`. */
export function envFor(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CONFIG_HOME: home, HOME: home };
  delete env.LOFT_SERVER;
  delete env.LOFT_TOKEN;
  delete env.LOFT_CONFIG_DIR;
  return { ...env, ...extra };
}

/** Runs the real built binary as a child process (asynchronously: the server lives in this process). */
export function loft(
  args: string[],
  opts: { home: string; input?: string; cwd?: string; env?: Record<string, string> },
): Promise<Run> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd ?? opts.home,
      env: envFor(opts.home, opts.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - t0 }));
    child.stdin.end(opts.input ?? '');
  });
}

/** Runs a shell command line on a pseudo-terminal with util-linux `script`. */
export function onPty(cmd: string, home: string, cwd: string): Promise<Run> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], {
      cwd,
      env: envFor(home, { COLUMNS: '100', LINES: '40', TERM: 'xterm' }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - t0 }));
    child.stdin.end();
  });
}

/** A file of `size` bytes that is not a repetition: random 1 MiB blocks, each stamped with its index. */
export function writeBigFile(file: string, size: number): void {
  const block = randomBytes(1024 * 1024);
  const fd = openSync(file, 'w');
  try {
    for (let off = 0, i = 0; off < size; off += block.length, i++) {
      block.writeUInt32BE(i, 0);
      writeSync(fd, block, 0, Math.min(block.length, size - off));
    }
  } finally {
    closeSync(fd);
  }
}

export async function sha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(file)) h.update(c as Buffer);
  return h.digest('hex');
}

/** Byte-for-byte comparison, 4 MiB at a time. */
export function sameBytes(a: string, b: string): boolean {
  const fa = openSync(a, 'r');
  const fb = openSync(b, 'r');
  const ba = Buffer.alloc(4 << 20);
  const bb = Buffer.alloc(4 << 20);
  try {
    for (;;) {
      const na = readSync(fa, ba, 0, ba.length, null);
      const nb = readSync(fb, bb, 0, bb.length, null);
      if (na !== nb) return false;
      if (na === 0) return true;
      if (!ba.subarray(0, na).equals(bb.subarray(0, nb))) return false;
    }
  } finally {
    closeSync(fa);
    closeSync(fb);
  }
}
