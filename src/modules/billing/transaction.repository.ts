import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import { NotFoundError } from '../../core/errors.js';
import type { UserId } from '../../core/ids.js';
import { currencyCodeSchema, type MinorUnits } from '../../core/money.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { instantSchema } from '../../core/schema-primitives.js';
import type { BulkCreateOptions, BulkCreateResult } from '../../stores/bulk.js';
import type { RepositoryDeps } from '../../stores/repository-deps.js';
import type { StoreContext } from '../../stores/store-context.js';
import type { BulkInsertTable } from '../../stores/postgres/bulk-insert.js';
import { decimalOf, instantOf, jsonTextOf, minorOf } from '../../stores/postgres/column-values.js';
import type { Database, NewTransactionRow, TransactionRow } from '../../stores/postgres/database.js';
import { preparePages, PostgresRepository, updatedAtEquals, updateOptionsSchema, type KeysetOrder, type UpdateOptions } from '../../stores/postgres/postgres-repository.js';
import { prepareStatement, slot } from '../../stores/postgres/prepared-statement.js';
import {
  createTransactionInputSchema,
  transactionSchema,
  type CreateTransactionData,
  type CreateTransactionInput,
  type Transaction,
  type TransactionStatus,
} from './transaction.schema.js';

const fields = transactionSchema.shape;

/** A time window on `created_at`: `from` inclusive, `to` exclusive. */
const createdWindow = {
  from: instantSchema.optional(),
  to: instantSchema.optional(),
};

const userFilterSchema = z.strictObject({ status: fields.status.optional(), ...createdWindow });
const statusFilterSchema = z.strictObject(createdWindow);
const statusUpdateSchema = z.strictObject({ status: fields.status, ...updateOptionsSchema.shape });

/** Filters of {@link TransactionRepository.listByUser}. */
export type TransactionUserFilter = z.input<typeof userFilterSchema>;
/** Filters of {@link TransactionRepository.listByStatus}. */
export type TransactionStatusFilter = z.input<typeof statusFilterSchema>;
/** The change of {@link TransactionRepository.updateStatus}. */
export interface TransactionStatusUpdate extends UpdateOptions {
  readonly status: TransactionStatus;
}

/** A user's history, newest first: served by `idx_transactions_user_id (user_id, created_at DESC)`. */
/** The columns an archived row shares with a hot one (everything but `archived_at`). */
const ARCHIVED_COLUMNS = ['id', 'transaction_id', 'user_id', 'amount', 'currency', 'payment_method', 'transaction_type', 'status', 'description', 'metadata', 'created_at', 'updated_at'] as const;
const NEWEST_FIRST: KeysetOrder = { direction: 'desc', columns: [['created_at', 'timestamptz'], ['id', 'bigint']] };
/** Sweeps of pending or failed payments take the oldest first: `idx_transactions_status (status, created_at)`. */
const OLDEST_FIRST: KeysetOrder = { direction: 'asc', columns: [['created_at', 'timestamptz'], ['id', 'bigint']] };

/** The filters of the lists, as slots of their prepared statements. */
const byCreatedWindow = <Q extends { where: (...args: any[]) => Q }>(q: Q, has: (name: string) => boolean): Q => {
  let query = q;
  if (has('from')) query = query.where('created_at', '>=', slot<Date>('from'));
  if (has('to')) query = query.where('created_at', '<', slot<Date>('to'));
  return query;
};

// The statements of the short calls, built and compiled once (see prepareStatement).
const INSERT = prepareStatement((db) =>
  db
    .insertInto('transactions')
    .values({
      transaction_id: slot('transaction_id'),
      user_id: slot('user_id'),
      amount: slot('amount'),
      currency: slot('currency'),
      payment_method: slot('payment_method'),
      transaction_type: slot('transaction_type'),
      status: slot('status'),
      description: slot('description'),
      metadata: slot('metadata'),
      created_at: slot('created_at'),
      updated_at: slot('updated_at'),
    })
    .returningAll(),
);
const BY_TRANSACTION_ID = prepareStatement((db) => db.selectFrom('transactions').selectAll().where('transaction_id', '=', slot('id')));
const SET_STATUS = prepareStatement((db) => db.updateTable('transactions').set({ status: slot('status') }).where('transaction_id', '=', slot('id')).returningAll());
const SET_STATUS_IF_UNCHANGED = prepareStatement((db) =>
  db.updateTable('transactions').set({ status: slot('status') }).where('transaction_id', '=', slot('id')).where(updatedAtEquals(slot('expected'))).returningAll(),
);
const BY_USER_PAGES = preparePages(NEWEST_FIRST, (db, has) =>
  byCreatedWindow(
    db.selectFrom('transactions').selectAll().where('user_id', '=', slot('user')).$if(has('status'), (q) => q.where('status', '=', slot('status'))),
    has,
  ),
);
const BY_STATUS_PAGES = preparePages(OLDEST_FIRST, (db, has) => byCreatedWindow(db.selectFrom('transactions').selectAll().where('status', '=', slot('status')), has));

