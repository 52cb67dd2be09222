import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ConflictError,
  NotFoundError,
  StoreError,
  TransientStoreError,
  ValidationError,
} from '../../../src/core/errors.js';
import type { Database, NewTransactionRow } from '../../../src/stores/postgres/database.js';
import { isRetryablePostgresError, toNexfitError } from '../../../src/stores/postgres/error-mapping.js';
import { migratePostgresToLatest } from '../../../src/stores/postgres/migrator.js';
import { useTestPostgres } from '../../support/stores.js';

const store = useTestPostgres();
const db = () => store.kysely as Kysely<Database>;

let counter = 0;
function aTransaction(overrides: Partial<NewTransactionRow> = {}): NewTransactionRow {
  return {
    transaction_id: `tx-${++counter}`,
    user_id: 'aaaaaaaaaaaaaaaaaaaaaaaa',
    amount: '10.00',
    payment_method: 'card',
    transaction_type: 'purchase',
    status: 'completed',
    ...overrides,
  };
}

/** The raw driver error of a statement that must fail. */
async function failureOf(work: Promise<unknown>): Promise<unknown> {
  const outcome = await work.then(
    () => ({ failed: false as const }),
    (error: unknown) => ({ failed: true as const, error }),
  );
  expect(outcome.failed, 'the statement should have failed').toBe(true);
  return outcome.failed ? outcome.error : undefined;
}

