import type { Kysely } from 'kysely';
import { z } from 'zod';
import { ConcurrencyError, NotFoundError } from '../../core/errors.js';
import type { UserId } from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { calendarDateSchema } from '../../core/schema-primitives.js';
import type { BulkCreateOptions, BulkCreateResult } from '../../stores/bulk.js';
import type { RepositoryDeps } from '../../stores/repository-deps.js';
import type { StoreContext } from '../../stores/store-context.js';
import type { BulkInsertTable } from '../../stores/postgres/bulk-insert.js';
import { calendarDateOf, decimalOf, instantOf, jsonTextOf, minorOf, nullableCalendarDateOf } from '../../stores/postgres/column-values.js';
import type { Database, NewSubscriptionRow, SubscriptionRow, SubscriptionRowUpdate } from '../../stores/postgres/database.js';
import { PostgresRepository, updateOptionsSchema, type KeysetOrder, type UpdateOptions } from '../../stores/postgres/postgres-repository.js';
import {
  createSubscriptionInputSchema,
  patchSubscriptionInputSchema,
  subscriptionSchema,
  type CreateSubscriptionData,
  type CreateSubscriptionInput,
  type PatchSubscriptionData,
  type PatchSubscriptionInput,
  type Subscription,
} from './subscription.schema.js';

const fields = subscriptionSchema.shape;
const userFilterSchema = z.strictObject({ status: fields.status.optional() });

/** Filters of {@link SubscriptionRepository.listByUser}. */
export type SubscriptionUserFilter = z.input<typeof userFilterSchema>;

const NEWEST_FIRST: KeysetOrder = { direction: 'desc', columns: [['created_at', 'timestamptz'], ['id', 'bigint']] };
/** Renewal runs take the longest-overdue first: `idx_subscriptions_status (status, end_date)`. */
const EARLIEST_END_FIRST: KeysetOrder = { direction: 'asc', columns: [['end_date', 'date'], ['id', 'bigint']] };

/**
 * The `subscriptions` table: recurring billing of a user's plan. Dates are calendar days
 * (`YYYY-MM-DD`), the amount per cycle is in minor units.
 *
 * @example
 * ```ts
 * const subscriptions = new SubscriptionRepository(db, deps);
 * const due = await subscriptions.listDueForRenewal('2026-03-31', { limit: 100 });
 * for (const s of due.items) await subscriptions.patch(s.subscriptionId, { endDate: '2026-04-30' }, { expectedUpdatedAt: s.updatedAt }, ctx);
 * ```
 */
export class SubscriptionRepository extends PostgresRepository {
  constructor(db: Kysely<Database>, deps: RepositoryDeps) {
    super(db, deps, { entity: 'subscription', table: 'subscriptions' });
  }

  /** Records a subscription; `ConflictError` when its `subscriptionId` exists already. */
  async create(input: CreateSubscriptionInput, ctx?: StoreContext): Promise<Subscription> {
    return this.run('create', async () => {
      const data = this.parse(createSubscriptionInputSchema, input);
      const row = await this.dbOf(ctx).insertInto('subscriptions').values({ ...toNewRow(data), ...this.insertTimestamps() }).returningAll().executeTakeFirstOrThrow();
      return toSubscription(row);
    });
  }

  /**
   * Records many subscriptions with one INSERT per chunk of rows (contract in
   * `stores/bulk.ts`). Each row is validated as {@link SubscriptionRepository.create}
   * validates it; a `subscriptionId` already stored, or repeated in the batch, is a `CONFLICT`
   * rejection. By default the first bad row stops the batch.
   *
   * @example
   * ```ts
   * const { created, rejected } = await subscriptions.createMany(imported, { ordered: false });
   * for (const r of rejected) console.warn(`row ${r.index}: ${r.code} ${r.message}`);
   * ```
   */
  async createMany(inputs: readonly CreateSubscriptionInput[], options?: BulkCreateOptions, ctx?: StoreContext): Promise<BulkCreateResult<Subscription>> {
    const timestamps = this.insertTimestamps();
    return this.createRows(inputs, options, ctx, {
      ...BULK_TABLE,
      parse: (input) => this.parse(createSubscriptionInputSchema, input),
      toRows: (_, rows) => rows.map((data) => ({ ...toNewRow(data), ...timestamps })),
      toEntity: toSubscription,
    });
  }