/**
 * The `transactions` table: every financial movement, amounts in minor units. A refund is a
 * row of its own (type `refund`, non-negative amount); the original moves to `refunded`.
 *
 * @example
 * ```ts
 * const transactions = new TransactionRepository(db, deps);
 * const paid = await transactions.create({ transactionId: ids.newUuid(), userId, amount: 1_500_00, paymentMethod: 'card', transactionType: 'purchase', status: 'pending' }, ctx);
 * await transactions.updateStatus(paid.transactionId, { status: 'completed', expectedUpdatedAt: paid.updatedAt }, ctx);
 * ```
 */
export class TransactionRepository extends PostgresRepository {
  constructor(db: Kysely<Database>, deps: RepositoryDeps) {
    super(db, deps, { entity: 'transaction', table: 'transactions' });
  }

  /** Records a transaction; `ConflictError` when its `transactionId` exists already. */
  async create(input: CreateTransactionInput, ctx?: StoreContext): Promise<Transaction> {
    return this.run('create', async () => {
      const data = this.parse(createTransactionInputSchema, input);
      const { rows } = await INSERT.execute(this.dbOf(ctx), { ...toNewRow(data), ...this.insertTimestamps() });
      return toTransaction(rows[0] as TransactionRow);
    });
  }

  /**
   * Records many transactions with one INSERT per chunk of rows (see `stores/bulk.ts` for the
   * contract). Each row is validated as {@link TransactionRepository.create} validates it; a
   * `transactionId` already stored, or repeated in the batch, is a `CONFLICT` rejection. By
   * default the first bad row stops the batch (`{ ordered: false }` writes every good row).
   *
   * @example
   * ```ts
   * const { created, rejected } = await transactions.createMany([
   *   { transactionId: ids.newUuid(), userId, amount: 1_500_00, paymentMethod: 'card', transactionType: 'purchase', status: 'completed' },
   *   { transactionId: ids.newUuid(), userId, amount: 250_00, paymentMethod: 'cash', transactionType: 'purchase', status: 'completed' },
   * ], { ordered: false });
   * ```
   */
  async createMany(inputs: readonly CreateTransactionInput[], options?: BulkCreateOptions, ctx?: StoreContext): Promise<BulkCreateResult<Transaction>> {
    const timestamps = this.insertTimestamps();
    return this.createRows(inputs, options, ctx, {
      ...BULK_TABLE,
      parse: (input) => this.parse(createTransactionInputSchema, input),
      toRows: (_, rows) => rows.map((data) => ({ ...toNewRow(data), ...timestamps })),
      toEntity: toTransaction,
    });
  }

  /** The transaction, or `null`. */
  async findByTransactionId(transactionId: string, ctx?: StoreContext): Promise<Transaction | null> {
    return this.run('findByTransactionId', async () => {
      const id = this.parse(fields.transactionId, transactionId);
      const row = (await BY_TRANSACTION_ID.execute(this.dbOf(ctx), { id })).rows[0];
      return row ? toTransaction(row) : null;
    });
  }

  /** The transaction; `NotFoundError` when there is none. */
  async getByTransactionId(transactionId: string, ctx?: StoreContext): Promise<Transaction> {
    const found = await this.findByTransactionId(transactionId, ctx);
    if (!found) throw new NotFoundError(this.entity, transactionId);
    return found;
  }

  /** A user's transactions, newest first, optionally of one status and within `[from, to)`. */
  async listByUser(userId: UserId, filter: TransactionUserFilter = {}, page?: PageRequest, ctx?: StoreContext): Promise<Page<Transaction>> {
    return this.run('listByUser', async () => {
      const user = this.parse(fields.userId, userId);
      const { status, from, to } = this.parse(userFilterSchema, filter);
      const query = { pages: BY_USER_PAGES, handle: this.dbOf(ctx), values: { user, status, from, to } };
      const { rows, nextCursor } = await this.keysetPage<Database, 'transactions', TransactionRow>(query, undefined, page);
      return { items: rows.map(toTransaction), nextCursor };
    });
  }

