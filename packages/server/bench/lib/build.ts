import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * Compiles src/ with tsc (tsconfig.build.json, as `npm run build` does) into `outDir`, so the
 * server runs as in production, without the tsx loader: that loader alone adds ~40 MB of RSS.
 * outDir should sit under packages/server so that node_modules resolve as they do for dist/.
 * Type errors do not stop tsc from emitting; they are returned as warnings.
 */
export async function compileServer(
  serverRoot: string,
  outDir: string,
): Promise<{ main: string; warnings: string }> {
  const tsc = createRequire(path.join(serverRoot, 'package.json')).resolve('typescript/bin/tsc');
  mkdirSync(outDir, { recursive: true });
  // Under node_modules the nearest package.json decides the module type: ours must say ESM.
  writeFileSync(path.join(outDir, 'package.json'), '{ "type": "module" }\n');
  const proc = spawn(
    process.execPath,
    [tsc, '-p', 'tsconfig.build.json', '--outDir', outDir, '--sourceMap', 'false'],
    {
      cwd: serverRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  proc.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  proc.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const [code] = (await once(proc, 'exit')) as [number | null];
  const main = path.join(outDir, 'main.js');
  if (!existsSync(main)) throw new Error(`tsc produced no main.js (exit ${code}):\n${out}`);
  return { main, warnings: code === 0 ? '' : out };
}
