import { Command, CommanderError, Option } from 'commander';
import { createRequire } from 'node:module';
import * as c from './commands.js';
import { describeError } from './errors.js';
import { link, share } from './sharing.js';
import { dav, tokenCreate, tokenLs, tokenRevoke } from './tokens.js';
import { get, put } from './transfer.js';

const pkg = createRequire(import.meta.url)('../package.json') as { version: string };

const program = new Command('loft')
  .description('Command-line client of a Loft server: log in once, then move files.')
  .version(pkg.version, '-V, --version')
  .option('-a, --account <user@server>', 'use this stored account instead of the last one logged in to')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride()
  .configureOutput({
    outputError: (str, write) => write(`loft: usage: ${str.replace(/^error: /, '')}`),
  });

const g = (): c.Globals => program.opts<c.Globals>();
const json = () => new Option('--json', 'print the result as JSON');

// Accounts
program
  .command('login')
  .argument('[server]', 'server address, e.g. https://files.example.org (default: the last one used)')
  .description(
    'log in and store a personal access token for this device (never the password); asks for the ' +
      'username and, hidden, the password, or reads them from standard input when it is not a terminal',
  )
  .option('-u, --username <name>', 'username or email')
  .option('--password-stdin', 'read the password from standard input (one line)')
  .option('--token <token>', 'store this existing personal access token instead of logging in')
  .addOption(json())
  .action((server: string | undefined, o: c.LoginOptions) => c.login(server, o, g()));

program
  .command('logout')
  .description('revoke the stored token on the server and forget it here')
  .addOption(json())
  .action((o) => c.logout(o, g()));

program
  .command('accounts')
  .description('list the stored accounts (* = default, the last one logged in to)')
  .addOption(json())
  .action((o) => c.accounts(o));

program
  .command('whoami')
  .description('show the user, server, usage and quota')
  .addOption(json())
  .action((o) => c.whoami(o, g()));

program
  .command('register')
  .argument('[server]', 'server address')
  .description("open the server's sign-up page in the default browser (or print its address)")
  .action((server: string | undefined) => c.register(server));

// Tokens and WebDAV
const token = program
  .command('token')
  .description('personal access tokens: passwords for WebDAV drives, scripts and other devices');
token
  .command('ls')
  .description('list your tokens: id, created, last used, name (* = the one this device uses)')
  .addOption(json())
  .action((o) => tokenLs(o, g()));
token
  .command('create')
  .argument('<name>', 'what it is for, e.g. "laptop drive"')
  .description('create a token and print it; it is shown only this once')
  .addOption(json())
  .action((name: string, o) => tokenCreate(name, o, g()));
token
  .command('revoke')
  .argument('<token...>', 'id or name (see loft token ls)')
  .description('revoke tokens: whatever uses them is signed out at once')
  .addOption(json())
  .action((keys: string[], o) => tokenRevoke(keys, o, g()));

program
  .command('dav')
  .alias('webdav')
  .description('print the WebDAV address and username to connect a drive to this account')
  .addOption(json())
  .action((o) => dav(o, g()));

// Files
program
  .command('ls')
  .argument('[path]', 'remote folder or file', '/')
  .description('list a folder: type, size, modified, name')
  .option('-r, --recursive', 'list sub-folders too')
  .option('-b, --bytes', 'sizes in bytes')
  .addOption(json())
  .action((p: string, o) => c.ls(p, o, g()));

program
  .command('mkdir')
  .argument('<path...>', 'remote folders to create')
  .description('create folders')
  .option('-p, --parents', 'create missing parents; no error if it exists')
  .addOption(json())
  .action((paths: string[], o) => c.mkdir(paths, o, g()));

program
  .command('rm')
  .argument('<path...>', 'remote files or folders')
  .description('move files and folders to the trash (see loft trash)')
  .addOption(json())
  .action((paths: string[], o) => c.rm(paths, o, g()));

program
  .command('mv')
  .argument('<src>')
  .argument('<dst>', 'a folder to move into, or a new path')
  .description('move or rename')
  .addOption(json())
  .action((src: string, dst: string, o) => c.mv(src, dst, o, g()));