describe('toNexfitError on real PostgreSQL errors', () => {
  beforeAll(async () => {
    await migratePostgresToLatest(store.kysely);
  });

  it('maps a duplicate key to ConflictError "duplicate" with the constraint', async () => {
    await db().insertInto('transactions').values(aTransaction({ transaction_id: 'dup-1' })).execute();
    const raw = await failureOf(db().insertInto('transactions').values(aTransaction({ transaction_id: 'dup-1' })).execute());
    const error = toNexfitError(raw, { entity: 'transaction' });
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.code).toBe('CONFLICT');
    expect((error as ConflictError).reason).toBe('duplicate');
    expect(error.details).toMatchObject({ reason: 'duplicate', constraint: 'transactions_transaction_id_key', sqlstate: '23505' });
    expect(String(error.details?.['detail'])).toContain('dup-1');
    expect(error.message).toMatch(/^Duplicate transaction/);
    expect(error.cause).toBe(raw);
  });

  it('maps a foreign-key violation to ConflictError "foreign_key"', async () => {
    const raw = await failureOf(
      db()
        .insertInto('invoices')
        .values({
          invoice_id: 'inv-fk',
          transaction_id: 'no-such-transaction',
          user_id: 'aaaaaaaaaaaaaaaaaaaaaaaa',
          business_id: 'bbbbbbbbbbbbbbbbbbbbbbbb',
          total_amount: '10.00',
          tax_amount: '0.00',
          status: 'issued',
          due_date: '2025-01-31',
          invoice_number: 'FK-1',
          invoice_data: '{}',
        })
        .execute(),
    );
    const error = toNexfitError(raw);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).reason).toBe('foreign_key');
    expect(error.details).toMatchObject({ constraint: 'invoices_transaction_id_fkey', table: 'invoices' });
  });

  it('maps check, not-null, bad-text and out-of-range failures to ValidationError with a path', async () => {
    const check = toNexfitError(await failureOf(db().insertInto('transactions').values(aTransaction({ status: 'lost' as never })).execute()));
    expect(check).toBeInstanceOf(ValidationError);
    expect(check.code).toBe('VALIDATION_FAILED');
    expect((check as ValidationError).issues).toEqual([
      expect.objectContaining({ path: ['status'], code: 'check_violation' }),
    ]);

    const notNull = toNexfitError(
      await failureOf(sql`INSERT INTO transactions (transaction_id, amount, payment_method, transaction_type, status)
        VALUES ('nn', 1, 'card', 'purchase', 'completed')`.execute(store.kysely)),
    );
    expect((notNull as ValidationError).issues[0]).toMatchObject({ path: ['user_id'], code: 'not_null_violation' });

    const badText = toNexfitError(await failureOf(db().insertInto('transactions').values(aTransaction({ amount: '12abc' })).execute()));
    expect((badText as ValidationError).issues[0]?.code).toBe('invalid_text_representation');

    const tooLarge = toNexfitError(await failureOf(db().insertInto('transactions').values(aTransaction({ amount: '100000000.00' })).execute()));
    expect(tooLarge).toBeInstanceOf(ValidationError);
    expect((tooLarge as ValidationError).issues[0]?.code).toBe('numeric_value_out_of_range');
  });

  it('maps a real serialization failure between two SERIALIZABLE transactions to TransientStoreError', async () => {
    const user = 'dddddddddddddddddddddddd';
    const a = await store.pool.connect();
    const b = await store.pool.connect();
    try {
      for (const client of [a, b]) await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
      // Classic write skew: each reads the user's total and writes a row based on it.
      await a.query('SELECT coalesce(sum(amount), 0) AS total FROM transactions WHERE user_id = $1', [user]);
      await b.query('SELECT coalesce(sum(amount), 0) AS total FROM transactions WHERE user_id = $1', [user]);
      await a.query(
        `INSERT INTO transactions (transaction_id, user_id, amount, payment_method, transaction_type, status)
         VALUES ('ser-a', $1, 1, 'card', 'purchase', 'completed')`,
        [user],
      );
      const raw = await failureOf(
        (async () => {
          await b.query(
            `INSERT INTO transactions (transaction_id, user_id, amount, payment_method, transaction_type, status)
             VALUES ('ser-b', $1, 1, 'card', 'purchase', 'completed')`,
            [user],
          );
          await a.query('COMMIT');
          await b.query('COMMIT');
        })(),
      );
      expect((raw as { code?: string }).code).toBe('40001');
      const error = toNexfitError(raw);
      expect(error).toBeInstanceOf(TransientStoreError);
      expect(error.code).toBe('TRANSIENT');
      expect((error as TransientStoreError).store).toBe('postgres');
      expect(isRetryablePostgresError(raw)).toBe(true);
      expect(isRetryablePostgresError(error)).toBe(true);
    } finally {
      await a.query('ROLLBACK').catch(() => {});
      await b.query('ROLLBACK').catch(() => {});
      a.release();
      b.release();
    }
  });

  it('maps a lock that is not available (NOWAIT) to TransientStoreError', async () => {
    await db().insertInto('transactions').values(aTransaction({ transaction_id: 'locked' })).execute();
    const a = await store.pool.connect();
    const b = await store.pool.connect();
    try {
      await a.query('BEGIN');
      await a.query(`SELECT 1 FROM transactions WHERE transaction_id = 'locked' FOR UPDATE`);
      await b.query('BEGIN');
      const raw = await failureOf(b.query(`SELECT 1 FROM transactions WHERE transaction_id = 'locked' FOR UPDATE NOWAIT`));
      expect((raw as { code?: string }).code).toBe('55P03');
      expect(isRetryablePostgresError(raw)).toBe(true);
    } finally {
      await a.query('ROLLBACK').catch(() => {});
      await b.query('ROLLBACK').catch(() => {});
      a.release();
      b.release();
    }
  });

  it('maps a refused connection to TransientStoreError', async () => {
    const unreachable = new Kysely<any>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ host: '127.0.0.1', port: 1, connectionTimeoutMillis: 2_000 }) }),
    });
    try {
      const raw = await failureOf(sql`SELECT 1`.execute(unreachable));
      const error = toNexfitError(raw);
      expect(error).toBeInstanceOf(TransientStoreError);
      expect(error.cause).toBe(raw);
    } finally {
      await unreachable.destroy();
    }
  });

  it('wraps anything else in StoreError and keeps the cause', async () => {
    const raw = await failureOf(sql`SELECT * FROM no_such_table`.execute(store.kysely));
    const error = toNexfitError(raw);
    expect(error).toBeInstanceOf(StoreError);
    expect(error.code).toBe('STORE_ERROR');
    expect(error.details).toMatchObject({ sqlstate: '42P01' });
    expect(error.cause).toBe(raw);
    expect(isRetryablePostgresError(raw)).toBe(false);
  });

  it('passes the SDK’s own errors through unchanged', () => {
    const own = new NotFoundError('invoice', 'inv-1');
    expect(toNexfitError(own)).toBe(own);
    expect(isRetryablePostgresError(new TransientStoreError('mongo', 'write conflict'))).toBe(false);
  });
});
