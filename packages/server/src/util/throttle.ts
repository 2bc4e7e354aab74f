import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { throttleRepo } from '../db/throttle-repo.js';
import { errors } from '../errors.js';

export interface ThrottlePolicy {
  /** Failures allowed inside the window before the key is blocked. */
  limit: number;
  windowMs: number;
  /** First block; doubles with every further failure, up to maxBlockMs. */
  baseBlockMs: number;
  maxBlockMs: number;
}

/** One counter an attempt is charged to, and the rules it is held to. */
export interface ThrottleKey {
  key: string;
  policy: ThrottlePolicy;
}

/**
 * Failures counted per key in the database (the login_throttle table), so a restart or another
 * instance does not reset them. `keysOf` maps an attempt's arguments to the keys it counts
 * against; each configuration (sign-in, link passwords) uses keys of its own.
 */
export class Throttle<A extends unknown[]> {
  constructor(
    protected readonly database: Database,
    protected readonly clock: Clock,
    private readonly keysOf: (...args: A) => ThrottleKey[],
  ) {}

  /** 429 with the seconds to wait while any of the attempt's keys is blocked. */
  async check(...args: A): Promise<void> {
    const now = this.clock.now();
    const rows = await throttleRepo.get(
      this.database.db,
      this.keysOf(...args).map((k) => k.key),
    );
    const until = Math.max(0, ...rows.map((r) => Number(r.blocked_until)));
    if (until > now) throw errors.tooManyRequests(Math.ceil((until - now) / 1000));
  }

  /**
   * Counts a failure under row locks, so parallel failures are counted one after the other.
   * Returns when the keys were already blocked before it (0 if they were not): an attempt that
   * lost the race to a block is answered as blocked, not as a wrong password.
   */
  async recordFailure(...args: A): Promise<number> {
    const now = this.clock.now();
    const keys = this.keysOf(...args);
    return this.database.transaction(async (trx) => {
      let blockedBefore = 0;
      await throttleRepo.lock(
        trx,
        keys.map((k) => k.key),
      );
      const rows = new Map(
        (
          await throttleRepo.get(
            trx,
            keys.map((k) => k.key),
          )
        ).map((r) => [r.key, r]),
      );
      for (const { key, policy } of keys) {
        const prev = rows.get(key);
        if (prev && Number(prev.blocked_until) > now)
          blockedBefore = Math.max(blockedBefore, Number(prev.blocked_until));
        const fresh = !prev || now - Number(prev.window_start) > policy.windowMs;
        const failures = fresh ? 1 : Number(prev.failures) + 1;
        const over = failures - policy.limit;
        const blocked_until =
          over >= 0 ? now + Math.min(policy.maxBlockMs, policy.baseBlockMs * 2 ** Math.min(over, 20)) : 0;
        await throttleRepo.put(trx, {
          key,
          failures,
          window_start: fresh ? now : Number(prev.window_start),
          blocked_until,
        });
      }
      return blockedBefore;
    });
  }

  /** Forgets one key's failures (after a success). */
  protected async clear(key: string): Promise<void> {
    await throttleRepo.clear(this.database.db, key);
  }

  /** Drops rows idle for a day, whichever configuration wrote them. */
  async prune(): Promise<void> {
    await throttleRepo.deleteStale(this.database.db, this.clock.now() - 24 * 3600_000);
  }
}
