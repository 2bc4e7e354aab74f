import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { jobsRepo } from '../db/jobs-repo.js';

export interface Job {
  name: string;
  everyMs: number;
  run(): Promise<unknown>;
}

export interface Logger {
  info(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/**
 * Runs periodic jobs in-process. Each run takes a lease row in the database first, so with
 * several instances on one PostgreSQL a job runs once per period, not once per instance.
 */
export class Scheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private readonly holder: string;

  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly jobs: Job[],
    instanceId: string,
    private readonly tickMs = 30_000,
  ) {
    this.holder = `${instanceId}:${process.pid}`;
  }

  start(): void {
    if (this.timer) return;
    const tick = () => {
      if (!this.running) this.running = this.tick().finally(() => (this.running = null));
    };
    this.timer = setInterval(tick, this.tickMs);
    this.timer.unref();
    setImmediate(tick);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Runs every due job once; tests call it directly. */
  async tick(): Promise<void> {
    for (const job of this.jobs) await this.runIfDue(job, false);
  }

  /** Runs one job now, regardless of when it last ran. */
  async runNow(name: string): Promise<void> {
    const job = this.jobs.find((j) => j.name === name);
    if (!job) throw new Error(`no job named ${name}`);
    await this.runIfDue(job, true);
  }

  private async runIfDue(job: Job, force: boolean): Promise<void> {
    const now = this.clock.now();
    const leaseMs = Math.max(10 * 60_000, job.everyMs);
    const dueBefore = force ? now : now - job.everyMs;
    let leased = false;
    try {
      leased = await jobsRepo.tryLease(this.database.db, job.name, this.holder, now, leaseMs, dueBefore);
    } catch (e) {
      this.log.error({ err: e, job: job.name }, 'job lease failed');
      return;
    }
    if (!leased) return;
    const started = Date.now();
    try {
      const result = await job.run();
      await jobsRepo.complete(this.database.db, job.name, this.holder, this.clock.now());
      this.log.info({ job: job.name, ms: Date.now() - started, result }, 'job done');
    } catch (e) {
      await jobsRepo.release(this.database.db, job.name, this.holder).catch(() => undefined);
      this.log.error({ err: e, job: job.name }, 'job failed');
    }
  }
}
