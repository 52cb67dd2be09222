import { sql, type Kysely } from 'kysely';
import { ValidationError } from '../../core/errors.js';
import type { InvoicesTable, TransactionsTable } from '../../stores/postgres/database.js';
import { toNexfitError } from '../../stores/postgres/error-mapping.js';
import { INVOICE_STATUSES, type InvoiceStatus } from '../../stores/postgres/enums.js';
import { DEFAULT_ARCHIVE_BATCH_SIZE, type ArchiveOptions, type ArchiveResult } from './archive-options.js';

/** Every column of `transactions`, named so the copy never depends on column order. */
const TRANSACTION_COLUMNS = ['id', 'transaction_id', 'user_id', 'amount', 'currency', 'payment_method', 'transaction_type', 'status', 'description', 'metadata', 'created_at', 'updated_at'] as const satisfies readonly (keyof TransactionsTable)[];
/** Every column of `invoices`. */
const INVOICE_COLUMNS = ['id', 'invoice_id', 'transaction_id', 'subscription_id', 'user_id', 'business_id', 'total_amount', 'tax_amount', 'currency', 'status', 'due_date', 'payment_date', 'invoice_number', 'invoice_data', 'created_at', 'updated_at'] as const satisfies readonly (keyof InvoicesTable)[];

// A column added to either table without being added above fails to compile.
const everyTransactionColumn: [Exclude<keyof TransactionsTable, (typeof TRANSACTION_COLUMNS)[number]>] extends [never] ? true : false = true;
const everyInvoiceColumn: [Exclude<keyof InvoicesTable, (typeof INVOICE_COLUMNS)[number]>] extends [never] ? true : false = true;
void everyTransactionColumn;
void everyInvoiceColumn;

/** Invoices that can still change (be paid, fall overdue, be voided): they and their transaction stay hot. */
const OPEN_INVOICE_STATUSES = ['draft', 'issued', 'overdue'] as const satisfies readonly InvoiceStatus[];
const FINAL_INVOICE_STATUSES = INVOICE_STATUSES.filter((s) => !(OPEN_INVOICE_STATUSES as readonly string[]).includes(s));

const list = (columns: readonly string[], prefix?: string) => sql.join(columns.map((c) => (prefix ? sql.ref(`${prefix}.${c}`) : sql.ref(c))));
const literals = (values: readonly string[]) => sql.join(values.map((v) => sql.lit(v)));

/**
 * Moves settled financial records dated before `options.before` to the archive tables, oldest
 * first: each settled transaction (any status but `pending`) with every invoice that refers to
 * it, unless one of those invoices can still change (draft, issued, overdue); then the final
 * invoices that have no transaction. Each batch is one statement — the rows leave the hot
 * tables and enter the archive together or not at all — so an interruption anywhere (a signal,
 * a crash) loses or duplicates nothing, and the next run goes on. `FOR UPDATE SKIP LOCKED` lets
 * two runs share the work; the archives' unique keys keep a row from being archived twice.
 * Archived rows stay queryable (`TransactionRepository.findArchived`, `listArchivedByUser`,
 * the invoice repository's, exports and erasure) until `purgeBillingArchive` removes them
 * after the legal retention.
 *
 * @example
 * ```ts
 * await archiveOlderThan(stores, { target: 'billing', before: twoYearsAgo, batchSize: 5_000 });
 * ```
 */
