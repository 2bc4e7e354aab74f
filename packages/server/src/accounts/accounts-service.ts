import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import type { UsersTable } from '../db/schema.js';
import { nodesRepo } from '../db/nodes-repo.js';
import { newFolderRow } from '../nodes/nodes-service.js';
import { tokensRepo } from '../db/tokens-repo.js';
import { usersRepo, type UserRow } from '../db/users-repo.js';
import { errors, LoftError, type FieldError } from '../errors.js';
import { newId, newSecret, sha256Hex } from '../util/ids.js';
import type { Actor } from './actor.js';
import type { LoginThrottle } from './login-throttle.js';
import type { PasswordHasher } from './passwords.js';
import {
  normalizeEmail,
  normalizeUsername,
  validateEmail,
  validatePassword,
  validateUsername,
} from './validation.js';

export interface UserView {
  id: string;
  username: string;
  email: string;
  role: UsersTable['role'];
  status: UsersTable['status'];
  quotaBytes: number;
  usedBytes: number;
  rootId: string;
  createdAt: number;
  lastActiveAt: number | null;
}

export const toUserView = (u: UserRow): UserView => ({
  id: u.id,
  username: u.username,
  email: u.email,
  role: u.role,
  status: u.status,
  quotaBytes: Number(u.quota_bytes),
  usedBytes: Number(u.used_bytes),
  rootId: u.root_id,
  createdAt: Number(u.created_at),
  lastActiveAt: u.last_active_at === null ? null : Number(u.last_active_at),
});

export interface IssuedToken {
  id: string;
  token: string;
  expiresAt: number | null;
}

/** Touch at most this often: a write per request would cost more than the request. */
const TOUCH_INTERVAL_MS = 60_000;
const PASSWORD_CACHE_MS = 5 * 60_000;
const PASSWORD_CACHE_MAX = 10_000;

