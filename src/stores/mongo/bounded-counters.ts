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
 * units would all pass. The document is created (upserted with `taken: 0`) on first use.
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
