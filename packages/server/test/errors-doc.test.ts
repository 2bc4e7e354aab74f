import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCodes, errors, type ErrorCode, type LoftError } from '../src/errors.js';

const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');

/** Rows of the catalogue table: | `code` | status | when | details |. */
const rows = doc
  .split('\n')
  .map((line) => /^\|\s*`([a-z0-9_]+)`\s*\|\s*(\d{3})\s*\|(.*)\|\s*$/.exec(line))
  .filter((m): m is RegExpExecArray => m !== null)
  .map((m) => {
    const cells = m[3]!.split(/(?<!\\)\|/);
    return { code: m[1]!, status: Number(m[2]), when: cells[0]!.trim(), details: cells.at(-1)!.trim() };
  });
const byCode = new Map(rows.map((r) => [r.code, r]));

describe('docs/errors.md', () => {
  it('documents the response shape', () => {
    expect(doc).toContain('"error"');
    for (const key of ['"code"', '"message"', '"details"']) expect(doc).toContain(key);
  });

  it('states that codes are never renamed or reused', () => {
    expect(doc).toMatch(/never renamed/i);
    expect(doc).toMatch(/never reused/i);
  });

  it('has one row per code', () => {
    const codes = rows.map((r) => r.code);
    expect(codes.length).toBeGreaterThan(0);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it.each(Object.entries(ErrorCodes))('documents %s with status %i', (code, status) => {
    const row = byCode.get(code);
    expect(row, `docs/errors.md has no row for ${code}`).toBeDefined();
    expect(row!.status).toBe(status);
    expect(row!.when.length, `${code} needs a description`).toBeGreaterThan(20);
    expect(row!.details.length, `${code} needs a details cell`).toBeGreaterThan(0);
  });

  it('lists no code that is not in the catalogue', () => {
    const unknown = rows.map((r) => r.code).filter((c) => !Object.hasOwn(ErrorCodes, c));
    expect(unknown).toEqual([]);
  });

  it('documents exactly the catalogue codes', () => {
    expect(rows.map((r) => r.code).sort()).toEqual(Object.keys(ErrorCodes).sort());
  });

  // Every factory that attaches details or headers, called as the server does: the doc must name
  // each key and header it produces, so clients can rely on them.
  const samples: LoftError[] = [
    errors.validation('Some fields need attention.', [
      { field: 'email', code: 'required', message: 'Enter it.' },
    ]),
    errors.incompleteUpload(100, 40),
    errors.nameConflict('report.pdf'),
    errors.rangeNotSatisfiable(1234),
    errors.tooManyRequests(30),
    errors.quotaExceeded(1000, 900),
  ];

  it.each(samples.map((e) => [e.code, e] as const))(
    'names every details key and header of %s',
    (code, err) => {
      const row = byCode.get(code as ErrorCode)!;
      expect(row).toBeDefined();
      expect(err.status).toBe(ErrorCodes[code as ErrorCode]);
      for (const key of Object.keys(err.details ?? {})) expect(row.details).toContain(`details.${key}`);
      for (const header of Object.keys(err.headers ?? {})) {
        expect(row.details.toLowerCase()).toContain(header.toLowerCase());
      }
    },
  );

  it('says "None" for codes whose factories attach no details', () => {
    const plain: LoftError[] = [
      errors.invalidName('x'),
      errors.invalidPath('x'),
      errors.invalidCursor(),
      errors.badRequest('x'),
      errors.unauthenticated(),
      errors.invalidCredentials(),
      errors.banned(),
      errors.forbidden(),
      errors.csrf(),
      errors.notFound(),
      errors.notAFolder(),
      errors.notAFile(),
      errors.moveIntoDescendant(),
      errors.rootImmutable(),
      errors.preconditionFailed(),
      errors.unavailable('x'),
    ];
    for (const err of plain) {
      expect(err.details, err.code).toBeUndefined();
      expect(byCode.get(err.code)?.details, err.code).toMatch(/^None\b/);
    }
  });
});
