/**
 * The closed value sets of the PostgreSQL tables. The migrations generate the `CHECK`
 * constraints from these arrays, and the Kysely `Database` type narrows the columns to
 * them, so the database, the types and the schemas cannot drift apart.
 *
 * @example
 * ```ts
 * import { TRANSACTION_STATUSES, type TransactionStatus } from './enums.js';
 * const done: TransactionStatus = 'completed';
 * TRANSACTION_STATUSES.includes(done); // true
 * ```
 */
export const TRANSACTION_TYPES = [
  'purchase',
  'renewal',
  'refund',
  'adjustment',
  'package_purchase',
  'program_purchase',
] as const;
/** The kind of a payment transaction (`transactions.transaction_type`). */
export type TransactionType = (typeof TRANSACTION_TYPES)[number];

/** Lifecycle of a payment. `refunded` marks the original row; the refund itself is a `refund` row. */
export const TRANSACTION_STATUSES = [
  'pending',
  'completed',
  'failed',
  'refunded',
  'partially_refunded',
  'cancelled',
] as const;
/** The state of a payment transaction (`transactions.status`). */
export type TransactionStatus = (typeof TRANSACTION_STATUSES)[number];

/** Mirrors `member_subscriptions.status` of the document store, plus `past_due` for failed renewals. */
export const SUBSCRIPTION_STATUSES = ['pending', 'active', 'past_due', 'cancelled', 'expired'] as const;
/** The state of a billing subscription (`subscriptions.status`). */
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

/** How often a subscription bills; `one_time` for memberships that do not renew. */
export const BILLING_CYCLES = [
  'one_time',
  'daily',
  'weekly',
  'monthly',
  'quarterly',
  'semiannual',
  'yearly',
] as const;
/** How often a billing subscription renews (`subscriptions.billing_cycle`). */
export type BillingCycle = (typeof BILLING_CYCLES)[number];

/** Every way a payment can be made (`transactions.payment_method`). */
export const PAYMENT_METHODS = [
  'card',
  'cash',
  'bank_transfer',
  'wallet',
  'direct_debit',
  'voucher',
  'other',
] as const;
/** How a payment was made (`transactions.payment_method`). */
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

/** `credit_note` is a document of its own that cancels (part of) an issued invoice. */
export const INVOICE_STATUSES = [
  'draft',
  'issued',
  'paid',
  'overdue',
  'void',
  'refunded',
  'credit_note',
] as const;
/** The state of an invoice (`invoices.status`). */
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];
