import { sql, type Kysely } from 'kysely';
import type { AuditLogsTable } from '../../stores/postgres/database.js';
import { toNexfitError } from '../../stores/postgres/error-mapping.js';
import { DEFAULT_ARCHIVE_BATCH_SIZE, type ArchiveOptions, type ArchiveResult } from './archive-options.js';
import type { PostgresArchiveTarget } from './archive-targets.js';

/** Every column of `audit_logs`, named so the copy never depends on column order. */
const AUDIT_LOG_COLUMNS = [
  'id',
  'entity_type',
  'entity_id',
  'user_id',
  'action',
  'previous_state',
  'new_state',
  'ip_address',
  'user_agent',
  'request_id',
  'created_at',
] as const satisfies readonly (keyof AuditLogsTable)[];

// A column added to `audit_logs` without being added above fails to compile.
const everyColumnCopied: [Exclude<keyof AuditLogsTable, (typeof AUDIT_LOG_COLUMNS)[number]>] extends [never] ? true : false = true;
void everyColumnCopied;

/**
 * Moves `audit_logs` rows dated before `options.before` to `audit_logs_archive`, oldest
 * first. Each batch is one statement, so one transaction: the rows are deleted and
 * inserted together or not at all, and an interruption anywhere loses or duplicates
 * nothing. `FOR UPDATE SKIP LOCKED` lets two runs share the work instead of queueing;
 * `ON CONFLICT DO NOTHING` keeps a row the archive already has.
 *
 * @example
 * ```ts
 * await archivePostgresTable(pg, ARCHIVE_TARGETS.audit_logs, { target: 'audit_logs', before: cutoff });
 * ```
 */
export async function archivePostgresTable(db: Kysely<any>, target: PostgresArchiveTarget, options: ArchiveOptions): Promise<ArchiveResult> {
  const limit = options.batchSize ?? DEFAULT_ARCHIVE_BATCH_SIZE;
  const hot = sql.table(target.table);
  const age = sql.ref(target.ageColumn);
  const columns = sql.join(AUDIT_LOG_COLUMNS.map((c) => sql.ref(c)));
  let moved = 0;
  let batches = 0;
  try {
    const counted = await sql<{ total: string }>`SELECT count(*) AS total FROM ${hot} WHERE ${age} < ${options.before}`.execute(db);
    const total = Number(counted.rows[0]?.total ?? 0);
    while (!options.signal?.aborted) {
      // (id, created_at) is the primary key of the partitioned table; naming the partition
      // key lets PostgreSQL prune partitions for the delete.
      const { rows } = await sql<{ moved: string }>`
        WITH moved AS (
          DELETE FROM ${hot} WHERE (id, ${age}) IN (
            SELECT id, ${age} FROM ${hot} WHERE ${age} < ${options.before}
            ORDER BY ${age}, id LIMIT ${limit} FOR UPDATE SKIP LOCKED)
          RETURNING ${columns}
        ), archived AS (
          INSERT INTO ${sql.table(target.archiveTable)} (${columns}) SELECT ${columns} FROM moved ON CONFLICT DO NOTHING
        )
        SELECT count(*) AS moved FROM moved`.execute(db);
      const count = Number(rows[0]?.moved ?? 0);
      if (count === 0) break;
      moved += count;
      batches += 1;
      options.onProgress?.(moved, total);
    }
    return { target: options.target, moved, total, batches, complete: !options.signal?.aborted };
  } catch (error) {
    throw toNexfitError(error);
  }
}
