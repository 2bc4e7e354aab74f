import { Type } from 'typebox';
import type { Services } from '../../services.js';
import { requireActor } from '../auth.js';
import {
  commonErrors,
  Id,
  IdParams,
  ListQuery,
  Node,
  NodePage,
  NodeWithPath,
  SearchPage,
  SearchQuery,
} from '../schemas.js';
import type { App } from '../types.js';

export function nodeRoutes(app: App, s: Services): void {
  const tags = ['files'];

  app.get(
    '/api/nodes/root',
    { schema: { tags, summary: 'My root folder', response: { 200: NodeWithPath, ...commonErrors() } } },
    async (req) => {
      const actor = requireActor(req);
      return s.nodes.get(actor, (await s.nodes.rootOf(actor)).id);
    },
  );

  app.get(
    '/api/resolve',
    {
      schema: {
        tags,
        summary: 'Find an item by path',
        description:
          'The path is taken from my root folder, or from the folder `from` (one shared with me, say).',
        querystring: Type.Object({
          path: Type.String({ maxLength: 4096 }),
          from: Type.Optional(Id),
        }),
        response: { 200: NodeWithPath, ...commonErrors(404, 409) },
      },
    },
    async (req) => {
      const actor = requireActor(req);
      const node = await s.nodes.resolvePath(actor, req.query.path, undefined, req.query.from);
      return s.nodes.get(actor, node.id);
    },
  );

  app.get(
    '/api/search',
    {
      schema: {
        tags,
        summary: 'Find my files and folders by name',
        description:
          'Live items whose name contains q (ignoring case), ordered by name, each with its full path. ' +
          'Pass nextCursor back as cursor for the next page.',
        querystring: SearchQuery,
        response: { 200: SearchPage, ...commonErrors() },
      },
    },
    async (req) =>
      s.nodes.search(requireActor(req), req.query.q, {
        limit: req.query.limit ?? 50,
        cursor: req.query.cursor ?? null,
      }),
  );

  app.get(
    '/api/nodes/:id',
    {
      schema: {
        tags,
        summary: 'Metadata of a file or folder',
        params: IdParams,
        response: { 200: NodeWithPath, ...commonErrors(404) },
      },
    },
    async (req) => s.nodes.get(requireActor(req), req.params.id),
  );

  app.get(
    '/api/nodes/:id/children',
    {
      schema: {
        tags,
        summary: 'List a folder',
        description:
          'Folders first, then files, in the chosen order. Pass nextCursor back as cursor for the next page. ' +
          'With total=true, the first page (no cursor) also gives total, the number of items in the folder.',
        params: IdParams,
        querystring: ListQuery,
        response: { 200: NodePage, ...commonErrors(404, 409) },
      },
    },
    async (req) =>
      s.nodes.list(requireActor(req), req.params.id, {
        sort: req.query.sort ?? 'name',
        order: req.query.order ?? 'asc',
        limit: req.query.limit ?? 100,
        cursor: req.query.cursor ?? null,
        total: req.query.total ?? false,
      }),
  );

  app.post(
    '/api/nodes/:id/folders',
    {
      schema: {
        tags,
        summary: 'Create a folder',
        description:
          'With parents=true, name may be a relative path ("a/b/c") and existing folders are reused, like mkdir -p.',
        params: IdParams,
        body: Type.Object({ name: Type.String({ maxLength: 4096 }), parents: Type.Optional(Type.Boolean()) }),
        response: { 200: Node, 201: Node, ...commonErrors(404, 409) },
      },
    },
    async (req, reply) => {
      const { node, created } = await s.nodes.createFolder(requireActor(req), req.params.id, req.body.name, {
        parents: req.body.parents ?? false,
      });
      return reply.status(created ? 201 : 200).send(node);
    },
  );

  app.patch(
    '/api/nodes/:id',
    {
      schema: {
        tags,
        summary: 'Rename and/or move',
        params: IdParams,
        body: Type.Object({
          name: Type.Optional(Type.String({ maxLength: 1024 })),
          parentId: Type.Optional(Id),
        }),
        response: { 200: Node, ...commonErrors(404, 409) },
      },
    },
    async (req) => s.nodes.update(requireActor(req), req.params.id, req.body),
  );

  app.post(
    '/api/nodes/:id/copy',
    {
      schema: {
        tags,
        summary: 'Copy a file or folder',
        description:
          'No bytes are copied: the copy shares content with the original. It counts against the quota.',
        params: IdParams,
        body: Type.Object({
          parentId: Id,
          name: Type.Optional(Type.String({ maxLength: 1024 })),
          conflict: Type.Optional(Type.Union([Type.Literal('fail'), Type.Literal('rename')])),
        }),
        response: { 201: Node, ...commonErrors(404, 409, 507) },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await s.nodes.copy(requireActor(req), req.params.id, req.body)),
  );

  app.delete(
    '/api/nodes/:id',
    {
      schema: {
        tags,
        summary: 'Move to trash',
        params: IdParams,
        response: { 204: Type.Null(), ...commonErrors(404, 409) },
      },
    },
    async (req, reply) => {
      await s.nodes.trash(requireActor(req), req.params.id);
      return reply.status(204).send(null);
    },
  );
}
