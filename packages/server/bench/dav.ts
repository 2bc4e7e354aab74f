/**
 * WebDAV figures of the Loft benchmark (run.ts): the same workload against Loft's /dav/ endpoint,
 * against Apache's mod_dav (lib/apache.ts) and against `rclone serve webdav` (lib/rclone.ts), all
 * three child processes on loopback, started and stopped by the bench in the same run. Neither
 * baseline fsyncs; Loft does. Every server gets a collection `webdav-bench/` (on Loft
 * /dav/webdav-bench/, with HTTP Basic auth `bench:<personal access token>` from
 * POST /api/auth/tokens; the others at /webdav-bench/, without auth). rclone's files are in
 * run.ts's work dir, Apache's in a directory beside it (lib/apache.ts tells why), removed with it.
 * A step that fails (Loft's /dav/ not answering 207 to PROPFIND, a server failing to start) leaves
 * that server's figures out and makes the run exit 1, as in run.ts.
 *
 * In each round of run.ts (after its own transfers, before the source file is replaced), for each
 * server in turn, the first one rotating from round to round:
 *   a. PUT of the 1 GiB source file (Content-Length, streamed; 201 or 204), timed to the answer.
 *      An untimed `sync` comes first, so that no server pays for the writeback of another's
 *      unsynced data.
 *   b. GET of the same file with the client of run.ts's download step (curl, else node:http),
 *      which discards the bytes; status and size are checked. Apache's and rclone's copies are
 *      then deleted from disk (untimed); Loft's stay, like run.ts's uploads.
 * Then, once, each server in turn for each step:
 *   c. 50 PUTs of 4 KiB as a warm-up, then LOFT_BENCH_SMALL_COUNT (2,000) PUTs of distinct 4 KiB
 *      bodies over 1 keep-alive connection, then over 8, each phase into a collection of its own.
 *   d. collections of 2,000 and 10,000 files (LOFT_BENCH_DAV_ENTRIES) made with real PUTs of 4 KiB
 *      over 8 connections (a phase of c with exactly that many files is reused), then PROPFIND
 *      Depth 1 of each: 3 warm-ups, then the median of 20 requests on one keep-alive connection,
 *      each timed until the whole body is in. The body asks for resourcetype, getcontentlength,
 *      getlastmodified, getetag and getcontenttype (close to what rclone sends as a client); every
 *      answer must be a 207 with one `response` element (any prefix, any case) per entry plus one
 *      for the collection itself.
 *
 * Targets: PUT ≥ 0.9 × the dd-style disk write of run.ts (fdatasync'd, same size); GET ≥ Apache's;
 * 4 KiB PUTs faster than rclone's on 1 and on 8 connections; PROPFIND of the smaller collection
 * at most Apache's; PROPFIND of the larger under 250 ms.
 *
 * Knobs: LOFT_BENCH_DAV=0 skips all of it; LOFT_BENCH_DAV_ENTRIES ("2000,10000": the two collection
 * sizes); LOFT_BENCH_APACHE, LOFT_BENCH_RCLONE (the binaries; found in the usual places when unset;
 * "0" skips one); LOFT_BENCH_APACHE_USER (www-data; Apache's workers when the bench runs as root).
 * A baseline that is not installed (or skipped) is reported as such, and the figures measured
 * against it have no baseline (their targets are then not met); that is not a failure of the run.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { findApache, startApache } from './lib/apache.js';
import { downloadDiscard, json, manyRequests, request, type ManyResult } from './lib/http.js';
import { sampleRss, type ChildServer } from './lib/proc.js';
import { findRclone, startRclone } from './lib/rclone.js';
import { fmt, MB, median, percentile } from './lib/report.js';

const execFileP = promisify(execFile);
const KiB = 1024;
const MiB = 1024 * KiB;

export const DAV_ENABLED = process.env.LOFT_BENCH_DAV !== '0';
const DEFAULT_ENTRIES = [2000, 10_000] as const;
export const DAV_ENTRIES = entriesFromEnv();
export const DAV_DEFAULTS = DAV_ENTRIES[0] === DEFAULT_ENTRIES[0] && DAV_ENTRIES[1] === DEFAULT_ENTRIES[1];
const SMALL_SIZE = 4 * KiB;
const SMALL_WARMUP = 50;
export const PARALLEL = 8;
/** A phase of small PUTs stops early past this; a collection fill that does is a failure. */
const SMALL_CAP_MS = 90_000;
const FILL_CAP_MS = 180_000;
export const PROPFIND_WARMUP = 3;
export const PROPFIND_REQUESTS = 20;
const PROPFIND_BODY =
  '<?xml version="1.0" encoding="utf-8"?>\n<D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/>' +
  '<D:getcontentlength/><D:getlastmodified/><D:getetag/><D:getcontenttype/></D:prop></D:propfind>\n';
