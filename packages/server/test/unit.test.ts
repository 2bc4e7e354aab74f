import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../src/clock.js';
import { ConfigError, DEFAULT_WEB_DIR, loadConfig, parseSize, type Config } from '../src/config.js';
import { LoftError } from '../src/errors.js';
import { contentDisposition, parseRange } from '../src/http/download.js';
import { contentTypeFor } from '../src/nodes/content-types.js';
import { normalizeName, parsePath, variantName } from '../src/nodes/names.js';

/** packages/web/dist, found from this file's own place. */
const WEB_DIST = path.resolve(fileURLToPath(import.meta.url), '../../../web/dist');

const bytesOf = (s: string) => Buffer.byteLength(s, 'utf8');

/** The LoftError a call throws; fails the test when it does not throw one. */
function loftErrorOf(fn: () => unknown): LoftError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(LoftError);
    return e as LoftError;
  }
  throw new Error('expected a LoftError, nothing was thrown');
}

const hasLoneSurrogate = (s: string) =>
  /[\ud800-\udfff]/.test(s.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''));

describe('normalizeName', () => {
  it('returns valid names unchanged', () => {
    for (const name of [
      'report.pdf',
      'a',
      '...',
      '.hidden',
      '..a',
      'a..',
      'with space',
      ' ',
      'back\\slash',
      '😀',
      '東京',
    ]) {
      expect(normalizeName(name)).toBe(name);
    }
  });

  it('normalizes to NFC', () => {
    const decomposed = 'Cafe\u0301.txt';
    expect(decomposed).not.toBe('Café.txt'.normalize('NFC'));
    expect(normalizeName(decomposed)).toBe('Caf\u00e9.txt');
    expect(normalizeName('\u1100\u1161')).toBe('\uac00');
  });

  it('accepts 255 bytes and refuses 256, counting UTF-8 bytes', () => {
    const cases: [string, string][] = [
      ['a'.repeat(255), 'a'.repeat(256)],
      ['é'.repeat(127) + 'a', 'é'.repeat(128)],
      ['中'.repeat(85), '中'.repeat(85) + 'a'],
      ['😀'.repeat(63) + 'abc', '😀'.repeat(64)],
    ];
    for (const [ok, tooLong] of cases) {
      expect(bytesOf(ok)).toBe(255);
      expect(bytesOf(tooLong)).toBe(256);
      expect(normalizeName(ok)).toBe(ok);
      const err = loftErrorOf(() => normalizeName(tooLong));
      expect(err.code).toBe('invalid_name');
      expect(err.status).toBe(400);
      expect(err.message).toMatch(/255 bytes/);
    }
  });

  it('measures the length after normalization', () => {
    // 300 bytes decomposed, 200 once composed.
    const decomposed = 'e\u0301'.repeat(100);
    expect(bytesOf(decomposed)).toBe(300);
    expect(normalizeName(decomposed)).toBe('\u00e9'.repeat(100));
    // U+0958 is excluded from composition: NFC turns each 3-byte character into 6 bytes.
    const expanding = '\u0958'.repeat(50);
    expect(bytesOf(expanding)).toBe(150);
    expect(bytesOf(expanding.normalize('NFC'))).toBe(300);
    expect(loftErrorOf(() => normalizeName(expanding)).code).toBe('invalid_name');
  });

  it('refuses empty names and non-strings', () => {
    expect(loftErrorOf(() => normalizeName('')).code).toBe('invalid_name');
    expect(loftErrorOf(() => normalizeName(undefined as unknown as string)).code).toBe('invalid_name');
    expect(loftErrorOf(() => normalizeName(42 as unknown as string)).code).toBe('invalid_name');
  });

  it('refuses "/", "." and ".."', () => {
    for (const bad of ['a/b', '/', '/a', 'a/', '.', '..']) {
      expect(loftErrorOf(() => normalizeName(bad)).code, bad).toBe('invalid_name');
    }
  });

  it('refuses C0 and C1 control characters and DEL, anywhere in the name', () => {
    const controls = ['\u0000', '\t', '\n', '\r', '\u001b', '\u001f', '\u007f', '\u0080', '\u0085', '\u009f'];
    for (const c of controls) {
      for (const name of [c, `a${c}`, `${c}a`, `a${c}b.txt`]) {
        const err = loftErrorOf(() => normalizeName(name));
        expect(err.code).toBe('invalid_name');
        expect(err.message).toMatch(/control/);
      }
    }
    // The first printable characters on either side of the ranges are fine.
    expect(normalizeName(' a~')).toBe(' a~');
    expect(normalizeName('\u00a0nbsp')).toBe('\u00a0nbsp');
  });

  it('refuses lone surrogates but accepts surrogate pairs', () => {
    for (const bad of ['\ud800', '\udfff', 'a\ud83d', '\ude00b', '\ude00\ud83d', 'x\ud83d\ud83dy']) {
      const err = loftErrorOf(() => normalizeName(bad));
      expect(err.code).toBe('invalid_name');
      expect(err.message).toMatch(/Unicode/);
    }
    expect(normalizeName('\ud83d\ude00.png')).toBe('😀.png');
  });
});

