import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccountsService } from '../accounts/accounts-service.js';
import type { Actor } from '../accounts/actor.js';
import type { Config } from '../config.js';
import { errors } from '../errors.js';

export const SESSION_COOKIE = 'loft_session';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
    authVia: 'cookie' | 'bearer' | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The actor of an authenticated route, or 401. */
export function requireActor(req: FastifyRequest): Actor {
  if (!req.actor) throw errors.unauthenticated();
  return req.actor;
}

export function requireAdmin(req: FastifyRequest): Actor {
  const actor = requireActor(req);
  if (actor.role !== 'admin') throw errors.forbidden('Administrators only.');
  return actor;
}

/**
 * A browser request from another site: Sec-Fetch-Site when the browser sends it, else Origin
 * compared with our own. Requests without either come from programs, not pages.
 */
export function isCrossSite(req: FastifyRequest, config: Config): boolean {
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string' && site) return site !== 'same-origin' && site !== 'none';
  const origin = req.headers.origin;
  if (!origin) return false;
  if (origin === 'null') return true;
  const expected = config.publicUrl
    ? new URL(config.publicUrl).origin
    : `${req.protocol}://${req.headers.host}`;
  return origin !== expected;
}

export function setSessionCookie(
  reply: FastifyReply,
  req: FastifyRequest,
  config: Config,
  token: string,
  maxAgeMs: number | null,
) {
  void reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: config.publicUrl ? config.publicUrl.startsWith('https:') : req.protocol === 'https',
    ...(maxAgeMs === null ? {} : { maxAge: Math.floor(maxAgeMs / 1000) }),
  });
}

export function clearSessionCookie(reply: FastifyReply) {
  void reply.clearCookie(SESSION_COOKIE, { path: '/' });
}

/**
 * Resolves the caller on every request from a Bearer token or the session cookie, and refuses
 * cookie-authenticated unsafe requests that come from another site.
 */
export function installAuthentication(app: FastifyInstance, accounts: AccountsService, config: Config): void {
  app.decorateRequest('actor', null);
  app.decorateRequest('authVia', null);
  app.addHook('onRequest', async (req) => {
    // The web app's files: the browser sends the cookie along, but nothing there needs it.
    if (req.routeOptions.config.skipAuth) return;
    let token: string | undefined;
    const header = req.headers.authorization;
    if (header) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (m) {
        token = m[1];
        req.authVia = 'bearer';
      }
    }
    if (!token) {
      const cookie = req.cookies[SESSION_COOKIE];
      if (cookie) {
        token = cookie;
        req.authVia = 'cookie';
      }
    }
    if (!token) return;
    if (req.authVia === 'cookie' && !SAFE_METHODS.has(req.method) && isCrossSite(req, config))
      throw errors.csrf();
    // An expired or revoked token is the same as none: protected routes answer 401 themselves.
    req.actor = await accounts.authenticate(token);
  });
}
