import type { StoreContext } from './store-context.js';

/**
 * The read cache as repositories see it (`createNexfit({ cache })` supplies it through
 * {@link RepositoryDeps}). A repository reads through it only outside a unit of work (a read
 * with a context sees the unit's own snapshot), and hands it the keys of every entity it
 * writes; the cache drops them once the write is committed — after the unit's commit when
 * `ctx` belongs to one, at once otherwise.
 */
export interface RepositoryCache {
  /** The cached entity under `key`, or `load()`'s; `parse` refuses a cached value that is not an entity. */
  read<T>(key: string, load: () => Promise<T | null>, parse: (value: unknown) => T | undefined): Promise<T | null>;
  /** Drops `keys` after the write made through `ctx` commits. */
  invalidate(keys: readonly string[], ctx?: StoreContext): Promise<void>;
}
