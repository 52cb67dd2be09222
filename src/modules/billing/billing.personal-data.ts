import { sql, type Kysely } from 'kysely';
import type { UserId } from '../../core/ids.js';
import { PERSONAL_SNAPSHOT_KEYS, type PersonalStrings } from '../../core/personal-data-redaction.js';
import { jsonTextOf } from '../../stores/postgres/column-values.js';
import type { Database } from '../../stores/postgres/database.js';
import type { UnitOfWork } from '../../uow/unit-of-work.js';
import { jsonOfAll, type PersonalDataContributor, type PersonalDataDeclaration } from '../personal-data.js';
import type { InvoiceRepository } from './invoice.repository.js';
import type { SubscriptionRepository } from './subscription.repository.js';
import type { TransactionRepository } from './transaction.repository.js';

/** Rows read per round trip while pseudonymising; keyset-paged on the table's identity. */
const BATCH = 200;

/** Billing statuses that would still charge the account: an erased account is never charged again. */
const LIVE_BILLING_STATUSES = ['pending', 'active', 'past_due'] as const;

/** The billing module's user-linked data: the user's financial records, hot and archived. */
export const BILLING_PERSONAL_DATA = {
  module: 'billing',
  holds: [
    { store: 'postgres', name: 'transactions' },
    { store: 'postgres', name: 'transactions_archive' },
    { store: 'postgres', name: 'subscriptions' },
    { store: 'postgres', name: 'invoices' },
    { store: 'postgres', name: 'invoices_archive' },
    {
      store: 'postgres',
      name: 'nexfit_payment_intents',
    },
  ],
} as const satisfies PersonalDataDeclaration;

/**
 * The billing module's part in export and erasure. The export holds the user's transactions
 * and invoices (the hot ones, then the archived ones) and billing subscriptions.
 *
 * On erasure financial rows stay (Turkish tax law keeps them 5 years, the commercial code
 * 10) with amounts, numbers, currencies and dates intact; their free text and anything
 * matching the user's personal strings go, and a live billing subscription is cancelled.
 * The billing repositories deliberately offer no such edit (an issued invoice is never
 * edited): erasure is the one lawful exception, so its statements live here and nowhere
 * else. Every statement runs on the unit's connection and registers the statement that
 * restores the row, so a unit that fails after PostgreSQL committed is undone.
 *
 * @example
 * ```ts
 * const contributor = billingPersonalData({ transactions: billing.transactions, subscriptions: billing.subscriptions, invoices: billing.invoices });
 * ```
 */
export function billingPersonalData(repositories: {
  readonly transactions: TransactionRepository;
  readonly subscriptions: SubscriptionRepository;
  readonly invoices: InvoiceRepository;
}): PersonalDataContributor {
  const { transactions, subscriptions, invoices } = repositories;
  return {
    ...BILLING_PERSONAL_DATA,
    async export(userId) {
      // Archived financial records are the user's too: the export holds the hot ones, then the archived ones.
      return {
        transactions: [...(await jsonOfAll((p) => transactions.listByUser(userId, {}, p))), ...(await jsonOfAll((p) => transactions.listArchivedByUser(userId, p)))],
        billingSubscriptions: await jsonOfAll((p) => subscriptions.listByUser(userId, {}, p)),
        invoices: [...(await jsonOfAll((p) => invoices.listByUser(userId, {}, p))), ...(await jsonOfAll((p) => invoices.listArchivedByUser(userId, p)))],
      };
    },
    async redactRetained(userId, { uow, known, subjectIds }) {
      const db = uow.ctx.pg;
      await forgetIntentOrigins(uow, db, userId);
      // Archived financial records (`archiveOlderThan({ target: 'billing' })`) are pseudonymised like the hot ones.
      return {
        retained: {
          transactions: (await pseudonymiseTransactions(uow, db, 'transactions', userId, known, subjectIds)) + (await pseudonymiseTransactions(uow, db, 'transactions_archive', userId, known, subjectIds)),
          subscriptions: await pseudonymiseSubscriptions(uow, db, userId, known, subjectIds),
          invoices: (await pseudonymiseInvoices(uow, db, 'invoices', userId, known, subjectIds)) + (await pseudonymiseInvoices(uow, db, 'invoices_archive', userId, known, subjectIds)),
        },
      };
    },
  };
}

/**
 * Payment intents are the short-lived record of a payment while it is with the provider
 * (amounts and the ids of what was bought; housekeeping purges them once closed), but they
 * keep the origin of the request that opened them: its IP address and user agent go, the
 * actor id (a pseudonym now) and the request id stay for recovery's audit rows.
 */
async function forgetIntentOrigins(uow: UnitOfWork, db: Kysely<Database>, userId: UserId): Promise<void> {
  const rows = await db
    .selectFrom('nexfit_payment_intents')
    .select(['idempotency_key', 'request_context'])
    .where('user_id', '=', userId)
    .where(sql<boolean>`request_context ?| array['ipAddress', 'userAgent']`)
    .execute();
  for (const row of rows) {
    await db
      .updateTable('nexfit_payment_intents')
      .set({ request_context: sql`request_context - 'ipAddress' - 'userAgent'` })
      .where('idempotency_key', '=', row.idempotency_key)
      .execute();
    uow.compensateWith(db.updateTable('nexfit_payment_intents').set({ request_context: jsonTextOf(row.request_context) }).where('idempotency_key', '=', row.idempotency_key));
  }
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
