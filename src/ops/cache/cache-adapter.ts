/**
 * Where the read-through cache keeps its entries: in-process ({@link MemoryLruCache}) or
 * shared between instances ({@link RedisCache}). Values are strings; the cache serialises.
 *
 * Besides entries the adapter keeps version counters: a committed write increments the
 * counter of what it changed, and an entry stored under an older version is a miss. Shared
 * counters (Redis) are what make one process's commit invalidate every process's copy.
 */
export interface CacheAdapter {
  /** The cached value of `key`, or `undefined` when absent or expired. */
  get(key: string): Promise<string | undefined>;
  /** The cached values of `keys`, in order, in one round trip where the store allows it. */
  getMany(keys: readonly string[]): Promise<(string | undefined)[]>;
  /** Caches `value` under `key` for `ttlMs`. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Adds one to the integer counter at `key` (absent counts as 0), keeping it for `ttlMs`; returns the new value. */
  increment(key: string, ttlMs: number): Promise<number>;
  /** Removes `keys`. */
  delete(keys: readonly string[]): Promise<void>;
}
