import { sql, type Kysely, type Selectable, type UpdateObject } from 'kysely';
import type { JsonObject } from 'type-fest';
import type { MinorUnits } from '../../core/money.js';
import type { RepositoryDeps } from '../../stores/repository-deps.js';
import type { StoreContext } from '../../stores/store-context.js';
import type { Database, PaymentIntentsTable } from '../../stores/postgres/database.js';
import { PostgresRepository } from '../../stores/postgres/postgres-repository.js';
import { currentRequestContext, type RequestContext } from '../../uow/request-context.js';

/**
 * What a money workflow does at the provider: take a purchase or renewal, or give money back.
 *
 * @useDeclaredType
 */
export type PaymentIntentKind = PaymentIntentsTable['kind'];
/**
 * See the `nexfit_payment_intents` migration: `open` and `refunding` are unfinished.
 *
 * @useDeclaredType
 */
export type PaymentIntentStatus = PaymentIntentsTable['status'];

/**
 * A durable record of outside money movement, committed before the provider is called.
 * The unit of work that stores the result closes it; recovery finishes or undoes it otherwise.
 */
export interface PaymentIntent {
  readonly intentId: string;
  /** The key the provider sees (`purchase:<caller key>`, `renewal:<subscription>:<period end>`, `refund:<caller key>`). */
  readonly idempotencyKey: string;
  readonly kind: PaymentIntentKind;
  readonly userId: string;
  readonly amount: MinorUnits;
  readonly currency: string;
  /** The caller's parameters: a retry with other parameters is refused. */
  readonly request: JsonObject;
  /** What the SDK resolved when it opened the intent (price, dates, descriptions). */
  readonly terms: JsonObject;
  readonly status: PaymentIntentStatus;
  /** The provider's reference of the charge (or of the refund, for a `refund` intent) once known. */
  readonly providerRef: string | null;
  /** The ids the completing unit stored, or how the intent ended. */
  readonly outcome: JsonObject | null;
  readonly failureReason: string | null;
  readonly lastError: string | null;
  readonly recoveryAttempts: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly closedAt: Date | null;
  /** The request that opened the intent: the unit that completes it, live or in recovery, is audited as that request. */
  readonly requestContext: RequestContext | null;
}

/** What opening an intent takes. */
export type OpenPaymentIntentInput = Pick<PaymentIntent, 'idempotencyKey' | 'kind' | 'userId' | 'amount' | 'currency' | 'request' | 'terms'>;

type PaymentIntentUpdate = UpdateObject<Database, 'nexfit_payment_intents'>;

const UNFINISHED: readonly PaymentIntentStatus[] = ['open', 'refunding'];

/**
 * `nexfit_payment_intents`. Every status change is one conditional `UPDATE` (`WHERE status =
 * …`), so a live retry, the process that opened the intent and any number of recoveries can
 * race on one intent and exactly one of them moves it.
 *
 * @example
 * ```ts
 * const { intent } = await intents.open({ idempotencyKey: 'purchase:abc', kind: 'purchase', userId, amount, currency: 'TRY', request, terms });
 * await intents.complete(intent.intentId, { memberSubscriptionId }, uow.ctx); // in the purchase's unit
 * ```
 */
export class PaymentIntentRepository extends PostgresRepository {
  constructor(db: Kysely<Database>, deps: RepositoryDeps) {
    super(db, deps, { entity: 'payment intent', table: 'nexfit_payment_intents' });
  }

  /**
   * Opens the intent of `idempotencyKey` — in its own committed statement, or in the caller's
   * unit of work with `ctx` — or returns the one that exists.
   */
  async open(input: OpenPaymentIntentInput, ctx?: StoreContext): Promise<{ readonly intent: PaymentIntent; readonly created: boolean }> {
    return this.run('open', async () => {
      const inserted = await this.dbOf(ctx)
        .insertInto('nexfit_payment_intents')
        .values({
          intent_id: this.deps.ids.newUuid(),
          idempotency_key: input.idempotencyKey,
          kind: input.kind,
          user_id: input.userId,
          amount_minor: input.amount,
          currency: input.currency,
          request: JSON.stringify(input.request),
          terms: JSON.stringify(input.terms),
          request_context: requestContextColumn(currentRequestContext()),
          status: 'open',
        })
        .onConflict((oc) => oc.column('idempotency_key').doNothing())
        .returningAll()
        .executeTakeFirst();
      if (inserted) return { intent: toIntent(inserted), created: true };
      const existing = await this.findByKey(input.idempotencyKey, ctx);
      if (!existing) throw new Error(`payment intent ${input.idempotencyKey} vanished while it was opened`);
      return { intent: existing, created: false };
    });
  }

