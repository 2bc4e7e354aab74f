import type { Kysely, Transaction } from 'kysely';

/** Timestamps are epoch milliseconds and sizes are bytes, stored as BIGINT on both dialects. */
export interface UsersTable {
  id: string;
  username: string;
  email: string;
  password_hash: string;
  role: 'user' | 'admin';
  status: 'active' | 'banned';
  quota_bytes: number;
  used_bytes: number;
  reserved_bytes: number;
  root_id: string;
  created_at: number;
  last_active_at: number | null;
  /** The hidden folder holding the user's sends (outside the file tree); created on first send. */
  sendbox_id: string | null;
}

export interface TokensTable {
  id: string;
  user_id: string;
  kind: 'session' | 'pat';
  token_hash: string;
  name: string;
  created_at: number;
  last_used_at: number | null;
  expires_at: number | null;
  user_agent: string | null;
  ip: string | null;
}

export interface LoginThrottleTable {
  key: string;
  failures: number;
  window_start: number;
  blocked_until: number;
}

export interface NodesTable {
  id: string;
  owner_id: string;
  parent_id: string | null;
  name: string;
  /** Lower-cased name: the order people expect, usable by one index on both dialects. */
  sort_name: string;
  kind: 'folder' | 'file';
  size: number;
  sha256: string | null;
  content_type: string | null;
  current_version_id: string | null;
  created_at: number;
  modified_at: number;
  trashed_at: number | null;
  /** Set on every node of a trashed subtree; equals id on the node the user deleted. */
  trash_root_id: string | null;
  /** Path of the parent folder at deletion time, on trash roots only, to recreate it on restore. */
  original_path: string | null;
}

export interface VersionsTable {
  id: string;
  node_id: string;
  owner_id: string;
  sha256: string;
  size: number;
  content_type: string;
  created_at: number;
}

export interface BlobsTable {
  sha256: string;
  size: number;
  ref_count: number;
  created_at: number;
  /** When ref_count last dropped to zero; the collector waits a grace period after it. */
  orphaned_at: number | null;
}

export interface ReservationsTable {
  id: string;
  user_id: string;
  bytes: number;
  instance_id: string;
  expires_at: number;
}

export interface JobsTable {
  name: string;
  lease_holder: string | null;
  lease_until: number;
  last_run_at: number | null;
}

export interface SharesTable {
  id: string;
  node_id: string;
  owner_id: string;
  grantee_id: string;
  role: 'viewer' | 'editor';
  created_at: number;
}

export interface LinksTable {
  id: string;
  node_id: string;
  /** Owner of the linked item: the one who sees and manages the link. */
  owner_id: string;
  created_by: string;
  /** SHA-256 (hex) of the token; the token is derived from the id and the instance secret. */
  token_hash: string;
  password_hash: string | null;
  expires_at: number | null;
  max_downloads: number | null;
  /** 1: a file drop, visitors may upload but not list or download. */
  upload_only: number;
  view_count: number;
  download_count: number;
  created_at: number;
  updated_at: number;
}

export interface SendsTable {
  id: string;
  owner_id: string;
  /** The file, in the owner's send box. */
  node_id: string;
  /** Its public link, which expires with the send. */
  link_id: string;
  created_at: number;
  expires_at: number;
}

export interface LocksTable {
  /** The lock token, "urn:uuid:…", also the client's proof of holding the lock. */
  token: string;
  node_id: string;
  tree_owner_id: string;
  user_id: string;
  scope: 'exclusive' | 'shared';
  /** "infinity": the lock covers everything below the node too. */
  depth: '0' | 'infinity';
  owner_xml: string | null;
  /** The URL the lock was taken on, shown as its lockroot. */
  root_href: string;
  timeout_seconds: number;
  created_at: number;
  expires_at: number;
}

export interface PropertiesTable {
  node_id: string;
  ns: string;
  name: string;
  xml: string;
}

export interface BlobDataTable {
  sha256: string;
  size: number;
  data: Buffer;
  created_at: number;
}

export interface DB {
  users: UsersTable;
  tokens: TokensTable;
  login_throttle: LoginThrottleTable;
  nodes: NodesTable;
  versions: VersionsTable;
  blobs: BlobsTable;
  reservations: ReservationsTable;
  jobs: JobsTable;
  shares: SharesTable;
  links: LinksTable;
  sends: SendsTable;
  locks: LocksTable;
  properties: PropertiesTable;
  blob_data: BlobDataTable;
}

/** Anything a repository function can run on: the database or an open transaction. */
export type Executor = Kysely<DB> | Transaction<DB>;
