import { createLoftClient, LoftApiError, unwrap, type Node } from '@loft/sdk';
import { spawn } from 'node:child_process';
import os from 'node:os';
import { CliError, UsageError } from './errors.js';
import { normalizeServer, Session, selectAccount, splitRemote, type NodeWithPath } from './context.js';
import { formatBytes, formatDate, table } from './format.js';
import { ask, askHidden, nextStdinLine } from './prompt.js';
import { accountName, Store, type Account } from './store.js';

export interface Globals {
  account?: string;
}

const print = (s: string) => {
  if (s) process.stdout.write(s.endsWith('\n') ? s : s + '\n');
};
const printJson = (v: unknown) => process.stdout.write(JSON.stringify(v, null, 2) + '\n');

/** Runs fn with the chosen account's session and the store, closing the store afterwards. */
export async function withSession<T>(g: Globals, fn: (s: Session, store: Store) => Promise<T>): Promise<T> {
  const store = Store.open();
  try {
    const s = new Session(selectAccount(store, g.account));
    try {
      return await fn(s, store);
    } catch (e) {
      if (e instanceof LoftApiError && e.status === 401)
        throw new LoftApiError(
          401,
          e.code,
          `${e.message} The stored token for ${accountName(s.account)} no longer works: run \`loft login ${s.account.server}\`.`,
        );
      throw e;
    }
  } finally {
    store.close();
  }
}

// ---------------------------------------------------------------------------------------- accounts

export interface LoginOptions {
  username?: string;
  token?: string;
  passwordStdin?: boolean;
  json?: boolean;
}

export async function login(serverArg: string | undefined, o: LoginOptions, g: Globals): Promise<void> {
  const store = Store.open();
  try {
    const fallback = store.default()?.server;
    if (!serverArg && !fallback)
      throw new UsageError('give the server address: loft login https://files.example.org');
    const server = normalizeServer(serverArg ?? fallback!);
    let token: string;
    let tokenId: string | null = null;
    if (o.token) {
      token = o.token;
    } else {
      const interactive = process.stdin.isTTY === true && !o.passwordStdin;
      let username = o.username ?? g.account?.split('@')[0];
      if (!username) username = interactive ? await ask('Username or email: ') : await nextStdinLine();
      if (!username) throw new UsageError('give --username (standard input is not a terminal)');
      const password = interactive ? await askHidden('Password: ') : await nextStdinLine();
      if (!password) throw new UsageError('no password given (type it, or pipe it with --password-stdin)');
      const anon = createLoftClient({ baseUrl: server, headers: { 'user-agent': 'loft-cli' } });
      const session = await unwrap(anon.POST('/api/auth/login', { body: { login: username, password } }));
      // Only a personal access token is kept: the password and this short session are dropped.
      const withSession = createLoftClient({ baseUrl: server, token: session.token });
      try {
        const pat = await unwrap(
          withSession.POST('/api/auth/tokens', { body: { name: `loft CLI on ${os.hostname()}` } }),
        );
        token = pat.token;
        tokenId = pat.id;
      } finally {
        await withSession.POST('/api/auth/logout').catch(() => undefined);
      }
    }
    const api = createLoftClient({ baseUrl: server, token });
    const { user } = await unwrap(api.GET('/api/me'));
    if (!tokenId) {
      const list = await api.GET('/api/auth/tokens');
      tokenId = list.data?.items.find((t) => t.current)?.id ?? null;
    }
    const account: Account = {
      server,
      username: user.username,
      userId: user.id,
      token,
      tokenId,
      loggedInAt: Date.now(),
    };
    store.save(account);
    if (o.json) printJson({ account: accountName(account), server, username: user.username, tokenId });
    else print(`Logged in to ${server} as ${user.username}. The token is stored in ${store.file}.`);
  } finally {
    store.close();
  }
}