export class AccountsService {
  private readonly passwordCache = new Map<string, { userId: string; passwordHash: string; until: number }>();

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly config: Config,
    private readonly hasher: PasswordHasher,
    private readonly throttle: LoginThrottle,
  ) {}

  async register(input: { username: string; email: string; password: string }): Promise<UserView> {
    if (this.config.registration === 'closed')
      throw errors.forbidden('Registration is closed on this server.');
    const username = normalizeUsername(input.username);
    const email = normalizeEmail(input.email);
    const fields = [
      validateUsername(username),
      validateEmail(email),
      validatePassword(input.password, username, email),
    ].filter((f): f is FieldError => f !== null);
    if (fields.length) throw errors.validation('Some fields need attention.', fields);
    const taken = await usersRepo.findTaken(this.database.db, username, email);
    const takenFields = takenFieldErrors(taken, username, email);
    if (takenFields.length) throw takenError(takenFields);
    const hash = await this.hasher.hash(input.password);
    return this.createUser({ username, email, passwordHash: hash, role: null });
  }

  /** Creates the user and their root folder in one transaction. The first user becomes admin. */
  private async createUser(input: {
    username: string;
    email: string;
    passwordHash: string;
    role: UsersTable['role'] | null;
  }): Promise<UserView> {
    const now = this.clock.now();
    try {
      return await this.database.transaction(async (trx) => {
        const role = input.role ?? ((await usersRepo.count(trx)) === 0 ? 'admin' : 'user');
        const row: UserRow = {
          id: newId(),
          username: input.username,
          email: input.email,
          password_hash: input.passwordHash,
          role,
          status: 'active',
          quota_bytes: this.config.defaultQuotaBytes,
          used_bytes: 0,
          reserved_bytes: 0,
          root_id: newId(),
          created_at: now,
          last_active_at: null,
          sendbox_id: null,
        };
        await usersRepo.insert(trx, row);
        await nodesRepo.insert(trx, newFolderRow(row.id, null, '', now, row.root_id));
        return toUserView(row);
      });
    } catch (e) {
      if (e instanceof LoftError) throw e;
      // Lost a race with a registration of the same name: report it like the pre-check would.
      const taken = await usersRepo.findTaken(this.database.db, input.username, input.email);
      const fields = takenFieldErrors(taken, input.username, input.email);
      if (fields.length) throw takenError(fields);
      throw e;
    }
  }

  async ensureSeedAdmin(): Promise<void> {
    const admin = this.config.admin;
    if (!admin) return;
    const username = normalizeUsername(admin.username);
    const existing = await usersRepo.findByLogin(this.database.db, username);
    if (existing) return;
    const problems = [validateUsername(username), validatePassword(admin.password)].filter(Boolean);
    if (problems.length)
      throw new Error(
        `LOFT_ADMIN_USERNAME/LOFT_ADMIN_PASSWORD: ${problems.map((p) => p!.message).join(' ')}`,
      );
    await this.createUser({
      username,
      email: normalizeEmail(admin.email),
      passwordHash: await this.hasher.hash(admin.password),
      role: 'admin',
    });
  }

  async login(input: {
    login: string;
    password: string;
    ip: string;
    userAgent: string | null;
    remember: boolean;
  }): Promise<{ session: IssuedToken; user: UserView }> {
    const user = await this.verifyPassword(input.login, input.password, input.ip);
    const ttl = input.remember ? this.config.sessionRememberTtlMs : this.config.sessionTtlMs;
    const session = await this.issueToken(user.id, 'session', input.userAgent ?? 'session', ttl, input);
    await usersRepo.touchActivity(this.database.db, user.id, this.clock.now());
    return { session, user: toUserView(user) };
  }

  /** Checks a password under the login throttle; the user, or 401/403/429. */
  private async verifyPassword(rawLogin: string, password: string, ip: string): Promise<UserRow> {
    const login = rawLogin.trim().toLowerCase();
    await this.throttle.check(login, ip);
    const user = login ? await usersRepo.findByLogin(this.database.db, login) : undefined;
    // Unknown users cost one argon2 verify too, so timing does not tell which names exist.
    const ok = user
      ? await this.hasher.verify(user.password_hash, password)
      : await this.hasher.verifyDummy(password).then(() => false);
    // Parallel attempts all pass the first check before any failure is recorded; a block set while
    // this one was being verified wins, whatever the password, so it reveals nothing either way.
    await this.throttle.check(login, ip);
    if (!user || !ok) {
      const blockedUntil = await this.throttle.recordFailure(login, ip);
      const now = this.clock.now();
      if (blockedUntil > now) throw errors.tooManyRequests(Math.ceil((blockedUntil - now) / 1000));
      throw errors.invalidCredentials();
    }
    await this.throttle.recordSuccess(login);
    if (user.status === 'banned') throw errors.banned();
    return user;
  }

  /**
   * The account password as a credential on every request (WebDAV Basic, when the operator allows
   * it). argon2 on each request would cost more than the request, so a success is remembered for a
   * few minutes, keyed by a hash of name and password, and only while the stored hash is unchanged:
   * a password change or reset ends it at once, a ban on the next request.
   */
  async authenticatePassword(rawLogin: string, password: string, ip: string): Promise<Actor> {
    const key = sha256Hex(`${rawLogin.trim().toLowerCase()}\0${password}`);
    const now = this.clock.now();
    const hit = this.passwordCache.get(key);
    let user = hit && hit.until > now ? await usersRepo.findById(this.database.db, hit.userId) : undefined;
    if (!user || user.password_hash !== hit?.passwordHash) {
      this.passwordCache.delete(key);
      user = await this.verifyPassword(rawLogin, password, ip);
      if (this.passwordCache.size >= PASSWORD_CACHE_MAX) this.passwordCache.clear();
      this.passwordCache.set(key, {
        userId: user.id,
        passwordHash: user.password_hash,
        until: now + PASSWORD_CACHE_MS,
      });
    }
    if (user.status === 'banned') throw errors.banned();
    return {
      userId: user.id,
      username: user.username,
      role: user.role,
      rootId: user.root_id,
      tokenId: `password:${user.id}`,
      via: 'password',
    };
  }

  private async issueToken(
    userId: string,
    kind: 'session' | 'pat',
    name: string,
    ttlMs: number | null,
    meta: { ip?: string; userAgent?: string | null },
  ): Promise<IssuedToken> {
    const now = this.clock.now();
    const token = newSecret(kind === 'session' ? 'loft' : 'loftpat');
    const id = newId();
    const expiresAt = ttlMs === null ? null : now + ttlMs;
    await tokensRepo.insert(this.database.db, {
      id,
      user_id: userId,
      kind,
      token_hash: sha256Hex(token),
      name: name.slice(0, 200),
      created_at: now,
      last_used_at: now,
      expires_at: expiresAt,
      user_agent: meta.userAgent?.slice(0, 300) ?? null,
      ip: meta.ip ?? null,
    });
    return { id, token, expiresAt };
  }

  /**
   * Resolves a bearer secret to an actor, on every request. Bans and revocations therefore take
   * effect on the very next request; null means "not signed in".
   */
  async authenticate(token: string): Promise<Actor | null> {
    if (token.length < 20 || token.length > 200) return null;
    const row = await tokensRepo.findByHash(this.database.db, sha256Hex(token));
    if (!row) return null;
    const now = this.clock.now();
    if (row.expires_at !== null && Number(row.expires_at) <= now) return null;
    if (row.status === 'banned') throw errors.banned();
    if (row.last_used_at === null || now - Number(row.last_used_at) > TOUCH_INTERVAL_MS) {
      // Sessions slide: an active session keeps living, an idle one expires.
      let expiresAt: number | null = null;
      if (row.kind === 'session' && row.expires_at !== null) {
        expiresAt = Math.max(Number(row.expires_at), now + this.config.sessionTtlMs);
      }
      await tokensRepo.touch(this.database.db, row.token_id, now, expiresAt);
      await usersRepo.touchActivity(this.database.db, row.user_id, now);
    }
    return {
      userId: row.user_id,
      username: row.username,
      role: row.role,
      rootId: row.root_id,
      tokenId: row.token_id,
      via: row.kind,
    };
  }

  async logout(actor: Actor): Promise<void> {
    await tokensRepo.deleteById(this.database.db, actor.tokenId);
  }

  async me(actor: Actor): Promise<UserView> {
    const u = await usersRepo.findById(this.database.db, actor.userId);
    if (!u) throw errors.unauthenticated();
    return toUserView(u);
  }

  async listTokens(actor: Actor, kind: 'session' | 'pat') {
    const rows = await tokensRepo.listForUser(this.database.db, actor.userId, kind);
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      createdAt: Number(r.created_at),
      lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
      expiresAt: r.expires_at === null ? null : Number(r.expires_at),
      userAgent: r.user_agent,
      ip: r.ip,
      current: r.id === actor.tokenId,
    }));
  }

  async revokeToken(actor: Actor, kind: 'session' | 'pat', id: string): Promise<void> {
    if (!(await tokensRepo.delete(this.database.db, id, actor.userId, kind))) {
      throw errors.notFound(kind === 'session' ? 'Session' : 'Token');
    }
  }

  async createPersonalToken(actor: Actor, name: string, ip: string): Promise<IssuedToken & { name: string }> {
    const clean = name.trim();
    if (!clean || clean.length > 100) {
      throw errors.validation('Give the token a name of 1 to 100 characters.', [
        { field: 'name', code: 'invalid', message: 'Use 1 to 100 characters.' },
      ]);
    }
    return { ...(await this.issueToken(actor.userId, 'pat', clean, null, { ip })), name: clean };
  }

  async pruneExpiredTokens(): Promise<number> {
    return tokensRepo.deleteExpired(this.database.db, this.clock.now());
  }
}

function takenFieldErrors(taken: { username: string; email: string }[], username: string, email: string) {
  const fields: FieldError[] = [];
  if (taken.some((t) => t.username === username)) {
    fields.push({ field: 'username', code: 'taken', message: 'This username is already taken.' });
  }
  if (taken.some((t) => t.email === email)) {
    fields.push({ field: 'email', code: 'taken', message: 'An account with this email already exists.' });
  }
  return fields;
}

function takenError(fields: FieldError[]): LoftError {
  const code = fields[0]!.field === 'username' ? 'username_taken' : 'email_taken';
  return new LoftError(code, fields.map((f) => f.message).join(' '), { fields });
}
