import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Everything the server can be told, parsed once at start-up and passed down. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** The built web app (index.html, assets/…), served at / by the same server. */
  webDir: string;
  databaseUrl: string | null;
  /** PostgreSQL schema; lets several instances or test runs share one database. */
  databaseSchema: string;
  sqliteSynchronous: 'full' | 'normal';
  publicUrl: string | null;
  trustProxy: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  registration: 'open' | 'closed';
  defaultQuotaBytes: number;
  trashRetentionMs: number;
  /** Sends: default and longest lifetime, and how many one user may have at once. */
  sendDefaultLifetimeMs: number;
  sendMaxLifetimeMs: number;
  sendsPerUser: number;
  /** WebDAV: Basic auth with the account password (off: personal access tokens only). */
  davPasswordAuth: boolean;
  /** PROPFIND Depth: infinity lists at most this many items (0: refused outright). */
  davDepthInfinityLimit: number;
  /** Lock lifetime when the client names none, and the longest granted. */
  davLockDefaultSeconds: number;
  davLockMaxSeconds: number;
  blobGcGraceMs: number;
  sessionTtlMs: number;
  sessionRememberTtlMs: number;
  admin: { username: string; password: string; email: string } | null;
  jobsEnabled: boolean;
  passwordHashConcurrency: number;
  /** argon2id cost; the floor is OWASP's m=19 MiB, t=2. */
  argon2: { memoryKiB: number; timeCost: number };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1000 ** 4,
  tib: 1024 ** 4,
};

export function parseSize(input: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(input);
  if (!m) return null;
  const unit = SIZE_UNITS[(m[2] ?? '').toLowerCase()];
  if (unit === undefined) return null;
  const value = Math.floor(Number(m[1]) * unit);
  return Number.isSafeInteger(value) ? value : null;
}

type Source = Record<string, string | undefined>;

/**
 * packages/web/dist, found from this module's own place: src/config.ts under tsx and vitest,
 * dist/config.ts once built; both are one level below packages/server.
 */
export const DEFAULT_WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dist');

/**
 * Reads the environment (and the JSON file named by LOFT_CONFIG_FILE, whose keys are the same
 * variable names) and reports every problem at once, so an operator fixes them in one go.
 */
