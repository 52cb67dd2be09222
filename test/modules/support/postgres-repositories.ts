import { Kysely, PostgresDialect, sql, type CompiledQuery } from 'kysely';
import { beforeAll, expect } from 'vitest';
import { fixedClock } from '../../../src/core/clock.js';
import { defaultIdGenerator } from '../../../src/core/ids.js';
import type { StoreOperationEvent } from '../../../src/core/observer.js';
import type { Database } from '../../../src/stores/postgres/database.js';
import { migratePostgresToLatest } from '../../../src/stores/postgres/migrator.js';
import type { RepositoryDeps } from '../../../src/stores/repository-deps.js';
import { useTestPostgres, type TestPostgres } from '../../support/stores.js';

export interface RepositoryTestDb {
  readonly pg: TestPostgres;
  /** The migrated database, typed. */
  readonly db: Kysely<Database>;
  /** Every query the `db` ran, newest last (EXPLAIN tests replay the repository's own SQL). */
  readonly queries: CompiledQuery[];
  readonly deps: RepositoryDeps & { readonly events: StoreOperationEvent[]; readonly clock: ReturnType<typeof fixedClock> };
}

/**
 * A migrated PostgreSQL database of this test file's own, a Kysely on it that records the
 * SQL it runs, and repository dependencies with a fixed clock and a recording observer.
 */
export function useRepositoryDb(): RepositoryTestDb {
  const pg = useTestPostgres();
  const events: StoreOperationEvent[] = [];
  const state = {
    pg,
    queries: [] as CompiledQuery[],
    deps: { clock: fixedClock('2026-03-01T09:00:00Z'), ids: defaultIdGenerator, observer: { onStoreOperation: (e: StoreOperationEvent) => void events.push(e) }, events },
  } as { pg: TestPostgres; db: Kysely<Database>; queries: CompiledQuery[]; deps: RepositoryTestDb['deps'] };
  beforeAll(async () => {
    state.db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: pg.pool }),
      log: (event) => {
        if (event.level === 'query') state.queries.push(event.query);
      },
    });
    await migratePostgresToLatest(state.db);
  });
  return state;
}

/** Row count of a table, to show a refused write left nothing behind. */
export async function countRows(db: Kysely<Database>, table: keyof Database): Promise<number> {
  const { rows } = await sql<{ n: string }>`SELECT count(*)::text AS n FROM ${sql.table(table)}`.execute(db);
  return Number(rows[0]!.n);
}

/** The last query the repository ran whose SQL matches `pattern`. */
export function lastQuery(queries: readonly CompiledQuery[], pattern: RegExp): CompiledQuery {
  const query = queries.findLast((q) => pattern.test(q.sql));
  if (!query) throw new Error(`No query matched ${pattern}`);
  return query;
}

export interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Index Name'?: string;
  readonly 'Relation Name'?: string;
  readonly Plans?: readonly PlanNode[];
}

/** `EXPLAIN (FORMAT JSON)` of a compiled query, run with its own parameters. */
export async function explain(test: RepositoryTestDb, query: CompiledQuery): Promise<PlanNode> {
  const result = await test.pg.pool.query(`EXPLAIN (FORMAT JSON) ${query.sql}`, [...query.parameters]);
  const rows = result.rows as { 'QUERY PLAN': { Plan: PlanNode }[] }[];
  return rows[0]!['QUERY PLAN'][0]!.Plan;
}

/** Every node of a plan, depth first. */
export function planNodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(planNodes)];
}

const INDEX_SCANS = new Set(['Index Scan', 'Index Only Scan', 'Bitmap Index Scan']);

/** Names of the indexes the plan scans. */
export function scannedIndexes(plan: PlanNode): string[] {
  return planNodes(plan)
    .filter((n) => INDEX_SCANS.has(n['Node Type']))
    .map((n) => n['Index Name'] ?? '');
}

/** Asserts the plan reads `table` through `index` and never scans it sequentially. */
export function expectIndexScan(plan: PlanNode, index: string, table: string): void {
  expect(scannedIndexes(plan), JSON.stringify(plan, null, 1)).toContain(index);
  const seqScans = planNodes(plan).filter((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === table);
  expect(seqScans).toEqual([]);
}