  /**
   * An archived transaction (moved to `transactions_archive` by `archiveOlderThan({ target:
   * 'billing' })`), or `null`. The hot reads above never see archived rows.
   */
  async findArchived(transactionId: string, ctx?: StoreContext): Promise<Transaction | null> {
    return this.run('findArchived', async () => {
      const id = this.parse(fields.transactionId, transactionId);
      const row = await this.dbOf(ctx).selectFrom('transactions_archive').select(ARCHIVED_COLUMNS).where('transaction_id', '=', id).executeTakeFirst();
      return row ? toTransaction(row as TransactionRow) : null;
    });
  }

  /** A user's archived transactions, newest first (`idx_transactions_archive_user_id`). */
  async listArchivedByUser(userId: UserId, page?: PageRequest, ctx?: StoreContext): Promise<Page<Transaction>> {
    return this.run('listArchivedByUser', async () => {
      const user = this.parse(fields.userId, userId);
      const query = this.dbOf(ctx).selectFrom('transactions_archive').select(ARCHIVED_COLUMNS).where('user_id', '=', user);
      const { rows, nextCursor } = await this.keysetPage(query, NEWEST_FIRST, page);
      return { items: rows.map((row) => toTransaction(row as TransactionRow)), nextCursor };
    });
  }

  /** Transactions of one status, oldest first (the order a retry or reconciliation sweep works in), within `[from, to)`. */
  async listByStatus(status: TransactionStatus, filter: TransactionStatusFilter = {}, page?: PageRequest, ctx?: StoreContext): Promise<Page<Transaction>> {
    return this.run('listByStatus', async () => {
      const wanted = this.parse(fields.status, status);
      const { from, to } = this.parse(statusFilterSchema, filter);
      const query = { pages: BY_STATUS_PAGES, handle: this.dbOf(ctx), values: { status: wanted, from, to } };
      const { rows, nextCursor } = await this.keysetPage<Database, 'transactions', TransactionRow>(query, undefined, page);
      return { items: rows.map(toTransaction), nextCursor };
    });
  }

  /**
   * Locks a transaction's row in the caller's unit of work (`SELECT … FOR UPDATE`) until the
   * unit ends: the refunds of one payment are weighed against what is left of it one at a
   * time. `false` when there is no such transaction.
   */
  async lockForRefund(transactionId: string, ctx: StoreContext): Promise<boolean> {
    return this.run('lockForRefund', async () => {
      const id = this.parse(fields.transactionId, transactionId);
      const row = await this.dbOf(ctx).selectFrom('transactions').select('id').where('transaction_id', '=', id).forUpdate().executeTakeFirst();
      return row !== undefined;
    });
  }

  /**
   * Moves the transaction to `status`. With `expectedUpdatedAt` the write lands only if
   * nobody changed the row since it was read: `ConcurrencyError` otherwise.
   */
  async updateStatus(transactionId: string, update: TransactionStatusUpdate, ctx?: StoreContext): Promise<Transaction> {
    return this.run('updateStatus', async () => {
      const id = this.parse(fields.transactionId, transactionId);
      const { status, expectedUpdatedAt } = this.parse(statusUpdateSchema, update);
      const db = this.dbOf(ctx);
      const { rows } = expectedUpdatedAt === undefined
        ? await SET_STATUS.execute(db, { status, id })
        : await SET_STATUS_IF_UNCHANGED.execute(db, { status, id, expected: expectedUpdatedAt });
      const row = rows[0];
      if (row) return toTransaction(row);
      return this.refuseUpdate(id, () => db.selectFrom('transactions').select('id').where('transaction_id', '=', id).executeTakeFirst());
    });
  }

  /**
   * The exact total, in minor units, of a user's completed payments in one currency. Refund
   * rows are money going back, not payments, and are left out; a refunded purchase has left
   * `completed` already. PostgreSQL adds the `DECIMAL` values; no float is involved.
   */
  async sumCompletedByUser(userId: UserId, currency: string, ctx?: StoreContext): Promise<MinorUnits> {
    return this.run('sumCompletedByUser', async () => {
      const user = this.parse(fields.userId, userId);
      const code = this.parse(currencyCodeSchema, currency);
      const row = await this.dbOf(ctx)
        .selectFrom('transactions')
        .select(sql<string>`coalesce(sum(amount), 0)::text`.as('total'))
        .where('user_id', '=', user)
        .where('currency', '=', code)
        .where('status', '=', 'completed')
        .where('transaction_type', '<>', 'refund')
        .executeTakeFirstOrThrow();
      return minorOf(row.total);
    });
  }

