/**
 * Loft benchmark: one run on one machine, every figure next to a baseline measured in the same run.
 *
 *   npm run bench                       (from the repository root, or `npx tsx bench/run.ts` here)
 *
 * Servers run as child processes and this process is the client, so the server's memory is its
 * own: its RSS is read from /proc/<pid>/status (VmRSS) every 50 ms during uploads.
 *
 * Loft is compiled first with tsc (tsconfig.build.json, into node_modules/.cache/loft-bench-<pid>,
 * removed afterwards) and started as `node main.js`, as in production: under `node --import tsx`
 * the loader alone adds ~40 MB of RSS. LOFT_BENCH_SERVER=tsx runs `node --import tsx src/main.ts`
 * instead. Either way with LOFT_LOG_LEVEL=warn, LOFT_JOBS=false, a fresh data dir, SQLite; with
 * DATABASE_URL set, PostgreSQL in a schema of its own, dropped afterwards.
 *
 * Large transfers are measured in rounds (2 by default), each interleaving Loft with its baselines
 * so that disk and CPU noise (other processes, a virtual disk's bursts) hits both alike; every
 * figure is the best of its rounds, all runs are listed in the notes. One round:
 *   1. disk: a 1 GiB file written in 1 MiB write()s, then fdatasync (dd bs=1M conv=fdatasync),
 *      in the data dir's filesystem. It is the upload source.
 *   2. upload of that file to Loft (raw `PUT /api/files?path=`, Content-Length, streamed), and to
 *      a bare node:http receiver (bench/bare-server.ts: SHA-256 + fs.createWriteStream +
 *      fdatasync), in alternating order. The bare receiver is for context only: it shows what
 *      Node itself reaches next to dd.
 *   3. download: the file from the bare server (fs.createReadStream, default 64 KiB chunks and
 *      1 MiB chunks; the better is the baseline) and from Loft (`GET /api/nodes/:id/content`);
 *      the client (curl when installed, else node:http) discards the bytes.
 * Then, once:
 *   4. disk: 4 KiB files created and fdatasync'ed, 8 at a time (what small uploads stand on).
 *   5. 2,000 uploads of 4 KiB of distinct random content over 1, then over 8 keep-alive
 *      connections, after a warm-up of 50.
 *   6. first page (limit 100, default sort) of a folder of 100,000 files, 50 requests after 5 of
 *      warm-up. The folder is created through the API; its entries are inserted straight into the
 *      same database by this process, with the server's own openDatabase and repositories (one
 *      transaction, batches of 500 rows, with matching versions rows, blob reference count and
 *      usage), since only the read is measured. The server is idle meanwhile; SQLite's WAL lets
 *      two processes share the file.
 *   7. WebDAV (dav.ts, whose header tells the details): the same workload against Loft's /dav/,
 *      Apache's mod_dav and `rclone serve webdav`, each started by the bench on loopback: PUT and
 *      GET of the large file in every round above, then 4 KiB PUTs over 1 and 8 connections and
 *      PROPFIND Depth 1 of collections of 2,000 and 10,000 entries.
 *
 * MB = 10^6 bytes. Results are printed as a table and written to bench/results/latest.json.
 * Exit code is 0 when every figure was measured, whether or not it meets its target; 1 when a step
 * failed to run. Knobs, for quick runs while developing (the report marks non-default sizes):
 * LOFT_BENCH_SIZE (1GiB), LOFT_BENCH_ROUNDS (3), LOFT_BENCH_SMALL_COUNT (2000),
 * LOFT_BENCH_LIST_ENTRIES (100000), LOFT_BENCH_DIR (parent of the temporary directory; the OS temp
 * dir), LOFT_BENCH_SERVER (dist | tsx), LOFT_BENCH_NODE_ARGS (extra node flags for the server, such
 * as "--cpu-prof --cpu-prof-dir=/tmp/prof"); for WebDAV, LOFT_BENCH_DAV (0 skips it),
 * LOFT_BENCH_DAV_ENTRIES (2000,10000), LOFT_BENCH_APACHE, LOFT_BENCH_RCLONE (binaries, 0 skips one).
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  fdatasyncSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import { loadConfig, parseSize } from '../src/config.js';
import { openDatabase } from '../src/db/database.js';
import { nodesRepo, type NodeRow } from '../src/db/nodes-repo.js';
import { versionsRepo, type VersionRow } from '../src/db/versions-repo.js';
import { sortNameOf } from '../src/nodes/names.js';
import { newId } from '../src/util/ids.js';
import { davResults, davRows, davSettings } from './dav-report.js';
import { DAV_DEFAULTS, DAV_ENABLED, DavBench } from './dav.js';
import { compileServer } from './lib/build.js';
import { downloadDiscard, json, manyRequests, request } from './lib/http.js';
import { killAllChildren, rssOf, sampleRss, startBare, startLoft, type ChildServer } from './lib/proc.js';
import { fmt, MB, median, percentile, table, type Row } from './lib/report.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const serverRoot = path.resolve(here, '..');
const KiB = 1024;
const MiB = 1024 * KiB;

const DEFAULTS = { size: 1024 * MiB, rounds: 3, smallCount: 2000, listEntries: 100_000 };
const BIG = sizeFromEnv('LOFT_BENCH_SIZE', DEFAULTS.size);
const ROUNDS = intFromEnv('LOFT_BENCH_ROUNDS', DEFAULTS.rounds);
const SMALL_COUNT = intFromEnv('LOFT_BENCH_SMALL_COUNT', DEFAULTS.smallCount);
const SMALL_SIZE = 4 * KiB;
const SMALL_WARMUP = 50;
/** A phase of small uploads stops early past this, so a slow server cannot stall the bench. */
const SMALL_CAP_MS = 90_000;
const FSYNC_FILES = 1000;
const PARALLEL = 8;
const LIST_ENTRIES = intFromEnv('LOFT_BENCH_LIST_ENTRIES', DEFAULTS.listEntries);
const LIST_LIMIT = 100;
const LIST_WARMUP = 5;
const LIST_REQUESTS = 50;
const RSS_EVERY_MS = 50;
const BARE_CHUNKS = [64 * KiB, MiB];

