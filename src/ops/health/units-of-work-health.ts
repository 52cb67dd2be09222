import { sql, type Kysely } from 'kysely';
import { detectPreparedTransactions } from '../../stores/postgres/capabilities.js';
import { toNexfitError } from '../../stores/postgres/error-mapping.js';

/** Units of work a crashed coordinator may have left undecided. */
export interface InDoubtUnits {
  /** `max_prepared_transactions > 0`: units of work run as a real two-phase commit. */
  readonly preparedTransactions: { readonly enabled: boolean; readonly maxPreparedTransactions: number };
  /** Prepared transactions of the SDK (`nexfit_uow_…`) older than the grace period. */
  readonly prepared: readonly { readonly gid: string; readonly preparedAt: Date }[];
  /** Ordered-mode intents still `pending` after the grace period. */
  readonly pendingIntents: readonly { readonly unitId: string; readonly createdAt: Date }[];
}

/**
 * The units of work in doubt: what `recoverInDoubt()` (`nexfit uow recover`) would resolve.
 * Younger than `olderThanMs` (default 60 s, MongoDB's transaction lifetime) they may still
 * be committing and are left out.
 *
 * @example
 * ```ts
 * const { prepared, pendingIntents } = await inDoubtUnits(pg);
 * ```
 */
export async function inDoubtUnits(db: Kysely<any>, options: { readonly olderThanMs?: number } = {}): Promise<InDoubtUnits> {
  const seconds = (options.olderThanMs ?? 60_000) / 1_000;
  try {
    const preparedTransactions = await detectPreparedTransactions(db);
    // `_` is a LIKE wildcard: escaped, so only the SDK's own prefix matches.
    const prepared = await sql<{ gid: string; prepared: Date }>`
      SELECT gid, prepared FROM pg_prepared_xacts
      WHERE database = current_database() AND gid LIKE 'nexfit\\_uow\\_%'
        AND prepared <= now() - make_interval(secs => ${seconds})
      ORDER BY prepared`.execute(db);
    const pending = await sql<{ unit_id: string; created_at: Date }>`
      SELECT unit_id, created_at FROM nexfit_uow_intents
      WHERE status = 'pending' AND created_at <= now() - make_interval(secs => ${seconds})
      ORDER BY created_at`.execute(db);
    return {
      preparedTransactions,
      prepared: prepared.rows.map((r) => ({ gid: r.gid, preparedAt: r.prepared })),
      pendingIntents: pending.rows.map((r) => ({ unitId: r.unit_id, createdAt: r.created_at })),
    };
  } catch (error) {
    throw toNexfitError(error);
  }
}
