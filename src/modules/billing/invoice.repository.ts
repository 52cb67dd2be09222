import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError } from '../../core/errors.js';
import type { BusinessId, UserId } from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { calendarDateSchema, DEFAULT_TIME_ZONE, jsonObjectSchema } from '../../core/schema-primitives.js';
import type { BulkCreateOptions, BulkCreateResult } from '../../stores/bulk.js';
import type { RepositoryDeps } from '../../stores/repository-deps.js';
import type { StoreContext } from '../../stores/store-context.js';
import type { BulkInsertTable, RowRefusal } from '../../stores/postgres/bulk-insert.js';
import { calendarDateOf, decimalOf, instantOf, jsonTextOf, minorOf, nullableCalendarDateOf } from '../../stores/postgres/column-values.js';
import type { Database, InvoiceRow, InvoiceRowUpdate, NewInvoiceRow } from '../../stores/postgres/database.js';
import type { InvoiceStatus } from '../../stores/postgres/enums.js';
import { preparePages, PostgresRepository, updatedAtEquals, updateOptionsSchema, type KeysetOrder, type PostgresHandle, type UpdateOptions } from '../../stores/postgres/postgres-repository.js';
import { prepareStatement, slot, type PreparedStatement } from '../../stores/postgres/prepared-statement.js';
import { InvoiceNumberSequence } from './invoice-number-sequence.js';
import { createInvoiceInputSchema, invoiceSchema, type CreateInvoiceData, type CreateInvoiceInput, type Invoice } from './invoice.schema.js';

const fields = invoiceSchema.shape;

/** What issuing an invoice takes: everything but the number, which the sequence assigns. */
export type IssueInvoiceInput = Omit<CreateInvoiceInput, 'invoiceNumber'>;

const businessFilterSchema = z.strictObject({ status: fields.status.optional(), dueBefore: calendarDateSchema.optional() });
const userFilterSchema = z.strictObject({ status: fields.status.optional() });
/** The statuses {@link InvoiceRepository.setStatus} moves to: paying records a date too. */
const settableStatusSchema = fields.status.exclude(['paid']);
/** Statuses an invoice can be paid from. */
const PAYABLE: readonly InvoiceStatus[] = ['issued', 'overdue'];

/** Filters of {@link InvoiceRepository.listByBusiness}; `dueBefore` is exclusive. */
export type InvoiceBusinessFilter = z.input<typeof businessFilterSchema>;
/** Filters of {@link InvoiceRepository.listByUser}. */
export type InvoiceUserFilter = z.input<typeof userFilterSchema>;

/** A business's open or overdue invoices by due date: `idx_invoices_business_id (business_id, status, due_date)`. */
const EARLIEST_DUE_FIRST: KeysetOrder = { direction: 'asc', columns: [['due_date', 'date'], ['id', 'bigint']] };
/** A user's invoices, newest first: `idx_invoices_user_id (user_id, created_at)`. */
/** The columns an archived row shares with a hot one (everything but `archived_at`). */
const ARCHIVED_COLUMNS = ['id', 'invoice_id', 'transaction_id', 'subscription_id', 'user_id', 'business_id', 'total_amount', 'tax_amount', 'currency', 'status', 'due_date', 'payment_date', 'invoice_number', 'invoice_data', 'created_at', 'updated_at'] as const;
const NEWEST_FIRST: KeysetOrder = { direction: 'desc', columns: [['created_at', 'timestamptz'], ['id', 'bigint']] };

