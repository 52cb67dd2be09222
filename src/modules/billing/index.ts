/**
 * The billing module's only door: transactions, recurring billing, invoices with gap-free
 * numbers and exact VAT, refunds, idempotency records and the payment port.
 *
 * @example
 * ```ts
 * const { service } = createBillingModule(pg, deps);
 * await service.issuePaidInvoice({ userId, businessId, gross: 1_500_00, currency: 'TRY', transactionId, line: { description: 'Aylık', quantity: 1 } });
 * ```
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../stores/postgres/database.js';
import { AuditLogRepository } from '../audit/audit-log.repository.js';
import { AuditTrail } from '../audit/audit-trail.js';
import type { ServiceDeps } from '../service-deps.js';
import { BillingService } from './billing.service.js';
import { IdempotencyKeyRepository } from './idempotency-key.repository.js';
import { PaymentIntentRepository } from './payment-intent.repository.js';
import { InvoiceRepository } from './invoice.repository.js';
import { SubscriptionRepository } from './subscription.repository.js';
import type { TaxRatePolicy } from './tax.js';
import { TransactionRepository } from './transaction.repository.js';

export * from './transaction.schema.js';
export * from './subscription.schema.js';
export * from './invoice.schema.js';
export { TransactionRepository } from './transaction.repository.js';
export { SubscriptionRepository } from './subscription.repository.js';
export { InvoiceRepository, type IssueInvoiceInput } from './invoice.repository.js';
export { InvoiceNumberSequence, formatInvoiceNumber } from './invoice-number-sequence.js';
export { IdempotencyKeyRepository, type IdempotencyRecord } from './idempotency-key.repository.js';
export {
  BillingService,
  billingCycleOf,
  calendarDateIn,
  IDEMPOTENCY_TTL_MS,
  type IssuePaidInvoiceInput,
  type OpenBillingSubscriptionInput,
  type RecordedRefund,
  type RecordPaymentInput,
  type RecordRefundInput,
} from './billing.service.js';
export {
  PaymentFailedError,
  TestPaymentProvider,
  type ChargeLookup,
  type ChargeRequest,
  type ChargeResult,
  type PaymentProvider,
  type RefundLookup,
  type RefundRequest,
  type RefundResult,
} from './payment-provider.js';
export { PaymentIntentRepository, type PaymentIntent, type PaymentIntentKind, type PaymentIntentStatus, type OpenPaymentIntentInput } from './payment-intent.repository.js';
export { calendarDaysBetween, prorateAmount, proratedStart, quotePlanChange, type PlanChangeQuote, type ProratedStart } from './proration.js';
export { defaultTaxRatePolicy, splitInclusiveTax, TURKISH_VAT_RATE, type BasisPoints, type TaxBreakdown, type TaxRatePolicy } from './tax.js';

/** The billing repositories and service on the SDK's PostgreSQL database. */
export function createBillingModule(pg: Kysely<Database>, deps: ServiceDeps & { readonly taxRate?: TaxRatePolicy }) {
  const repositories = {
    transactions: new TransactionRepository(pg, deps),
    subscriptions: new SubscriptionRepository(pg, deps),
    invoices: new InvoiceRepository(pg, deps),
    idempotencyKeys: new IdempotencyKeyRepository(pg, deps),
  };
  const paymentIntents = new PaymentIntentRepository(pg, deps);
  return { ...repositories, paymentIntents, service: new BillingService(repositories, new AuditTrail(new AuditLogRepository(pg, deps)), deps) };
}
