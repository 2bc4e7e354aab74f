import { randomBytes } from 'node:crypto';
import { Client } from './client.js';
import type { TestServer } from './server.js';

/** Shared by the authorization matrices: a request described as data, sent with given credentials. */
export interface Req {
  method: string;
  path: string;
  json?: unknown;
  raw?: string;
  multipart?: { filename: string; content: string };
  headers?: Record<string, string>;
}

/** The routes Fastify knows, read from its route tree. */
export function registeredRoutes(server: TestServer): Set<string> {
  const out = new Set<string>();
  const stack: string[] = [];
  for (const line of server.app.http.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│ ]*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    // The tree prints the catch-all "/*" at the top as a bare "*".
    const parent = depth > 0 ? stack[depth - 1]! : '';
    // A wildcard under a static route ("/dav" then "/dav/*") is printed as a bare "*" child.
    const label = m[2] === '*' && parent && !parent.endsWith('/') ? '/*' : m[2]!;
    const full = depth > 0 ? parent + label : label.replace(/^(?!\/)/, '/');
    stack[depth] = full;
    stack.length = depth + 1;
    for (const method of m[3]?.split(',') ?? []) out.add(`${method.trim()} ${full}`);
  }
  return out;
}

export interface Auth {
  bearer?: string;
  cookie?: string;
}

export interface Answer {
  status: number;
  text: string;
  body: any;
}

export async function send(
  base: string,
  auth: Auth | null,
  r: Req,
  extra: Record<string, string> = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...r.headers, ...extra };
  if (auth?.bearer) headers.authorization = `Bearer ${auth.bearer}`;
  if (auth?.cookie) headers.cookie = auth.cookie;
  let body: Buffer | undefined;
  if (r.json !== undefined) {
    body = Buffer.from(JSON.stringify(r.json));
    headers['content-type'] = 'application/json';
  } else if (r.raw !== undefined) {
    body = Buffer.from(r.raw);
    headers['content-type'] = 'text/plain';
  } else if (r.multipart) {
    const boundary = `----loft${randomBytes(8).toString('hex')}`;
    body = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${r.multipart.filename}"\r\n` +
        `Content-Type: text/plain\r\n\r\n${r.multipart.content}\r\n--${boundary}--\r\n`,
    );
    headers['content-type'] = `multipart/form-data; boundary=${boundary}`;
  }
  if (body) headers['content-length'] = String(body.length);
  const res = await new Client(base).request(r.method, r.path, { headers, body, auth: false });
  const text = res.body.toString('utf8');
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = xmlError(text) ?? text;
  }
  return { status: res.status, text, body: parsed };
}

/** A WebDAV error body, read into the JSON error shape so one set of checks fits both. */
function xmlError(text: string): { error: { code: string; message: string } } | null {
  const code = /<L:code>([^<]*)<\/L:code>/.exec(text)?.[1];
  const message = /<L:message>([^<]*)<\/L:message>/.exec(text)?.[1];
  return code && message !== undefined ? { error: { code, message } } : null;
}
