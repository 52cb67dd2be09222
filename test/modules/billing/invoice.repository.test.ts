import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConcurrencyError, ConfigurationError, ConflictError, NotFoundError, TransientStoreError, ValidationError } from '../../../src/core/errors.js';
import type { BusinessId, UserId } from '../../../src/core/ids.js';
import { formatInvoiceNumber, InvoiceNumberSequence } from '../../../src/modules/billing/invoice-number-sequence.js';
import { InvoiceRepository, type IssueInvoiceInput } from '../../../src/modules/billing/invoice.repository.js';
import { oid } from '../support/factories.js';
import { countRows, explain, expectIndexScan, lastQuery, useRepositoryDb } from '../support/postgres-repositories.js';

const test = useRepositoryDb();
let invoices: InvoiceRepository;
let numbers: InvoiceNumberSequence;

beforeAll(() => {
  invoices = new InvoiceRepository(test.db, test.deps);
  numbers = new InvoiceNumberSequence(test.db, test.deps);
});

const businessId = (n: number) => oid(n) as BusinessId;
const userId = (n: number) => oid(n) as UserId;

function anInvoice(overrides: Partial<IssueInvoiceInput> = {}): IssueInvoiceInput {
  return {
    invoiceId: randomUUID(),
    userId: userId(1),
    businessId: businessId(500),
    totalAmount: 1_800_00,
    taxAmount: 300_00,
    status: 'issued',
    dueDate: '2026-03-15',
    invoiceData: { lines: [{ description: 'Aylık üyelik', amount: 1_800_00 }] },
    ...overrides,
  };
}

const sequenceOf = (invoiceNumber: string) => Number(invoiceNumber.split('-')[2]);

