import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import http from 'node:http';
import type { Readable } from 'node:stream';

export interface Res<T = unknown> {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: T;
}

export interface RawRes {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A thin HTTP client for tests: real sockets, no mocking, bearer or cookie auth. */
export class Client {
  token: string | null = null;
  cookie: string | null = null;
  user: { id: string; username: string; rootId: string; role: string } | null = null;

  constructor(readonly base: string) {}

  authHeaders(): Record<string, string> {
    if (this.token) return { authorization: `Bearer ${this.token}` };
    if (this.cookie) return { cookie: this.cookie };
    return {};
  }

  async login(
    login: string,
    password: string,
  ): Promise<Res<{ token: string; user: { id: string; username: string; rootId: string; role: string } }>> {
    const r = await this.json<{
      token: string;
      user: { id: string; username: string; rootId: string; role: string };
    }>('POST', '/api/auth/login', { login, password });
    if (r.status === 200) {
      this.token = r.body.token;
      this.user = r.body.user;
      const setCookie = r.headers['set-cookie']?.[0];
      if (setCookie) this.cookie = setCookie.split(';')[0]!;
    }
    return r;
  }

  get rootId(): string {
    return this.user!.rootId;
  }

  /** JSON request; when `expect` is given, a different status throws with the body. */
  async json<T = any>(
    method: string,
    path: string,
    body?: unknown,
    expect?: number,
    headers: Record<string, string> = {},
  ): Promise<Res<T>> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const r = await this.request(method, path, {
      headers: { ...(payload ? { 'content-type': 'application/json' } : {}), ...headers },
      body: payload,
    });
    const text = r.body.toString('utf8');
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON
    }
    if (expect !== undefined && r.status !== expect) {
      throw new Error(`${method} ${path}: expected ${expect}, got ${r.status}: ${text.slice(0, 500)}`);
    }
    return { status: r.status, headers: r.headers, body: parsed as T };
  }

  request(
    method: string,
    path: string,
    opts: { headers?: Record<string, string>; body?: Buffer | Readable | string; auth?: boolean } = {},
  ): Promise<RawRes> {
    const url = new URL(path, this.base);
    return new Promise((resolve, reject) => {
      const req = http.request(
        url,
        {
          method,
          headers: { ...(opts.auth === false ? {} : this.authHeaders()), ...opts.headers },
          agent: false,
        },
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
      const b = opts.body;
      if (b === undefined) req.end();
      else if (typeof b === 'string' || Buffer.isBuffer(b)) req.end(b);
      else b.pipe(req);
    });
  }

  /** Streams a download and returns its SHA-256 without holding it in memory. */
  downloadHash(
    path: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; headers: http.IncomingHttpHeaders; sha256: string; size: number }> {
    const url = new URL(path, this.base);
    return new Promise((resolve, reject) => {
      const req = http.request(
        url,
        { method: 'GET', headers: { ...this.authHeaders(), ...headers }, agent: false },
        (res) => {
          const h = createHash('sha256');
          let size = 0;
          res.on('data', (c: Buffer) => {
            h.update(c);
            size += c.length;
          });
          res.on('end', () =>
            resolve({ status: res.statusCode!, headers: res.headers, sha256: h.digest('hex'), size }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  /** Raw-body upload by path. `chunked` drops Content-Length. */
  async upload(
    path: string,
    data: Buffer | string | { file: string; size: number } | Readable,
    opts: { chunked?: boolean; headers?: Record<string, string>; query?: string } = {},
  ): Promise<Res<any>> {
    let body: Buffer | Readable;
    let length: number | null = null;
    if (typeof data === 'string' || Buffer.isBuffer(data)) {
      body = Buffer.from(data);
      length = body.length;
    } else if ('file' in data && typeof (data as { file: unknown }).file === 'string') {
      body = createReadStream((data as { file: string }).file, { highWaterMark: 1024 * 1024 });
      length = (data as { size: number }).size;
    } else {
      body = data as Readable;
    }
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream', ...opts.headers };
    if (opts.chunked) headers['transfer-encoding'] = 'chunked';
    else if (length !== null) headers['content-length'] = String(length);
    const q = `path=${encodeURIComponent(path)}${opts.query ? `&${opts.query}` : ''}`;
    const r = await this.request('PUT', `/api/files?${q}`, { headers, body });
    const text = r.body.toString('utf8');
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: r.status, headers: r.headers, body: parsed };
  }

  async resolve(path: string): Promise<any> {
    return (await this.json('GET', `/api/resolve?path=${encodeURIComponent(path)}`, undefined, 200)).body;
  }

  async me(): Promise<{ usedBytes: number; quotaBytes: number; id: string }> {
    return (await this.json('GET', '/api/me', undefined, 200)).body.user;
  }
}
