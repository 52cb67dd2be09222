import { sql, type Kysely } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/core/errors.js';
import type { Database, NewInvoiceRow, NewSubscriptionRow, NewTransactionRow } from '../../../src/stores/postgres/database.js';
import { TRANSACTION_STATUSES } from '../../../src/stores/postgres/enums.js';
import { toNexfitError } from '../../../src/stores/postgres/error-mapping.js';
import { migratePostgresToLatest } from '../../../src/stores/postgres/migrator.js';
import { useTestPostgres } from '../../support/stores.js';

const pg = useTestPostgres();
const db = () => pg.kysely as Kysely<Database>;

let counter = 0;
const nextId = (prefix: string) => `${prefix}-${++counter}`;
const userId = 'aaaaaaaaaaaaaaaaaaaaaaaa';
const businessId = 'bbbbbbbbbbbbbbbbbbbbbbbb';

function aTransaction(overrides: Partial<NewTransactionRow> = {}): NewTransactionRow {
  return {
    transaction_id: nextId('tx'),
    user_id: userId,
    amount: '100.00',
    payment_method: 'card',
    transaction_type: 'purchase',
    status: 'completed',
    ...overrides,
  };
}

function aSubscription(overrides: Partial<NewSubscriptionRow> = {}): NewSubscriptionRow {
  return {
    subscription_id: nextId('sub'),
    user_id: userId,
    plan_id: 'plan-1',
    status: 'active',
    start_date: '2025-03-30',
    billing_cycle: 'monthly',
    amount: '499.90',
    payment_method: 'card',
    ...overrides,
  };
}

function anInvoice(overrides: Partial<NewInvoiceRow> = {}): NewInvoiceRow {
  const id = nextId('inv');
  return {
    invoice_id: id,
    user_id: userId,
    business_id: businessId,
    total_amount: '120.00',
    tax_amount: '20.00',
    status: 'issued',
    due_date: '2025-04-30',
    invoice_number: id,
    invoice_data: JSON.stringify({ lines: [{ description: 'Monthly membership', amount: '100.00' }] }),
    ...overrides,
  };
}

/** The mapped error of a write that must fail. */
async function rejectionOf(write: Promise<unknown>) {
  const error = await write.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'the write should have failed').toBeDefined();
  return toNexfitError(error);
}

