import { createLoftClient, LoftApiError, toApiError, unwrap, type LoftClient, type Node } from '@loft/sdk';
import { CliError, UsageError } from './errors.js';
import { accountName, type Account, type Store } from './store.js';

export type NodeWithPath = Node & { path: string };

/** `localhost:8080` → `http://localhost:8080`; `files.example.org/` → `https://files.example.org`. */
export function normalizeServer(input: string): string {
  let s = input.trim();
  if (!/^https?:\/\//i.test(s)) {
    const local = /^(localhost|127\.|\[::1\]|0\.0\.0\.0)/i.test(s);
    s = `${local ? 'http' : 'https'}://${s}`;
  }
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new UsageError(`not a server address: ${input}`);
  }
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
}

/** Picks the account to use: `--account user@server`, else LOFT_SERVER + LOFT_TOKEN, else the last login. */
export function selectAccount(store: Store, wanted: string | undefined): Account {
  const all = store.list();
  if (wanted) {
    const w = wanted.replace(/^https?:\/\//, '');
    const found = all.filter((a) => accountName(a) === w || a.username === w || accountName(a) === wanted);
    if (found.length === 1) return found[0]!;
    if (found.length > 1) throw new UsageError(`several accounts match ${wanted}: use user@server`);
    throw new CliError('not_logged_in', `No stored account ${wanted}. See \`loft accounts\`.`);
  }
  const env = process.env;
  if (env.LOFT_SERVER && env.LOFT_TOKEN)
    return {
      server: normalizeServer(env.LOFT_SERVER),
      username: '(LOFT_TOKEN)',
      userId: '',
      token: env.LOFT_TOKEN,
      tokenId: null,
      loggedInAt: 0,
    };
  const d = all[0];
  if (!d) throw new CliError('not_logged_in', 'Not logged in. Run `loft login SERVER` first.');
  return d;
}

/** Everything a command talking to the server needs. */
export class Session {
  readonly api: LoftClient;
  private root: NodeWithPath | undefined;

  constructor(readonly account: Account) {
    this.api = createLoftClient({
      baseUrl: account.server,
      token: account.token,
      headers: { 'user-agent': 'loft-cli' },
    });
  }

  get baseUrl(): string {
    return this.account.server;
  }

  authHeaders(): Record<string, string> {
    return { authorization: `Bearer ${this.account.token}`, 'user-agent': 'loft-cli' };
  }

  async rootFolder(): Promise<NodeWithPath> {
    this.root ??= await unwrap(this.api.GET('/api/nodes/root'));
    return this.root;
  }

  /** A remote path, taken from the root folder: `docs/a.txt`, `/docs/a.txt` and `docs/a.txt/` are the same. */
  async resolve(p: string): Promise<NodeWithPath> {
    const norm = normalizeRemote(p);
    if (norm === '/') return this.rootFolder();
    try {
      return await unwrap(this.api.GET('/api/resolve', { params: { query: { path: norm } } }));
    } catch (e) {
      if (e instanceof LoftApiError && e.status === 404)
        throw new LoftApiError(404, e.code, `${norm}: no such file or folder`, e.details);
      throw e;
    }
  }

  /** Like resolve, but undefined when nothing is there. */
  async tryResolve(p: string): Promise<NodeWithPath | undefined> {
    try {
      return await this.resolve(p);
    } catch (e) {
      if (e instanceof LoftApiError && e.status === 404) return undefined;
      throw e;
    }
  }

  /** Every item of a folder, following the keyset cursor. */
  async children(folderId: string): Promise<Node[]> {
    const out: Node[] = [];
    let cursor: string | undefined;
    do {
      const page = await unwrap(
        this.api.GET('/api/nodes/{id}/children', {
          params: { path: { id: folderId }, query: { limit: 200, ...(cursor ? { cursor } : {}) } },
        }),
      );
      out.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return out;
  }

  /** mkdir -p from the root folder. */
  async mkdirp(p: string): Promise<Node> {
    const norm = normalizeRemote(p);
    const root = await this.rootFolder();
    if (norm === '/') return root;
    return unwrap(
      this.api.POST('/api/nodes/{id}/folders', {
        params: { path: { id: root.id } },
        body: { name: norm.slice(1), parents: true },
      }),
    );
  }
}

export function normalizeRemote(p: string): string {
  const parts = p.split('/').filter((s) => s !== '' && s !== '.');
  if (parts.includes('..')) throw new UsageError(`'..' is not allowed in a remote path: ${p}`);
  return '/' + parts.join('/');
}

export function splitRemote(p: string): { parent: string; name: string } {
  const norm = normalizeRemote(p);
  const i = norm.lastIndexOf('/');
  return { parent: norm.slice(0, i) || '/', name: norm.slice(i + 1) };
}

/** Reads an error body of a raw HTTP answer into a LoftApiError. */
export function apiErrorFrom(status: number, text: string): LoftApiError {
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return toApiError(status, body);
}
