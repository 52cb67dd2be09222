import { sql, type Kysely } from 'kysely';
import { ObjectId, type Db } from 'mongodb';
import type { JsonObject } from 'type-fest';
import type { Clock } from '../../core/clock.js';
import { decimalToMinor } from '../../core/money.js';
import type { BusinessId } from '../../core/ids.js';
import { DEFAULT_TIME_ZONE } from '../../core/schema-primitives.js';
import type { AnalyticsService } from '../../modules/analytics/analytics.service.js';
import type { AnalyticsDailyRepository } from '../../modules/analytics/analytics-daily.repository.js';
import type { AuditLogRepository } from '../../modules/audit/audit-log.repository.js';
import { calendarDateIn } from '../../modules/billing/billing.service.js';
import type { PaymentIntentRepository } from '../../modules/billing/payment-intent.repository.js';
import type { Database } from '../../stores/postgres/database.js';
import type { Outbox } from '../../uow/outbox.js';

/** The comparisons `nexfit.reconcile()` runs. */
export const RECONCILE_CHECKS = ['payments', 'invoices', 'billing', 'analytics', 'outbox', 'intents', 'invoiceSeries'] as const;
/** One comparison of `nexfit.reconcile()`. */
export type ReconcileCheck = (typeof RECONCILE_CHECKS)[number];

/** What disagrees, by kind. Each finding names the ids on both sides. */
export type ReconcileFindingKind =
  /** A member subscription's payment points at a `transactions` row that does not exist. */
  | 'payment_without_transaction'
  /** A member subscription's payment and its `transactions` row disagree on amount or currency. */
  | 'payment_mismatch'
  /** A purchase or renewal transaction of a membership is in no member subscription's payment history. */
  | 'transaction_without_payment'
  /** A completed purchase, renewal or refund has no (non-void) invoice. */
  | 'transaction_without_invoice'
  /** A paid invoice or credit note has no transaction. */
  | 'invoice_without_transaction'
  /** An invoice's total differs from its transaction's amount. */
  | 'invoice_amount_mismatch'
  /** A billing subscription names a member subscription that does not exist. */
  | 'billing_without_member_subscription'
  /** A billing subscription's status, end date or auto-renewal differs from its member subscription's. */
  | 'billing_mismatch'
  /** A stored `analytics_daily` row differs from a recomputation from the sources (or one of them is missing). */
  | 'analytics_mismatch'
  /** An outbox event was never delivered. */
  | 'undelivered_event'
  /** A payment intent is unfinished past the grace period. */
  | 'open_payment_intent'
  /** A number of an invoice series was taken and is neither an issued nor a voided invoice. */
  | 'invoice_number_gap'
  /** A row or document the SDK cannot read (foreign, hand-edited or corrupted). */
  | 'unreadable_row';

/** One disagreement between the stores. */
export interface ReconcileFinding {
  readonly check: ReconcileCheck;
  readonly kind: ReconcileFindingKind;
  /** The ids involved, by name (`memberSubscriptionId`, `transactionId`, `invoiceId`, …). */
  readonly ids: Readonly<Record<string, string>>;
  readonly detail: string;
  /** Whether `repair` can fix it: it has exactly one correct answer. */
  readonly repairable: boolean;
  /** Set when this run repaired it. */
  readonly repaired?: boolean;
}

/** What `nexfit.reconcile()` found. */
export interface ReconcileReport {
  readonly checks: Readonly<Record<ReconcileCheck, { readonly scanned: number; readonly findings: number }>>;
  /** Findings, at most `maxFindings` (see `truncated`); `onFinding` sees every one. */
  readonly findings: readonly ReconcileFinding[];
  readonly truncated: boolean;
  readonly repaired: number;
  /** No disagreement found (repaired ones count as found). */
  readonly ok: boolean;
}

/** Progress of a running reconciliation. */
export interface ReconcileProgress {
  readonly check: ReconcileCheck;
  readonly scanned: number;
}

