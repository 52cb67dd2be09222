import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import { NotFoundError } from '../../core/errors.js';
import type { UserId } from '../../core/ids.js';
import { currencyCodeSchema, type MinorUnits } from '../../core/money.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { instantSchema } from '../../core/schema-primitives.js';
import type { RepositoryDeps } from '../../stores/repository-deps.js';
import type { StoreContext } from '../../stores/store-context.js';
import { decimalOf, instantOf, jsonTextOf, minorOf } from '../../stores/postgres/column-values.js';
import type { Database, NewTransactionRow, TransactionRow } from '../../stores/postgres/database.js';
import { PostgresRepository, updateOptionsSchema, type KeysetOrder, type UpdateOptions } from '../../stores/postgres/postgres-repository.js';
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
const NEWEST_FIRST: KeysetOrder = { direction: 'desc', columns: [['created_at', 'timestamptz'], ['id', 'bigint']] };
/** Sweeps of pending or failed payments take the oldest first: `idx_transactions_status (status, created_at)`. */
const OLDEST_FIRST: KeysetOrder = { direction: 'asc', columns: [['created_at', 'timestamptz'], ['id', 'bigint']] };

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
      const row = await this.dbOf(ctx).insertInto('transactions').values({ ...toNewRow(data), ...this.insertTimestamps() }).returningAll().executeTakeFirstOrThrow();
      return toTransaction(row);
    });
  }

  /** The transaction, or `null`. */
  async findByTransactionId(transactionId: string, ctx?: StoreContext): Promise<Transaction | null> {
    return this.run('findByTransactionId', async () => {
      const id = this.parse(fields.transactionId, transactionId);
      const row = await this.dbOf(ctx).selectFrom('transactions').selectAll().where('transaction_id', '=', id).executeTakeFirst();
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
      const query = this.dbOf(ctx)
        .selectFrom('transactions')
        .selectAll()
        .where('user_id', '=', user)
        .$if(status !== undefined, (q) => q.where('status', '=', status!))
        .$if(from !== undefined, (q) => q.where('created_at', '>=', from!))
        .$if(to !== undefined, (q) => q.where('created_at', '<', to!));
      const { rows, nextCursor } = await this.keysetPage(query, NEWEST_FIRST, page);
      return { items: rows.map(toTransaction), nextCursor };
    });
  }

  /** Transactions of one status, oldest first (the order a retry or reconciliation sweep works in), within `[from, to)`. */
  async listByStatus(status: TransactionStatus, filter: TransactionStatusFilter = {}, page?: PageRequest, ctx?: StoreContext): Promise<Page<Transaction>> {
    return this.run('listByStatus', async () => {
      const wanted = this.parse(fields.status, status);
      const { from, to } = this.parse(statusFilterSchema, filter);
      const query = this.dbOf(ctx)
        .selectFrom('transactions')
        .selectAll()
        .where('status', '=', wanted)
        .$if(from !== undefined, (q) => q.where('created_at', '>=', from!))
        .$if(to !== undefined, (q) => q.where('created_at', '<', to!));
      const { rows, nextCursor } = await this.keysetPage(query, OLDEST_FIRST, page);
      return { items: rows.map(toTransaction), nextCursor };
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
      const row = await db
        .updateTable('transactions')
        .set({ status })
        .where('transaction_id', '=', id)
        .$if(expectedUpdatedAt !== undefined, (q) => q.where(this.updatedAtIs(expectedUpdatedAt!)))
        .returningAll()
        .executeTakeFirst();
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
}

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
