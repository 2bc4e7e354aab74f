import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('quota_bytes', 'bigint', (c) => c.notNull())
    .addColumn('used_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('reserved_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('root_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_active_at', 'bigint')
    .addCheckConstraint('users_usage_nonneg', sql`used_bytes >= 0 and reserved_bytes >= 0`)
    .execute();

  await db.schema
    .createTable('tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .addColumn('expires_at', 'bigint')
    .addColumn('user_agent', 'text')
    .addColumn('ip', 'text')
    .execute();
  await db.schema.createIndex('tokens_user').on('tokens').columns(['user_id', 'kind']).execute();

  await db.schema
    .createTable('login_throttle')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addColumn('blocked_until', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('blobs')
    .addColumn('sha256', 'text', (c) => c.primaryKey())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('ref_count', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('orphaned_at', 'bigint')
    .execute();
  await db.schema.createIndex('blobs_orphaned').on('blobs').column('orphaned_at').execute();

  await db.schema
    .createTable('nodes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('parent_id', 'text', (c) => c.references('nodes.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('sort_name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('sha256', 'text')
    .addColumn('content_type', 'text')
    .addColumn('current_version_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('modified_at', 'bigint', (c) => c.notNull())
    .addColumn('trashed_at', 'bigint')
    .addColumn('trash_root_id', 'text')
    .addColumn('original_path', 'text')
    .execute();
  // Names are unique among live siblings only: trash may hold several items of one name.
  await db.schema
    .createIndex('nodes_live_name')
    .on('nodes')
    .columns(['parent_id', 'name'])
    .unique()
    .where(sql.ref('trashed_at'), 'is', null)
    .execute();
  // One index per sort order, folders first via kind, each ending in id for stable keyset pages.
  for (const [suffix, cols] of [
    ['name', ['parent_id', 'kind', 'sort_name', 'id']],
    ['size', ['parent_id', 'kind', 'size', 'sort_name', 'id']],
    ['modified', ['parent_id', 'kind', 'modified_at', 'sort_name', 'id']],
  ] as const) {
    await db.schema
      .createIndex(`nodes_list_${suffix}`)
      .on('nodes')
      .columns([...cols])
      .where(sql.ref('trashed_at'), 'is', null)
      .execute();
  }
  await db.schema.createIndex('nodes_trash').on('nodes').columns(['owner_id', 'trashed_at']).execute();
  await db.schema.createIndex('nodes_trash_root').on('nodes').column('trash_root_id').execute();
  await db.schema.createIndex('nodes_parent_all').on('nodes').column('parent_id').execute();

  await db.schema
    .createTable('versions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('node_id', 'text', (c) => c.notNull().references('nodes.id').onDelete('cascade'))
    .addColumn('owner_id', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull().references('blobs.sha256'))
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('versions_node').on('versions').columns(['node_id', 'created_at']).execute();
  await db.schema.createIndex('versions_owner').on('versions').column('owner_id').execute();
  await db.schema.createIndex('versions_sha').on('versions').column('sha256').execute();

  await db.schema
    .createTable('reservations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('bytes', 'bigint', (c) => c.notNull())
    .addColumn('instance_id', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('reservations_expiry').on('reservations').column('expires_at').execute();
  await db.schema.createIndex('reservations_instance').on('reservations').column('instance_id').execute();

  await db.schema
    .createTable('jobs')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('lease_holder', 'text')
    .addColumn('lease_until', 'bigint', (c) => c.notNull())
    .addColumn('last_run_at', 'bigint')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'jobs',
    'reservations',
    'versions',
    'nodes',
    'blobs',
    'login_throttle',
    'tokens',
    'users',
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
