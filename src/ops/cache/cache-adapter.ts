/**
 * Where the read-through cache keeps its entries: in-process ({@link MemoryLruCache}) or
 * shared between instances ({@link RedisCache}). Values are strings; the cache serialises.
 */
export interface CacheAdapter {
  /** The cached value of `key`, or `undefined` when absent or expired. */
  get(key: string): Promise<string | undefined>;
  /** Caches `value` under `key` for `ttlMs`. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Removes `keys` (invalidation after a write commits). */
  delete(keys: readonly string[]): Promise<void>;
}
