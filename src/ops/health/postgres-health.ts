import { sql, type Kysely } from 'kysely';
import { partitionPeriods, shiftPeriods, PARTITION_SCHEMES, type PartitionedTable } from '../../stores/postgres/partition-scheme.js';
import { listPartitions } from '../../stores/postgres/partitions.js';
import { toNexfitError } from '../../stores/postgres/error-mapping.js';

/** One table with everything it occupies (partitions, indexes, TOAST). */
export interface PostgresTableSize {
  readonly table: string;
  readonly totalBytes: number;
  /** The planner's estimate, summed over partitions; `null` until analysed. */
  readonly rowEstimate: number | null;
}

/** A non-unique index no query has used since statistics were last reset. */
export interface PostgresUnusedIndex {
  readonly table: string;
  readonly index: string;
  readonly sizeBytes: number;
}

/** Partitions of one table against the ones the coming months need. */
export interface PartitionCoverage {
  readonly table: PartitionedTable;
  readonly present: readonly string[];
  /** Needed between now and `monthsAhead` from now, and absent. */
  readonly missing: readonly string[];
  /** Rows in the DEFAULT partition (the planner's estimate): rows no partition was ready for. */
  readonly defaultPartitionRowEstimate: number | null;
}

/**
 * Sizes of the SDK's tables in the current schema; partitioned tables are summed over
 * their partitions (a partitioned parent has no storage of its own).
 *
 * @example
 * ```ts
 * const sizes = await postgresTableSizes(pg); // [{ table: 'audit_logs', totalBytes: 1_081_344, rowEstimate: 5_120 }, …]
 * ```
 */
export async function postgresTableSizes(db: Kysely<any>): Promise<PostgresTableSize[]> {
  try {
    const { rows } = await sql<{ table: string; total_bytes: string; row_estimate: number | null }>`
      SELECT c.relname AS table,
        sum(pg_total_relation_size(m.oid))::bigint AS total_bytes,
        sum(m.reltuples) FILTER (WHERE m.reltuples >= 0)::float8 AS row_estimate
      FROM pg_class c
      -- A partitioned table stores nothing itself: its members are its partitions.
      CROSS JOIN LATERAL (
        SELECT p.oid, p.reltuples FROM pg_partition_tree(c.oid) t JOIN pg_class p ON p.oid = t.relid WHERE c.relkind = 'p'
        UNION ALL SELECT c.oid, c.reltuples WHERE c.relkind = 'r'
      ) m
      WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition
      GROUP BY c.relname
      ORDER BY total_bytes DESC, c.relname`.execute(db);
    return rows.map((r) => ({ table: r.table, totalBytes: Number(r.total_bytes), rowEstimate: r.row_estimate }));
  } catch (error) {
    throw toNexfitError(error);
  }
}

/**
 * Non-unique indexes with `idx_scan = 0` in `pg_stat_user_indexes`. A partitioned index
 * counts as unused only when none of its partitions' indexes was scanned. Unique and
 * primary-key indexes enforce constraints and are never listed.
 *
 * @example
 * ```ts
 * const unused = await postgresUnusedIndexes(pg);
 * ```
 */
export async function postgresUnusedIndexes(db: Kysely<any>): Promise<PostgresUnusedIndex[]> {
  try {
    const { rows } = await sql<{ table: string; index: string; size_bytes: string }>`
      WITH leaf AS (
        SELECT s.indexrelid, s.idx_scan, coalesce(parent.inhparent, s.indexrelid) AS root
        FROM pg_stat_user_indexes s
        LEFT JOIN pg_inherits parent ON parent.inhrelid = s.indexrelid
        WHERE s.schemaname = current_schema()
      )
      SELECT t.relname AS table, ix.relname AS index, sum(pg_relation_size(leaf.indexrelid))::bigint AS size_bytes
      FROM leaf
      JOIN pg_index i ON i.indexrelid = leaf.root
      JOIN pg_class ix ON ix.oid = leaf.root
      JOIN pg_class t ON t.oid = i.indrelid
      WHERE NOT i.indisunique
      GROUP BY t.relname, ix.relname
      HAVING sum(leaf.idx_scan) = 0
      ORDER BY t.relname, ix.relname`.execute(db);
    return rows.map((r) => ({ table: r.table, index: r.index, sizeBytes: Number(r.size_bytes) }));
  } catch (error) {
    throw toNexfitError(error);
  }
}

/**
 * For each partitioned table: the partitions present, and those missing between `at` and
 * `monthsAhead` months later (run `ensureRollingPartitions` to create them).
 *
 * @example
 * ```ts
 * const coverage = await partitionCoverage(pg, { monthsAhead: 3 });
 * ```
 */
export async function partitionCoverage(db: Kysely<any>, options: { readonly monthsAhead: number; readonly at?: Date }): Promise<PartitionCoverage[]> {
  const at = options.at ?? (await databaseNow(db));
  const until = shiftPeriods(PARTITION_SCHEMES.audit_logs, at, options.monthsAhead);
  const coverage: PartitionCoverage[] = [];
  for (const table of Object.keys(PARTITION_SCHEMES) as PartitionedTable[]) {
    const partitions = await listPartitions(db, table);
    const ranged = partitions.filter((p) => !p.isDefault);
    const missing = partitionPeriods(table, at, until)
      .filter((period) => !ranged.some((p) => p.name === period.name || (p.from?.getTime() === period.from.getTime() && p.to?.getTime() === period.to.getTime())))
      .map((period) => period.name);
    coverage.push({
      table,
      present: ranged.map((p) => p.name),
      missing,
      defaultPartitionRowEstimate: partitions.find((p) => p.isDefault)?.rowEstimate ?? null,
    });
  }
  return coverage;
}

async function databaseNow(db: Kysely<any>): Promise<Date> {
  try {
    const { rows } = await sql<{ now: Date }>`SELECT now() AS now`.execute(db);
    return rows[0]?.now ?? new Date();
  } catch (error) {
    throw toNexfitError(error);
  }
}
