import { formatBytes, formatDuration } from './format.js';

export interface Task {
  advance(bytes: number): void;
  /** Finished: the line is printed for good (on stdout) and the bar goes away. */
  done(line: string): void;
  /** Gone without a line (the caller reports the error). */
  fail(): void;
}

interface Bar {
  label: string;
  total: number;
  done: number;
}

/**
 * Transfer progress. On a terminal: a bar per running file and a total line (bytes, speed, ETA),
 * redrawn in place at most 10 times a second on stderr. Otherwise: only the finished lines, plain.
 */
export class Progress {
  private readonly bars = new Set<Bar>();
  private drawn = 0;
  private timer: NodeJS.Timeout | undefined;
  private lastDraw = 0;
  private doneBytes = 0;
  private filesDone = 0;
  private readonly samples: Array<{ t: number; bytes: number }> = [];
  private readonly started = Date.now();

  constructor(
    private readonly totalBytes: number,
    private readonly totalFiles: number,
    private readonly tty: boolean,
    private readonly out: NodeJS.WriteStream = process.stdout,
    private readonly err: NodeJS.WriteStream = process.stderr,
  ) {}

  start(label: string, total: number, already = 0): Task {
    const bar: Bar = { label, total, done: already };
    this.doneBytes += already;
    this.bars.add(bar);
    this.schedule();
    return {
      advance: (n) => {
        bar.done += n;
        this.doneBytes += n;
        this.schedule();
      },
      done: (line) => {
        this.doneBytes += Math.max(0, bar.total - bar.done);
        this.bars.delete(bar);
        this.filesDone++;
        this.print(line);
      },
      fail: () => {
        this.bars.delete(bar);
        this.schedule();
      },
    };
  }

  /** A finished file that needed no transfer (skipped). */
  skip(bytes: number, line: string): void {
    this.doneBytes += bytes;
    this.filesDone++;
    this.print(line);
  }

  /** A line above the bars (errors, notes), on stderr. */
  note(line: string): void {
    this.clear();
    this.err.write(line + '\n');
    this.draw();
  }

  finish(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.tty) {
      this.clear();
      this.drawLines(true);
      this.drawn = 0;
    }
  }

  private print(line: string): void {
    this.clear();
    if (line) this.out.write(line + '\n');
    this.draw();
  }

  private schedule(): void {
    if (!this.tty || this.timer) return;
    const wait = Math.max(0, 100 - (Date.now() - this.lastDraw));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.clear();
      this.draw();
    }, wait);
  }

  private clear(): void {
    if (!this.tty || this.drawn === 0) return;
    this.err.write(`\x1b[${this.drawn}A\r\x1b[J`);
    this.drawn = 0;
  }

  private draw(): void {
    if (!this.tty) return;
    this.drawLines(false);
  }

  private speed(now: number): number {
    this.samples.push({ t: now, bytes: this.doneBytes });
    while (this.samples.length > 2 && now - this.samples[0]!.t > 5000) this.samples.shift();
    const first = this.samples[0]!;
    const dt = (now - first.t) / 1000;
    if (dt < 0.5) {
      const all = (now - this.started) / 1000;
      return all > 0 ? this.doneBytes / all : 0;
    }
    return (this.doneBytes - first.bytes) / dt;
  }

  private drawLines(final: boolean): void {
    const now = Date.now();
    this.lastDraw = now;
    const width = Math.max(40, Math.min(this.err.columns || 80, 160) - 1);
    const lines: string[] = [];
    if (!final)
      for (const b of this.bars) {
        const pct = b.total > 0 ? b.done / b.total : 1;
        const right = ` ${String(Math.floor(pct * 100)).padStart(3)}% ${formatBytes(b.done)}/${formatBytes(b.total)}`;
        const labelWidth = Math.min(30, Math.floor(width / 3));
        const label =
          b.label.length > labelWidth ? '…' + b.label.slice(-(labelWidth - 1)) : b.label.padEnd(labelWidth);
        const barWidth = Math.max(10, width - labelWidth - right.length - 3);
        lines.push(`${label} ${bar(pct, barWidth)}${right}`);
      }
    const speed = this.speed(now);
    const remaining = Math.max(0, this.totalBytes - this.doneBytes);
    const eta = final ? 0 : speed > 0 ? remaining / speed : Infinity;
    const pct = this.totalBytes > 0 ? this.doneBytes / this.totalBytes : 1;
    const elapsed = (now - this.started) / 1000;
    const avg = elapsed > 0 ? this.doneBytes / elapsed : 0;
    const text =
      ` ${Math.floor(pct * 100)}% ${formatBytes(this.doneBytes)}/${formatBytes(this.totalBytes)}` +
      ` ${formatBytes(final ? avg : speed)}/s ` +
      (final ? `in ${formatDuration(elapsed)}` : `ETA ${formatDuration(eta)}`) +
      ` ${this.filesDone}/${this.totalFiles} files`;
    lines.push(`total ${bar(pct, Math.max(10, Math.min(30, width - text.length - 8)))}${text}`);
    this.err.write(lines.map((l) => l.slice(0, width)).join('\n') + '\n');
    this.drawn = lines.length;
  }
}

function bar(fraction: number, width: number): string {
  const f = Math.max(0, Math.min(1, fraction));
  const full = Math.round(f * width);
  return '[' + '#'.repeat(full) + '-'.repeat(width - full) + ']';
}
