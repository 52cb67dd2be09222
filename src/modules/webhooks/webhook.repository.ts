import { sql, type Kysely, type Selectable } from 'kysely';
import type { JsonObject } from 'type-fest';
import type { RepositoryDeps } from '../../stores/repository-deps.js';
import type { StoreContext } from '../../stores/store-context.js';
import type { Database, WebhookAttemptsTable, WebhookDeliveriesTable, WebhookEndpointsTable } from '../../stores/postgres/database.js';
import { toNexfitError } from '../../stores/postgres/error-mapping.js';

/** A webhook endpoint as the SDK returns it: never with its secret. */
export interface WebhookEndpoint {
  readonly endpointId: string;
  /** The facility whose events it receives; `null` for a platform endpoint (every matching event). */
  readonly facilityId: string | null;
  readonly url: string;
  readonly description: string | null;
  /** Event types it receives, or `['*']`. */
  readonly events: readonly string[];
  readonly active: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/**
 * Where a delivery stands (see migration 0011).
 *
 * @useDeclaredType
 */
export type WebhookDeliveryStatus = Selectable<WebhookDeliveriesTable>['status'];

/** One event for one endpoint, with where its delivery stands. */
export interface WebhookDelivery {
  readonly deliveryId: string;
  readonly endpointId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly payload: JsonObject;
  readonly occurredAt: Date;
  readonly status: WebhookDeliveryStatus;
  readonly attempts: number;
  readonly nextAttemptAt: Date;
  readonly lastStatusCode: number | null;
  readonly lastError: string | null;
  readonly finishedAt: Date | null;
  readonly createdAt: Date;
}

/** One attempt of a delivery: what the receiver answered, or why nothing came back. */
export interface WebhookAttempt {
  readonly deliveryId: string;
  readonly attempt: number;
  /** The HTTP status, or `null` when no response came (timeout, refused connection, refused address). */
  readonly statusCode: number | null;
  readonly durationMs: number;
  readonly error: string | null;
  readonly attemptedAt: Date;
}

/** A delivery a dispatcher holds a lease on, with what it needs to send it. */
export interface ClaimedWebhookDelivery extends WebhookDelivery {
  readonly leaseToken: string;
  readonly url: string;
  readonly secretKeyId: string;
  readonly secretSealed: Buffer;
}

/** How one attempt ended, as the dispatcher records it. */
export interface WebhookAttemptOutcome {
  readonly statusCode: number | null;
  readonly durationMs: number;
  readonly error: string | null;
  readonly attemptedAt: Date;
  /** `succeeded`, `dead`, or `pending` with the time of the next attempt. */
  readonly status: WebhookDeliveryStatus;
  readonly nextAttemptAt: Date;
}

/**
 * The reads of {@link WebhookRepository} that `nexfit.repositories.webhooks` exposes; writes go
 * through `nexfit.webhooks`, which validates them and seals the secrets.
 *
 * @useDeclaredType
 */
export type WebhookReads = Pick<WebhookRepository, 'findEndpoint' | 'findDelivery' | 'listEndpointsByFacility' | 'listDeliveriesByEndpoint' | 'listDeliveriesByEvent' | 'listAttempts'>;

/** The read-only view of a webhook repository. */
export function webhookReadsOf(repository: WebhookRepository): WebhookReads {
  return Object.freeze({
    findEndpoint: repository.findEndpoint.bind(repository),
    findDelivery: repository.findDelivery.bind(repository),
    listEndpointsByFacility: repository.listEndpointsByFacility.bind(repository),
    listDeliveriesByEndpoint: repository.listDeliveriesByEndpoint.bind(repository),
    listDeliveriesByEvent: repository.listDeliveriesByEvent.bind(repository),
    listAttempts: repository.listAttempts.bind(repository),
  });
}

type EndpointRow = Selectable<WebhookEndpointsTable>;
type DeliveryRow = Selectable<WebhookDeliveriesTable>;

/**
 * The webhook tables of PostgreSQL: endpoints (secrets sealed by the service), deliveries
 * (written by the outbox trigger, claimed by dispatchers with a lease) and the attempt log.
 * Never opens a transaction; the service and the dispatcher do.
 *
 * @example
 * ```ts
 * const repository = new WebhookRepository(nexfit.pg, { clock: systemClock, ids: defaultIdGenerator });
 * const endpoints = await repository.listEndpointsByFacility(facilityId);
 * ```
 */
export class WebhookRepository {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>, _deps: RepositoryDeps) {
    this.#db = db;
  }

  #h(ctx?: StoreContext): Kysely<Database> {
    return (ctx?.pg ?? this.#db) as Kysely<Database>;
  }