export async function logout(o: { json?: boolean }, g: Globals): Promise<void> {
  const store = Store.open();
  try {
    const account = selectAccount(store, g.account);
    if (!account.userId) throw new UsageError('LOFT_TOKEN is set: there is no stored account to log out');
    const api = createLoftClient({ baseUrl: account.server, token: account.token });
    let revoked = false;
    let note = '';
    try {
      const list = await unwrap(api.GET('/api/auth/tokens'));
      const id = list.items.find((t) => t.current)?.id ?? account.tokenId;
      if (id) {
        await unwrap(api.DELETE('/api/auth/tokens/{id}', { params: { path: { id } } }));
        revoked = true;
      } else note = ' (the token was not found on the server)';
    } catch (e) {
      if (e instanceof LoftApiError && e.status === 401) note = ' (the token was already revoked)';
      else throw e;
    }
    store.remove(account);
    if (o.json) printJson({ account: accountName(account), revoked });
    else print(`Logged out of ${accountName(account)}${note}.`);
  } finally {
    store.close();
  }
}

export function accounts(o: { json?: boolean }): void {
  const store = Store.open();
  try {
    const all = store.list();
    if (o.json)
      printJson(
        all.map((a, i) => ({
          account: accountName(a),
          server: a.server,
          username: a.username,
          default: i === 0,
          loggedInAt: a.loggedInAt,
        })),
      );
    else if (all.length === 0) print('No accounts. Run `loft login SERVER`.');
    else
      print(
        table(
          all.map((a, i) => [
            i === 0 ? '*' : ' ',
            accountName(a),
            a.server,
            `since ${formatDate(a.loggedInAt)}`,
          ]),
        ),
      );
  } finally {
    store.close();
  }
}

export async function whoami(o: { json?: boolean }, g: Globals): Promise<void> {
  await withSession(g, async (s) => {
    const { user } = await unwrap(s.api.GET('/api/me'));
    if (o.json) return printJson({ server: s.baseUrl, ...user });
    const pct = user.quotaBytes > 0 ? Math.round((user.usedBytes / user.quotaBytes) * 100) : 0;
    print(
      table([
        ['user', `${user.username} <${user.email}>${user.role === 'admin' ? ' (admin)' : ''}`],
        ['server', s.baseUrl],
        ['usage', `${formatBytes(user.usedBytes)} of ${formatBytes(user.quotaBytes)} (${pct}%)`],
      ]),
    );
  });
}

export async function register(serverArg: string | undefined): Promise<void> {
  let server = serverArg;
  if (!server) {
    const store = Store.open();
    server = store.default()?.server;
    store.close();
  }
  if (!server) throw new UsageError('give the server address: loft register https://files.example.org');
  const url = `${normalizeServer(server)}/signup`;
  const opened = await openBrowser(url);
  if (opened) print(`Opened ${url} in your browser. Then run: loft login ${normalizeServer(server)}`);
  else print(`Open this address in a browser to create an account:\n  ${url}`);
}

function openBrowser(url: string): Promise<boolean> {
  if (process.env.LOFT_NO_BROWSER) return Promise.resolve(false);
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]]
        : ['xdg-open', [url]];
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)
    return Promise.resolve(false);
  return new Promise((resolve) => {
    try {
      const child = spawn(cmd, args as string[], { stdio: 'ignore', detached: true });
      child.on('error', () => resolve(false));
      child.on('exit', (code) => resolve(code === 0));
      child.unref();
      setTimeout(() => resolve(true), 5000).unref();
    } catch {
      resolve(false);
    }
  });
}

// ------------------------------------------------------------------------------------------- files

const kindChar = (n: Node) => (n.kind === 'folder' ? 'd' : '-');
const row = (n: Node, name: string, bytes?: boolean) => [
  kindChar(n),
  n.kind === 'folder' ? '-' : bytes ? String(n.size) : formatBytes(n.size),
  formatDate(n.modifiedAt),
  n.kind === 'folder' ? `${name}/` : name,
];

export async function ls(
  p: string | undefined,
  o: { recursive?: boolean; json?: boolean; bytes?: boolean },
  g: Globals,
): Promise<void> {
  await withSession(g, async (s) => {
    const target = await s.resolve(p ?? '/');
    if (target.kind === 'file') {
      if (o.json) return printJson([target]);
      return print(table([row(target, target.name, o.bytes)], ['l', 'r']));
    }
    const out: Array<{ node: Node; rel: string }> = [];
    const walk = async (folderId: string, prefix: string) => {
      for (const c of await s.children(folderId)) {
        const rel = prefix + c.name;
        out.push({ node: c, rel });
        if (o.recursive && c.kind === 'folder') await walk(c.id, `${rel}/`);
      }
    };
    await walk(target.id, '');
    if (o.json) return printJson(out.map(({ node, rel }) => ({ ...node, relativePath: rel })));
    print(
      table(
        out.map(({ node, rel }) => row(node, rel, o.bytes)),
        ['l', 'r'],
      ),
    );
  });
}

