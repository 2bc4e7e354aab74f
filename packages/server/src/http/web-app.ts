import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import type { App } from './types.js';

/**
 * The single-page web app, served from the same origin as the API: files of the built app
 * (config.webDir) as they are, and index.html for every other GET outside /api/ so deep links
 * such as /files/a/b load the app, which then routes on the client.
 */

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route never needs the caller: no token lookup, no session sliding, no ban check. */
    skipAuth?: boolean;
  }
}

export const WEB_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
  "font-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'self'; " +
  "form-action 'self'; frame-ancestors 'none'";

/** Vite's content-hashed output: the name changes whenever the bytes do. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Everything else (index.html, sw.js, the manifest, icons) is revalidated on every use. */
const REVALIDATE = 'no-cache';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
};

/** First path segments that belong to the server, never to the web app. */
const SERVER_SEGMENTS = new Set(['api', 'healthz', 'readyz', 'metrics']);

interface WebFile {
  handle: fs.FileHandle;
  size: number;
  mtimeMs: number;
  name: string;
}

export function webAppRoutes(app: App, config: Config): void {
  const root = path.resolve(config.webDir);

  app.route({
    method: ['GET', 'HEAD'],
    url: '/*',
    schema: { hide: true },
    config: { skipAuth: true },
    handler: async (req, reply) => {
      const rawPath = req.url.split('?')[0]!;
      const segments = decodeSegments(rawPath);
      const first = segments ? segments[0] : rawPath.split('/')[1];
      // Unknown API paths (and odd paths under the ops endpoints) keep the catalogue's JSON 404.
      if (first !== undefined && SERVER_SEGMENTS.has(first.toLowerCase())) return reply.callNotFound();

      if (segments && isFilePath(segments)) {
        const file = await openWebFile(root, segments);
        if (file) return sendWebFile(req, reply, file, segments[0] === 'assets' ? IMMUTABLE : REVALIDATE);
        // A missing hashed asset is a stale page asking for an old build: a 404 it can detect,
        // not the app's HTML under a script's URL.
        if (segments[0] === 'assets' && segments.length > 1) return reply.callNotFound();
      }

      const index = await openWebFile(root, ['index.html']);
      if (!index) return sendNotBuilt(req, reply);
      return sendWebFile(req, reply, index, REVALIDATE);
    },
  });
}

/** Percent-decoded path segments ("/a/b%20c" → ["a", "b c"]); null when they don't decode. */
function decodeSegments(rawPath: string): string[] | null {
  try {
    return rawPath.split('/').slice(1).map(decodeURIComponent);
  } catch {
    return null;
  }
}

/**
 * Whether the segments can name a file inside the web directory: no empty, hidden, "." or ".."
 * segment, and no separator or NUL smuggled in by percent-encoding. Anything else is never
 * looked up on disk (it gets index.html).
 */
function isFilePath(segments: string[]): boolean {
  return (
    segments.length > 0 &&
    segments.every((s) => s.length > 0 && s.length <= 255 && !s.startsWith('.') && !/[/\\\0]/.test(s))
  );
}

/** Opens a regular file under root, refusing anything that resolves outside it (symlinks included). */
async function openWebFile(root: string, segments: string[]): Promise<WebFile | null> {
  const full = path.join(root, ...segments);
  if (!full.startsWith(root + path.sep)) return null;
  let handle: fs.FileHandle | null = null;
  try {
    const [real, realRoot] = await Promise.all([fs.realpath(full), fs.realpath(root)]);
    if (!real.startsWith(realRoot + path.sep)) return null;
    handle = await fs.open(real, 'r');
    const st = await handle.stat();
    if (!st.isFile()) {
      await handle.close();
      return null;
    }
    return { handle, size: st.size, mtimeMs: st.mtimeMs, name: segments[segments.length - 1]! };
  } catch {
    await handle?.close().catch(() => undefined);
    return null;
  }
}

function typeOf(name: string): string {
  const ext = path.extname(name).toLowerCase();
  return (Object.hasOwn(TYPES, ext) && TYPES[ext]) || 'application/octet-stream';
}

/** Headers every HTML page of the app carries: it only loads its own code, and is never framed. */
function htmlHeaders(reply: FastifyReply): void {
  reply.header('content-security-policy', WEB_CSP);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'same-origin');
  reply.header('x-frame-options', 'DENY');
}

async function sendWebFile(
  req: FastifyRequest,
  reply: FastifyReply,
  file: WebFile,
  cacheControl: string,
): Promise<FastifyReply> {
  const type = typeOf(file.name);
  const etag = `W/"${file.size.toString(16)}-${Math.floor(file.mtimeMs).toString(16)}"`;
  if (type.startsWith('text/html')) htmlHeaders(reply);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('cache-control', cacheControl);
  reply.header('etag', etag);
  reply.header('last-modified', new Date(file.mtimeMs).toUTCString());
  reply.header('content-type', type);

  const inm = req.headers['if-none-match'];
  const notModified = inm
    ? inm.trim() === '*' || inm.split(',').some((t) => t.trim() === etag || `W/${t.trim()}` === etag)
    : false;
  if (notModified || req.method === 'HEAD') {
    await file.handle.close();
    if (notModified) return reply.status(304).send();
    reply.header('content-length', String(file.size));
    return reply.send();
  }
  reply.header('content-length', String(file.size));
  return reply.send(file.handle.createReadStream({ highWaterMark: 256 * 1024 }));
}

const NOT_BUILT = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Loft: the web app is not built</title>
</head>
<body>
<h1>The web app is not built</h1>
<p>This Loft server is running, but it has no web app to show: its <code>index.html</code> is missing.</p>
<p>Run <code>npm run build</code> in the Loft directory (or point <code>LOFT_WEB_DIR</code> at a built
web app), then reload this page.</p>
<p>The API works meanwhile: see <a href="/api/docs">/api/docs</a>.</p>
</body>
</html>
`;

function sendNotBuilt(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  htmlHeaders(reply);
  reply.header('cache-control', 'no-store');
  reply.header('content-type', 'text/html; charset=utf-8');
  reply.status(503);
  if (req.method === 'HEAD') {
    reply.header('content-length', String(Buffer.byteLength(NOT_BUILT)));
    return reply.send();
  }
  return reply.send(NOT_BUILT);
}
