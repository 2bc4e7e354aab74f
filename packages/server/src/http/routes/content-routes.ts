import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { errors } from '../../errors.js';
import type { UploadInput } from '../../nodes/files-service.js';
import type { Services } from '../../services.js';
import { requireActor } from '../auth.js';
import { contentDisposition, sendDownload, userContentHeaders } from '../download.js';
import { multipartFiles, registerMultipart, requireMultipart, storePart } from '../multipart.js';
import { commonErrors, ConflictPolicy, Id, IdParams, Node, Version } from '../schemas.js';
import type { App } from '../types.js';

const tags = ['content'];

const uploadResponse = { 200: Node, 201: Node, ...commonErrors(404, 409, 412, 507) };

const rawBodyDoc = {
  description:
    'The request body is the file, streamed (any size; Content-Length or chunked). Over an existing file, the old content is kept as a version.',
};

function uploadInput(req: FastifyRequest, conflict?: 'overwrite' | 'fail' | 'rename'): UploadInput {
  const len = req.headers['content-length'];
  const length = len === undefined ? null : Number(len);
  if (length !== null && (!Number.isSafeInteger(length) || length < 0))
    throw errors.badRequest('Invalid Content-Length.');
  const ifMatch = req.headers['if-match'];
  return {
    body: req.raw,
    length,
    contentType: req.headers['content-type'] ?? null,
    conflict,
    ifMatch: typeof ifMatch === 'string' ? ifMatch.replace(/^W\//, '').replace(/"/g, '').trim() : null,
  };
}

export function contentRoutes(app: App, s: Services): void {
  // Raw-body uploads: no parser may touch the body, the service streams it.
  void app.register(async (raw: App) => {
    raw.removeAllContentTypeParsers();
    raw.addContentTypeParser('*', (_req, _payload, done) => done(null));

    raw.put(
      '/api/nodes/:id/files/:name',
      {
        schema: {
          tags,
          summary: 'Upload a file into a folder (raw body)',
          ...rawBodyDoc,
          params: Type.Object({ id: Id, name: Type.String({ maxLength: 1024 }) }),
          querystring: Type.Object({ conflict: Type.Optional(ConflictPolicy) }),
          response: uploadResponse,
        },
      },
      async (req, reply) => {
        const r = await s.files.uploadInto(
          requireActor(req),
          req.params.id,
          req.params.name,
          uploadInput(req, req.query.conflict),
        );
        return reply.status(r.created ? 201 : 200).send(r.node);
      },
    );

    raw.put(
      '/api/files',
      {
        schema: {
          tags,
          summary: 'Upload a file by path (raw body)',
          description: `${rawBodyDoc.description} Missing parent folders are created.`,
          querystring: Type.Object({
            path: Type.String({ maxLength: 4096 }),
            conflict: Type.Optional(ConflictPolicy),
          }),
          response: uploadResponse,
        },
      },
      async (req, reply) => {
        const r = await s.files.uploadToPath(
          requireActor(req),
          req.query.path,
          uploadInput(req, req.query.conflict),
        );
        return reply.status(r.created ? 201 : 200).send(r.node);
      },
    );

    raw.put(
      '/api/nodes/:id/content',
      {
        schema: {
          tags,
          summary: 'Replace the content of a file (new version)',
          description:
            'Send If-Match with the current sha256 to refuse (412) if someone changed it meanwhile.',
          params: IdParams,
          response: uploadResponse,
        },
      },
      async (req) => (await s.files.replaceContent(requireActor(req), req.params.id, uploadInput(req))).node,
    );
  });

  // Browser uploads: several files per request; a filename may carry a relative path ("a/b.txt").
  void app.register(async (form: App) => {
    await registerMultipart(form);

    form.post(
      '/api/nodes/:id/files',
      {
        schema: {
          tags,
          summary: 'Upload files into a folder (multipart/form-data)',
          description:
            'Each file part is streamed to storage. A part whose filename contains "/" is placed in that relative folder, created if missing.',
          params: IdParams,
          querystring: Type.Object({ conflict: Type.Optional(ConflictPolicy) }),
          response: { 201: Type.Object({ items: Type.Array(Node) }), ...commonErrors(404, 409, 415, 507) },
        },
      },
      async (req, reply) => {
        const actor = requireActor(req);
        requireMultipart(req);
        const folder = await s.nodes.get(actor, req.params.id);
        if (folder.kind !== 'folder') throw errors.notAFolder();
        const items = [];
        for await (const part of multipartFiles(req)) {
          const relative = part.filename.replace(/\\/g, '/');
          // Relative paths are resolved under the folder by id: a shared folder's path is the
          // recipient's view of it, not a place in their own tree.
          const nested = relative.includes('/');
          const input: UploadInput = {
            body: part.file,
            length: null,
            contentType: part.mimetype,
            conflict: req.query.conflict,
          };
          const r = await storePart(
            part,
            nested
              ? s.files.uploadUnder(actor, folder.id, relative, input)
              : s.files.uploadInto(actor, folder.id, relative, input),
          );
          items.push(r.node);
        }
        return reply.status(201).send({ items });
      },
    );
  });

  app.route({
    method: ['GET', 'HEAD'],
    url: '/api/nodes/:id/content',
    schema: {
      tags,
      summary: 'Download a file',
      description:
        'Supports Range (single range), If-None-Match, If-Modified-Since and If-Range. ETag is the content SHA-256.',
      params: IdParams,
      querystring: Type.Object({ version: Type.Optional(Id) }),
    },
    handler: async (req, reply) => {
      const q = req.query as { version?: string };
      const params = req.params as { id: string };
      const content = await s.files.openContent(requireActor(req), params.id, q.version);
      await sendDownload(req, reply, content);
    },
  });

  app.get(
    '/api/nodes/:id/versions',
    {
      schema: {
        tags,
        summary: 'List the versions of a file',
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(Version) }), ...commonErrors(404) },
      },
    },
    async (req) => ({ items: await s.files.listVersions(requireActor(req), req.params.id) }),
  );

  app.post(
    '/api/nodes/:id/versions/:versionId/restore',
    {
      schema: {
        tags,
        summary: 'Make an older version current',
        params: Type.Object({ id: Id, versionId: Id }),
        response: { 200: Node, ...commonErrors(404) },
      },
    },
    async (req) => s.files.restoreVersion(requireActor(req), req.params.id, req.params.versionId),
  );

  const zipSchema = { tags, summary: '', produces: ['application/zip'] };
  const sendZip = async (req: FastifyRequest, reply: FastifyReply, ids: string[]) => {
    const { name, stream } = await s.archive.zip(requireActor(req), ids);
    userContentHeaders(reply);
    reply.header('content-disposition', contentDisposition('attachment', name));
    reply.header('cache-control', 'private, no-store');
    return reply.type('application/zip').send(stream);
  };

  app.get(
    '/api/nodes/:id/zip',
    { schema: { ...zipSchema, summary: 'Download a folder (or file) as a zip, streamed', params: IdParams } },
    async (req, reply) => sendZip(req, reply, [req.params.id]),
  );

  app.get(
    '/api/zip',
    {
      schema: {
        ...zipSchema,
        summary: 'Download several items as one zip, streamed',
        querystring: Type.Object({
          ids: Type.String({ maxLength: 65 * 1000, description: 'Comma-separated node ids' }),
        }),
      },
    },
    async (req, reply) => {
      const ids = req.query.ids
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
      if (ids.length > 1000 || ids.some((id) => !/^[A-Za-z0-9-]{1,64}$/.test(id)))
        throw errors.badRequest('Invalid ids.');
      return sendZip(req, reply, ids);
    },
  );
}
