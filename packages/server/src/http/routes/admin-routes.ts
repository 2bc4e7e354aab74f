import { Type } from 'typebox';
import type { Services } from '../../services.js';
import { requireActor } from '../auth.js';
import { commonErrors, IdParams, User } from '../schemas.js';
import type { App } from '../types.js';

export function adminRoutes(app: App, s: Services): void {
  const tags = ['admin'];
  app.get(
    '/api/admin/users',
    {
      schema: {
        tags,
        summary: 'List users (admins only)',
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
          after: Type.Optional(Type.String({ maxLength: 64 })),
        }),
        response: { 200: Type.Object({ items: Type.Array(User) }), ...commonErrors(403) },
      },
    },
    async (req) => ({
      items: await s.admin.listUsers(requireActor(req), {
        limit: req.query.limit ?? 100,
        after: req.query.after ?? null,
      }),
    }),
  );

  app.patch(
    '/api/admin/users/:id',
    {
      schema: {
        tags,
        summary: 'Change a user: quota, role, ban (admins only)',
        description: 'A ban ends every session and token of the user at once.',
        params: IdParams,
        body: Type.Object({
          quotaBytes: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
          role: Type.Optional(Type.Union([Type.Literal('user'), Type.Literal('admin')])),
          status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('banned')])),
        }),
        response: { 200: Type.Object({ user: User }), ...commonErrors(403, 404) },
      },
    },
    async (req) => ({ user: await s.admin.updateUser(requireActor(req), req.params.id, req.body) }),
  );
}