export const TARGETS = { putRatio: 0.9, getRatio: 1, propfindRatio: 1, propfindLargeMs: 250 };
const COLLECTION = 'webdav-bench';

export type ServerId = 'loft' | 'apache' | 'rclone';
export const NAMES: Record<ServerId, string> = {
  loft: 'Loft',
  apache: 'Apache mod_dav',
  rclone: 'rclone serve webdav',
};

export type Step = <T>(name: string, fn: () => Promise<T> | T) => Promise<T | null>;

interface DavServer {
  id: ServerId;
  base: string;
  /** URL path of the bench's collection, ending in '/'. */
  coll: string;
  headers: Record<string, string>;
  /** The collection on disk, for untimed deletes (Apache, rclone). */
  dir: string | null;
  pid: number;
}

export interface Propfind {
  medianMs: number;
  p95Ms: number;
  minMs: number;
  maxMs: number;
  bytes: number;
}

export type PerServer<T> = Partial<Record<ServerId, T>>;

function entriesFromEnv(): [number, number] {
  const raw = process.env.LOFT_BENCH_DAV_ENTRIES;
  if (!raw) return [...DEFAULT_ENTRIES];
  const xs = raw.split(',').map((x) => Number(x.trim()));
  if (xs.length !== 2 || !xs.every((x) => Number.isInteger(x) && x > 0)) {
    throw new Error(`LOFT_BENCH_DAV_ENTRIES: expected two sizes such as "2000,10000", got "${raw}"`);
  }
  return [xs[0]!, xs[1]!];
}

const log = (msg: string) => process.stderr.write(`${msg}\n`);
const mbps = (bytes: number, ms: number) => bytes / (ms / 1000) / MB;
const since = (t0: number) => performance.now() - t0;

async function syncDisks(): Promise<void> {
  await execFileP('sync').catch(() => undefined);
}

function ok(r: { status: number; body: Buffer }, what: string, ...expect: number[]): void {
  if (!expect.includes(r.status))
    throw new Error(`${what}: status ${r.status}: ${r.body.toString('utf8').slice(0, 300)}`);
}

export class DavBench {
  private servers: DavServer[] = [];
  /** Why a baseline has no figures: "not installed", or "failed to start". */
  readonly missing: PerServer<string> = {};
  readonly versions: PerServer<string> = {};
  private children: { id: ServerId; child: ChildServer }[] = [];
  private dirs: string[] = [];
  readonly put: PerServer<number[]> = {};
  readonly get: PerServer<number[]> = {};
  /** Loft's RSS, max during its PUTs of the large file (bytes). */
  loftPutRss = 0;
  readonly small1: PerServer<ManyResult> = {};
  readonly small8: PerServer<ManyResult> = {};
  readonly fills: Record<number, PerServer<{ seconds: number; perSec: number } | 'reused'>> = {};
  readonly propfind: Record<number, PerServer<Propfind>> = {};

  constructor(private readonly step: Step) {}

  /** Starts Apache and rclone in `work`, and opens Loft's /dav/ for the signed-in user. */
  async start(
    work: string,
    loft: { base: string; auth: Record<string, string>; username: string; pid: number },
  ): Promise<void> {
    const token = await this.step('WebDAV: a Loft personal access token; PROPFIND /dav/', async () => {
      const t = await json<{ token: string }>(
        loft.base,
        'POST',
        '/api/auth/tokens',
        { name: 'bench' },
        201,
        loft.auth,
      );
      const basic = `Basic ${Buffer.from(`${loft.username}:${t.token}`).toString('base64')}`;
      const r = await request(loft.base, 'PROPFIND', '/dav/', {
        headers: { authorization: basic, depth: '0', 'content-type': 'application/xml' },
        body: PROPFIND_BODY,
      });
      ok(r, "PROPFIND /dav/ (Loft's WebDAV endpoint)", 207);
      return basic;
    });
    if (token) {
      const headers = { authorization: token };
      this.servers.push({
        id: 'loft',
        base: loft.base,
        coll: `/dav/${COLLECTION}/`,
        headers,
        dir: null,
        pid: loft.pid,
      });
    }

    for (const id of ['apache', 'rclone'] as const) {
      const binary = id === 'apache' ? findApache() : findRclone();
      const knob = id === 'apache' ? 'LOFT_BENCH_APACHE' : 'LOFT_BENCH_RCLONE';
      if (!binary) {
        this.missing[id] = process.env[knob] === '0' ? `skipped (${knob}=0)` : 'not installed';
        log(`• WebDAV: ${NAMES[id]}: ${this.missing[id]}; its figures are left out`);
        continue;
      }
      // Apache's workers may run as another user (www-data, when the bench runs as root), who
      // cannot enter the work dir (0700): Apache gets a directory of its own beside it.
      const dir = id === 'apache' ? this.ownDir(work, id) : path.join(work, id);
      const child = await this.step(`WebDAV: starting ${NAMES[id]} (${binary})`, () =>
        id === 'apache' ? startApache(binary, dir) : startRclone(binary, dir),
      );
      if (!child) {
        this.missing[id] = 'failed to start';
        continue;
      }
      this.children.push({ id, child });
      this.versions[id] = child.version;
      log(`    ${child.version}, port ${child.port}`);
      const base = `http://127.0.0.1:${child.port}`;
      this.servers.push({
        id,
        base,
        coll: `/${COLLECTION}/`,
        headers: {},
        dir: path.join(child.root, COLLECTION),
        pid: child.pid,
      });
    }

    for (const s of [...this.servers]) {
      const made = await this.step(`WebDAV: MKCOL ${s.coll} on ${NAMES[s.id]}`, async () => {
        ok(await request(s.base, 'MKCOL', s.coll, { headers: s.headers }), 'MKCOL', 201);
        return true;
      });
      if (!made) this.servers = this.servers.filter((x) => x !== s);
    }
  }

