import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import { MAX_BULK_ROWS, type BulkCreateOptions, type BulkCreateResult } from '../../src/stores/bulk.js';
import type { StoreContext } from '../../src/stores/store-context.js';
import { oid } from '../modules/support/factories.js';
import { useTestNexfit } from '../support/nexfit.js';

const t = useTestNexfit({ clock: '2026-03-02T09:00:00Z' });

/** One repository's `createMany` as the shared cases drive it. */
interface BulkCase {
  readonly name: string;
  /** A valid input, distinct for each `n` (its unique key, and its other fields). */
  readonly valid: (n: number) => Record<string, unknown>;
  /** An input its schema refuses, and the path of the issue. */
  readonly invalid: (n: number) => Record<string, unknown>;
  readonly invalidPath: string;
  readonly createMany: (inputs: readonly unknown[], options?: BulkCreateOptions, ctx?: StoreContext) => Promise<BulkCreateResult<Record<string, unknown>>>;
  /** How many stored rows carry the marker of `valid(n)` (its unique key, or its entity id). */
  readonly stored: (n: number) => Promise<number>;
  /** Field of the entity that tells which input it came from. */
  readonly marker: (n: number) => Record<string, unknown>;
  /** Writes `valid(n)` through the single-row path, for conflicts with a stored row; absent for a table without a unique key. */
  readonly createOne?: (n: number) => Promise<unknown>;
  /** The stored entity a created one stands for, read back through the repository. */
  readonly readBack: (created: Record<string, unknown>) => Promise<unknown>;
}

/** Each case's rows get their own range of `n`, so the cases never meet. */
let serial = 0;
const next = () => ++serial * 1_000;
/** A range of 2,000 values for a case of many rows, above every range `next` hands out. */
const manyRowsRange = () => 2_000_000 + next() * 2;

const business = oid(0xb1);
const user = oid(0xa1);
const uuidOf = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

async function countWhere(table: string, column: string, value: string): Promise<number> {
  const { rows } = await sql<{ n: string }>`select count(*) as n from ${sql.table(table)} where ${sql.ref(column)} = ${value}`.execute(t.nexfit.pg);
  return Number(rows[0]!.n);
}

const repositories = () => t.nexfit.repositories;