  /** The subscription, or `null`. */
  async findBySubscriptionId(subscriptionId: string, ctx?: StoreContext): Promise<Subscription | null> {
    return this.run('findBySubscriptionId', async () => {
      const id = this.parse(fields.subscriptionId, subscriptionId);
      const row = await this.dbOf(ctx).selectFrom('subscriptions').selectAll().where('subscription_id', '=', id).executeTakeFirst();
      return row ? toSubscription(row) : null;
    });
  }

  /** The subscription; `NotFoundError` when there is none. */
  async getBySubscriptionId(subscriptionId: string, ctx?: StoreContext): Promise<Subscription> {
    const found = await this.findBySubscriptionId(subscriptionId, ctx);
    if (!found) throw new NotFoundError(this.entity, subscriptionId);
    return found;
  }

  /** A user's subscriptions, newest first, optionally of one status. */
  async listByUser(userId: UserId, filter: SubscriptionUserFilter = {}, page?: PageRequest, ctx?: StoreContext): Promise<Page<Subscription>> {
    return this.run('listByUser', async () => {
      const user = this.parse(fields.userId, userId);
      const { status } = this.parse(userFilterSchema, filter);
      const query = this.dbOf(ctx)
        .selectFrom('subscriptions')
        .selectAll()
        .where('user_id', '=', user)
        .$if(status !== undefined, (q) => q.where('status', '=', status!));
      const { rows, nextCursor } = await this.keysetPage(query, NEWEST_FIRST, page);
      return { items: rows.map(toSubscription), nextCursor };
    });
  }

  /**
   * Active, auto-renewing subscriptions whose period ends on or before `onOrBefore`
   * (`YYYY-MM-DD`), earliest end first: the input of the nightly renewal run.
   */
  async listDueForRenewal(onOrBefore: string, page?: PageRequest, ctx?: StoreContext): Promise<Page<Subscription>> {
    return this.run('listDueForRenewal', async () => {
      const date = this.parse(calendarDateSchema, onOrBefore);
      const query = this.dbOf(ctx)
        .selectFrom('subscriptions')
        .selectAll()
        .where('status', '=', 'active')
        .where('auto_renew', '=', true)
        .where('end_date', '<=', date);
      const { rows, nextCursor } = await this.keysetPage(query, EARLIEST_END_FIRST, page);
      return { items: rows.map(toSubscription), nextCursor };
    });
  }

