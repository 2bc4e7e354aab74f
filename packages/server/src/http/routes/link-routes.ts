import type { FastifyRequest } from 'fastify';
import { Type, type TSchema } from 'typebox';
import type { Config } from '../../config.js';
import { errors } from '../../errors.js';
import type { Visitor } from '../../links/link-access.js';
import type { Services } from '../../services.js';
import { isCrossSite, requireActor } from '../auth.js';
import { contentDisposition, sendDownload, userContentHeaders } from '../download.js';
import { multipartFiles, registerMultipart, requireMultipart, storePart } from '../multipart.js';
import { commonErrors, Id, IdParams, ListQuery } from '../schemas.js';
import type { App } from '../types.js';

/** The cookie a correct link password sets, scoped to that link's public API path. */
export const LINK_GRANT_COOKIE = 'loft_link_grant';
/** The same grant for programs, which send it back as a header. */
export const LINK_GRANT_HEADER = 'x-loft-link-grant';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const Link = Type.Object(
  {
    id: Type.String(),
    nodeId: Type.String(),
    name: Type.String({ description: 'Name of the linked file or folder' }),
    kind: Type.Union([Type.Literal('folder'), Type.Literal('file')]),
    url: Type.String({ description: 'The page visitors open: `<LOFT_PUBLIC_URL or this server>/s/<token>`' }),
    token: Type.String({ description: 'The secret part of the URL (256 bits)' }),
    hasPassword: Type.Boolean(),
    expiresAt: Nullable(Type.Integer({ description: 'Epoch milliseconds' })),
    maxDownloads: Nullable(Type.Integer()),
    uploadOnly: Type.Boolean({ description: 'A file drop: visitors may upload but not list or download' }),
    views: Type.Integer(),
    downloads: Type.Integer(),
    status: Type.Union(
      [Type.Literal('active'), Type.Literal('expired'), Type.Literal('exhausted'), Type.Literal('trashed')],
      {
        description:
          'trashed: the item (or a folder above it) is in the trash; restoring it revives the link',
      },
    ),
    createdAt: Type.Integer(),
    updatedAt: Type.Integer(),
  },
  { $id: 'Link' },
);

const Password = Type.String({ minLength: 1, maxLength: 1024 });
const ExpiresAt = Nullable(
  Type.Integer({ minimum: 0, description: 'Epoch milliseconds, in the future; null: never expires' }),
);
const MaxDownloads = Nullable(
  Type.Integer({ minimum: 1, maximum: 1_000_000_000, description: 'null: no limit' }),
);
const UploadOnly = Type.Boolean({ description: 'Folders only: a file drop' });

const LinkIdParams = Type.Object({ linkId: Id });
const TokenParams = Type.Object({ token: Type.String({ maxLength: 256 }) });
const PathQuery = Type.Object({
  path: Type.Optional(
    Type.String({
      maxLength: 4096,
      description: 'Path inside the linked folder, "/" (default) being the linked item itself',
    }),
  ),
});

const PublicNode = Type.Object({
  name: Type.String(),
  kind: Type.Union([Type.Literal('folder'), Type.Literal('file')]),
  size: Type.Integer(),
  contentType: Nullable(Type.String()),
  modifiedAt: Type.Integer(),
});

const PublicLinkInfo = Type.Object({
  kind: Type.Union([Type.Literal('folder'), Type.Literal('file')]),
  name: Nullable(Type.String({ description: 'null until the password is given' })),
  size: Nullable(Type.Integer({ description: 'Files only; null until the password is given' })),
  contentType: Nullable(Type.String()),
  modifiedAt: Nullable(Type.Integer()),
  passwordRequired: Type.Boolean({
    description: 'The link has a password and this request carries no valid grant',
  }),
  uploadOnly: Type.Boolean(),
  expiresAt: Nullable(Type.Integer()),
  downloadsLeft: Nullable(Type.Integer()),
});

const ownerTags = ['links'];
const publicTags = ['public links'];
/** Public routes need no account: the OpenAPI document says so per operation. */
const noAuth = { security: [] as Record<string, string[]>[] };