/** Options of `nexfit.reconcile()`. */
export interface ReconcileOptions {
  /** Fix what has exactly one correct answer, with an audit row per repair. Default `false`. */
  readonly repair?: boolean;
  /** Which comparisons to run; all by default. */
  readonly checks?: readonly ReconcileCheck[];
  /** Days (`YYYY-MM-DD`) whose `analytics_daily` rows are recomputed and compared; default yesterday (UTC). */
  readonly analyticsDays?: readonly string[];
  /** Outbox events and payment intents younger than this are still in flight. Default 5 minutes. */
  readonly graceMs?: number;
  /** Rows or documents per batch. Default 500. */
  readonly batchSize?: number;
  /** Findings kept in the report. Default 1000. */
  readonly maxFindings?: number;
  /** Called as rows and documents are scanned (the CLI draws its progress bar from it). */
  readonly onProgress?: (progress: ReconcileProgress) => void;
  /** Called with every finding, also those past `maxFindings`. */
  readonly onFinding?: (finding: ReconcileFinding) => void;
}

/** What reconciliation reads and repairs with. */
export interface ReconcileDeps {
  readonly db: Db;
  readonly pg: Kysely<Database>;
  readonly clock: Clock;
  readonly analytics: Pick<AnalyticsService, 'recompute' | 'rollupDay'>;
  readonly analyticsDaily: Pick<AnalyticsDailyRepository, 'listByBusiness'>;
  readonly auditLogs: Pick<AuditLogRepository, 'record'>;
  readonly outbox: Pick<Outbox, 'relay'>;
  readonly intents: Pick<PaymentIntentRepository, 'eachUnfinished'>;
  /** Drives open payment intents to an end (recovery); absent without a payment provider. */
  readonly recoverPaymentIntents?: (options: { olderThanMs: number }) => Promise<unknown>;
}

/**
 * The design document's periodic synchronisation between the two databases: compares what
 * each store says about the same money and memberships and reports every disagreement with
 * its kind and ids. It streams (batches by key, constant memory whatever the size), never
 * deletes anything, and reads rows it cannot parse as findings (`unreadable_row`) instead of
 * failing. With `repair`, what has one correct answer is fixed — a billing row brought back
 * to its member subscription, an `analytics_daily` day rolled up again, an undelivered event
 * relayed, an open payment intent recovered — each with an audit row (`reconcile_repair`);
 * the rest stays reported for a person. See docs/operations.md, "Reconciliation".
 *
 * @example
 * ```ts
 * const report = await nexfit.reconcile({ repair: true, analyticsDays: ['2026-03-01'] });
 * if (!report.ok) console.log(report.findings);
 * ```
 */
export async function reconcile(deps: ReconcileDeps, options: ReconcileOptions = {}): Promise<ReconcileReport> {
  const run = new ReconcileRun(deps, options);
  const checks = options.checks ?? RECONCILE_CHECKS;
  if (checks.includes('payments')) await run.payments();
  if (checks.includes('invoices')) await run.invoices();
  if (checks.includes('billing')) await run.billing();
  if (checks.includes('analytics')) await run.analytics();
  if (checks.includes('outbox')) await run.outbox();
  if (checks.includes('intents')) await run.intents();
  if (checks.includes('invoiceSeries')) await run.invoiceSeries();
  return run.report();
}

const SUBSCRIPTION_STATUS_OF_MEMBER: Readonly<Record<string, readonly string[]>> = {
  active: ['active', 'past_due'],
  pending: ['pending'],
  cancelled: ['cancelled'],
  expired: ['expired'],
};

class ReconcileRun {
  readonly #deps: ReconcileDeps;
  readonly #options: ReconcileOptions;
  readonly #batch: number;
  readonly #graceMs: number;
  readonly #findings: ReconcileFinding[] = [];
  readonly #counts = Object.fromEntries(RECONCILE_CHECKS.map((c) => [c, { scanned: 0, findings: 0 }])) as Record<ReconcileCheck, { scanned: number; findings: number }>;
  #truncated = false;
  #repaired = 0;

  constructor(deps: ReconcileDeps, options: ReconcileOptions) {
    this.#deps = deps;
    this.#options = options;
    this.#batch = options.batchSize ?? 500;
    this.#graceMs = options.graceMs ?? 5 * 60_000;
  }