const TARGETS = { uploadRatio: 0.9, downloadRatio: 0.9, smallPerSec8: 1500, listMs: 20, rssMB: 200 };

function sizeFromEnv(key: string, fallback: number): number {
  const raw = process.env[key];
  if (!raw) return fallback;
  const n = parseSize(raw);
  if (n === null || n <= 0) throw new Error(`${key}: expected a size such as 256MiB, got "${raw}"`);
  return n;
}

function intFromEnv(key: string, fallback: number): number {
  const raw = process.env[key];
  if (!raw) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${key}: expected a positive integer, got "${raw}"`);
  return n;
}

const log = (msg: string) => process.stderr.write(`${msg}\n`);
const mbps = (bytes: number, ms: number) => bytes / (ms / 1000) / MB;
const since = (t0: number) => performance.now() - t0;
const round2 = (x: number) => Math.round(x * 100) / 100;
const best = (xs: number[]) => (xs.length ? Math.max(...xs) : null);
const runsNote = (xs: number[], decimals = 0) =>
  xs.length > 1 ? `best of ${xs.length}: ${xs.map((x) => fmt(x, decimals)).join(', ')}` : '';

// ---------------------------------------------------------------------------------------------
// Baselines

/** dd if=... of=file bs=1M conv=fdatasync, timed from open to the end of fdatasync; MB/s. */
function ddWrite(file: string, size: number): number {
  // A few random MiB reused, fresh each round (no dedup between rounds); generating 1 GiB of
  // randomness here would be timed as disk speed.
  const pool = Array.from({ length: 8 }, () => randomBytes(MiB));
  const t0 = performance.now();
  const fd = openSync(file, 'w', 0o600);
  try {
    let left = size;
    for (let i = 0; left > 0; i++) {
      const buf = pool[i % pool.length]!.subarray(0, Math.min(left, MiB));
      for (let off = 0; off < buf.length;) off += writeSync(fd, buf, off, buf.length - off);
      left -= buf.length;
    }
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return mbps(size, since(t0));
}

/** Files of 4 KiB created and fdatasync'ed, `parallel` at a time; files/s. */
async function fsyncCreates(dir: string, count: number, parallel: number): Promise<number> {
  mkdirSync(dir, { recursive: true });
  const buf = randomBytes(SMALL_SIZE);
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let i = next++; i < count; i = next++) {
        const fh = await fs.open(path.join(dir, `f${i}`), 'wx');
        try {
          await fh.write(buf);
          await fh.datasync();
        } finally {
          await fh.close();
        }
      }
    }),
  );
  const perSec = count / (since(t0) / 1000);
  rmSync(dir, { recursive: true, force: true });
  return perSec;
}

async function bareUpload(bare: ChildServer, file: string, size: number): Promise<number> {
  const t0 = performance.now();
  const r = await request(`http://127.0.0.1:${bare.port}`, 'PUT', '/', {
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
    body: createReadStream(file, { highWaterMark: MiB }),
  });
  const ms = since(t0);
  const got = r.status === 201 ? (JSON.parse(r.body.toString('utf8')) as { size: number }).size : -1;
  if (got !== size) throw new Error(`bare upload: status ${r.status}, ${got} bytes`);
  return mbps(size, ms);
}

