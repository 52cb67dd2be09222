import type { Clock } from '../../core/clock.js';
import { ConfigurationError } from '../../core/errors.js';
import type { NexfitObserver } from '../../core/observer.js';
import type { CacheAdapter } from './cache-adapter.js';
import { CachedReads } from './cached-reads.js';
import { MemoryLruCache } from './memory-lru-cache.js';
import { ReadThroughCache } from './read-through-cache.js';

/**
 * The read cache of an instance (`createNexfit({ cache })`): `'memory'` for an in-process
 * LRU (one process only), or an adapter — a {@link RedisCache} shared by every process — with
 * optional entry lifetime and per-call timeout. Omitted or `false`: no cache.
 */
export type NexfitCacheOption =
  | false
  | 'memory'
  | {
      /** Where entries live; an in-process {@link MemoryLruCache} when omitted. */
      readonly adapter?: CacheAdapter;
      /** Entry lifetime (default 60 s): the bound on staleness if an invalidation is lost. */
      readonly ttlMs?: number;
      /** The longest one cache call may take before the stores answer instead (default 250 ms). */
      readonly timeoutMs?: number;
    };

/** The cache of an instance and the repositories' view of it, or `undefined` without one. */
export function createReadCache(option: NexfitCacheOption | undefined, clock: Clock, observer: NexfitObserver | undefined) {
  if (option === undefined || option === false) return undefined;
  const settings = option === 'memory' ? {} : option;
  if (typeof settings !== 'object' || settings === null) throw new ConfigurationError("createNexfit({ cache }) takes 'memory', false or { adapter, ttlMs, timeoutMs }");
  for (const [name, value] of [['ttlMs', settings.ttlMs], ['timeoutMs', settings.timeoutMs]] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) throw new ConfigurationError(`createNexfit({ cache: { ${name} } }) must be a positive integer of milliseconds`);
  }
  const cache = new ReadThroughCache(settings.adapter ?? new MemoryLruCache({ clock }), {
    ...(settings.ttlMs ? { ttlMs: settings.ttlMs } : {}),
    ...(settings.timeoutMs ? { timeoutMs: settings.timeoutMs } : {}),
    onError: (error) => observer?.onBackgroundError?.(error, 'cache'),
  });
  return { cache, reads: new CachedReads(cache) };
}
