import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AccountsService } from './accounts/accounts-service.js';
import { AdminService } from './accounts/admin-service.js';
import { LoginThrottle } from './accounts/login-throttle.js';
import { createPasswordHasher } from './accounts/passwords.js';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { openDatabase } from './db/database.js';
import { buildHttpServer, type HttpState } from './http/server.js';
import type { App } from './http/types.js';
import { Scheduler, type Job } from './jobs/scheduler.js';
import { readInstanceSecret } from './links/instance-secret.js';
import { LinkAccess } from './links/link-access.js';
import { LinkSecrets } from './links/link-secrets.js';
import { LinkThrottle } from './links/link-throttle.js';
import { LinksService } from './links/links-service.js';
import { PublicLinksService } from './links/public-links-service.js';
import { NodeAccess } from './nodes/access.js';
import { ArchiveService } from './nodes/archive-service.js';
import { FilesService } from './nodes/files-service.js';
import { NodesService } from './nodes/nodes-service.js';
import { Metrics } from './observability/metrics.js';
import { QuotaService } from './quotas/quota-service.js';
import type { Services } from './services.js';
import { LockGuard } from './locks/lock-guard.js';
import { LocksService } from './locks/locks-service.js';
import { PropertiesService } from './properties/properties-service.js';
import { BlobCollector } from './storage/blob-collector.js';
import type { BlobStore } from './storage/blob-store.js';
import { DatabaseBlobStore } from './storage/database-blob-store.js';
import { LocalBlobStore } from './storage/local-blob-store.js';
import { TieredBlobStore } from './storage/tiered-blob-store.js';
import { SendsService } from './sends/sends-service.js';
import { SharingService } from './sharing/sharing-service.js';
import { TrashService } from './trash/trash-service.js';

export interface LoftApp {
  http: App;
  services: Services;
  /** Listens and starts the job scheduler; resolves with the bound port. */
  listen(): Promise<number>;
  close(): Promise<void>;
}

export interface AppOverrides {
  clock?: Clock;
  blobs?: BlobStore;
}

const HOUR = 3600_000;

/** The composition root: every service is built here, once, from the parsed configuration. */
/** Contents up to this size that arrive whole are kept in the database, not a file of their own. */
const SMALL_BLOB_BYTES = 64 * 1024;

export async function createApp(config: Config, overrides: AppOverrides = {}): Promise<LoftApp> {
  const clock = overrides.clock ?? systemClock;
  mkdirSync(config.dataDir, { recursive: true });
  const instanceId = readInstanceId(config.dataDir);
  // Public-link tokens and visitor grants are derived from it; it never goes to the database.
  const linkSecrets = new LinkSecrets(readInstanceSecret(config.dataDir));
  const database = await openDatabase(config);
  const blobs =
    overrides.blobs ??
    new TieredBlobStore(
      new DatabaseBlobStore(database, clock),
      new LocalBlobStore(path.join(config.dataDir, 'blobs')),
      SMALL_BLOB_BYTES,
    );
  await blobs.init();

  const metrics = new Metrics();
  const hasher = createPasswordHasher({
    memoryKiB: config.argon2.memoryKiB,
    timeCost: config.argon2.timeCost,
    concurrency: config.passwordHashConcurrency,
  });
  const accounts = new AccountsService(database, clock, config, hasher, new LoginThrottle(database, clock));
  const access = new NodeAccess(database);
  const lockGuard = new LockGuard(clock);
  const nodes = new NodesService(database, clock, access, lockGuard);
  const quotas = new QuotaService(database, clock, instanceId);
  const files = new FilesService(database, clock, access, nodes, blobs, quotas, metrics, lockGuard);
  const locks = new LocksService(database, clock, access, lockGuard, {
    defaultSeconds: config.davLockDefaultSeconds,
    maxSeconds: config.davLockMaxSeconds,
  });
  const properties = new PropertiesService(database, access, lockGuard);
  // One archiver: signed-in zips authorize through NodeAccess, link zips through LinkAccess.
  const archive = new ArchiveService(database, access, blobs);
  const trash = new TrashService(database, clock, nodes, config.trashRetentionMs);
  const sharing = new SharingService(database, clock, access, nodes);
  const links = new LinksService(database, clock, access, hasher, linkSecrets);
  const sends = new SendsService(database, clock, config, files, links, trash);
  const publicLinks = new PublicLinksService(
    database,
    clock,
    new LinkAccess(database, clock, linkSecrets),
    new LinkThrottle(database, clock),
    hasher,
    linkSecrets,
    files,
    archive,
    blobs,
  );
  const collector = new BlobCollector(database, blobs, clock, config.blobGcGraceMs);
  const throttle = new LoginThrottle(database, clock);

  const jobs: Job[] = [
    { name: 'trash-purge', everyMs: 24 * HOUR, run: () => trash.purgeExpired() },
    { name: 'blob-collect', everyMs: HOUR, run: () => collector.collect() },
    { name: 'blob-sweep', everyMs: 24 * HOUR, run: () => collector.sweepUnknown() },
    { name: 'reservations-expire', everyMs: 60_000, run: () => quotas.releaseStale(false) },
    { name: 'sends-expire', everyMs: 60_000, run: () => sends.expire() },
    {
      name: 'auth-prune',
      everyMs: 6 * HOUR,
      run: async () => ({ tokens: await accounts.pruneExpiredTokens(), throttle: await throttle.prune() }),
    },
  ];

  // Space held by uploads this instance had in flight when it last stopped can be freed now.
  await quotas.releaseStale(true);
  await accounts.ensureSeedAdmin();

  const state: HttpState = { shuttingDown: false };
  const services: Services = {
    config,
    clock,
    database,
    blobs,
    accounts,
    admin: new AdminService(database),
    nodes,
    files,
    locks,
    properties,
    archive,
    trash,
    sharing,
    sends,
    links,
    publicLinks,
    quotas,
    collector,
    scheduler: undefined as unknown as Scheduler,
    metrics,
  };
  const http = await buildHttpServer(services, state);
  services.scheduler = new Scheduler(database, clock, http.log, jobs, instanceId);

  return {
    http,
    services,
    async listen() {
      await http.listen({ port: config.port, host: config.host });
      if (config.jobsEnabled) services.scheduler.start();
      const addr = http.server.address();
      return typeof addr === 'object' && addr ? addr.port : config.port;
    },
    async close() {
      state.shuttingDown = true;
      await services.scheduler.stop();
      await http.close();
      await database.close();
      await blobs.close();
    },
  };
}

/** A stable id per data directory: after a crash, the restarted server knows its old reservations. */
function readInstanceId(dataDir: string): string {
  const file = path.join(dataDir, 'instance-id');
  try {
    const id = readFileSync(file, 'utf8').trim();
    if (id) return id;
  } catch {
    // first start
  }
  const id = randomUUID();
  writeFileSync(file, id + '\n');
  return id;
}