program
  .command('cp')
  .argument('<src>')
  .argument('<dst>', 'a folder to copy into, or a new path')
  .description('copy a file or folder (on the server, no bytes are sent)')
  .addOption(json())
  .action((src: string, dst: string, o) => c.cp(src, dst, o, g()));

program
  .command('stat')
  .argument('<path>')
  .description('show the metadata of a file or folder')
  .addOption(json())
  .action((p: string, o) => c.stat(p, o, g()));

program
  .command('versions')
  .argument('<path>', 'a remote file')
  .description('list the versions of a file (* = current)')
  .addOption(json())
  .action((p: string, o) => c.versions(p, o, g()));

// Sharing
program
  .command('share')
  .argument('<path>', 'a remote file or folder of yours')
  .argument('[user]', 'username or email; without it, lists who has access')
  .description('share with another user (viewer: list and download; editor: also change)')
  .option('-r, --role <role>', 'viewer or editor', 'viewer')
  .option('--remove', "end that user's access")
  .addOption(json())
  .action((p: string, u: string | undefined, o) => share(p, u, o, g()));

program
  .command('link')
  .argument('<path>', 'a remote file or folder of yours')
  .description('make a public link anyone can open; prints its URL and, on a terminal, a QR code')
  .option('--password <password>', 'ask visitors for this password')
  .option('--expires <when>', 'a date (2026-12-31) or a duration from now (30m, 12h, 7d)')
  .option('--max-downloads <n>', 'stop after this many downloads')
  .option('--upload-only', 'folders: visitors may upload but not see anything')
  .option('--qr', 'draw the QR code even when the output is not a terminal')
  .addOption(json())
  .action((p: string, o) => link(p, o, g()));

const trash = program.command('trash').description('list, restore or delete what is in the trash');
trash
  .command('ls')
  .description('list the trash, newest first')
  .addOption(json())
  .action((o) => c.trashLs(o, g()));
trash
  .command('restore')
  .argument('<item...>', 'id, original path or name (see loft trash ls)')
  .description('put items back where they were')
  .addOption(json())
  .action((items: string[], o) => c.trashRestore(items, o, g()));
trash
  .command('purge')
  .argument('[item...]', 'id, original path or name; none: empty the whole trash')
  .description('delete items forever')
  .option('-y, --yes', 'do not ask before emptying the whole trash')
  .addOption(json())
  .action((items: string[], o) => c.trashPurge(items, o, g()));

// Transfers
const progressOpt = () => new Option('--no-progress', 'no progress bars, even on a terminal');
program
  .command('put')
  .argument('<paths...>', 'LOCAL... REMOTE_DIR')
  .usage('[options] LOCAL... REMOTE_DIR')
  .description(
    'upload files and directories (recursively) into REMOTE_DIR (created if missing), 3 at a time; ' +
      'files whose SHA-256 matches the remote one are skipped',
  )
  .addOption(progressOpt())
  .addOption(json())
  .action((paths: string[], o: { progress: boolean; json?: boolean }) =>
    c.withSession(g(), (s) =>
      put(s, paths, { progress: o.progress && process.stderr.isTTY === true, json: !!o.json }),
    ),
  );

program
  .command('get')
  .argument('<paths...>', 'REMOTE... [LOCAL_DIR]')
  .usage('[options] REMOTE... [LOCAL_DIR]')
  .description(
    'download files and folders (recursively) into LOCAL_DIR (default: here), 3 at a time; ' +
      'resumes interrupted downloads (<name>.part) and checks each SHA-256',
  )
  .addOption(progressOpt())
  .addOption(json())
  .action((paths: string[], o: { progress: boolean; json?: boolean }) =>
    c.withSession(g(), (s) =>
      get(s, paths, { progress: o.progress && process.stderr.isTTY === true, json: !!o.json }),
    ),
  );

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // Help and version exit 0; everything else commander refuses is a usage error.
    process.exitCode = e.exitCode === 0 ? 0 : 2;
  } else {
    const { line, exitCode } = describeError(e);
    process.stderr.write(line + '\n');
    process.exitCode = exitCode;
  }
}