// The statements of the short calls, built and compiled once (see prepareStatement).
const INSERT = prepareStatement((db) =>
  db
    .insertInto('invoices')
    .values({
      invoice_id: slot('invoice_id'),
      transaction_id: slot('transaction_id'),
      subscription_id: slot('subscription_id'),
      user_id: slot('user_id'),
      business_id: slot('business_id'),
      total_amount: slot('total_amount'),
      tax_amount: slot('tax_amount'),
      currency: slot('currency'),
      status: slot('status'),
      due_date: slot('due_date'),
      payment_date: slot('payment_date'),
      invoice_number: slot('invoice_number'),
      invoice_data: slot('invoice_data'),
      created_at: slot('created_at'),
      updated_at: slot('updated_at'),
    })
    .returningAll(),
);
const BY_INVOICE_ID = prepareStatement((db) => db.selectFrom('invoices').selectAll().where('invoice_id', '=', slot('id')));
const BY_BUSINESS_PAGES = preparePages(EARLIEST_DUE_FIRST, (db, has) =>
  db
    .selectFrom('invoices')
    .selectAll()
    .where('business_id', '=', slot('business'))
    .$if(has('status'), (q) => q.where('status', '=', slot('status')))
    .$if(has('dueBefore'), (q) => q.where('due_date', '<', slot('dueBefore'))),
);
const BY_USER_PAGES = preparePages(NEWEST_FIRST, (db, has) =>
  db.selectFrom('invoices').selectAll().where('user_id', '=', slot('user')).$if(has('status'), (q) => q.where('status', '=', slot('status'))),
);
/** The guarded updates, one statement per set of columns, guard and allowed statuses. */
const UPDATES = new Map<string, PreparedStatement<InvoiceRow>>();

function updateStatement(columns: readonly (keyof InvoiceRowUpdate)[], guarded: boolean, from: readonly InvoiceStatus[] | undefined): PreparedStatement<InvoiceRow> {
  const key = `${columns.join(',')}|${guarded}|${from?.join(',') ?? ''}`;
  let statement = UPDATES.get(key);
  if (!statement) {
    statement = prepareStatement((db) =>
      db
        .updateTable('invoices')
        .set(Object.fromEntries(columns.map((column) => [column, slot(column)])))
        .where('invoice_id', '=', slot('nexfit_id'))
        .$if(guarded, (q) => q.where(updatedAtEquals(slot('nexfit_expected'))))
        .$if(from !== undefined, (q) => q.where('status', 'in', from!))
        .returningAll(),
    );
    UPDATES.set(key, statement);
  }
  return statement;
}

const yearFormat = new Intl.DateTimeFormat('en', { timeZone: DEFAULT_TIME_ZONE, year: 'numeric' });

/**
 * The `invoices` table. An invoice's number is assigned on creation by
 * `InvoiceNumberSequence`, gap-free per business and year; the year is the issue
 * date's year in the platform's time zone (`Europe/Istanbul`, where the invoices are
 * legally issued), read from the injected clock. An issued invoice is never edited: only
 * its payment state moves, and corrections are credit notes.
 *
 * @example
 * ```ts
 * const invoices = new InvoiceRepository(db, deps);
 * const invoice = await invoices.create({ invoiceId: ids.newUuid(), userId, businessId, totalAmount: 1_800_00, taxAmount: 300_00, status: 'issued', dueDate: '2026-03-15', invoiceData: { lines: [] } }, ctx);
 * invoice.invoiceNumber // '2026-000042-000318'
 * await invoices.markPaid(invoice.invoiceId, '2026-03-10', { expectedUpdatedAt: invoice.updatedAt }, ctx);
 * ```
 */
export class InvoiceRepository extends PostgresRepository {
  readonly #numbers: InvoiceNumberSequence;

  constructor(db: Kysely<Database>, deps: RepositoryDeps) {
    super(db, deps, { entity: 'invoice', table: 'invoices' });
    this.#numbers = new InvoiceNumberSequence(db, deps);
  }

  /**
   * Issues an invoice: takes the next number of the business's series and inserts the
   * invoice in one transaction, so a failed insert gives the number back. With a
   * transaction in `ctx` both run in it (and the number is held until it ends); without
   * one the repository opens its own for these two statements, the only transaction a
   * repository opens, because the number and the invoice must commit together.
   */
  async create(input: IssueInvoiceInput, ctx?: StoreContext): Promise<Invoice> {
    return this.run('create', async () => {
      const data = this.#parseIssue(input);
      const year = this.#issueYear();
      return this.inTransaction(this.dbOf(ctx), async (trx: PostgresHandle) => {
        const invoiceNumber = await this.#numbers.next(data.businessId, year, { pg: trx });
        const { rows } = await INSERT.execute(trx, { ...toNewRow({ ...data, invoiceNumber }), ...this.insertTimestamps() });
        return toInvoice(rows[0] as InvoiceRow);
      });
    });
  }

