import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Reads a zip with Python's zipfile, an implementation independent of ours. */
export function readZip(zip: Buffer): { names: string[]; hashes: Record<string, string> } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'loft-zip-'));
  try {
    const file = path.join(dir, 'a.zip');
    writeFileSync(file, zip);
    const script = [
      'import zipfile, hashlib, json, sys',
      'z = zipfile.ZipFile(sys.argv[1])',
      'assert z.testzip() is None',
      'print(json.dumps({"names": z.namelist(), "hashes": {i.filename: hashlib.sha256(z.read(i)).hexdigest() for i in z.infolist() if not i.is_dir()}}))',
    ].join('\n');
    return JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