  report(): ReconcileReport {
    const total = RECONCILE_CHECKS.reduce((n, c) => n + this.#counts[c].findings, 0);
    return { checks: this.#counts, findings: this.#findings, truncated: this.#truncated, repaired: this.#repaired, ok: total === 0 };
  }

  /** Member subscriptions' payment histories against `transactions`, both ways. */
  async payments(): Promise<void> {
    const subscriptions = this.#deps.db.collection('member_subscriptions');
    const cursor = subscriptions.find({}, { projection: { paymentHistory: 1 }, batchSize: this.#batch }).sort({ _id: 1 });
    let chunk: { id: string; payments: { transactionId: string; amount: number; currency: string }[] }[] = [];
    const flush = async () => {
      const ids = chunk.flatMap((s) => s.payments.map((p) => p.transactionId));
      const rows = ids.length
        ? await this.#deps.pg
            .selectFrom('transactions')
            .select(['transaction_id', 'amount', 'currency'])
            .where('transaction_id', 'in', ids)
            // A payment of years ago may have moved to the archive with its invoice: still there.
            .unionAll(this.#deps.pg.selectFrom('transactions_archive').select(['transaction_id', 'amount', 'currency']).where('transaction_id', 'in', ids))
            .execute()
        : [];
      const byId = new Map(rows.map((r) => [r.transaction_id, r]));
      for (const s of chunk) {
        for (const p of s.payments) {
          const row = byId.get(p.transactionId);
          if (!row) {
            this.#find('payments', 'payment_without_transaction', { memberSubscriptionId: s.id, transactionId: p.transactionId }, 'the payment history names a transaction PostgreSQL does not have');
          } else if (minorOf(row.amount) !== p.amount || row.currency !== p.currency) {
            this.#find('payments', 'payment_mismatch', { memberSubscriptionId: s.id, transactionId: p.transactionId }, `payment history ${p.amount} ${p.currency}, transaction ${row.amount} ${row.currency}`);
          }
        }
      }
      this.#scanned('payments', chunk.length);
      chunk = [];
    };
    for await (const doc of cursor) {
      const id = String(doc['_id']);
      const history = doc['paymentHistory'];
      const payments = Array.isArray(history) ? history.filter(isPaymentEntry) : [];
      if (!Array.isArray(history) || payments.length !== history.length) {
        this.#find('payments', 'unreadable_row', { collection: 'member_subscriptions', id }, 'paymentHistory is not a list of { transactionId, amount, currency }');
      }
      chunk.push({ id, payments });
      if (chunk.length >= this.#batch) await flush();
    }
    await flush();

    // The other way: every membership payment in PostgreSQL appears in a payment history.
    await this.#keyset('payments', 'transactions', async (after) => {
      const rows = await this.#deps.pg
        .selectFrom('transactions')
        .select(['id', 'transaction_id', 'user_id', sql<string | null>`metadata->>'membershipId'`.as('membership_id')])
        .where('id', '>', after)
        .where('transaction_type', 'in', ['purchase', 'renewal'])
        .where('status', '<>', 'failed')
        .orderBy('id')
        .limit(this.#batch)
        .execute();
      const membershipPayments = rows.filter((r) => r.membership_id !== null).map((r) => r.transaction_id);
      if (membershipPayments.length) {
        const found = new Set<string>();
        const docs = subscriptions.find({ 'paymentHistory.transactionId': { $in: membershipPayments } }, { projection: { 'paymentHistory.transactionId': 1 } });
        for await (const doc of docs) {
          for (const p of Array.isArray(doc['paymentHistory']) ? doc['paymentHistory'] : []) if (isRecord(p) && typeof p['transactionId'] === 'string') found.add(p['transactionId']);
        }
        for (const r of rows) {
          if (r.membership_id !== null && !found.has(r.transaction_id)) {
            this.#find('payments', 'transaction_without_payment', { transactionId: r.transaction_id, userId: r.user_id, membershipId: r.membership_id }, 'a membership payment in PostgreSQL that no member subscription records');
          }
        }
      }
      return rows.map((r) => r.id);
    });
  }

  /** Invoices against transactions (PostgreSQL only, set-based, in key order). */
  async invoices(): Promise<void> {
    await this.#keyset('invoices', 'transactions', async (after) => {
      const rows = await this.#deps.pg
        .selectFrom('transactions as t')
        .leftJoin('invoices as i', (join) => join.onRef('i.transaction_id', '=', 't.transaction_id').on('i.status', '<>', 'void'))
        .select(['t.id', 't.transaction_id', 't.amount', 't.status', 't.transaction_type', 'i.invoice_id', 'i.total_amount'])
        .where('t.id', '>', after)
        .orderBy('t.id')
        .limit(this.#batch)
        .execute();
      for (const r of rows) {
        const invoiced = r.status === 'completed' || r.status === 'refunded' || r.status === 'partially_refunded';
        if (invoiced && r.transaction_type !== 'program_purchase' && r.transaction_type !== 'package_purchase' && r.invoice_id === null) {
          this.#find('invoices', 'transaction_without_invoice', { transactionId: r.transaction_id }, `a ${r.status} ${r.transaction_type} without an invoice`);
        } else if (r.invoice_id !== null && r.total_amount !== null && minorOf(r.total_amount) !== minorOf(r.amount)) {
          this.#find('invoices', 'invoice_amount_mismatch', { transactionId: r.transaction_id, invoiceId: r.invoice_id }, `invoice total ${r.total_amount}, transaction ${r.amount}`);
        }
      }
      return rows.map((r) => r.id);
    });
    await this.#keyset('invoices', 'invoices', async (after) => {
      const rows = await this.#deps.pg
        .selectFrom('invoices')
        .select(['id', 'invoice_id', 'invoice_number', 'status'])
        .where('id', '>', after)
        .where('transaction_id', 'is', null)
        .where('status', 'in', ['paid', 'credit_note', 'refunded'])
        .orderBy('id')
        .limit(this.#batch)
        .execute();
      for (const r of rows) this.#find('invoices', 'invoice_without_transaction', { invoiceId: r.invoice_id, invoiceNumber: r.invoice_number }, `a ${r.status} invoice without a transaction`);
      return rows.map((r) => r.id);
    }, false);
  }

  /** Billing subscriptions against their member subscriptions. */
  async billing(): Promise<void> {
    const members = this.#deps.db.collection('member_subscriptions');
    await this.#keyset('billing', 'subscriptions', async (after) => {
      const rows = await this.#deps.pg
        .selectFrom('subscriptions')
        .select(['id', 'subscription_id', 'status', 'end_date', 'auto_renew', sql<string | null>`metadata->>'memberSubscriptionId'`.as('member_subscription_id')])
        .where('id', '>', after)
        .orderBy('id')
        .limit(this.#batch)
        .execute();
      const objectIds = rows.map((r) => r.member_subscription_id).filter((id): id is string => id !== null && ObjectId.isValid(id) && /^[0-9a-f]{24}$/.test(id)).map((id) => new ObjectId(id));
      const docs = new Map<string, Record<string, unknown>>();
      if (objectIds.length) {
        for await (const doc of members.find({ _id: { $in: objectIds } }, { projection: { status: 1, endDate: 1, autoRenew: 1 } })) docs.set(String(doc['_id']), doc);
      }
      for (const r of rows) {
        const ids = { subscriptionId: r.subscription_id, memberSubscriptionId: r.member_subscription_id ?? '' };
        if (r.member_subscription_id === null || !/^[0-9a-f]{24}$/.test(r.member_subscription_id)) {
          this.#find('billing', 'unreadable_row', { table: 'subscriptions', subscriptionId: r.subscription_id }, 'metadata.memberSubscriptionId is missing or not an id');
          continue;
        }
        const member = docs.get(r.member_subscription_id);
        if (!member) {
          this.#find('billing', 'billing_without_member_subscription', ids, 'the member subscription does not exist');
          continue;
        }
        const status = member['status'];
        const endDate = member['endDate'];
        if (typeof status !== 'string' || !(endDate instanceof Date) || typeof member['autoRenew'] !== 'boolean') {
          this.#find('billing', 'unreadable_row', { collection: 'member_subscriptions', id: r.member_subscription_id }, 'status, endDate or autoRenew has an unexpected type');
          continue;
        }
        const wantedEnd = calendarDateIn(endDate, DEFAULT_TIME_ZONE);
        const statusAgrees = (SUBSCRIPTION_STATUS_OF_MEMBER[status] ?? []).includes(r.status);
        const autoRenew = member['autoRenew'];
        if (statusAgrees && r.end_date === wantedEnd && r.auto_renew === autoRenew) continue;
        const repairedStatus = statusAgrees ? r.status : (SUBSCRIPTION_STATUS_OF_MEMBER[status]?.[0] ?? null);
        const detail = `billing ${r.status}/${r.end_date}/autoRenew ${r.auto_renew}, member subscription ${status}/${wantedEnd}/autoRenew ${autoRenew}`;
        const repairable = repairedStatus !== null;
        const repaired = repairable && this.#options.repair
          ? await this.#repair('subscriptions', r.subscription_id, { status: r.status, endDate: r.end_date, autoRenew: r.auto_renew }, { status: repairedStatus, endDate: wantedEnd, autoRenew }, async () => {
              await this.#deps.pg
                .updateTable('subscriptions')
                .set({ status: repairedStatus as never, end_date: wantedEnd, auto_renew: autoRenew })
                .where('subscription_id', '=', r.subscription_id)
                .execute();
            })
          : false;
        this.#find('billing', 'billing_mismatch', ids, detail, repairable, repaired);
      }
      return rows.map((r) => r.id);
    });
  }

