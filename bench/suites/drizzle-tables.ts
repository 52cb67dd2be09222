import { bigint, date, index, integer, jsonb, numeric, pgTable, primaryKey, text, timestamp, uniqueIndex, varchar } from 'drizzle-orm/pg-core';

/**
 * The `transactions`, `invoices` and invoice-number tables as a Drizzle user would declare
 * them (the SDK's migrations create them; Drizzle only maps them), for the comparison with
 * the library a user might pick instead. Benchmark-only: the SDK never depends on Drizzle.
 */
export const transactions = pgTable(
  'transactions',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    transactionId: varchar('transaction_id', { length: 36 }).notNull(),
    userId: varchar('user_id', { length: 24 }).notNull(),
    amount: numeric('amount', { precision: 10, scale: 2 }).notNull(),
    currency: varchar('currency', { length: 3 }).notNull().default('TRY'),
    paymentMethod: varchar('payment_method', { length: 20 }).notNull(),
    transactionType: varchar('transaction_type', { length: 20 }).notNull(),
    status: varchar('status', { length: 20 }).notNull(),
    description: text('description'),
    metadata: jsonb('metadata'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('transactions_transaction_id_key').on(t.transactionId), index('idx_transactions_user_id').on(t.userId, t.createdAt.desc())],
);

export const invoices = pgTable(
  'invoices',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    invoiceId: varchar('invoice_id', { length: 36 }).notNull(),
    transactionId: varchar('transaction_id', { length: 36 }),
    subscriptionId: varchar('subscription_id', { length: 36 }),
    userId: varchar('user_id', { length: 24 }).notNull(),
    businessId: varchar('business_id', { length: 24 }).notNull(),
    totalAmount: numeric('total_amount', { precision: 10, scale: 2 }).notNull(),
    taxAmount: numeric('tax_amount', { precision: 10, scale: 2 }).notNull(),
    currency: varchar('currency', { length: 3 }).notNull().default('TRY'),
    status: varchar('status', { length: 20 }).notNull(),
    dueDate: date('due_date', { mode: 'string' }).notNull(),
    paymentDate: date('payment_date', { mode: 'string' }),
    invoiceNumber: varchar('invoice_number', { length: 20 }).notNull(),
    invoiceData: jsonb('invoice_data').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('invoices_invoice_id_key').on(t.invoiceId), index('idx_invoices_user_id').on(t.userId, t.createdAt)],
);

export const invoiceSequences = pgTable(
  'nexfit_invoice_sequences',
  {
    businessId: varchar('business_id', { length: 24 }).notNull(),
    year: integer('year').notNull(),
    lastValue: integer('last_value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.businessId, t.year] })],
);
