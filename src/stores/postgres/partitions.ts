import { sql, type Kysely, type RawBuilder } from 'kysely';
import { ConfigurationError, NotFoundError } from '../../core/errors.js';
import { toNexfitError } from './error-mapping.js';
import {
  PARTITION_SCHEMES,
  boundLiteral,
  partitionPeriods,
  shiftPeriods,
  type PartitionPeriod,
  type PartitionScheme,
  type PartitionedTable,
} from './partition-scheme.js';

export { partitionPeriods, type PartitionedTable, type PartitionPeriod } from './partition-scheme.js';

/** Where the partitioned table lives; by default it is found through `search_path`. */
export interface PartitionOptions {
  readonly schema?: string;
}

/** One partition of a partitioned table. */
export interface PartitionInfo {
  readonly name: string;
  readonly schema: string;
  /** Inclusive lower bound; `null` for the DEFAULT partition. */
  readonly from: Date | null;
  /** Exclusive upper bound; `null` for the DEFAULT partition. */
  readonly to: Date | null;
  readonly isDefault: boolean;
  /** The planner's row estimate (`pg_class.reltuples`); `null` until first vacuumed or analysed. */
  readonly rowEstimate: number | null;
}

/** The table and the range `[from, to]` whose partitions {@link ensurePartitions} creates. */
export interface EnsurePartitionsOptions extends PartitionOptions {
  readonly table: PartitionedTable;
  readonly from: Date;
  readonly to: Date;
}

/** What {@link ensurePartitions} found and did. */
export interface EnsurePartitionsResult {
  /** Partitions this call created, in range order. */
  readonly created: readonly string[];
  /** Partitions of the range that were already there. */
  readonly existing: readonly string[];
  /** Rows moved out of the DEFAULT partition into the partitions created. */
  readonly movedFromDefault: number;
}

/**
 * Creates the missing yearly (`analytics_daily`) or monthly (`audit_logs`) partitions
 * covering `[from, to]`. Idempotent, and safe to run concurrently: callers serialise on
 * a transaction-scoped advisory lock per table, and creation uses `IF NOT EXISTS`.
 * Rows that had landed in the DEFAULT partition for a new range are moved into the new
 * partition in the same transaction (PostgreSQL refuses to create a partition whose
 * rows sit in the default one).
 *
 * @example
 * ```ts
 * await ensurePartitions(db, { table: 'audit_logs', from: new Date(), to: addMonths(new Date(), 3) });
 * ```
 */
export async function ensurePartitions(db: Kysely<any>, options: EnsurePartitionsOptions): Promise<EnsurePartitionsResult> {
  const { table, from, to } = options;
  if (!(from.getTime() <= to.getTime())) {
    throw new ConfigurationError(`ensurePartitions needs from <= to, got ${from.toISOString()} .. ${to.toISOString()}`);
  }
  const scheme = PARTITION_SCHEMES[table];
  return withPartitionLock(db, scheme, options, async (trx, parent) => {
    const partitions = await readPartitions(trx, parent, scheme);
    const created: string[] = [];
    const existing: string[] = [];
    let movedFromDefault = 0;
    const defaultPartition = partitions.find((p) => p.isDefault);
    let defaultLocked = false;
    for (const period of partitionPeriods(table, from, to)) {
      const same = partitions.find((p) => p.name === period.name || sameRange(p, period));
      if (same) {
        existing.push(same.name);
        continue;
      }
      const { rows } = await sql<{ taken: boolean }>`
        SELECT to_regclass(${qualified(parent.schema, period.name)}) IS NOT NULL AS taken`.execute(trx);
      if (rows[0]?.taken) {
        throw new ConfigurationError(
          `Cannot create partition ${period.name}: a table of that name exists but is not a partition of ${table} (a detached archive?)`,
        );
      }
      if (defaultPartition && !defaultLocked) {
        // Writers must not slip a row of the new range into the default partition between
        // the check below and the CREATE. The parent is locked, not the default partition:
        // writers lock the parent first, so the same order cannot deadlock. CREATE ...
        // PARTITION OF blocks them anyway.
        await sql`LOCK TABLE ${sql.id(parent.schema, table)} IN SHARE ROW EXCLUSIVE MODE`.execute(trx);
        defaultLocked = true;
      }
      if (defaultPartition && (await defaultHasRows(trx, parent, scheme, defaultPartition, period))) {
        movedFromDefault += await createFromDefault(trx, parent, scheme, defaultPartition, period);
      } else {
        await sql`CREATE TABLE IF NOT EXISTS ${sql.id(parent.schema, period.name)}
          PARTITION OF ${sql.id(parent.schema, table)} ${rangeClause(scheme, period)}`.execute(trx);
      }
      created.push(period.name);
    }
    return { created, existing, movedFromDefault };
  });
}

