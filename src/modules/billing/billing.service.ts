import { sql } from 'kysely';
import { Temporal } from 'temporal-polyfill';
import type { JsonObject } from 'type-fest';
import { z } from 'zod';
import { ConflictError, NotFoundError } from '../../core/errors.js';
import { idSchema, type BusinessId, type UserId } from '../../core/ids.js';
import { minorToDecimal, type MinorUnits } from '../../core/money.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { DEFAULT_TIME_ZONE, instantSchema, longTextSchema, safeKeySchema } from '../../core/schema-primitives.js';
import { parseOrThrow } from '../../core/validation.js';
import { updatedAtEquals } from '../../stores/postgres/postgres-repository.js';
import type { UnitOfWork } from '../../uow/unit-of-work.js';
import { inUnitOfWork } from '../../uow/unit-runner.js';
import { auditSnapshot, type AuditTrail } from '../audit/audit-trail.js';
import type { ServiceDeps } from '../service-deps.js';
import type { IdempotencyKeyRepository, IdempotencyRecord } from './idempotency-key.repository.js';
import type { InvoiceRepository, InvoiceUserFilter } from './invoice.repository.js';
import { invoiceSchema, type Invoice } from './invoice.schema.js';
import type { SubscriptionRepository } from './subscription.repository.js';
import { subscriptionSchema, type BillingCycle, type Subscription } from './subscription.schema.js';
import { splitInclusiveTax, defaultTaxRatePolicy, type TaxRatePolicy } from './tax.js';
import type { TransactionRepository, TransactionUserFilter } from './transaction.repository.js';
import { transactionSchema, type PaymentMethod, type Transaction } from './transaction.schema.js';

/** How long a purchase's idempotency key replays its result. */
export const IDEMPOTENCY_TTL_MS = 30 * 24 * 60 * 60 * 1000;

/** The calendar day of `instant` in `timeZone` (`YYYY-MM-DD`), for `DATE` columns. */
export function calendarDateIn(instant: Date, timeZone: string = DEFAULT_TIME_ZONE): string {
  return Temporal.Instant.fromEpochMilliseconds(instant.getTime()).toZonedDateTimeISO(timeZone).toPlainDate().toString();
}

/** The billing cycle of a membership duration; anything irregular bills `one_time` per period. */
export function billingCycleOf(duration: { readonly value: number; readonly unit: 'day' | 'week' | 'month' | 'year' }): BillingCycle {
  const { value, unit } = duration;
  if (unit === 'day' && value === 1) return 'daily';
  if (unit === 'week' && value === 1) return 'weekly';
  if (unit === 'month' && value === 1) return 'monthly';
  if (unit === 'month' && value === 3) return 'quarterly';
  if (unit === 'month' && value === 6) return 'semiannual';
  if ((unit === 'year' && value === 1) || (unit === 'month' && value === 12)) return 'yearly';
  return 'one_time';
}

const f = transactionSchema.shape;
const paymentSchema = z.strictObject({
  userId: f.userId,
  amount: f.amount.min(1),
  currency: f.currency,
  paymentMethod: f.paymentMethod,
  transactionType: z.enum(['purchase', 'renewal', 'adjustment', 'package_purchase', 'program_purchase']),
  providerRef: z.string().min(1).max(100),
  description: longTextSchema.optional(),
  reference: z.record(safeKeySchema.max(50), z.string().max(100)).default({}),
});
/** A payment the provider took, to be recorded as a completed transaction. */
export type RecordPaymentInput = z.input<typeof paymentSchema>;

const invoiceLineSchema = z.strictObject({ description: z.string().min(1).max(300), quantity: z.number().int().min(1).max(10_000) });
const issueSchema = z.strictObject({
  /** The id the invoice will carry (default: a new UUID), for a caller that must refer to it before it is issued. */
  invoiceId: invoiceSchema.shape.invoiceId.optional(),
  userId: invoiceSchema.shape.userId,
  businessId: invoiceSchema.shape.businessId,
  gross: f.amount,
  currency: f.currency,
  transactionId: invoiceSchema.shape.transactionId,
  subscriptionId: invoiceSchema.shape.subscriptionId.default(null),
  line: invoiceLineSchema,
  period: z.strictObject({ start: instantSchema, end: instantSchema }).optional(),
  /** A discount the gross already has off (a promo code): printed with the list price; the line stays the amount paid. */
  discount: z.strictObject({ description: z.string().min(1).max(300), listPrice: f.amount, amount: f.amount }).optional(),
});
/** What {@link BillingService.issuePaidInvoice} takes: a tax-inclusive amount already paid. */
export type IssuePaidInvoiceInput = z.input<typeof issueSchema>;