describe('parsePath', () => {
  it('treats "" and "/" as the root', () => {
    expect(parsePath('')).toEqual([]);
    expect(parsePath('/')).toEqual([]);
    expect(parsePath('///')).toEqual([]);
  });

  it('splits into normalized names, ignoring empty segments', () => {
    expect(parsePath('/a/b/c')).toEqual(['a', 'b', 'c']);
    expect(parsePath('a/b')).toEqual(['a', 'b']);
    expect(parsePath('//a//b/')).toEqual(['a', 'b']);
    expect(parsePath('/Cafe\u0301/notes e\u0301.txt')).toEqual(['Caf\u00e9', 'notes \u00e9.txt']);
  });

  it('refuses ".", "..", control characters, lone surrogates and over-long segments as invalid_path', () => {
    for (const bad of [
      '/a/../b',
      '/..',
      '/./a',
      'a/.',
      '/a\u0000b',
      '/x/\ud800',
      `/${'a'.repeat(256)}`,
      `/ok/${'é'.repeat(128)}`,
    ]) {
      const err = loftErrorOf(() => parsePath(bad));
      expect(err.code, JSON.stringify(bad)).toBe('invalid_path');
      expect(err.status).toBe(400);
    }
    expect(parsePath(`/${'a'.repeat(255)}/b`)).toEqual(['a'.repeat(255), 'b']);
  });

  it('accepts 4096 characters and refuses 4097', () => {
    const max = ('/' + 'x'.repeat(127)).repeat(32);
    expect(max.length).toBe(4096);
    expect(parsePath(max)).toHaveLength(32);
    const err = loftErrorOf(() => parsePath(max + 'y'));
    expect(err.code).toBe('invalid_path');
    expect(err.message).toMatch(/4096/);
  });

  it('refuses non-strings', () => {
    expect(loftErrorOf(() => parsePath(null as unknown as string)).code).toBe('invalid_path');
  });
});

