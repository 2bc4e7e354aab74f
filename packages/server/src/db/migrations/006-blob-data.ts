import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * Small blobs live in the database (storage/database-blob-store.ts): one commit instead of a file
 * created, fsynced, renamed and its directory fsynced, which is most of the cost of a small upload.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const bytes = db.getExecutor().adapter instanceof PostgresAdapter ? sql`bytea` : sql`blob`;
  await db.schema
    .createTable('blob_data')
    .addColumn('sha256', 'text', (c) => c.primaryKey())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('data', bytes, (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('blob_data').execute();
}
