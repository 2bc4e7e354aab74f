import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';

/** A server running in a child process, so its memory and CPU are its own, not the client's. */
export interface ChildServer {
  proc: ChildProcess;
  pid: number;
  port: number;
  /** The last output of the child, for the report when it fails. */
  output(): string;
  stop(): Promise<void>;
}

const OUTPUT_KEEP = 64 * 1024;

/**
 * Every child still running; killed on exit whatever happens to the bench. A child started with
 * `group` (Apache, which forks workers) leads a process group of its own and is killed with it.
 */
const running = new Set<ChildProcess>();
const groups = new WeakSet<ChildProcess>();

function killGroup(p: ChildProcess): void {
  try {
    process.kill(-p.pid!, 'SIGKILL');
  } catch {
    // ESRCH: the group is gone already
  }
}

export function killAllChildren(): void {
  for (const p of running) {
    if (groups.has(p)) killGroup(p);
    else if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  }
  running.clear();
}

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const addr = srv.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  srv.close();
  await once(srv, 'close');
  return port;
}

/**
 * Starts `command` as a child whose output is kept for the report. `group`: in a process group of
 * its own, so that stop() and killAllChildren() also reach the processes it forks.
 */
export function startProcess(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  opts: { group?: boolean } = {},
) {
  const proc = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: !!opts.group });
  running.add(proc);
  if (opts.group) groups.add(proc);
  proc.on('exit', () => {
    running.delete(proc);
    if (opts.group) killGroup(proc); // workers left behind by a parent that died
  });
  let out = '';
  const keep = (c: Buffer) => {
    out = (out + c.toString('utf8')).slice(-OUTPUT_KEEP);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  let spawnFailed = false;
  proc.on('error', (e) => {
    keep(Buffer.from(`${String(e)}\n`));
    if (proc.pid === undefined) {
      spawnFailed = true; // ENOENT and the like: no 'exit' may follow
      running.delete(proc);
    }
  });
  /** Exited, or never started. */
  const gone = () => spawnFailed || proc.exitCode !== null || proc.signalCode !== null;
  const stop = async () => {
    if (gone()) return;
    const exited = once(proc, 'exit');
    proc.kill('SIGTERM');
    const timer = setTimeout(() => (opts.group ? killGroup(proc) : proc.kill('SIGKILL')), 15_000);
    await exited;
    clearTimeout(timer);
  };
  return { proc, output: () => out, stop, gone };
}

function startChild(args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  return startProcess(process.execPath, args, cwd, env);
}

/**
 * Waits until a child answers `OPTIONS /` on `port` with any status, as a WebDAV server does once
 * it listens; stops it and throws when it exits or takes longer than `timeoutMs`.
 */
export async function waitUntilAnswering(
  child: ReturnType<typeof startProcess>,
  port: number,
  name: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.gone()) {
      throw new Error(
        `${name} exited during start-up (${child.proc.exitCode ?? child.proc.signalCode}):\n${child.output()}`,
      );
    }
    if ((await statusOf(port, 'OPTIONS', '/')) !== null) return;
    if (Date.now() > deadline) {
      await child.stop();
      throw new Error(`${name} did not answer within ${timeoutMs / 1000} s:\n${child.output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function statusOf(port: number, method: string, path: string): Promise<number | null> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? null));
    });
    req.on('error', () => resolve(null));
    req.setTimeout(2000, () => req.destroy());
    req.end();
  });
}

/**
 * Starts the Loft server as `node <args>`, e.g. `--import tsx src/main.ts` or a compiled main.js;
 * args may begin with profiling flags (--cpu-prof, --heap-prof), whose output is written on exit.
 */
export async function startLoft(
  serverRoot: string,
  env: Record<string, string>,
  args: string[],
): Promise<ChildServer> {
  const port = await freePort();
  const child = startChild(args, serverRoot, {
    ...process.env,
    ...env,
    PORT: String(port),
    HOST: '127.0.0.1',
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.proc.exitCode !== null || child.proc.signalCode !== null) {
      throw new Error(
        `Loft exited during start-up (${child.proc.exitCode ?? child.proc.signalCode}):\n${child.output()}`,
      );
    }
    if (await isReady(port)) break;
    if (Date.now() > deadline) {
      await child.stop();
      throw new Error(`Loft did not become ready within 60 s:\n${child.output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { ...child, pid: child.proc.pid!, port };
}

function isReady(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/readyz', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('error', () => resolve(false));
    req.setTimeout(2000, () => req.destroy());
  });
}

/** The bare Node server of bare-server.ts: streams `file`, receives uploads into `dir`. */
export async function startBare(
  serverRoot: string,
  script: string,
  file: string,
  dir: string,
): Promise<ChildServer> {
  const child = startChild(['--import', 'tsx', script, file, dir], serverRoot, process.env);
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    const onData = (c: Buffer) => {
      buf += c.toString('utf8');
      const m = /PORT (\d+)/.exec(buf);
      if (m) {
        child.proc.stdout!.off('data', onData);
        resolve(Number(m[1]));
      }
    };
    child.proc.stdout!.on('data', onData);
    child.proc.once('exit', (code) => reject(new Error(`bare server exited (${code}):\n${child.output()}`)));
  });
  return { ...child, pid: child.proc.pid!, port };
}

/** Resident set size of a process in bytes, from /proc (what `ps` calls RSS). */
export function rssOf(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Samples a process's RSS every `everyMs` until stopped; returns the samples in bytes. */
export function sampleRss(pid: number, everyMs = 50): { stop(): number[] } {
  const samples: number[] = [];
  const take = () => {
    const v = rssOf(pid);
    if (v !== null) samples.push(v);
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return samples;
    },
  };
}
