import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../../accounts/actor.js';
import type { NodeRow } from '../../db/nodes-repo.js';
import { errors, isLoftError } from '../../errors.js';
import type { Services } from '../../services.js';
import { davEtag } from './dav-props.js';
import { davLookup, isSharesFolder } from './dav-resolve.js';
import { hrefOf, parseDavPath, pathOfUrl, type DavPath } from './dav-paths.js';
import {
  evaluateIf,
  parseIfHeader,
  resourcesOf,
  submittedTokens,
  type IfResourceState,
} from './if-header.js';

/** One WebDAV request, authenticated, with its URL resolved to names and its If header applied. */
export interface DavContext {
  s: Services;
  req: FastifyRequest;
  reply: FastifyReply;
  /** The caller, carrying the lock tokens the request submitted. */
  actor: Actor;
  path: DavPath;
}

export async function davContext(
  s: Services,
  req: FastifyRequest,
  reply: FastifyReply,
  actor: Actor,
): Promise<DavContext> {
  const path = parseDavPath(pathOfUrl(req.url), actor.username);
  const header = req.headers.if;
  let tokens: string[] = [];
  if (typeof header === 'string' && header.trim()) {
    const lists = parseIfHeader(header);
    const states = new Map<string | null, IfResourceState | undefined>();
    for (const r of resourcesOf(lists)) states.set(r, await stateOf(s, actor, r === null ? path : r));
    if (!evaluateIf(lists, (r) => states.get(r))) throw errors.preconditionFailed();
    tokens = submittedTokens(lists);
  }
  return { s, req, reply, actor: { ...actor, lockTokens: tokens }, path };
}

/** The etag and applicable lock tokens of the item at a URL; undefined when nothing is there. */
async function stateOf(
  s: Services,
  actor: Actor,
  at: DavPath | string,
): Promise<IfResourceState | undefined> {
  let names: string[];
  try {
    names = typeof at === 'string' ? parseDavPath(at, actor.username).names : at.names;
  } catch (e) {
    // A tagged URL outside the WebDAV tree, or one that does not decode, names no resource here.
    if (isLoftError(e)) return undefined;
    throw e;
  }
  const { node } = await davLookup(s, actor, names);
  if (!node || isSharesFolder(node)) return node ? { etag: null, lockTokens: [] } : undefined;
  const locks = await s.locks.covering(node);
  return {
    etag: node.kind === 'file' ? davEtag(node.sha256!) : null,
    lockTokens: locks.map((l) => l.token),
  };
}

/** The item the request URL names, or 404. */
export async function targetNode(c: DavContext): Promise<NodeRow> {
  const { node } = await davLookup(c.s, c.actor, c.path.names);
  if (!node) throw errors.notFound();
  return node;
}

export const hrefFor = (c: DavContext, names: readonly string[], folder: boolean) =>
  hrefOf(c.path.mount, names, folder);

/** The Depth header: "0", "1" or "infinity"; `fallback` when absent. */
export function depthOf(req: FastifyRequest, fallback: '0' | '1' | 'infinity'): '0' | '1' | 'infinity' {
  const raw = req.headers.depth;
  if (raw === undefined) return fallback;
  const v = String(raw).trim().toLowerCase();
  if (v === '0' || v === '1' || v === 'infinity') return v;
  throw errors.badRequest('The Depth header must be 0, 1 or infinity.');
}

/**
 * Whether a method that takes no body got one. The body is read to its end and dropped: leaving
 * the loop early would destroy the request, and the socket with it, before the answer is sent.
 */
export async function hasBody(req: FastifyRequest): Promise<boolean> {
  let any = false;
  for await (const chunk of req.raw as AsyncIterable<Buffer>) if (chunk.length) any = true;
  return any;
}
