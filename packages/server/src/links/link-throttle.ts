import { ACCOUNT_POLICY, IP_POLICY } from '../accounts/login-throttle.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { Throttle } from '../util/throttle.js';

/**
 * Wrong link passwords, throttled per link (like an account at sign-in) and per client address
 * (over every link) with the same rules and the same table as sign-ins (LoginThrottle), under keys
 * of their own (`link:<id>`, `linkip:<ip>`), so guessing link passwords never locks anyone out of
 * signing in. Rows are pruned with the others. An unknown token counts against the address only.
 */
export class LinkThrottle extends Throttle<[linkId: string | null, ip: string]> {
  constructor(database: Database, clock: Clock, policies = { link: ACCOUNT_POLICY, ip: IP_POLICY }) {
    super(database, clock, (linkId, ip) => [
      ...(linkId ? [{ key: `link:${linkId}`, policy: policies.link }] : []),
      { key: `linkip:${ip}`, policy: policies.ip },
    ]);
  }

  async recordSuccess(linkId: string): Promise<void> {
    await this.clear(`link:${linkId}`);
  }
}
