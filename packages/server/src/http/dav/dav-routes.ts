import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors, LoftError } from '../../errors.js';
import type { Services } from '../../services.js';
import { sendDownload } from '../download.js';
import { installErrorHandling } from '../error-handler.js';
import type { App } from '../types.js';
import { davActor } from './dav-auth.js';
import { davContext, targetNode, type DavContext } from './dav-context.js';
import { davRenderer } from './dav-errors.js';
import { lock, unlock } from './dav-locks.js';
import { DAV_PREFIX } from './dav-paths.js';
import { davEtag } from './dav-props.js';
import { propfind, proppatch } from './dav-propfind.js';
import { copyOrMove, del, mkcol, put } from './dav-write.js';

export const DAV_METHODS = ['PROPFIND', 'PROPPATCH', 'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK'] as const;
const ALLOW = 'OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, MKCOL, COPY, MOVE, LOCK, UNLOCK';

/** Fastify only routes methods it knows: WebDAV's are registered once, on the root instance. */
export function addDavMethods(app: App): void {
  for (const m of DAV_METHODS) if (!app.supportedMethods.includes(m)) app.addHttpMethod(m, { hasBody: true });
}

/** Headers every WebDAV client looks for: class 1 and 2, and Microsoft's authoring hint. */
function davHeaders(reply: FastifyReply): void {
  reply.header('dav', '1, 2');
  reply.header('ms-author-via', 'DAV');
  reply.header('allow', ALLOW);
}

type Handler = (c: DavContext) => Promise<void>;

const HANDLERS: Record<string, Handler> = {
  PROPFIND: propfind,
  PROPPATCH: proppatch,
  MKCOL: mkcol,
  PUT: put,
  DELETE: del,
  COPY: (c) => copyOrMove(c, false),
  MOVE: (c) => copyOrMove(c, true),
  LOCK: lock,
  UNLOCK: unlock,
  GET: get,
  HEAD: get,
};

async function get(c: DavContext): Promise<void> {
  const node = await targetNode(c);
  if (node.kind === 'folder') {
    // A browser opening the address: say what it is, never an HTML page built from file names.
    await c.reply
      .type('text/plain; charset=utf-8')
      .send(
        `This is a WebDAV folder of Loft. Connect to it with a WebDAV client, or open ${c.req.protocol}://${c.req.headers.host}/ in a browser.\n`,
      );
    return;
  }
  const content = await c.s.files.openContent(c.actor, node.id);
  await sendDownload(c.req, c.reply, content, 'attachment', davEtag(content.sha256));
}

/**
 * The WebDAV tree at /dav/ (and /dav/<username>/). Requests go through the same services as the
 * REST API; this layer only speaks the protocol: URLs to names, XML in and out, status codes.
 */
export function davRoutes(app: App, s: Services): void {
  void app.register(async (dav: App) => {
    // Bodies are streamed (PUT) or read bounded (XML) by the handlers, never by a parser.
    dav.removeAllContentTypeParsers();
    dav.addContentTypeParser('*', (_req, _payload, done) => done(null));
    installErrorHandling(dav, davRenderer, { notFound: false });

    const handle = async (req: FastifyRequest, reply: FastifyReply) => {
      davHeaders(reply);
      if (req.method === 'OPTIONS') return reply.status(200).header('content-length', '0').send();
      const actor = await davActor(req, s.accounts, s.config);
      if (!actor) throw errors.unauthenticated();
      const handler = HANDLERS[req.method];
      if (!handler) throw new LoftError('method_not_allowed', `${req.method} is not a WebDAV method here.`);
      await handler(await davContext(s, req, reply, actor));
      return reply;
    };
    const opts = { schema: { hide: true }, config: { skipAuth: true }, exposeHeadRoute: false };
    const methods = ['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', ...DAV_METHODS];
    dav.route({ method: methods, url: DAV_PREFIX, ...opts, handler: handle });
    dav.route({ method: methods, url: `${DAV_PREFIX}/*`, ...opts, handler: handle });
  });

  // Windows' Mini-Redirector asks the server root whether it speaks WebDAV before it mounts a folder.
  app.route({
    method: 'OPTIONS',
    url: '/',
    schema: { hide: true },
    config: { skipAuth: true },
    handler: async (_req, reply) => {
      davHeaders(reply);
      return reply.status(200).header('content-length', '0').send();
    },
  });
}
