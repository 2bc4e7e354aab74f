import type { LockRow } from '../../db/locks-repo.js';
import type { NodeRow } from '../../db/nodes-repo.js';
import type { PropertyRow } from '../../db/properties-repo.js';
import { escapeXml } from './dav-xml.js';

export const DAV = 'DAV:';

/**
 * A file's entity tag in WebDAV: its SHA-256, in base64url (43 characters, not 64 in hex). If
 * headers repeat it twice beside a lock token, and some clients (litmus among them) cut that
 * header at 200 characters.
 */
export function davEtag(sha256Hex: string): string {
  return `"${Buffer.from(sha256Hex, 'hex').toString('base64url')}"`;
}

/** The hex SHA-256 an If-Match value names, in either spelling; null when it names none. */
export function sha256OfEtag(raw: string): string | null {
  const v = raw.trim().replace(/^W\//, '').replace(/"/g, '');
  if (/^[0-9a-f]{64}$/.test(v)) return v;
  if (/^[A-Za-z0-9_-]{43}$/.test(v)) return Buffer.from(v, 'base64url').toString('hex');
  return null;
}

/** A property name: its namespace URI and local name. */
export interface PropName {
  ns: string;
  local: string;
}

/** What a PROPFIND asks for (RFC 4918 §9.1). */
export type PropRequest =
  { kind: 'allprop'; include: PropName[] } | { kind: 'propname' } | { kind: 'prop'; names: PropName[] };

/** Everything a response about one item needs besides the item itself. */
export interface ItemContext {
  href: string;
  node: NodeRow;
  dead: PropertyRow[];
  locks: LockRow[];
  /** For collections: RFC 4331 quota of the tree's owner. */
  quota: { used: number; available: number } | null;
  /** The href a lock root is shown with, from the URL it was taken on. */
  now: number;
}

const LIVE = [
  'resourcetype',
  'displayname',
  'creationdate',
  'getlastmodified',
  'getcontentlength',
  'getcontenttype',
  'getetag',
  'supportedlock',
  'lockdiscovery',
] as const;
/** RFC 4331: returned when asked for by name (or allprop's include), never by allprop alone. */
const QUOTA = ['quota-used-bytes', 'quota-available-bytes'] as const;
export const LIVE_NAMES: ReadonlySet<string> = new Set([...LIVE, ...QUOTA]);

const SUPPORTED_LOCK =
  '<D:supportedlock><D:lockentry><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>' +
  '<D:lockentry><D:lockscope><D:shared/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry></D:supportedlock>';

const STATUS_200 = '<D:status>HTTP/1.1 200 OK</D:status>';
const STATUS_404 = '<D:status>HTTP/1.1 404 Not Found</D:status>';

/** The value of one live property, or undefined when the item does not have it. */
function liveValue(name: string, c: ItemContext): string | undefined {
  const n = c.node;
  const file = n.kind === 'file';
  switch (name) {
    case 'resourcetype':
      return file ? '<D:resourcetype/>' : '<D:resourcetype><D:collection/></D:resourcetype>';
    case 'displayname':
      return `<D:displayname>${escapeXml(n.name)}</D:displayname>`;
    case 'creationdate':
      return `<D:creationdate>${new Date(Number(n.created_at)).toISOString().replace(/\.\d{3}Z$/, 'Z')}</D:creationdate>`;
    case 'getlastmodified':
      return `<D:getlastmodified>${new Date(Number(n.modified_at)).toUTCString()}</D:getlastmodified>`;
    case 'getcontentlength':
      return file ? `<D:getcontentlength>${Number(n.size)}</D:getcontentlength>` : undefined;
    case 'getcontenttype':
      return file
        ? `<D:getcontenttype>${escapeXml(n.content_type ?? 'application/octet-stream')}</D:getcontenttype>`
        : undefined;
    case 'getetag':
      return file ? `<D:getetag>${davEtag(n.sha256!)}</D:getetag>` : undefined;
    case 'supportedlock':
      return SUPPORTED_LOCK;
    case 'lockdiscovery':
      return lockDiscovery(c.locks, c.now);
    case 'quota-used-bytes':
      return c.quota ? `<D:quota-used-bytes>${c.quota.used}</D:quota-used-bytes>` : undefined;
    case 'quota-available-bytes':
      return c.quota ? `<D:quota-available-bytes>${c.quota.available}</D:quota-available-bytes>` : undefined;
  }
  return undefined;
}

export function lockDiscovery(locks: LockRow[], now: number): string {
  if (!locks.length) return '<D:lockdiscovery/>';
  return `<D:lockdiscovery>${locks.map((l) => activeLock(l, now)).join('')}</D:lockdiscovery>`;
}

export function activeLock(l: LockRow, now: number): string {
  const left = Math.max(0, Math.ceil((Number(l.expires_at) - now) / 1000));
  return (
    `<D:activelock><D:locktype><D:write/></D:locktype><D:lockscope><D:${l.scope}/></D:lockscope>` +
    `<D:depth>${l.depth === 'infinity' ? 'infinity' : '0'}</D:depth>` +
    (l.owner_xml ?? '') +
    `<D:timeout>Second-${left}</D:timeout>` +
    `<D:locktoken><D:href>${escapeXml(l.token)}</D:href></D:locktoken>` +
    `<D:lockroot><D:href>${escapeXml(l.root_href)}</D:href></D:lockroot></D:activelock>`
  );
}

/** An empty element naming a property, in its own namespace. */
export function propTag(p: PropName): string {
  if (p.ns === DAV) return `<D:${p.local}/>`;
  if (p.ns === '') return `<${p.local} xmlns=""/>`;
  return `<X:${p.local} xmlns:X="${escapeXml(p.ns)}"/>`;
}

const deadKey = (ns: string, local: string) => `${ns}\n${local}`;

/** One <D:response> for one item. */
export function renderResponse(c: ItemContext, req: PropRequest): string {
  const open = `<D:response><D:href>${escapeXml(c.href)}</D:href>`;
  if (req.kind === 'propname') {
    const names = [...LIVE.filter((n) => liveValue(n, c) !== undefined), ...(c.quota ? QUOTA : [])].map(
      (n) => `<D:${n}/>`,
    );
    for (const d of c.dead) names.push(propTag({ ns: d.ns, local: d.name }));
    return `${open}<D:propstat><D:prop>${names.join('')}</D:prop>${STATUS_200}</D:propstat></D:response>`;
  }
  let found = '';
  let missing = '';
  if (req.kind === 'allprop') {
    for (const n of LIVE) found += liveValue(n, c) ?? '';
    for (const d of c.dead) found += d.xml;
    for (const p of req.include) {
      if (p.ns !== DAV || !QUOTA.includes(p.local as (typeof QUOTA)[number])) continue;
      const v = liveValue(p.local, c);
      if (v === undefined) missing += propTag(p);
      else found += v;
    }
  } else {
    let deadByName: Map<string, string> | null = null;
    for (const p of req.names) {
      let v: string | undefined;
      if (p.ns === DAV && LIVE_NAMES.has(p.local)) v = liveValue(p.local, c);
      else if (c.dead.length) {
        deadByName ??= new Map(c.dead.map((d) => [deadKey(d.ns, d.name), d.xml]));
        v = deadByName.get(deadKey(p.ns, p.local));
      }
      if (v === undefined) missing += propTag(p);
      else found += v;
    }
  }
  let out = open;
  if (found || !missing) out += `<D:propstat><D:prop>${found}</D:prop>${STATUS_200}</D:propstat>`;
  if (missing) out += `<D:propstat><D:prop>${missing}</D:prop>${STATUS_404}</D:propstat>`;
  return `${out}</D:response>`;
}

export const MULTISTATUS_OPEN = '<?xml version="1.0" encoding="utf-8"?>\n<D:multistatus xmlns:D="DAV:">';
export const MULTISTATUS_CLOSE = '</D:multistatus>\n';