  /**
   * Issues many invoices with one INSERT per chunk of rows (contract in `stores/bulk.ts`).
   * Each row is validated as {@link InvoiceRepository.create} validates it (a caller's
   * `invoiceNumber` is refused); a row naming a transaction or subscription that does not
   * exist, or an `invoiceId` already stored or repeated in the batch, is a `CONFLICT`
   * rejection. The numbers are taken per chunk, a business's next N at once, and given in
   * input order to the rows written only: a rejected row takes no number, so every series
   * stays unbroken. A chunk that meets a conflict is rolled back to its savepoint (giving its
   * numbers back) and done again without the refused rows.
   *
   * @example
   * ```ts
   * const { created } = await invoices.createMany([
   *   { invoiceId: ids.newUuid(), userId, businessId, totalAmount: 1_800_00, taxAmount: 300_00, status: 'issued', dueDate: '2026-03-15', invoiceData: { lines: [] } },
   *   { invoiceId: ids.newUuid(), userId: other, businessId, totalAmount: 900_00, taxAmount: 150_00, status: 'issued', dueDate: '2026-03-15', invoiceData: { lines: [] } },
   * ]);
   * created.map((i) => i.invoiceNumber) // ['2026-000042-000318', '2026-000042-000319']
   * ```
   */
  async createMany(inputs: readonly IssueInvoiceInput[], options?: BulkCreateOptions, ctx?: StoreContext): Promise<BulkCreateResult<Invoice>> {
    const timestamps = this.insertTimestamps();
    const year = this.#issueYear();
    return this.createRows(inputs, options, ctx, {
      ...BULK_TABLE,
      parse: (input) => this.#parseIssue(input),
      screen: referencesMissing,
      toRows: async (trx, rows) => {
        const numbers = await this.#numbers.nextMany(rows.map((data) => data.businessId), year, { pg: trx });
        return rows.map((data, i) => ({ ...toNewRow({ ...data, invoiceNumber: numbers[i]! }), ...timestamps }));
      },
      redoOnConflict: true,
      toEntity: toInvoice,
    });
  }

  /** The invoice, or `null`. */
  async findByInvoiceId(invoiceId: string, ctx?: StoreContext): Promise<Invoice | null> {
    return this.run('findByInvoiceId', async () => {
      const id = this.parse(fields.invoiceId, invoiceId);
      const row = (await BY_INVOICE_ID.execute(this.dbOf(ctx), { id })).rows[0];
      return row ? toInvoice(row) : null;
    });
  }

  /** The invoice; `NotFoundError` when there is none. */
  async getByInvoiceId(invoiceId: string, ctx?: StoreContext): Promise<Invoice> {
    const found = await this.findByInvoiceId(invoiceId, ctx);
    if (!found) throw new NotFoundError(this.entity, invoiceId);
    return found;
  }

  /** The invoice printed with this number, or `null`. */
  async findByInvoiceNumber(invoiceNumber: string, ctx?: StoreContext): Promise<Invoice | null> {
    return this.run('findByInvoiceNumber', async () => {
      const number = this.parse(fields.invoiceNumber, invoiceNumber);
      const row = await this.dbOf(ctx).selectFrom('invoices').selectAll().where('invoice_number', '=', number).executeTakeFirst();
      return row ? toInvoice(row) : null;
    });
  }

  /** A business's invoices by due date (earliest first), optionally of one status and due before a date. */
  async listByBusiness(businessId: BusinessId, filter: InvoiceBusinessFilter = {}, page?: PageRequest, ctx?: StoreContext): Promise<Page<Invoice>> {
    return this.run('listByBusiness', async () => {
      const business = this.parse(fields.businessId, businessId);
      const { status, dueBefore } = this.parse(businessFilterSchema, filter);
      const query = { pages: BY_BUSINESS_PAGES, handle: this.dbOf(ctx), values: { business, status, dueBefore } };
      const { rows, nextCursor } = await this.keysetPage<Database, 'invoices', InvoiceRow>(query, undefined, page);
      return { items: rows.map(toInvoice), nextCursor };
    });
  }