async function bareDownload(bare: ChildServer, size: number, chunk: number): Promise<number> {
  const t0 = performance.now();
  const r = await downloadDiscard(`http://127.0.0.1:${bare.port}`, `/?hwm=${chunk}`);
  const ms = since(t0);
  if (r.status !== 200 || r.bytes !== size)
    throw new Error(`bare download: status ${r.status}, ${r.bytes} bytes`);
  return mbps(size, ms);
}

// ---------------------------------------------------------------------------------------------
// Loft

interface Session {
  base: string;
  username: string;
  auth: Record<string, string>;
  userId: string;
  rootId: string;
}

interface UploadedNode {
  id: string;
  size: number;
  sha256: string;
}

async function signIn(loft: ChildServer): Promise<Session> {
  const base = `http://127.0.0.1:${loft.port}`;
  const username = 'bench';
  const password = 'correct horse battery staple';
  await json(base, 'POST', '/api/auth/register', { username, email: 'bench@example.test', password }, 201);
  const r = await json<{ token: string; user: { id: string; rootId: string } }>(
    base,
    'POST',
    '/api/auth/login',
    { login: username, password },
    200,
  );
  return {
    base,
    username,
    auth: { authorization: `Bearer ${r.token}` },
    userId: r.user.id,
    rootId: r.user.rootId,
  };
}

async function loftUpload(s: Session, loft: ChildServer, file: string, size: number, name: string) {
  const samples: number[] = [];
  const sampler = sampleRss(loft.pid, RSS_EVERY_MS);
  const t0 = performance.now();
  const r = await request(s.base, 'PUT', `/api/files?path=${encodeURIComponent(`/large/${name}`)}`, {
    headers: { ...s.auth, 'content-type': 'application/octet-stream', 'content-length': String(size) },
    body: createReadStream(file, { highWaterMark: MiB }),
  }).finally(() => samples.push(...sampler.stop()));
  const ms = since(t0);
  if (r.status !== 201)
    throw new Error(`upload: status ${r.status}: ${r.body.toString('utf8').slice(0, 300)}`);
  const node = JSON.parse(r.body.toString('utf8')) as UploadedNode;
  if (node.size !== size) throw new Error(`upload: stored ${node.size} bytes of ${size}`);
  return { mbps: mbps(size, ms), node, maxRss: Math.max(...samples), samples: samples.length };
}

async function loftDownload(s: Session, node: UploadedNode): Promise<number> {
  const t0 = performance.now();
  const r = await downloadDiscard(s.base, `/api/nodes/${node.id}/content`, s.auth);
  const ms = since(t0);
  if (r.status !== 200 || r.bytes !== node.size)
    throw new Error(`download: status ${r.status}, ${r.bytes} bytes`);
  return mbps(node.size, ms);
}

/** `count` uploads of distinct 4 KiB bodies, `conns` at a time, each connection kept alive. */
async function smallUploads(s: Session, folder: string, count: number, conns: number) {
  const bodies = Array.from({ length: count }, () => randomBytes(SMALL_SIZE));
  return manyRequests(count, conns, SMALL_CAP_MS, async (i, agent) => {
    const r = await request(s.base, 'PUT', `/api/files?path=${encodeURIComponent(`/${folder}/f${i}.bin`)}`, {
      agent,
      headers: {
        ...s.auth,
        'content-type': 'application/octet-stream',
        'content-length': String(SMALL_SIZE),
      },
      body: bodies[i],
    });
    if (r.status !== 201) {
      throw new Error(`small upload ${i}: status ${r.status}: ${r.body.toString('utf8').slice(0, 300)}`);
    }
  });
}

