import { sql, type Kysely } from 'kysely';
import { toNexfitError } from './error-mapping.js';

/** Whether the server can run a real two-phase commit (`PREPARE TRANSACTION`). */
export interface PreparedTransactionsCapability {
  /** The server's `max_prepared_transactions`; 0 means `PREPARE TRANSACTION` fails. */
  readonly maxPreparedTransactions: number;
  readonly enabled: boolean;
}

/**
 * Reads `max_prepared_transactions`: the unit of work uses a real two-phase commit when
 * it is above zero and falls back to an ordered commit with compensation otherwise.
 * The setting needs a server restart to change, so one check per pool is enough.
 *
 * @example
 * ```ts
 * const { enabled } = await detectPreparedTransactions(db);
 * ```
 */
export async function detectPreparedTransactions(db: Kysely<any>): Promise<PreparedTransactionsCapability> {
  try {
    const { rows } = await sql<{ max_prepared_transactions: string }>`SHOW max_prepared_transactions`.execute(db);
    const maxPreparedTransactions = Number.parseInt(rows[0]?.max_prepared_transactions ?? '0', 10);
    return { maxPreparedTransactions, enabled: maxPreparedTransactions > 0 };
  } catch (error) {
    throw toNexfitError(error);
  }
}
