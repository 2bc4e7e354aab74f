import type { Kysely } from 'kysely';

/**
 * WebDAV state that lives beside the file tree: write locks (RFC 4918 §6–7) and dead properties
 * (§4). Both hang off a node and go with it when it is purged.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('locks')
    .addColumn('token', 'text', (c) => c.primaryKey())
    .addColumn('node_id', 'text', (c) => c.notNull().references('nodes.id').onDelete('cascade'))
    // The owner of the tree the node is in: "does this tree have any lock?" is one index probe.
    .addColumn('tree_owner_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    // Who took the lock: only they may use its token.
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('depth', 'text', (c) => c.notNull())
    .addColumn('owner_xml', 'text')
    .addColumn('root_href', 'text', (c) => c.notNull())
    .addColumn('timeout_seconds', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('locks_tree').on('locks').columns(['tree_owner_id', 'expires_at']).execute();
  await db.schema.createIndex('locks_node').on('locks').column('node_id').execute();

  await db.schema
    .createTable('properties')
    .addColumn('node_id', 'text', (c) => c.notNull().references('nodes.id').onDelete('cascade'))
    .addColumn('ns', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    // The property element itself, serialized with its namespace declarations.
    .addColumn('xml', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('properties_pk', ['node_id', 'ns', 'name'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('properties').execute();
  await db.schema.dropTable('locks').execute();
}
