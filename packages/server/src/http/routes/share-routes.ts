import { Type } from 'typebox';
import type { Services } from '../../services.js';
import { requireActor } from '../auth.js';
import { commonErrors, Id, IdParams, Node } from '../schemas.js';
import type { App } from '../types.js';

const Role = Type.Union([Type.Literal('viewer'), Type.Literal('editor')], {
  description: 'viewer: list and download; editor: also upload, rename, move within and delete to the trash',
});

const Share = Type.Object({
  id: Type.String(),
  nodeId: Type.String(),
  role: Role,
  createdAt: Type.Integer(),
  user: Type.Object({ id: Type.String(), username: Type.String() }),
});

const SharedItem = Type.Intersect([
  Node,
  Type.Object({
    share: Type.Object({
      id: Type.String(),
      role: Role,
      sharedAt: Type.Integer(),
      owner: Type.Optional(Type.String({ description: 'Who shared it (items shared with me)' })),
      with: Type.Optional(Type.String({ description: 'Who it is shared with (items I shared)' })),
    }),
  }),
]);

export function shareRoutes(app: App, s: Services): void {
  const tags = ['sharing'];

  app.get(
    '/api/nodes/:id/shares',
    {
      schema: {
        tags,
        summary: 'Who has access to an item (owner only)',
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(Share) }), ...commonErrors(403, 404) },
      },
    },
    async (req) => ({ items: await s.sharing.listForNode(requireActor(req), req.params.id) }),
  );

  app.post(
    '/api/nodes/:id/shares',
    {
      schema: {
        tags,
        summary: 'Share an item with another user',
        description:
          'A folder share covers everything in it, now and later. Sharing again with the same user changes the role.',
        params: IdParams,
        body: Type.Object({
          user: Type.String({ minLength: 1, maxLength: 320, description: 'Username or email' }),
          role: Role,
        }),
        response: { 200: Share, 201: Share, ...commonErrors(403, 404, 409) },
      },
    },
    async (req, reply) => {
      const r = await s.sharing.share(requireActor(req), req.params.id, req.body);
      return reply.status(r.created ? 201 : 200).send(r.share);
    },
  );

  app.patch(
    '/api/shares/:id',
    {
      schema: {
        tags,
        summary: "Change a share's role (owner only)",
        params: Type.Object({ id: Id }),
        body: Type.Object({ role: Role }),
        response: { 200: Share, ...commonErrors(404) },
      },
    },
    async (req) => s.sharing.updateRole(requireActor(req), req.params.id, req.body.role),
  );

  app.delete(
    '/api/shares/:id',
    {
      schema: {
        tags,
        summary: 'End a share',
        description: 'The owner revokes access, or the recipient removes the item from their view.',
        params: Type.Object({ id: Id }),
        response: { 204: Type.Null(), ...commonErrors(404) },
      },
    },
    async (req, reply) => {
      await s.sharing.remove(requireActor(req), req.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/nodes/:id/transfer',
    {
      schema: {
        tags,
        summary: 'Give an item to another user',
        description:
          'The item moves to the top of their files and into their quota (everything in it too). You keep editor access unless keepAccess is false.',
        params: IdParams,
        body: Type.Object({
          user: Type.String({ minLength: 1, maxLength: 320, description: 'Username or email' }),
          keepAccess: Type.Optional(Type.Boolean({ default: true })),
        }),
        response: {
          200: Type.Object({ node: Node, newOwner: Type.String() }),
          ...commonErrors(403, 404, 409, 507),
        },
      },
    },
    async (req) => s.sharing.transfer(requireActor(req), req.params.id, req.body),
  );

  app.get(
    '/api/shares/incoming',
    {
      schema: {
        tags,
        summary: 'Items shared with me',
        response: { 200: Type.Object({ items: Type.Array(SharedItem) }), ...commonErrors() },
      },
    },
    async (req) => ({ items: await s.sharing.sharedWithMe(requireActor(req)) }),
  );

  app.get(
    '/api/shares/outgoing',
    {
      schema: {
        tags,
        summary: 'Items I shared, with whom',
        response: { 200: Type.Object({ items: Type.Array(SharedItem) }), ...commonErrors() },
      },
    },
    async (req) => ({ items: await s.sharing.sharedByMe(requireActor(req)) }),
  );
}
