import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import * as m001 from './001-initial.js';
import * as m002 from './002-shares.js';
import * as m004 from './004-sends.js';
import * as m003 from './003-links.js';
import * as m005 from './005-dav.js';
import * as m006 from './006-blob-data.js';

// Migrations are listed in code, not read from disk, so the compiled bundle carries them.
const migrations: Record<string, Migration> = {
  '001-initial': m001,
  '002-shares': m002,
  '003-links': m003,
  '004-sends': m004,
  '005-dav': m005,
  '006-blob-data': m006,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/**
 * `schema` (PostgreSQL) pins Kysely's own bookkeeping tables to that schema: otherwise it looks
 * for them in every schema, sees another instance's, and fails on a schema not yet migrated.
 */
export async function migrateToLatest(db: Kysely<unknown>, schema?: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await migrateOnce(db, schema);
    } catch (e) {
      // Kysely's table check scans every schema with has_schema_privilege(); a schema another
      // instance drops during that scan makes it fail with "schema … does not exist" for a
      // schema that is not ours. That race is harmless: look again.
      const other = /schema "([^"]+)" does not exist/.exec((e as Error).message)?.[1];
      if (!other || other === schema || attempt >= 5) throw e;
      await new Promise((r) => setTimeout(r, 20 * attempt));
    }
  }
}

async function migrateOnce(db: Kysely<unknown>, schema?: string): Promise<void> {
  const migrator = new Migrator({ db, provider, ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(
      `Database migration ${failed?.migrationName ?? ''} failed: ${(error as Error | undefined)?.message ?? 'unknown error'}`,
    );
  }
}