export async function mkdir(paths: string[], o: { parents?: boolean; json?: boolean }, g: Globals) {
  await withSession(g, async (s) => {
    const made: Node[] = [];
    for (const p of paths) {
      if (o.parents) made.push(await s.mkdirp(p));
      else {
        const { parent, name } = splitRemote(p);
        if (!name) throw new UsageError('cannot create the root folder');
        const dir = await s.resolve(parent);
        const res = await s.api.POST('/api/nodes/{id}/folders', {
          params: { path: { id: dir.id } },
          body: { name },
        });
        if (res.response.status === 200)
          throw new CliError('already_exists', `${p}: a folder of that name exists (use -p to accept it)`);
        made.push(await unwrap(Promise.resolve(res)));
      }
    }
    if (o.json) printJson(made);
  });
}

export async function rm(paths: string[], o: { json?: boolean }, g: Globals) {
  await withSession(g, async (s) => {
    const done: NodeWithPath[] = [];
    for (const p of paths) {
      const n = await s.resolve(p);
      if (n.parentId === null) throw new CliError('forbidden', 'the root folder cannot be deleted');
      await unwrap(s.api.DELETE('/api/nodes/{id}', { params: { path: { id: n.id } } }));
      done.push(n);
    }
    if (o.json) printJson(done.map((n) => ({ id: n.id, path: n.path, trashed: true })));
  });
}

/** Where SRC goes for mv/cp DST: into DST when it is a folder, else to DST's parent under DST's name. */
async function destination(s: Session, dst: string): Promise<{ parentId: string; name?: string }> {
  const existing = await s.tryResolve(dst);
  if (existing?.kind === 'folder') return { parentId: existing.id };
  const { parent, name } = splitRemote(dst);
  const dir = await s.resolve(parent);
  if (dir.kind !== 'folder') throw new CliError('not_a_folder', `${parent} is not a folder`);
  return { parentId: dir.id, name };
}

export async function mv(src: string, dst: string, o: { json?: boolean }, g: Globals) {
  await withSession(g, async (s) => {
    const n = await s.resolve(src);
    const d = await destination(s, dst);
    const body: { parentId?: string; name?: string } = {};
    if (d.parentId !== n.parentId) body.parentId = d.parentId;
    if (d.name && d.name !== n.name) body.name = d.name;
    const moved = await unwrap(s.api.PATCH('/api/nodes/{id}', { params: { path: { id: n.id } }, body }));
    if (o.json) printJson(moved);
  });
}

export async function cp(src: string, dst: string, o: { json?: boolean }, g: Globals) {
  await withSession(g, async (s) => {
    const n = await s.resolve(src);
    const d = await destination(s, dst);
    const copy = await unwrap(
      s.api.POST('/api/nodes/{id}/copy', {
        params: { path: { id: n.id } },
        body: { parentId: d.parentId, ...(d.name ? { name: d.name } : {}) },
      }),
    );
    if (o.json) printJson(copy);
  });
}

export async function stat(p: string, o: { json?: boolean }, g: Globals) {
  await withSession(g, async (s) => {
    const n = await s.resolve(p);
    if (o.json) return printJson(n);
    print(
      table([
        ['path', n.path],
        ['id', n.id],
        ['type', n.kind],
        ...(n.kind === 'file'
          ? [
              ['size', `${formatBytes(n.size)} (${n.size} bytes)`],
              ['content type', n.contentType ?? '-'],
              ['sha256', n.sha256 ?? '-'],
            ]
          : []),
        ['created', formatDate(n.createdAt)],
        ['modified', formatDate(n.modifiedAt)],
      ]),
    );
  });
}

