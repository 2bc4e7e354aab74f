import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { reservationsRepo } from '../db/reservations-repo.js';
import type { Executor } from '../db/schema.js';
import { usersRepo } from '../db/users-repo.js';
import { errors } from '../errors.js';
import { newId } from '../util/ids.js';

const LEASE_MS = 2 * 60_000;
const RENEW_MS = 30_000;
/** Chunked uploads reserve in steps: few database writes, little quota held in advance. */
const STEP_BYTES = 8 * 1024 * 1024;
/** How long a stream of unknown length waits, on average, for space other uploads hold. */
const CONTENTION_WAIT_MS = 3_000;

/** Space an upload in flight may use; turned into usage inside the transaction that commits it. */
export interface QuotaHold {
  readonly bytes: number;
  ensure(total: number): Promise<void>;
  commit(trx: Executor, usedBytes: number): Promise<void>;
  release(): Promise<void>;
}

/** Uploads up to this size with a declared length skip the reservation round trip. */
export const SMALL_UPLOAD_BYTES = 256 * 1024;

/**
 * A small upload of known length: checked against the quota before any byte is written, then
 * committed with the same conditional UPDATE a reservation would use, so nothing overshoots.
 * At worst a race wastes one small write; it saves a transaction per file.
 */
class InlineHold implements QuotaHold {
  constructor(
    private readonly quotas: QuotaService,
    private readonly userId: string,
    readonly bytes: number,
  ) {}

  async ensure(total: number): Promise<void> {
    if (total > this.bytes) throw await this.quotas.exceeded(this.userId);
  }

  async commit(trx: Executor, usedBytes: number): Promise<void> {
    if (!(await usersRepo.addUsageIfFits(trx, this.userId, usedBytes))) {
      throw await this.quotas.exceeded(this.userId, trx);
    }
  }

  async release(): Promise<void> {}
}

/**
 * Space held for one upload in flight. The row carries a lease the upload keeps renewing, so
 * space held by a crashed instance comes back once the lease runs out.
 */
export class Reservation implements QuotaHold {
  private renewTimer: NodeJS.Timeout;
  private done = false;

  constructor(
    private readonly quotas: QuotaService,
    readonly id: string,
    readonly userId: string,
    public bytes: number,
  ) {
    this.renewTimer = setInterval(() => void quotas.renew(this).catch(() => undefined), RENEW_MS);
    this.renewTimer.unref();
  }

  /** Makes sure at least `total` bytes are held, growing in steps; throws quota_exceeded. */
  async ensure(total: number): Promise<void> {
    if (total <= this.bytes) return;
    // Space other uploads of this user hold now may come back (they fail, or finish smaller than
    // their step): wait a little for it rather than fail at once, so that concurrent streams of
    // unknown length do not all starve each other. The jitter lets them give up one at a time.
    const deadline = Date.now() + CONTENTION_WAIT_MS * (0.5 + Math.random());
    for (;;) {
      const want = Math.max(total, this.bytes + STEP_BYTES);
      if (await this.quotas.grow(this, want - this.bytes)) return;
      if (want !== total && (await this.quotas.grow(this, total - this.bytes))) return;
      if (Date.now() > deadline || !(await this.quotas.othersHold(this))) {
        throw await this.quotas.exceeded(this.userId);
      }
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 150));
    }
  }

  /** Inside the transaction that makes the upload visible: held space becomes used space. */
  async commit(trx: Executor, usedBytes: number): Promise<void> {
    // Not marked done: if this transaction rolls back, release() must still free the row.
    clearInterval(this.renewTimer);
    const row = await reservationsRepo.take(trx, this.id);
    await usersRepo.adjustUsage(trx, this.userId, usedBytes, row ? Number(row.bytes) : 0);
  }

  async release(): Promise<void> {
    if (this.done) return;
    this.stop();
    await this.quotas.release(this.id);
  }

  private stop() {
    this.done = true;
    clearInterval(this.renewTimer);
  }
}

export class QuotaService {
  constructor(
    private readonly database: Database,
    private readonly clock: Clock,
    private readonly instanceId: string,
  ) {}

  /** Holds space for an upload of `length` bytes (null: unknown, grown as bytes arrive). */
  async hold(userId: string, length: number | null): Promise<QuotaHold> {
    if (length !== null && length <= SMALL_UPLOAD_BYTES) {
      const u = await usersRepo.findById(this.database.db, userId);
      if (!u || Number(u.used_bytes) + Number(u.reserved_bytes) + length > Number(u.quota_bytes)) {
        throw errors.quotaExceeded(Number(u?.quota_bytes ?? 0), Number(u?.used_bytes ?? 0));
      }
      return new InlineHold(this, userId, length);
    }
    return this.reserve(userId, length ?? 0);
  }

  /** Reserves `bytes` up front (the declared length, or 0 for a stream of unknown length). */
  async reserve(userId: string, bytes: number): Promise<Reservation> {
    const id = newId();
    await this.database.transaction(async (trx) => {
      if (!(await usersRepo.reserve(trx, userId, bytes))) throw await this.exceeded(userId, trx);
      await reservationsRepo.insert(trx, {
        id,
        user_id: userId,
        bytes,
        instance_id: this.instanceId,
        expires_at: this.clock.now() + LEASE_MS,
      });
    });
    return new Reservation(this, id, userId, bytes);
  }

  async grow(r: Reservation, extra: number): Promise<boolean> {
    return this.database.transaction(async (trx) => {
      if (!(await usersRepo.reserve(trx, r.userId, extra))) return false;
      await reservationsRepo.setBytes(trx, r.id, r.bytes + extra);
      r.bytes += extra;
      return true;
    });
  }

  /** Whether uploads other than `r` hold reserved space for this user right now. */
  async othersHold(r: Reservation): Promise<boolean> {
    const u = await usersRepo.findById(this.database.db, r.userId);
    return !!u && Number(u.reserved_bytes) > r.bytes;
  }

  async renew(r: Reservation): Promise<void> {
    await reservationsRepo.renew(this.database.db, r.id, this.clock.now() + LEASE_MS);
  }

  async release(id: string): Promise<void> {
    await this.database.transaction(async (trx) => {
      const row = await reservationsRepo.take(trx, id);
      if (row) await usersRepo.releaseReserved(trx, row.user_id, Number(row.bytes));
    });
  }

  async exceeded(userId: string, ex: Executor = this.database.db) {
    const u = await usersRepo.findById(ex, userId);
    return errors.quotaExceeded(Number(u?.quota_bytes ?? 0), Number(u?.used_bytes ?? 0));
  }

  /**
   * Frees space held by uploads that can no longer finish: expired leases, and at start-up every
   * reservation this instance held before it stopped.
   */
  async releaseStale(includeOwnInstance: boolean): Promise<number> {
    let released = 0;
    for (;;) {
      const rows = await reservationsRepo.listStale(
        this.database.db,
        this.clock.now(),
        includeOwnInstance ? this.instanceId : null,
        500,
      );
      if (rows.length === 0) return released;
      for (const r of rows) await this.release(r.id);
      released += rows.length;
    }
  }
}
