import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createApp, type LoftApp } from '../../src/app.js';
import { ManualClock } from '../../src/clock.js';
import { loadConfig, type Config } from '../../src/config.js';
import { Client } from './client.js';

export const dialect = process.env.DATABASE_URL ? 'postgres' : 'sqlite';

export interface TestServer {
  url: string;
  app: LoftApp;
  clock: ManualClock;
  config: Config;
  dataDir: string;
  /** Registers a user (first one becomes admin) and returns a client signed in as them. */
  user(name?: string, opts?: { password?: string }): Promise<Client>;
  anonymous(): Client;
  /** Stops and starts the server on the same data dir and database, as after a reboot. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** Environment for one isolated server: its own data dir, and its own schema on PostgreSQL. */
export function testEnv(extra: Record<string, string> = {}): {
  env: Record<string, string>;
  dataDir: string;
  schema: string | null;
} {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'loft-test-'));
  const schema = process.env.DATABASE_URL ? `t_${randomBytes(6).toString('hex')}` : null;
  const env: Record<string, string> = {
    PORT: '0',
    HOST: '127.0.0.1',
    LOFT_DATA_DIR: dataDir,
    LOFT_LOG_LEVEL: process.env.LOFT_TEST_LOG_LEVEL ?? 'silent',
    LOFT_JOBS: 'false',
    // No web app unless a test brings one: the answers must not depend on packages/web being built.
    LOFT_WEB_DIR: path.join(dataDir, 'no-web-app'),
    ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL, LOFT_DB_SCHEMA: schema! } : {}),
    ...extra,
  };
  return { env, dataDir, schema };
}

export async function dropSchema(schema: string | null): Promise<void> {
  if (!schema || !process.env.DATABASE_URL) return;
  const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await c.end();
  }
}

let userSeq = 0;

export async function startServer(extraEnv: Record<string, string> = {}): Promise<TestServer> {
  const { env, dataDir, schema } = testEnv(extraEnv);
  const config = loadConfig(env);
  const clock = new ManualClock();
  let app = await createApp(config, { clock });
  const port = await app.listen();
  const url = `http://127.0.0.1:${port}`;
  const server: TestServer = {
    url,
    app,
    clock,
    config,
    dataDir,
    anonymous: () => new Client(url),
    async user(name, opts = {}) {
      const username = name ?? `user${process.pid}x${++userSeq}`;
      const password = opts.password ?? 'correct horse battery';
      const c = new Client(url);
      await c.json(
        'POST',
        '/api/auth/register',
        { username, email: `${username}@example.test`, password },
        201,
      );
      await c.login(username, password);
      return c;
    },
    async restart() {
      await app.close();
      // Same port, so clients made before the restart keep working.
      app = await createApp({ ...config, port }, { clock });
      await app.listen();
      server.app = app;
    },
    async close() {
      await app.close();
      await dropSchema(schema);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}
