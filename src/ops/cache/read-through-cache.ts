import type { UnitOfWork } from '../../uow/unit-of-work.js';
import type { CacheAdapter } from './cache-adapter.js';

const DATE_TAG = '$nexfitDate';
/** Marks the SDK's own entries: anything else found under one of its keys is a miss. */
const ENTRY_FORMAT = 'nexfit-cache/1';
/** Keys the cache accepts: printable, no whitespace, bounded. Others bypass the cache. */
const KEY_SHAPE = /^[\x21-\x7e]{1,256}$/;

function serialise(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, v: unknown) {
    const raw = this[key];
    return raw instanceof Date ? { [DATE_TAG]: raw.toISOString() } : v;
  });
}

function deserialise(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (!v || typeof v !== 'object' || !(DATE_TAG in v) || Object.keys(v).length !== 1) return v;
    const date = new Date((v as Record<string, unknown>)[DATE_TAG] as string);
    if (Number.isNaN(date.getTime())) throw new TypeError('invalid date in cache entry');
    return date;
  });
}

/** Options of a {@link ReadThroughCache}. */
export interface ReadThroughCacheOptions {
  /** How long an entry lives (default 60 s): the bound on staleness when an invalidation is lost. */
  readonly ttlMs?: number;
  /** How long one cache call may take before the read goes to the stores instead (default 250 ms). */
  readonly timeoutMs?: number;
  /** Receives every cache failure (the read or write itself still succeeds). */
  readonly onError?: (error: unknown) => void;
}

/** What a {@link ReadThroughCache} has done since it was created, for the health report. */
export interface CacheStats {
  readonly hits: number;
  readonly misses: number;
  /** Entries found but refused (corrupted, foreign, another format or failing the entity schema): served as misses. */
  readonly rejected: number;
  /** Keys that bypassed the cache because they were not a valid key. */
  readonly bypassed: number;
  /** Invalidations done (one per key). */
  readonly invalidations: number;
  /** Cache calls that failed or timed out; reads fell back to the stores. */
  readonly failures: number;
  /** Of which invalidations: entries may stay stale until their TTL. */
  readonly invalidationFailures: number;
  /** The last failure's message and time, or `null`. */
  readonly lastFailure: { readonly message: string; readonly at: Date } | null;
}

/** Options of one read: `parse` checks a cached value is really an entity (else it is a miss). */
export interface CacheReadOptions<T> {
  /** The value as the caller's type, or `undefined` to refuse it (the read becomes a miss). */
  readonly parse?: (value: unknown) => T | undefined;
}

/**
 * A read-through cache for hot reads (facility pages, membership plans, classes, exercise
 * catalogue, foods). Entries are invalidated **after commit only**: a write inside a unit of
 * work registers its keys with {@link ReadThroughCache.invalidateAfterCommit}, so a
 * rolled-back write never evicts (or, worse, refills) an entry.
 *
 * Invalidation increments a version counter per key; an entry remembers the version it was
 * loaded under and is a miss once the counter moved. So a reader that loaded the old value
 * just before a commit cannot store it over the invalidation, and with a shared adapter
 * (Redis) one process's commit invalidates every process's copy.
 *
 * A cache failure never fails a read or a write: each call is bounded by `timeoutMs`, the
 * stores answer instead, and the failure is counted in {@link ReadThroughCache.stats}.
 *
 * @example
 * ```ts
 * const plan = await cache.getOrLoad(`membership:${id}`, () => memberships.getById(id));
 * ```
 */