  /** Inserts an endpoint with its sealed secret. */
  async insertEndpoint(row: Omit<EndpointRow, 'created_at' | 'updated_at' | 'active'> & { readonly at: Date }, ctx?: StoreContext): Promise<WebhookEndpoint> {
    const { at, ...values } = row;
    try {
      const inserted = await this.#h(ctx).insertInto('nexfit_webhook_endpoints').values({ ...values, events: values.events, created_at: at, updated_at: at }).returningAll().executeTakeFirstOrThrow();
      return endpointOf(inserted);
    } catch (error) {
      throw toNexfitError(error, { entity: 'webhook_endpoint' });
    }
  }

  /** Changes an endpoint; `null` when it does not exist. */
  async updateEndpoint(
    endpointId: string,
    patch: Partial<Pick<EndpointRow, 'url' | 'events' | 'description' | 'active' | 'secret_key_id' | 'secret_sealed'>> & { readonly at: Date },
    ctx?: StoreContext,
  ): Promise<WebhookEndpoint | null> {
    const { at, ...values } = patch;
    const row = await this.#h(ctx).updateTable('nexfit_webhook_endpoints').set({ ...values, updated_at: at }).where('endpoint_id', '=', endpointId).returningAll().executeTakeFirst();
    return row ? endpointOf(row) : null;
  }

  /** One endpoint, or `null`. */
  async findEndpoint(endpointId: string, ctx?: StoreContext): Promise<WebhookEndpoint | null> {
    const row = await this.#h(ctx).selectFrom('nexfit_webhook_endpoints').selectAll().where('endpoint_id', '=', endpointId).executeTakeFirst();
    return row ? endpointOf(row) : null;
  }

  /** A facility's endpoints (the platform's with `null`), oldest first. */
  async listEndpointsByFacility(facilityId: string | null, ctx?: StoreContext): Promise<WebhookEndpoint[]> {
    let query = this.#h(ctx).selectFrom('nexfit_webhook_endpoints').selectAll().orderBy('created_at').orderBy('endpoint_id').limit(1000);
    query = facilityId === null ? query.where('facility_id', 'is', null) : query.where('facility_id', '=', facilityId);
    return (await query.execute()).map(endpointOf);
  }

  /** One delivery, or `null`. */
  async findDelivery(deliveryId: string, ctx?: StoreContext): Promise<WebhookDelivery | null> {
    const row = await this.#h(ctx).selectFrom('nexfit_webhook_deliveries').selectAll().where('id', '=', deliveryId).executeTakeFirst();
    return row ? deliveryOf(row) : null;
  }

  /** An endpoint's deliveries, newest first, optionally of one status. */
  async listDeliveriesByEndpoint(endpointId: string, options: { readonly status?: WebhookDeliveryStatus; readonly limit?: number } = {}, ctx?: StoreContext): Promise<WebhookDelivery[]> {
    let query = this.#h(ctx).selectFrom('nexfit_webhook_deliveries').selectAll().where('endpoint_id', '=', endpointId).orderBy('id', 'desc').limit(options.limit ?? 100);
    if (options.status) query = query.where('status', '=', options.status);
    return (await query.execute()).map(deliveryOf);
  }

  /** The deliveries of one event, one per endpoint it went to. */
  async listDeliveriesByEvent(eventId: string, ctx?: StoreContext): Promise<WebhookDelivery[]> {
    const rows = await this.#h(ctx).selectFrom('nexfit_webhook_deliveries').selectAll().where('event_id', '=', eventId).orderBy('id').execute();
    return rows.map(deliveryOf);
  }

  /** The attempt log of a delivery, in order. */
  async listAttempts(deliveryId: string, ctx?: StoreContext): Promise<WebhookAttempt[]> {
    const rows = await this.#h(ctx).selectFrom('nexfit_webhook_attempts').selectAll().where('delivery_id', '=', deliveryId).orderBy('id').execute();
    return rows.map(attemptOf);
  }

