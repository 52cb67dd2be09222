import type { MongoClient } from 'mongodb';
import type pg from 'pg';
import type { NexfitObserver } from '../../core/observer.js';
import type { MongoPoolMetrics, PoolEvent, PoolMetrics, PostgresPoolMetrics } from '../../core/pool-metrics.js';

export type { MongoPoolMetrics, PoolEvent, PoolMetrics, PostgresPoolMetrics } from '../../core/pool-metrics.js';

const MONGO_EVENTS = [
  'connectionCreated',
  'connectionClosed',
  'connectionCheckOutStarted',
  'connectionCheckOutFailed',
  'connectionCheckedOut',
  'connectionCheckedIn',
  'connectionPoolCleared',
] as const;
const PG_EVENTS = ['connect', 'acquire', 'remove', 'error'] as const;

/**
 * Follows both drivers' connection pools: node-postgres's counters (`totalCount`,
 * `idleCount`, `waitingCount`) read when asked, MongoDB's connection-pool monitoring events
 * counted as they come. Every event also goes to the observer's `onPoolEvent`.
 */
export class PoolMonitor {
  #pg: pg.Pool | undefined;
  readonly #observer: NexfitObserver | undefined;
  readonly #detach: (() => void)[] = [];
  #created = 0;
  #closed = 0;
  #checkOutsStarted = 0;
  #checkedOut = 0;
  #checkedIn = 0;
  #checkOutFailures = 0;
  #cleared = 0;

  constructor(observer?: NexfitObserver) {
    this.#observer = observer;
  }

  /** Counts `client`'s connection-pool events; call it before `connect()` so every connection is seen. */
  watchMongo(client: MongoClient): void {
    for (const event of MONGO_EVENTS) {
      const listener = () => this.#onMongo(event);
      client.on(event, listener);
      this.#detach.push(() => client.off(event, listener));
    }
  }

  /** Reads `pool`'s counters when asked, and forwards its events to the observer. */
  watchPostgres(pool: pg.Pool): void {
    this.#pg = pool;
    if (!this.#observer?.onPoolEvent) return;
    for (const event of PG_EVENTS) {
      const listener = () => this.#emit({ store: 'postgres', event, metrics: this.postgres() });
      pool.on(event, listener);
      this.#detach.push(() => pool.off(event, listener));
    }
  }

  /** Both pools now. */
  snapshot(): PoolMetrics {
    return { postgres: this.postgres(), mongo: this.mongo() };
  }

  /** The PostgreSQL pool now. */
  postgres(): PostgresPoolMetrics {
    const pool = this.#pg as (pg.Pool & { options?: { max?: number } }) | undefined;
    if (!pool) return { total: 0, idle: 0, inUse: 0, waiting: 0, max: null };
    return {
      total: pool.totalCount,
      idle: pool.idleCount,
      inUse: pool.totalCount - pool.idleCount,
      waiting: pool.waitingCount,
      max: typeof pool.options?.max === 'number' ? pool.options.max : null,
    };
  }

  /** The MongoDB pools now. */
  mongo(): MongoPoolMetrics {
    const total = Math.max(0, this.#created - this.#closed);
    const inUse = Math.max(0, this.#checkedOut - this.#checkedIn);
    return {
      total,
      inUse,
      idle: Math.max(0, total - inUse),
      waiting: Math.max(0, this.#checkOutsStarted - this.#checkedOut - this.#checkOutFailures),
      checkOutFailures: this.#checkOutFailures,
      cleared: this.#cleared,
    };
  }

  /** Stops listening (the SDK calls it on close; a host's client keeps its other listeners). */
  close(): void {
    for (const detach of this.#detach.splice(0)) detach();
  }

  #onMongo(event: (typeof MONGO_EVENTS)[number]): void {
    if (event === 'connectionCreated') this.#created++;
    else if (event === 'connectionClosed') this.#closed++;
    else if (event === 'connectionCheckOutStarted') this.#checkOutsStarted++;
    else if (event === 'connectionCheckOutFailed') this.#checkOutFailures++;
    else if (event === 'connectionCheckedOut') this.#checkedOut++;
    else if (event === 'connectionCheckedIn') this.#checkedIn++;
    else this.#cleared++;
    if (this.#observer?.onPoolEvent) this.#emit({ store: 'mongo', event, metrics: this.mongo() });
  }

  #emit(event: PoolEvent): void {
    try {
      this.#observer?.onPoolEvent?.(event);
    } catch {
      // An observer must never break the pool it observes.
    }
  }
}
