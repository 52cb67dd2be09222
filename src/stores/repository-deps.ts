import type { Clock } from '../core/clock.js';
import type { IdGenerator } from '../core/ids.js';
import type { Keyring } from '../core/keyring.js';
import type { NexfitObserver } from '../core/observer.js';
import type { ValidationLocale } from '../core/validation.js';
import type { RepositoryCache } from './repository-cache.js';

/**
 * What a repository of either store needs from the SDK instance: the clock, the id
 * generator, the host's observer, the locale of validation messages and the keyring.
 *
 * @example
 * ```ts
 * const deps: RepositoryDeps = { clock: systemClock, ids: defaultIdGenerator };
 * const transactions = new TransactionRepository(db, deps);
 * ```
 */
export interface RepositoryDeps {
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly observer?: NexfitObserver;
  readonly locale?: ValidationLocale;
  /** The keys of the fields encrypted at rest; a repository with such fields refuses to start without it. */
  readonly keyring?: Keyring;
  /** The read-through cache of hot, rarely written entities (`createNexfit({ cache })`); none by default. */
  readonly cache?: RepositoryCache;
}
