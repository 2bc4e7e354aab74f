import { Readable } from 'node:stream';
import { errors } from '../../errors.js';
import { depthOf, hrefFor, targetNode, type DavContext } from './dav-context.js';
import { activeLock, DAV } from './dav-props.js';
import { childElements, findChild, parseXml, readXmlBody, serializeElement } from './dav-xml.js';
import { assertReal, davLookup } from './dav-resolve.js';
import { parentFolder } from './dav-write.js';

/** The first acceptable value of a Timeout header ("Second-600, Infinite"); null for none. */
export function parseTimeout(raw: string | string[] | undefined): number | null {
  if (typeof raw !== 'string') return null;
  for (const part of raw.split(',')) {
    const v = part.trim();
    if (/^infinite$/i.test(v)) return Number.MAX_SAFE_INTEGER;
    const m = /^second-(\d{1,12})$/i.exec(v);
    if (m) return Number(m[1]);
  }
  return null;
}

/**
 * LOCK (RFC 4918 §9.10): a new lock from a lockinfo body, or with no body a refresh of the lock
 * the If header names. Locking a URL where nothing is yet creates an empty file there (§7.3), as
 * the clients that do it (Finder, Office) expect.
 */
export async function lock(c: DavContext): Promise<void> {
  const body = parseXml(await readXmlBody(c.req.raw));
  const timeout = parseTimeout(c.req.headers.timeout);
  if (!body) {
    const tokens = c.actor.lockTokens ?? [];
    if (!tokens.length)
      throw errors.badRequest('A LOCK without a body refreshes a lock: send its token in the If header.');
    const node = await targetNode(c);
    const refreshed = await c.s.locks.refresh(c.actor, node.id, tokens, timeout);
    await sendLock(c, 200, activeLock(refreshed, c.s.clock.now()));
    return;
  }
  if (body.ns !== DAV || body.local !== 'lockinfo')
    throw errors.invalidXml('Expected a DAV:lockinfo element.');
  const scopeEl = findChild(body, DAV, 'lockscope');
  const scope = scopeEl && childElements(scopeEl).find((e) => e.ns === DAV)?.local;
  if (scope !== 'exclusive' && scope !== 'shared')
    throw errors.invalidXml('DAV:lockscope must be exclusive or shared.');
  const typeEl = findChild(body, DAV, 'locktype');
  if (!typeEl || !findChild(typeEl, DAV, 'write')) throw errors.invalidXml('Only DAV:write locks exist.');
  const owner = findChild(body, DAV, 'owner');
  const depth = depthOf(c.req, 'infinity');
  if (depth === '1') throw errors.badRequest('LOCK takes Depth: 0 or infinity.');

  let { node } = await davLookup(c.s, c.actor, c.path.names);
  if (node) assertReal(node);
  let status = 200;
  if (!node) {
    const name = c.path.names[c.path.names.length - 1];
    if (name === undefined) throw errors.notFound();
    const folder = await parentFolder(c, c.path.names);
    const created = await c.s.files.uploadInto(c.actor, folder.id, name, {
      body: Readable.from([]),
      length: 0,
      contentType: null,
      conflict: 'fail',
    });
    node = (await davLookup(c.s, c.actor, c.path.names)).node;
    if (!node || node.id !== created.node.id) throw errors.notFound();
    status = 201;
  }
  const row = await c.s.locks.lock(c.actor, node.id, {
    scope,
    depth: node.kind === 'file' ? '0' : depth,
    ownerXml: owner ? serializeElement(owner) : null,
    rootHref: hrefFor(c, c.path.names, node.kind === 'folder'),
    timeoutSeconds: timeout,
  });
  c.reply.header('lock-token', `<${row.token}>`);
  await sendLock(c, status, activeLock(row, c.s.clock.now()));
}

async function sendLock(c: DavContext, status: number, active: string): Promise<void> {
  await c.reply
    .status(status)
    .type('application/xml; charset=utf-8')
    .send(
      `<?xml version="1.0" encoding="utf-8"?>\n<D:prop xmlns:D="DAV:"><D:lockdiscovery>${active}</D:lockdiscovery></D:prop>\n`,
    );
}

export async function unlock(c: DavContext): Promise<void> {
  const raw = c.req.headers['lock-token'];
  const m = typeof raw === 'string' ? /^\s*<([^>]+)>\s*$/.exec(raw) : null;
  if (!m) throw errors.badRequest('UNLOCK needs a Lock-Token header: <urn:uuid:…>.');
  const node = await targetNode(c);
  await c.s.locks.unlock(c.actor, node.id, m[1]!);
  await c.reply.status(204).send();
}