export async function archiveBilling(db: Kysely<any>, options: ArchiveOptions): Promise<ArchiveResult> {
  const limit = options.batchSize ?? DEFAULT_ARCHIVE_BATCH_SIZE;
  const before = options.before;
  const open = literals(OPEN_INVOICE_STATUSES);
  const final = literals(FINAL_INVOICE_STATUSES);
  const tx = list(TRANSACTION_COLUMNS);
  const inv = list(INVOICE_COLUMNS);
  let moved = 0;
  let batches = 0;
  try {
    const counted = await sql<{ total: string }>`
      SELECT (SELECT count(*) FROM transactions t WHERE t.created_at < ${before} AND t.status <> 'pending'
                AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.transaction_id = t.transaction_id AND i.status IN (${open})))
           + (SELECT count(*) FROM invoices i WHERE i.transaction_id IN (
                SELECT t.transaction_id FROM transactions t WHERE t.created_at < ${before} AND t.status <> 'pending')
                AND NOT EXISTS (SELECT 1 FROM invoices o WHERE o.transaction_id = i.transaction_id AND o.status IN (${open})))
           + (SELECT count(*) FROM invoices i WHERE i.transaction_id IS NULL AND i.created_at < ${before} AND i.status IN (${final})) AS total`.execute(db);
    const total = Number(counted.rows[0]?.total ?? 0);
    // Transactions with their invoices.
    while (!options.signal?.aborted) {
      const { rows } = await sql<{ transactions: string; invoices: string }>`
        WITH picked AS (
          SELECT t.id FROM transactions t
          WHERE t.created_at < ${before} AND t.status <> 'pending'
            AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.transaction_id = t.transaction_id AND i.status IN (${open}))
          ORDER BY t.created_at, t.id LIMIT ${limit} FOR UPDATE OF t SKIP LOCKED
        ), moved_t AS (
          DELETE FROM transactions t USING picked WHERE t.id = picked.id RETURNING ${list(TRANSACTION_COLUMNS, 't')}
        ), moved_i AS (
          DELETE FROM invoices i USING moved_t WHERE i.transaction_id = moved_t.transaction_id RETURNING ${list(INVOICE_COLUMNS, 'i')}
        ), archived_t AS (
          INSERT INTO transactions_archive (${tx}) SELECT ${tx} FROM moved_t ON CONFLICT DO NOTHING
        ), archived_i AS (
          INSERT INTO invoices_archive (${inv}) SELECT ${inv} FROM moved_i ON CONFLICT DO NOTHING
        )
        SELECT (SELECT count(*) FROM moved_t) AS transactions, (SELECT count(*) FROM moved_i) AS invoices`.execute(db);
      const count = Number(rows[0]?.transactions ?? 0);
      if (count === 0) break;
      moved += count + Number(rows[0]?.invoices ?? 0);
      batches += 1;
      options.onProgress?.(moved, total);
    }
    // Final invoices that belong to no transaction (issued and voided by hand, for example).
    while (!options.signal?.aborted) {
      const { rows } = await sql<{ moved: string }>`
        WITH moved AS (
          DELETE FROM invoices WHERE id IN (
            SELECT id FROM invoices WHERE transaction_id IS NULL AND created_at < ${before} AND status IN (${final})
            ORDER BY created_at, id LIMIT ${limit} FOR UPDATE SKIP LOCKED)
          RETURNING ${inv}
        ), archived AS (
          INSERT INTO invoices_archive (${inv}) SELECT ${inv} FROM moved ON CONFLICT DO NOTHING
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

/** Options of {@link purgeBillingArchive}. */
export interface BillingRetentionOptions {
  /**
   * Years archived financial records are kept, counted from their creation. Default 10 (the
   * Turkish commercial code, TTK 82; the tax procedure law, VUK 253, asks for 5). Less than 5
   * is refused.
   */
  readonly retentionYears?: number;
  /** The instant the retention is counted back from (default: now). */
  readonly now?: Date;
  /** Rows deleted per statement (default 500). */
  readonly batchSize?: number;
}

/**
 * Deletes archived transactions and invoices older than the retention, for good — the only
 * way financial records leave the SDK's stores. Resumable: each batch is one statement.
 *
 * @example
 * ```ts
 * const { invoices, transactions } = await purgeBillingArchive(nexfit.pg, { retentionYears: 10 });
 * ```
 */
export async function purgeBillingArchive(db: Kysely<any>, options: BillingRetentionOptions = {}): Promise<{ readonly transactions: number; readonly invoices: number; readonly before: Date }> {
  const years = options.retentionYears ?? 10;
  if (!Number.isInteger(years) || years < 5 || years > 100) {
    throw new ValidationError('Financial records are kept at least 5 years', [{ path: ['retentionYears'], code: 'too_small', message: 'Give a whole number of years from 5 to 100' }]);
  }
  const now = options.now ?? new Date();
  const before = new Date(Date.UTC(now.getUTCFullYear() - years, now.getUTCMonth(), now.getUTCDate()));
  const limit = options.batchSize ?? DEFAULT_ARCHIVE_BATCH_SIZE;
  const purge = async (table: 'invoices_archive' | 'transactions_archive', key: 'invoice_id' | 'transaction_id') => {
    let removed = 0;
    for (;;) {
      const result = await sql`DELETE FROM ${sql.table(table)} WHERE ${sql.ref(key)} IN (SELECT ${sql.ref(key)} FROM ${sql.table(table)} WHERE created_at < ${before} LIMIT ${limit})`.execute(db);
      const count = Number(result.numAffectedRows ?? 0);
      removed += count;
      if (count < limit) return removed;
    }
  };
  try {
    const invoices = await purge('invoices_archive', 'invoice_id');
    const transactions = await purge('transactions_archive', 'transaction_id');
    return { transactions, invoices, before };
  } catch (error) {
    throw toNexfitError(error);
  }
}