  async findByKey(idempotencyKey: string, ctx?: StoreContext): Promise<PaymentIntent | null> {
    return this.run('findByKey', async () => {
      const row = await this.dbOf(ctx).selectFrom('nexfit_payment_intents').selectAll().where('idempotency_key', '=', idempotencyKey).executeTakeFirst();
      return row ? toIntent(row) : null;
    });
  }

  async get(intentId: string, ctx?: StoreContext): Promise<PaymentIntent | null> {
    return this.run('get', async () => {
      const row = await this.dbOf(ctx).selectFrom('nexfit_payment_intents').selectAll().where('intent_id', '=', intentId).executeTakeFirst();
      return row ? toIntent(row) : null;
    });
  }

  /** Remembers the provider's reference of an open intent (best effort: recovery can look it up again). */
  async noteProviderRef(intentId: string, providerRef: string): Promise<void> {
    await this.run('noteProviderRef', async () => {
      await this.db.updateTable('nexfit_payment_intents').set({ provider_ref: providerRef }).where('intent_id', '=', intentId).where('status', 'in', UNFINISHED).execute();
    });
  }

  /**
   * Locks an open intent's row in the caller's unit of work before the work that completes
   * it, so racing runs queue here rather than each taking an invoice number first. `false`
   * when the intent is no longer open. With `noWait`, a row another unit holds (a unit a dead
   * process prepared, say) fails at once with a lock error instead of waiting for it.
   */
  async lockOpen(intentId: string, ctx: StoreContext, options: { readonly noWait?: boolean } = {}): Promise<boolean> {
    return this.run('lockOpen', async () => {
      let query = this.dbOf(ctx).selectFrom('nexfit_payment_intents').select('status').where('intent_id', '=', intentId).forUpdate();
      if (options.noWait) query = query.noWait();
      const row = await query.executeTakeFirst();
      return row?.status === 'open';
    });
  }

  /**
   * Closes an open intent as `completed` in the caller's unit of work; `false` when it is no
   * longer open (another run completed it, or it is being refunded).
   */
  async complete(intentId: string, providerRef: string | null, outcome: JsonObject, ctx: StoreContext): Promise<boolean> {
    return this.run('complete', async () => {
      const result = await this.dbOf(ctx)
        .updateTable('nexfit_payment_intents')
        .set({ status: 'completed', provider_ref: providerRef, outcome: JSON.stringify(outcome), closed_at: sql<Date>`now()`, failure_reason: null, last_error: null })
        .where('intent_id', '=', intentId)
        .where('status', '=', 'open')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    });
  }

  /** The statement that reopens an intent a rolled-back unit had completed (ordered mode's compensation). */
  reopenStatement(intentId: string, ctx: StoreContext) {
    return (ctx.pg ?? this.db)
      .updateTable('nexfit_payment_intents')
      .set({ status: 'open', outcome: null, closed_at: null })
      .where('intent_id', '=', intentId)
      .where('status', '=', 'completed');
  }

  /** `open` → `failed` (nothing was taken, or the provider declined). */
  async fail(intentId: string, reason: string, error?: string): Promise<boolean> {
    return this.#move(intentId, ['open'], { status: 'failed', failure_reason: reason, last_error: error ?? null, closed_at: sql<Date>`now()` });
  }