const billingSubscriptionSchema = z.strictObject({
  userId: subscriptionSchema.shape.userId,
  planId: subscriptionSchema.shape.planId,
  start: instantSchema,
  end: instantSchema,
  billingCycle: subscriptionSchema.shape.billingCycle,
  amount: subscriptionSchema.shape.amount,
  currency: subscriptionSchema.shape.currency,
  paymentMethod: subscriptionSchema.shape.paymentMethod,
  memberSubscriptionId: idSchema('MemberSubscriptionId'),
});
export type OpenBillingSubscriptionInput = z.input<typeof billingSubscriptionSchema>;

/** What {@link BillingService.updateBillingSubscription} may change. */
const subscriptionChangesSchema = z.strictObject({
  endDate: instantSchema.optional(),
  status: subscriptionSchema.shape.status.optional(),
  autoRenew: z.boolean().optional(),
  /** A plan change moves the row to the new plan and its price. */
  planId: subscriptionSchema.shape.planId.optional(),
  amount: subscriptionSchema.shape.amount.optional(),
});

const refundSchema = z.strictObject({
  originalTransactionId: f.transactionId,
  amount: f.amount.min(1),
  providerRef: z.string().min(1).max(100),
  reason: longTextSchema.optional(),
});
export type RecordRefundInput = z.input<typeof refundSchema>;

/** A refund as recorded: the refund transaction, the original's new state and the credit note. */
export interface RecordedRefund {
  readonly refund: Transaction;
  readonly original: Transaction;
  readonly creditNote: Invoice;
}

/**
 * The PostgreSQL side of money: completed payments as `transactions` rows, invoices with
 * gap-free numbers and exact VAT, recurring-billing rows, refunds with credit notes, and the
 * idempotency records that make retried operations replay. Every write records an audit row
 * in the same unit of work (financial data, SPEC "audit").
 *
 * @example
 * ```ts
 * await units.run(async (uow) => {
 *   const payment = await billing.recordPayment({ userId, amount: 1_500_00, currency: 'TRY', paymentMethod: 'card', transactionType: 'purchase', providerRef }, uow);
 *   await billing.issuePaidInvoice({ userId, businessId, gross: 1_500_00, currency: 'TRY', transactionId: payment.transactionId, line: { description: 'Aylık üyelik', quantity: 1 } }, uow);
 * });
 * ```
 */
export class BillingService {
  readonly #transactions: TransactionRepository;
  readonly #subscriptions: SubscriptionRepository;
  readonly #invoices: InvoiceRepository;
  readonly #keys: IdempotencyKeyRepository;
  readonly #audit: AuditTrail;
  readonly #taxRate: TaxRatePolicy;
  readonly #deps: ServiceDeps;

  constructor(
    repositories: {
      readonly transactions: TransactionRepository;
      readonly subscriptions: SubscriptionRepository;
      readonly invoices: InvoiceRepository;
      readonly idempotencyKeys: IdempotencyKeyRepository;
    },
    audit: AuditTrail,
    deps: ServiceDeps & { readonly taxRate?: TaxRatePolicy },
  ) {
    this.#transactions = repositories.transactions;
    this.#subscriptions = repositories.subscriptions;
    this.#invoices = repositories.invoices;
    this.#keys = repositories.idempotencyKeys;
    this.#audit = audit;
    this.#taxRate = deps.taxRate ?? defaultTaxRatePolicy;
    this.#deps = deps;
  }

