import type { Kysely } from 'kysely';

/** Shares with other users: one row per (item, recipient); a folder share covers its whole subtree. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('shares')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('node_id', 'text', (c) => c.notNull().references('nodes.id').onDelete('cascade'))
    .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('grantee_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('shares_node_grantee', ['node_id', 'grantee_id'])
    .execute();
  // Access checks look up a recipient's shares among an item's ancestors.
  await db.schema.createIndex('shares_grantee').on('shares').columns(['grantee_id', 'node_id']).execute();
  await db.schema.createIndex('shares_owner').on('shares').columns(['owner_id', 'created_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('shares').execute();
}
