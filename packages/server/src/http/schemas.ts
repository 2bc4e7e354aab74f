import { Type, type Static, type TSchema } from 'typebox';

/** Shapes shared by routes; each one feeds validation, TypeScript types and the OpenAPI document. */

export const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$' });
export const IdParams = Type.Object({ id: Id });

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable machine-readable code, see docs/errors.md' }),
      message: Type.String({ description: 'Human-readable explanation' }),
      details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    }),
  },
  { $id: 'Error' },
);

export const User = Type.Object(
  {
    id: Type.String(),
    username: Type.String(),
    email: Type.String(),
    role: Type.Union([Type.Literal('user'), Type.Literal('admin')]),
    status: Type.Union([Type.Literal('active'), Type.Literal('banned')]),
    quotaBytes: Type.Integer(),
    usedBytes: Type.Integer(),
    rootId: Type.String(),
    createdAt: Type.Integer(),
    lastActiveAt: Type.Union([Type.Integer(), Type.Null()]),
  },
  { $id: 'User' },
);

export const Node = Type.Object(
  {
    id: Type.String(),
    parentId: Type.Union([Type.String(), Type.Null()]),
    name: Type.String(),
    kind: Type.Union([Type.Literal('folder'), Type.Literal('file')]),
    size: Type.Integer(),
    contentType: Type.Union([Type.String(), Type.Null()]),
    sha256: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.Integer(),
    modifiedAt: Type.Integer(),
  },
  { $id: 'Node' },
);

export const NodeWithPath = Type.Intersect([Node, Type.Object({ path: Type.String() })]);

export const NodePage = Type.Object({
  items: Type.Array(Node),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
  total: Type.Optional(
    Type.Integer({
      minimum: 0,
      description: 'Number of live items in the folder; on the first page only (no cursor)',
    }),
  ),
});

export const SearchQuery = Type.Object({
  q: Type.String({
    minLength: 1,
    maxLength: 200,
    description: 'Text to find in names, ignoring case; % and _ match themselves',
  }),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 2048 })),
});

export const SearchPage = Type.Object({
  items: Type.Array(NodeWithPath),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const TrashItem = Type.Intersect([
  Node,
  Type.Object({ trashedAt: Type.Integer(), originalPath: Type.String(), purgeAt: Type.Integer() }),
]);

export const Version = Type.Object({
  id: Type.String(),
  size: Type.Integer(),
  sha256: Type.String(),
  contentType: Type.String(),
  createdAt: Type.Integer(),
  current: Type.Boolean(),
});

export const TokenInfo = Type.Object({
  id: Type.String(),
  name: Type.String(),
  createdAt: Type.Integer(),
  lastUsedAt: Type.Union([Type.Integer(), Type.Null()]),
  expiresAt: Type.Union([Type.Integer(), Type.Null()]),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  current: Type.Boolean(),
});

export const ConflictPolicy = Type.Union(
  [Type.Literal('overwrite'), Type.Literal('fail'), Type.Literal('rename')],
  {
    description:
      'When a file of that name exists: add a new version (default), refuse with 409, or pick a free name',
  },
);

export const ListQuery = Type.Object({
  sort: Type.Optional(
    Type.Union([Type.Literal('name'), Type.Literal('size'), Type.Literal('modified')], { default: 'name' }),
  ),
  order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'asc' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  cursor: Type.Optional(Type.String({ maxLength: 2048 })),
  total: Type.Optional(
    Type.Boolean({ description: 'First page only: also count the items in the folder (answer field total)' }),
  ),
});

/** Error responses every authenticated route can give, for the OpenAPI document. */
export const commonErrors = (...codes: number[]): Record<number, TSchema> =>
  Object.fromEntries([400, 401, ...codes].map((c) => [c, Type.Ref('Error')]));

export type NodeT = Static<typeof Node>;
