import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors } from '../errors.js';
import type { ByteRange } from '../storage/blob-store.js';

export interface Downloadable {
  sha256: string;
  size: number;
  contentType: string;
  modifiedAt: number;
  name: string;
  open(range?: ByteRange): Promise<NodeJS.ReadableStream>;
}

/** RFC 6266: a plain ASCII fallback plus the exact UTF-8 name in filename*. */
export function contentDisposition(kind: 'attachment' | 'inline', name: string): string {
  const fallback =
    name
      .replace(/[^\x20-\x7e]/g, '_')
      .replace(/["\\%]/g, '_')
      .replace(/;/g, '_') || 'download';
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/** Headers that keep user bytes from ever running as a page of our origin. */
export function userContentHeaders(reply: FastifyReply): void {
  reply.header('x-content-type-options', 'nosniff');
  reply.header('content-security-policy', "default-src 'none'; sandbox");
  reply.header('cross-origin-resource-policy', 'same-origin');
  reply.header('x-frame-options', 'DENY');
}

/** Parses a single "bytes=" range. Returns null to ignore the header (then the whole body is sent). */
export function parseRange(header: string, size: number): ByteRange | 'unsatisfiable' | null {
  const m = /^\s*bytes\s*=\s*(.+)$/i.exec(header);
  if (!m) return null;
  const specs = m[1]!
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  // One range only: multipart/byteranges buys clients nothing here, so several ranges get 200.
  if (specs.length !== 1) return null;
  const r = /^(\d*)\s*-\s*(\d*)$/.exec(specs[0]!);
  if (!r || (r[1] === '' && r[2] === '')) return null;
  if (r[1] === '') {
    const suffix = Number(r[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(r[1]);
  const end = r[2] === '' ? size - 1 : Math.min(Number(r[2]), size - 1);
  if (r[2] !== '' && Number(r[2]) < start) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

function etagMatches(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

/** Sends a blob with ETag, Last-Modified, conditional requests and single ranges. */
export async function sendDownload(
  req: FastifyRequest,
  reply: FastifyReply,
  d: Downloadable,
  disposition: 'attachment' | 'inline' = 'attachment',
  /** The entity tag, when the protocol spells the content hash another way (WebDAV). */
  etag = `"${d.sha256}"`,
): Promise<void> {
  const lastModified = new Date(Math.floor(d.modifiedAt / 1000) * 1000);
  reply.header('etag', etag);
  reply.header('last-modified', lastModified.toUTCString());
  reply.header('accept-ranges', 'bytes');
  reply.header('cache-control', 'private, no-cache');
  userContentHeaders(reply);
  reply.header('content-disposition', contentDisposition(disposition, d.name));

  const inm = req.headers['if-none-match'];
  const ims = req.headers['if-modified-since'];
  if (inm ? etagMatches(inm, etag) : ims && Date.parse(ims) >= lastModified.getTime()) {
    await reply.status(304).send();
    return;
  }

  let range: ByteRange | null = null;
  const rangeHeader = req.headers.range;
  if (rangeHeader) {
    const ifRangeRaw = req.headers['if-range'];
    const ifRange = Array.isArray(ifRangeRaw) ? ifRangeRaw[0] : ifRangeRaw;
    const rangeAllowed =
      !ifRange ||
      (ifRange.startsWith('"') ? ifRange.trim() === etag : Date.parse(ifRange) === lastModified.getTime());
    if (rangeAllowed) {
      const parsed = parseRange(rangeHeader, d.size);
      if (parsed === 'unsatisfiable') throw errors.rangeNotSatisfiable(d.size);
      range = parsed;
    }
  }

  reply.type(d.contentType);
  if (range) {
    reply.status(206);
    reply.header('content-range', `bytes ${range.start}-${range.end}/${d.size}`);
    reply.header('content-length', String(range.end - range.start + 1));
  } else {
    reply.header('content-length', String(d.size));
  }
  if (req.method === 'HEAD' || d.size === 0) {
    await reply.send();
    return;
  }
  await reply.send(await d.open(range ?? undefined));
}
