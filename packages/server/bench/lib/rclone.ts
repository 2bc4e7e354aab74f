/**
 * `rclone serve webdav` over a local directory, started by the bench as a child process on
 * loopback, with rclone's defaults: no authentication, --vfs-cache-mode off (bodies are written
 * straight into the directory, without fsync), --dir-cache-time 5m. Only these are set:
 * --addr 127.0.0.1:<free port>, --config <dir>/rclone.conf (absent: no user configuration is read)
 * and --cache-dir <dir>/cache (nothing is written under ~/.cache).
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import path from 'node:path';
import { freePort, startProcess, waitUntilAnswering, type ChildServer } from './proc.js';

export interface Rclone extends ChildServer {
  /** The served directory: URL path / is this directory. */
  root: string;
  version: string;
}

/** The rclone binary: LOFT_BENCH_RCLONE when set ("0" to skip rclone), else from PATH; or null. */
export function findRclone(): string | null {
  const chosen = process.env.LOFT_BENCH_RCLONE;
  if (chosen === '0') return null;
  if (chosen) return chosen;
  for (const d of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!d) continue;
    try {
      accessSync(path.join(d, 'rclone'), constants.X_OK);
      return path.join(d, 'rclone');
    } catch {
      // not here
    }
  }
  return null;
}

export async function startRclone(binary: string, dir: string): Promise<Rclone> {
  const root = path.join(dir, 'root');
  mkdirSync(root, { recursive: true });
  const port = await freePort();
  const version = execFileSync(binary, ['version'], { encoding: 'utf8' }).split('\n')[0]!;
  const args = [
    'serve',
    'webdav',
    root,
    '--addr',
    `127.0.0.1:${port}`,
    '--config',
    path.join(dir, 'rclone.conf'),
    '--cache-dir',
    path.join(dir, 'cache'),
  ];
  const child = startProcess(binary, args, dir, process.env);
  await waitUntilAnswering(child, port, 'rclone');
  return { ...child, pid: child.proc.pid!, port, root, version };
}
