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

/** Every child still running; killed on exit whatever happens to the bench. */
const running = new Set<ChildProcess>();

export function killAllChildren(): void {
  for (const p of running) {
    if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
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

function startChild(args: string[], cwd: string, env: NodeJS.ProcessEnv) {
  const proc = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(proc);
  proc.on('exit', () => running.delete(proc));
  let out = '';
  const keep = (c: Buffer) => {
    out = (out + c.toString('utf8')).slice(-OUTPUT_KEEP);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = once(proc, 'exit');
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  return { proc, output: () => out, stop };
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
