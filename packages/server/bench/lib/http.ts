import { execFile } from 'node:child_process';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { median, percentile } from './report.js';

const execFileP = promisify(execFile);

export interface Response {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface RequestOptions {
  agent?: http.Agent | false;
  headers?: Record<string, string>;
  body?: Buffer | string | Readable;
}

/** One request on real sockets; the whole response body is returned. */
export function request(
  base: string,
  method: string,
  path: string,
  opts: RequestOptions = {},
): Promise<Response> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: opts.headers, agent: opts.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    const b = opts.body;
    if (b === undefined) req.end();
    else if (typeof b === 'string' || Buffer.isBuffer(b)) req.end(b);
    else {
      b.on('error', (e) => req.destroy(e));
      b.pipe(req);
    }
  });
}

/** A JSON request that must answer `expect`; returns the parsed body. */
export async function json<T>(
  base: string,
  method: string,
  path: string,
  body: unknown,
  expect: number,
  headers: Record<string, string> = {},
  agent?: http.Agent,
): Promise<T> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const r = await request(base, method, path, {
    agent,
    headers: { ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: payload,
  });
  const text = r.body.toString('utf8');
  if (r.status !== expect)
    throw new Error(`${method} ${path}: expected ${expect}, got ${r.status}: ${text.slice(0, 500)}`);
  return (text ? JSON.parse(text) : null) as T;
}

/**
 * Downloads into nothing with curl when it is installed: a Node client tops out near the speed
 * of the servers under test on 2 cores and would measure itself. Falls back to node:http.
 */
export async function downloadDiscard(
  base: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; bytes: number }> {
  const url = new URL(path, base).toString();
  const args = ['-s', '-o', '/dev/null', '-w', '%{http_code} %{size_download}'];
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`);
  try {
    const { stdout } = await execFileP('curl', [...args, url], { maxBuffer: 1024 });
    const [status, bytes] = stdout.trim().split(' ').map(Number);
    return { status: status!, bytes: bytes! };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    return downloadDiscardNode(base, path, headers);
  }
}

/** Streams a response into nothing with node:http, counting its bytes. */
export function downloadDiscardNode(
  base: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; bytes: number }> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'GET', headers, agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        bytes += c.length;
      });
      res.on('end', () => resolve({ status: res.statusCode!, bytes }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export interface ManyResult {
  /** Requests completed (fewer than asked when capped). */
  done: number;
  capped: boolean;
  seconds: number;
  perSec: number;
  p50Ms: number;
  p95Ms: number;
}

/**
 * `count` requests, `conns` at a time over as many keep-alive connections: `send(i, agent)` makes
 * request i and throws unless it succeeded. Stops early (`capped`) past `capMs`, so that a slow
 * server cannot stall the bench.
 */
export async function manyRequests(
  count: number,
  conns: number,
  capMs: number,
  send: (i: number, agent: http.Agent) => Promise<void>,
): Promise<ManyResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: conns });
  const latencies: number[] = [];
  let next = 0;
  let capped = false;
  const t0 = performance.now();
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      if (performance.now() - t0 > capMs) {
        capped = true;
        return;
      }
      const started = performance.now();
      await send(i, agent);
      latencies.push(performance.now() - started);
    }
  };
  try {
    await Promise.all(Array.from({ length: conns }, worker));
  } finally {
    agent.destroy();
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    done: latencies.length,
    capped,
    seconds,
    perSec: latencies.length / seconds,
    p50Ms: median(latencies),
    p95Ms: percentile(latencies, 95),
  };
}