export async function versions(p: string, o: { json?: boolean }, g: Globals) {
  await withSession(g, async (s) => {
    const n = await s.resolve(p);
    if (n.kind !== 'file')
      throw new CliError('not_a_file', `${n.path} is a folder: only files have versions`);
    const { items } = await unwrap(s.api.GET('/api/nodes/{id}/versions', { params: { path: { id: n.id } } }));
    if (o.json) return printJson(items);
    print(
      table(
        items.map((v) => [
          v.current ? '*' : ' ',
          v.id,
          formatBytes(v.size),
          formatDate(v.createdAt),
          v.sha256.slice(0, 16),
        ]),
        ['l', 'l', 'r'],
      ),
    );
  });
}

// ------------------------------------------------------------------------------------------- trash

type TrashItem = Node & { trashedAt: number; originalPath: string; purgeAt: number };

async function trashItems(s: Session): Promise<TrashItem[]> {
  const out: TrashItem[] = [];
  let cursor: string | undefined;
  do {
    const page = await unwrap(
      s.api.GET('/api/trash', { params: { query: { limit: 200, ...(cursor ? { cursor } : {}) } } }),
    );
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

/** Where an item was: originalPath is the folder it was in. */
const trashedPath = (i: TrashItem) => (i.originalPath === '/' ? '' : i.originalPath) + '/' + i.name;

/** An item of the trash by id, original path or name; refuses to guess between several. */
function pick(items: TrashItem[], key: string): TrashItem {
  const byId = items.find((i) => i.id === key);
  if (byId) return byId;
  const path = key.startsWith('/') ? key : `/${key}`;
  let found = items.filter((i) => trashedPath(i) === path);
  if (found.length === 0) found = items.filter((i) => i.name === key);
  if (found.length === 1) return found[0]!;
  if (found.length === 0) throw new CliError('not_found', `${key}: not in the trash (see loft trash ls)`);
  throw new CliError(
    'ambiguous',
    `${key}: ${found.length} items in the trash match; give one of their ids: ${found.map((i) => i.id).join(', ')}`,
  );
}

export async function trashLs(o: { json?: boolean }, g: Globals) {
  await withSession(g, async (s) => {
    const items = await trashItems(s);
    if (o.json) return printJson(items);
    if (items.length === 0) return print('The trash is empty.');
    print(
      table(
        items.map((i) => [
          i.id,
          kindChar(i),
          i.kind === 'folder' ? '-' : formatBytes(i.size),
          `trashed ${formatDate(i.trashedAt)}`,
          trashedPath(i) + (i.kind === 'folder' ? '/' : ''),
        ]),
        ['l', 'l', 'r'],
      ),
    );
  });
}

export async function trashRestore(keys: string[], o: { json?: boolean }, g: Globals) {
  await withSession(g, async (s) => {
    const items = await trashItems(s);
    const restored = [];
    for (const k of keys) {
      const item = pick(items, k);
      const r = await unwrap(s.api.POST('/api/trash/{id}/restore', { params: { path: { id: item.id } } }));
      restored.push(r);
      if (!o.json) print(`restored ${r.path}`);
    }
    if (o.json) printJson(restored);
  });
}

export async function trashPurge(keys: string[], o: { json?: boolean; yes?: boolean }, g: Globals) {
  await withSession(g, async (s) => {
    if (keys.length === 0) {
      if (!o.yes) {
        if (!process.stdin.isTTY) throw new UsageError('emptying the whole trash needs --yes');
        const a = await ask('Delete everything in the trash forever? [y/N] ');
        if (!/^y(es)?$/i.test(a)) throw new CliError('cancelled', 'nothing deleted');
      }
      const r = await unwrap(s.api.DELETE('/api/trash'));
      if (o.json) printJson(r);
      else print(`Deleted ${r.purged} item(s) forever.`);
      return;
    }
    const items = await trashItems(s);
    const purged = [];
    for (const k of keys) {
      const item = pick(items, k);
      await unwrap(s.api.DELETE('/api/trash/{id}', { params: { path: { id: item.id } } }));
      purged.push(item.id);
      if (!o.json) print(`deleted ${trashedPath(item)} forever`);
    }
    if (o.json) printJson({ purged });
  });
}
