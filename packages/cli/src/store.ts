import Database from 'better-sqlite3';
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Where the credentials live: $XDG_CONFIG_HOME/loft (or ~/.config/loft) on Linux and other Unixes,
 * ~/Library/Application Support/loft on macOS, %APPDATA%\loft on Windows. LOFT_CONFIG_DIR overrides.
 */
export function configDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.LOFT_CONFIG_DIR) return env.LOFT_CONFIG_DIR;
  const home = os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA || path.join(home, 'AppData', 'Roaming'), 'loft');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'loft');
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'loft');
}

export interface Account {
  server: string;
  username: string;
  userId: string;
  /** A personal access token: never a password, never a session. */
  token: string;
  /** The token's id on the server, to revoke it at logout (null when it could not be found). */
  tokenId: string | null;
  loggedInAt: number;
}

/** user@server, as `--account` takes it. */
export const accountName = (a: Pick<Account, 'server' | 'username'>) =>
  `${a.username}@${a.server.replace(/^https?:\/\//, '')}`;

interface Row {
  server: string;
  username: string;
  user_id: string;
  token: string;
  token_id: string | null;
  logged_in_at: number;
}

const fromRow = (r: Row): Account => ({
  server: r.server,
  username: r.username,
  userId: r.user_id,
  token: r.token,
  tokenId: r.token_id,
  loggedInAt: r.logged_in_at,
});

/** The accounts this device is signed in to, in a SQLite file only its owner can read (0600, dir 0700). */
export class Store {
  private constructor(
    private readonly db: Database.Database,
    readonly file: string,
  ) {}

  static open(dir = configDir()): Store {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (process.platform !== 'win32') chmodSync(dir, 0o700);
    const file = path.join(dir, 'loft.db');
    // Create it with the right mode before SQLite opens it; its journal takes the same mode.
    closeSync(openSync(file, 'a', 0o600));
    if (process.platform !== 'win32') chmodSync(file, 0o600);
    const db = new Database(file);
    db.pragma('journal_mode = DELETE');
    db.pragma('busy_timeout = 5000');
    db.exec(`CREATE TABLE IF NOT EXISTS accounts (
      server TEXT NOT NULL,
      username TEXT NOT NULL,
      user_id TEXT NOT NULL,
      token TEXT NOT NULL,
      token_id TEXT,
      logged_in_at INTEGER NOT NULL,
      PRIMARY KEY (server, username)
    )`);
    return new Store(db, file);
  }

  list(): Account[] {
    return (
      this.db.prepare('SELECT * FROM accounts ORDER BY logged_in_at DESC, server, username').all() as Row[]
    ).map(fromRow);
  }

  /** The last account signed in to is the default. */
  default(): Account | undefined {
    return this.list()[0];
  }

  save(a: Account): void {
    this.db
      .prepare(
        `INSERT INTO accounts (server, username, user_id, token, token_id, logged_in_at)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (server, username) DO UPDATE SET user_id = excluded.user_id, token = excluded.token,
           token_id = excluded.token_id, logged_in_at = excluded.logged_in_at`,
      )
      .run(a.server, a.username, a.userId, a.token, a.tokenId, a.loggedInAt);
  }

  remove(a: Pick<Account, 'server' | 'username'>): void {
    this.db.prepare('DELETE FROM accounts WHERE server = ? AND username = ?').run(a.server, a.username);
  }

  close(): void {
    this.db.close();
  }
}