const CASES: readonly BulkCase[] = [
  {
    name: 'transactions',
    valid: (n) => ({ transactionId: uuidOf(n), userId: user, amount: n * 100 + 99, paymentMethod: 'card', transactionType: 'purchase', status: 'completed', metadata: { n } }),
    invalid: (n) => ({ transactionId: uuidOf(n), userId: user, amount: -1, paymentMethod: 'card', transactionType: 'purchase', status: 'completed' }),
    invalidPath: 'amount',
    createMany: (i, o, c) => repositories().transactions.createMany(i as never, o, c) as never,
    stored: (n) => countWhere('transactions', 'transaction_id', uuidOf(n)),
    marker: (n) => ({ transactionId: uuidOf(n), amount: n * 100 + 99 }),
    createOne: (n) => repositories().transactions.create(CASES[0]!.valid(n) as never),
    readBack: (e) => repositories().transactions.findByTransactionId(e['transactionId'] as string),
  },
  {
    name: 'subscriptions',
    valid: (n) => ({ subscriptionId: uuidOf(n), userId: user, planId: `plan-${n}`, status: 'active', startDate: '2026-03-01', endDate: '2026-04-01', billingCycle: 'monthly', billingDay: 1, amount: 1_500_00, paymentMethod: 'card', autoRenew: true, metadata: null }),
    invalid: (n) => ({ subscriptionId: uuidOf(n), userId: user, planId: `plan-${n}`, status: 'active', startDate: '2026-03-01', endDate: '2026-02-01', billingCycle: 'monthly', amount: 1_500_00, paymentMethod: 'card' }),
    invalidPath: 'endDate',
    createMany: (i, o, c) => repositories().subscriptions.createMany(i as never, o, c) as never,
    stored: (n) => countWhere('subscriptions', 'subscription_id', uuidOf(n)),
    marker: (n) => ({ subscriptionId: uuidOf(n), planId: `plan-${n}` }),
    createOne: (n) => repositories().subscriptions.create(CASES[1]!.valid(n) as never),
    readBack: (e) => repositories().subscriptions.findBySubscriptionId(e['subscriptionId'] as string),
  },
  {
    name: 'invoices',
    valid: (n) => ({ invoiceId: uuidOf(n), userId: user, businessId: business, totalAmount: 1_800_00 + n, taxAmount: 300_00, status: 'issued', dueDate: '2026-03-15', invoiceData: { lines: [{ n }] } }),
    invalid: (n) => ({ invoiceId: uuidOf(n), userId: user, businessId: business, totalAmount: 100_00, taxAmount: 300_00, status: 'issued', dueDate: '2026-03-15', invoiceData: {} }),
    invalidPath: 'taxAmount',
    createMany: (i, o, c) => repositories().invoices.createMany(i as never, o, c) as never,
    stored: (n) => countWhere('invoices', 'invoice_id', uuidOf(n)),
    marker: (n) => ({ invoiceId: uuidOf(n), totalAmount: 1_800_00 + n }),
    createOne: (n) => repositories().invoices.create(CASES[2]!.valid(n) as never),
    readBack: (e) => repositories().invoices.findByInvoiceId(e['invoiceId'] as string),
  },
  {
    name: 'analyticsDaily',
    valid: (n) => ({ businessId: oid(n), date: '2026-03-01', newMembers: n % 97, totalRevenue: n * 10 + 5, metrics: { n } }),
    invalid: (n) => ({ businessId: oid(n), date: '2026-02-30', newMembers: 1 }),
    invalidPath: 'date',
    createMany: (i, o, c) => repositories().analyticsDaily.createMany(i as never, o, c) as never,
    stored: (n) => countWhere('analytics_daily', 'business_id', oid(n)),
    marker: (n) => ({ businessId: oid(n), date: '2026-03-01', totalRevenue: n * 10 + 5 }),
    createOne: (n) => repositories().analyticsDaily.upsert(CASES[3]!.valid(n) as never),
    readBack: (e) => repositories().analyticsDaily.findByBusinessAndDate(e['businessId'] as never, e['date'] as string),
  },
  {
    name: 'auditLogs',
    valid: (n) => ({ entityType: 'invoices', entityId: `bulk-${n}`, userId: user, action: 'update', previousState: { n }, newState: { n: n + 1 }, ipAddress: '192.0.2.1' }),
    invalid: (n) => ({ entityType: 'invoices', entityId: `bulk-${n}`, action: 'update', ipAddress: 'not-an-ip' }),
    invalidPath: 'ipAddress',
    createMany: (i, o, c) => repositories().auditLogs.createMany(i as never, o, c) as never,
    stored: (n) => countWhere('audit_logs', 'entity_id', `bulk-${n}`),
    marker: (n) => ({ entityId: `bulk-${n}`, newState: { n: n + 1 } }),
    readBack: async (e) => (await repositories().auditLogs.listByEntity('invoices', e['entityId'] as string)).items[0] ?? null,
  },
];

const KEYED = CASES.filter((c) => c.createOne !== undefined);

