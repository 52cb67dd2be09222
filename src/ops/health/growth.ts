import { sql, type Kysely } from 'kysely';
import type { Db } from 'mongodb';
import type { Database } from '../../stores/postgres/database.js';
import { mongoHealth } from './mongo-health.js';
import { postgresTableSizes } from './postgres-health.js';

const UNDEFINED_TABLE = '42P01';
const DAY_MS = 86_400_000;

/** What {@link recordSizeSnapshot} stored. */
export interface SizeSnapshot {
  readonly takenAt: Date;
  /** Targets recorded (collections and tables). */
  readonly targets: number;
}

/** How fast one table or collection grows, between its first and last snapshot of the window. */
export interface GrowthRate {
  readonly store: 'mongo' | 'postgres';
  readonly target: string;
  readonly from: Date;
  readonly to: Date;
  /** Rows (documents) gained per day; negative when archiving removed more than was added. `null` without counts at both ends. */
  readonly rowsPerDay: number | null;
  readonly bytesPerDay: number | null;
  /** The latest snapshot's values. */
  readonly rows: number | null;
  readonly bytes: number | null;
}

/**
 * Records the size of every collection (document count, storage bytes) and table (the
 * planner's row estimate, total bytes with indexes) in `nexfit_size_snapshots`. Run it
 * nightly (`nexfit health --record`): the health report turns the snapshots into growth
 * rates. One snapshot per instant and target; recording twice at the same `at` is a no-op.
 *
 * @example
 * ```ts
 * await recordSizeSnapshot({ db: nexfit.mongo.db, pg: nexfit.pg });
 * ```
 */
export async function recordSizeSnapshot(options: { readonly db: Db; readonly pg: Kysely<any>; readonly at?: Date }): Promise<SizeSnapshot> {
  const takenAt = options.at ?? new Date();
  const [mongo, tables] = await Promise.all([mongoHealth(options.db), postgresTableSizes(options.pg)]);
  const rows = [
    ...mongo.collections.filter((c) => c.exists).map((c) => ({ taken_at: takenAt, store: 'mongo' as const, target: c.name, row_count: c.count, total_bytes: c.storageSizeBytes === null ? null : c.storageSizeBytes + (c.indexSizeBytes ?? 0) })),
    ...tables.filter((t) => t.table !== 'nexfit_size_snapshots').map((t) => ({ taken_at: takenAt, store: 'postgres' as const, target: t.table, row_count: t.rowEstimate === null ? null : Math.round(t.rowEstimate), total_bytes: t.totalBytes })),
  ];
  if (rows.length > 0) await (options.pg as Kysely<Database>).insertInto('nexfit_size_snapshots').values(rows).onConflict((oc) => oc.doNothing()).execute();
  return { takenAt, targets: rows.length };
}

/**
 * Growth per day of every table and collection over the last `windowDays` (default 30) of
 * stored snapshots: between the first and the last snapshot of the window. Targets with a
 * single snapshot have no rate yet. Empty when the snapshot table does not exist.
 */
export async function growthRates(pg: Kysely<any>, options: { readonly windowDays?: number; readonly at?: Date } = {}): Promise<GrowthRate[]> {
  const until = options.at ?? new Date();
  const since = new Date(until.getTime() - (options.windowDays ?? 30) * DAY_MS);
  let rows: { store: 'mongo' | 'postgres'; target: string; first_at: Date; last_at: Date; first_rows: string | null; last_rows: string | null; first_bytes: string | null; last_bytes: string | null }[];
  try {
    ({ rows } = await sql<(typeof rows)[number]>`
      SELECT store, target,
        min(taken_at) AS first_at, max(taken_at) AS last_at,
        (array_agg(row_count ORDER BY taken_at))[1]::text AS first_rows,
        (array_agg(row_count ORDER BY taken_at DESC))[1]::text AS last_rows,
        (array_agg(total_bytes ORDER BY taken_at))[1]::text AS first_bytes,
        (array_agg(total_bytes ORDER BY taken_at DESC))[1]::text AS last_bytes
      FROM nexfit_size_snapshots
      WHERE taken_at >= ${since} AND taken_at <= ${until}
      GROUP BY store, target
      HAVING count(*) >= 2
      ORDER BY store, target`.execute(pg));
  } catch (error) {
    if ((error as { code?: unknown }).code === UNDEFINED_TABLE) return [];
    throw error;
  }
  const num = (v: string | null) => (v === null ? null : Number(v));
  return rows.map((r) => {
    const days = (r.last_at.getTime() - r.first_at.getTime()) / DAY_MS;
    const rate = (first: number | null, last: number | null) => (first === null || last === null || days <= 0 ? null : (last - first) / days);
    return {
      store: r.store,
      target: r.target,
      from: r.first_at,
      to: r.last_at,
      rowsPerDay: rate(num(r.first_rows), num(r.last_rows)),
      bytesPerDay: rate(num(r.first_bytes), num(r.last_bytes)),
      rows: num(r.last_rows),
      bytes: num(r.last_bytes),
    };
  });
}