const publicErrors = (...codes: number[]): Record<number, TSchema> =>
  Object.fromEntries([400, 404, 410, ...codes].map((c) => [c, Type.Ref('Error')]));

/** The server's origin as visitors reach it, for link URLs. */
const originOf = (req: FastifyRequest, config: Config) => config.publicUrl ?? `${req.protocol}://${req.host}`;

/** A URL as logged: a link's token is a working key, so it never reaches the logs. */
export const redactLinkToken = (url: string): string =>
  url.replace(/^(\/api\/public\/links\/|\/s\/)[^/?#]+/, '$1[token]');

/** Fastify's request log serializer, with the link token taken out of the URL. */
export const logRequest = (req: FastifyRequest) => ({
  method: req.method,
  url: redactLinkToken(req.url),
  version: [req.headers?.['accept-version']].flat()[0],
  host: req.host,
  remoteAddress: req.ip,
  remotePort: req.socket?.remotePort,
});

function visitorOf(req: FastifyRequest): Visitor {
  const header = req.headers[LINK_GRANT_HEADER];
  const grant = (typeof header === 'string' && header) || req.cookies[LINK_GRANT_COOKIE] || null;
  return { ip: req.ip, grant };
}

/** Headers sendDownload sets that must not stay on an error answer (a download refused at the last step). */
const DOWNLOAD_HEADERS = [
  'etag',
  'last-modified',
  'accept-ranges',
  'content-disposition',
  'content-range',
  'content-length',
];

export function linkRoutes(app: App, s: Services): void {
  app.addSchema(Link);
  const refuseCrossSite = async (req: FastifyRequest) => {
    if (isCrossSite(req, s.config)) throw errors.csrf();
  };

  // ---- the owner's side ------------------------------------------------------------------------

  app.post(
    '/api/nodes/:id/links',
    {
      schema: {
        tags: ownerTags,
        summary: 'Create a public link to a file or folder',
        description:
          'Only the owner of the item can link it. The answer carries the URL to give out; it can be read again later.',
        params: IdParams,
        body: Type.Object(
          {
            password: Type.Optional(Password),
            expiresAt: Type.Optional(ExpiresAt),
            maxDownloads: Type.Optional(MaxDownloads),
            uploadOnly: Type.Optional(UploadOnly),
          },
          { additionalProperties: false },
        ),
        response: { 201: Link, ...commonErrors(403, 404, 409) },
      },
    },
    async (req, reply) => {
      const link = await s.links.create(requireActor(req), req.params.id, req.body, originOf(req, s.config));
      return reply.status(201).send(link);
    },
  );

  app.get(
    '/api/links',
    {
      schema: {
        tags: ownerTags,
        summary: 'My public links, newest first, with views and downloads',
        description: 'Pass nextCursor back as cursor for the next page; nodeId keeps the links of one item.',
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
          cursor: Type.Optional(Type.String({ maxLength: 512 })),
          nodeId: Type.Optional(Id),
        }),
        response: {
          200: Type.Object({ items: Type.Array(Link), nextCursor: Nullable(Type.String()) }),
          ...commonErrors(),
        },
      },
    },
    async (req) =>
      s.links.list(
        requireActor(req),
        { limit: req.query.limit ?? 50, cursor: req.query.cursor ?? null, nodeId: req.query.nodeId ?? null },
        originOf(req, s.config),
      ),
  );

  app.get(
    '/api/links/:linkId',
    {
      schema: {
        tags: ownerTags,
        summary: 'One of my public links',
        params: LinkIdParams,
        response: { 200: Link, ...commonErrors(404) },
      },
    },
    async (req) => s.links.get(requireActor(req), req.params.linkId, originOf(req, s.config)),
  );

  app.patch(
    '/api/links/:linkId',
    {
      schema: {
        tags: ownerTags,
        summary: 'Change a public link',
        description:
          'Fields left out stay as they are. password: null removes the password; a new password ends every visitor grant.',
        params: LinkIdParams,
        body: Type.Object(
          {
            password: Type.Optional(Nullable(Password)),
            expiresAt: Type.Optional(ExpiresAt),
            maxDownloads: Type.Optional(MaxDownloads),
            uploadOnly: Type.Optional(UploadOnly),
          },
          { additionalProperties: false },
        ),
        response: { 200: Link, ...commonErrors(404, 409) },
      },
    },
    async (req) => s.links.update(requireActor(req), req.params.linkId, req.body, originOf(req, s.config)),
  );

  app.delete(
    '/api/links/:linkId',
    {
      schema: {
        tags: ownerTags,
        summary: 'Revoke a public link',
        description: 'The URL stops working from the next request.',
        params: LinkIdParams,
        response: { 204: Type.Null(), ...commonErrors(404) },
      },
    },
    async (req, reply) => {
      await s.links.revoke(requireActor(req), req.params.linkId);
      return reply.status(204).send(null);
    },
  );

  for (const format of ['svg', 'png'] as const) {
    app.get(
      `/api/links/:linkId/qr.${format}`,
      {
        schema: {
          tags: ownerTags,
          summary: `QR code of a link's URL (${format.toUpperCase()})`,
          params: LinkIdParams,
          produces: [format === 'svg' ? 'image/svg+xml' : 'image/png'],
        },
      },
      async (req, reply) => {
        const image = await s.links.qr(requireActor(req), req.params.linkId, originOf(req, s.config), format);
        userContentHeaders(reply);
        // The image holds the link's secret URL: never kept by a shared cache.
        reply.header('cache-control', 'private, no-store');
        return reply.type(format === 'svg' ? 'image/svg+xml' : 'image/png').send(image);
      },
    );
  }

  // ---- visitors: anonymous, through the token -----------------------------------------------

  void app.register(async (pub: App) => {
    pub.addHook('onRequest', async (_req, reply) => {
      // The token is in the URL: keep it out of Referer headers and search engines.
      reply.header('referrer-policy', 'no-referrer');
      reply.header('x-robots-tag', 'noindex, nofollow');
    });
    const config = { skipAuth: true };

    pub.get(
      '/api/public/links/:token',
      {
        config,
        schema: {
          ...noAuth,
          tags: publicTags,
          summary: 'What a public link points to',
          description:
            'Always answers, password or not; the name, size, type and date come only with a valid grant. ' +
            'Counts a view. 404: unknown or revoked; 410: expired (link_expired) or used up (link_exhausted).',
          params: TokenParams,
          response: { 200: PublicLinkInfo, ...publicErrors() },
        },
      },
      async (req, reply) => {
        reply.header('cache-control', 'no-store');
        return s.publicLinks.info(req.params.token, visitorOf(req), { countView: req.method === 'GET' });
      },
    );

    pub.post(
      '/api/public/links/:token/unlock',
      {
        config,
        onRequest: refuseCrossSite,
        schema: {
          ...noAuth,
          tags: publicTags,
          summary: "Give a link's password",
          description:
            `Sets an HttpOnly cookie scoped to this link's API path and returns the same grant, which programs send back in the \`${LINK_GRANT_HEADER}\` header. ` +
            'Wrong passwords are throttled per link and per address (429 with Retry-After).',
          params: TokenParams,
          body: Type.Object({ password: Type.String({ maxLength: 1024 }) }),
          response: {
            200: Type.Object({ grant: Type.String(), expiresAt: Type.Integer() }),
            ...publicErrors(401, 403, 429),
          },
        },
      },
      async (req, reply) => {
        const { token } = req.params;
        const { grant, expiresAt, ttlMs } = await s.publicLinks.unlock(token, req.body.password, req.ip);
        void reply.setCookie(LINK_GRANT_COOKIE, grant, {
          path: `/api/public/links/${token}`,
          httpOnly: true,
          sameSite: 'lax',
          secure: s.config.publicUrl ? s.config.publicUrl.startsWith('https:') : req.protocol === 'https',
          maxAge: Math.floor(ttlMs / 1000),
        });
        reply.header('cache-control', 'no-store');
        return { grant, expiresAt };
      },
    );

    pub.get(
      '/api/public/links/:token/children',
      {
        config,
        schema: {
          ...noAuth,
          tags: publicTags,
          summary: 'List a folder inside a public link',
          description:
            'Like the signed-in listing: folders first, keyset pages, total on the first page. Not for file drops (403).',
          params: TokenParams,
          querystring: Type.Object({ ...PathQuery.properties, ...ListQuery.properties }),
          response: {
            200: Type.Object({
              path: Type.String(),
              items: Type.Array(PublicNode),
              nextCursor: Nullable(Type.String()),
              total: Type.Optional(Type.Integer({ minimum: 0 })),
            }),
            ...publicErrors(401, 403, 409),
          },
        },
      },
      async (req, reply) => {
        reply.header('cache-control', 'no-store');
        return s.publicLinks.list(req.params.token, visitorOf(req), req.query.path, {
          sort: req.query.sort ?? 'name',
          order: req.query.order ?? 'asc',
          limit: req.query.limit ?? 100,
          cursor: req.query.cursor ?? null,
          total: req.query.total ?? false,
        });
      },
    );

    pub.get(
      '/api/public/links/:token/content',
      {
        config,
        schema: {
          ...noAuth,
          tags: publicTags,
          summary: 'Download a file through a public link',
          description:
            'Same download as the signed-in one (Range, ETag, conditional requests). Each download from the ' +
            'first byte counts; a Range continuing one does not. 410 link_exhausted once the limit is reached.',
          params: TokenParams,
          querystring: PathQuery,
        },
      },
      async (req, reply) => {
        const content = await s.publicLinks.openContent(req.params.token, visitorOf(req), req.query.path);
        await sendDownload(req, reply, {
          ...content,
          open: async (range) => {
            try {
              return await content.open(range);
            } catch (e) {
              // Refused at the last moment (the limit was reached meanwhile): answer a plain error.
              for (const h of DOWNLOAD_HEADERS) reply.removeHeader(h);
              throw e;
            }
          },
        });
      },
    );

    pub.get(
      '/api/public/links/:token/zip',
      {
        config,
        schema: {
          ...noAuth,
          tags: publicTags,
          summary: 'Download a public link (or a folder inside it) as a zip, streamed',
          description: 'Each zip counts as one download.',
          params: TokenParams,
          querystring: PathQuery,
          produces: ['application/zip'],
        },
      },
      async (req, reply) => {
        const { name, stream } = await s.publicLinks.zip(req.params.token, visitorOf(req), req.query.path, {
          count: req.method === 'GET',
        });
        userContentHeaders(reply);
        reply.header('content-disposition', contentDisposition('attachment', name));
        reply.header('cache-control', 'private, no-store');
        reply.type('application/zip');
        return stream ? reply.send(stream) : reply.send();
      },
    );

    // File drops: multipart uploads, each file streamed into the owner's folder.
    await registerMultipart(pub);

    pub.post(
      '/api/public/links/:token/files',
      {
        config,
        onRequest: refuseCrossSite,
        schema: {
          ...noAuth,
          tags: publicTags,
          summary: 'Upload files into a file drop (multipart/form-data)',
          description:
            'Only for upload-only links. Files go into the owner’s folder and quota; a taken name gets a free ' +
            'one ("a (1).txt"), nothing is overwritten. The answer repeats the names as sent.',
          params: TokenParams,
          querystring: PathQuery,
          response: {
            201: Type.Object({
              items: Type.Array(Type.Object({ name: Type.String(), size: Type.Integer() })),
            }),
            ...publicErrors(401, 403, 409, 415, 507),
          },
        },
      },
      async (req, reply) => {
        const { token } = req.params;
        const visitor = visitorOf(req);
        await s.publicLinks.checkDrop(token, visitor, req.query.path);
        requireMultipart(req);
        const items = [];
        for await (const part of multipartFiles(req)) {
          const r = await storePart(
            part,
            s.publicLinks.upload(token, visitor, req.query.path, {
              filename: part.filename,
              body: part.file,
              contentType: part.mimetype,
            }),
          );
          items.push(r);
        }
        return reply.status(201).send({ items });
      },
    );
  });
}