  /** One round of large transfers: PUT then GET of `file` on each server, the first rotating. */
  async round(r: number, rounds: number, file: string, size: number): Promise<void> {
    const mib = fmt(size / MiB, 0);
    const n = this.servers.length;
    const order = this.servers.map((_, i) => this.servers[(i + r) % n]!);
    for (const s of order) {
      const name = `big-${r}.bin`;
      const put = await this.step(
        `round ${r + 1}/${rounds}: WebDAV PUT of ${mib} MiB to ${NAMES[s.id]}`,
        () => this.putBig(s, file, size, name),
      );
      if (put === null) continue;
      log(`    ${fmt(put, 1, 'MB/s')}`);
      (this.put[s.id] ??= []).push(put);
      const get = await this.step(
        `round ${r + 1}/${rounds}: WebDAV GET of ${mib} MiB from ${NAMES[s.id]}`,
        () => this.getBig(s, size, name),
      );
      if (get !== null) {
        log(`    ${fmt(get, 1, 'MB/s')}`);
        (this.get[s.id] ??= []).push(get);
      }
      if (s.dir) rmSync(path.join(s.dir, name), { force: true });
    }
  }

  private async putBig(s: DavServer, file: string, size: number, name: string): Promise<number> {
    await syncDisks();
    const sampler = s.id === 'loft' ? sampleRss(s.pid, 50) : null;
    const t0 = performance.now();
    const r = await request(s.base, 'PUT', `${s.coll}${name}`, {
      headers: { ...s.headers, 'content-type': 'application/octet-stream', 'content-length': String(size) },
      body: createReadStream(file, { highWaterMark: MiB }),
    }).finally(() => {
      if (sampler) this.loftPutRss = Math.max(this.loftPutRss, ...sampler.stop());
    });
    const ms = since(t0);
    ok(r, `PUT ${s.coll}${name}`, 201, 204);
    return mbps(size, ms);
  }

  private async getBig(s: DavServer, size: number, name: string): Promise<number> {
    const t0 = performance.now();
    const r = await downloadDiscard(s.base, `${s.coll}${name}`, s.headers);
    const ms = since(t0);
    if (r.status !== 200 || r.bytes !== size)
      throw new Error(`GET: status ${r.status}, ${r.bytes} bytes of ${size}`);
    return mbps(size, ms);
  }

