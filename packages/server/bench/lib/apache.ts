/**
 * A private Apache httpd with mod_dav, started by the bench as a child process on loopback: not
 * the system service, whose configuration and ports are left alone.
 *
 * The configuration is written into `dir` and is Debian's stock one reduced to what serves WebDAV:
 * mpm_event with Debian's mpm_event.conf figures, KeepAlive On, MaxKeepAliveRequests 100,
 * KeepAliveTimeout 5, Timeout 300, mod_mime with /etc/mime.types (PROPFIND's getcontenttype), and
 * `Dav On` over a document root with no authentication. Departures: LimitRequestBody 0 (2.4.54+
 * caps bodies at 1 GiB by default), no access log (Debian's default site writes one line per
 * request; Loft logs at warn in the bench); the error log stays, at warn.
 *
 * Debian's apache2 refuses to run as root without User/Group: run as root, the workers run as
 * www-data (overridable with LOFT_BENCH_APACHE_USER), which then owns the document root and the
 * run directory; the parents of `dir` must be searchable by that user (dav.ts puts `dir` beside
 * the bench's work dir, which is 0700, in its parent: the OS temp dir or LOFT_BENCH_DIR).
 * Run as another user, Apache ignores User/Group and runs as that user.
 *
 * The parent runs with -DFOREGROUND in a process group of its own, so that stopping it (SIGTERM,
 * then SIGKILL to the group) also ends its workers.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, chownSync, constants, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, startProcess, waitUntilAnswering, type ChildServer } from './proc.js';

const BINARIES = ['/usr/sbin/apache2', '/usr/sbin/httpd'];
const MODULE_DIRS = ['/usr/lib/apache2/modules', '/usr/lib64/httpd/modules', '/usr/lib/httpd/modules'];
const MODULES: [string, string][] = [
  ['mpm_event_module', 'mod_mpm_event.so'],
  ['authz_core_module', 'mod_authz_core.so'],
  ['mime_module', 'mod_mime.so'],
  ['dav_module', 'mod_dav.so'],
  ['dav_fs_module', 'mod_dav_fs.so'],
];

export interface Apache extends ChildServer {
  /** The document root: URL path / is this directory. */
  root: string;
  version: string;
}

/**
 * The apache2 binary: LOFT_BENCH_APACHE when set ("0" to skip Apache), else the first of the
 * usual places or PATH; null when there is none.
 */
export function findApache(): string | null {
  const chosen = process.env.LOFT_BENCH_APACHE;
  if (chosen === '0') return null;
  if (chosen) return chosen;
  for (const b of BINARIES) if (isExecutable(b)) return b;
  for (const d of (process.env.PATH ?? '').split(path.delimiter)) {
    for (const name of ['apache2', 'httpd'])
      if (d && isExecutable(path.join(d, name))) return path.join(d, name);
  }
  return null;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export async function startApache(binary: string, dir: string): Promise<Apache> {
  const moduleDir = MODULE_DIRS.find((d) => existsSync(path.join(d, 'mod_dav.so')));
  if (!moduleDir) throw new Error(`mod_dav.so not found in ${MODULE_DIRS.join(', ')}`);
  const root = path.join(dir, 'root');
  const run = path.join(dir, 'run');
  mkdirSync(root, { recursive: true });
  mkdirSync(run, { recursive: true });
  const asRoot = process.getuid?.() === 0;
  const user = process.env.LOFT_BENCH_APACHE_USER ?? 'www-data';
  if (asRoot) {
    const [uid, gid] = idsOf(user);
    for (const d of [dir, root, run]) chownSync(d, uid, gid);
  }
  const port = await freePort();
  const mimeTypes = existsSync('/etc/mime.types') ? 'TypesConfig /etc/mime.types' : '';
  const conf = `# Written by the Loft benchmark (bench/lib/apache.ts)
ServerRoot ${moduleDir}
ServerName 127.0.0.1
Listen 127.0.0.1:${port}
${MODULES.map(([name, file]) => `LoadModule ${name} ${path.join(moduleDir, file)}`).join('\n')}
${asRoot ? `User ${user}\nGroup ${groupOf(user)}` : ''}
DefaultRuntimeDir ${run}
PidFile ${path.join(run, 'httpd.pid')}
Mutex file:${run} default
ErrorLog ${path.join(run, 'error.log')}
LogLevel warn
Timeout 300
KeepAlive On
MaxKeepAliveRequests 100
KeepAliveTimeout 5
HostnameLookups Off
StartServers 2
MinSpareThreads 25
MaxSpareThreads 75
ThreadLimit 64
ThreadsPerChild 25
MaxRequestWorkers 150
MaxConnectionsPerChild 0
${mimeTypes}
LimitRequestBody 0
DavLockDB ${path.join(run, 'DavLock')}
DocumentRoot ${root}
<Directory />
  AllowOverride None
  Require all denied
</Directory>
<Directory ${root}>
  Dav On
  AllowOverride None
  Require all granted
</Directory>
`;
  const confFile = path.join(dir, 'httpd.conf');
  writeFileSync(confFile, conf);
  const version = execFileSync(binary, ['-v'], { encoding: 'utf8' })
    .split('\n')[0]!
    .replace(/^Server version:\s*/, '');
  const child = startProcess(
    binary,
    ['-f', confFile, '-DFOREGROUND'],
    dir,
    { ...process.env, LANG: 'C' },
    {
      group: true,
    },
  );
  const output = () => {
    let log = '';
    try {
      log = execFileSync('tail', ['-c', '4000', path.join(run, 'error.log')], { encoding: 'utf8' });
    } catch {
      // no log yet
    }
    return child.output() + log;
  };
  await waitUntilAnswering({ ...child, output }, port, 'Apache');
  return { ...child, output, pid: child.proc.pid!, port, root, version };
}

function idsOf(user: string): [number, number] {
  const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error(`no user ${user} for Apache`);
  return [uid, gid];
}

function groupOf(user: string): string {
  return execFileSync('id', ['-gn', user], { encoding: 'utf8' }).trim();
}
