import type { Kysely } from 'kysely';
import { describe, expectTypeOf, it } from 'vitest';
import type { BusinessId, FacilityId, UserId } from '../../../src/core/ids.js';
import type { Page } from '../../../src/core/pagination.js';
import { AnalyticsDailyRepository } from '../../../src/modules/analytics/analytics-daily.repository.js';
import { AuditLogRepository } from '../../../src/modules/audit/audit-log.repository.js';
import { InvoiceRepository } from '../../../src/modules/billing/invoice.repository.js';
import type { Invoice } from '../../../src/modules/billing/invoice.schema.js';
import { SubscriptionRepository } from '../../../src/modules/billing/subscription.repository.js';
import { TransactionRepository } from '../../../src/modules/billing/transaction.repository.js';
import type { Transaction } from '../../../src/modules/billing/transaction.schema.js';
import type { Database } from '../../../src/stores/postgres/database.js';
import type { RepositoryDeps } from '../../../src/stores/repository-deps.js';

declare const db: Kysely<Database>;
declare const deps: RepositoryDeps;
declare const userId: UserId;
declare const businessId: BusinessId;
declare const facilityId: FacilityId;

/** Compiled only: the type checker runs these lines; `never` is called. */
function typeChecks(): void {
  const transactions = new TransactionRepository(db, deps);
  const subscriptions = new SubscriptionRepository(db, deps);
  const invoices = new InvoiceRepository(db, deps);
  const analytics = new AnalyticsDailyRepository(db, deps);
  const audit = new AuditLogRepository(db, deps);
  const base = { transactionId: 'x', userId, amount: 1, paymentMethod: 'card', transactionType: 'purchase', status: 'pending' } as const;

  void transactions.create(base);
  // @ts-expect-error a field the table does not have
  void transactions.create({ ...base, amountDecimal: '1.00' });
  // @ts-expect-error a status outside the enumeration
  void transactions.updateStatus('x', { status: 'done' });
  // @ts-expect-error a FacilityId where a UserId is expected
  void transactions.listByUser(facilityId);
  // @ts-expect-error a UserId where a BusinessId is expected
  void invoices.listByBusiness(userId);
  // @ts-expect-error the invoice number is assigned by the sequence, never by the caller
  void invoices.create({ invoiceId: 'x', userId, businessId, totalAmount: 1, taxAmount: 0, status: 'issued', dueDate: '2026-01-01', invoiceData: {}, invoiceNumber: 'A-1' });
  // @ts-expect-error paying goes through markPaid, which records the payment date
  void invoices.setStatus('x', 'paid');
  // @ts-expect-error a filter the list does not offer
  void invoices.listByBusiness(businessId, { userId });
  // @ts-expect-error a billing cycle outside the enumeration
  void subscriptions.patch('x', { billingCycle: 'fortnightly' });
  // @ts-expect-error a UserId where a BusinessId is expected
  void analytics.listByBusiness(userId, { from: '2026-01-01', to: '2026-01-31' });
  // @ts-expect-error a FacilityId where a UserId is expected
  void audit.listByUser(facilityId);
}

describe('PostgreSQL repository types', () => {
  it('returns the schema-inferred entities', () => {
    expectTypeOf<ReturnType<TransactionRepository['getByTransactionId']>>().toEqualTypeOf<Promise<Transaction>>();
    expectTypeOf<ReturnType<InvoiceRepository['listByBusiness']>>().toEqualTypeOf<Promise<Page<Invoice>>>();
    expectTypeOf<ReturnType<TransactionRepository['sumCompletedByUser']>>().toEqualTypeOf<Promise<number>>();
    expectTypeOf(typeChecks).toBeFunction();
  });
});
