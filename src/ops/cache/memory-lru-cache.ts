import { LRUCache } from 'lru-cache';
import type { Clock } from '../../core/clock.js';
import type { CacheAdapter } from './cache-adapter.js';

/**
 * The default cache: a bounded in-process LRU with per-entry TTL. Each SDK instance has its
 * own; use {@link RedisCache} to share entries (and invalidations) between instances.
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

  /** Caches `value` under `key` for `ttlMs`. */
  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.#lru.set(key, value, { ttl: ttlMs });
  }

  /** Removes `keys` (invalidation after a write commits). */
  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.#lru.delete(key);
  }
}
