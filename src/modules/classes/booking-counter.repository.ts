import type { Collection, Db } from 'mongodb';
import { z } from 'zod';
import type { ClassId, FacilityId, UserId } from '../../core/ids.js';
import { observed } from '../../core/observer.js';
import { parseOrThrow } from '../../core/validation.js';
import { MONGO_COLLECTIONS } from '../../stores/mongo/collections.js';
import { toNexfitError } from '../../stores/mongo/error-mapping.js';
import { sessionOf, type RepositoryDeps } from '../../stores/mongo/mongo-repository.js';
import type { StoreContext } from '../../stores/store-context.js';

const definition = MONGO_COLLECTIONS.class_booking_counters;

/** A counter document: `_id` is the counter's key, `taken` how much of its limit is used. */
interface CounterDocument {
  _id: string;
  taken: number;
  updatedAt: Date;
}

const keySchema = z.string().min(1).max(200);
const limitSchema = z.number().int().min(0).max(1_000_000);

/** The key of the seat counter of one occurrence of a class. */
export function occurrenceSeatKey(classId: ClassId, occurrenceStart: Date): string {
  return `seats:${classId}:${occurrenceStart.toISOString()}`;
}

/** The key of the waitlist-turn counter of one occurrence of a class. */
export function occurrenceWaitlistKey(classId: ClassId, occurrenceStart: Date): string {
  return `waitlist:${classId}:${occurrenceStart.toISOString()}`;
}

/** The lock key that serialises a member's bookings at a facility in one ISO week (`2026-W10`). */
export function memberWeekKey(userId: UserId, facilityId: FacilityId, isoWeek: string): string {
  return `week:${userId}:${facilityId}:${isoWeek}`;
}

/**
 * Bounded counters for the booking rules (`class_booking_counters`): the seats taken in an
 * occurrence. A claim is one conditional `findOneAndUpdate({ _id: key, taken: { $lt: limit } }, { $inc: { taken: 1 } })`, so however
 * many claims race, at most `limit` succeed. The document is created (upserted with
 * `taken: 0`) on first use.
 *
 * Claims are meant to run **outside** a multi-document transaction: inside one, every
 * concurrent claim of the same hot document would abort with a write conflict and retry,
 * whereas a single-document update outside waits its turn. The booking workflow therefore
 * claims first and releases the claim as the compensation when its unit of work fails.
 *
 * @example
 * ```ts
 * const counters = new BookingCounterRepository(db, deps)
 * if (!(await counters.claim(occurrenceSeatKey(classId, start), capacity))) throw new ConflictError('class_full', '…')
 * ```
 */
export class BookingCounterRepository {
  readonly #collection: Collection<CounterDocument>;
  readonly #deps: RepositoryDeps;

  constructor(db: Db, deps: RepositoryDeps) {
    this.#collection = db.collection<CounterDocument>(definition.name);
    this.#deps = deps;
  }

  /**
   * Takes one unit of the counter if fewer than `limit` are taken; `true` when it did.
   * `Infinity` as the limit always succeeds (the count is still kept).
   */
  async claim(key: string, limit: number, ctx?: StoreContext): Promise<boolean> {
    return this.#run('claim', async () => {
      const id = this.#parse(keySchema, key);
      const bound = limit === Number.POSITIVE_INFINITY ? undefined : this.#parse(limitSchema, limit);
      if (bound === 0) return false;
      await this.#ensure(id, ctx);
      const claimed = await this.#collection.findOneAndUpdate(
        { _id: id, ...(bound === undefined ? {} : { taken: { $lt: bound } }) },
        { $inc: { taken: 1 }, $set: { updatedAt: this.#deps.clock.now() } },
        { ...sessionOf(ctx), returnDocument: 'after' },
      );
      return claimed !== null;
    });
  }

  /** Gives one unit back (never below zero); `true` when one was taken. */
  async release(key: string, ctx?: StoreContext): Promise<boolean> {
    return this.#run('release', async () => {
      const id = this.#parse(keySchema, key);
      const released = await this.#collection.findOneAndUpdate(
        { _id: id, taken: { $gt: 0 } },
        { $inc: { taken: -1 }, $set: { updatedAt: this.#deps.clock.now() } },
        { ...sessionOf(ctx), returnDocument: 'after' },
      );
      return released !== null;
    });
  }

  /** How many units of the counter are taken (0 for a counter never used). */
  async taken(key: string, ctx?: StoreContext): Promise<number> {
    return this.#run('taken', async () => {
      const doc = await this.#collection.findOne({ _id: this.#parse(keySchema, key) }, sessionOf(ctx));
      return doc?.taken ?? 0;
    });
  }

  async #ensure(id: string, ctx: StoreContext | undefined): Promise<void> {
    try {
      await this.#collection.updateOne({ _id: id }, { $setOnInsert: { taken: 0, updatedAt: this.#deps.clock.now() } }, { ...sessionOf(ctx), upsert: true });
    } catch (error) {
      // Two first uses raced to insert the same key: the other one created it, which is all we need.
      if ((error as { code?: unknown }).code !== 11000) throw error;
    }
  }

  #parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
    return parseOrThrow(schema, input, { entity: 'booking counter', ...(this.#deps.locale ? { locale: this.#deps.locale } : {}) });
  }

  #run<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    return observed(this.#deps.observer, { store: 'mongo', target: definition.name, operation }, async () => {
      try {
        return await fn();
      } catch (error) {
        throw toNexfitError(error, { entity: 'booking counter' });
      }
    });
  }
}
