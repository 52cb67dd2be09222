import { sql, type Kysely } from 'kysely';
import type { JsonObject } from 'type-fest';
import type { UserId } from '../../core/ids.js';
import { jsonTextOf } from '../../stores/postgres/column-values.js';
import type { Database } from '../../stores/postgres/database.js';
import type { UnitOfWork } from '../../uow/unit-of-work.js';
import { PERSONAL_SNAPSHOT_KEYS, type PersonalStrings } from './personal-data-redaction.js';

/** Rows read per round trip while pseudonymising; keyset-paged on the table's identity. */
const BATCH = 200;

/** How many rows of each table the erasure rewrote (rows left as they were are not counted). */
export interface PseudonymisedCounts {
  readonly transactions: number;
  readonly subscriptions: number;
  readonly invoices: number;
  readonly auditLogs: number;
}

/** Billing statuses that would still charge the account: an erased account is never charged again. */
const LIVE_BILLING_STATUSES = ['pending', 'active', 'past_due'] as const;

/**
 * The PostgreSQL half of an erasure. Financial rows stay (Turkish tax law keeps them 5 years,
 * the commercial code 10) with amounts, numbers, currencies and dates intact; their free text
 * and anything matching the user's personal strings go. Audit rows stay and lose the personal
 * data inside their states.
 *
 * The billing repositories deliberately offer no such edit (an issued invoice is never
 * edited, audit history is append-only): erasure is the one lawful exception, so its
 * statements live here, beside the workflow that owns the exception, and nowhere else. Every
 * statement runs on the unit's connection; in `ordered` mode each registers the statement
 * that restores the row, so a unit that fails after PostgreSQL committed is undone.
 *
 * @example
 * ```ts
 * const counts = await pseudonymiseFinancialRecords(uow, userId, known, { subjectEntityIds });
 * ```
 */
export async function pseudonymiseFinancialRecords(
  uow: UnitOfWork,
  userId: UserId,
  known: PersonalStrings,
  scope: { readonly subjectEntityIds: Set<string> },
): Promise<PseudonymisedCounts> {
  const db = uow.ctx.pg;
  const subjects = scope.subjectEntityIds;
  // Archived financial records (`archiveOlderThan({ target: 'billing' })`) are pseudonymised like the hot ones.
  const transactions = (await pseudonymiseTransactions(uow, db, 'transactions', userId, known, subjects)) + (await pseudonymiseTransactions(uow, db, 'transactions_archive', userId, known, subjects));
  const subscriptions = await pseudonymiseSubscriptions(uow, db, userId, known, subjects);
  const invoices = (await pseudonymiseInvoices(uow, db, 'invoices', userId, known, subjects)) + (await pseudonymiseInvoices(uow, db, 'invoices_archive', userId, known, subjects));
  return {
    transactions,
    subscriptions,
    invoices,
    auditLogs: (await redactAuditTable(uow, db, 'audit_logs', userId, known, scope.subjectEntityIds)) + (await redactAuditTable(uow, db, 'audit_logs_archive', userId, known, scope.subjectEntityIds)),
  };
}

async function pseudonymiseTransactions(
  uow: UnitOfWork,
  db: Kysely<Database>,
  table: 'transactions' | 'transactions_archive',
  userId: UserId,
  known: PersonalStrings,
  subjects: Set<string>,
): Promise<number> {
  let changed = 0;
  for (let after = '0'; ; ) {
    const rows = await db.selectFrom(table).select(['id', 'transaction_id', 'description', 'metadata']).where('user_id', '=', userId).where('id', '>', after).orderBy('id').limit(BATCH).execute();
    for (const row of rows) {
      subjects.add(row.transaction_id);
      const metadata = row.metadata === null ? null : known.redactJson(row.metadata, PERSONAL_SNAPSHOT_KEYS);
      // The description is free text typed at payment time (a refund's reason); the invoice lines say what was sold.
      if (row.description === null && metadata === row.metadata) continue;
      await db.updateTable(table).set({ description: null, metadata: jsonTextOf(metadata) }).where('transaction_id', '=', row.transaction_id).execute();
      uow.compensateWith(db.updateTable(table).set({ description: row.description, metadata: jsonTextOf(row.metadata) }).where('transaction_id', '=', row.transaction_id));
      changed++;
    }
    if (rows.length < BATCH) return changed;
    after = rows.at(-1)!.id;
  }
}