export function loadConfig(env: Source = process.env, cwd = process.cwd()): Config {
  const problems: string[] = [];
  let source: Source = env;
  if (env.LOFT_CONFIG_FILE) {
    try {
      const file = JSON.parse(readFileSync(path.resolve(cwd, env.LOFT_CONFIG_FILE), 'utf8')) as Record<
        string,
        unknown
      >;
      const fromFile: Source = {};
      for (const [k, v] of Object.entries(file)) fromFile[k] = v === null ? undefined : String(v);
      source = { ...fromFile, ...env };
    } catch (e) {
      problems.push(`LOFT_CONFIG_FILE: cannot read ${env.LOFT_CONFIG_FILE}: ${(e as Error).message}`);
    }
  }

  const str = (key: string, fallback: string) => source[key]?.trim() || fallback;
  const int = (key: string, fallback: number, min: number, max: number) => {
    const raw = source[key]?.trim();
    if (!raw) return fallback;
    // Decimal digits only: Number() would also take "0x50", "1e3" and "80.0".
    const n = /^-?\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${key}: expected an integer between ${min} and ${max}, got "${raw}"`);
      return fallback;
    }
    return n;
  };
  const bool = (key: string, fallback: boolean) => {
    const raw = source[key]?.trim().toLowerCase();
    if (!raw) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    problems.push(`${key}: expected true or false, got "${raw}"`);
    return fallback;
  };
  const oneOf = <T extends string>(key: string, allowed: readonly T[], fallback: T): T => {
    const raw = source[key]?.trim().toLowerCase();
    if (!raw) return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    problems.push(`${key}: expected one of ${allowed.join(', ')}, got "${raw}"`);
    return fallback;
  };
  const size = (key: string, fallback: number) => {
    const raw = source[key]?.trim();
    if (!raw) return fallback;
    const n = parseSize(raw);
    if (n === null || n < 0) {
      problems.push(`${key}: expected a size such as 1073741824, 500MiB or 10GiB, got "${raw}"`);
      return fallback;
    }
    return n;
  };

  const databaseUrl = source.DATABASE_URL?.trim() || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL: only postgres:// URLs are supported (leave it unset for SQLite)');
  }
  const databaseSchema = str('LOFT_DB_SCHEMA', 'public');
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(databaseSchema)) {
    problems.push(`LOFT_DB_SCHEMA: expected a lower-case SQL identifier, got "${databaseSchema}"`);
  }
  const publicUrl = source.LOFT_PUBLIC_URL?.trim() || null;
  if (publicUrl) {
    try {
      new URL(publicUrl);
    } catch {
      problems.push(`LOFT_PUBLIC_URL: not a URL: "${publicUrl}"`);
    }
  }

  const adminUser = source.LOFT_ADMIN_USERNAME?.trim();
  const adminPass = source.LOFT_ADMIN_PASSWORD;
  if (!!adminUser !== !!adminPass) {
    problems.push('LOFT_ADMIN_USERNAME and LOFT_ADMIN_PASSWORD must be set together');
  }

  const day = 24 * 3600 * 1000;
  const config: Config = {
    port: int('PORT', 8080, 0, 65535),
    host: str('HOST', '0.0.0.0'),
    dataDir: path.resolve(cwd, str('LOFT_DATA_DIR', './data')),
    webDir: path.resolve(cwd, str('LOFT_WEB_DIR', DEFAULT_WEB_DIR)),
    databaseUrl,
    databaseSchema,
    sqliteSynchronous: oneOf('LOFT_SQLITE_SYNCHRONOUS', ['full', 'normal'] as const, 'full'),
    publicUrl: publicUrl?.replace(/\/+$/, '') ?? null,
    trustProxy: bool('LOFT_TRUST_PROXY', false),
    logLevel: oneOf(
      'LOFT_LOG_LEVEL',
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const,
      'info',
    ),
    registration: oneOf('LOFT_REGISTRATION', ['open', 'closed'] as const, 'open'),
    defaultQuotaBytes: size('LOFT_DEFAULT_QUOTA', 1024 ** 3),
    trashRetentionMs: int('LOFT_TRASH_RETENTION_DAYS', 30, 1, 3650) * day,
    sendDefaultLifetimeMs: int('LOFT_SEND_DEFAULT_MINUTES', 120, 1, 365 * 24 * 60) * 60_000,
    sendMaxLifetimeMs: int('LOFT_SEND_MAX_MINUTES', 7 * 24 * 60, 1, 365 * 24 * 60) * 60_000,
    sendsPerUser: int('LOFT_SENDS_PER_USER', 10, 1, 10_000),
    davPasswordAuth: bool('LOFT_DAV_PASSWORD_AUTH', false),
    davDepthInfinityLimit: int('LOFT_DAV_DEPTH_INFINITY_LIMIT', 10_000, 0, 10_000_000),
    davLockDefaultSeconds: int('LOFT_DAV_LOCK_DEFAULT_SECONDS', 600, 1, 7 * 24 * 3600),
    davLockMaxSeconds: int('LOFT_DAV_LOCK_MAX_SECONDS', 3600, 1, 7 * 24 * 3600),
    blobGcGraceMs: int('LOFT_BLOB_GC_GRACE_MINUTES', 60, 1, 10 * 24 * 60) * 60_000,
    sessionTtlMs: int('LOFT_SESSION_TTL_HOURS', 12, 1, 24 * 365) * 3600_000,
    sessionRememberTtlMs: int('LOFT_SESSION_REMEMBER_DAYS', 30, 1, 3650) * day,
    admin:
      adminUser && adminPass
        ? {
            username: adminUser,
            password: adminPass,
            email: str('LOFT_ADMIN_EMAIL', `${adminUser}@localhost`),
          }
        : null,
    jobsEnabled: bool('LOFT_JOBS', true),
    passwordHashConcurrency: int('LOFT_PASSWORD_HASH_CONCURRENCY', 2, 1, 64),
    argon2: {
      memoryKiB: int('LOFT_ARGON2_MEMORY_KIB', 19 * 1024, 19 * 1024, 4 * 1024 * 1024),
      timeCost: int('LOFT_ARGON2_TIME_COST', 2, 2, 100),
    },
  };
  if (problems.length) throw new ConfigError(problems);
  return config;
}
