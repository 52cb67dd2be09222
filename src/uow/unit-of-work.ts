import type { Compilable, Kysely } from 'kysely';
import type { ClientSession } from 'mongodb';
import type { NexfitEventMap, NexfitEventType } from '../core/domain-events.js';
import type { Database } from '../stores/postgres/database.js';
import type { StoreContext } from '../stores/store-context.js';
import type { RequestContext } from './request-context.js';

export type { RequestContext };

/**
 * How a unit of work commits:
 * - `two-phase`: PostgreSQL is prepared (`PREPARE TRANSACTION`), the decision is made
 *   durable in the MongoDB transaction (its commit is the commit point), then
 *   `COMMIT PREPARED`. All or nothing, with recovery after a crash.
 * - `ordered`: used when the server has `max_prepared_transactions = 0`. PostgreSQL commits
 *   first together with a durable intent that carries its compensation; MongoDB commits
 *   second with the decision. If MongoDB fails, the compensation undoes PostgreSQL. Other
 *   sessions may briefly see PostgreSQL's writes before the unit is decided.
 */
export type UnitOfWorkMode = 'two-phase' | 'ordered';

/** The handle a unit-of-work callback receives. Pass `uow.ctx` to every repository and service call. */
export interface UnitOfWork {
  /** The unit's global transaction id. */
  readonly id: string;
  readonly mode: UnitOfWorkMode;
  /** Which attempt this is (1-based); the callback re-runs after a transient failure. */
  readonly attempt: number;
  /** The store handles of the unit: a PostgreSQL transaction and a MongoDB session in a transaction. */
  readonly ctx: Required<StoreContext> & { readonly pg: Kysely<Database>; readonly mongo: ClientSession };
  /** Runs `hook` after the unit has committed durably (never after a rollback). Hook errors are reported, not thrown. */
  afterCommit(hook: () => void | Promise<void>): void;
  /**
   * Registers the SQL that undoes one of this unit's PostgreSQL writes, for `ordered` mode.
   * It is stored durably with the unit's intent so recovery can run it after a crash. In
   * `two-phase` mode it is not needed and is ignored.
   */
  compensateWith(statement: Compilable): void;
  /**
   * Emits a domain event: written to the outbox in this unit's PostgreSQL transaction, so it
   * exists only if the unit commits, and delivered to subscribers after the commit.
   */
  emit<T extends NexfitEventType>(type: T, payload: NexfitEventMap[T]): Promise<void>;
  /** Who acts and from where, for audit rows written in this unit. */
  readonly context: RequestContext;
}

/** Options of one unit of work. */
export interface UnitOfWorkOptions {
  /** Attempts for transient failures (write conflicts, serialization failures, deadlocks). Default 10. */
  readonly maxAttempts?: number;
  /** Who acts and from where; defaults to the context the caller runs in (a scope's actor and origin), else the system. */
  readonly context?: RequestContext;
}
