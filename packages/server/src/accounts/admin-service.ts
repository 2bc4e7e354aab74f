import type { Database } from '../db/database.js';
import { tokensRepo } from '../db/tokens-repo.js';
import { usersRepo } from '../db/users-repo.js';
import { errors } from '../errors.js';
import { toUserView, type UserView } from './accounts-service.js';
import { isAdmin, type Actor } from './actor.js';

export interface UserPatch {
  quotaBytes?: number;
  role?: 'user' | 'admin';
  status?: 'active' | 'banned';
}

/** Administration of accounts; every method checks the actor is an admin itself. */
export class AdminService {
  constructor(private readonly database: Database) {}

  private check(actor: Actor) {
    if (!isAdmin(actor)) throw errors.forbidden('Administrators only.');
  }

  async listUsers(actor: Actor, opts: { limit: number; after: string | null }): Promise<UserView[]> {
    this.check(actor);
    return (await usersRepo.list(this.database.db, opts.limit, opts.after)).map(toUserView);
  }

  async updateUser(actor: Actor, id: string, patch: UserPatch): Promise<UserView> {
    this.check(actor);
    if (id === actor.userId && (patch.status === 'banned' || patch.role === 'user')) {
      throw errors.forbidden('You cannot ban yourself or remove your own admin role.');
    }
    return this.database.transaction(async (trx) => {
      const user = await usersRepo.findById(trx, id);
      if (!user) throw errors.notFound('User');
      const set: Parameters<typeof usersRepo.update>[2] = {};
      if (patch.quotaBytes !== undefined) set.quota_bytes = patch.quotaBytes;
      if (patch.role !== undefined) set.role = patch.role;
      if (patch.status !== undefined) set.status = patch.status;
      if (Object.keys(set).length) await usersRepo.update(trx, id, set);
      // A ban ends every session and token now, not when they expire.
      if (patch.status === 'banned') await tokensRepo.deleteForUser(trx, id);
      return toUserView({ ...user, ...set });
    });
  }
}