  /** `analytics_daily` against a recomputation of the chosen days. */
  async analytics(): Promise<void> {
    const yesterday = new Date(this.#deps.clock.now().getTime() - 86_400_000).toISOString().slice(0, 10);
    const fields = ['newMembers', 'activeMembers', 'totalRevenue', 'classAttendance', 'subscriptionRenewals', 'subscriptionCancellations'] as const;
    for (const date of this.#options.analyticsDays ?? [yesterday]) {
      const expected = await this.#deps.analytics.recompute({ date });
      for (const row of expected) {
        const businessId = String(row.businessId);
        const stored = (await this.#deps.analyticsDaily.listByBusiness(row.businessId as BusinessId, { from: date, to: date }))[0] ?? null;
        this.#scanned('analytics', 1);
        const differs = stored === null ? ['missing'] : fields.filter((f) => Number(stored[f] ?? 0) !== Number(row[f] ?? 0));
        if (differs.length === 0) continue;
        const detail = stored === null ? 'no stored row for a business with activity to roll up' : differs.map((f) => `${f}: stored ${String(stored[f as (typeof fields)[number]])}, recomputed ${String(row[f as (typeof fields)[number]])}`).join('; ');
        if (stored === null && fields.every((f) => Number(row[f] ?? 0) === 0)) continue;
        const repaired = this.#options.repair
          ? await this.#repair('analytics_daily', `${businessId}:${date}`, stored ? pick(stored, fields) : null, pick(row, fields), async () => {
              await this.#deps.analytics.rollupDay({ date, businessId });
            })
          : false;
        this.#find('analytics', 'analytics_mismatch', { businessId, date }, detail, true, repaired);
      }
    }
  }