  /**
   * `failed` → `open`: a retry of a request the provider never charged tries again — in its
   * own transaction, or in the caller's unit of work with `ctx`.
   */
  async reopenFailed(intentId: string, ctx?: StoreContext): Promise<boolean> {
    const reopen = { status: 'open', failure_reason: null, closed_at: null } as const;
    if (!ctx) return this.#move(intentId, ['failed'], reopen);
    return this.run('reopenFailed', async () => {
      const result = await this.dbOf(ctx).updateTable('nexfit_payment_intents').set(reopen).where('intent_id', '=', intentId).where('status', '=', 'failed').executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    });
  }

  /**
   * The amount of the unfinished refund intents of one payment (`terms.originalTransactionId`):
   * refunds the provider may be making, which no `refund` row records yet.
   */
  async refundsInFlight(originalTransactionId: string, ctx?: StoreContext): Promise<MinorUnits> {
    return this.run('refundsInFlight', async () => {
      const row = await this.dbOf(ctx)
        .selectFrom('nexfit_payment_intents')
        .select(sql<string>`coalesce(sum(amount_minor), 0)::text`.as('total'))
        .where('kind', '=', 'refund')
        .where('status', 'in', UNFINISHED)
        .where(sql<string>`terms->>'originalTransactionId'`, '=', originalTransactionId)
        .executeTakeFirstOrThrow();
      return Number(row.total) as MinorUnits;
    });
  }

  /**
   * `open` (or another of `from`) → `refunding`: from here on the intent can only end
   * refunded. `failed` is among `from` when the caller holds a charge a recovery closed
   * the intent without seeing (the provider was slower than the grace period).
   */
  async beginRefund(intentId: string, reason: string, providerRef: string, from: readonly PaymentIntentStatus[] = ['open']): Promise<boolean> {
    return this.#move(intentId, from, { status: 'refunding', failure_reason: reason, provider_ref: providerRef, closed_at: null });
  }

  /** `refunding` → `refunded`. */
  async markRefunded(intentId: string, refundRef: string): Promise<boolean> {
    return this.#move(intentId, ['refunding'], { status: 'refunded', outcome: JSON.stringify({ refundRef }), closed_at: sql<Date>`now()` });
  }

  /**
   * Records a failed recovery attempt on an unfinished intent (the reason stays visible in
   * reports). Best effort: when a unit a dead process prepared still holds the row, the note
   * is skipped after a bounded wait instead of blocking recovery behind that unit, which the
   * next recovery resolves first.
   */
  async noteRecoveryFailure(intentId: string, error: string): Promise<void> {
    await this.run('noteRecoveryFailure', async () => {
      try {
        await this.db.transaction().execute(async (trx) => {
          await sql`SET LOCAL lock_timeout = '5s'`.execute(trx);
          await trx
            .updateTable('nexfit_payment_intents')
            .set({ last_error: error.slice(0, 2000), recovery_attempts: sql<number>`recovery_attempts + 1` })
            .where('intent_id', '=', intentId)
            .where('status', 'in', UNFINISHED)
            .execute();
        });
      } catch (cause) {
        // 55P03 lock_not_available: the row is held; anything else is a real failure.
        if ((cause as { code?: unknown }).code !== '55P03') throw cause;
      }
    });
  }

  /** Unfinished intents last touched at or before `cutoff`, oldest first. */
  async listUnfinished(cutoff: Date, limit: number, afterUpdatedAt?: { readonly updatedAt: Date; readonly intentId: string }): Promise<PaymentIntent[]> {
    return this.run('listUnfinished', async () => {
      let query = this.db
        .selectFrom('nexfit_payment_intents')
        .selectAll()
        .where('status', 'in', UNFINISHED)
        .where('updated_at', '<=', cutoff);
      if (afterUpdatedAt) {
        query = query.where((eb) => eb.or([eb('updated_at', '>', afterUpdatedAt.updatedAt), eb.and([eb('updated_at', '=', afterUpdatedAt.updatedAt), eb('intent_id', '>', afterUpdatedAt.intentId)])]));
      }
      const rows = await query.orderBy('updated_at').orderBy('intent_id').limit(limit).execute();
      return rows.map(toIntent);
    });
  }