describe('variantName', () => {
  it('puts the label before the extension, numbering from the second variant', () => {
    expect(variantName('report.pdf', 'restored', 1)).toBe('report (restored).pdf');
    expect(variantName('report.pdf', 'restored', 2)).toBe('report (restored 2).pdf');
    expect(variantName('report.pdf', 'copy', 17)).toBe('report (copy 17).pdf');
    expect(variantName('archive.tar.gz', 'copy', 1)).toBe('archive.tar (copy).gz');
  });

  it('treats names without an extension, or with only a leading dot, as all base', () => {
    expect(variantName('README', 'copy', 1)).toBe('README (copy)');
    expect(variantName('.bashrc', 'copy', 1)).toBe('.bashrc (copy)');
    expect(variantName('Folder', 'restored', 3)).toBe('Folder (restored 3)');
  });

  it('always yields a valid name of at most 255 bytes that keeps the label and extension', () => {
    const names = [
      'x'.repeat(255),
      'x'.repeat(251) + '.txt',
      'é'.repeat(125) + '.txt',
      '中'.repeat(83) + '.md',
      '😀'.repeat(62) + 'a.md',
      '😀'.repeat(63) + '.js',
      'a😀'.repeat(50) + '.txt',
    ];
    for (const name of names) {
      expect(normalizeName(name)).toBe(name);
      for (const [label, n] of [
        ['restored', 1],
        ['copy', 2],
        ['copy', 9999],
      ] as const) {
        const v = variantName(name, label, n);
        const suffix = n <= 1 ? ` (${label})` : ` (${label} ${n})`;
        const dot = name.lastIndexOf('.');
        const ext = dot > 0 ? name.slice(dot) : '';
        expect(bytesOf(v), v).toBeLessThanOrEqual(255);
        expect(hasLoneSurrogate(v), JSON.stringify(v)).toBe(false);
        expect(v.endsWith(`${suffix}${ext}`), v).toBe(true);
        expect(normalizeName(v)).toBe(v);
        // Only as much of the base is dropped as needed: one more character would not fit.
        const base = v.slice(0, v.length - suffix.length - ext.length);
        const original = dot > 0 ? name.slice(0, dot) : name;
        expect(original.startsWith(base)).toBe(true);
        const next = [...original][[...base].length];
        if (next !== undefined) expect(bytesOf(v) + bytesOf(next)).toBeGreaterThan(255);
      }
    }
  });

  it('stays within 255 bytes when the extension alone is too long to keep', () => {
    const name = 'a.' + 'x'.repeat(250);
    expect(normalizeName(name)).toBe(name);
    const v = variantName(name, 'restored', 1);
    expect(bytesOf(v)).toBeLessThanOrEqual(255);
    expect(v.endsWith(' (restored)')).toBe(true);
    expect(v.startsWith('a.xxx')).toBe(true);
    expect(normalizeName(v)).toBe(v);
  });

  it('gives distinct names for distinct numbers even when truncating', () => {
    const name = 'y'.repeat(250) + '.bin';
    const variants = new Set([1, 2, 3, 10, 100].map((n) => variantName(name, 'copy', n)));
    expect(variants.size).toBe(5);
    expect(variants.has(name)).toBe(false);
  });
});

