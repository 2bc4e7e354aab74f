import { Type } from 'typebox';
import type { Services } from '../../services.js';
import { requireActor } from '../auth.js';
import { commonErrors, IdParams, NodeWithPath, TrashItem } from '../schemas.js';
import type { App } from '../types.js';

export function trashRoutes(app: App, s: Services): void {
  const tags = ['trash'];
  app.get(
    '/api/trash',
    {
      schema: {
        tags,
        summary: 'List the trash',
        description: 'Newest first. purgeAt is when the daily job deletes the item for good.',
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
          cursor: Type.Optional(Type.String({ maxLength: 512 })),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(TrashItem),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...commonErrors(),
        },
      },
    },
    async (req) =>
      s.trash.list(requireActor(req), { limit: req.query.limit ?? 100, cursor: req.query.cursor ?? null }),
  );

  app.post(
    '/api/trash/:id/restore',
    {
      schema: {
        tags,
        summary: 'Restore an item to its original folder',
        description:
          'The folder is recreated if it is gone; a name taken meanwhile becomes "name (restored)".',
        params: IdParams,
        response: { 200: NodeWithPath, ...commonErrors(404, 507) },
      },
    },
    async (req) => s.trash.restore(requireActor(req), req.params.id),
  );

  app.delete(
    '/api/trash/:id',
    {
      schema: {
        tags,
        summary: 'Delete an item forever',
        params: IdParams,
        response: { 204: Type.Null(), ...commonErrors(404) },
      },
    },
    async (req, reply) => {
      await s.trash.deleteForever(requireActor(req), req.params.id);
      return reply.status(204).send(null);
    },
  );

  app.delete(
    '/api/trash',
    {
      schema: {
        tags,
        summary: 'Empty the trash',
        response: { 200: Type.Object({ purged: Type.Integer() }), ...commonErrors() },
      },
    },
    async (req) => ({ purged: await s.trash.empty(requireActor(req)) }),
  );
}