  /**
   * Claims up to `limit` due deliveries of active endpoints for `leaseMs`, in one conditional
   * `UPDATE`: a row is claimed only while it is pending, due and not leased, and `SKIP LOCKED`
   * passes over rows another dispatcher is claiming, so no delivery is held twice at once.
   */
  async claimDue(now: Date, limit: number, leaseMs: number, leaseToken: string, ctx?: StoreContext): Promise<ClaimedWebhookDelivery[]> {
    const leaseUntil = new Date(now.getTime() + leaseMs);
    const result = await sql<DeliveryRow & { url: string; secret_key_id: string; secret_sealed: Buffer }>`
      UPDATE nexfit_webhook_deliveries d
      SET lease_token = ${leaseToken}, lease_until = ${leaseUntil}
      FROM nexfit_webhook_endpoints e
      WHERE e.endpoint_id = d.endpoint_id
        AND d.id IN (
          SELECT c.id FROM nexfit_webhook_deliveries c
          JOIN nexfit_webhook_endpoints ce ON ce.endpoint_id = c.endpoint_id AND ce.active
          WHERE c.status = 'pending' AND c.next_attempt_at <= ${now} AND (c.lease_until IS NULL OR c.lease_until <= ${now})
          ORDER BY c.next_attempt_at, c.id
          LIMIT ${limit}
          FOR UPDATE OF c SKIP LOCKED)
        AND d.status = 'pending' AND (d.lease_until IS NULL OR d.lease_until <= ${now})
      RETURNING d.*, e.url, e.secret_key_id, e.secret_sealed`.execute(this.#h(ctx));
    return result.rows.map((row) => ({ ...deliveryOf(row), leaseToken, url: row.url, secretKeyId: row.secret_key_id, secretSealed: row.secret_sealed }));
  }

  /**
   * Records an attempt and moves the delivery on, if the dispatcher still holds its lease
   * (a dispatcher whose lease ran out changes nothing but the log). Returns whether it held.
   */
  async recordAttempt(delivery: ClaimedWebhookDelivery, outcome: WebhookAttemptOutcome, ctx?: StoreContext): Promise<boolean> {
    const h = this.#h(ctx);
    const attempt = delivery.attempts + 1;
    await h
      .insertInto('nexfit_webhook_attempts')
      .values({ delivery_id: delivery.deliveryId, attempt, status_code: outcome.statusCode, duration_ms: outcome.durationMs, error: outcome.error, attempted_at: outcome.attemptedAt })
      .execute();
    const updated = await h
      .updateTable('nexfit_webhook_deliveries')
      .set({
        status: outcome.status,
        attempts: attempt,
        next_attempt_at: outcome.nextAttemptAt,
        lease_token: null,
        lease_until: null,
        last_status_code: outcome.statusCode,
        last_error: outcome.error,
        finished_at: outcome.status === 'pending' ? null : outcome.attemptedAt,
      })
      .where('id', '=', delivery.deliveryId)
      .where('lease_token', '=', delivery.leaseToken)
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) === 1;
  }

  /** Puts a finished delivery back in the queue with a fresh round of attempts; `null` when it is not finished (or missing). */
  async requeue(deliveryId: string, now: Date, ctx?: StoreContext): Promise<WebhookDelivery | null> {
    const row = await this.#h(ctx)
      .updateTable('nexfit_webhook_deliveries')
      .set({ status: 'pending', attempts: 0, next_attempt_at: now, finished_at: null, lease_token: null, lease_until: null })
      .where('id', '=', deliveryId)
      .where('status', 'in', ['succeeded', 'dead'])
      .returningAll()
      .executeTakeFirst();
    return row ? deliveryOf(row) : null;
  }

  /** Deletes deliveries (and their attempt logs) that finished before `cutoff`, `batch` rows per statement. */
  async deleteFinishedBefore(cutoff: Date, batch: number, ctx?: StoreContext): Promise<number> {
    let removed = 0;
    for (;;) {
      const result = await sql<{ id: string }>`
        DELETE FROM nexfit_webhook_deliveries WHERE id IN (
          SELECT id FROM nexfit_webhook_deliveries WHERE finished_at IS NOT NULL AND finished_at < ${cutoff} ORDER BY finished_at LIMIT ${batch}
        ) RETURNING id`.execute(this.#h(ctx));
      removed += result.rows.length;
      if (result.rows.length < batch) return removed;
    }
  }
}

function endpointOf(row: EndpointRow): WebhookEndpoint {
  return {
    endpointId: row.endpoint_id,
    facilityId: row.facility_id,
    url: row.url,
    description: row.description,
    events: row.events,
    active: row.active,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function deliveryOf(row: DeliveryRow): WebhookDelivery {
  return {
    deliveryId: String(row.id),
    endpointId: row.endpoint_id,
    eventId: row.event_id,
    eventType: row.event_type,
    payload: row.payload,
    occurredAt: row.occurred_at,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    finishedAt: row.finished_at,
    createdAt: row.created_at,
  };
}

function attemptOf(row: Selectable<WebhookAttemptsTable>): WebhookAttempt {
  return { deliveryId: String(row.delivery_id), attempt: row.attempt, statusCode: row.status_code, durationMs: row.duration_ms, error: row.error, attemptedAt: row.attempted_at };
}
