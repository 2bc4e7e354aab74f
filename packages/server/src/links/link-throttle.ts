import type { ThrottlePolicy } from '../accounts/login-throttle.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { throttleRepo } from '../db/throttle-repo.js';
import { errors } from '../errors.js';

/** Per link: like an account at sign-in. */
const LINK: ThrottlePolicy = {
  limit: 5,
  windowMs: 15 * 60_000,
  baseBlockMs: 30_000,
  maxBlockMs: 15 * 60_000,
};
/** Per client address, over every link. */
const IP: ThrottlePolicy = { limit: 30, windowMs: 15 * 60_000, baseBlockMs: 60_000, maxBlockMs: 60 * 60_000 };

/**
 * Wrong link passwords, throttled per link and per client address with the same rules and the
 * same table as sign-ins (LoginThrottle), under keys of their own (`link:<id>`, `linkip:<ip>`), so
 * guessing link passwords never locks anyone out of signing in. Rows are pruned with the others.
 */
export class LinkThrottle {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly policies = { link: LINK, ip: IP },
  ) {}

  private keys(linkId: string | null, ip: string) {
    const keys = [{ key: `linkip:${ip}`, policy: this.policies.ip }];
    if (linkId) keys.unshift({ key: `link:${linkId}`, policy: this.policies.link });
    return keys;
  }

  /** 429 while the link or the address is blocked. */
  async check(linkId: string | null, ip: string): Promise<void> {
    const now = this.clock.now();
    const rows = await throttleRepo.get(
      this.database.db,
      this.keys(linkId, ip).map((k) => k.key),
    );
    const until = Math.max(0, ...rows.map((r) => Number(r.blocked_until)));
    if (until > now) throw errors.tooManyRequests(Math.ceil((until - now) / 1000));
  }

  /**
   * Counts a failure under row locks, so parallel guesses are counted one after the other. Returns
   * when the keys were already blocked before it (0 if not): such an attempt is answered as
   * blocked, not as a wrong password.
   */
  async recordFailure(linkId: string | null, ip: string): Promise<number> {
    const now = this.clock.now();
    const keys = this.keys(linkId, ip);
    return this.database.transaction(async (trx) => {
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
      let blockedBefore = 0;
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

  async recordSuccess(linkId: string): Promise<void> {
    await throttleRepo.clear(this.database.db, `link:${linkId}`);
  }
}
