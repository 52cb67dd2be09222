import { describe, expect, it } from 'vitest';
import {
  createAuditLogInputSchema,
  createInvoiceInputSchema,
  createSubscriptionInputSchema,
  createTransactionInputSchema,
  patchInvoiceInputSchema,
  upsertAnalyticsDailyInputSchema,
} from '../support/all-schemas.js';
import { oid, uuid } from './support/factories.js';

const transaction = (o: object = {}) => ({ transactionId: uuid(1), userId: oid(1), amount: 1_500_00, paymentMethod: 'card', transactionType: 'purchase', status: 'pending', ...o });
const subscription = (o: object = {}) => ({ subscriptionId: uuid(2), userId: oid(1), planId: oid(41), status: 'active', startDate: '2026-03-01', billingCycle: 'monthly', amount: 1_500_00, paymentMethod: 'card', ...o });
const invoice = (o: object = {}) => ({ invoiceId: uuid(3), transactionId: uuid(1), userId: oid(1), businessId: oid(40), totalAmount: 1_800_00, taxAmount: 300_00, status: 'issued', dueDate: '2026-03-15', invoiceNumber: 'nxf-2026-000001', invoiceData: { lines: [{ description: 'Aylık üyelik', amount: 1_500_00 }] }, ...o });

describe('PostgreSQL row schemas', () => {
  it('fills the seed defaults of a transaction', () => {
    expect(createTransactionInputSchema.parse(transaction())).toMatchObject({ currency: 'TRY', description: null, metadata: null });
  });

  it('refuses unknown transaction types, negative or fractional amounts and bad UUIDs', () => {
    expect(createTransactionInputSchema.safeParse(transaction({ transactionType: 'gift' })).success).toBe(false);
    expect(createTransactionInputSchema.safeParse(transaction({ amount: -100 })).success).toBe(false);
    expect(createTransactionInputSchema.safeParse(transaction({ amount: 12.345 })).success).toBe(false);
    expect(createTransactionInputSchema.safeParse(transaction({ amount: 100_000_000_00 })).success).toBe(false);
    expect(createTransactionInputSchema.safeParse(transaction({ transactionId: 'abc' })).success).toBe(false);
  });

  it('refuses metadata with operator keys', () => {
    expect(createTransactionInputSchema.safeParse(transaction({ metadata: { $set: { admin: true } } })).success).toBe(false);
  });

  it('keeps DATE columns as YYYY-MM-DD strings and checks the period', () => {
    const parsed = createSubscriptionInputSchema.parse(subscription());
    expect(parsed).toMatchObject({ startDate: '2026-03-01', endDate: null, billingDay: null, autoRenew: true, currency: 'TRY' });
    expect(createSubscriptionInputSchema.safeParse(subscription({ endDate: '2026-02-01' })).success).toBe(false);
    expect(createSubscriptionInputSchema.safeParse(subscription({ billingDay: 32 })).success).toBe(false);
  });

  it('normalises invoice numbers, caps them at 20 characters and keeps tax within the total', () => {
    expect(createInvoiceInputSchema.parse(invoice()).invoiceNumber).toBe('NXF-2026-000001');
    expect(createInvoiceInputSchema.safeParse(invoice({ invoiceNumber: 'N'.repeat(21) })).success).toBe(false);
    expect(createInvoiceInputSchema.safeParse(invoice({ taxAmount: 2_000_00 })).success).toBe(false);
    expect(patchInvoiceInputSchema.safeParse({ totalAmount: 1 }).success).toBe(false);
  });

  it('defaults the analytics counters to zero', () => {
    expect(upsertAnalyticsDailyInputSchema.parse({ businessId: oid(40), date: '2026-03-01' })).toMatchObject({ newMembers: 0, totalRevenue: 0, metrics: null });
    expect(upsertAnalyticsDailyInputSchema.safeParse({ businessId: oid(40), date: '2026-03-01', activeMembers: -1 }).success).toBe(false);
  });

  it('accepts IPv4 and IPv6 addresses in audit logs', () => {
    const base = { entityType: 'invoices', entityId: uuid(3), action: 'invoice.issued' };
    expect(createAuditLogInputSchema.parse({ ...base, ipAddress: '2001:db8::1' }).ipAddress).toBe('2001:db8::1');
    expect(createAuditLogInputSchema.parse({ ...base, ipAddress: '10.0.0.1' }).userId).toBeNull();
    expect(createAuditLogInputSchema.safeParse({ ...base, ipAddress: '999.1.1.1' }).success).toBe(false);
    expect(createAuditLogInputSchema.safeParse({ ...base, action: 'DROP TABLE' }).success).toBe(false);
  });
});