  /** The small PUTs and the PROPFINDs, each step on every server before the next step. */
  async once(smallCount: number): Promise<void> {
    const completed = new Map<ServerId, Map<number, string>>(); // entries → collection
    const keep = (s: DavServer, r: ManyResult | null, count: number, sub: string) => {
      if (r && !r.capped) {
        if (!completed.has(s.id)) completed.set(s.id, new Map());
        completed.get(s.id)!.set(count, sub);
      }
    };
    for (const s of this.servers) {
      await this.step(`WebDAV warm-up: ${SMALL_WARMUP} PUTs of 4 KiB to ${NAMES[s.id]}`, () =>
        this.putSmall(s, 'warmup', SMALL_WARMUP, 1, SMALL_CAP_MS),
      );
    }
    for (const conns of [1, PARALLEL]) {
      for (const s of this.servers) {
        const r = await this.step(
          `WebDAV: ${fmt(smallCount, 0)} PUTs of 4 KiB to ${NAMES[s.id]}, ${conns} connection${conns > 1 ? 's' : ''}`,
          () => this.putSmall(s, `small-${conns}`, smallCount, conns, SMALL_CAP_MS),
        );
        if (r) {
          log(`    ${fmt(r.perSec, 0, 'PUTs/s')}${r.capped ? `, stopped after ${r.done}` : ''}`);
          (conns === 1 ? this.small1 : this.small8)[s.id] = r;
        }
        keep(s, r, smallCount, `small-${conns}`);
      }
    }
    for (const entries of DAV_ENTRIES) {
      const fills = (this.fills[entries] = {} as (typeof this.fills)[number]);
      const results = (this.propfind[entries] = {} as PerServer<Propfind>);
      const ready: [DavServer, string][] = [];
      for (const s of this.servers) {
        const reuse = completed.get(s.id)?.get(entries);
        if (reuse) {
          fills[s.id] = 'reused';
          ready.push([s, reuse]);
          continue;
        }
        const sub = `list-${entries}`;
        const r = await this.step(
          `WebDAV: ${fmt(entries, 0)} PUTs of 4 KiB to ${NAMES[s.id]} for PROPFIND`,
          async () => {
            const m = await this.putSmall(s, sub, entries, PARALLEL, FILL_CAP_MS);
            if (m.capped) throw new Error(`only ${m.done} files in ${FILL_CAP_MS / 1000} s`);
            return m;
          },
        );
        if (r) {
          log(`    ${fmt(r.seconds, 1, 's')} (${fmt(r.perSec, 0, 'PUTs/s')})`);
          fills[s.id] = { seconds: r.seconds, perSec: r.perSec };
          ready.push([s, sub]);
        }
      }
      for (const [s, sub] of ready) {
        const p = await this.step(
          `WebDAV: PROPFIND Depth 1 of ${fmt(entries, 0)} entries on ${NAMES[s.id]}, ${PROPFIND_REQUESTS} requests`,
          () => this.propfindLatency(s, `${s.coll}${sub}/`, entries),
        );
        if (p) {
          log(
            `    median ${fmt(p.medianMs, 1, 'ms')}, p95 ${fmt(p.p95Ms, 1, 'ms')}, ${fmt(p.bytes / MB, 2, 'MB')}`,
          );
          results[s.id] = p;
        }
      }
    }
  }

  /** MKCOL `sub`, then `count` PUTs of distinct 4 KiB bodies into it, `conns` at a time. */
  private async putSmall(s: DavServer, sub: string, count: number, conns: number, capMs: number) {
    const coll = `${s.coll}${sub}/`;
    ok(await request(s.base, 'MKCOL', coll, { headers: s.headers }), `MKCOL ${coll}`, 201);
    const bodies = Array.from({ length: count }, () => randomBytes(SMALL_SIZE));
    return manyRequests(count, conns, capMs, async (i, agent) => {
      const r = await request(s.base, 'PUT', `${coll}f${i}.bin`, {
        agent,
        headers: {
          ...s.headers,
          'content-type': 'application/octet-stream',
          'content-length': String(SMALL_SIZE),
        },
        body: bodies[i],
      });
      ok(r, `PUT ${coll}f${i}.bin`, 201, 204);
    });
  }

  private async propfindLatency(s: DavServer, coll: string, entries: number): Promise<Propfind> {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const latencies: number[] = [];
    let bytes = 0;
    try {
      for (let i = 0; i < PROPFIND_WARMUP + PROPFIND_REQUESTS; i++) {
        const t0 = performance.now();
        const r = await request(s.base, 'PROPFIND', coll, {
          agent,
          headers: { ...s.headers, depth: '1', 'content-type': 'application/xml; charset=utf-8' },
          body: PROPFIND_BODY,
        });
        const ms = since(t0);
        ok(r, `PROPFIND ${coll}`, 207);
        const n = r.body.toString('utf8').match(/<(?:[A-Za-z_][\w.-]*:)?response[\s/>]/gi)?.length ?? 0;
        if (n !== entries + 1)
          throw new Error(`PROPFIND ${coll}: ${n} response elements, expected ${entries + 1}`);
        bytes = r.body.length;
        if (i >= PROPFIND_WARMUP) latencies.push(ms);
      }
    } finally {
      agent.destroy();
    }
    return {
      medianMs: median(latencies),
      p95Ms: percentile(latencies, 95),
      minMs: Math.min(...latencies),
      maxMs: Math.max(...latencies),
      bytes,
    };
  }

  private ownDir(work: string, id: ServerId): string {
    const dir = mkdtempSync(path.join(path.dirname(work), `${path.basename(work)}-${id}-`));
    this.dirs.push(dir);
    return dir;
  }

  /** Removes the directories made beside the work dir; run.ts removes the work dir. */
  cleanupSync(): void {
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
    this.dirs = [];
  }

  async stop(): Promise<void> {
    for (const { id, child } of this.children)
      await this.step(`WebDAV: stopping ${NAMES[id]}`, () => child.stop());
    this.children = [];
  }

  /** Server output for the report when a step failed. */
  output(): string {
    return this.children.map(({ id, child }) => `${NAMES[id]}:\n${child.output().slice(-2000)}`).join('\n');
  }
}