describe.each(CASES.map((c) => [c.name, c] as const))('repositories.%s.createMany', (_name, c) => {
  it('writes two valid rows and returns them in input order', async () => {
    const n = next();
    const result = await c.createMany([c.valid(n + 1), c.valid(n + 2)]);
    expect(result.rejected).toEqual([]);
    expect(result.created).toHaveLength(2);
    expect(result.created[0]).toMatchObject(c.marker(n + 1));
    expect(result.created[1]).toMatchObject(c.marker(n + 2));
    expect(await c.stored(n + 1)).toBe(1);
    expect(await c.stored(n + 2)).toBe(1);
  });

  it('returns each created entity equal to what reading it back gives, every Date an object of its own', async () => {
    const n = next();
    const result = await c.createMany([c.valid(n + 1), c.valid(n + 2), c.valid(n + 3)]);
    expect(result.created).toHaveLength(3);
    for (const created of result.created) expect(created).toStrictEqual(await c.readBack(created));
    // Built from the values sent, not shared between the rows of a batch or with the input.
    const dates = result.created.flatMap((e) => Object.values(e).filter((v): v is Date => v instanceof Date));
    expect(dates.length).toBeGreaterThan(0);
    expect(new Set(dates).size).toBe(dates.length);
  });

  it('in ordered mode stops at the first bad row: rows before it written, nothing after it', async () => {
    const n = next();
    const result = await c.createMany([c.valid(n + 1), c.valid(n + 2), c.invalid(n + 3), c.valid(n + 4)]);
    expect(result.created.map((e) => e).length).toBe(2);
    expect(result.rejected).toHaveLength(1);
    expect(result.rejected[0]).toMatchObject({ index: 2, code: 'VALIDATION_FAILED' });
    expect(result.rejected[0]!.issues.map((i) => i.path.join('.'))).toContain(c.invalidPath);
    expect([await c.stored(n + 1), await c.stored(n + 2), await c.stored(n + 3), await c.stored(n + 4)]).toEqual([1, 1, 0, 0]);
  });

  it('in unordered mode writes every good row and reports every bad one', async () => {
    const n = next();
    const result = await c.createMany([c.invalid(n + 1), c.valid(n + 2), c.invalid(n + 3), c.valid(n + 4)], { ordered: false });
    expect(result.rejected.map((r) => [r.index, r.code])).toEqual([[0, 'VALIDATION_FAILED'], [2, 'VALIDATION_FAILED']]);
    expect(result.created).toHaveLength(2);
    expect(result.created[0]).toMatchObject(c.marker(n + 2));
    expect(result.created[1]).toMatchObject(c.marker(n + 4));
    expect([await c.stored(n + 1), await c.stored(n + 2), await c.stored(n + 3), await c.stored(n + 4)]).toEqual([0, 1, 0, 1]);
  });

  it('writes nothing when the unit of work it ran in aborts', async () => {
    const n = next();
    await expect(
      t.nexfit.unitOfWork(async (u) => {
        const result = await c.createMany([c.valid(n + 1), c.valid(n + 2)], {}, u.ctx);
        expect(result.created).toHaveLength(2);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect([await c.stored(n + 1), await c.stored(n + 2)]).toEqual([0, 0]);
  });

  it('refuses a list over MAX_BULK_ROWS or not a list with a thrown ValidationError, writing nothing', async () => {
    const n = next();
    const tooMany = Array.from({ length: MAX_BULK_ROWS + 1 }, () => c.valid(n + 1));
    await expect(c.createMany(tooMany)).rejects.toMatchObject({ constructor: ValidationError, code: 'VALIDATION_FAILED' });
    await expect(c.createMany(c.valid(n + 1) as never)).rejects.toMatchObject({ constructor: ValidationError, code: 'VALIDATION_FAILED' });
    await expect(c.createMany([c.valid(n + 1)], { ordered: 'yes' } as never)).rejects.toMatchObject({ constructor: ValidationError });
    await expect(c.createMany([c.valid(n + 1)], null as never)).rejects.toMatchObject({ constructor: ValidationError });
    expect(await c.stored(n + 1)).toBe(0);
  });

  it('returns empty lists for an empty list', async () => {
    expect(await c.createMany([])).toEqual({ created: [], rejected: [] });
  });
});

describe.each(KEYED.map((c) => [c.name, c] as const))('repositories.%s.createMany conflicts', (_name, c) => {
  it('reports a row whose key is stored already as CONFLICT at its index (ordered: nothing after it written)', async () => {
    const n = next();
    await c.createOne!(n + 2);
    const result = await c.createMany([c.valid(n + 1), c.valid(n + 2), c.valid(n + 3)]);
    expect(result.created).toHaveLength(1);
    expect(result.created[0]).toMatchObject(c.marker(n + 1));
    expect(result.rejected).toEqual([expect.objectContaining({ index: 1, code: 'CONFLICT' })]);
    expect([await c.stored(n + 1), await c.stored(n + 2), await c.stored(n + 3)]).toEqual([1, 1, 0]);
  });

  it('reports a key repeated inside the batch as CONFLICT at the repeat, and unordered writes the rest', async () => {
    const n = next();
    await c.createOne!(n + 5);
    const result = await c.createMany([c.valid(n + 1), c.valid(n + 2), c.valid(n + 1), c.valid(n + 5), c.valid(n + 3)], { ordered: false });
    expect(result.rejected.map((r) => [r.index, r.code])).toEqual([[2, 'CONFLICT'], [3, 'CONFLICT']]);
    expect(result.created.map((e) => e)).toHaveLength(3);
    expect(result.created[2]).toMatchObject(c.marker(n + 3));
    expect([await c.stored(n + 1), await c.stored(n + 2), await c.stored(n + 3), await c.stored(n + 5)]).toEqual([1, 1, 1, 1]);
  });

  it('stops an ordered batch at a repeat inside it', async () => {
    const n = next();
    const result = await c.createMany([c.valid(n + 1), c.valid(n + 1), c.valid(n + 2)]);
    expect(result.rejected).toEqual([expect.objectContaining({ index: 1, code: 'CONFLICT' })]);
    expect([await c.stored(n + 1), await c.stored(n + 2)]).toEqual([1, 0]);
  });

  it('inside a caller transaction, undoes only the rows after an ordered conflict and leaves the transaction usable', async () => {
    const n = next();
    await c.createOne!(n + 3);
    await t.nexfit.pg.transaction().execute(async (trx) => {
      const result = await c.createMany([c.valid(n + 1), c.valid(n + 2), c.valid(n + 3), c.valid(n + 4)], {}, { pg: trx });
      expect(result.rejected).toEqual([expect.objectContaining({ index: 2, code: 'CONFLICT' })]);
      const more = await c.createMany([c.valid(n + 6)], {}, { pg: trx });
      expect(more.created).toHaveLength(1);
    });
    expect([await c.stored(n + 1), await c.stored(n + 2), await c.stored(n + 3), await c.stored(n + 4), await c.stored(n + 6)]).toEqual([1, 1, 1, 0, 1]);
  });
});

describe.each(CASES.map((c) => [c.name, c] as const))('repositories.%s.createMany over several statements (1,200 rows: chunks of 125, 250, 500 and 325)', (_name, c) => {
  const ROWS = 1_200;
  const storedCount = async (n: number, indexes: readonly number[]) => {
    let total = 0;
    for (const i of indexes) total += await c.stored(n + i);
    return total;
  };
  const sample = (from: number, to: number) => [from, Math.floor((from + to) / 2), to - 1];

  it('ordered: a row failing validation in the third chunk stops the batch there, every row before it written, none after', async () => {
    const n = manyRowsRange();
    const rows = Array.from({ length: ROWS }, (_, i) => (i === 700 ? c.invalid(n + i) : c.valid(n + i)));
    const result = await c.createMany(rows);
    expect(result.created).toHaveLength(700);
    expect(result.created[699]).toMatchObject(c.marker(n + 699));
    expect(result.rejected).toEqual([expect.objectContaining({ index: 700, code: 'VALIDATION_FAILED' })]);
    expect(await storedCount(n, sample(0, 700))).toBe(3);
    expect(await storedCount(n, sample(700, ROWS))).toBe(0);
  });

  it('unordered: bad rows in every chunk are reported in index order and every good row is written once', async () => {
    const n = manyRowsRange();
    const bad = [3, 310, 650, 1_199];
    const rows = Array.from({ length: ROWS }, (_, i) => (bad.includes(i) ? c.invalid(n + i) : c.valid(n + i)));
    const result = await c.createMany(rows, { ordered: false });
    expect(result.rejected.map((r) => r.index)).toEqual(bad);
    expect(result.created).toHaveLength(ROWS - bad.length);
    expect(result.created[ROWS - bad.length - 1]).toMatchObject(c.marker(n + 1_198));
    expect(await storedCount(n, bad)).toBe(0);
    expect(await storedCount(n, [0, 309, 311, 649, 651, 1_198])).toBe(6);
  });

  it('in a unit of work that aborts, no chunk stays written', async () => {
    const n = manyRowsRange();
    const rows = Array.from({ length: ROWS }, (_, i) => c.valid(n + i));
    await expect(
      t.nexfit.unitOfWork(async (u) => {
        expect((await c.createMany(rows, {}, u.ctx)).created).toHaveLength(ROWS);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await storedCount(n, sample(0, ROWS))).toBe(0);
  });
});

describe.each(KEYED.map((c) => [c.name, c] as const))('repositories.%s.createMany conflicts across statements', (_name, c) => {
  it('ordered: a key repeating a row of the first chunk, met in the fourth, stops the batch there', async () => {
    const n = manyRowsRange();
    const rows = Array.from({ length: 1_200 }, (_, i) => c.valid(n + (i === 1_000 ? 5 : i)));
    const result = await c.createMany(rows);
    expect(result.created).toHaveLength(1_000);
    expect(result.rejected).toEqual([expect.objectContaining({ index: 1_000, code: 'CONFLICT' })]);
    expect(await c.stored(n + 1_001)).toBe(0);
  });

  it('ordered: a key stored already, met in the third chunk, is the conflict that stops the batch; the earlier chunks commit', async () => {
    const n = manyRowsRange();
    await c.createOne!(n + 800);
    const rows = Array.from({ length: 1_200 }, (_, i) => c.valid(n + i));
    const result = await c.createMany(rows);
    expect(result.created).toHaveLength(800);
    expect(result.rejected).toEqual([expect.objectContaining({ index: 800, code: 'CONFLICT' })]);
    expect([await c.stored(n), await c.stored(n + 799), await c.stored(n + 800), await c.stored(n + 801)]).toEqual([1, 1, 1, 0]);
  });
});

describe('invoice numbers of createMany', () => {
  const seriesOf = async (businessId: string) => {
    const { rows } = await sql<{ invoice_number: string }>`select invoice_number from invoices where business_id = ${businessId} order by invoice_number`.execute(t.nexfit.pg);
    return rows.map((r) => Number(r.invoice_number.split('-')[2]));
  };
  const invoice = (businessId: string, overrides: Record<string, unknown> = {}) => ({
    invoiceId: randomUUID(),
    userId: user,
    businessId,
    totalAmount: 1_000_00,
    taxAmount: 100_00,
    status: 'issued',
    dueDate: '2026-03-31',
    invoiceData: { lines: [] },
    ...overrides,
  });

  it('gives the valid rows consecutive numbers in input order and rejected rows none, so the series stays unbroken', async () => {
    const a = oid(0xa0001);
    const b = oid(0xa0002);
    const first = await repositories().invoices.create(invoice(a) as never);
    const taken = invoice(a);
    await repositories().invoices.create(taken as never);
    const result = await repositories().invoices.createMany(
      [invoice(a), invoice(b), invoice(a, { taxAmount: -1 }), invoice(a, { invoiceId: taken.invoiceId }), invoice(a, { invoiceNumber: '2026-X' }), invoice(b), invoice(a)] as never,
      { ordered: false },
    );
    expect(result.rejected.map((r) => [r.index, r.code])).toEqual([[2, 'VALIDATION_FAILED'], [3, 'CONFLICT'], [4, 'VALIDATION_FAILED']]);
    expect(result.rejected[2]!.issues[0]!.path).toEqual(['invoiceNumber']);
    const prefix = first.invoiceNumber.slice(0, -6);
    expect(result.created.map((i) => i.invoiceNumber)).toEqual([`${prefix}000003`, expect.stringMatching(/-000001$/), expect.stringMatching(/-000002$/), `${prefix}000004`]);
    expect(await seriesOf(a)).toEqual([1, 2, 3, 4]);
    expect(await seriesOf(b)).toEqual([1, 2]);
    const after = await repositories().invoices.create(invoice(a) as never);
    expect(after.invoiceNumber).toBe(`${prefix}000005`);
  });

  it('numbers 1,200 invoices written over four statements 1 to 1,200 in input order, skipping the bad rows of every chunk', async () => {
    const c = oid(0xa0009);
    const bad = new Set([10, 400, 1_000]);
    const rows = Array.from({ length: 1_200 }, (_, i) => invoice(c, bad.has(i) ? { taxAmount: -1 } : { totalAmount: 1_000_00 + i }));
    const result = await repositories().invoices.createMany(rows as never, { ordered: false });
    expect(result.rejected.map((r) => r.index)).toEqual([...bad]);
    expect(result.created.map((i) => Number(i.invoiceNumber.split('-')[2]))).toEqual(Array.from({ length: 1_197 }, (_, i) => i + 1));
    // Input order: the i-th created invoice is the i-th good row.
    expect(result.created.map((i) => i.totalAmount)).toEqual(rows.filter((_, i) => !bad.has(i)).map((r) => r.totalAmount));
    expect(await seriesOf(c)).toEqual(Array.from({ length: 1_197 }, (_, i) => i + 1));
  });

  it('keeps the series unbroken when a single create runs concurrently with a batch', async () => {
    const c = oid(0xa0003);
    await repositories().invoices.create(invoice(c) as never);
    const batch = Array.from({ length: 50 }, (_, i) => invoice(c, i % 10 === 9 ? { taxAmount: -1 } : {}));
    const [bulk, ...singles] = await Promise.all([
      repositories().invoices.createMany(batch as never, { ordered: false }),
      ...Array.from({ length: 5 }, () => repositories().invoices.create(invoice(c) as never)),
    ]);
    expect(bulk.created).toHaveLength(45);
    expect(singles).toHaveLength(5);
    expect(await seriesOf(c)).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
  });

  it('in ordered mode numbers only the prefix before the first bad row', async () => {
    const d = oid(0xa0004);
    const result = await repositories().invoices.createMany([invoice(d), invoice(d), invoice(d, { transactionId: randomUUID() }), invoice(d)] as never);
    expect(result.rejected).toEqual([expect.objectContaining({ index: 2, code: 'CONFLICT' })]);
    expect(result.rejected[0]!.issues[0]!.path).toEqual(['transactionId']);
    expect(await seriesOf(d)).toEqual([1, 2]);
  });

  it('refuses an invoice naming a missing transaction as CONFLICT and writes the others', async () => {
    const e = oid(0xa0005);
    const paid = await repositories().transactions.create({ transactionId: randomUUID(), userId: user, amount: 1_000_00, paymentMethod: 'card', transactionType: 'purchase', status: 'completed' });
    const result = await repositories().invoices.createMany(
      [invoice(e, { transactionId: paid.transactionId }), invoice(e, { transactionId: randomUUID() }), invoice(e, { subscriptionId: randomUUID() })] as never,
      { ordered: false },
    );
    expect(result.rejected.map((r) => [r.index, r.code, r.issues[0]!.path[0]])).toEqual([[1, 'CONFLICT', 'transactionId'], [2, 'CONFLICT', 'subscriptionId']]);
    expect(result.created.map((i) => i.transactionId)).toEqual([paid.transactionId]);
    expect(await seriesOf(e)).toEqual([1]);
  });
});

describe('partitions', () => {
  it('puts days of a year without its partition in the DEFAULT partition, as upsert does', async () => {
    const far = oid(0xf0001);
    await repositories().analyticsDaily.upsert({ businessId: far, date: '2091-05-01', newMembers: 1 });
    const result = await repositories().analyticsDaily.createMany([{ businessId: far, date: '2091-05-02', newMembers: 2 }]);
    expect(result.created).toHaveLength(1);
    const { rows } = await sql<{ date: string; partition: string }>`select date::text as date, tableoid::regclass::text as partition from analytics_daily where business_id = ${far} order by date`.execute(t.nexfit.pg);
    expect(rows).toEqual([
      { date: '2091-05-01', partition: 'analytics_daily_default' },
      { date: '2091-05-02', partition: 'analytics_daily_default' },
    ]);
  });

  it('puts audit rows where record puts them: the partition of the clock month, or DEFAULT when it has none', async () => {
    const single = await repositories().auditLogs.record({ entityType: 'users', entityId: 'partition-single', action: 'update' });
    await repositories().auditLogs.createMany([{ entityType: 'users', entityId: 'partition-bulk', action: 'update' }]);
    const { rows } = await sql<{ entity_id: string; partition: string; created_at: Date }>`select entity_id, tableoid::regclass::text as partition, created_at from audit_logs where entity_id like 'partition-%' order by entity_id`.execute(t.nexfit.pg);
    // The rolling partitions follow the server's date, not the test's fixed clock: either way both rows share one partition.
    expect(rows.map((r) => r.entity_id)).toEqual(['partition-bulk', 'partition-single']);
    expect(rows[0]!.partition).toBe(rows[1]!.partition);
    expect(['audit_logs_2026_03', 'audit_logs_default']).toContain(rows[0]!.partition);
    expect(rows.map((r) => r.created_at.getTime())).toEqual([single.createdAt.getTime(), single.createdAt.getTime()]);
  });
});

describe('a 10,000-row batch', () => {
  it('lands fully and reads back equal to its input, amounts exact in minor units', async () => {
    const base = next() * 1_000;
    const inputs = Array.from({ length: 10_000 }, (_, i) => ({
      transactionId: uuidOf(base + i),
      userId: oid(0xc0000 + (i % 7)),
      amount: (i * 7_919) % 99_999_999,
      currency: i % 3 === 0 ? 'EUR' : 'TRY',
      paymentMethod: i % 2 === 0 ? 'card' : 'cash',
      transactionType: 'purchase',
      status: 'completed',
      description: i % 5 === 0 ? null : `satır "${i}" \\ {a,b} NULL`,
      metadata: i % 4 === 0 ? null : { i, text: `ğüşiöç ${i}`, nested: { list: [i, '"x"', null] } },
    }));
    const result = await repositories().transactions.createMany(inputs as never, { ordered: false });
    expect(result.rejected).toEqual([]);
    expect(result.created).toHaveLength(10_000);
    const { rows } = await sql<{ transaction_id: string; user_id: string; amount: string; currency: string; payment_method: string; description: string | null; metadata: unknown }>`
      select transaction_id, user_id, amount::text as amount, currency, payment_method, description, metadata
      from transactions where transaction_id = any(${inputs.map((i) => i.transactionId)}::text[]) order by transaction_id`.execute(t.nexfit.pg);
    expect(rows).toHaveLength(10_000);
    const expected = [...inputs]
      .sort((a, b) => (a.transactionId < b.transactionId ? -1 : 1))
      .map((i) => ({
        transaction_id: i.transactionId,
        user_id: i.userId,
        amount: `${Math.floor(i.amount / 100)}.${String(i.amount % 100).padStart(2, '0')}`,
        currency: i.currency,
        payment_method: i.paymentMethod,
        description: i.description,
        metadata: i.metadata,
      }));
    expect(rows).toEqual(expected);
    expect(result.created.map((e) => e.amount)).toEqual(inputs.map((i) => i.amount));
    // The entities returned are the ones a read gives, quotes, backslashes and braces included.
    const sample = [0, 1, 3, 5, 4_999, 5_000, 9_999].map((i) => result.created[i]!);
    for (const created of sample) expect(created).toStrictEqual(await repositories().transactions.findByTransactionId(created.transactionId));
  });
});
