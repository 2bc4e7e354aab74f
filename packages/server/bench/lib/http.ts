import http from 'node:http';
import type { Readable } from 'node:stream';

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

/** Streams a response into nothing, counting its bytes: the client costs as little as it can. */
export function downloadDiscard(
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
