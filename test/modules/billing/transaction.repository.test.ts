import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConcurrencyError, ConflictError, NotFoundError, ValidationError } from '../../../src/core/errors.js';
import type { UserId } from '../../../src/core/ids.js';
import { TransactionRepository } from '../../../src/modules/billing/transaction.repository.js';
import type { CreateTransactionInput } from '../../../src/modules/billing/transaction.schema.js';
import { oid } from '../support/factories.js';
import { countRows, explain, expectIndexScan, lastQuery, useRepositoryDb } from '../support/postgres-repositories.js';

const test = useRepositoryDb();
let transactions: TransactionRepository;

beforeAll(() => {
  transactions = new TransactionRepository(test.db, test.deps);
});

const userId = (n: number) => oid(n) as UserId;

function aTransaction(overrides: Partial<CreateTransactionInput> = {}): CreateTransactionInput {
  return {
    transactionId: randomUUID(),
    userId: userId(1),
    amount: 1_500_00,
    paymentMethod: 'card',
    transactionType: 'purchase',
    status: 'pending',
    ...overrides,
  };
}

/** Inserts rows with chosen creation times (the column default is the server's now()). */
async function backdate(transactionId: string, createdAt: string): Promise<void> {
  await sql`UPDATE transactions SET created_at = ${createdAt} WHERE transaction_id = ${transactionId}`.execute(test.db);
}

