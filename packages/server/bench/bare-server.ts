/**
 * Baselines for Loft's transfers: the least a Node HTTP server can do. Run as a child process, like
 * the Loft server, so both are measured the same way.
 *
 *   GET /[?hwm=<bytes>]  streams <file> with fs.createReadStream (highWaterMark as given, else
 *                        the default of 64 KiB)
 *   PUT /                receives the body into <dir>/received.bin with fs.createWriteStream,
 *                        hashing it with SHA-256 on the way, then fdatasync; answers 201
 *
 * Usage: bare-server.ts <file> <dir>. Prints "PORT <n>" on stdout once listening.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

const [file, dir] = process.argv.slice(2);
if (!file || !dir) {
  process.stderr.write('usage: bare-server.ts <file> <dir>\n');
  process.exit(2);
}

async function receive(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const target = path.join(dir!, 'received.bin');
  const hash = createHash('sha256');
  let size = 0;
  req.on('data', (c: Buffer) => {
    hash.update(c);
    size += c.length;
  });
  await pipeline(req, createWriteStream(target));
  const fh = await fs.open(target, 'r+');
  try {
    await fh.datasync();
  } finally {
    await fh.close();
  }
  res.writeHead(201, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ sha256: hash.digest('hex'), size }));
}

const server = http.createServer((req, res) => {
  if (req.method === 'PUT') {
    receive(req, res).catch((e: unknown) => {
      res.writeHead(500);
      res.end(String(e));
    });
    return;
  }
  const hwm = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('hwm')) || undefined;
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': String(statSync(file).size),
  });
  createReadStream(file, { highWaterMark: hwm }).pipe(res);
});

server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`PORT ${typeof addr === 'object' && addr ? addr.port : 0}\n`);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
