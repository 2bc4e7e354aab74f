import type { FastifyRequest } from 'fastify';
import type { AccountsService } from '../../accounts/accounts-service.js';
import type { Actor } from '../../accounts/actor.js';
import { normalizeUsername } from '../../accounts/validation.js';
import type { Config } from '../../config.js';
import { errors } from '../../errors.js';
import { isCrossSite, SESSION_COOKIE } from '../auth.js';

/** Methods a cookie may authenticate from anywhere: they change nothing and show nothing cross-origin. */
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const PAT_PREFIX = 'loftpat_';

/**
 * WebDAV credentials: HTTP Basic with the username and a personal access token (or the account
 * password when LOFT_DAV_PASSWORD_AUTH allows it), a Bearer token, or the web app's session cookie
 * (unsafe methods only from our own pages). Null when the request carries none.
 */
export async function davActor(
  req: FastifyRequest,
  accounts: AccountsService,
  config: Config,
): Promise<Actor | null> {
  const header = req.headers.authorization;
  if (header) {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (bearer) return accounts.authenticate(bearer[1]!);
    const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    if (!basic) throw errors.unauthenticated();
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw errors.unauthenticated();
    const user = decoded.slice(0, colon);
    const secret = decoded.slice(colon + 1);
    if (secret.startsWith(PAT_PREFIX)) {
      const actor = await accounts.authenticate(secret);
      // A token names its user: the name typed must be that user's, so a leaked token is not
      // enough on its own to look like someone's login.
      if (!actor || actor.via !== 'pat' || actor.username !== normalizeUsername(user))
        throw errors.invalidCredentials();
      return actor;
    }
    if (!config.davPasswordAuth)
      throw errors.invalidCredentials(
        'Use a personal access token as the password (create one in the web app under Settings, or with `loft token create`).',
      );
    return accounts.authenticatePassword(user, secret, req.ip);
  }
  const cookie = req.cookies[SESSION_COOKIE];
  if (!cookie) return null;
  if (!SAFE.has(req.method) && isCrossSite(req, config)) throw errors.csrf();
  return accounts.authenticate(cookie);
}