/** Fills a folder with `n` files straight through the repositories, in one transaction. */
async function populateFolder(loftEnv: Record<string, string>, s: Session, folderId: string, n: number) {
  const tpl = await request(s.base, 'PUT', `/api/files?path=${encodeURIComponent('/list-template.bin')}`, {
    headers: { ...s.auth, 'content-type': 'application/octet-stream', 'content-length': String(SMALL_SIZE) },
    body: randomBytes(SMALL_SIZE),
  });
  if (tpl.status !== 201) throw new Error(`template upload: status ${tpl.status}`);
  const blob = JSON.parse(tpl.body.toString('utf8')) as UploadedNode;

  const database = await openDatabase(loadConfig(loftEnv));
  const t0 = performance.now();
  try {
    await database.transaction(async (trx) => {
      const now = Date.now();
      const BATCH = 5000;
      for (let start = 0; start < n; start += BATCH) {
        const nodes: NodeRow[] = [];
        const versions: VersionRow[] = [];
        for (let i = start; i < Math.min(n, start + BATCH); i++) {
          // Random prefixes: name order is unrelated to insertion order, as in real folders.
          const name = `File ${randomBytes(4).toString('hex')} ${i}.dat`;
          const at = now - Math.floor(Math.random() * 365 * 24 * 3600_000);
          const id = newId();
          const versionId = newId();
          nodes.push({
            id,
            owner_id: s.userId,
            parent_id: folderId,
            name,
            sort_name: sortNameOf(name),
            kind: 'file',
            size: blob.size,
            sha256: blob.sha256,
            content_type: 'application/octet-stream',
            current_version_id: versionId,
            created_at: at,
            modified_at: at,
            trashed_at: null,
            trash_root_id: null,
            original_path: null,
          });
          versions.push({
            id: versionId,
            node_id: id,
            owner_id: s.userId,
            sha256: blob.sha256,
            size: blob.size,
            content_type: 'application/octet-stream',
            created_at: at,
          });
        }
        await nodesRepo.insertMany(trx, nodes);
        await versionsRepo.insertMany(trx, versions);
      }
      // Keep the books right: the copies share the template's blob and count against the quota.
      await trx
        .updateTable('blobs')
        .set({ ref_count: sql`ref_count + ${n}` })
        .where('sha256', '=', blob.sha256)
        .execute();
      await trx
        .updateTable('users')
        .set({ used_bytes: sql`used_bytes + ${n * blob.size}` })
        .where('id', '=', s.userId)
        .execute();
    });
    const count = await nodesRepo.countLiveChildren(database.db, folderId);
    if (count !== n) throw new Error(`populate: folder holds ${count} entries, expected ${n}`);
  } finally {
    await database.close();
  }
  return { seconds: since(t0) / 1000 };
}

async function firstPageLatency(s: Session, folderId: string) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const latencies: number[] = [];
  try {
    for (let i = 0; i < LIST_WARMUP + LIST_REQUESTS; i++) {
      const t0 = performance.now();
      const r = await request(s.base, 'GET', `/api/nodes/${folderId}/children?limit=${LIST_LIMIT}`, {
        agent,
        headers: s.auth,
      });
      const ms = since(t0);
      if (r.status !== 200)
        throw new Error(`listing: status ${r.status}: ${r.body.toString('utf8').slice(0, 300)}`);
      const page = JSON.parse(r.body.toString('utf8')) as { items: unknown[]; nextCursor: string | null };
      if (
        page.items.length !== Math.min(LIST_LIMIT, LIST_ENTRIES) ||
        (LIST_ENTRIES > LIST_LIMIT && !page.nextCursor)
      ) {
        throw new Error(`listing: got ${page.items.length} items, nextCursor ${page.nextCursor}`);
      }
      if (i >= LIST_WARMUP) latencies.push(ms);
    }
  } finally {
    agent.destroy();
  }
  return {
    medianMs: median(latencies),
    p95Ms: percentile(latencies, 95),
    minMs: Math.min(...latencies),
    maxMs: Math.max(...latencies),
  };
}

/** JSON as the repository's Prettier would write it, so `npm run lint` passes over the results. */
async function prettyJson(file: string, value: unknown): Promise<string> {
  const text = JSON.stringify(value, null, 2) + '\n';
  try {
    const prettier = await import('prettier');
    const options = (await prettier.resolveConfig(file)) ?? {};
    return await prettier.format(text, { ...options, filepath: file });
  } catch {
    return text; // Prettier is a dev dependency of the root package; without it, plain JSON
  }
}