describe('TransactionRepository', () => {
  it('records a transaction and reads it back with the amount in minor units', async () => {
    const input = aTransaction({ amount: 149_90, metadata: { provider: 'iyzico', lines: [1, 2] }, description: 'Aylık üyelik' });
    const created = await transactions.create(input);
    expect(created).toMatchObject({ transactionId: input.transactionId, amount: 149_90, currency: 'TRY', status: 'pending', metadata: { provider: 'iyzico', lines: [1, 2] } });
    expect(created.createdAt).toBeInstanceOf(Date);
    expect(await transactions.getByTransactionId(input.transactionId)).toEqual(created);
    const { rows } = await sql<{ amount: string }>`SELECT amount FROM transactions WHERE transaction_id = ${input.transactionId}`.execute(test.db);
    expect(rows[0]!.amount).toBe('149.90');
  });

  it('reports every operation to the observer', async () => {
    await transactions.findByTransactionId(randomUUID());
    expect(test.deps.events.at(-1)).toMatchObject({ store: 'postgres', target: 'transactions', operation: 'findByTransactionId', ok: true });
  });

  it('refuses a duplicate transaction id with a ConflictError', async () => {
    const input = aTransaction();
    await transactions.create(input);
    const before = await countRows(test.db, 'transactions');
    await expect(transactions.create({ ...input, amount: 1 })).rejects.toMatchObject({ constructor: ConflictError, reason: 'duplicate' });
    expect(await countRows(test.db, 'transactions')).toBe(before);
  });

  it('refuses invalid input before writing anything', async () => {
    const before = await countRows(test.db, 'transactions');
    await expect(transactions.create(aTransaction({ amount: 12.5 }))).rejects.toBeInstanceOf(ValidationError);
    await expect(transactions.create(aTransaction({ status: 'done' as never }))).rejects.toBeInstanceOf(ValidationError);
    await expect(transactions.create({ ...aTransaction(), extra: 1 } as never)).rejects.toBeInstanceOf(ValidationError);
    expect(await countRows(test.db, 'transactions')).toBe(before);
  });

  it('rejects operator objects and malformed ids where ids are expected', async () => {
    await expect(transactions.getByTransactionId({ $gt: '' } as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(transactions.listByUser({ $where: '1' } as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(transactions.listByUser(userId(1), { status: { $ne: 'x' } } as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(transactions.listByUser(userId(1), {}, { after: 'forged' })).rejects.toBeInstanceOf(ValidationError);
    await expect(transactions.getByTransactionId("1' OR '1'='1")).rejects.toBeInstanceOf(ValidationError);
  });

  it('throws NotFoundError for an unknown transaction and finds null', async () => {
    const id = randomUUID();
    await expect(transactions.getByTransactionId(id)).rejects.toBeInstanceOf(NotFoundError);
    expect(await transactions.findByTransactionId(id)).toBeNull();
    await expect(transactions.updateStatus(id, { status: 'completed' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lists a user’s history newest first across pages, filtered by status and time', async () => {
    const user = userId(100);
    const created: string[] = [];
    for (let i = 0; i < 7; i++) {
      const t = await transactions.create(aTransaction({ userId: user, status: i % 2 === 0 ? 'completed' : 'failed' }));
      await backdate(t.transactionId, `2026-02-0${i + 1}T10:00:00Z`);
      created.push(t.transactionId);
    }
    // Two rows sharing one instant: the id breaks the tie, so no page drops or repeats one.
    const twin = await transactions.create(aTransaction({ userId: user, status: 'completed' }));
    await backdate(twin.transactionId, '2026-02-04T10:00:00Z');

    const seen: string[] = [];
    let after: string | undefined;
    do {
      const page = await transactions.listByUser(user, {}, { limit: 3, ...(after ? { after } : {}) });
      seen.push(...page.items.map((t) => t.transactionId));
      after = page.nextCursor ?? undefined;
    } while (after);
    expect(seen).toHaveLength(8);
    expect(new Set(seen).size).toBe(8);
    expect(seen[0]).toBe(created[6]);
    expect(seen.at(-1)).toBe(created[0]);

    const completed = await transactions.listByUser(user, { status: 'completed', from: '2026-02-03T00:00:00Z', to: new Date('2026-02-07T00:00:00Z') });
    expect(completed.items.map((t) => t.transactionId)).toEqual([created[4], twin.transactionId, created[2]]);
    expect(completed.nextCursor).toBeNull();
  });

  it('keeps microsecond-apart rows apart across a page boundary', async () => {
    const user = userId(101);
    const a = await transactions.create(aTransaction({ userId: user }));
    const b = await transactions.create(aTransaction({ userId: user }));
    await backdate(a.transactionId, '2026-02-10T10:00:00.123456Z');
    await backdate(b.transactionId, '2026-02-10T10:00:00.123999Z');
    const first = await transactions.listByUser(user, {}, { limit: 1 });
    const second = await transactions.listByUser(user, {}, { limit: 1, after: first.nextCursor! });
    expect([first.items[0]!.transactionId, second.items[0]!.transactionId]).toEqual([b.transactionId, a.transactionId]);
  });

  it('lists one status oldest first, for sweeps', async () => {
    const user = userId(102);
    const old = await transactions.create(aTransaction({ userId: user, status: 'partially_refunded' }));
    const recent = await transactions.create(aTransaction({ userId: user, status: 'partially_refunded' }));
    await backdate(old.transactionId, '2025-01-01T00:00:00Z');
    const page = await transactions.listByStatus('partially_refunded', { from: '2024-12-31T00:00:00Z' });
    expect(page.items.map((t) => t.transactionId)).toEqual([old.transactionId, recent.transactionId]);
  });

  it('updates the status, guarded by the updatedAt the caller read', async () => {
    const t = await transactions.create(aTransaction());
    const stale = t.updatedAt;
    const completed = await transactions.updateStatus(t.transactionId, { status: 'completed', expectedUpdatedAt: stale });
    expect(completed.status).toBe('completed');
    expect(completed.updatedAt.getTime()).toBeGreaterThan(stale.getTime());
    await expect(transactions.updateStatus(t.transactionId, { status: 'refunded', expectedUpdatedAt: stale })).rejects.toBeInstanceOf(ConcurrencyError);
    expect((await transactions.getByTransactionId(t.transactionId)).status).toBe('completed');
    expect((await transactions.updateStatus(t.transactionId, { status: 'refunded', expectedUpdatedAt: completed.updatedAt })).status).toBe('refunded');
  });

  it('sums completed payments exactly: ten times 0.10 is 1.00', async () => {
    const user = userId(103);
    for (let i = 0; i < 10; i++) await transactions.create(aTransaction({ userId: user, amount: 10, status: 'completed' }));
    await transactions.create(aTransaction({ userId: user, amount: 5_00, status: 'pending' }));
    await transactions.create(aTransaction({ userId: user, amount: 7_00, status: 'completed', currency: 'EUR' }));
    await transactions.create(aTransaction({ userId: user, amount: 30, status: 'completed', transactionType: 'refund' }));
    expect(await transactions.sumCompletedByUser(user, 'TRY')).toBe(1_00);
    expect(await transactions.sumCompletedByUser(user, 'eur')).toBe(7_00);
    expect(await transactions.sumCompletedByUser(userId(999), 'TRY')).toBe(0);
    await expect(transactions.sumCompletedByUser(user, 'TRY; DROP TABLE transactions')).rejects.toBeInstanceOf(ValidationError);
  });

  it('runs inside the caller’s transaction and rolls back with it', async () => {
    const input = aTransaction();
    await expect(
      test.db.transaction().execute(async (trx) => {
        await transactions.create(input, { pg: trx });
        expect(await transactions.findByTransactionId(input.transactionId, { pg: trx })).not.toBeNull();
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await transactions.findByTransactionId(input.transactionId)).toBeNull();
  });

  describe('query plans (2 000 rows, analysed)', () => {
    beforeAll(async () => {
      await sql`
        INSERT INTO transactions (transaction_id, user_id, amount, payment_method, transaction_type, status, created_at)
        SELECT gen_random_uuid()::text, lpad(to_hex(1000 + g % 200), 24, '0'), (g % 500) + 0.99, 'card', 'purchase',
               CASE WHEN g % 100 = 0 THEN 'pending' WHEN g % 7 = 0 THEN 'failed' ELSE 'completed' END,
               timestamptz '2025-01-01' + g * interval '1 hour'
        FROM generate_series(1, 2000) AS g`.execute(test.db);
      await sql`ANALYZE transactions`.execute(test.db);
    });

    it('reads a user’s history in a time window through idx_transactions_user_id', async () => {
      await transactions.listByUser(userId(1005), { from: '2025-01-01T00:00:00Z', to: '2025-03-01T00:00:00Z' }, { limit: 5 });
      const page = await transactions.listByUser(userId(1005), { from: '2025-01-01T00:00:00Z' }, { limit: 2 });
      await transactions.listByUser(userId(1005), { from: '2025-01-01T00:00:00Z' }, { limit: 2, after: page.nextCursor! });
      const plan = await explain(test, lastQuery(test.queries, /from "transactions" where "user_id"/));
      expectIndexScan(plan, 'idx_transactions_user_id', 'transactions');
    });

    it('reads pending payments in a time window through their partial index idx_transactions_pending', async () => {
      await transactions.listByStatus('pending', { from: '2025-01-15T00:00:00Z', to: '2025-03-01T00:00:00Z' }, { limit: 10 });
      const plan = await explain(test, lastQuery(test.queries, /from "transactions" where "status"/));
      expectIndexScan(plan, 'idx_transactions_pending', 'transactions');
    });
  });
});
