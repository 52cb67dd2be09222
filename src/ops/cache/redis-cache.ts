import type { CacheAdapter } from './cache-adapter.js';

/**
 * The slice of a node-redis v4+ client (`createClient()` from `redis`) the adapter uses. The
 * host creates, connects and closes the client; the SDK never owns it.
 */
export interface RedisLikeClient {
  /** `GET key`. */
  get(key: string): Promise<string | null | unknown>;
  /** `MGET key…`. */
  mGet(keys: string[]): Promise<unknown[]>;
  /** `SET key value PX ms`. */
  set(key: string, value: string, options: { PX: number }): Promise<unknown>;
  /** `INCR key`. */
  incr(key: string): Promise<number | unknown>;
  /** `PEXPIRE key ms`. */
  pExpire(key: string, ms: number): Promise<unknown>;
  /** `DEL key…`. */
  del(keys: string[]): Promise<unknown>;
}

/**
 * The production cache adapter: entries and version counters shared by every instance
 * through Redis, expiring by `PX`. Keys are prefixed so several deployments can share one
 * Redis. Create the client with `disableOfflineQueue: true` so that, while Redis is down,
 * commands fail at once instead of queueing (the cache also bounds each call by its timeout).
 *
 * @example
 * ```ts
 * const redis = await createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true }).connect();
 * createNexfit({ ..., cache: { adapter: new RedisCache(redis, { prefix: 'nexfit:' }) } });
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

  /** The cached values of `keys`, in order, in one `MGET`. */
  async getMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    if (keys.length === 0) return [];
    const values = await this.#client.mGet(keys.map((k) => this.#prefix + k));
    return keys.map((_key, i) => (typeof values[i] === 'string' ? (values[i] as string) : undefined));
  }

  /** Caches `value` under `key` for `ttlMs`. */
  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.#client.set(this.#prefix + key, value, { PX: Math.max(1, Math.round(ttlMs)) });
  }

  /** `INCR` then `PEXPIRE`: the counter outlives every entry stored under an older value. */
  async increment(key: string, ttlMs: number): Promise<number> {
    const next = Number(await this.#client.incr(this.#prefix + key));
    await this.#client.pExpire(this.#prefix + key, Math.max(1, Math.round(ttlMs)));
    return next;
  }

  /** Removes `keys`. */
  async delete(keys: readonly string[]): Promise<void> {
    if (keys.length) await this.#client.del(keys.map((k) => this.#prefix + k));
  }
}