describe('contentTypeFor', () => {
  it('keeps a specific declared type, lower-cased and without parameters', () => {
    expect(contentTypeFor('a.bin', 'Text/HTML; charset=UTF-8')).toBe('text/html');
    expect(contentTypeFor('photo.jpg', 'image/png')).toBe('image/png');
    expect(contentTypeFor('x', 'application/vnd.api+json')).toBe('application/vnd.api+json');
  });

  it('falls back to the extension when the declared type says nothing useful', () => {
    for (const declared of [
      null,
      undefined,
      '',
      '  ',
      'application/octet-stream',
      'binary/octet-stream',
      'application/x-www-form-urlencoded',
      'Application/Octet-Stream; x=y',
    ]) {
      expect(contentTypeFor('photo.JPG', declared), String(declared)).toBe('image/jpeg');
    }
  });

  it('falls back to the extension when the declared type is malformed', () => {
    for (const declared of [
      'text',
      'text/',
      '/plain',
      'text/plain/extra',
      'text/pl ain',
      'tëxt/plain',
      '*/*x y',
    ]) {
      expect(contentTypeFor('notes.md', declared), declared).toBe('text/markdown');
    }
  });

  it('maps extensions case-insensitively, using the last dot', () => {
    expect(contentTypeFor('REPORT.PDF', null)).toBe('application/pdf');
    expect(contentTypeFor('backup.tar.gz', null)).toBe('application/gzip');
    expect(contentTypeFor('deck.pptx', null)).toBe(
      'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    );
    expect(contentTypeFor('.png', null)).toBe('image/png');
  });

  it('uses application/octet-stream for no, empty or unknown extensions', () => {
    for (const name of ['Makefile', 'file.', 'weird.xyz123', '.bashrc', '']) {
      expect(contentTypeFor(name, null), name).toBe('application/octet-stream');
    }
  });

  it('never returns inherited object properties for extensions like "constructor"', () => {
    for (const name of ['x.constructor', 'x.__proto__', 'x.toString', 'x.hasOwnProperty', 'x.valueOf']) {
      expect(contentTypeFor(name, null), name).toBe('application/octet-stream');
    }
  });
});

describe('parseRange', () => {
  const size = 1000;

  it('parses a closed range', () => {
    expect(parseRange('bytes=0-499', size)).toEqual({ start: 0, end: 499 });
    expect(parseRange('bytes=0-0', size)).toEqual({ start: 0, end: 0 });
    expect(parseRange('bytes=999-999', size)).toEqual({ start: 999, end: 999 });
    expect(parseRange('bytes=10-10', 11)).toEqual({ start: 10, end: 10 });
  });

  it('clamps an end past the last byte', () => {
    expect(parseRange('bytes=500-5000', size)).toEqual({ start: 500, end: 999 });
    expect(parseRange('bytes=0-99999999999999999999', size)).toEqual({ start: 0, end: 999 });
  });

  it('parses an open-ended range', () => {
    expect(parseRange('bytes=500-', size)).toEqual({ start: 500, end: 999 });
    expect(parseRange('bytes=0-', size)).toEqual({ start: 0, end: 999 });
    expect(parseRange('bytes=999-', size)).toEqual({ start: 999, end: 999 });
  });

  it('parses a suffix range, clamped to the whole body', () => {
    expect(parseRange('bytes=-200', size)).toEqual({ start: 800, end: 999 });
    expect(parseRange('bytes=-1', size)).toEqual({ start: 999, end: 999 });
    expect(parseRange('bytes=-1000', size)).toEqual({ start: 0, end: 999 });
    expect(parseRange('bytes=-5000', size)).toEqual({ start: 0, end: 999 });
  });

  it('tolerates whitespace and any case in the unit', () => {
    expect(parseRange(' Bytes = 1-2', size)).toEqual({ start: 1, end: 2 });
    expect(parseRange('BYTES=3 - 4', size)).toEqual({ start: 3, end: 4 });
  });

  it('reports ranges that start at or past the end as unsatisfiable', () => {
    expect(parseRange('bytes=1000-', size)).toBe('unsatisfiable');
    expect(parseRange('bytes=1000-1001', size)).toBe('unsatisfiable');
    expect(parseRange('bytes=99999999999999999999-', size)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', size)).toBe('unsatisfiable');
    expect(parseRange('bytes=0-', 0)).toBe('unsatisfiable');
    expect(parseRange('bytes=-5', 0)).toBe('unsatisfiable');
  });

  it('ignores several ranges (the whole body is sent)', () => {
    expect(parseRange('bytes=0-1,5-6', size)).toBeNull();
    expect(parseRange('bytes=0-1, 5-6', size)).toBeNull();
    expect(parseRange('bytes=-1,0-', size)).toBeNull();
    expect(parseRange('bytes=2000-,3000-', size)).toBeNull();
  });

  it('ignores malformed headers', () => {
    for (const h of [
      '',
      'bytes',
      'bytes=',
      'bytes=-',
      'bytes= ',
      'bytes=abc',
      'bytes=a-b',
      'bytes=1-a',
      'bytes=5-2',
      'bytes=1.5-2',
      'bytes=--1',
      'bytes=0-1-2',
      'bytes=+1-2',
      'items=0-1',
      '0-1',
      'bytes 0-1',
      'bytes=0x10-0x20',
      'bytes=,',
    ]) {
      expect(parseRange(h, size), JSON.stringify(h)).toBeNull();
    }
  });
});

describe('contentDisposition', () => {
  const HEADER =
    /^(attachment|inline); filename="([^"\\]*)"; filename\*=UTF-8''([A-Za-z0-9!#$&+\-.^_`|~%]*)$/;

  function parts(value: string) {
    const m = HEADER.exec(value);
    expect(m, value).not.toBeNull();
    return { kind: m![1]!, fallback: m![2]!, encoded: m![3]! };
  }

  const names = [
    'report.pdf',
    'my report (final).pdf',
    'say "hi".txt',
    "it's;here.txt",
    '100% done.txt',
    'back\\slash',
    'a*b~c!.txt',
    'отчёт за 2025.pdf',
    '東京の写真.jpg',
    'صورة.png',
    '😀 party 🎉.png',
    'Cafe\u0301.txt',
    'tab\there',
    'a\r\nSet-Cookie: x=1',
  ];

  it('is a valid header value whose filename* decodes to the exact name', () => {
    for (const name of names) {
      for (const kind of ['attachment', 'inline'] as const) {
        const value = contentDisposition(kind, name);
        expect(value, name).toMatch(/^[\x20-\x7e]*$/);
        const p = parts(value);
        expect(p.kind).toBe(kind);
        expect(decodeURIComponent(p.encoded)).toBe(name);
        // The fallback is printable ASCII with nothing a naive parser could trip on.
        expect(p.fallback).toMatch(/^[\x20-\x7e]+$/);
        expect(p.fallback).not.toMatch(/[";\\%]/);
      }
    }
  });

  it('uses the name itself as the fallback when it is plain ASCII', () => {
    expect(contentDisposition('attachment', 'report.pdf')).toBe(
      `attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`,
    );
    expect(contentDisposition('inline', 'my report (final).pdf')).toBe(
      `inline; filename="my report (final).pdf"; filename*=UTF-8''my%20report%20%28final%29.pdf`,
    );
  });

  it('replaces quotes, backslashes, "%" and ";" in the fallback and percent-encodes them in filename*', () => {
    expect(parts(contentDisposition('attachment', 'say "hi".txt'))).toEqual({
      kind: 'attachment',
      fallback: 'say _hi_.txt',
      encoded: 'say%20%22hi%22.txt',
    });
    expect(parts(contentDisposition('attachment', "it's;here.txt"))).toMatchObject({
      fallback: "it's_here.txt",
      encoded: 'it%27s%3Bhere.txt',
    });
    expect(parts(contentDisposition('attachment', '100% done.txt'))).toMatchObject({
      fallback: '100_ done.txt',
      encoded: '100%25%20done.txt',
    });
    expect(parts(contentDisposition('attachment', 'back\\slash'))).toMatchObject({
      fallback: 'back_slash',
      encoded: 'back%5Cslash',
    });
  });

  it('encodes non-Latin scripts and emoji as UTF-8 bytes, keeping ASCII parts in the fallback', () => {
    const utf8 = (s: string) =>
      [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
    const cyr = parts(contentDisposition('attachment', 'отчёт.pdf'));
    expect(cyr.encoded).toBe(`${utf8('отчёт')}.pdf`);
    expect(cyr.fallback).toMatch(/^_+\.pdf$/);
    const emoji = parts(contentDisposition('attachment', '😀 party.png'));
    expect(emoji.encoded).toBe('%F0%9F%98%80%20party.png');
    expect(emoji.fallback).toMatch(/^_+ party\.png$/);
    const cjk = parts(contentDisposition('inline', '東京.jpg'));
    expect(cjk.encoded).toBe(`${utf8('東京')}.jpg`);
  });

  it('never lets control characters through, so the header cannot be split', () => {
    const value = contentDisposition('attachment', 'a\r\nSet-Cookie: x=1');
    expect(value).not.toMatch(/[\r\n]/);
    expect(parts(value).encoded).toContain('%0D%0A');
  });

  it('falls back to "download" for an empty name', () => {
    expect(parts(contentDisposition('attachment', '')).fallback).toBe('download');
  });
});

describe('parseSize', () => {
  it('reads plain bytes and binary and decimal units, case-insensitively', () => {
    expect(parseSize('1024')).toBe(1024);
    expect(parseSize('0')).toBe(0);
    expect(parseSize('10b')).toBe(10);
    expect(parseSize('500MiB')).toBe(500 * 1024 ** 2);
    expect(parseSize('500mib')).toBe(500 * 1024 ** 2);
    expect(parseSize('10 GiB')).toBe(10 * 1024 ** 3);
    expect(parseSize(' 2TB ')).toBe(2 * 1000 ** 4);
    expect(parseSize('1.5KiB')).toBe(1536);
    expect(parseSize('1.5GB')).toBe(1_500_000_000);
    expect(parseSize('3k')).toBe(3 * 1024);
    expect(parseSize('3kb')).toBe(3000);
    expect(parseSize('1g')).toBe(1024 ** 3);
  });

  it('refuses anything else', () => {
    for (const bad of [
      '',
      'MiB',
      '-5MiB',
      '10 parsecs',
      '1e6',
      '.5GiB',
      '12.',
      '1,000',
      '5 Mi B',
      '99999999999TiB',
    ]) {
      expect(parseSize(bad), bad).toBeNull();
    }
  });
});

describe('loadConfig', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'loft-config-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const problemsOf = (env: Record<string, string | undefined>, cwd = dir): string[] => {
    try {
      loadConfig(env, cwd);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as ConfigError).problems;
    }
    throw new Error('expected a ConfigError');
  };

  it('has working defaults for an empty environment', () => {
    const c = loadConfig({}, '/srv/loft');
    const day = 24 * 3600_000;
    expect(c).toEqual<Config>({
      port: 8080,
      host: '0.0.0.0',
      dataDir: '/srv/loft/data',
      webDir: WEB_DIST,
      databaseUrl: null,
      databaseSchema: 'public',
      sqliteSynchronous: 'full',
      publicUrl: null,
      trustProxy: false,
      logLevel: 'info',
      registration: 'open',
      defaultQuotaBytes: 1024 ** 3,
      trashRetentionMs: 30 * day,
      sendDefaultLifetimeMs: 2 * 3600_000,
      sendMaxLifetimeMs: 7 * day,
      sendsPerUser: 10,
      davPasswordAuth: false,
      davDepthInfinityLimit: 10_000,
      davLockDefaultSeconds: 600,
      davLockMaxSeconds: 3600,
      blobGcGraceMs: 60 * 60_000,
      sessionTtlMs: 12 * 3600_000,
      sessionRememberTtlMs: 30 * day,
      admin: null,
      jobsEnabled: true,
      passwordHashConcurrency: 2,
      argon2: { memoryKiB: 19 * 1024, timeCost: 2 },
    });
  });

  it('reads PORT and LOFT_DATA_DIR, resolving a relative data dir against cwd', () => {
    expect(loadConfig({ PORT: '3000', LOFT_DATA_DIR: 'var/loft' }, '/srv')).toMatchObject({
      port: 3000,
      dataDir: '/srv/var/loft',
    });
    expect(loadConfig({ PORT: ' 0 ', LOFT_DATA_DIR: '/data/loft' }, '/srv')).toMatchObject({
      port: 0,
      dataDir: '/data/loft',
    });
    expect(loadConfig({ PORT: '65535' }).port).toBe(65535);
    expect(loadConfig({ PORT: '' }).port).toBe(8080);
  });

  it('finds the web app in packages/web/dist by default, and reads LOFT_WEB_DIR against cwd', () => {
    expect(DEFAULT_WEB_DIR).toBe(WEB_DIST);
    expect(loadConfig({ LOFT_WEB_DIR: 'public/app' }, '/srv').webDir).toBe('/srv/public/app');
    expect(loadConfig({ LOFT_WEB_DIR: '/opt/loft-web/' }, '/srv').webDir).toBe('/opt/loft-web');
    expect(loadConfig({ LOFT_WEB_DIR: '  ' }, '/srv').webDir).toBe(WEB_DIST);
  });

  it('refuses ports out of range or not integers', () => {
    for (const port of ['65536', '-1', 'http', '80.5', '0x50', '1e3', '8080.0', '8080a']) {
      const problems = problemsOf({ PORT: port });
      expect(problems, port).toHaveLength(1);
      expect(problems[0]).toMatch(/^PORT: /);
      expect(problems[0]).toContain(port);
    }
  });

  it('reads sizes with units', () => {
    expect(loadConfig({ LOFT_DEFAULT_QUOTA: '500MiB' }).defaultQuotaBytes).toBe(500 * 1024 ** 2);
    expect(loadConfig({ LOFT_DEFAULT_QUOTA: '10GiB' }).defaultQuotaBytes).toBe(10 * 1024 ** 3);
    expect(loadConfig({ LOFT_DEFAULT_QUOTA: '2GB' }).defaultQuotaBytes).toBe(2e9);
    expect(loadConfig({ LOFT_DEFAULT_QUOTA: '1073741824' }).defaultQuotaBytes).toBe(1024 ** 3);
    expect(problemsOf({ LOFT_DEFAULT_QUOTA: 'lots' })[0]).toMatch(/^LOFT_DEFAULT_QUOTA: .*"lots"/);
  });

  it('reads the other settings', () => {
    const c = loadConfig({
      HOST: '127.0.0.1',
      DATABASE_URL: 'postgresql://loft@db/loft',
      LOFT_DB_SCHEMA: 'tenant_1',
      LOFT_SQLITE_SYNCHRONOUS: 'NORMAL',
      LOFT_PUBLIC_URL: 'https://drive.example.com//',
      LOFT_TRUST_PROXY: 'yes',
      LOFT_LOG_LEVEL: 'debug',
      LOFT_REGISTRATION: 'closed',
      LOFT_TRASH_RETENTION_DAYS: '7',
      LOFT_BLOB_GC_GRACE_MINUTES: '5',
      LOFT_SESSION_TTL_HOURS: '2',
      LOFT_SESSION_REMEMBER_DAYS: '90',
      LOFT_JOBS: 'off',
      LOFT_PASSWORD_HASH_CONCURRENCY: '4',
      LOFT_ARGON2_MEMORY_KIB: '65536',
      LOFT_ARGON2_TIME_COST: '3',
    });
    expect(c).toMatchObject({
      host: '127.0.0.1',
      databaseUrl: 'postgresql://loft@db/loft',
      databaseSchema: 'tenant_1',
      sqliteSynchronous: 'normal',
      publicUrl: 'https://drive.example.com',
      trustProxy: true,
      logLevel: 'debug',
      registration: 'closed',
      trashRetentionMs: 7 * 24 * 3600_000,
      blobGcGraceMs: 5 * 60_000,
      sessionTtlMs: 2 * 3600_000,
      sessionRememberTtlMs: 90 * 24 * 3600_000,
      jobsEnabled: false,
      passwordHashConcurrency: 4,
      argon2: { memoryKiB: 65536, timeCost: 3 },
    });
  });

  it('reports every bad value together in one ConfigError', () => {
    const bad: Record<string, string> = {
      PORT: 'eighty',
      LOFT_SQLITE_SYNCHRONOUS: 'off',
      LOFT_TRUST_PROXY: 'maybe',
      LOFT_LOG_LEVEL: 'loud',
      LOFT_REGISTRATION: 'invite',
      LOFT_DEFAULT_QUOTA: 'lots',
      LOFT_TRASH_RETENTION_DAYS: '0',
      LOFT_BLOB_GC_GRACE_MINUTES: '1.5',
      LOFT_SESSION_TTL_HOURS: '-1',
      LOFT_SESSION_REMEMBER_DAYS: '99999',
      LOFT_JOBS: 'sometimes',
      LOFT_PASSWORD_HASH_CONCURRENCY: '0',
      LOFT_ARGON2_MEMORY_KIB: '1024',
      LOFT_ARGON2_TIME_COST: '1',
      DATABASE_URL: 'mysql://db/loft',
      LOFT_DB_SCHEMA: 'Drop Table',
      LOFT_PUBLIC_URL: 'not a url',
      LOFT_ADMIN_USERNAME: 'root',
    };
    let error: unknown;
    try {
      loadConfig(bad, dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    expect(problems).toHaveLength(Object.keys(bad).length);
    for (const key of Object.keys(bad)) {
      expect(
        problems.filter((p) => p.startsWith(`${key}:`) || p.startsWith(`${key} `)),
        key,
      ).toHaveLength(1);
      expect(message).toContain(key);
    }
  });

  describe('LOFT_CONFIG_FILE', () => {
    const writeJson = (name: string, value: unknown) => {
      writeFileSync(path.join(dir, name), typeof value === 'string' ? value : JSON.stringify(value));
      return name;
    };

    it('merges the JSON file, with the environment taking precedence', () => {
      const file = writeJson('loft.json', {
        PORT: 9000,
        HOST: '10.0.0.1',
        LOFT_REGISTRATION: 'closed',
        LOFT_DEFAULT_QUOTA: '5GiB',
        LOFT_TRUST_PROXY: true,
        LOFT_DATA_DIR: 'from-file',
        LOFT_LOG_LEVEL: null,
      });
      const c = loadConfig({ LOFT_CONFIG_FILE: file, PORT: '7000', LOFT_DATA_DIR: '/env/data' }, dir);
      expect(c).toMatchObject({
        port: 7000,
        host: '10.0.0.1',
        registration: 'closed',
        defaultQuotaBytes: 5 * 1024 ** 3,
        trustProxy: true,
        dataDir: '/env/data',
        logLevel: 'info',
      });
    });

    it('resolves a relative file name against cwd and accepts an absolute one', () => {
      writeJson('abs.json', { PORT: 1234 });
      expect(loadConfig({ LOFT_CONFIG_FILE: path.join(dir, 'abs.json') }, '/').port).toBe(1234);
      expect(loadConfig({ LOFT_CONFIG_FILE: './abs.json' }, dir).port).toBe(1234);
    });

    it('reports bad values from the file and from the environment together', () => {
      const file = writeJson('bad.json', { LOFT_LOG_LEVEL: 'chatty', LOFT_JOBS: 'perhaps' });
      const problems = problemsOf({ LOFT_CONFIG_FILE: file, PORT: 'x' });
      expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['LOFT_JOBS', 'LOFT_LOG_LEVEL', 'PORT']);
    });

    it('reports a missing or unparsable file alongside other problems', () => {
      const missing = problemsOf({ LOFT_CONFIG_FILE: 'nope.json', PORT: 'x' });
      expect(missing).toHaveLength(2);
      expect(missing[0]).toMatch(/^LOFT_CONFIG_FILE: cannot read nope\.json/);
      expect(missing[1]).toMatch(/^PORT: /);
      const broken = problemsOf({ LOFT_CONFIG_FILE: writeJson('broken.json', '{"PORT": 80,') });
      expect(broken).toHaveLength(1);
      expect(broken[0]).toMatch(/^LOFT_CONFIG_FILE: /);
    });
  });

  describe('admin seed account', () => {
    it('is set when username and password are both given', () => {
      expect(
        loadConfig({ LOFT_ADMIN_USERNAME: ' boss ', LOFT_ADMIN_PASSWORD: 'a long secret' }).admin,
      ).toEqual({
        username: 'boss',
        password: 'a long secret',
        email: 'boss@localhost',
      });
      expect(
        loadConfig({
          LOFT_ADMIN_USERNAME: 'boss',
          LOFT_ADMIN_PASSWORD: 'pw',
          LOFT_ADMIN_EMAIL: 'boss@example.com',
        }).admin?.email,
      ).toBe('boss@example.com');
    });

    it('must have username and password set together', () => {
      for (const env of [
        { LOFT_ADMIN_USERNAME: 'boss' },
        { LOFT_ADMIN_PASSWORD: 'a long secret' },
        { LOFT_ADMIN_USERNAME: '   ', LOFT_ADMIN_PASSWORD: 'a long secret' },
        { LOFT_ADMIN_USERNAME: 'boss', LOFT_ADMIN_PASSWORD: '' },
      ]) {
        const problems = problemsOf(env);
        expect(problems, JSON.stringify(env)).toHaveLength(1);
        expect(problems[0]).toMatch(/LOFT_ADMIN_USERNAME and LOFT_ADMIN_PASSWORD/);
      }
    });
  });
});

describe('clocks', () => {
  it('systemClock follows Date.now()', () => {
    const before = Date.now();
    const now = systemClock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('ManualClock starts at real time and moves forward by exactly what advance() adds', () => {
    const clock = new ManualClock();
    const within = (offset: number) => {
      const before = Date.now();
      const now = clock.now();
      const after = Date.now();
      expect(now).toBeGreaterThanOrEqual(before + offset);
      expect(now).toBeLessThanOrEqual(after + offset);
    };
    within(0);
    clock.advance(60_000);
    within(60_000);
    clock.advance(24 * 3600_000);
    within(60_000 + 24 * 3600_000);
    clock.advance(0);
    within(60_000 + 24 * 3600_000);
  });

  it('ManualClock keeps advancing with real time', async () => {
    const clock = new ManualClock();
    clock.advance(5_000);
    const a = clock.now();
    await sleep(25);
    const b = clock.now();
    expect(b - a).toBeGreaterThanOrEqual(20);
    expect(b - a).toBeLessThan(5_000);
  });

  it('ManualClock instances are independent', () => {
    const a = new ManualClock();
    const b = new ManualClock();
    a.advance(3_600_000);
    expect(a.now() - b.now()).toBeGreaterThanOrEqual(3_600_000 - 50);
    expect(a.now() - b.now()).toBeLessThanOrEqual(3_600_000 + 50);
  });
});