describe('InvoiceRepository', () => {
  it('issues an invoice with the next number of the business’s series for the year', async () => {
    const first = await invoices.create(anInvoice({ businessId: businessId(501) }));
    const second = await invoices.create(anInvoice({ businessId: businessId(501) }));
    expect(first.invoiceNumber).toMatch(/^2026-\d{6}-000001$/);
    expect(second.invoiceNumber).toBe(first.invoiceNumber.replace(/000001$/, '000002'));
    expect(first).toMatchObject({ totalAmount: 1_800_00, taxAmount: 300_00, currency: 'TRY', dueDate: '2026-03-15', paymentDate: null, transactionId: null });
    expect(await invoices.getByInvoiceId(first.invoiceId)).toEqual(first);
    expect(await invoices.findByInvoiceNumber(first.invoiceNumber.toLowerCase())).toEqual(first);
  });

  it('gives every business its own series under a distinct issuer code', async () => {
    const a = await invoices.create(anInvoice({ businessId: businessId(502) }));
    const b = await invoices.create(anInvoice({ businessId: businessId(503) }));
    expect(sequenceOf(a.invoiceNumber)).toBe(1);
    expect(sequenceOf(b.invoiceNumber)).toBe(1);
    expect(a.invoiceNumber).not.toBe(b.invoiceNumber);
  });

  it('starts a new series each year, in the platform’s time zone', async () => {
    const business = businessId(504);
    test.deps.clock.set('2026-12-31T20:59:00Z'); // 23:59 in Istanbul
    const late = await invoices.create(anInvoice({ businessId: business }));
    test.deps.clock.set('2026-12-31T21:01:00Z'); // 00:01 on 1 January in Istanbul
    const early = await invoices.create(anInvoice({ businessId: business }));
    test.deps.clock.set('2026-03-01T09:00:00Z');
    expect(late.invoiceNumber).toMatch(/^2026-\d{6}-000001$/);
    expect(early.invoiceNumber).toMatch(/^2027-\d{6}-000001$/);
  });

  it('hands out 50 distinct, consecutive numbers to 50 concurrent issuers', async () => {
    const business = businessId(505);
    const issued = await Promise.all(
      Array.from({ length: 50 }, () => test.db.transaction().execute((trx) => invoices.create(anInvoice({ businessId: business }), { pg: trx }))),
    );
    const sequence = issued.map((i) => sequenceOf(i.invoiceNumber)).sort((x, y) => x - y);
    expect(sequence).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(new Set(issued.map((i) => i.invoiceNumber.split('-')[1])).size).toBe(1);
    expect(await numbers.lastIssued(business, 2026)).toBe(50);
  });

  it('gives a rolled-back invoice’s number to the next invoice, leaving no gap', async () => {
    const business = businessId(506);
    const first = await invoices.create(anInvoice({ businessId: business }));
    await expect(
      test.db.transaction().execute(async (trx) => {
        const doomed = await invoices.create(anInvoice({ businessId: business }), { pg: trx });
        expect(sequenceOf(doomed.invoiceNumber)).toBe(2);
        throw new Error('payment declined');
      }),
    ).rejects.toThrow('payment declined');
    const next = await invoices.create(anInvoice({ businessId: business }));
    expect([sequenceOf(first.invoiceNumber), sequenceOf(next.invoiceNumber)]).toEqual([1, 2]);
  });

  it('gives the number back when the insert itself fails', async () => {
    const business = businessId(507);
    const first = await invoices.create(anInvoice({ businessId: business }));
    await expect(invoices.create(anInvoice({ businessId: business, invoiceId: first.invoiceId }))).rejects.toBeInstanceOf(ConflictError);
    await expect(invoices.create(anInvoice({ businessId: business, transactionId: randomUUID() }))).rejects.toMatchObject({ reason: 'foreign_key' });
    expect(sequenceOf((await invoices.create(anInvoice({ businessId: business }))).invoiceNumber)).toBe(2);
  });

  it('joins a transaction a unit of work opened with BEGIN on its own connection', async () => {
    const business = businessId(508);
    await test.db.connection().execute(async (conn) => {
      await sql`BEGIN`.execute(conn);
      await invoices.create(anInvoice({ businessId: business }), { pg: conn });
      await sql`ROLLBACK`.execute(conn);
    });
    expect(await numbers.lastIssued(business, 2026)).toBe(0);
    expect((await invoices.listByBusiness(business)).items).toEqual([]);
  });

  it('gives up on a series row another transaction holds after the bounded wait, with a retryable error and no gap', async () => {
    const business = businessId(510);
    await test.db.transaction().execute(async (trx) => numbers.next(business, 2026, { pg: trx }));
    // A transaction that keeps the series row, as one prepared by a process that died does.
    await test.db.connection().execute(async (holder) => {
      await sql`BEGIN`.execute(holder);
      await numbers.next(business, 2026, { pg: holder });
      const started = Date.now();
      const waiting = test.db.transaction().execute(async (trx) => numbers.next(business, 2026, { pg: trx }));
      await expect(waiting).rejects.toBeInstanceOf(TransientStoreError);
      expect(Date.now() - started).toBeGreaterThanOrEqual(9_000);
      // A unit that set its own lock_timeout keeps it.
      const ownStarted = Date.now();
      const own = test.db.transaction().execute(async (trx) => {
        await sql`SET LOCAL lock_timeout = '200ms'`.execute(trx);
        return numbers.next(business, 2026, { pg: trx });
      });
      await expect(own).rejects.toBeInstanceOf(TransientStoreError);
      expect(Date.now() - ownStarted).toBeLessThan(5_000);
      await sql`ROLLBACK`.execute(holder);
    });
    // The holder rolled back and the waiters failed: the series goes on from its last committed number.
    const after = await test.db.transaction().execute(async (trx) => numbers.next(business, 2026, { pg: trx }));
    expect(sequenceOf(after)).toBe(2);
  }, 60_000);

  it('refuses to take a number outside a transaction, which would leave a gap', async () => {
    await expect(numbers.next(businessId(509), 2026)).rejects.toBeInstanceOf(ConfigurationError);
    expect(await numbers.lastIssued(businessId(509), 2026)).toBe(0);
  });

  it('formats numbers unambiguously within 20 characters', () => {
    expect(formatInvoiceNumber(2026, 42, 317)).toBe('2026-000042-000317');
    expect(formatInvoiceNumber(2026, 1_000_000, 1)).toBe('2026-1000000-000001');
    expect(() => formatInvoiceNumber(2026, 1_000_000_000, 1)).toThrow(ConflictError);
  });

  it('refuses invalid input, a caller-chosen number and operator objects, writing nothing', async () => {
    const before = await countRows(test.db, 'invoices');
    const sequences = await countRows(test.db, 'nexfit_invoice_sequences');
    await expect(invoices.create(anInvoice({ taxAmount: 2_000_00 }))).rejects.toBeInstanceOf(ValidationError);
    await expect(invoices.create(anInvoice({ dueDate: '2026-02-30' }))).rejects.toBeInstanceOf(ValidationError);
    await expect(invoices.create({ ...anInvoice(), invoiceNumber: 'X-1' } as never)).rejects.toMatchObject({ constructor: ValidationError, issues: [{ path: ['invoiceNumber'] }] });
    await expect(invoices.listByBusiness({ $gt: '' } as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(invoices.listByBusiness(businessId(500), { status: { $in: ['paid'] } } as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(invoices.findByInvoiceNumber({ $ne: null } as never)).rejects.toBeInstanceOf(ValidationError);
    expect(await countRows(test.db, 'invoices')).toBe(before);
    expect(await countRows(test.db, 'nexfit_invoice_sequences')).toBe(sequences);
  });

  it('throws NotFoundError for an unknown invoice', async () => {
    await expect(invoices.getByInvoiceId(randomUUID())).rejects.toBeInstanceOf(NotFoundError);
    await expect(invoices.markPaid(randomUUID(), '2026-03-10')).rejects.toBeInstanceOf(NotFoundError);
    expect(await invoices.findByInvoiceNumber('2026-999999-000001')).toBeNull();
  });

  it('marks an issued invoice paid once, guarded by updatedAt', async () => {
    const invoice = await invoices.create(anInvoice());
    const overdue = await invoices.setStatus(invoice.invoiceId, 'overdue', { expectedUpdatedAt: invoice.updatedAt });
    await expect(invoices.markPaid(invoice.invoiceId, '2026-03-10', { expectedUpdatedAt: invoice.updatedAt })).rejects.toBeInstanceOf(ConcurrencyError);
    const paid = await invoices.markPaid(invoice.invoiceId, '2026-03-10', { expectedUpdatedAt: overdue.updatedAt });
    expect(paid).toMatchObject({ status: 'paid', paymentDate: '2026-03-10' });
    await expect(invoices.markPaid(invoice.invoiceId, '2026-03-11')).rejects.toMatchObject({ constructor: ConflictError, reason: 'invalid_status' });
    await expect(invoices.setStatus(invoice.invoiceId, 'paid' as never)).rejects.toBeInstanceOf(ValidationError);
  });

  it('lists a business’s invoices by due date across pages, by status and due date', async () => {
    const business = businessId(510);
    const dues = ['2026-04-05', '2026-04-01', '2026-04-03', '2026-04-01', '2026-04-02'];
    for (const dueDate of dues) await invoices.create(anInvoice({ businessId: business, dueDate }));
    await invoices.create(anInvoice({ businessId: business, dueDate: '2026-04-02', status: 'draft' }));
    const seen: string[] = [];
    let after: string | undefined;
    do {
      const page = await invoices.listByBusiness(business, { status: 'issued' }, { limit: 2, ...(after ? { after } : {}) });
      seen.push(...page.items.map((i) => i.dueDate));
      after = page.nextCursor ?? undefined;
    } while (after);
    expect(seen).toEqual(['2026-04-01', '2026-04-01', '2026-04-02', '2026-04-03', '2026-04-05']);
    const dueSoon = await invoices.listByBusiness(business, { dueBefore: '2026-04-03' });
    expect(dueSoon.items.map((i) => [i.dueDate, i.status])).toEqual([
      ['2026-04-01', 'issued'],
      ['2026-04-01', 'issued'],
      ['2026-04-02', 'issued'],
      ['2026-04-02', 'draft'],
    ]);
  });

  it('lists a user’s invoices newest first', async () => {
    const user = userId(77);
    const first = await invoices.create(anInvoice({ userId: user }));
    const second = await invoices.create(anInvoice({ userId: user }));
    const page = await invoices.listByUser(user, {}, { limit: 1 });
    const next = await invoices.listByUser(user, {}, { after: page.nextCursor! });
    expect([...page.items, ...next.items].map((i) => i.invoiceId)).toEqual([second.invoiceId, first.invoiceId]);
  });

  describe('query plans (2 000 rows, analysed)', () => {
    beforeAll(async () => {
      await sql`
        INSERT INTO invoices (invoice_id, user_id, business_id, total_amount, tax_amount, status, due_date, invoice_number, invoice_data)
        SELECT gen_random_uuid()::text, lpad(to_hex(g % 300), 24, '0'), lpad(to_hex(9000 + g % 100), 24, '0'), 100, 18,
               CASE WHEN g % 10 = 0 THEN 'overdue' WHEN g % 3 = 0 THEN 'issued' ELSE 'paid' END,
               date '2025-01-01' + g % 365, 'PLAN-' || g, '{}'
        FROM generate_series(1, 2000) AS g`.execute(test.db);
      await sql`ANALYZE invoices`.execute(test.db);
    });

    it('reads a business’s invoices by status and due date through idx_invoices_business_id', async () => {
      await invoices.listByBusiness(businessId(9000 + 7), { status: 'overdue', dueBefore: '2025-12-01' }, { limit: 10 });
      const plan = await explain(test, lastQuery(test.queries, /from "invoices" where "business_id"/));
      expectIndexScan(plan, 'idx_invoices_business_id', 'invoices');
    });
  });
});
