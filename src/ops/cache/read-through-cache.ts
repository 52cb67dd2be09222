import type { UnitOfWork } from '../../uow/unit-of-work.js';
import type { CacheAdapter } from './cache-adapter.js';

const DATE_TAG = '$nexfitDate';

function serialise(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, v: unknown) {
    const raw = this[key];
    return raw instanceof Date ? { [DATE_TAG]: raw.toISOString() } : v;
  });
}

function deserialise<T>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) =>
    v && typeof v === 'object' && DATE_TAG in v && Object.keys(v).length === 1 ? new Date((v as Record<string, string>)[DATE_TAG]!) : v,
  ) as T;
}

/**
 * A read-through cache for hot reads (exercise catalogue, foods, facility pages, membership
 * plans). Entries are invalidated **after commit only**: a write inside a unit of work
 * registers its keys with {@link ReadThroughCache.invalidateAfterCommit}, so a rolled-back
 * write never evicts (or, worse, refills) an entry. A cache failure never fails a read: the
 * loader's result is returned.
 *
 * @example
 * ```ts
 * const plan = await cache.getOrLoad(`membership:${id}`, () => memberships.getById(id));
 * ```
 */
export class ReadThroughCache {
  readonly #adapter: CacheAdapter;
  readonly #ttlMs: number;
  readonly #onError: (error: unknown) => void;

  constructor(adapter: CacheAdapter, options: { readonly ttlMs?: number; readonly onError?: (error: unknown) => void } = {}) {
    this.#adapter = adapter;
    this.#ttlMs = options.ttlMs ?? 60_000;
    this.#onError = options.onError ?? (() => {});
  }

  /** The cached value of `key`, or `load()`'s result, stored for next time. */
  async getOrLoad<T>(key: string, load: () => Promise<T>): Promise<T> {
    try {
      const hit = await this.#adapter.get(key);
      if (hit !== undefined) return deserialise<T>(hit);
    } catch (error) {
      this.#onError(error);
    }
    const value = await load();
    if (value !== undefined && value !== null) {
      try {
        await this.#adapter.set(key, serialise(value), this.#ttlMs);
      } catch (error) {
        this.#onError(error);
      }
    }
    return value;
  }

  /** Evicts `keys` once `uow` has committed; never after a rollback. */
  invalidateAfterCommit(uow: UnitOfWork, keys: readonly string[]): void {
    uow.afterCommit(() => this.invalidate(keys));
  }

  /** Evicts `keys` now (for writes made outside a unit of work, after they succeeded). */
  async invalidate(keys: readonly string[]): Promise<void> {
    try {
      await this.#adapter.delete(keys);
    } catch (error) {
      this.#onError(error);
    }
  }
}