export class ReadThroughCache {
  readonly #adapter: CacheAdapter;
  readonly #ttlMs: number;
  readonly #timeoutMs: number;
  readonly #onError: (error: unknown) => void;
  #stats: { -readonly [K in keyof CacheStats]: CacheStats[K] } = {
    hits: 0,
    misses: 0,
    rejected: 0,
    bypassed: 0,
    invalidations: 0,
    failures: 0,
    invalidationFailures: 0,
    lastFailure: null,
  };

  constructor(adapter: CacheAdapter, options: ReadThroughCacheOptions = {}) {
    this.#adapter = adapter;
    this.#ttlMs = options.ttlMs ?? 60_000;
    this.#timeoutMs = options.timeoutMs ?? 250;
    this.#onError = options.onError ?? (() => {});
  }

  /** The adapter's class name, for reports (`MemoryLruCache`, `RedisCache`). */
  get adapterName(): string {
    return this.#adapter.constructor.name;
  }

  /** What the cache has done since it was created. */
  stats(): CacheStats {
    return { ...this.#stats };
  }

  /** The cached value of `key`, or `load()`'s result, stored for next time. */
  async getOrLoad<T>(key: string, load: () => Promise<T>, options: CacheReadOptions<T> = {}): Promise<T> {
    if (!KEY_SHAPE.test(key)) {
      this.#stats.bypassed++;
      return load();
    }
    const [version, entry] = (await this.#call(() => this.#adapter.getMany([versionKey(key), entryKey(key)]))) ?? [undefined, undefined];
    const current = version ?? '0';
    if (entry !== undefined) {
      const value = this.#accept(entry, current, options.parse);
      if (value !== undefined) {
        this.#stats.hits++;
        return value as T;
      }
    }
    this.#stats.misses++;
    const value = await load();
    if (value !== undefined && value !== null) {
      // Stored under the version read *before* loading: if a commit moved it meanwhile, this entry is already a miss.
      await this.#call(() => this.#adapter.set(entryKey(key), serialise({ f: ENTRY_FORMAT, v: current, d: value }), this.#ttlMs));
    }
    return value;
  }

  /** Evicts `keys` once `uow` has committed; never after a rollback. */
  invalidateAfterCommit(uow: UnitOfWork, keys: readonly string[]): void {
    uow.afterCommit(() => this.invalidate(keys));
  }

  /** Evicts `keys` now (for writes made outside a unit of work, after they succeeded). */
  async invalidate(keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      if (!KEY_SHAPE.test(key)) continue;
      // The counter outlives every entry stored under an older version, so a version never repeats while one exists.
      const done = await this.#call(() => this.#adapter.increment(versionKey(key), this.#ttlMs * 2 + 60_000));
      if (done === undefined) this.#stats.invalidationFailures++;
      else this.#stats.invalidations++;
    }
    await this.#call(() => this.#adapter.delete(keys.filter((k) => KEY_SHAPE.test(k)).map(entryKey)));
  }

  /** The value of a stored entry, or `undefined` when it is not a current, well-formed entry of this SDK. */
  #accept<T>(text: string, version: string, parse: ((value: unknown) => T | undefined) | undefined): T | undefined {
    try {
      const entry = deserialise(text) as { f?: unknown; v?: unknown; d?: unknown } | null;
      if (!entry || typeof entry !== 'object' || entry.f !== ENTRY_FORMAT) return this.#reject();
      if (entry.v !== version) return undefined; // invalidated since: an ordinary miss
      const value = parse ? parse(entry.d) : (entry.d as T);
      return value === undefined || value === null ? this.#reject() : value;
    } catch {
      return this.#reject();
    }
  }

  #reject(): undefined {
    this.#stats.rejected++;
    return undefined;
  }

  /** Runs one adapter call bounded by the timeout; a failure is counted and reported, and yields `undefined`. */
  async #call<T>(fn: () => Promise<T>): Promise<T | undefined> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`cache call timed out after ${this.#timeoutMs} ms`)), this.#timeoutMs);
        timer.unref?.();
      });
      return await Promise.race([fn(), timeout]);
    } catch (error) {
      this.#stats.failures++;
      this.#stats.lastFailure = { message: error instanceof Error ? error.message : String(error), at: new Date() };
      try {
        this.#onError(error);
      } catch {
        // Reporting must not change the outcome.
      }
      return undefined;
    } finally {
      if (timer) clearTimeout(timer);
    }
  }
}

const versionKey = (key: string) => `v:${key}`;
const entryKey = (key: string) => `e:${key}`;