async function pseudonymiseSubscriptions(uow: UnitOfWork, db: Kysely<Database>, userId: UserId, known: PersonalStrings, subjects: Set<string>): Promise<number> {
  let changed = 0;
  for (let after = '0'; ; ) {
    const rows = await db
      .selectFrom('subscriptions')
      .select(['id', 'subscription_id', 'status', 'auto_renew', 'metadata'])
      .where('user_id', '=', userId)
      .where('id', '>', after)
      .orderBy('id')
      .limit(BATCH)
      .execute();
    for (const row of rows) {
      subjects.add(row.subscription_id);
      const metadata = row.metadata === null ? null : known.redactJson(row.metadata, PERSONAL_SNAPSHOT_KEYS);
      const live = (LIVE_BILLING_STATUSES as readonly string[]).includes(row.status);
      if (!live && !row.auto_renew && metadata === row.metadata) continue;
      await db
        .updateTable('subscriptions')
        .set({ status: live ? 'cancelled' : row.status, auto_renew: false, metadata: jsonTextOf(metadata) })
        .where('subscription_id', '=', row.subscription_id)
        .execute();
      uow.compensateWith(
        db.updateTable('subscriptions').set({ status: row.status, auto_renew: row.auto_renew, metadata: jsonTextOf(row.metadata) }).where('subscription_id', '=', row.subscription_id),
      );
      changed++;
    }
    if (rows.length < BATCH) return changed;
    after = rows.at(-1)!.id;
  }
}

async function pseudonymiseInvoices(uow: UnitOfWork, db: Kysely<Database>, table: 'invoices' | 'invoices_archive', userId: UserId, known: PersonalStrings, subjects: Set<string>): Promise<number> {
  let changed = 0;
  for (let after = '0'; ; ) {
    const rows = await db.selectFrom(table).select(['id', 'invoice_id', 'invoice_data']).where('user_id', '=', userId).where('id', '>', after).orderBy('id').limit(BATCH).execute();
    for (const row of rows) {
      subjects.add(row.invoice_id);
      // Keys stay (a line keeps its description field, amounts and tax); only matching strings go.
      const data = known.redactJson(row.invoice_data);
      if (data === row.invoice_data) continue;
      await db.updateTable(table).set({ invoice_data: JSON.stringify(data) }).where('invoice_id', '=', row.invoice_id).execute();
      uow.compensateWith(db.updateTable(table).set({ invoice_data: JSON.stringify(row.invoice_data) }).where('invoice_id', '=', row.invoice_id));
      changed++;
    }
    if (rows.length < BATCH) return changed;
    after = rows.at(-1)!.id;
  }
}

/**
 * Redacts the audit rows that concern the user. Rows *about* the user or one of their records
 * (`entity_id` among `subjectEntityIds`) lose every personal key and matching string; rows
 * the user only *acted* in keep their keys (they describe someone else's entity) but lose
 * matching strings, and lose the user's IP address and user agent. The rows themselves stay:
 * the history of who changed what is kept, under the tombstone's id.
 */
async function redactAuditTable(
  uow: UnitOfWork,
  db: Kysely<Database>,
  table: 'audit_logs' | 'audit_logs_archive',
  userId: UserId,
  known: PersonalStrings,
  subjectEntityIds: ReadonlySet<string>,
): Promise<number> {
  const subjects = [...subjectEntityIds];
  let changed = 0;
  for (let after = '0'; ; ) {
    const rows = await db
      .selectFrom(table)
      .select(['id', 'created_at', 'entity_id', 'user_id', 'previous_state', 'new_state', 'ip_address', 'user_agent'])
      .where((eb) => eb.or([eb('user_id', '=', userId), ...(subjects.length ? [eb('entity_id', 'in', subjects)] : [])]))
      .where(sql`id`, '>', sql`${after}::bigint`)
      .orderBy('id')
      .limit(BATCH)
      .execute();
    for (const row of rows) {
      const aboutUser = subjectEntityIds.has(row.entity_id);
      const drop = aboutUser ? PERSONAL_SNAPSHOT_KEYS : undefined;
      const previous = row.previous_state === null ? null : known.redactJson(row.previous_state as JsonObject, drop);
      const next = row.new_state === null ? null : known.redactJson(row.new_state as JsonObject, drop);
      const actedByUser = row.user_id === userId;
      const ip = actedByUser ? null : row.ip_address;
      const agent = actedByUser ? null : row.user_agent;
      if (previous === row.previous_state && next === row.new_state && ip === row.ip_address && agent === row.user_agent) continue;
      const id = String(row.id);
      await db
        .updateTable(table)
        .set({ previous_state: jsonTextOf(previous), new_state: jsonTextOf(next), ip_address: ip, user_agent: agent })
        .where(sql`id`, '=', sql`${id}::bigint`)
        .where('created_at', '=', row.created_at)
        .execute();
      uow.compensateWith(
        db
          .updateTable(table)
          .set({ previous_state: jsonTextOf(row.previous_state), new_state: jsonTextOf(row.new_state), ip_address: row.ip_address, user_agent: row.user_agent })
          .where(sql`id`, '=', sql`${id}::bigint`)
          .where('created_at', '=', row.created_at),
      );
      changed++;
    }
    if (rows.length < BATCH) return changed;
    after = String(rows.at(-1)!.id);
  }
}