describe('PostgreSQL table constraints', () => {
  beforeAll(async () => {
    await migratePostgresToLatest(pg.kysely);
  });

  it('accepts every enumerated transaction status', async () => {
    for (const status of TRANSACTION_STATUSES) {
      await db().insertInto('transactions').values(aTransaction({ status })).execute();
    }
  });

  it.each([
    ['status', { status: 'done' as never }],
    ['transaction_type', { transaction_type: 'gift' as never }],
    ['payment_method', { payment_method: 'bitcoin' as never }],
    ['amount', { amount: '-0.01' }],
    ['currency', { currency: 'try' }],
  ])('rejects a transaction with a bad %s', async (column, overrides) => {
    const error = await rejectionOf(db().insertInto('transactions').values(aTransaction(overrides)).execute());
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]?.path).toEqual([column]);
  });

  it('records a refund as a refund-type row with a non-negative amount', async () => {
    await db().insertInto('transactions').values(aTransaction({ transaction_type: 'refund', amount: '100.00' })).execute();
  });

  it.each([
    ['status', { status: 'paused' as never }],
    ['billing_cycle', { billing_cycle: 'fortnightly' as never }],
    ['billing_day', { billing_day: 32 }],
    ['end_date', { end_date: '2025-03-01' }],
    ['amount', { amount: '-5.00' }],
  ])('rejects a subscription with a bad %s', async (column, overrides) => {
    const error = await rejectionOf(db().insertInto('subscriptions').values(aSubscription(overrides)).execute());
    expect((error as ValidationError).issues[0]?.path).toEqual([column]);
  });

  it.each([
    ['status', { status: 'sent' as never }],
    ['tax_amount', { tax_amount: '130.00' }],
    ['tax_amount', { tax_amount: '-1.00' }],
    ['invoice_data', { invoice_data: JSON.stringify(['not', 'an', 'object']) }],
  ])('rejects an invoice with a bad %s', async (column, overrides) => {
    const error = await rejectionOf(db().insertInto('invoices').values(anInvoice(overrides)).execute());
    expect((error as ValidationError).issues[0]?.path).toEqual([column]);
  });

  it('rejects negative analytics counts', async () => {
    const error = await rejectionOf(
      db().insertInto('analytics_daily').values({ business_id: businessId, date: '2025-03-30', new_members: -1 }).execute(),
    );
    expect((error as ValidationError).issues[0]?.path).toEqual(['new_members']);
  });

  it('rejects an invoice number longer than 20 characters', async () => {
    const error = await rejectionOf(db().insertInto('invoices').values(anInvoice({ invoice_number: 'X'.repeat(21) })).execute());
    expect(error).toBeInstanceOf(ValidationError);
  });

  it('keeps money exact: 0.10 + 0.20 sums to the string 0.30', async () => {
    const user = 'cccccccccccccccccccccccc';
    await db()
      .insertInto('transactions')
      .values([aTransaction({ user_id: user, amount: '0.10' }), aTransaction({ user_id: user, amount: '0.20' })])
      .execute();
    const row = await db()
      .selectFrom('transactions')
      .select((eb) => eb.fn.sum<string>('amount').as('total'))
      .where('user_id', '=', user)
      .executeTakeFirstOrThrow();
    expect(row.total).toBe('0.30');
    const amounts = await db().selectFrom('transactions').select('amount').where('user_id', '=', user).orderBy('amount').execute();
    expect(amounts.map((a) => a.amount)).toEqual(['0.10', '0.20']);
  });

  it('returns DATE columns as YYYY-MM-DD strings', async () => {
    const inserted = await db()
      .insertInto('subscriptions')
      .values(aSubscription({ start_date: '2025-03-30', end_date: '2025-04-30' }))
      .returning(['start_date', 'end_date'])
      .executeTakeFirstOrThrow();
    expect(inserted).toEqual({ start_date: '2025-03-30', end_date: '2025-04-30' });
  });

  it('round-trips JSONB written as JSON text, arrays included', async () => {
    const row = await db()
      .insertInto('transactions')
      .values(aTransaction({ metadata: JSON.stringify({ tags: ['a', 'b'], nested: { n: 1 } }) }))
      .returning('metadata')
      .executeTakeFirstOrThrow();
    expect(row.metadata).toEqual({ tags: ['a', 'b'], nested: { n: 1 } });
  });

  it('defaults currency to TRY and ids to an identity the caller cannot set', async () => {
    const row = await db().insertInto('transactions').values(aTransaction()).returning(['id', 'currency']).executeTakeFirstOrThrow();
    expect(row.currency).toBe('TRY');
    expect(row.id).toMatch(/^\d+$/);
    const error = await sql`INSERT INTO transactions (id, transaction_id, user_id, amount, payment_method, transaction_type, status)
      VALUES (999999, 'forced-id', ${userId}, 1, 'card', 'purchase', 'completed')`
      .execute(pg.kysely)
      .catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('428C9');
  });

  it('moves updated_at forward on every UPDATE, whatever the statement sets', async () => {
    const { transaction_id, created_at, updated_at } = await db()
      .insertInto('transactions')
      .values(aTransaction({ status: 'pending' }))
      .returning(['transaction_id', 'created_at', 'updated_at'])
      .executeTakeFirstOrThrow();
    expect(updated_at.getTime()).toBe(created_at.getTime());
    await sql`SELECT pg_sleep(0.01)`.execute(pg.kysely);
    await sql`UPDATE transactions SET status = 'completed', updated_at = '2000-01-01Z' WHERE transaction_id = ${transaction_id}`.execute(
      pg.kysely,
    );
    const after = await db()
      .selectFrom('transactions')
      .select(['created_at', 'updated_at'])
      .where('transaction_id', '=', transaction_id)
      .executeTakeFirstOrThrow();
    expect(after.created_at.getTime()).toBe(created_at.getTime());
    expect(after.updated_at.getTime()).toBeGreaterThan(updated_at.getTime());
  });

  it('touches updated_at on the partitioned analytics_daily too', async () => {
    const row = await db()
      .insertInto('analytics_daily')
      .values({ business_id: businessId, date: '2025-06-01' })
      .returning(['id', 'updated_at'])
      .executeTakeFirstOrThrow();
    await sql`SELECT pg_sleep(0.01)`.execute(pg.kysely);
    const updated = await db()
      .updateTable('analytics_daily')
      .set({ class_attendance: 12 })
      .where('id', '=', row.id)
      .returning('updated_at')
      .executeTakeFirstOrThrow();
    expect(updated.updated_at.getTime()).toBeGreaterThan(row.updated_at.getTime());
  });

  it('keeps the instant of a TIMESTAMPTZ whatever the session time zone', async () => {
    const instant = new Date('2025-03-30T00:30:00.123Z'); // the night Europe changes to summer time
    const stored = await db()
      .transaction()
      .execute(async (trx) => {
        await sql`SET LOCAL TIME ZONE 'America/New_York'`.execute(trx);
        return trx.insertInto('audit_logs')
          .values({ entity_type: 'transaction', entity_id: 'tz-check', action: 'create', created_at: instant })
          .returning('created_at')
          .executeTakeFirstOrThrow();
      });
    expect(stored.created_at.toISOString()).toBe(instant.toISOString());
    const read = await db()
      .transaction()
      .execute(async (trx) => {
        await sql`SET LOCAL TIME ZONE 'Asia/Tokyo'`.execute(trx);
        return trx.selectFrom('audit_logs').select('created_at').where('entity_id', '=', 'tz-check').executeTakeFirstOrThrow();
      });
    expect(read.created_at.toISOString()).toBe(instant.toISOString());
  });
});
