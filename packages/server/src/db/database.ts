import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import type { Config } from '../config.js';
import { migrateToLatest } from './migrations/index.js';
import type { DB, Executor } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Database {
  db: Kysely<DB>;
  dialect: Dialect;
  /** Runs fn in one transaction; the only way services group writes. */
  transaction<T>(fn: (trx: Transaction<DB>) => Promise<T>): Promise<T>;
  /**
   * The transaction the caller runs in, else the database: for code behind a port that cannot be
   * handed one (the database blob store). On SQLite a query outside the open transaction would
   * wait for it forever, since both need the one connection.
   */
  current(): Executor;
  ping(): Promise<void>;
  /**
   * Resolves once every transaction committed so far is on disk. Writes call it before they
   * answer; concurrent callers share one fsync (group commit).
   */
  durable(): Promise<void>;
  close(): Promise<void>;
}

const INT8_OID = 20;

export async function openDatabase(config: Config): Promise<Database> {
  let db: Kysely<DB>;
  let dialect: Dialect;
  let durable: GroupSync | null = null;
  if (config.databaseUrl) {
    dialect = 'postgres';
    const schema = config.databaseSchema;
    // BIGINT comes back as a JS number: sizes and timestamps stay far below 2^53.
    const types = {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID
          ? (v: string) => Number(v)
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    };
    if (schema !== 'public') {
      const admin = new pg.Client({ connectionString: config.databaseUrl });
      await admin.connect();
      try {
        await admin.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      } finally {
        await admin.end();
      }
    }
    const pool = new pg.Pool({
      connectionString: config.databaseUrl,
      max: 10,
      types,
      options: `-c search_path="${schema}"`,
    });
    db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  } else {
    dialect = 'sqlite';
    mkdirSync(config.dataDir, { recursive: true });
    const file = path.join(config.dataDir, 'loft.db');
    const sqlite = new SQLite(file);
    sqlite.pragma('journal_mode = WAL');
    // Commits do not fsync on the event loop; durable() fsyncs the WAL off-thread, once for many
    // commits, before any write is acknowledged. Checkpoints still sync WAL and database file.
    sqlite.pragma('synchronous = NORMAL');
    if (config.sqliteSynchronous === 'full') durable = new GroupSync(`${file}-wal`);
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    db = new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  }
  await migrateToLatest(
    db as unknown as Kysely<unknown>,
    dialect === 'postgres' ? config.databaseSchema : undefined,
  );
  const ambient = new AsyncLocalStorage<Transaction<DB>>();
  return {
    db,
    dialect,
    transaction: (fn) => db.transaction().execute((trx) => ambient.run(trx, () => fn(trx))),
    current: () => ambient.getStore() ?? db,
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    durable: () => durable?.sync() ?? Promise.resolve(),
    close: async () => {
      await durable?.close();
      await db.destroy();
    },
  };
}

/**
 * Kysely prepares every query anew; on SQLite preparing costs more than running a small query.
 * Statements are reused by SQL text (queries are parameterized, so the set is small and bounded).
 * One connection runs one query at a time, so a cached statement is never in use twice.
 */
function withStatementCache(sqlite: SQLite.Database, max = 1000): SQLite.Database {
  const cache = new Map<string, SQLite.Statement>();
  const prepare = sqlite.prepare.bind(sqlite);
  return new Proxy(sqlite, {
    get(target, prop, receiver) {
      if (prop !== 'prepare') {
        const value = Reflect.get(target, prop, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      }
      return (source: string) => {
        let stmt = cache.get(source);
        if (!stmt) {
          stmt = prepare(source);
          if (cache.size >= max) cache.delete(cache.keys().next().value!);
          cache.set(source, stmt);
        }
        return stmt;
      };
    },
  });
}

/**
 * Group commit for SQLite's write-ahead log: fdatasync of the WAL on the thread pool. A caller
 * that arrives while a sync runs waits for the next one, which then covers its commit too.
 */
class GroupSync {
  private fh: fs.FileHandle | null = null;
  private running: Promise<void> | null = null;
  private next: Promise<void> | null = null;

  constructor(private readonly file: string) {}

  sync(): Promise<void> {
    if (!this.running) return this.start();
    this.next ??= this.running.then(() => {
      this.next = null;
      return this.start();
    });
    return this.next;
  }

  private start(): Promise<void> {
    this.running = this.flush().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async flush(): Promise<void> {
    if (!this.fh) {
      try {
        this.fh = await fs.open(this.file, 'r');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // nothing written yet
        throw e;
      }
    }
    await this.fh.datasync();
  }

  async close(): Promise<void> {
    await this.running;
    await this.fh?.close();
    this.fh = null;
  }
}
