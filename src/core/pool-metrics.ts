/** The PostgreSQL pool at one instant (node-postgres `Pool` counters). */
export interface PostgresPoolMetrics {
  /** Connections open (in use + idle). */
  readonly total: number;
  readonly idle: number;
  readonly inUse: number;
  /** Queries waiting for a connection: the pool is exhausted while this stays above 0. */
  readonly waiting: number;
  /** The pool's size limit, when known. */
  readonly max: number | null;
}

/** The MongoDB driver's connection pools (all servers), from its connection-pool events. */
export interface MongoPoolMetrics {
  readonly total: number;
  readonly inUse: number;
  readonly idle: number;
  /** Operations waiting for a connection (check-outs started, not yet done). */
  readonly waiting: number;
  /** Check-outs that failed (timeout, pool closed or cleared) since the SDK started. */
  readonly checkOutFailures: number;
  /** Times a pool was cleared (a server marked unknown: every connection to it dropped). */
  readonly cleared: number;
}

/** Both drivers' pools at one instant, as `nexfit.poolMetrics()` returns them and the health report shows them. */
export interface PoolMetrics {
  readonly postgres: PostgresPoolMetrics;
  readonly mongo: MongoPoolMetrics;
}

/** A pool event as the observer's `onPoolEvent` receives it, with the pool's counters right after it. */
export interface PoolEvent {
  readonly store: 'mongo' | 'postgres';
  /** The driver's event name: `connectionCheckedOut`, `connectionPoolCleared`, … for MongoDB; `connect`, `acquire`, `remove`, `error` for PostgreSQL. */
  readonly event: string;
  readonly metrics: PostgresPoolMetrics | MongoPoolMetrics;
}
