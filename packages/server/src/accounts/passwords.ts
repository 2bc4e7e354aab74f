import argon2 from 'argon2';
import { Semaphore } from '../util/semaphore.js';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /** Spends the same time as a real verify, for logins of unknown users. */
  verifyDummy(password: string): Promise<void>;
}

export function createPasswordHasher(opts: {
  memoryKiB: number;
  timeCost: number;
  concurrency: number;
}): PasswordHasher {
  const gate = new Semaphore(opts.concurrency);
  const params = {
    type: argon2.argon2id as 2,
    memoryCost: opts.memoryKiB,
    timeCost: opts.timeCost,
    parallelism: 1,
  };
  let dummy: Promise<string> | null = null;
  const hash = (password: string) => gate.run(() => argon2.hash(password, params));
  const verify = (h: string, password: string) =>
    gate.run(async () => {
      try {
        return await argon2.verify(h, password);
      } catch {
        return false;
      }
    });
  return {
    hash,
    verify,
    verifyDummy: async (password) => {
      dummy ??= hash('loft-dummy-password-for-timing');
      await verify(await dummy, password);
    },
  };
}