async function dropSchema(schema: string | null): Promise<void> {
  if (!schema || !process.env.DATABASE_URL) return;
  const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await c.end();
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const startedAt = new Date();
  const loadBefore = os.loadavg();
  const work = mkdtempSync(path.join(process.env.LOFT_BENCH_DIR ?? os.tmpdir(), 'loft-bench-'));
  const dataDir = path.join(work, 'data');
  const bareDir = path.join(work, 'bare');
  mkdirSync(dataDir);
  mkdirSync(bareDir);
  const source = path.join(work, 'source.bin');
  const buildDir = path.join(serverRoot, 'node_modules', '.cache', `loft-bench-${process.pid}`);
  const serverMode = process.env.LOFT_BENCH_SERVER === 'tsx' ? 'tsx' : 'dist';
  const nodeArgs = (process.env.LOFT_BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const dialect = process.env.DATABASE_URL ? 'postgres' : 'sqlite';
  const schema = process.env.DATABASE_URL ? `bench_${randomBytes(6).toString('hex')}` : null;
  const loftEnv: Record<string, string> = {
    LOFT_DATA_DIR: dataDir,
    LOFT_LOG_LEVEL: 'warn',
    LOFT_JOBS: 'false',
    LOFT_REGISTRATION: 'open',
    LOFT_DEFAULT_QUOTA: '1TiB',
    ...(schema ? { DATABASE_URL: process.env.DATABASE_URL!, LOFT_DB_SCHEMA: schema } : {}),
  };

  let dav: DavBench | null = null;
  let cleaned = false;
  const cleanupSync = () => {
    if (cleaned) return;
    cleaned = true;
    killAllChildren();
    dav?.cleanupSync();
    rmSync(work, { recursive: true, force: true });
    rmSync(buildDir, { recursive: true, force: true });
  };
  process.on('exit', cleanupSync);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      log(`\n${sig}: cleaning up`);
      cleanupSync();
      void dropSchema(schema)
        .catch(() => undefined)
        .finally(() => process.exit(130));
    });
  }

  const failures: { step: string; error: string }[] = [];
  const step = async <T>(name: string, fn: () => Promise<T> | T): Promise<T | null> => {
    log(`• ${name}`);
    try {
      return await fn();
    } catch (e) {
      const error = (e as Error).stack ?? String(e);
      failures.push({ step: name, error });
      log(`  ✗ failed: ${error}`);
      return null;
    }
  };
  const show = (x: number | null, unit: string, decimals = 1) => {
    if (x !== null) log(`    ${fmt(x, decimals, unit)}`);
    return x;
  };

  const mib = fmt(BIG / MiB, 0);
  log(
    `Loft benchmark: ${dialect}, server from ${serverMode}, work dir ${work}, ${os.cpus().length} CPUs, ` +
      `load ${loadBefore.map((x) => x.toFixed(2)).join(' ')}`,
  );

  const disk: number[] = [];
  const bareUp: number[] = [];
  const bareDown = new Map<number, number[]>(BARE_CHUNKS.map((c) => [c, []]));
  const up: number[] = [];
  const down: number[] = [];
  let maxRss: number | null = null;
  let idleRss: number | null = null;
  let fsyncRate: number | null = null;
  let small1: Awaited<ReturnType<typeof smallUploads>> | null = null;
  let small8: Awaited<ReturnType<typeof smallUploads>> | null = null;
  let populate: Awaited<ReturnType<typeof populateFolder>> | null = null;
  let listing: Awaited<ReturnType<typeof firstPageLatency>> | null = null;
  let serverOutput = '';
  let buildWarnings = '';

  const args =
    serverMode === 'tsx'
      ? [...nodeArgs, '--import', 'tsx', 'src/main.ts']
      : await step('compiling the server (tsc -p tsconfig.build.json)', async () => {
          const built = await compileServer(serverRoot, buildDir);
          buildWarnings = built.warnings;
          if (built.warnings)
            log(`    tsc reported errors (it emitted anyway):\n${built.warnings.slice(0, 2000)}`);
          return [...nodeArgs, built.main];
        });
  const bare = await step('starting the bare node:http server', () =>
    startBare(serverRoot, path.join(here, 'bare-server.ts'), source, bareDir),
  );
  const loft = args ? await step('starting Loft', () => startLoft(serverRoot, loftEnv, args)) : null;
  try {
    const s = loft ? await step('signing in', () => signIn(loft)) : null;
    if (s && loft && bare) {
      idleRss = rssOf(loft.pid);
      if (DAV_ENABLED) {
        dav = new DavBench(step);
        await dav.start(work, { ...s, pid: loft.pid });
      }
      for (let r = 0; r < ROUNDS; r++) {
        const d = await step(`round ${r + 1}/${ROUNDS}: disk, ${mib} MiB in 1 MiB writes + fdatasync`, () =>
          ddWrite(source, BIG),
        );
        if (show(d, 'MB/s') === null) break;
        disk.push(d!);
        const bareFirst = r % 2 === 0;
        let node: UploadedNode | null = null;
        for (const which of bareFirst ? ['bare', 'loft'] : ['loft', 'bare']) {
          if (which === 'bare') {
            const b = await step(`round ${r + 1}: bare node:http upload receiver`, () =>
              bareUpload(bare, source, BIG),
            );
            if (show(b, 'MB/s') !== null) bareUp.push(b!);
            rmSync(path.join(bareDir, 'received.bin'), { force: true });
          } else {
            const u = await step(`round ${r + 1}: Loft upload`, () =>
              loftUpload(s, loft, source, BIG, `big-${r}.bin`),
            );
            if (u) {
              log(`    ${fmt(u.mbps, 1, 'MB/s')}, server RSS max ${fmt(u.maxRss / MB, 1, 'MB')}`);
              up.push(u.mbps);
              maxRss = Math.max(maxRss ?? 0, u.maxRss);
              node = u.node;
            }
          }
        }
        for (const chunk of BARE_CHUNKS) {
          const b = await step(
            `round ${r + 1}: bare download, createReadStream ${fmt(chunk / KiB, 0)} KiB chunks`,
            () => bareDownload(bare, BIG, chunk),
          );
          if (show(b, 'MB/s') !== null) bareDown.get(chunk)!.push(b!);
        }
        if (node) {
          const n = node;
          const dl = await step(`round ${r + 1}: Loft download`, () => loftDownload(s, n));
          if (show(dl, 'MB/s') !== null) down.push(dl!);
        }
        if (dav) await dav.round(r, ROUNDS, source, BIG);
        rmSync(source, { force: true });
      }

      fsyncRate = show(
        await step(`disk: ${FSYNC_FILES} files of 4 KiB created + fdatasync, ${PARALLEL} at a time`, () =>
          fsyncCreates(path.join(work, 'fsync'), FSYNC_FILES, PARALLEL),
        ),
        'files/s',
        0,
      );
      await step(`warm-up: ${SMALL_WARMUP} small uploads`, () => smallUploads(s, 'warmup', SMALL_WARMUP, 1));
      small1 = await step(`${SMALL_COUNT} × 4 KiB uploads, 1 connection`, () =>
        smallUploads(s, 'small-1', SMALL_COUNT, 1),
      );
      show(small1?.perSec ?? null, 'uploads/s', 0);
      small8 = await step(`${SMALL_COUNT} × 4 KiB uploads, ${PARALLEL} connections`, () =>
        smallUploads(s, 'small-8', SMALL_COUNT, PARALLEL),
      );
      show(small8?.perSec ?? null, 'uploads/s', 0);

      const folder = await step('creating the listing folder', () =>
        json<{ id: string }>(
          s.base,
          'POST',
          `/api/nodes/${s.rootId}/folders`,
          { name: 'list-100k' },
          201,
          s.auth,
        ),
      );
      if (folder) {
        populate = await step(`inserting ${fmt(LIST_ENTRIES, 0)} entries through the repositories`, () =>
          populateFolder(loftEnv, s, folder.id, LIST_ENTRIES),
        );
        show(populate?.seconds ?? null, 's');
        if (populate) {
          listing = await step(`first page of the folder, ${LIST_REQUESTS} requests`, () =>
            firstPageLatency(s, folder.id),
          );
          if (listing)
            log(`    median ${fmt(listing.medianMs, 2, 'ms')}, p95 ${fmt(listing.p95Ms, 2, 'ms')}`);
        }
      }
      if (dav) await dav.once(SMALL_COUNT);
    }
  } finally {
    serverOutput = [dav?.output(), loft?.output()].filter(Boolean).join('\n'); // Loft's last: kept
    if (dav) await dav.stop();
    if (loft) await step('stopping Loft', () => loft.stop());
    if (bare) await step('stopping the bare server', () => bare.stop());
  }
  await step('cleaning up', async () => {
    await dropSchema(schema);
    cleanupSync();
  });
  const loadAfter = os.loadavg();

  // -------------------------------------------------------------------------------------------
  const ratio = (a: number | null, b: number | null) => (a && b ? a / b : null);
  const diskBest = best(disk);
  const bareDownBest = best([...bareDown.values()].flat());
  const upBest = best(up);
  const downBest = best(down);
  const rows: Row[] = [
    {
      id: 'disk_write',
      section: 'Baselines',
      label: `Disk: ${mib} MiB write + fdatasync (dd-style)`,
      value: diskBest,
      unit: 'MB/s',
      decimals: 1,
      note: runsNote(disk),
    },
    {
      id: 'bare_upload',
      label: `Bare node:http upload receiver (SHA-256 + write + fdatasync)`,
      value: best(bareUp),
      unit: 'MB/s',
      decimals: 1,
      baseline: { label: 'disk', value: diskBest, unit: 'MB/s', decimals: 1 },
      ratio: ratio(best(bareUp), diskBest),
      note: ['for context', runsNote(bareUp)].filter(Boolean).join('; '),
    },
    ...BARE_CHUNKS.map((chunk): Row => ({
      id: `bare_stream_${chunk / KiB}k`,
      label: `Bare node:http stream, createReadStream ${fmt(chunk / KiB, 0)} KiB chunks${chunk === 64 * KiB ? ' (default)' : ''}`,
      value: best(bareDown.get(chunk)!),
      unit: 'MB/s',
      decimals: 1,
      note: runsNote(bareDown.get(chunk)!),
    })),
    {
      id: 'disk_fsync_4k',
      label: `Disk: 4 KiB file create + fdatasync, ${PARALLEL} at a time`,
      value: fsyncRate,
      unit: 'files/s',
      decimals: 0,
    },
  ];
  const uploadRatio = ratio(upBest, diskBest);
  rows.push({
    id: 'upload',
    section: 'Loft',
    label: `Upload of ${mib} MiB (raw PUT, Content-Length)`,
    value: upBest,
    unit: 'MB/s',
    decimals: 1,
    baseline: { label: 'disk', value: diskBest, unit: 'MB/s', decimals: 1 },
    ratio: uploadRatio,
    target: {
      text: `≥ ${TARGETS.uploadRatio.toFixed(2)} × disk`,
      pass: uploadRatio !== null && uploadRatio >= TARGETS.uploadRatio,
    },
    note: runsNote(up),
  });
  const downloadRatio = ratio(downBest, bareDownBest);
  rows.push({
    id: 'download',
    label: `Download of ${mib} MiB`,
    value: downBest,
    unit: 'MB/s',
    decimals: 1,
    baseline: { label: 'best bare', value: bareDownBest, unit: 'MB/s', decimals: 1 },
    ratio: downloadRatio,
    target: {
      text: `≥ ${TARGETS.downloadRatio.toFixed(2)} × bare`,
      pass: downloadRatio !== null && downloadRatio >= TARGETS.downloadRatio,
    },
    note: runsNote(down),
  });
  const smallNote = (r: typeof small1) =>
    r
      ? `p50 ${fmt(r.p50Ms, 1, 'ms')}, p95 ${fmt(r.p95Ms, 1, 'ms')}` +
        (r.capped ? `; stopped after ${r.done} (${SMALL_CAP_MS / 1000} s cap)` : '')
      : '';
  rows.push({
    id: 'small_1conn',
    label: `${fmt(SMALL_COUNT, 0)} uploads of 4 KiB, 1 connection`,
    value: small1?.perSec ?? null,
    unit: 'uploads/s',
    decimals: 0,
    note: smallNote(small1),
  });
  rows.push({
    id: 'small_8conn',
    label: `${fmt(SMALL_COUNT, 0)} uploads of 4 KiB, ${PARALLEL} connections`,
    value: small8?.perSec ?? null,
    unit: 'uploads/s',
    decimals: 0,
    baseline: { label: '4 KiB fsyncs', value: fsyncRate, unit: '/s', decimals: 0 },
    ratio: ratio(small8?.perSec ?? null, fsyncRate),
    target: {
      text: `≥ ${fmt(TARGETS.smallPerSec8, 0)}/s`,
      pass: !!small8 && small8.perSec >= TARGETS.smallPerSec8,
    },
    note: smallNote(small8),
  });
  const listLabel = `First page (${LIST_LIMIT}) of a ${fmt(LIST_ENTRIES, 0)}-entry folder`;
  rows.push({
    id: 'list_median',
    label: `${listLabel}, median`,
    value: listing?.medianMs ?? null,
    unit: 'ms',
    decimals: 2,
    target: { text: `< ${TARGETS.listMs} ms`, pass: !!listing && listing.medianMs < TARGETS.listMs },
    note: listing
      ? `${LIST_REQUESTS} requests, min ${fmt(listing.minMs, 2)}, max ${fmt(listing.maxMs, 2)} ms`
      : '',
  });
  rows.push({
    id: 'list_p95',
    label: `${listLabel}, p95`,
    value: listing?.p95Ms ?? null,
    unit: 'ms',
    decimals: 2,
    target: { text: `< ${TARGETS.listMs} ms`, pass: !!listing && listing.p95Ms < TARGETS.listMs },
  });
  rows.push({
    id: 'upload_rss_max',
    label: `Server RSS, max during the ${mib} MiB uploads`,
    value: maxRss === null ? null : maxRss / MB,
    unit: 'MB',
    decimals: 1,
    baseline: { label: 'idle', value: idleRss === null ? null : idleRss / MB, unit: 'MB', decimals: 1 },
    target: { text: `< ${TARGETS.rssMB} MB`, pass: maxRss !== null && maxRss / MB < TARGETS.rssMB },
    note: `VmRSS every ${RSS_EVERY_MS} ms; idle = after sign-in`,
  });

  if (dav) rows.push(...davRows(dav, BIG, SMALL_COUNT, diskBest));

  const nonDefault =
    !DAV_DEFAULTS ||
    BIG !== DEFAULTS.size ||
    ROUNDS !== DEFAULTS.rounds ||
    SMALL_COUNT !== DEFAULTS.smallCount ||
    LIST_ENTRIES !== DEFAULTS.listEntries;
  const out: string[] = [''];
  out.push(
    `Loft benchmark — ${startedAt.toISOString()} — ${dialect}, server from ${serverMode} — Node ${process.version} — ` +
      `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ${fmt(os.totalmem() / 1024 ** 3, 1)} GiB RAM`,
  );
  out.push(
    `Load average before ${loadBefore.map((x) => x.toFixed(2)).join(' ')}, after ${loadAfter.map((x) => x.toFixed(2)).join(' ')}; ` +
      `large transfers: best of ${ROUNDS} round${ROUNDS === 1 ? '' : 's'}. MB = 10^6 bytes.` +
      (nonDefault ? '\nNON-DEFAULT SETTINGS (LOFT_BENCH_*): not comparable with the targets.' : ''),
  );
  out.push('');
  out.push(table(rows));
  out.push('');
  const withTargets = rows.filter((r) => r.target);
  const passed = withTargets.filter((r) => r.target!.pass).length;
  out.push(`${passed}/${withTargets.length} targets met.`);
  if (failures.length) {
    out.push(
      `${failures.length} step(s) failed to run: ${failures.map((f) => f.step).join('; ')} (details above).`,
    );
    if (serverOutput.trim()) out.push(`Last server output:\n${serverOutput.slice(-4000)}`);
  }
  process.stdout.write(out.join('\n') + '\n');

  const results = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: {
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? null,
      totalMemBytes: os.totalmem(),
      loadavgBefore: loadBefore,
      loadavgAfter: loadAfter,
    },
    settings: {
      dialect,
      server: serverMode,
      nodeArgs,
      bigBytes: BIG,
      rounds: ROUNDS,
      smallCount: SMALL_COUNT,
      smallBytes: SMALL_SIZE,
      listEntries: LIST_ENTRIES,
      listLimit: LIST_LIMIT,
      listRequests: LIST_REQUESTS,
      rssSampleMs: RSS_EVERY_MS,
      dav: dav ? davSettings(dav) : null,
      defaults: !nonDefault,
    },
    rows: rows.map((r) => ({
      id: r.id,
      label: r.label,
      value: r.value === null ? null : round2(r.value),
      unit: r.unit,
      baseline: r.baseline
        ? { label: r.baseline.label, value: r.baseline.value === null ? null : round2(r.baseline.value) }
        : null,
      ratio: r.ratio === undefined || r.ratio === null ? null : Math.round(r.ratio * 1000) / 1000,
      target: r.target?.text ?? null,
      pass: r.target ? r.target.pass : null,
      note: r.note ?? null,
    })),
    runs: {
      diskMBps: disk.map(round2),
      bareUploadMBps: bareUp.map(round2),
      bareDownloadMBps: Object.fromEntries([...bareDown].map(([c, xs]) => [`${c / KiB}KiB`, xs.map(round2)])),
      loftUploadMBps: up.map(round2),
      loftDownloadMBps: down.map(round2),
      idleRssBytes: idleRss,
      maxRssBytes: maxRss,
      small1,
      small8,
      populate,
      listing,
      dav: dav ? davResults(dav) : null,
    },
    buildWarnings: buildWarnings || null,
    failures,
  };
  const resultsDir = path.join(here, 'results');
  mkdirSync(resultsDir, { recursive: true });
  const resultsFile = path.join(resultsDir, 'latest.json');
  writeFileSync(resultsFile, await prettyJson(resultsFile, results));
  process.stdout.write(`Results written to ${path.relative(process.cwd(), resultsFile)}\n`);
  return failures.length ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    log(`bench failed: ${(e as Error).stack ?? String(e)}`);
    process.exitCode = 1;
  },
);