/** How far around a date {@link ensureRollingPartitions} keeps partitions ready. */
export interface PartitionWindow extends PartitionOptions {
  /** Centre of the window; the database's `now()` by default. */
  readonly at?: Date;
  /** Whole years before/after the current one for `analytics_daily` (default 1 and 1). */
  readonly analyticsYearsBehind?: number;
  readonly analyticsYearsAhead?: number;
  /** Whole months before/after the current one for `audit_logs` (default 1 and 3). */
  readonly auditMonthsBehind?: number;
  readonly auditMonthsAhead?: number;
}

/**
 * The maintenance call: partitions for a window around now (by default: the previous,
 * current and next year of `analytics_daily`; the previous month to three months ahead
 * of `audit_logs`). Run it at least monthly; the initial migration runs it once.
 *
 * @example
 * ```ts
 * await ensureRollingPartitions(db, { auditMonthsAhead: 6 });
 * ```
 */
export async function ensureRollingPartitions(
  db: Kysely<any>,
  window: PartitionWindow = {},
): Promise<Readonly<Record<PartitionedTable, EnsurePartitionsResult>>> {
  const at = window.at ?? (await databaseNow(db));
  const schema = window.schema === undefined ? {} : { schema: window.schema };
  const yearly = PARTITION_SCHEMES.analytics_daily;
  const monthly = PARTITION_SCHEMES.audit_logs;
  const analytics = await ensurePartitions(db, {
    ...schema,
    table: 'analytics_daily',
    from: shiftPeriods(yearly, at, -(window.analyticsYearsBehind ?? 1)),
    to: shiftPeriods(yearly, at, window.analyticsYearsAhead ?? 1),
  });
  const audit = await ensurePartitions(db, {
    ...schema,
    table: 'audit_logs',
    from: shiftPeriods(monthly, at, -(window.auditMonthsBehind ?? 1)),
    to: shiftPeriods(monthly, at, window.auditMonthsAhead ?? 3),
  });
  return { analytics_daily: analytics, audit_logs: audit };
}

/**
 * The partitions of a table in range order, the DEFAULT partition last.
 *
 * @example
 * ```ts
 * for (const p of await listPartitions(db, 'audit_logs')) console.log(p.name, p.from, p.to, p.rowEstimate);
 * ```
 */
export async function listPartitions(
  db: Kysely<any>,
  table: PartitionedTable,
  options: PartitionOptions = {},
): Promise<PartitionInfo[]> {
  const scheme = PARTITION_SCHEMES[table];
  try {
    return await readPartitions(db, await resolveParent(db, scheme, options), scheme);
  } catch (error) {
    throw toNexfitError(error);
  }
}

/**
 * Detaches one partition: it stays as an ordinary table (for `pg_dump` and archival)
 * and no longer receives or returns rows of the parent.
 *
 * @example
 * ```ts
 * await detachPartition(db, 'audit_logs', 'audit_logs_2023_01');
 * ```
 */
