import { Type } from 'typebox';
import type { Services } from '../../services.js';
import { clearSessionCookie, isCrossSite, requireActor, setSessionCookie } from '../auth.js';
import { commonErrors, Id, TokenInfo, User } from '../schemas.js';
import type { App } from '../types.js';
import { errors } from '../../errors.js';

export function authRoutes(app: App, s: Services): void {
  // Login and registration carry no session yet, so the cross-site check happens here.
  const refuseCrossSite = async (req: Parameters<typeof isCrossSite>[0]) => {
    if (isCrossSite(req, s.config)) throw errors.csrf();
  };

  app.post(
    '/api/auth/register',
    {
      onRequest: refuseCrossSite,
      schema: {
        tags: ['auth'],
        summary: 'Create an account',
        description:
          'The first account on a server becomes its admin. Field problems come back in error.details.fields.',
        body: Type.Object({
          username: Type.String({ maxLength: 256 }),
          email: Type.String({ maxLength: 512 }),
          password: Type.String({ maxLength: 4096 }),
        }),
        response: { 201: Type.Object({ user: User }), ...commonErrors(403, 409) },
      },
    },
    async (req, reply) => {
      const user = await s.accounts.register(req.body);
      return reply.status(201).send({ user });
    },
  );

  app.post(
    '/api/auth/login',
    {
      onRequest: refuseCrossSite,
      schema: {
        tags: ['auth'],
        summary: 'Sign in with username or email',
        description:
          'Sets an HttpOnly session cookie and also returns the token for use as `Authorization: Bearer`. Failed attempts are throttled per account and per address (429 with Retry-After).',
        body: Type.Object({
          login: Type.String({ maxLength: 512 }),
          password: Type.String({ maxLength: 4096 }),
          remember: Type.Optional(Type.Boolean({ default: false })),
        }),
        response: {
          200: Type.Object({
            user: User,
            token: Type.String(),
            expiresAt: Type.Union([Type.Integer(), Type.Null()]),
          }),
          ...commonErrors(403, 429),
        },
      },
    },
    async (req, reply) => {
      const { session, user } = await s.accounts.login({
        login: req.body.login,
        password: req.body.password,
        remember: req.body.remember ?? false,
        ip: req.ip,
        userAgent: req.headers['user-agent'] ?? null,
      });
      setSessionCookie(
        reply,
        req,
        s.config,
        session.token,
        req.body.remember ? s.config.sessionRememberTtlMs : null,
      );
      return { user, token: session.token, expiresAt: session.expiresAt };
    },
  );

  app.post(
    '/api/auth/logout',
    {
      schema: {
        tags: ['auth'],
        summary: 'End this session',
        response: { 204: Type.Null(), ...commonErrors() },
      },
    },
    async (req, reply) => {
      await s.accounts.logout(requireActor(req));
      clearSessionCookie(reply);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/me',
    {
      schema: {
        tags: ['auth'],
        summary: 'The signed-in user, with usage and quota',
        response: { 200: Type.Object({ user: User }), ...commonErrors() },
      },
    },
    async (req) => ({ user: await s.accounts.me(requireActor(req)) }),
  );

  for (const kind of ['session', 'pat'] as const) {
    const base = kind === 'session' ? '/api/auth/sessions' : '/api/auth/tokens';
    const what = kind === 'session' ? 'sessions' : 'personal access tokens';
    app.get(
      base,
      {
        schema: {
          tags: ['auth'],
          summary: `List my ${what}`,
          response: { 200: Type.Object({ items: Type.Array(TokenInfo) }), ...commonErrors() },
        },
      },
      async (req) => ({ items: await s.accounts.listTokens(requireActor(req), kind) }),
    );
    app.delete(
      `${base}/:id`,
      {
        schema: {
          tags: ['auth'],
          summary: `Revoke one of my ${what}`,
          params: Type.Object({ id: Id }),
          response: { 204: Type.Null(), ...commonErrors(404) },
        },
      },
      async (req, reply) => {
        await s.accounts.revokeToken(requireActor(req), kind, req.params.id);
        return reply.status(204).send(null);
      },
    );
  }

  app.post(
    '/api/auth/tokens',
    {
      schema: {
        tags: ['auth'],
        summary: 'Create a personal access token',
        description:
          'For the CLI and WebDAV. The token is shown once, in this response; only its hash is stored.',
        body: Type.Object({ name: Type.String({ maxLength: 100 }) }),
        response: {
          201: Type.Object({ id: Type.String(), name: Type.String(), token: Type.String() }),
          ...commonErrors(),
        },
      },
    },
    async (req, reply) => {
      const t = await s.accounts.createPersonalToken(requireActor(req), req.body.name, req.ip);
      return reply.status(201).send({ id: t.id, name: t.name, token: t.token });
    },
  );
}
