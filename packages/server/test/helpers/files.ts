import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/database.js';

/** Writes `size` random bytes to a temp file in 1 MiB steps; returns its path and SHA-256. */
export async function randomFile(
  size: number,
  seed = '',
): Promise<{ file: string; size: number; sha256: string; cleanup(): void }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'loft-file-'));
  const file = path.join(dir, `data${seed}.bin`);
  const out = createWriteStream(file);
  const h = createHash('sha256');
  let left = size;
  while (left > 0) {
    const chunk = randomBytes(Math.min(left, 1024 * 1024));
    h.update(chunk);
    left -= chunk.length;
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return {
    file,
    size,
    sha256: h.digest('hex'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** Every stored blob under a blob root (file name, i.e. sha256 → size), leaving out tmp/; any fan-out. */
export async function storedBlobs(root: string): Promise<Map<string, number>> {
  const files = new Map<string, number>();
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (dir === root && entry.name === 'tmp') continue;
        await walk(p);
      } else if (entry.isFile()) {
        files.set(entry.name, (await fs.stat(p)).size);
      }
    }
  };
  await walk(root);
  return files;
}

/** The blobs the database blob store holds (contents up to 64 KiB that arrived whole), by size. */
export async function storedBlobsInDatabase(env: Record<string, string>): Promise<Map<string, number>> {
  const database = await openDatabase(loadConfig(env));
  try {
    const rows = await database.db.selectFrom('blob_data').select(['sha256', 'size']).execute();
    return new Map(rows.map((r) => [r.sha256, Number(r.size)]));
  } finally {
    await database.close();
  }
}
