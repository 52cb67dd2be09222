import { sql, type Kysely } from 'kysely';

/** One statement of `pg_stat_statements`, as PostgreSQL normalised it (values replaced by `$n`). */
export interface TopStatement {
  readonly query: string;
  readonly calls: number;
  readonly totalMs: number;
  readonly meanMs: number;
  readonly rows: number;
}

/** The statements that took the most time in this database, or why they are not available. */
export type TopStatements =
  | { readonly available: true; readonly statements: readonly TopStatement[] }
  | { readonly available: false; readonly reason: string };

/**
 * The `limit` statements of this database with the most total execution time, from the
 * `pg_stat_statements` extension when it is installed (`CREATE EXTENSION
 * pg_stat_statements`, with `shared_preload_libraries = 'pg_stat_statements'`). Without it,
 * says so instead of failing: the report is for any server.
 *
 * @example
 * ```ts
 * const top = await topStatements(nexfit.pg, 10);
 * if (top.available) console.table(top.statements);
 * ```
 */
export async function topStatements(pg: Kysely<any>, limit = 10): Promise<TopStatements> {
  const installed = await sql<{ n: number }>`SELECT 1 AS n FROM pg_extension WHERE extname = 'pg_stat_statements'`.execute(pg);
  if (installed.rows.length === 0) return { available: false, reason: 'the pg_stat_statements extension is not installed in this database' };
  try {
    const { rows } = await sql<{ query: string; calls: string; total_ms: number; mean_ms: number; rows: string }>`
      SELECT s.query, s.calls::text AS calls, s.total_exec_time AS total_ms, s.mean_exec_time AS mean_ms, s.rows::text AS rows
      FROM pg_stat_statements s
      WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
      ORDER BY s.total_exec_time DESC
      LIMIT ${limit}`.execute(pg);
    return { available: true, statements: rows.map((r) => ({ query: r.query, calls: Number(r.calls), totalMs: r.total_ms, meanMs: r.mean_ms, rows: Number(r.rows) })) };
  } catch (error) {
    // Installed but not preloaded, or no permission to read other roles' statements.
    return { available: false, reason: `pg_stat_statements could not be read: ${error instanceof Error ? error.message : String(error)}` };
  }
}
