import type { Kysely } from 'kysely';

/**
 * Sends: files put up for a while behind a public link. Their bytes live in a hidden folder per
 * user (users.sendbox_id), outside the file tree, so they count in the quota but never show in it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').addColumn('sendbox_id', 'text').execute();
  await db.schema
    .createTable('sends')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('node_id', 'text', (c) => c.notNull().references('nodes.id').onDelete('cascade'))
    .addColumn('link_id', 'text', (c) => c.notNull().references('links.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sends_owner').on('sends').columns(['owner_id', 'created_at']).execute();
  await db.schema.createIndex('sends_expiry').on('sends').column('expires_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('sends').execute();
  await db.schema.alterTable('users').dropColumn('sendbox_id').execute();
}
