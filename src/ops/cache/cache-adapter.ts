/**
 * Where the read-through cache keeps its entries: in-process ({@link MemoryLruCache}) or
 * shared between instances ({@link RedisCache}). Values are strings; the cache serialises.
 */
export interface CacheAdapter {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  delete(keys: readonly string[]): Promise<void>;
}
