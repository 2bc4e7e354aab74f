import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { Throttle, type ThrottlePolicy } from '../util/throttle.js';

/** Per account name. */
export const ACCOUNT_POLICY: ThrottlePolicy = {
  limit: 5,
  windowMs: 15 * 60_000,
  baseBlockMs: 30_000,
  maxBlockMs: 15 * 60_000,
};
/** Per client address. */
export const IP_POLICY: ThrottlePolicy = {
  limit: 30,
  windowMs: 15 * 60_000,
  baseBlockMs: 60_000,
  maxBlockMs: 60 * 60_000,
};

const accountKey = (login: string) => `acct:${login.trim().toLowerCase()}`;

/**
 * Failed-login throttling per account name and per client address, kept in the database so a
 * restart (or another instance) does not reset it. Keys use the name typed, not the user id, so
 * unknown and known accounts behave the same.
 */
export class LoginThrottle extends Throttle<[login: string, ip: string]> {
  constructor(database: Database, clock: Clock, policies = { account: ACCOUNT_POLICY, ip: IP_POLICY }) {
    super(database, clock, (login, ip) => [
      { key: accountKey(login), policy: policies.account },
      { key: `ip:${ip}`, policy: policies.ip },
    ]);
  }

  async recordSuccess(login: string): Promise<void> {
    await this.clear(accountKey(login));
  }
}