  /** Events committed and never delivered. */
  async outbox(): Promise<void> {
    await this.#keyset('outbox', 'nexfit_outbox', async (after) => {
      const rows = await this.#deps.pg
        .selectFrom('nexfit_outbox')
        .select(['id', 'event_id', 'type', 'created_at'])
        .where('id', '>', after)
        .where('published_at', 'is', null)
        .where('created_at', '<=', sql<Date>`now() - make_interval(secs => ${this.#graceMs / 1000})`)
        .orderBy('id')
        .limit(this.#batch)
        .execute();
      if (rows.length && this.#options.repair) {
        const relayed = await this.#deps.outbox.relay({ eventIds: rows.map((r) => r.event_id) });
        for (const r of rows) this.#find('outbox', 'undelivered_event', { eventId: r.event_id, type: r.type }, `committed ${r.created_at.toISOString()}, never delivered`, true, relayed.failed === 0);
        if (relayed.delivered > 0) await this.#audit('nexfit_outbox', 'relay', { delivered: relayed.delivered, failed: relayed.failed, eventIds: rows.map((r) => r.event_id) });
        this.#repaired += relayed.delivered;
      } else {
        for (const r of rows) this.#find('outbox', 'undelivered_event', { eventId: r.event_id, type: r.type }, `committed ${r.created_at.toISOString()}, never delivered`, true);
      }
      return rows.map((r) => r.id);
    });
  }

  /** Payment intents unfinished past the grace period (recovery's work). */
  async intents(): Promise<void> {
    const open: { intentId: string; key: string; status: string; lastError: string | null }[] = [];
    for await (const i of this.#deps.intents.eachUnfinished(this.#graceMs, this.#batch)) {
      this.#scanned('intents', 1);
      open.length < (this.#options.maxFindings ?? 1000) && open.push({ intentId: i.intentId, key: i.idempotencyKey, status: i.status, lastError: i.lastError });
    }
    let repaired = false;
    if (open.length && this.#options.repair && this.#deps.recoverPaymentIntents) {
      await this.#deps.recoverPaymentIntents({ olderThanMs: this.#graceMs });
      await this.#audit('nexfit_payment_intents', 'recover', { intentIds: open.map((o) => o.intentId) });
      repaired = true;
    }
    for (const o of open) {
      this.#find('intents', 'open_payment_intent', { intentId: o.intentId, idempotencyKey: o.key }, `${o.status}${o.lastError ? ` (last error: ${o.lastError.slice(0, 200)})` : ''}`, this.#deps.recoverPaymentIntents !== undefined, repaired);
    }
    if (repaired) this.#repaired += open.length;
  }

  /** Every number of every invoice series, 1..last taken, is an issued or a voided invoice. */
  async invoiceSeries(): Promise<void> {
    const series = await this.#deps.pg
      .selectFrom('nexfit_invoice_sequences as s')
      .innerJoin('nexfit_invoice_sequences as c', (join) => join.onRef('c.business_id', '=', 's.business_id').on('c.year', '=', 0))
      .select(['s.business_id', 's.year', 's.last_value', 'c.last_value as code'])
      .where('s.year', '>', 0)
      .execute();
    for (const s of series) {
      this.#scanned('invoiceSeries', 1);
      const missing = await sql<{ n: number }>`
        SELECT n FROM generate_series(1, ${s.last_value}::int) AS n
        WHERE NOT EXISTS (
          SELECT 1 FROM invoices
          WHERE business_id = ${s.business_id}
            AND invoice_number = ${`${s.year}-${String(s.code).padStart(6, '0')}-`} || CASE WHEN n >= 100000 THEN n::text ELSE lpad(n::text, 6, '0') END
        ) AND NOT EXISTS (
          SELECT 1 FROM invoices_archive
          WHERE business_id = ${s.business_id}
            AND invoice_number = ${`${s.year}-${String(s.code).padStart(6, '0')}-`} || CASE WHEN n >= 100000 THEN n::text ELSE lpad(n::text, 6, '0') END
        )
        ORDER BY n LIMIT 100`.execute(this.#deps.pg);
      for (const { n } of missing.rows) {
        this.#find('invoiceSeries', 'invoice_number_gap', { businessId: s.business_id, year: String(s.year), sequence: String(n) }, `number ${n} of ${s.last_value} taken in ${s.year} is neither issued nor voided`);
      }
    }
  }

  async #keyset(check: ReconcileCheck, _table: string, page: (after: string) => Promise<readonly string[]>, count = true): Promise<void> {
    let after = '0';
    for (;;) {
      const ids = await page(after);
      if (count) this.#scanned(check, ids.length);
      if (ids.length < this.#batch) return;
      after = ids[ids.length - 1]!;
    }
  }

  #scanned(check: ReconcileCheck, n: number): void {
    this.#counts[check].scanned += n;
    this.#options.onProgress?.({ check, scanned: this.#counts[check].scanned });
  }

  #find(check: ReconcileCheck, kind: ReconcileFindingKind, ids: Record<string, string>, detail: string, repairable = false, repaired = false): void {
    const finding: ReconcileFinding = { check, kind, ids, detail, repairable, ...(repaired ? { repaired } : {}) };
    this.#counts[check].findings += 1;
    this.#options.onFinding?.(finding);
    if (this.#findings.length < (this.#options.maxFindings ?? 1000)) this.#findings.push(finding);
    else this.#truncated = true;
  }

  async #repair(entityType: string, entityId: string, before: JsonObject | null, after: JsonObject, fix: () => Promise<void>): Promise<boolean> {
    await fix();
    await this.#audit(entityType, entityId, { before, after });
    this.#repaired += 1;
    return true;
  }

  async #audit(entityType: string, entityId: string, state: JsonObject): Promise<void> {
    await this.#deps.auditLogs.record({ entityType, entityId, userId: null, action: 'reconcile_repair', previousState: null, newState: state, ipAddress: null, userAgent: null });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPaymentEntry(value: unknown): value is { transactionId: string; amount: number; currency: string } {
  return isRecord(value) && typeof value['transactionId'] === 'string' && Number.isSafeInteger(value['amount']) && typeof value['currency'] === 'string';
}

function minorOf(decimal: string): number {
  try {
    return decimalToMinor(decimal);
  } catch {
    return Number.NaN;
  }
}

function pick(row: object, fields: readonly string[]): JsonObject {
  const record = row as Record<string, unknown>;
  return Object.fromEntries(fields.map((f) => [f, (record[f] ?? null) as JsonObject[string]]));
}
