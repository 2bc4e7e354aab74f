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

const ACCOUNT: ThrottlePolicy = {
  limit: 5,
  windowMs: 15 * 60_000,
  baseBlockMs: 30_000,
  maxBlockMs: 15 * 60_000,
};
const IP: ThrottlePolicy = { limit: 30, windowMs: 15 * 60_000, baseBlockMs: 60_000, maxBlockMs: 60 * 60_000 };

/**
 * Failed-login throttling per account name and per client address, kept in the database so a
 * restart (or another instance) does not reset it. Keys use the name typed, not the user id, so
 * unknown and known accounts behave the same.
 */
export class LoginThrottle {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly policies = { account: ACCOUNT, ip: IP },
  ) {}

  private keys(login: string, ip: string) {
    return [
      { key: `acct:${login.trim().toLowerCase()}`, policy: this.policies.account },
      { key: `ip:${ip}`, policy: this.policies.ip },
    ];
  }

  async check(login: string, ip: string): Promise<void> {
    const now = this.clock.now();
    const rows = await throttleRepo.get(
      this.database.db,
      this.keys(login, ip).map((k) => k.key),
    );
    const until = Math.max(0, ...rows.map((r) => Number(r.blocked_until)));
    if (until > now) throw errors.tooManyRequests(Math.ceil((until - now) / 1000));
  }

  /**
   * Counts a failure. Returns when the keys were already blocked before it (0 if they were not):
   * an attempt that lost the race to a block is answered as blocked, not as a wrong password.
   */
  async recordFailure(login: string, ip: string): Promise<number> {
    const now = this.clock.now();
    const keys = this.keys(login, ip);
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

  async recordSuccess(login: string): Promise<void> {
    await throttleRepo.clear(this.database.db, `acct:${login.trim().toLowerCase()}`);
  }

  async prune(): Promise<void> {
    await throttleRepo.deleteStale(this.database.db, this.clock.now() - 24 * 3600_000);
  }
}