  /** A user's invoices, newest first, optionally of one status. */
  async listByUser(userId: UserId, filter: InvoiceUserFilter = {}, page?: PageRequest, ctx?: StoreContext): Promise<Page<Invoice>> {
    return this.run('listByUser', async () => {
      const user = this.parse(fields.userId, userId);
      const { status } = this.parse(userFilterSchema, filter);
      const query = { pages: BY_USER_PAGES, handle: this.dbOf(ctx), values: { user, status } };
      const { rows, nextCursor } = await this.keysetPage<Database, 'invoices', InvoiceRow>(query, undefined, page);
      return { items: rows.map(toInvoice), nextCursor };
    });
  }

  /**
   * Marks an issued or overdue invoice paid on `paymentDate` (`YYYY-MM-DD`). Any other
   * status is a `ConflictError` (reason `invalid_status`); a stale `expectedUpdatedAt` a
   * `ConcurrencyError`.
   */
  async markPaid(invoiceId: string, paymentDate: string, options: UpdateOptions = {}, ctx?: StoreContext): Promise<Invoice> {
    return this.run('markPaid', async () => {
      const date = this.parse(calendarDateSchema, paymentDate);
      return this.#update(invoiceId, { status: 'paid', payment_date: date }, options, ctx, PAYABLE);
    });
  }

  /**
   * Moves the invoice to `status` (issue a draft, mark it overdue, void it…). Paying goes
   * through {@link InvoiceRepository.markPaid}, which records the payment date with it.
   */
  async setStatus(invoiceId: string, status: Exclude<InvoiceStatus, 'paid'>, options: UpdateOptions = {}, ctx?: StoreContext): Promise<Invoice> {
    return this.run('setStatus', async () => {
      const next = this.parse(settableStatusSchema, status);
      return this.#update(invoiceId, { status: next }, options, ctx);
    });
  }

