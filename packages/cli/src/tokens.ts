import { unwrap, type TokenInfo } from '@loft/sdk';
import { withSession, type Globals } from './commands.js';
import { CliError } from './errors.js';
import { formatDate, table } from './format.js';

const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : s + '\n');
const outJson = (v: unknown) => out(JSON.stringify(v, null, 2));
/** Notes for a person at a terminal; a script reading stdout gets only the result. */
const note = (s: string) => {
  if (process.stderr.isTTY) process.stderr.write(s + '\n');
};

/**
 * The server stamps a token as used when it is made, then at most once a minute: only a use after
 * its creation is a real one.
 */
const lastUsed = (t: TokenInfo) =>
  t.lastUsedAt !== null && t.lastUsedAt > t.createdAt ? `used ${formatDate(t.lastUsedAt)}` : 'not used yet';

/** `loft token ls`: id, created, last used, name; * marks the token this device uses. */
export async function tokenLs(o: { json?: boolean }, g: Globals) {
  await withSession(g, async (s) => {
    const { items } = await unwrap(s.api.GET('/api/auth/tokens'));
    if (o.json) return outJson(items);
    if (items.length === 0)
      return out('No personal access tokens. Create one with `loft token create NAME`.');
    out(
      table(
        items.map((t) => [
          t.current ? '*' : ' ',
          t.id,
          `created ${formatDate(t.createdAt)}`,
          lastUsed(t),
          t.name,
        ]),
      ),
    );
  });
}

/** `loft token create NAME`: prints the secret alone (or, with --json, id, name and token). */
export async function tokenCreate(name: string, o: { json?: boolean }, g: Globals) {
  await withSession(g, async (s) => {
    const t = await unwrap(s.api.POST('/api/auth/tokens', { body: { name } }));
    if (o.json) return outJson({ id: t.id, name: t.name, token: t.token });
    out(t.token);
    note(
      `Token "${t.name}" created (id ${t.id}). Copy it now: it is not shown again. ` +
        `Revoke it with \`loft token revoke ${t.id}\`.`,
    );
  });
}

/** A token by id, or by name when exactly one has it. */
function pick(items: TokenInfo[], key: string): TokenInfo {
  const byId = items.find((t) => t.id === key);
  if (byId) return byId;
  const found = items.filter((t) => t.name === key);
  if (found.length === 1) return found[0]!;
  if (found.length === 0) throw new CliError('not_found', `${key}: no such token (see loft token ls)`);
  throw new CliError(
    'ambiguous',
    `${key}: ${found.length} tokens have that name; give one of their ids: ${found.map((t) => t.id).join(', ')}`,
  );
}

/** `loft token revoke ID...`: whatever uses those tokens is signed out at once. */
export async function tokenRevoke(keys: string[], o: { json?: boolean }, g: Globals) {
  await withSession(g, async (s) => {
    const { items } = await unwrap(s.api.GET('/api/auth/tokens'));
    const targets = keys.map((k) => pick(items, k));
    const own = targets.find((t) => t.current);
    if (own)
      throw new CliError(
        'current_token',
        `${own.id} is the token this device uses: run \`loft logout\` to revoke it and forget it here`,
      );
    const revoked: string[] = [];
    for (const t of targets) {
      if (revoked.includes(t.id)) continue;
      await unwrap(s.api.DELETE('/api/auth/tokens/{id}', { params: { path: { id: t.id } } }));
      revoked.push(t.id);
      if (!o.json) out(`revoked ${t.id} (${t.name})`);
    }
    if (o.json) outJson({ revoked });
  });
}

/** `loft dav`: what a file manager or rclone needs to mount this account over WebDAV. */
export async function dav(o: { json?: boolean }, g: Globals) {
  await withSession(g, async (s) => {
    // The username from the server: with LOFT_TOKEN there is no stored one, and the token is checked.
    const { user } = await unwrap(s.api.GET('/api/me'));
    const url = `${s.baseUrl}/dav/`;
    if (o.json) return outJson({ url, username: user.username, server: s.baseUrl });
    out(
      table([
        ['address', url],
        ['username', user.username],
        ['password', 'a personal access token: create one with `loft token create NAME`'],
      ]),
    );
  });
}