  /**
   * Applies a validated partial update. The merged subscription is validated as a whole
   * (an `endDate` before the `startDate` is refused), and the write lands only if the row
   * is still the one read, or carries `expectedUpdatedAt`: `ConcurrencyError` otherwise.
   */
  async patch(subscriptionId: string, patch: PatchSubscriptionInput, options: UpdateOptions = {}, ctx?: StoreContext): Promise<Subscription> {
    return this.run('patch', async () => {
      const id = this.parse(fields.subscriptionId, subscriptionId);
      const changes = this.parse(patchSubscriptionInputSchema, patch);
      const { expectedUpdatedAt } = this.parse(updateOptionsSchema, options);
      const db = this.dbOf(ctx);
      const current = await this.getBySubscriptionId(id, ctx);
      const readAt = expectedUpdatedAt ?? current.updatedAt;
      const set = toRowUpdate(changes);
      if (Object.keys(set).length === 0) {
        if (current.updatedAt.getTime() !== readAt.getTime()) throw new ConcurrencyError(this.entity, id);
        return current;
      }
      this.parse(subscriptionSchema, { ...current, ...definedOnly(changes) });
      const row = await db
        .updateTable('subscriptions')
        .set(set)
        .where('subscription_id', '=', id)
        .where(this.updatedAtIs(readAt))
        .returningAll()
        .executeTakeFirst();
      if (row) return toSubscription(row);
      return this.refuseUpdate(id, () => db.selectFrom('subscriptions').select('id').where('subscription_id', '=', id).executeTakeFirst());
    });
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** How `createMany` writes `subscriptions`: the columns of {@link toNewRow} and the timestamps, keyed by `subscription_id`. */
const BULK_TABLE: Omit<BulkInsertTable<CreateSubscriptionData, SubscriptionRow>, 'toRows'> = {
  table: 'subscriptions',
  columns: [
    ['subscription_id', 'text'],
    ['user_id', 'text'],
    ['plan_id', 'text'],
    ['status', 'text'],
    ['start_date', 'date'],
    ['end_date', 'date'],
    ['billing_cycle', 'text'],
    ['billing_day', 'int4'],
    ['amount', 'numeric'],
    ['currency', 'text'],
    ['payment_method', 'text'],
    ['auto_renew', 'bool'],
    ['metadata', 'jsonb'],
    ['created_at', 'timestamptz'],
    ['updated_at', 'timestamptz'],
  ],
  key: { fields: ['subscriptionId'], columns: ['subscription_id'], ofData: (data) => data.subscriptionId, ofRow: (row) => row.subscription_id },
};

/** Entity -> row: the one place the `subscriptions` columns are written. */
function toNewRow(data: CreateSubscriptionData): NewSubscriptionRow {
  return {
    subscription_id: data.subscriptionId,
    user_id: data.userId,
    plan_id: data.planId,
    status: data.status,
    start_date: data.startDate,
    end_date: data.endDate,
    billing_cycle: data.billingCycle,
    billing_day: data.billingDay,
    amount: decimalOf(data.amount),
    currency: data.currency,
    payment_method: data.paymentMethod,
    auto_renew: data.autoRenew,
    metadata: jsonTextOf(data.metadata),
  };
}

/** Patch -> column changes (only the fields present). */
function toRowUpdate(changes: PatchSubscriptionData): SubscriptionRowUpdate {
  return {
    ...(changes.planId === undefined ? {} : { plan_id: changes.planId }),
    ...(changes.status === undefined ? {} : { status: changes.status }),
    ...(changes.endDate === undefined ? {} : { end_date: changes.endDate }),
    ...(changes.billingCycle === undefined ? {} : { billing_cycle: changes.billingCycle }),
    ...(changes.billingDay === undefined ? {} : { billing_day: changes.billingDay }),
    ...(changes.amount === undefined ? {} : { amount: decimalOf(changes.amount) }),
    ...(changes.currency === undefined ? {} : { currency: changes.currency }),
    ...(changes.paymentMethod === undefined ? {} : { payment_method: changes.paymentMethod }),
    ...(changes.autoRenew === undefined ? {} : { auto_renew: changes.autoRenew }),
    ...(changes.metadata === undefined ? {} : { metadata: jsonTextOf(changes.metadata) }),
  };
}

/** Row -> entity: the one place the `subscriptions` columns are read. */
function toSubscription(row: SubscriptionRow): Subscription {
  return {
    subscriptionId: row.subscription_id,
    userId: row.user_id as UserId,
    planId: row.plan_id,
    status: row.status,
    startDate: calendarDateOf(row.start_date),
    endDate: nullableCalendarDateOf(row.end_date),
    billingCycle: row.billing_cycle,
    billingDay: row.billing_day,
    amount: minorOf(row.amount),
    currency: row.currency,
    paymentMethod: row.payment_method,
    autoRenew: row.auto_renew,
    metadata: row.metadata as Subscription['metadata'],
    createdAt: instantOf(row.created_at),
    updatedAt: instantOf(row.updated_at),
  };
}
