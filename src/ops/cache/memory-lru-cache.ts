import { LRUCache } from 'lru-cache';
import type { Clock } from '../../core/clock.js';
import type { CacheAdapter } from './cache-adapter.js';

/**
 * A bounded in-process LRU with per-entry TTL (`createNexfit({ cache: 'memory' })`). Each SDK
 * instance has its own entries and version counters, so a write committed by another process
 * is not seen until the entry expires: with several processes, share a {@link RedisCache}.
 *
 * @example
 * ```ts
 * const cache = new MemoryLruCache({ maxEntries: 5_000 });
 * ```
 */
export class MemoryLruCache implements CacheAdapter {
  readonly #lru: LRUCache<string, string>;

  constructor(options: { readonly maxEntries?: number; readonly clock?: Clock } = {}) {
    const clock = options.clock;
    this.#lru = new LRUCache<string, string>({
      max: options.maxEntries ?? 10_000,
      ttlAutopurge: false,
      // The SDK's clock decides expiry, so tests step time instead of sleeping.
      ...(clock ? { perf: { now: () => clock.now().getTime() }, ttlResolution: 0 } : {}),
    });
  }

  /** The cached value of `key`, or `undefined` when absent or expired. */
  async get(key: string): Promise<string | undefined> {
    return this.#lru.get(key);
  }

  /** The cached values of `keys`, in order. */
  async getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    return keys.map((key) => this.#lru.get(key));
  }

  /** Caches `value` under `key` for `ttlMs`. */
  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.#lru.set(key, value, { ttl: ttlMs });
  }

  /** Adds one to the counter at `key`, kept for `ttlMs`. */
  async increment(key: string, ttlMs: number): Promise<number> {
    const next = (Number.parseInt(this.#lru.get(key) ?? '0', 10) || 0) + 1;
    this.#lru.set(key, String(next), { ttl: ttlMs });
    return next;
  }

  /** Removes `keys`. */
  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.#lru.delete(key);
  }
}
