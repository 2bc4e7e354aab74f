/**
 * The WebDAV figures (dav.ts) in run.ts's report: the table's rows (each baseline's figures, then
 * Loft's next to the baseline of their target) and the entries of results/latest.json.
 */
import {
  DAV_ENTRIES,
  NAMES,
  PARALLEL,
  PROPFIND_REQUESTS,
  PROPFIND_WARMUP,
  TARGETS,
  type DavBench,
  type ServerId,
} from './dav.js';
import type { ManyResult } from './lib/http.js';
import { fmt, MB, type Row } from './lib/report.js';

const MiB = 1024 * 1024;
const best = (xs: number[] | undefined) => (xs?.length ? Math.max(...xs) : null);

/** The table's rows: each baseline's figures, then Loft's against their targets. */
export function davRows(d: DavBench, size: number, smallCount: number, diskBest: number | null): Row[] {
  const mib = fmt(size / MiB, 0);
  const [small, large] = DAV_ENTRIES;
  const pf = (entries: number, id: ServerId) => d.propfind[entries]?.[id]?.medianMs ?? null;
  const rate = (r: ManyResult | undefined) => r?.perSec ?? null;
  const smallNote = (r: ManyResult | undefined) =>
    r
      ? `p50 ${fmt(r.p50Ms, 1, 'ms')}, p95 ${fmt(r.p95Ms, 1, 'ms')}` +
        (r.capped ? `; stopped after ${r.done}` : '')
      : '';
  const pfNote = (entries: number, id: ServerId) => {
    const p = d.propfind[entries]?.[id];
    return p ? `p95 ${fmt(p.p95Ms, 1)}, min ${fmt(p.minMs, 1)} ms; ${fmt(p.bytes / MB, 2, 'MB')}` : '';
  };
  const runs = (xs: number[] | undefined) =>
    xs && xs.length > 1 ? `best of ${xs.length}: ${xs.map((x) => fmt(x, 0)).join(', ')}` : '';
  const join = (...xs: string[]) => xs.filter(Boolean).join('; ');
  const rows: Row[] = [];
  for (const id of ['apache', 'rclone'] as const) {
    const name = NAMES[id];
    const section = rows.length ? undefined : 'WebDAV baselines (no fsync)';
    const why = d.missing[id];
    if (why) {
      rows.push({ id: `dav_${id}`, section, label: name, value: null, unit: '', decimals: 0, note: why });
      continue;
    }
    rows.push(
      {
        id: `dav_${id}_put`,
        section,
        label: `${name}: PUT of ${mib} MiB`,
        value: best(d.put[id]),
        unit: 'MB/s',
        decimals: 1,
        note: join(d.versions[id] ?? '', runs(d.put[id])),
      },
      {
        id: `dav_${id}_get`,
        label: `${name}: GET of ${mib} MiB`,
        value: best(d.get[id]),
        unit: 'MB/s',
        decimals: 1,
        note: runs(d.get[id]),
      },
      ...([1, PARALLEL] as const).map((c): Row => {
        const r = (c === 1 ? d.small1 : d.small8)[id];
        return {
          id: `dav_${id}_small_${c}conn`,
          label: `${name}: ${fmt(smallCount, 0)} PUTs of 4 KiB, ${c} connection${c > 1 ? 's' : ''}`,
          value: rate(r),
          unit: 'PUTs/s',
          decimals: 0,
          note: smallNote(r),
        };
      }),
      ...[small, large].map((n, i): Row => ({
        id: `dav_${id}_propfind${i ? '_large' : ''}`,
        label: `${name}: PROPFIND Depth 1, ${fmt(n, 0)} entries, median`,
        value: pf(n, id),
        unit: 'ms',
        decimals: 1,
        note: pfNote(n, id),
      })),
    );
  }

  const ratio = (a: number | null, b: number | null) => (a && b ? a / b : null);
  /** The baselines' figures for a note, leaving out those not run. */
  const others = (
    f: (id: ServerId) => number | null,
    decimals: number,
    unit: string,
    ids: ServerId[] = ['apache', 'rclone'],
  ) =>
    ids
      .filter((id) => !d.missing[id])
      .map((id) => `${id === 'apache' ? 'Apache' : 'rclone'} ${fmt(f(id), decimals, unit)}`)
      .join(', ');
  const apache = (x: number | null) => ({ label: 'Apache', value: x });
  const put = best(d.put.loft);
  const putRatio = ratio(put, diskBest);
  rows.push({
    id: 'dav_put',
    section: 'Loft WebDAV (/dav/, Basic auth with a personal access token)',
    label: `WebDAV PUT of ${mib} MiB`,
    value: put,
    unit: 'MB/s',
    decimals: 1,
    baseline: { label: 'disk', value: diskBest, unit: 'MB/s', decimals: 1 },
    ratio: putRatio,
    target: {
      text: `≥ ${TARGETS.putRatio.toFixed(2)} × disk`,
      pass: putRatio !== null && putRatio >= TARGETS.putRatio,
    },
    note: join(
      others((id) => best(d.put[id]), 0, 'MB/s'),
      d.loftPutRss ? `server RSS max ${fmt(d.loftPutRss / MB, 1, 'MB')}` : '',
      runs(d.put.loft),
    ),
  });
  const get = best(d.get.loft);
  const getRatio = ratio(get, best(d.get.apache));
  rows.push({
    id: 'dav_get',
    label: `WebDAV GET of ${mib} MiB`,
    value: get,
    unit: 'MB/s',
    decimals: 1,
    baseline: { ...apache(best(d.get.apache)), unit: 'MB/s', decimals: 1 },
    ratio: getRatio,
    target: {
      text: `≥ ${TARGETS.getRatio.toFixed(2)} × Apache`,
      pass: getRatio !== null && getRatio >= TARGETS.getRatio,
    },
    note: join(
      others((id) => best(d.get[id]), 0, 'MB/s'),
      runs(d.get.loft),
    ),
  });
  for (const c of [1, PARALLEL]) {
    const m = c === 1 ? d.small1 : d.small8;
    const value = rate(m.loft);
    const rclone = rate(m.rclone);
    rows.push({
      id: `dav_small_${c}conn`,
      label: `WebDAV: ${fmt(smallCount, 0)} PUTs of 4 KiB, ${c} connection${c > 1 ? 's' : ''}`,
      value,
      unit: 'PUTs/s',
      decimals: 0,
      baseline: { label: 'rclone', value: rclone, unit: '/s', decimals: 0 },
      ratio: ratio(value, rclone),
      target: { text: '> rclone', pass: value !== null && rclone !== null && value > rclone },
      note: join(
        others((id) => rate(m[id]), 0, '/s', ['apache']),
        smallNote(m.loft),
      ),
    });
  }
  const pfSmall = pf(small, 'loft');
  const pfRatio = ratio(pfSmall, pf(small, 'apache'));
  rows.push({
    id: 'dav_propfind',
    label: `WebDAV PROPFIND Depth 1, ${fmt(small, 0)} entries, median`,
    value: pfSmall,
    unit: 'ms',
    decimals: 1,
    baseline: { ...apache(pf(small, 'apache')), unit: 'ms', decimals: 1 },
    ratio: pfRatio,
    target: {
      text: `≤ ${TARGETS.propfindRatio.toFixed(2)} × Apache`,
      pass: pfRatio !== null && pfRatio <= TARGETS.propfindRatio,
    },
    note: join(
      others((id) => pf(small, id), 1, 'ms', ['rclone']),
      pfNote(small, 'loft'),
    ),
  });
  const pfLarge = pf(large, 'loft');
  rows.push({
    id: 'dav_propfind_large',
    label: `WebDAV PROPFIND Depth 1, ${fmt(large, 0)} entries, median`,
    value: pfLarge,
    unit: 'ms',
    decimals: 1,
    target: {
      text: `< ${TARGETS.propfindLargeMs} ms`,
      pass: pfLarge !== null && pfLarge < TARGETS.propfindLargeMs,
    },
    note: join(
      others((id) => pf(large, id), 1, 'ms'),
      pfNote(large, 'loft'),
    ),
  });
  return rows;
}

/** settings.dav of results/latest.json */
export function davSettings(d: DavBench) {
  return {
    entries: DAV_ENTRIES,
    propfindWarmup: PROPFIND_WARMUP,
    propfindRequests: PROPFIND_REQUESTS,
    apache: d.versions.apache ?? d.missing.apache ?? null,
    rclone: d.versions.rclone ?? d.missing.rclone ?? null,
  };
}

/** runs.dav of results/latest.json: every measurement. */
export function davResults(d: DavBench) {
  const r2 = (xs: number[] | undefined) => xs?.map((x) => Math.round(x * 100) / 100) ?? [];
  const ids = ['loft', 'apache', 'rclone'] as const;
  return {
    putMBps: Object.fromEntries(ids.map((id) => [id, r2(d.put[id])])),
    getMBps: Object.fromEntries(ids.map((id) => [id, r2(d.get[id])])),
    loftPutMaxRssBytes: d.loftPutRss || null,
    small1: d.small1,
    small8: d.small8,
    fills: d.fills,
    propfind: d.propfind,
  };
}