export async function detachPartition(
  db: Kysely<any>,
  table: PartitionedTable,
  partition: string,
  options: PartitionOptions = {},
): Promise<void> {
  const scheme = PARTITION_SCHEMES[table];
  await withPartitionLock(db, scheme, options, async (trx, parent) => {
    const found = (await readPartitions(trx, parent, scheme)).find((p) => p.name === partition);
    if (!found) throw new NotFoundError('partition', `${table}/${partition}`);
    if (found.isDefault) throw new ConfigurationError(`Refusing to detach the DEFAULT partition of ${table}`);
    await sql`ALTER TABLE ${sql.id(parent.schema, table)} DETACH PARTITION ${sql.id(parent.schema, partition)}`.execute(trx);
  });
}

/** How {@link dropPartitionsOlderThan} removes the partitions past retention. */
export interface RetentionOptions extends PartitionOptions {
  /** `detach` keeps the tables for archival; `drop` deletes them with their rows. */
  readonly mode: 'detach' | 'drop';
}

/**
 * Retention: detaches or drops every partition whose whole range lies before `cutoff`
 * (its upper bound is at or before it). Never touches the DEFAULT partition.
 *
 * @example
 * ```ts
 * const { partitions } = await dropPartitionsOlderThan(db, 'audit_logs', twoYearsAgo, { mode: 'detach' });
 * ```
 */
export async function dropPartitionsOlderThan(
  db: Kysely<any>,
  table: PartitionedTable,
  cutoff: Date,
  options: RetentionOptions,
): Promise<{ readonly mode: 'detach' | 'drop'; readonly partitions: readonly string[] }> {
  const scheme = PARTITION_SCHEMES[table];
  return withPartitionLock(db, scheme, options, async (trx, parent) => {
    const old = (await readPartitions(trx, parent, scheme)).filter(
      (p) => !p.isDefault && p.to !== null && p.to.getTime() <= cutoff.getTime(),
    );
    for (const partition of old) {
      const target = sql.id(parent.schema, partition.name);
      if (options.mode === 'drop') await sql`DROP TABLE ${target}`.execute(trx);
      else await sql`ALTER TABLE ${sql.id(parent.schema, table)} DETACH PARTITION ${target}`.execute(trx);
    }
    return { mode: options.mode, partitions: old.map((p) => p.name) };
  });
}

interface ParentTable {
  readonly oid: string;
  readonly schema: string;
}

/** Runs `work` in a transaction (the caller's, if `db` is one) holding the table's partition lock. */
async function withPartitionLock<T>(
  db: Kysely<any>,
  scheme: PartitionScheme,
  options: PartitionOptions,
  work: (trx: Kysely<any>, parent: ParentTable) => Promise<T>,
): Promise<T> {
  const run = async (trx: Kysely<any>) => {
    const parent = await resolveParent(trx, scheme, options);
    await sql`SELECT pg_advisory_xact_lock(hashtext(${`nexfit.partitions:${parent.oid}`}))`.execute(trx);
    return work(trx, parent);
  };
  try {
    return db.isTransaction ? await run(db) : await db.transaction().execute(run);
  } catch (error) {
    throw toNexfitError(error);
  }
}

async function resolveParent(db: Kysely<any>, scheme: PartitionScheme, options: PartitionOptions): Promise<ParentTable> {
  const name = options.schema === undefined ? scheme.table : qualified(options.schema, scheme.table);
  const { rows } = await sql<ParentTable>`
    SELECT c.oid::text AS oid, n.nspname AS schema
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.oid = to_regclass(${name}) AND c.relkind = 'p'`.execute(db);
  const parent = rows[0];
  if (!parent) {
    throw new ConfigurationError(`${name} is not a partitioned table here: run the PostgreSQL migrations first`);
  }
  return parent;
}

const BOUND_PATTERN = "FROM \\('([^']*)'\\) TO \\('([^']*)'\\)";

