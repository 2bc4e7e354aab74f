import { Readable } from 'node:stream';
import type { LockRow } from '../../db/locks-repo.js';
import type { NodeRow } from '../../db/nodes-repo.js';
import type { PropertyRow } from '../../db/properties-repo.js';
import { errors, isLoftError } from '../../errors.js';
import type { PropertyOp } from '../../properties/properties-service.js';
import { depthOf, hrefFor, targetNode, type DavContext } from './dav-context.js';
import {
  DAV,
  LIVE_NAMES,
  MULTISTATUS_CLOSE,
  MULTISTATUS_OPEN,
  propTag,
  renderResponse,
  type PropName,
  type PropRequest,
} from './dav-props.js';
import { SHARED_FOLDER_NAME } from '../../nodes/names.js';
import { assertReal, davLookup, isSharesFolder, sharedRoots } from './dav-resolve.js';
import { childElements, escapeXml, parseXml, readXmlBody, serializeElement } from './dav-xml.js';

/** Below this many items an answer is sent whole, with a Content-Length (Windows prefers it). */
const PAGE = 5000;

function parsePropfind(body: Buffer): PropRequest {
  const root = parseXml(body);
  if (!root) return { kind: 'allprop', include: [] };
  if (root.ns !== DAV || root.local !== 'propfind')
    throw errors.invalidXml('Expected a DAV:propfind element.');
  const parts = childElements(root);
  const only = parts.filter((p) => p.ns === DAV);
  const prop = only.find((p) => p.local === 'prop');
  if (prop) return { kind: 'prop', names: childElements(prop).map((e) => ({ ns: e.ns, local: e.local })) };
  if (only.some((p) => p.local === 'propname')) return { kind: 'propname' };
  if (only.some((p) => p.local === 'allprop')) {
    const include = only.find((p) => p.local === 'include');
    return {
      kind: 'allprop',
      include: include ? childElements(include).map((e) => ({ ns: e.ns, local: e.local })) : [],
    };
  }
  throw errors.invalidXml('DAV:propfind needs one of prop, propname or allprop.');
}

/** Which of the costly parts a request needs: dead properties, locks, quota. */
function needs(req: PropRequest) {
  const names: PropName[] = req.kind === 'prop' ? req.names : req.kind === 'allprop' ? req.include : [];
  const named = (local: string) => names.some((n) => n.ns === DAV && n.local === local);
  return {
    dead: req.kind !== 'prop' || req.names.some((n) => n.ns !== DAV || !LIVE_NAMES.has(n.local)),
    locks: req.kind === 'allprop' || named('lockdiscovery'),
    quota: req.kind === 'propname' || named('quota-used-bytes') || named('quota-available-bytes'),
  };
}

function groupDead(rows: PropertyRow[]): Map<string, PropertyRow[]> {
  const m = new Map<string, PropertyRow[]>();
  for (const r of rows) m.set(r.node_id, [...(m.get(r.node_id) ?? []), r]);
  return m;
}

