import type { RepositoryCache } from '../../stores/repository-cache.js';
import type { StoreContext } from '../../stores/store-context.js';
import { unitOfSession } from '../../uow/unit-sessions.js';
import type { ReadThroughCache } from './read-through-cache.js';

/**
 * The {@link RepositoryCache} of an SDK instance: reads through a {@link ReadThroughCache},
 * and defers every invalidation until the write that caused it has committed — to the unit's
 * after-commit hooks for a write inside a unit of work, to the end of the session for a
 * write in a host's own MongoDB transaction, at once for a write outside any transaction.
 */
export class CachedReads implements RepositoryCache {
  readonly #cache: ReadThroughCache;

  constructor(cache: ReadThroughCache) {
    this.#cache = cache;
  }

  /** The cached entity under `key`, or `load()`'s. */
  async read<T>(key: string, load: () => Promise<T | null>, parse: (value: unknown) => T | undefined): Promise<T | null> {
    return this.#cache.getOrLoad(key, load, { parse });
  }

  /** Drops `keys` once the write made through `ctx` has committed. */
  async invalidate(keys: readonly string[], ctx?: StoreContext): Promise<void> {
    const unit = unitOfSession(ctx?.mongo);
    if (unit) {
      unit.afterCommit(() => this.#cache.invalidate(keys));
      return;
    }
    const session = ctx?.mongo;
    if (session?.inTransaction()) {
      // A host's own transaction: its commit is not observable here, the end of its session is.
      session.once('ended', () => void this.#cache.invalidate(keys));
    }
    await this.#cache.invalidate(keys);
  }
}