  /**
   * The transactions the payment provider knows by `providerRef` (`metadata.providerRef`):
   * a payment and the refunds made under that reference, oldest first. Reconciliation
   * matches the provider's ledger to rows by it. Served by the GIN index
   * `idx_transactions_metadata` (containment, `metadata @> {"providerRef": …}`).
   */
  async findByProviderRef(providerRef: string, ctx?: StoreContext): Promise<Transaction[]> {
    return this.run('findByProviderRef', async () => {
      const ref = this.parse(providerRefSchema, providerRef);
      const rows = await this.dbOf(ctx)
        .selectFrom('transactions')
        .selectAll()
        .where(sql<boolean>`metadata @> cast(${JSON.stringify({ providerRef: ref })} as jsonb)`)
        .orderBy('created_at')
        .orderBy('id')
        .limit(PROVIDER_REF_MATCHES)
        .execute();
      return rows.map(toTransaction);
    });
  }

  /**
   * `pending` transactions, oldest first, optionally created before `createdBefore`: what a
   * sweep of unfinished payments works through. Served by the partial index
   * `idx_transactions_pending`, which holds the pending rows only.
   */
  async listPending(filter: TransactionPendingFilter = {}, page?: PageRequest, ctx?: StoreContext): Promise<Page<Transaction>> {
    return this.run('listPending', async () => {
      const { createdBefore } = this.parse(pendingFilterSchema, filter);
      let query = this.dbOf(ctx).selectFrom('transactions').selectAll().where(sql<boolean>`status = 'pending'`);
      if (createdBefore) query = query.where('created_at', '<', createdBefore);
      const { rows, nextCursor } = await this.keysetPage(query, OLDEST_FIRST, page);
      return { items: rows.map(toTransaction), nextCursor };
    });
  }
}

/** A provider's reference, as `recordPayment` stores it. */
const providerRefSchema = z.string().trim().min(1).max(100);
/** More rows under one reference than a payment and its refunds would make means something is wrong; the list is bounded. */
const PROVIDER_REF_MATCHES = 100;
const pendingFilterSchema = z.strictObject({ createdBefore: instantSchema.optional() });
/** Filters of {@link TransactionRepository.listPending}. */
export type TransactionPendingFilter = z.input<typeof pendingFilterSchema>;

/** How `createMany` writes `transactions`: the columns of {@link toNewRow} and the timestamps, keyed by `transaction_id`. */
const BULK_TABLE: Omit<BulkInsertTable<CreateTransactionData, TransactionRow>, 'toRows'> = {
  table: 'transactions',
  columns: [
    ['transaction_id', 'text'],
    ['user_id', 'text'],
    ['amount', 'numeric'],
    ['currency', 'text'],
    ['payment_method', 'text'],
    ['transaction_type', 'text'],
    ['status', 'text'],
    ['description', 'text'],
    ['metadata', 'jsonb'],
    ['created_at', 'timestamptz'],
    ['updated_at', 'timestamptz'],
  ],
  key: { fields: ['transactionId'], columns: ['transaction_id'], ofData: (data) => data.transactionId, ofRow: (row) => row.transaction_id },
};

/** Entity -> row: the one place the `transactions` columns are written. */
function toNewRow(data: CreateTransactionData): NewTransactionRow {
  return {
    transaction_id: data.transactionId,
    user_id: data.userId,
    amount: decimalOf(data.amount),
    currency: data.currency,
    payment_method: data.paymentMethod,
    transaction_type: data.transactionType,
    status: data.status,
    description: data.description,
    metadata: jsonTextOf(data.metadata),
  };
}

/** Row -> entity: the one place the `transactions` columns are read. */
function toTransaction(row: TransactionRow): Transaction {
  return {
    transactionId: row.transaction_id,
    userId: row.user_id as UserId,
    amount: minorOf(row.amount),
    currency: row.currency,
    paymentMethod: row.payment_method,
    transactionType: row.transaction_type,
    status: row.status,
    description: row.description,
    metadata: row.metadata as Transaction['metadata'],
    createdAt: instantOf(row.created_at),
    updatedAt: instantOf(row.updated_at),
  };
}