  async #update(invoiceId: string, set: InvoiceRowUpdate, options: UpdateOptions, ctx: StoreContext | undefined, from?: readonly InvoiceStatus[]): Promise<Invoice> {
    const id = this.parse(fields.invoiceId, invoiceId);
    const { expectedUpdatedAt } = this.parse(updateOptionsSchema, options);
    const db = this.dbOf(ctx);
    const columns = Object.keys(set) as (keyof InvoiceRowUpdate)[];
    const statement = updateStatement(columns, expectedUpdatedAt !== undefined, from);
    const row = (await statement.execute(db, { ...set, nexfit_id: id, ...(expectedUpdatedAt !== undefined ? { nexfit_expected: expectedUpdatedAt } : {}) })).rows[0];
    if (row) return toInvoice(row);
    const current = await db.selectFrom('invoices').select(['status', 'updated_at']).where('invoice_id', '=', id).executeTakeFirst();
    if (current && from !== undefined && !from.includes(current.status) && (expectedUpdatedAt === undefined || current.updated_at.getTime() === expectedUpdatedAt.getTime())) {
      throw new ConflictError('invalid_status', `Invoice ${id} is ${current.status}; expected one of ${from.join(', ')}`, { details: { status: current.status } });
    }
    return this.refuseUpdate(id, async () => current);
  }

  /**
   * Invoices with a line containing every field of `line` (`{ description: 'Aylık' }`, or any
   * field the lines carry), newest first: what a plan's or a product's sales look like. Served
   * by the GIN index `idx_invoices_invoice_data` (containment,
   * `invoice_data @> {"lines": [line]}`).
   */
  async listByLineItem(line: InvoiceLineMatch, page?: PageRequest, ctx?: StoreContext): Promise<Page<Invoice>> {
    return this.run('listByLineItem', async () => {
      const match = this.parse(lineMatchSchema, line);
      const query = this.dbOf(ctx)
        .selectFrom('invoices')
        .selectAll()
        .where(sql<boolean>`invoice_data @> cast(${JSON.stringify({ lines: [match] })} as jsonb)`);
      const { rows, nextCursor } = await this.keysetPage(query, NEWEST_FIRST, page);
      return { items: rows.map(toInvoice), nextCursor };
    });
  }

  /**
   * An archived invoice (moved to `invoices_archive` with its transaction by
   * `archiveOlderThan({ target: 'billing' })`), or `null`. The hot reads never see archived rows.
   */
  async findArchived(invoiceId: string, ctx?: StoreContext): Promise<Invoice | null> {
    return this.run('findArchived', async () => {
      const id = this.parse(fields.invoiceId, invoiceId);
      const row = await this.dbOf(ctx).selectFrom('invoices_archive').select(ARCHIVED_COLUMNS).where('invoice_id', '=', id).executeTakeFirst();
      return row ? toInvoice(row as InvoiceRow) : null;
    });
  }

  /** A user's archived invoices, newest first (`idx_invoices_archive_user_id`). */
  async listArchivedByUser(userId: UserId, page?: PageRequest, ctx?: StoreContext): Promise<Page<Invoice>> {
    return this.run('listArchivedByUser', async () => {
      const user = this.parse(fields.userId, userId);
      const query = this.dbOf(ctx).selectFrom('invoices_archive').select(ARCHIVED_COLUMNS).where('user_id', '=', user);
      const { rows, nextCursor } = await this.keysetPage(query, NEWEST_FIRST, page);
      return { items: rows.map((row) => toInvoice(row as InvoiceRow)), nextCursor };
    });
  }

  /**
   * Open invoices — `issued` or `overdue` — earliest due first, optionally of one business
   * and due before a date: the dunning run's and the receivables report's input. Served by
   * the partial index `idx_invoices_open`, which holds the open invoices only.
   */
  async listOpen(filter: InvoiceOpenFilter = {}, page?: PageRequest, ctx?: StoreContext): Promise<Page<Invoice>> {
    return this.run('listOpen', async () => {
      const { businessId, dueBefore } = this.parse(openFilterSchema, filter);
      let query = this.dbOf(ctx).selectFrom('invoices').selectAll().where(sql<boolean>`status IN ('issued', 'overdue')`);
      if (businessId) query = query.where('business_id', '=', businessId);
      if (dueBefore) query = query.where('due_date', '<', dueBefore);
      const { rows, nextCursor } = await this.keysetPage(query, EARLIEST_DUE_FIRST, page);
      return { items: rows.map(toInvoice), nextCursor };
    });
  }

  /** An issue input, parsed: every field but the number, which the sequence assigns later. */
  #parseIssue(input: unknown): CreateInvoiceData {
    if (typeof input === 'object' && input !== null && 'invoiceNumber' in input) {
      throw this.#numberNotAccepted();
    }
    // The number is validated once assigned; the placeholder lets the schema check the rest now.
    return this.parse(createInvoiceInputSchema, { ...(input as object), invoiceNumber: 'UNASSIGNED' });
  }

  /** The year of the invoices issued now: the clock's, in the platform's time zone. */
  #issueYear(): number {
    return Number(yearFormat.format(this.deps.clock.now()));
  }

  #numberNotAccepted(): ValidationError {
    const message = 'The invoice number is assigned by the invoice number sequence';
    return new ValidationError(`Invalid ${this.entity}: invoiceNumber: ${message}`, [{ path: ['invoiceNumber'], code: 'unrecognized_keys', message }]);
  }
}

/** A line to look for: a non-empty JSON object, matched by containment. */
const lineMatchSchema = jsonObjectSchema.refine((value) => Object.keys(value).length > 0, { error: 'Give at least one field of the line to match' });
/** What {@link InvoiceRepository.listByLineItem} looks for in `invoiceData.lines`. */
export type InvoiceLineMatch = z.input<typeof lineMatchSchema>;
const openFilterSchema = z.strictObject({ businessId: invoiceSchema.shape.businessId.optional(), dueBefore: calendarDateSchema.optional() });
/** Filters of {@link InvoiceRepository.listOpen}. */
export type InvoiceOpenFilter = z.input<typeof openFilterSchema>;