async function readPartitions(db: Kysely<any>, parent: ParentTable, scheme: PartitionScheme): Promise<PartitionInfo[]> {
  // Bounds print in the session's time zone with an offset; casting the text back gives
  // the exact instant. DATE bounds become UTC midnights.
  const toInstant = (text: RawBuilder<unknown>) =>
    scheme.keyType === 'date' ? sql`(${text})::date::timestamp AT TIME ZONE 'UTC'` : sql`(${text})::timestamptz`;
  const { rows } = await sql<{
    name: string;
    schema: string;
    from: Date | null;
    to: Date | null;
    is_default: boolean;
    reltuples: number;
  }>`
    SELECT c.relname AS name, n.nspname AS schema,
      ${toInstant(sql`m[1]`)} AS "from", ${toInstant(sql`m[2]`)} AS "to",
      pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT' AS is_default,
      c.reltuples::float8 AS reltuples
    FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN LATERAL regexp_match(pg_get_expr(c.relpartbound, c.oid), ${BOUND_PATTERN}) AS m ON true
    WHERE i.inhparent = ${parent.oid}::oid
    ORDER BY is_default, "from"`.execute(db);
  return rows.map((row) => ({
    name: row.name,
    schema: row.schema,
    from: row.from,
    to: row.to,
    isDefault: row.is_default,
    rowEstimate: row.reltuples < 0 ? null : row.reltuples,
  }));
}

async function defaultHasRows(
  db: Kysely<any>,
  parent: ParentTable,
  scheme: PartitionScheme,
  defaultPartition: PartitionInfo,
  period: PartitionPeriod,
): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`
    SELECT EXISTS (SELECT 1 FROM ${sql.id(parent.schema, defaultPartition.name)} WHERE ${inRange(scheme, period)}) AS found`.execute(db);
  return rows[0]?.found === true;
}

/**
 * Builds the partition as a plain table, moves the default partition's rows of its range
 * into it and attaches it, all in the caller's transaction.
 */
async function createFromDefault(
  db: Kysely<any>,
  parent: ParentTable,
  scheme: PartitionScheme,
  defaultPartition: PartitionInfo,
  period: PartitionPeriod,
): Promise<number> {
  const partition = sql.id(parent.schema, period.name);
  // CHECK constraints must be copied: ATTACH requires the parent's constraints on the table.
  await sql`CREATE TABLE ${partition} (LIKE ${sql.id(parent.schema, scheme.table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`.execute(db);
  const moved = await sql`
    WITH moved AS (DELETE FROM ${sql.id(parent.schema, defaultPartition.name)} WHERE ${inRange(scheme, period)} RETURNING *)
    INSERT INTO ${partition} SELECT * FROM moved`.execute(db);
  await sql`ALTER TABLE ${sql.id(parent.schema, scheme.table)} ATTACH PARTITION ${partition} ${rangeClause(scheme, period)}`.execute(db);
  return Number(moved.numAffectedRows ?? 0n);
}

function rangeClause(scheme: PartitionScheme, period: PartitionPeriod): RawBuilder<unknown> {
  return sql`FOR VALUES FROM (${sql.lit(boundLiteral(scheme, period.from))}) TO (${sql.lit(boundLiteral(scheme, period.to))})`;
}

function inRange(scheme: PartitionScheme, period: PartitionPeriod): RawBuilder<unknown> {
  const key = sql.ref(scheme.keyColumn);
  const type = sql.raw(scheme.keyType);
  return sql`${key} >= ${boundLiteral(scheme, period.from)}::${type} AND ${key} < ${boundLiteral(scheme, period.to)}::${type}`;
}

function sameRange(partition: PartitionInfo, period: PartitionPeriod): boolean {
  return partition.from?.getTime() === period.from.getTime() && partition.to?.getTime() === period.to.getTime();
}

/** A schema-qualified, quoted name as text, for `to_regclass`. */
function qualified(schema: string, name: string): string {
  const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;
  return `${quote(schema)}.${quote(name)}`;
}

async function databaseNow(db: Kysely<any>): Promise<Date> {
  try {
    const { rows } = await sql<{ now: Date }>`SELECT now() AS now`.execute(db);
    return rows[0]?.now ?? new Date();
  } catch (error) {
    throw toNexfitError(error);
  }
}
