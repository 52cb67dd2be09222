import { toNexfitError } from '../stores/postgres/error-mapping.js';
import { sql, type Kysely } from 'kysely';
import type { Clock } from '../core/clock.js';
import type { Database } from '../stores/postgres/database.js';
import { closedIntent, commitPrepared, compensate, rollbackPrepared, UOW_ID_PREFIX } from './coordinator.js';
import type { DecisionLog } from './decision-log.js';

/** What one recovery pass did. */
export interface RecoveryReport {
  /** Units found in doubt (prepared transactions, or pending intents in ordered mode) older than the grace period. */
  readonly examined: number;
  readonly committed: readonly string[];
  readonly rolledBack: readonly string[];
  /** Units whose MongoDB transaction was still deciding; a later pass resolves them. */
  readonly skipped: readonly string[];
}

/** Options of `recoverInDoubt`: how old a unit must be before recovery decides it. */
export interface RecoveryOptions {
  /**
   * Leave units younger than this alone: their coordinator may still be running. Default
   * 60 s, MongoDB's transaction lifetime limit, after which an open MongoDB transaction has
   * been aborted by the server.
   */
  readonly olderThanMs?: number;
}

/**
 * Resolves units of work left in doubt by a crashed process. For each one it fences the
 * decision: it writes `abort` unless `commit` was recorded (the `_id` is unique, so a late
 * coordinator can no longer commit), then finishes PostgreSQL accordingly. Safe to run
 * concurrently and repeatedly: every step treats "already done" as done.
 *
 * @example
 * ```ts
 * const report = await recoverInDoubt(pg, decisions, clock); // also: nexfit uow recover
 * ```
 */
export async function recoverInDoubt(
  pg: Kysely<Database>,
  decisions: DecisionLog,
  clock: Clock,
  options: RecoveryOptions = {},
): Promise<RecoveryReport> {
  try {
    return await recoverUnits(pg, decisions, clock, options);
  } catch (error) {
    // A connection lost mid-run (a restart, a failover) is a TransientStoreError: run it again.
    throw toNexfitError(error);
  }
}

async function recoverUnits(pg: Kysely<Database>, decisions: DecisionLog, clock: Clock, options: RecoveryOptions): Promise<RecoveryReport> {
  const olderThanMs = options.olderThanMs ?? 60_000;
  // The server's timestamps have microseconds, the cutoff milliseconds: compare at the cutoff's precision.
  const cutoff = new Date(clock.now().getTime() - olderThanMs);
  const prepared = await sql<{ gid: string }>`
    SELECT gid FROM pg_prepared_xacts
    WHERE database = current_database() AND gid LIKE ${`${UOW_ID_PREFIX}%`} AND date_trunc('milliseconds', prepared) <= ${cutoff}
    ORDER BY prepared`.execute(pg);
  const pending = await pg
    .selectFrom('nexfit_uow_intents')
    .select('unit_id')
    .where('status', '=', 'pending')
    .where(sql<Date>`date_trunc('milliseconds', created_at)`, '<=', cutoff)
    .orderBy('created_at')
    .execute();

  const committed: string[] = [];
  const rolledBack: string[] = [];
  const skipped: string[] = [];
  const resolve = async (unitId: string, finish: (decision: 'commit' | 'abort') => Promise<void>) => {
    let decision: 'commit' | 'abort';
    try {
      decision = await decisions.fenceAbort(unitId, clock.now());
    } catch {
      skipped.push(unitId);
      return;
    }
    await finish(decision);
    (decision === 'commit' ? committed : rolledBack).push(unitId);
  };
  for (const { gid } of prepared.rows) {
    await resolve(gid, (decision) => (decision === 'commit' ? commitPrepared(pg, gid) : rollbackPrepared(pg, gid)));
  }
  for (const { unit_id: unitId } of pending) {
    await resolve(unitId, async (decision) => {
      if (decision === 'commit') {
        await pg.updateTable('nexfit_uow_intents').set(closedIntent('committed')).where('unit_id', '=', unitId).where('status', '=', 'pending').execute();
      } else {
        await compensate(pg, unitId);
      }
    });
  }
  return { examined: prepared.rows.length + pending.length, committed, rolledBack, skipped };
}
