import { Worker } from 'node:worker_threads';

/**
 * Writes small files durably in one hop: a worker thread runs the whole sequence (write, fdatasync,
 * rename into place, fsync the directory) with blocking calls. Done with promise fs calls, each step
 * is a separate thread-pool round trip, and on a small machine those hops cost more than the I/O.
 */
export interface DurableWrite {
  tmp: string;
  final: string;
  /** The directory of `final`, created (and its parent fsynced) when missing. */
  dir: string;
  data: Buffer;
}

// Plain JavaScript, evaluated in the worker: no loader or build step is needed to start it.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const syncDir = (d) => { const fd = fs.openSync(d, 'r'); try { fs.fsyncSync(fd); } finally { fs.closeSync(fd); } };
parentPort.on('message', ({ id, tmp, final, dir, data }) => {
  try {
    if (!fs.existsSync(dir)) { fs.mkdirSync(dir, { recursive: true }); syncDir(path.dirname(dir)); }
    const fd = fs.openSync(tmp, 'wx', 0o640);
    try {
      let off = 0;
      while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off);
      fs.fdatasyncSync(fd);
    } finally { fs.closeSync(fd); }
    try { fs.renameSync(tmp, final); } catch (e) { fs.rmSync(tmp, { force: true }); throw e; }
    syncDir(dir);
    parentPort.postMessage({ id });
  } catch (e) {
    try { fs.rmSync(tmp, { force: true }); } catch {}
    parentPort.postMessage({ id, error: { message: e.message, code: e.code } });
  }
});
`;

interface Pending {
  resolve(): void;
  reject(e: Error): void;
}

export class DurableWriter {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private turn = 0;

  constructor(private readonly size = 2) {}

  private pool(): Worker[] {
    if (this.workers.length) return this.workers;
    for (let i = 0; i < this.size; i++) {
      const w = new Worker(WORKER_SOURCE, { eval: true });
      w.unref();
      w.on('message', (m: { id: number; error?: { message: string; code?: string } }) => {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (!p) return;
        if (m.error) p.reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
        else p.resolve();
      });
      w.on('error', (e) => {
        for (const p of this.pending.values()) p.reject(e);
        this.pending.clear();
      });
      this.workers.push(w);
    }
    return this.workers;
  }

  write(job: DurableWrite): Promise<void> {
    const workers = this.pool();
    const id = this.nextId++;
    const worker = workers[this.turn++ % workers.length]!;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, ...job });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((w) => w.terminate()));
  }
}
