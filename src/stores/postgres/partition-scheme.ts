/** The partitioned tables and how each is cut. */
export type PartitionedTable = 'analytics_daily' | 'audit_logs';

/** How one table is range-partitioned. Ranges are UTC calendar years or months. */
export interface PartitionScheme {
  readonly table: PartitionedTable;
  readonly granularity: 'year' | 'month';
  readonly keyColumn: string;
  readonly keyType: 'date' | 'timestamptz';
}

export const PARTITION_SCHEMES: Readonly<Record<PartitionedTable, PartitionScheme>> = {
  analytics_daily: { table: 'analytics_daily', granularity: 'year', keyColumn: 'date', keyType: 'date' },
  audit_logs: { table: 'audit_logs', granularity: 'month', keyColumn: 'created_at', keyType: 'timestamptz' },
};

/** One partition's range `[from, to)` and its conventional name. */
export interface PartitionPeriod {
  readonly name: string;
  readonly from: Date;
  readonly to: Date;
}

/**
 * The periods whose partitions cover `[from, to]` (both ends included), named
 * `analytics_daily_2025` and `audit_logs_2025_03` as in the design document.
 *
 * @example
 * ```ts
 * partitionPeriods('audit_logs', new Date('2025-01-20T00:00:00Z'), new Date('2025-02-02T00:00:00Z')).map((p) => p.name);
 * // ['audit_logs_2025_01', 'audit_logs_2025_02']
 * ```
 */
export function partitionPeriods(table: PartitionedTable, from: Date, to: Date): PartitionPeriod[] {
  const scheme = PARTITION_SCHEMES[table];
  const periods: PartitionPeriod[] = [];
  for (let start = periodStart(scheme, from); start.getTime() <= to.getTime(); start = nextPeriod(scheme, start)) {
    periods.push({ name: partitionName(scheme, start), from: start, to: nextPeriod(scheme, start) });
  }
  return periods;
}

/** The SQL literal of a range bound: a date, or a UTC instant with an explicit offset. */
export function boundLiteral(scheme: PartitionScheme, instant: Date): string {
  const date = instant.toISOString().slice(0, 10);
  return scheme.keyType === 'date' ? date : `${date} 00:00:00+00`;
}

/** Start of the period containing `instant`. */
export function periodStart(scheme: PartitionScheme, instant: Date): Date {
  const year = instant.getUTCFullYear();
  return scheme.granularity === 'year' ? new Date(Date.UTC(year, 0, 1)) : new Date(Date.UTC(year, instant.getUTCMonth(), 1));
}

/** `instant` moved by whole periods (negative goes back). */
export function shiftPeriods(scheme: PartitionScheme, instant: Date, count: number): Date {
  const start = periodStart(scheme, instant);
  return scheme.granularity === 'year'
    ? new Date(Date.UTC(start.getUTCFullYear() + count, 0, 1))
    : new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + count, 1));
}

function nextPeriod(scheme: PartitionScheme, start: Date): Date {
  return shiftPeriods(scheme, start, 1);
}

function partitionName(scheme: PartitionScheme, start: Date): string {
  const year = String(start.getUTCFullYear()).padStart(4, '0');
  if (scheme.granularity === 'year') return `${scheme.table}_${year}`;
  return `${scheme.table}_${year}_${String(start.getUTCMonth() + 1).padStart(2, '0')}`;
}
