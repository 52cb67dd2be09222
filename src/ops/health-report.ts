import type { Kysely } from 'kysely';
import type { Db } from 'mongodb';
import { mongoHealth, type MongoHealth } from './health/mongo-health.js';
import {
  partitionCoverage,
  postgresTableSizes,
  postgresUnusedIndexes,
  type PartitionCoverage,
  type PostgresTableSize,
  type PostgresUnusedIndex,
} from './health/postgres-health.js';
import { inDoubtUnits, type InDoubtUnits } from './health/units-of-work-health.js';
import type { SlowOperationSource, SlowOperationsSnapshot } from './slow-operations.js';
import type { CacheStats } from './cache/read-through-cache.js';
import type { PoolMetrics } from '../core/pool-metrics.js';
import { growthRates, type GrowthRate } from './health/growth.js';
import { topStatements, type TopStatements } from './health/top-statements.js';

/** What {@link healthReport} reads: the two stores, and the instance's counters to include. */
export interface HealthReportOptions {
  readonly db: Db;
  readonly pg: Kysely<any>;
  /** Slow operations seen by the SDK's observer (a `SlowOperationRecorder`). */
  readonly observerStats?: SlowOperationSource;
  /** How far ahead partitions must exist (default 3 months). */
  readonly partitionMonthsAhead?: number;
  /** Units of work younger than this are still committing, not in doubt (default 60 s). */
  readonly inDoubtAfterMs?: number;
  /** The instant partition coverage is measured from; the database's `now()` by default. */
  readonly at?: Date;
  /** The instance's read cache (`nexfit.cache`), to report its hits, misses and failures. */
  readonly cache?: {
    readonly adapterName: string;
    /** The cache's counters now. */
    stats(): CacheStats;
  } | null;
  /** Both drivers' connection pools (`nexfit.poolMetrics()`). */
  readonly pools?: PoolMetrics;
  /** Growth rates are computed over the snapshots of this many days (default 30). */
  readonly growthWindowDays?: number;
  /** How many statements of `pg_stat_statements` to show (default 10). */
  readonly topStatements?: number;
}

/** The read cache's counters in a {@link HealthReport}. */
export interface CacheHealth extends CacheStats {
  /** `MemoryLruCache`, `RedisCache` or the host's adapter class. */
  readonly adapter: string;
}

/** The state of both stores, for an operator or a monitoring job. */
export interface HealthReport {
  readonly mongo: MongoHealth;
  readonly postgres: {
    readonly tables: readonly PostgresTableSize[];
    readonly unusedIndexes: readonly PostgresUnusedIndex[];
    readonly partitions: readonly PartitionCoverage[];
  };
  readonly unitsOfWork: InDoubtUnits;
  /** `null` without `observerStats`. */
  readonly slowOperations: SlowOperationsSnapshot | null;
  /** `null` without a cache. Failures mean reads fell back to the stores (and, for invalidations, entries may be stale until their TTL). */
  readonly cache: CacheHealth | null;
  /** In use, idle and waiting connections of both drivers; `null` without `pools`. */
  readonly pools: PoolMetrics | null;
  /** The statements with the most total time, from `pg_stat_statements` when installed. */
  readonly topStatements: TopStatements;
  /** Rows and bytes per day per table and collection, from the snapshots `recordSizeSnapshot` stores. */
  readonly growth: readonly GrowthRate[];
  /**
   * What needs action, one line each: missing collections or indexes, missing partitions,
   * rows in a DEFAULT partition, units in doubt. Unused indexes are information, not
   * problems: their counters start at zero with every server restart.
   */
  readonly problems: readonly string[];
}

/**
 * Collects sizes, index coverage and usage, partition coverage, units of work in doubt
 * and slow operations from both stores. Read-only; safe to run on a live system.
 *
 * @example
 * ```ts
 * const report = await healthReport({ db: nexfit.mongo.db, pg: nexfit.pg, observerStats: slowOps });
 * if (report.problems.length > 0) alert(report.problems.join('\n'));
 * ```
 */
export async function healthReport(options: HealthReportOptions): Promise<HealthReport> {
  const [mongo, tables, unusedIndexes, partitions, unitsOfWork, top, growth] = await Promise.all([
    mongoHealth(options.db),
    postgresTableSizes(options.pg),
    postgresUnusedIndexes(options.pg),
    partitionCoverage(options.pg, { monthsAhead: options.partitionMonthsAhead ?? 3, ...(options.at ? { at: options.at } : {}) }),
    inDoubtUnits(options.pg, options.inDoubtAfterMs === undefined ? {} : { olderThanMs: options.inDoubtAfterMs }),
    topStatements(options.pg, options.topStatements ?? 10),
    growthRates(options.pg, { ...(options.growthWindowDays ? { windowDays: options.growthWindowDays } : {}), ...(options.at ? { at: options.at } : {}) }),
  ]);
  const problems: string[] = [];
  for (const c of mongo.collections) {
    if (!c.exists) problems.push(`MongoDB collection ${c.name} is missing (run the migrations)`);
    else if (c.indexes.missing.length > 0) problems.push(`MongoDB ${c.name} lacks indexes: ${c.indexes.missing.join(', ')}`);
    if (c.indexes.differing.length > 0) problems.push(`MongoDB ${c.name} has indexes that differ from their declaration: ${c.indexes.differing.join(', ')}`);
  }
  for (const p of partitions) {
    if (p.missing.length > 0) problems.push(`PostgreSQL ${p.table} lacks partitions: ${p.missing.join(', ')} (run ensureRollingPartitions)`);
    if ((p.defaultPartitionRowEstimate ?? 0) > 0) problems.push(`PostgreSQL ${p.table} has rows in its DEFAULT partition`);
  }
  const inDoubt = unitsOfWork.prepared.length + unitsOfWork.pendingIntents.length;
  if (inDoubt > 0) problems.push(`${inDoubt} unit(s) of work in doubt (run recoverInDoubt / nexfit uow recover)`);
  const cache = options.cache ? { adapter: options.cache.adapterName, ...options.cache.stats() } : null;
  if (cache && cache.failures > 0) {
    problems.push(`The read cache (${cache.adapter}) failed ${cache.failures} time(s), ${cache.invalidationFailures} of them invalidations; reads fell back to the stores (last: ${cache.lastFailure?.message ?? 'unknown'})`);
  }
  const pools = options.pools ?? null;
  if (pools && pools.postgres.waiting > 0) problems.push(`${pools.postgres.waiting} queries wait for a PostgreSQL connection (${pools.postgres.inUse} in use of ${pools.postgres.max ?? '?'})`);
  if (pools && pools.mongo.waiting > 0) problems.push(`${pools.mongo.waiting} operations wait for a MongoDB connection (${pools.mongo.inUse} in use)`);
  if (pools && pools.mongo.checkOutFailures > 0) problems.push(`${pools.mongo.checkOutFailures} MongoDB connection check-out(s) failed since start-up`);
  return {
    mongo,
    postgres: { tables, unusedIndexes, partitions },
    unitsOfWork,
    slowOperations: options.observerStats?.snapshot() ?? null,
    cache,
    pools,
    topStatements: top,
    growth,
    problems,
  };
}
