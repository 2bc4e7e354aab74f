import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const INSTANCE_SECRET_FILE = 'instance-secret';

/**
 * The instance's 32-byte key (public-link tokens and visitor grants are derived from it), kept in
 * a 0600 file in the data directory and made on first start. It never goes to the database: a
 * leaked database alone gives no usable link. Every instance serving one database needs the same
 * file. With a new key, URLs already given out keep working (the database has their hashes) but
 * owners are shown URLs that do not, and every visitor grant ends.
 */
export function readInstanceSecret(dataDir: string): Buffer {
  const file = path.join(dataDir, INSTANCE_SECRET_FILE);
  let text: string | null = null;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (text === null) {
    try {
      // 'wx': two processes starting at once on one data dir cannot both write a key.
      writeFileSync(file, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    text = readFileSync(file, 'utf8').trim();
  }
  if (!/^[0-9a-f]{64}$/.test(text)) {
    // Never replaced silently: a new key would show owners unusable URLs for every existing link.
    throw new Error(`${file}: expected 64 hexadecimal digits (a 32-byte key); fix or remove the file`);
  }
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  return Buffer.from(text, 'hex');
}
