import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Ajv } from 'ajv';
import Fastify from 'fastify';
import { Readable, Transform, pipeline } from 'node:stream';
import { errors } from '../errors.js';
import type { Services } from '../services.js';
import { installAuthentication } from './auth.js';
import { addDavMethods, davRoutes } from './dav/dav-routes.js';
import { clientErrorHandler, installErrorHandling, renderFrameworkError } from './error-handler.js';
import { adminRoutes } from './routes/admin-routes.js';
import { authRoutes } from './routes/auth-routes.js';
import { contentRoutes } from './routes/content-routes.js';
import { linkRoutes, logRequest } from './routes/link-routes.js';
import { nodeRoutes } from './routes/node-routes.js';
import { opsRoutes } from './routes/ops-routes.js';
import { sendRoutes } from './routes/send-routes.js';
import { shareRoutes } from './routes/share-routes.js';
import { trashRoutes } from './routes/trash-routes.js';
import { ErrorBody, Node, User } from './schemas.js';
import type { App } from './types.js';
import { webAppRoutes } from './web-app.js';

const READ_ONLY = new Set(['GET', 'HEAD', 'OPTIONS', 'PROPFIND']);

export interface HttpState {
  shuttingDown: boolean;
}

export async function buildHttpServer(s: Services, state: HttpState = { shuttingDown: false }): Promise<App> {
  const app = Fastify({
    logger: {
      level: s.config.logLevel,
      redact: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'],
      serializers: { req: logRequest },
    },
    trustProxy: s.config.trustProxy,
    bodyLimit: 1024 * 1024,
    // Uploads of many GiB take long; idle sockets are still reaped by keepAliveTimeout.
    requestTimeout: 0,
    connectionTimeout: 0,
    forceCloseConnections: 'idle',
    return503OnClosing: false,
    // A valid name is at most 255 bytes, up to 765 characters percent-encoded; the default is 100.
    routerOptions: { maxParamLength: 3 * 1024 },
    frameworkErrors: renderFrameworkError,
    clientErrorHandler,
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;

  installErrorHandling(app);
  addDavMethods(app);
  // While draining, requests on connections still open get a catalogue error, not a bare 503.
  app.addHook('onRequest', async (req) => {
    if (state.shuttingDown && req.url !== '/readyz' && req.url !== '/healthz') {
      throw errors.unavailable('The server is restarting. Try again in a moment.');
    }
  });
  for (const schema of [ErrorBody, User, Node]) app.addSchema(schema);
  // Query strings and params arrive as text and are coerced to their types; JSON bodies are
  // typed already, so {"name": 123} is refused rather than quietly turned into "123".
  const validators = { body: newAjv(false), other: newAjv('array') };
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? validators.body : validators.other).compile(schema),
  );

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Loft API',
        version: '1',
        description:
          'Self-hosted cloud drive. Errors are `{ "error": { "code", "message", "details"? } }`; codes are listed in docs/errors.md.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'Session token or personal access token' },
          cookie: { type: 'apiKey', in: 'cookie', name: 'loft_session' },
        },
      },
      security: [{ bearer: [] }, { cookie: [] }],
    },
    refResolver: { buildLocalReference: (json, _base, _frag, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(cookie);
  installAuthentication(app, s.accounts, s.config);

  // A write is acknowledged only once its transaction is on disk (one fsync for many writes).
  app.addHook('onSend', async (req, reply, payload) => {
    if (!READ_ONLY.has(req.method)) await s.database.durable();
    if (typeof payload === 'string' || Buffer.isBuffer(payload))
      s.metrics.bytesOut.inc(Buffer.byteLength(payload));
    else if (payload instanceof Readable) {
      // A body of known length is counted as it is sent off, so the hot download path gets no
      // extra stream; others (zip) go through a counting pass-through. A bare 'data' listener
      // would start the stream before the reply pipes it, losing bytes.
      const length = Number(reply.getHeader('content-length'));
      if (length > 0) {
        s.metrics.bytesOut.inc(length);
        return payload;
      }
      const counter = new Transform({
        highWaterMark: 256 * 1024,
        transform(chunk: Buffer, _enc, cb) {
          s.metrics.bytesOut.inc(chunk.length);
          cb(null, chunk);
        },
      });
      pipeline(payload, counter, () => undefined);
      return counter;
    }
    return payload;
  });

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    s.metrics.requestDuration.observe(
      { method: req.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
    const inLen = Number(req.headers['content-length'] ?? 0);
    if (inLen > 0) s.metrics.bytesIn.inc(inLen);
  });

  authRoutes(app, s);
  nodeRoutes(app, s);
  contentRoutes(app, s);
  trashRoutes(app, s);
  shareRoutes(app, s);
  linkRoutes(app, s);
  sendRoutes(app, s);
  adminRoutes(app, s);
  opsRoutes(app, s, state);
  davRoutes(app, s);
  webAppRoutes(app, s.config);
  return app;
}

function newAjv(coerceTypes: false | 'array'): Ajv {
  return new Ajv({
    coerceTypes,
    useDefaults: true,
    removeAdditional: false,
    allErrors: false,
    strict: false,
  });
}
