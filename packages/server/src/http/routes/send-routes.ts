import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { errors } from '../../errors.js';
import type { Services } from '../../services.js';
import { requireActor } from '../auth.js';
import { commonErrors, Id } from '../schemas.js';
import type { App } from '../types.js';

const Send = Type.Object({
  id: Type.String(),
  name: Type.String(),
  size: Type.Integer(),
  contentType: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.Integer(),
  expiresAt: Type.Integer(),
  link: Type.Ref('Link'),
});

const originOf = (req: FastifyRequest, s: Services) => s.config.publicUrl ?? `${req.protocol}://${req.host}`;

export function sendRoutes(app: App, s: Services): void {
  const tags = ['sends'];

  // The body is the file, streamed: no parser may touch it.
  void app.register(async (raw: App) => {
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser('*', (_req, _payload, done) => done(null));
    raw.post(
      '/api/sends',
      {
        schema: {
          tags,
          summary: 'Send a file: upload it behind a public link that expires',
          description:
            'The request body is the file (Content-Length or chunked). The send lasts `lifetime` minutes (2 hours by default, at most what the server allows), counts in your quota until then, and comes with a link and its QR code. Past the per-user limit of active sends, the oldest is deleted.',
          querystring: Type.Object({
            name: Type.String({ minLength: 1, maxLength: 1024, description: 'File name' }),
            lifetime: Type.Optional(Type.Integer({ minimum: 1, description: 'Minutes' })),
            maxDownloads: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000 })),
          }),
          response: { 201: Send, ...commonErrors(409, 507) },
        },
      },
      async (req, reply) => {
        const len = req.headers['content-length'];
        const length = len === undefined ? null : Number(len);
        if (length !== null && (!Number.isSafeInteger(length) || length < 0))
          throw errors.badRequest('Invalid Content-Length.');
        const send = await s.sends.create(
          requireActor(req),
          {
            body: req.raw,
            length,
            contentType: req.headers['content-type'] ?? null,
            ifMatch: null,
            name: req.query.name,
            ...(req.query.lifetime ? { lifetimeMs: req.query.lifetime * 60_000 } : {}),
            maxDownloads: req.query.maxDownloads ?? null,
          },
          originOf(req, s),
        );
        return reply.status(201).send(send);
      },
    );
  });

  app.get(
    '/api/sends',
    {
      schema: {
        tags,
        summary: 'My active sends, newest first',
        response: { 200: Type.Object({ items: Type.Array(Send) }), ...commonErrors() },
      },
    },
    async (req) => ({ items: await s.sends.list(requireActor(req), originOf(req, s)) }),
  );

  app.delete(
    '/api/sends/:id',
    {
      schema: {
        tags,
        summary: 'End a send now (the file and its link go)',
        params: Type.Object({ id: Id }),
        response: { 204: Type.Null(), ...commonErrors(404) },
      },
    },
    async (req, reply) => {
      await s.sends.delete(requireActor(req), req.params.id);
      return reply.status(204).send(null);
    },
  );
}
