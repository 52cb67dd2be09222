import type { CacheAdapter } from './cache-adapter.js';

/**
 * The slice of a node-redis v4+ client (`createClient()` from `redis`) the adapter uses. The
 * host creates, connects and closes the client; the SDK never owns it.
 */
export interface RedisLikeClient {
  get(key: string): Promise<string | null | unknown>;
  set(key: string, value: string, options: { PX: number }): Promise<unknown>;
  del(keys: string[]): Promise<unknown>;
}

/**
 * The production cache adapter: entries shared by every instance through Redis, expiring by
 * `PX`. Keys are prefixed so several deployments can share one Redis.
 *
 * @example
 * ```ts
 * const redis = await createClient({ url: process.env.REDIS_URL }).connect();
 * createNexfit({ ..., cache: new RedisCache(redis, { prefix: 'nexfit:' }) });
 * ```
 */
export class RedisCache implements CacheAdapter {
  readonly #client: RedisLikeClient;
  readonly #prefix: string;

  constructor(client: RedisLikeClient, options: { readonly prefix?: string } = {}) {
    this.#client = client;
    this.#prefix = options.prefix ?? 'nexfit:';
  }

  /** The cached value of `key`, or `undefined` when absent or expired. */
  async get(key: string): Promise<string | undefined> {
    const value = await this.#client.get(this.#prefix + key);
    return typeof value === 'string' ? value : undefined;
  }

  /** Caches `value` under `key` for `ttlMs`. */
  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.#client.set(this.#prefix + key, value, { PX: Math.max(1, Math.round(ttlMs)) });
  }

  /** Removes `keys` (invalidation after a write commits). */
  async delete(keys: readonly string[]): Promise<void> {
    if (keys.length) await this.#client.del(keys.map((k) => this.#prefix + k));
  }
}