  /**
   * Every unfinished intent untouched for `olderThanMs` by the database's clock, oldest first,
   * read `batchSize` at a time. The cutoff is fixed when the walk starts, so an intent the
   * caller touches on the way (a failed recovery notes its reason) is not met again.
   */
  async *eachUnfinished(olderThanMs: number, batchSize = 100): AsyncGenerator<PaymentIntent> {
    const cutoff = await this.run('eachUnfinished', async () => {
      const { rows } = await sql<{ cutoff: Date }>`SELECT now() - make_interval(secs => ${olderThanMs / 1000}) AS cutoff`.execute(this.db);
      return rows[0]!.cutoff;
    });
    let after: { updatedAt: Date; intentId: string } | undefined;
    for (;;) {
      const batch = await this.listUnfinished(cutoff, batchSize, after);
      yield* batch;
      if (batch.length < batchSize) return;
      const last = batch[batch.length - 1]!;
      after = { updatedAt: last.updatedAt, intentId: last.intentId };
    }
  }

  /** How many intents are unfinished, and the oldest of them. */
  async countUnfinished(): Promise<{ readonly count: number; readonly oldest: Date | null }> {
    return this.run('countUnfinished', async () => {
      const row = await this.db
        .selectFrom('nexfit_payment_intents')
        .select((eb) => [eb.fn.countAll<string>().as('count'), eb.fn.min('created_at').as('oldest')])
        .where('status', 'in', UNFINISHED)
        .executeTakeFirstOrThrow();
      return { count: Number(row.count), oldest: (row.oldest as Date | null) ?? null };
    });
  }

  /** Deletes intents closed before `before`; returns how many. */
  async purgeClosed(before: Date): Promise<number> {
    return this.run('purgeClosed', async () => {
      const result = await this.db.deleteFrom('nexfit_payment_intents').where('closed_at', 'is not', null).where('closed_at', '<', before).executeTakeFirst();
      return Number(result.numDeletedRows);
    });
  }

  /**
   * One conditional status change. A unit of work that is completing the intent holds its row
   * (in two-phase mode until the decision): wait for it a bounded time, then fail (the caller
   * leaves the intent to recovery) rather than hang on a unit a dead process prepared.
   */
  async #move(intentId: string, from: readonly PaymentIntentStatus[], set: PaymentIntentUpdate): Promise<boolean> {
    return this.run('move', async () =>
      this.db.transaction().execute(async (trx) => {
        await sql`SET LOCAL lock_timeout = '5s'`.execute(trx);
        const result = await trx.updateTable('nexfit_payment_intents').set(set).where('intent_id', '=', intentId).where('status', 'in', from).executeTakeFirst();
        return Number(result.numUpdatedRows) === 1;
      }),
    );
  }
}

function toIntent(row: Selectable<PaymentIntentsTable>): PaymentIntent {
  return {
    intentId: row.intent_id,
    idempotencyKey: row.idempotency_key,
    kind: row.kind,
    userId: row.user_id,
    amount: Number(row.amount_minor),
    currency: row.currency,
    request: row.request,
    terms: row.terms,
    status: row.status,
    providerRef: row.provider_ref,
    outcome: row.outcome,
    failureReason: row.failure_reason,
    lastError: row.last_error,
    recoveryAttempts: row.recovery_attempts,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    closedAt: row.closed_at,
    requestContext: requestContextOf(row.request_context),
  };
}

/** The stored form of a request context: only its known text fields. */
function requestContextColumn(context: RequestContext | undefined): string | null {
  if (context === undefined) return null;
  const stored: Record<string, string | null> = { actorId: context.actorId };
  for (const key of ['ipAddress', 'userAgent', 'requestId'] as const) if (typeof context[key] === 'string') stored[key] = context[key];
  return JSON.stringify(stored);
}

function requestContextOf(column: JsonObject | null): RequestContext | null {
  if (column === null) return null;
  const text = (key: string) => (typeof column[key] === 'string' ? { [key]: column[key] } : {});
  return { actorId: typeof column['actorId'] === 'string' ? column['actorId'] : null, ...text('ipAddress'), ...text('userAgent'), ...text('requestId') };
}
