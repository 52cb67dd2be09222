import { sql, type Kysely } from 'kysely';
import type { Db } from 'mongodb';
import type { Clock } from '../core/clock.js';
import type { Database } from '../stores/postgres/database.js';
import { MONGO_COLLECTIONS } from '../modules/mongo-collections.js';

/** What one housekeeping pass removed, by kind. */
export interface HousekeepingReport {
  /** `nexfit_idempotency_keys` past their expiry. */
  readonly idempotencyKeys: number;
  /** Payment intents closed longer ago than the retention. */
  readonly paymentIntents: number;
  /** Ordered-mode unit-of-work intents decided longer ago than the retention. */
  readonly unitOfWorkIntents: number;
  /** Outbox events delivered longer ago than the retention. */
  readonly deliveredEvents: number;
  /** Seat and waitlist counters of occurrences that are past. */
  readonly bookingCounters: number;
  /** Visit counters of weeks that are past. */
  readonly visitCounters: number;
  /** Weekly booking locks of weeks that are past. */
  readonly locks: number;
}

/** Options of `nexfit.housekeeping()`. */
export interface HousekeepingOptions {
  /**
   * How long closed records are kept after they stop mattering (a payment intent after it
   * closed, a counter after its occurrence or week, a delivered event after delivery). Default
   * 30 days: the replay window of an idempotency key (`IDEMPOTENCY_TTL_MS`).
   */
  readonly retentionDays?: number;
  /** Documents or rows removed per statement. Default 1000. */
  readonly batchSize?: number;
}

const DAY_MS = 86_400_000;

/**
 * Removes what has expired and nothing else (design document: "TTL indexes for temporary
 * data"; docs/decisions.md row 11). PostgreSQL has no TTL index, and a counter's lifetime is
 * in its key (the occurrence or ISO week it counts), not in a date field a TTL index could
 * read, so these are swept here: expired idempotency keys; payment intents, ordered-mode
 * intents and delivered outbox events older than the retention; seat, waitlist and visit
 * counters and weekly booking locks of occurrences and weeks older than the retention (and
 * untouched as long). Decision records expire through their TTL index. Safe to run at any
 * time and concurrently: every delete re-checks its condition.
 *
 * @example
 * ```ts
 * const removed = await nexfit.housekeeping({ retentionDays: 30 }); // nightly
 * ```
 */
export async function runHousekeeping(deps: { readonly db: Db; readonly pg: Kysely<Database>; readonly clock: Clock }, options: HousekeepingOptions = {}): Promise<HousekeepingReport> {
  const now = deps.clock.now();
  const retention = (options.retentionDays ?? 30) * DAY_MS;
  const cutoff = new Date(now.getTime() - retention);
  const batch = options.batchSize ?? 1000;
  const { pg } = deps;

  const idempotencyKeys = Number((await pg.deleteFrom('nexfit_idempotency_keys').where('expires_at', '<=', now).executeTakeFirst()).numDeletedRows);
  const paymentIntents = Number((await pg.deleteFrom('nexfit_payment_intents').where('closed_at', 'is not', null).where('closed_at', '<', cutoff).executeTakeFirst()).numDeletedRows);
  const unitOfWorkIntents = Number(
    (await pg.deleteFrom('nexfit_uow_intents').where('status', 'in', ['committed', 'compensated']).where('updated_at', '<', cutoff).executeTakeFirst()).numDeletedRows,
  );
  let deliveredEvents = 0;
  for (;;) {
    const result = await sql<{ id: string }>`
      DELETE FROM nexfit_outbox WHERE id IN (
        SELECT id FROM nexfit_outbox WHERE published_at IS NOT NULL AND published_at < ${cutoff} ORDER BY id LIMIT ${batch}
      ) RETURNING id`.execute(pg);
    deliveredEvents += result.rows.length;
    if (result.rows.length < batch) break;
  }

  const sweep = (collection: string, pastBefore: (key: string) => boolean) => sweepCounters(deps.db, collection, cutoff, batch, pastBefore);
  const bookingCounters = await sweep(MONGO_COLLECTIONS.class_booking_counters.name, (key) => {
    const instant = /^(?:seats|waitlist):[0-9a-f]{24}:(.+)$/.exec(key)?.[1];
    const at = instant ? Date.parse(instant) : Number.NaN;
    return Number.isFinite(at) && at < cutoff.getTime();
  });
  const visitCounters = await sweep(MONGO_COLLECTIONS.membership_visit_counters.name, (key) => isoWeekEndsBefore(/^visits:[0-9a-f]{24}:(\d{4}-W\d{2})$/.exec(key)?.[1], cutoff));
  const locks = await sweep(MONGO_COLLECTIONS.nexfit_locks.name, (key) => isoWeekEndsBefore(/^week:[0-9a-f]{24}:[0-9a-f]{24}:(\d{4}-W\d{2})$/.exec(key)?.[1], cutoff));
  return { idempotencyKeys, paymentIntents, unitOfWorkIntents, deliveredEvents, bookingCounters, visitCounters, locks };
}

/** Deletes the documents untouched since `cutoff` whose key names a past occurrence or week; keys it cannot read are kept. */
async function sweepCounters(db: Db, name: string, cutoff: Date, batch: number, past: (key: string) => boolean): Promise<number> {
  const collection = db.collection<{ _id: string; updatedAt: Date }>(name);
  let removed = 0;
  let expired: string[] = [];
  const flush = async () => {
    if (expired.length) removed += (await collection.deleteMany({ _id: { $in: expired }, updatedAt: { $lt: cutoff } })).deletedCount;
    expired = [];
  };
  for await (const doc of collection.find({ updatedAt: { $lt: cutoff } }, { projection: { _id: 1 }, batchSize: batch })) {
    if (typeof doc._id === 'string' && past(doc._id)) expired.push(doc._id);
    if (expired.length >= batch) await flush();
  }
  await flush();
  return removed;
}

/** Whether ISO week `label` (`2026-W10`) ended before `cutoff`. */
function isoWeekEndsBefore(label: string | undefined, cutoff: Date): boolean {
  const match = label ? /^(\d{4})-W(\d{2})$/.exec(label) : null;
  if (!match) return false;
  const year = Number(match[1]);
  const week = Number(match[2]);
  const jan4 = Date.UTC(year, 0, 4);
  const mondayOfWeek1 = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY_MS;
  // The week's end, plus a day for the zones east of UTC.
  const end = mondayOfWeek1 + week * 7 * DAY_MS + DAY_MS;
  return end < cutoff.getTime();
}
