import type { FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import { errors, LoftError } from '../../errors.js';
import { normalizeName } from '../../nodes/names.js';

export const DAV_PREFIX = '/dav';

/** A request URL inside the WebDAV tree, decoded. */
export interface DavPath {
  /** "/dav" or "/dav/<username>": the root the client mounted, encoded as it will be sent back. */
  mount: string;
  /** Item names from the root, NFC-normalized. */
  names: string[];
  trailingSlash: boolean;
}

/**
 * Maps a URL path to names below the user's root. `/dav/<username>/…` is the same tree as
 * `/dav/…`, for clients that want the user in the URL; the first name is read as the user only
 * when it is exactly the signed-in user's name.
 */
export function parseDavPath(rawPath: string, username: string | null): DavPath {
  if (rawPath !== DAV_PREFIX && !rawPath.startsWith(`${DAV_PREFIX}/`)) throw errors.notFound();
  const parts = rawPath.slice(DAV_PREFIX.length).split('/');
  const trailingSlash = rawPath.endsWith('/') && parts.length > 1;
  const names: string[] = [];
  for (const part of parts) {
    if (part === '') continue;
    let decoded: string;
    try {
      decoded = decodeURIComponent(part);
    } catch {
      throw errors.badRequest('The URL is not valid (bad percent-encoding).');
    }
    if (decoded.includes('/')) throw errors.invalidName('a name cannot contain "/"');
    names.push(normalizeName(decoded));
  }
  let mount = DAV_PREFIX;
  if (username && names[0] === username) {
    names.shift();
    mount = `${DAV_PREFIX}/${encodeSegment(username)}`;
  }
  return { mount, names, trailingSlash };
}

/** Percent-encodes one name for a URL path: everything but unreserved characters and a few safe ones. */
export function encodeSegment(name: string): string {
  return encodeURIComponent(name).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

export function hrefOf(mount: string, names: readonly string[], folder: boolean): string {
  if (!names.length) return `${mount}/`;
  return `${mount}/${names.map(encodeSegment).join('/')}${folder ? '/' : ''}`;
}

/** The path part of a request URL, without query string. */
export function pathOfUrl(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/**
 * The Destination header of COPY and MOVE (RFC 4918 §10.3): an absolute URL on this server, or
 * an absolute path. Another host is refused: this server cannot write there.
 */
export function destinationPath(req: FastifyRequest, config: Config): string {
  const raw = req.headers.destination;
  if (typeof raw !== 'string' || !raw.trim())
    throw errors.badRequest('COPY and MOVE need a Destination header.');
  let url: URL;
  try {
    url = new URL(raw.trim(), `${req.protocol}://${req.headers.host ?? 'localhost'}`);
  } catch {
    throw errors.badRequest('The Destination header is not a URL.');
  }
  const here = config.publicUrl ? new URL(config.publicUrl).host : req.headers.host;
  if (url.host !== here && url.host !== req.headers.host)
    throw new LoftError('bad_gateway', 'The Destination is on another server; copy the files there instead.');
  return url.pathname;
}
