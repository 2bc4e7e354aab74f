import type { AccountsService } from './accounts/accounts-service.js';
import type { AdminService } from './accounts/admin-service.js';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { Database } from './db/database.js';
import type { Scheduler } from './jobs/scheduler.js';
import type { LinksService } from './links/links-service.js';
import type { PublicLinksService } from './links/public-links-service.js';
import type { ArchiveService } from './nodes/archive-service.js';
import type { FilesService } from './nodes/files-service.js';
import type { LocksService } from './locks/locks-service.js';
import type { PropertiesService } from './properties/properties-service.js';
import type { NodesService } from './nodes/nodes-service.js';
import type { Metrics } from './observability/metrics.js';
import type { QuotaService } from './quotas/quota-service.js';
import type { BlobCollector } from './storage/blob-collector.js';
import type { BlobStore } from './storage/blob-store.js';
import type { SendsService } from './sends/sends-service.js';
import type { SharingService } from './sharing/sharing-service.js';
import type { TrashService } from './trash/trash-service.js';

/** Everything the HTTP layer may call, built once at start-up by createApp. */
export interface Services {
  config: Config;
  clock: Clock;
  database: Database;
  blobs: BlobStore;
  accounts: AccountsService;
  admin: AdminService;
  nodes: NodesService;
  files: FilesService;
  /** WebDAV write locks; every service enforces them through the same LockGuard. */
  locks: LocksService;
  /** Dead properties (WebDAV PROPPATCH). */
  properties: PropertiesService;
  archive: ArchiveService;
  trash: TrashService;
  sharing: SharingService;
  sends: SendsService;
  /** Public links, the owner's side. */
  links: LinksService;
  /** Public links, the anonymous visitor's side. */
  publicLinks: PublicLinksService;
  quotas: QuotaService;
  collector: BlobCollector;
  scheduler: Scheduler;
  metrics: Metrics;
}