  /** Records a payment the provider took as a `completed` transaction. */
  async recordPayment(input: RecordPaymentInput, uow?: UnitOfWork): Promise<Transaction> {
    const data = this.#parse(paymentSchema, input);
    return inUnitOfWork(this.#deps.units, uow, async (u) => {
      const transaction = await this.#transactions.create(
        {
          transactionId: this.#deps.ids.newUuid(),
          userId: data.userId,
          amount: data.amount,
          currency: data.currency,
          paymentMethod: data.paymentMethod,
          transactionType: data.transactionType,
          status: 'completed',
          description: data.description ?? null,
          metadata: { providerRef: data.providerRef, ...data.reference },
        },
        u.ctx,
      );
      u.compensateWith(u.ctx.pg.deleteFrom('transactions').where('transaction_id', '=', transaction.transactionId));
      await this.#audit.record(u, { entityType: 'transactions', entityId: transaction.transactionId, action: 'create', newState: auditSnapshot(transaction) });
      return transaction;
    });
  }

  /**
   * Issues a paid invoice for a tax-inclusive amount: the number comes from the business's
   * gap-free series (taken in this unit, so a rollback gives it back), and the VAT is split
   * out exactly at the business's rate.
   */
  async issuePaidInvoice(input: IssuePaidInvoiceInput, uow?: UnitOfWork): Promise<Invoice> {
    const data = this.#parse(issueSchema, input);
    return inUnitOfWork(this.#deps.units, uow, async (u) => {
      const today = calendarDateIn(this.#deps.clock.now());
      const tax = splitInclusiveTax(data.gross, this.#taxRate(data.businessId as BusinessId));
      const invoice = await this.#invoices.create(
        {
          invoiceId: data.invoiceId ?? this.#deps.ids.newUuid(),
          transactionId: data.transactionId,
          subscriptionId: data.subscriptionId,
          userId: data.userId,
          businessId: data.businessId,
          totalAmount: tax.gross,
          taxAmount: tax.tax,
          currency: data.currency,
          status: 'paid',
          dueDate: today,
          paymentDate: today,
          invoiceData: {
            lines: [{ description: data.line.description, quantity: data.line.quantity, net: minorToDecimal(tax.net), tax: minorToDecimal(tax.tax), gross: minorToDecimal(tax.gross) }],
            taxRate: `${minorToDecimal(tax.rate)}%`,
            pricesIncludeTax: true,
            ...(data.period ? { period: { start: data.period.start.toISOString(), end: data.period.end.toISOString() } } : {}),
            ...(data.discount ? { discount: { description: data.discount.description, listPrice: minorToDecimal(data.discount.listPrice), amount: minorToDecimal(data.discount.amount) } } : {}),
          },
        },
        u.ctx,
      );
      await this.#audit.record(u, { entityType: 'invoices', entityId: invoice.invoiceId, action: 'create', newState: auditSnapshot(invoice) });
      voidIfCompensated(u, invoice);
      return invoice;
    });
  }

  /** Opens the recurring-billing row of an auto-renewing membership. */
  async openBillingSubscription(input: OpenBillingSubscriptionInput, uow?: UnitOfWork): Promise<Subscription> {
    const data = this.#parse(billingSubscriptionSchema, input);
    return inUnitOfWork(this.#deps.units, uow, async (u) => {
      const subscription = await this.#subscriptions.create(
        {
          subscriptionId: this.#deps.ids.newUuid(),
          userId: data.userId,
          planId: data.planId,
          status: 'active',
          startDate: calendarDateIn(data.start),
          endDate: calendarDateIn(data.end),
          billingCycle: data.billingCycle,
          billingDay: Number(calendarDateIn(data.start).slice(8, 10)),
          amount: data.amount,
          currency: data.currency,
          paymentMethod: data.paymentMethod,
          autoRenew: true,
          metadata: { memberSubscriptionId: data.memberSubscriptionId },
        },
        u.ctx,
      );
      u.compensateWith(u.ctx.pg.deleteFrom('subscriptions').where('subscription_id', '=', subscription.subscriptionId));
      await this.#audit.record(u, { entityType: 'subscriptions', entityId: subscription.subscriptionId, action: 'create', newState: auditSnapshot(subscription) });
      return subscription;
    });
  }

  /** The billing row of a member subscription, or `null` (memberships bought without auto-renewal have none). */
  async findBillingSubscription(userId: UserId, memberSubscriptionId: string, uow?: UnitOfWork): Promise<Subscription | null> {
    let page: PageRequest = { limit: 200 };
    for (;;) {
      const { items, nextCursor } = await this.#subscriptions.listByUser(userId, {}, page, uow?.ctx);
      const found = items.find((s) => s.metadata?.['memberSubscriptionId'] === memberSubscriptionId);
      if (found) return found;
      if (!nextCursor) return null;
      page = { limit: 200, after: nextCursor };
    }
  }

  /** Moves a billing row's period end, status or auto-renewal, audited. */
  async updateBillingSubscription(
    subscriptionId: string,
    changes: { readonly endDate?: Date; readonly status?: Subscription['status']; readonly autoRenew?: boolean; readonly planId?: string; readonly amount?: number },
    uow?: UnitOfWork,
  ): Promise<Subscription> {
    const id = this.#parse(subscriptionSchema.shape.subscriptionId, subscriptionId);
    const { endDate, status, autoRenew, planId, amount } = this.#parse(subscriptionChangesSchema, changes);
    return inUnitOfWork(this.#deps.units, uow, async (u) => {
      const before = await this.#subscriptions.getBySubscriptionId(id, u.ctx);
      const after = await this.#subscriptions.patch(
        id,
        {
          ...(endDate ? { endDate: calendarDateIn(endDate) } : {}),
          ...(status ? { status } : {}),
          ...(autoRenew === undefined ? {} : { autoRenew }),
          ...(planId ? { planId } : {}),
          ...(amount === undefined ? {} : { amount }),
        },
        { expectedUpdatedAt: before.updatedAt },
        u.ctx,
      );
      // Undone only while the row is still as this unit left it: a change committed after it stays.
      u.compensateWith(
        u.ctx.pg
          .updateTable('subscriptions')
          .set({ end_date: before.endDate, status: before.status, auto_renew: before.autoRenew, plan_id: before.planId, amount: minorToDecimal(before.amount) })
          .where('subscription_id', '=', id)
          .where(updatedAtEquals(after.updatedAt)),
      );
      await this.#audit.record(u, { entityType: 'subscriptions', entityId: id, action: 'update', previousState: auditSnapshot(before), newState: auditSnapshot(after) });
      return after;
    });
  }

  /**
   * Records a refund the provider made: a `refund` transaction row, the original moved to
   * `refunded` (or `partially_refunded` while money is left), and a credit-note invoice
   * (its own number from the series, VAT split as on the original). Refunding more than is
   * left is refused: `ConflictError('refund_exceeds_payment')`. The original's row stays
   * locked until the unit ends, so refunds of one payment are recorded one after the other.
   */
  async recordRefund(input: RecordRefundInput, uow?: UnitOfWork): Promise<RecordedRefund> {
    const data = this.#parse(refundSchema, input);
    return inUnitOfWork(this.#deps.units, uow, async (u) => {
      // Two refunds of one payment recorded at once would each find the same amount left.
      await this.#transactions.lockForRefund(data.originalTransactionId, u.ctx);
      const original = await this.#transactions.getByTransactionId(data.originalTransactionId, u.ctx);
      if (original.transactionType === 'refund' || (original.status !== 'completed' && original.status !== 'partially_refunded')) {
        throw new ConflictError('not_refundable', `Transaction ${original.transactionId} is ${original.status} and cannot be refunded`);
      }
      const already = await this.refundedAmount(original.transactionId, u);
      if (already + data.amount > original.amount) {
        throw new ConflictError('refund_exceeds_payment', `Refunding ${data.amount} would exceed the ${original.amount - already} left of ${original.transactionId}`);
      }
      const refund = await this.#transactions.create(
        {
          transactionId: this.#deps.ids.newUuid(),
          userId: original.userId,
          amount: data.amount,
          currency: original.currency,
          paymentMethod: original.paymentMethod,
          transactionType: 'refund',
          status: 'completed',
          description: data.reason ?? null,
          metadata: { refundOf: original.transactionId, providerRef: data.providerRef },
        },
        u.ctx,
      );
      u.compensateWith(u.ctx.pg.deleteFrom('transactions').where('transaction_id', '=', refund.transactionId));
      const status = already + data.amount === original.amount ? 'refunded' : 'partially_refunded';
      const updated = await this.#transactions.updateStatus(original.transactionId, { status, expectedUpdatedAt: original.updatedAt }, u.ctx);
      u.compensateWith(u.ctx.pg.updateTable('transactions').set({ status: original.status }).where('transaction_id', '=', original.transactionId).where(updatedAtEquals(updated.updatedAt)));
      const invoice = (await this.#invoicesOfTransaction(original, u))[0];
      const businessId = (invoice?.businessId ?? original.metadata?.['businessId']) as string | undefined;
      if (!businessId) throw new ConflictError('no_invoice', `Transaction ${original.transactionId} has no invoice to credit`);
      const tax = splitInclusiveTax(data.amount, this.#taxRate(businessId as BusinessId));
      const today = calendarDateIn(this.#deps.clock.now());
      const creditNote = await this.#invoices.create(
        {
          invoiceId: this.#deps.ids.newUuid(),
          transactionId: refund.transactionId,
          subscriptionId: invoice?.subscriptionId ?? null,
          userId: original.userId,
          businessId,
          totalAmount: tax.gross,
          taxAmount: tax.tax,
          currency: original.currency,
          status: 'credit_note',
          dueDate: today,
          paymentDate: today,
          invoiceData: {
            creditFor: invoice?.invoiceNumber ?? null,
            lines: [{ description: data.reason ?? 'İade', quantity: 1, net: `-${minorToDecimal(tax.net)}`, tax: `-${minorToDecimal(tax.tax)}`, gross: `-${minorToDecimal(tax.gross)}` }],
            pricesIncludeTax: true,
          },
        },
        u.ctx,
      );

      await this.#audit.record(u, { entityType: 'transactions', entityId: refund.transactionId, action: 'create', newState: auditSnapshot(refund) });
      await this.#audit.record(u, { entityType: 'transactions', entityId: original.transactionId, action: 'status_change', previousState: auditSnapshot(original), newState: auditSnapshot(updated) });
      await this.#audit.record(u, { entityType: 'invoices', entityId: creditNote.invoiceId, action: 'create', newState: auditSnapshot(creditNote) });
      voidIfCompensated(u, creditNote);
      return { refund, original: updated, creditNote };
    });
  }

  /**
   * Locks a payment in the caller's unit of work, as {@link recordRefund} does, and returns
   * it with what was refunded of it so far: while the unit holds the lock no refund of the
   * payment is recorded or weighed elsewhere.
   */
  async lockRefundable(transactionId: string, uow: UnitOfWork): Promise<{ readonly original: Transaction; readonly refunded: MinorUnits }> {
    if (!(await this.#transactions.lockForRefund(transactionId, uow.ctx))) throw new NotFoundError('transaction', transactionId);
    const original = await this.#transactions.getByTransactionId(transactionId, uow.ctx);
    return { original, refunded: await this.refundedAmount(transactionId, uow) };
  }

  /** What was refunded of a payment so far (its `refund` rows). */
  async refundedAmount(transactionId: string, uow?: UnitOfWork): Promise<MinorUnits> {
    const original = await this.#transactions.getByTransactionId(transactionId, uow?.ctx);
    let total = 0;
    let page: PageRequest = { limit: 200 };
    for (;;) {
      const { items, nextCursor } = await this.#transactions.listByUser(original.userId as UserId, {}, page, uow?.ctx);
      for (const t of items) if (t.transactionType === 'refund' && t.metadata?.['refundOf'] === transactionId) total += t.amount;
      if (!nextCursor) return total;
      page = { limit: 200, after: nextCursor };
    }
  }

  /** One payment or refund (`transactions` row); `NotFoundError` when there is none. */
  async getTransaction(transactionId: string, uow?: UnitOfWork): Promise<Transaction> {
    return this.#transactions.getByTransactionId(transactionId, uow?.ctx);
  }

  /** One invoice or credit note; `NotFoundError` when there is none. */
  async getInvoice(invoiceId: string, uow?: UnitOfWork): Promise<Invoice> {
    return this.#invoices.getByInvoiceId(invoiceId, uow?.ctx);
  }

  /**
   * One user's invoices (credit notes included), newest first, a page at a time; `filter.status`
   * narrows them. Through a scope, a member lists only their own.
   *
   * @example
   * ```ts
   * const { items, nextCursor } = await asMember.billing.listUserInvoices(memberId, {}, { limit: 20 });
   * ```
   */
  async listUserInvoices(userId: UserId, filter: InvoiceUserFilter = {}, page?: PageRequest, uow?: UnitOfWork): Promise<Page<Invoice>> {
    return this.#invoices.listByUser(userId, filter, page, uow?.ctx);
  }

  /**
   * One user's payments and refunds (`transactions`), newest first, a page at a time;
   * `filter` narrows them by status and date. Through a scope, a member lists only their own.
   *
   * @example
   * ```ts
   * const { items } = await asMember.billing.listUserTransactions(memberId, { status: 'completed' });
   * ```
   */
  async listUserTransactions(userId: UserId, filter: TransactionUserFilter = {}, page?: PageRequest, uow?: UnitOfWork): Promise<Page<Transaction>> {
    return this.#transactions.listByUser(userId, filter, page, uow?.ctx);
  }

  /** One recurring-billing row; `NotFoundError` when there is none. */
  async getBillingSubscription(subscriptionId: string, uow?: UnitOfWork): Promise<Subscription> {
    return this.#subscriptions.getBySubscriptionId(subscriptionId, uow?.ctx);
  }

  /** The stored result of an idempotent operation, or `null`. */
  async findIdempotentResult(key: string, uow?: UnitOfWork): Promise<IdempotencyRecord | null> {
    return this.#keys.find(key, uow?.ctx);
  }

  /** Claims an idempotency key in the unit; `ConflictError('idempotency_key_taken')` when it was used. */
  async claimIdempotencyKey(key: string, scope: string, uow: UnitOfWork): Promise<void> {
    await this.#keys.claim(key, scope, new Date(this.#deps.clock.now().getTime() + IDEMPOTENCY_TTL_MS), uow.ctx);
    uow.compensateWith(uow.ctx.pg.deleteFrom('nexfit_idempotency_keys').where('key', '=', key));
  }

  /** Stores the result of the operation that claimed `key`, in the same unit. */
  async completeIdempotencyKey(key: string, result: JsonObject, uow: UnitOfWork): Promise<void> {
    await this.#keys.complete(key, result, uow.ctx);
  }

  async #invoicesOfTransaction(transaction: Transaction, uow: UnitOfWork): Promise<Invoice[]> {
    const found: Invoice[] = [];
    let page: PageRequest = { limit: 200 };
    for (;;) {
      const { items, nextCursor } = await this.#invoices.listByUser(transaction.userId as UserId, {}, page, uow.ctx);
      found.push(...items.filter((i) => i.transactionId === transaction.transactionId));
      if (!nextCursor) return found;
      page = { limit: 200, after: nextCursor };
    }
  }

  #parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
    return parseOrThrow(schema, input, { ...(this.#deps.locale ? { locale: this.#deps.locale } : {}), entity: 'billing' });
  }
}

export type { PaymentMethod };

/** Why an invoice is voided when the unit that issued it is compensated. */
export const VOIDED_BY_COMPENSATION = 'unit_rolled_back';

/**
 * An issued number is never deleted (the series must stay unbroken): when an ordered-mode
 * unit is compensated after PostgreSQL committed, its invoice is voided instead — it keeps its
 * number, records the reason and the unit, and gets an audit row of its own. (A two-phase
 * unit rolls the number back with everything else, so nothing is voided there.) Registered
 * after the invoice's audit row, so it runs before that row's compensation.
 */
function voidIfCompensated(u: UnitOfWork, invoice: Invoice): void {
  const voided = { reason: VOIDED_BY_COMPENSATION, unitId: u.id };
  u.compensateWith(
    u.ctx.pg
      .insertInto('audit_logs')
      .values({
        entity_type: 'invoices',
        entity_id: invoice.invoiceId,
        user_id: u.context.actorId,
        action: 'void',
        previous_state: JSON.stringify({ status: invoice.status, invoiceNumber: invoice.invoiceNumber }),
        new_state: JSON.stringify({ status: 'void', invoiceNumber: invoice.invoiceNumber, voided }),
        ip_address: u.context.ipAddress ?? null,
        user_agent: u.context.userAgent ?? null,
        request_id: u.context.requestId ?? null,
      }),
  );
  u.compensateWith(
    u.ctx.pg
      .updateTable('invoices')
      .set({ status: 'void', invoice_data: sql<string>`invoice_data || ${JSON.stringify({ voided })}::jsonb` })
      .where('invoice_id', '=', invoice.invoiceId),
  );
}