/** How `createMany` writes `invoices`: the columns of {@link toNewRow} and the timestamps, keyed by `invoice_id`. */
const BULK_TABLE: Omit<BulkInsertTable<CreateInvoiceData, InvoiceRow>, 'toRows'> = {
  table: 'invoices',
  columns: [
    ['invoice_id', 'text'],
    ['transaction_id', 'text'],
    ['subscription_id', 'text'],
    ['user_id', 'text'],
    ['business_id', 'text'],
    ['total_amount', 'numeric'],
    ['tax_amount', 'numeric'],
    ['currency', 'text'],
    ['status', 'text'],
    ['due_date', 'date'],
    ['payment_date', 'date'],
    ['invoice_number', 'text'],
    ['invoice_data', 'jsonb'],
    ['created_at', 'timestamptz'],
    ['updated_at', 'timestamptz'],
  ],
  key: { fields: ['invoiceId'], columns: ['invoice_id'], ofData: (data) => data.invoiceId, ofRow: (row) => row.invoice_id },
};

/** The invoice's references, checked before a bulk insert so one missing row refuses its invoice, not the chunk. */
const REFERENCES = [
  { field: 'transactionId', table: 'transactions', column: 'transaction_id', of: (data: CreateInvoiceData) => data.transactionId },
  { field: 'subscriptionId', table: 'subscriptions', column: 'subscription_id', of: (data: CreateInvoiceData) => data.subscriptionId },
] as const;

/**
 * The rows whose transaction or subscription does not exist: `CONFLICT`, as the foreign key
 * refuses an invoice's `create`. The referenced rows are locked `FOR KEY SHARE` (what the
 * foreign key check itself takes), so none can disappear before the insert.
 */
async function referencesMissing(handle: PostgresHandle, rows: readonly CreateInvoiceData[]): Promise<ReadonlyMap<number, RowRefusal>> {
  const refused = new Map<number, RowRefusal>();
  for (const reference of REFERENCES) {
    const wanted = [...new Set(rows.map(reference.of).filter((id): id is string => id !== null))];
    if (wanted.length === 0) continue;
    const { rows: found } = await sql<{ id: string }>`select ${sql.ref(reference.column)} as id from ${sql.table(reference.table)} where ${sql.ref(reference.column)} = any(${wanted}::text[]) for key share`.execute(handle);
    const present = new Set(found.map((row) => row.id));
    rows.forEach((data, position) => {
      const id = reference.of(data);
      if (id === null || present.has(id) || refused.has(position)) return;
      const message = `Invoice refers to a missing ${reference.table.slice(0, -1)}: ${id}`;
      refused.set(position, { code: 'CONFLICT', message, issues: [{ path: [reference.field], code: 'foreign_key', message }] });
    });
  }
  return refused;
}

/** Entity -> row: the one place the `invoices` columns are written. */
function toNewRow(data: CreateInvoiceData): NewInvoiceRow {
  return {
    invoice_id: data.invoiceId,
    transaction_id: data.transactionId,
    subscription_id: data.subscriptionId,
    user_id: data.userId,
    business_id: data.businessId,
    total_amount: decimalOf(data.totalAmount),
    tax_amount: decimalOf(data.taxAmount),
    currency: data.currency,
    status: data.status,
    due_date: data.dueDate,
    payment_date: data.paymentDate,
    invoice_number: data.invoiceNumber,
    invoice_data: jsonTextOf(data.invoiceData),
  };
}

/** Row -> entity: the one place the `invoices` columns are read. */
function toInvoice(row: InvoiceRow): Invoice {
  return {
    invoiceId: row.invoice_id,
    transactionId: row.transaction_id,
    subscriptionId: row.subscription_id,
    userId: row.user_id as UserId,
    businessId: row.business_id as BusinessId,
    totalAmount: minorOf(row.total_amount),
    taxAmount: minorOf(row.tax_amount),
    currency: row.currency,
    status: row.status,
    dueDate: calendarDateOf(row.due_date),
    paymentDate: nullableCalendarDateOf(row.payment_date),
    invoiceNumber: row.invoice_number,
    invoiceData: row.invoice_data as Invoice['invoiceData'],
    createdAt: instantOf(row.created_at),
    updatedAt: instantOf(row.updated_at),
  };
}
