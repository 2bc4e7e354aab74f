import { errors } from '../errors.js';

const MAX_NAME_BYTES = 255;
const MAX_PATH_CHARS = 4096;
// C0 and C1 control characters and DEL: invisible, break terminals and other file systems.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Returns the NFC form of a valid item name, or throws invalid_name with the reason. */
export function normalizeName(raw: string): string {
  if (typeof raw !== 'string') throw errors.invalidName('a name is required');
  const name = raw.normalize('NFC');
  if (name.length === 0) throw errors.invalidName('a name cannot be empty');
  if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) throw errors.invalidName('longer than 255 bytes');
  if (name.includes('/')) throw errors.invalidName('a name cannot contain "/"');
  if (CONTROL.test(name)) throw errors.invalidName('a name cannot contain control characters');
  if (name === '.' || name === '..') throw errors.invalidName('"." and ".." are reserved');
  if (/[\ud800-\udfff]/.test(name.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''))) {
    throw errors.invalidName('not valid Unicode');
  }
  return name;
}

/**
 * Where clients that show the file tree as a drive (WebDAV) put the items shared with the user,
 * beside their own top-level folders; reserved there.
 */
export const SHARED_FOLDER_NAME = 'Shared with me';

export const sortNameOf = (name: string): string => name.toLowerCase();

/** Splits "/a/b/c" into normalized names; "/" and "" are the root (no segments). */
export function parsePath(raw: string): string[] {
  if (typeof raw !== 'string') throw errors.invalidPath('a path is required');
  if (raw.length > MAX_PATH_CHARS) throw errors.invalidPath('longer than 4096 characters');
  const segments = raw.split('/').filter((s) => s.length > 0);
  return segments.map((s) => {
    try {
      return normalizeName(s);
    } catch {
      throw errors.invalidPath(`"${s.slice(0, 64)}" is not a valid name`);
    }
  });
}

/** "report.pdf" → "report (restored).pdf", then " (restored 2)" ... for restores and copies. */
export function variantName(name: string, label: string, n: number): string {
  // An empty label numbers the copies like file managers do: "a (1).txt", "a (2).txt".
  const suffix = label === '' ? ` (${n})` : n <= 1 ? ` (${label})` : ` (${label} ${n})`;
  const dot = name.lastIndexOf('.');
  let base = dot > 0 ? name.slice(0, dot) : name;
  let ext = dot > 0 ? name.slice(dot) : '';
  // An extension too long to keep beside the suffix is shortened with the rest of the name.
  if (Buffer.byteLength(`${suffix}${ext}`, 'utf8') >= MAX_NAME_BYTES) [base, ext] = [name, ''];
  const budget = MAX_NAME_BYTES - Buffer.byteLength(`${suffix}${ext}`, 'utf8');
  // Drop whole code points from the end of the base: never half a surrogate pair.
  const chars = [...base];
  let bytes = Buffer.byteLength(base, 'utf8');
  while (bytes > budget && chars.length) bytes -= Buffer.byteLength(chars.pop()!, 'utf8');
  return `${chars.join('')}${suffix}${ext}`;
}