export async function propfind(c: DavContext): Promise<void> {
  const { s, actor } = c;
  const req = parsePropfind(await readXmlBody(c.req.raw));
  const depth = depthOf(c.req, 'infinity');
  const node = await targetNode(c);
  const want = needs(req);
  const now = s.clock.now();
  let quota: { used: number; available: number } | null = null;
  if (want.quota) {
    const u = await s.files.usage(actor);
    quota = { used: u.usedBytes, available: Math.max(0, u.quotaBytes - u.usedBytes - u.reservedBytes) };
  }
  const virtual = isSharesFolder(node);
  // Quota is the user's own: shown on their folders, not on what others shared with them.
  const own = node.owner_id === actor.userId;
  const self = renderResponse(
    {
      href: hrefFor(c, c.path.names, node.kind === 'folder'),
      node,
      dead: want.dead && !virtual ? await s.properties.list(actor, node.id) : [],
      locks: want.locks && !virtual ? await s.locks.covering(node) : [],
      quota: node.kind === 'folder' && own ? quota : null,
      now,
    },
    req,
  );
  c.reply.status(207).type('application/xml; charset=utf-8');
  if (depth === '0' || node.kind === 'file') {
    await c.reply.send(MULTISTATUS_OPEN + self + MULTISTATUS_CLOSE);
    return;
  }
  if (virtual) {
    // What others shared with the user, one level: each shared item under its name here.
    const roots = await sharedRoots(s, actor);
    const dead = want.dead ? groupDead(await s.properties.listFor(roots.map((r) => r.node.id))) : new Map();
    let body = MULTISTATUS_OPEN + self;
    for (const r of roots) {
      body += renderResponse(
        {
          href: hrefFor(c, [...c.path.names, r.name], r.node.kind === 'folder'),
          node: { ...r.node, name: r.name },
          dead: dead.get(r.node.id) ?? [],
          locks: want.locks ? await s.locks.covering(r.node) : [],
          quota: null,
          now,
        },
        req,
      );
    }
    await c.reply.send(body + MULTISTATUS_CLOSE);
    return;
  }
  // At the top of the user's own tree, "Shared with me" when anything is.
  const sharesEntry =
    c.path.names.length === 0 && (await sharedRoots(s, actor)).length > 0
      ? renderResponse(
          {
            href: hrefFor(c, [SHARED_FOLDER_NAME], true),
            node: (await davLookup(s, actor, [SHARED_FOLDER_NAME])).node!,
            dead: [],
            locks: [],
            quota: null,
            now,
          },
          req,
        )
      : '';

  const render = (n: NodeRow, names: string[], dead: Map<string, PropertyRow[]>, locks: LockRow[]) =>
    renderResponse(
      {
        href: hrefFor(c, [...c.path.names, ...names], n.kind === 'folder'),
        node: n,
        dead: dead.get(n.id) ?? [],
        locks,
        quota: n.kind === 'folder' && own ? quota : null,
        now,
      },
      req,
    );

  if (depth === 'infinity') {
    const limit = s.config.davDepthInfinityLimit;
    if (limit === 0) throw errors.depthTooDeep(0);
    const items = await s.nodes.tree(actor, node.id, limit);
    const dead = want.dead ? groupDead(await s.properties.listFor(items.map((i) => i.node.id))) : new Map();
    const parts = [MULTISTATUS_OPEN, self];
    for (const i of items)
      parts.push(render(i.node, i.names, dead, want.locks ? await s.locks.covering(i.node) : []));
    parts.push(MULTISTATUS_CLOSE);
    await c.reply.send(parts.join(''));
    return;
  }

  // Depth 1: the locks that apply to children are known from one look at the tree's locks.
  const lockInfo = want.locks ? await s.locks.coveringChildren(node) : null;
  const dead = want.dead
    ? groupDead(await s.properties.listChildrenOf(node.id))
    : new Map<string, PropertyRow[]>();
  const pageOf = (rows: NodeRow[]) => {
    let out = '';
    for (const n of rows)
      out += render(
        n,
        [n.name],
        dead,
        lockInfo ? [...lockInfo.inherited, ...(lockInfo.byNode.get(n.id) ?? [])] : [],
      );
    return out;
  };
  const pages = s.nodes.childPages(actor, node.id, PAGE);
  const first = await pages.next();
  const firstRows = first.done ? [] : first.value;
  if (firstRows.length < PAGE) {
    await c.reply.send(MULTISTATUS_OPEN + self + sharesEntry + pageOf(firstRows) + MULTISTATUS_CLOSE);
    return;
  }
  // A large folder streams page by page, so memory stays flat whatever its size.
  async function* stream() {
    yield MULTISTATUS_OPEN + self + sharesEntry + pageOf(firstRows);
    for await (const rows of pages) yield pageOf(rows);
    yield MULTISTATUS_CLOSE;
  }
  await c.reply.send(Readable.from(stream()));
}

/** PROPPATCH (RFC 4918 §9.2): every change applies, or none does. */
export async function proppatch(c: DavContext): Promise<void> {
  const root = parseXml(await readXmlBody(c.req.raw));
  if (!root || root.ns !== DAV || root.local !== 'propertyupdate')
    throw errors.invalidXml('Expected a DAV:propertyupdate element.');
  const node = await targetNode(c);
  assertReal(node);
  const ops: PropertyOp[] = [];
  const names: PropName[] = [];
  for (const action of childElements(root)) {
    if (action.ns !== DAV || (action.local !== 'set' && action.local !== 'remove')) continue;
    for (const prop of childElements(action).filter((e) => e.ns === DAV && e.local === 'prop')) {
      for (const p of childElements(prop)) {
        names.push({ ns: p.ns, local: p.local });
        ops.push(
          action.local === 'set'
            ? { op: 'set', ns: p.ns, name: p.local, xml: serializeElement(p) }
            : { op: 'remove', ns: p.ns, name: p.local },
        );
      }
    }
  }
  if (!ops.length)
    throw errors.invalidXml('DAV:propertyupdate needs at least one property to set or remove.');

  const statuses = new Array<string>(ops.length).fill('200 OK');
  // Every DAV: property is the server's (live or reserved): refused, and so is the rest.
  for (const [i, n] of names.entries()) if (n.ns === DAV) statuses[i] = '403 Forbidden';
  let failed = statuses.includes('403 Forbidden');
  if (!failed) {
    try {
      await c.s.properties.patch(c.actor, node.id, ops);
    } catch (e) {
      const index = isLoftError(e) && e.code === 'payload_too_large' ? Number(e.details?.index ?? 0) : -1;
      if (index < 0) throw e;
      failed = true;
      statuses[Math.max(0, index)] = '507 Insufficient Storage';
    }
  }
  if (failed)
    for (let i = 0; i < statuses.length; i++)
      if (statuses[i] === '200 OK') statuses[i] = '424 Failed Dependency';

  let body = `${MULTISTATUS_OPEN}<D:response><D:href>${escapeXml(hrefFor(c, c.path.names, node.kind === 'folder'))}</D:href>`;
  for (const [i, n] of names.entries()) {
    const err =
      statuses[i] === '403 Forbidden' ? '<D:error><D:cannot-modify-protected-property/></D:error>' : '';
    body += `<D:propstat><D:prop>${propTag(n)}</D:prop><D:status>HTTP/1.1 ${statuses[i]}</D:status>${err}</D:propstat>`;
  }
  body += `</D:response>${MULTISTATUS_CLOSE}`;
  await c.reply.status(207).type('application/xml; charset=utf-8').send(body);
}
