import type { Collection, Db } from 'mongodb';
import { z } from 'zod';
import { observed } from '../../core/observer.js';
import { parseOrThrow } from '../../core/validation.js';
import type { StoreContext } from '../store-context.js';
import { toNexfitError } from './error-mapping.js';
import { sessionOf, type RepositoryDeps } from './mongo-repository.js';

/** A counter document: `_id` is the counter's key, `taken` how much of its limit is used. */
interface CounterDocument {
  _id: string;
  taken: number;
  updatedAt: Date;
}

const keySchema = z.string().min(1).max(200);
const limitSchema = z.number().int().min(0).max(1_000_000);

/**
 * Bounded counters in one collection, keyed by `_id`: the seats of a class occurrence, the
 * visits of a member's week. A claim is one conditional
 * `findOneAndUpdate({ _id: key, taken: { $lt: limit } }, { $inc: { taken: 1 } })`, so however
 * many claims race, at most `limit` succeed — never a count-then-write, which concurrent
 * units would all pass. The first claim of a key creates its document (an upsert holding
 * one unit).
 *
 * @example
 * ```ts
 * const visits = new BoundedCounters(db, 'membership_visit_counters', 'visit counter', deps)
 * if (!(await visits.claim(`visits:${subscriptionId}:2026-W10`, 3))) throw new ConflictError('weekly_visit_limit_reached', '…')
 * ```
 */
export class BoundedCounters {
  readonly #collection: Collection<CounterDocument>;
  readonly #entity: string;
  readonly #deps: RepositoryDeps;

  constructor(db: Db, collection: string, entity: string, deps: RepositoryDeps) {
    this.#collection = db.collection<CounterDocument>(collection);
    this.#entity = entity;
    this.#deps = deps;
  }

  /**
   * Takes one unit of the counter if fewer than `limit` are taken; `true` when it did.
   * `Infinity` as the limit always succeeds (the count is still kept).
   */
  async claim(key: string, limit: number, ctx?: StoreContext): Promise<boolean> {
    return (await this.claimCounted(key, limit, ctx)) !== undefined;
  }

  /**
   * {@link BoundedCounters.claim}, resolving with how many units are taken after the claim,
   * or `undefined` when the limit was reached (nothing written). A counter that exists and
   * has room takes one round trip; the first claim of a counter takes two.
   *
   * @example
   * ```ts
   * const taken = await visits.claimCounted(`visits:${subscriptionId}:2026-W10`, 3)
   * if (taken === undefined) throw new ConflictError('weekly_visit_limit_reached', '…')
   * console.log(`${taken} of 3 visits this week`)
   * ```
   */
  async claimCounted(key: string, limit: number, ctx?: StoreContext): Promise<number | undefined> {
    return this.#run('claim', async () => {
      const id = this.#parse(keySchema, key);
      const bound = limit === Number.POSITIVE_INFINITY ? undefined : this.#parse(limitSchema, limit);
      if (bound === 0) return undefined;
      const take = () =>
        this.#collection.findOneAndUpdate(
          { _id: id, ...(bound === undefined ? {} : { taken: { $lt: bound } }) },
          { $inc: { taken: 1 }, $set: { updatedAt: this.#deps.clock.now() } },
          { ...sessionOf(ctx), returnDocument: 'after' },
        );
      const taken = await take();
      if (taken) return taken.taken;
      // No counter with room: either none exists yet, and this claim creates it holding one, or it is at its limit.
      if (await this.#create(id, ctx)) return 1;
      // It exists. Outside a unit of work a concurrent first claim may have created it since the first try: try once more.
      return (await take())?.taken;
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

  /** Creates the counter holding one unit; `false` when it exists already. */
  async #create(id: string, ctx: StoreContext | undefined): Promise<boolean> {
    try {
      const result = await this.#collection.updateOne({ _id: id }, { $setOnInsert: { taken: 1, updatedAt: this.#deps.clock.now() } }, { ...sessionOf(ctx), upsert: true });
      return result.upsertedCount === 1;
    } catch (error) {
      // Two first uses raced to insert the same key: the other one created it.
      if ((error as { code?: unknown }).code === 11000) return false;
      throw error;
    }
  }

  #parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
    return parseOrThrow(schema, input, { entity: this.#entity, ...(this.#deps.locale ? { locale: this.#deps.locale } : {}) });
  }

  #run<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    return observed(this.#deps.observer, { store: 'mongo', target: this.#collection.collectionName, operation }, async () => {
      try {
        return await fn();
      } catch (error) {
        throw toNexfitError(error, { entity: this.#entity });
      }
    });
  }
}
