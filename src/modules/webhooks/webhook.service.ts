import { randomBytes, randomUUID } from 'node:crypto';
import { ConfigurationError, ConflictError, NotFoundError, ValidationError } from '../../core/errors.js';
import { FieldCipher } from '../../core/field-cipher.js';
import { parseOrThrow } from '../../core/validation.js';
import type { ServiceDeps } from '../service-deps.js';
import { postWebhook, webhookBody, webhookRetryAt } from './webhook-delivery.js';
import type { ClaimedWebhookDelivery, WebhookAttempt, WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint, WebhookRepository } from './webhook.repository.js';
import {
  dispatchWebhooksOptionsSchema,
  registerWebhookEndpointInputSchema,
  updateWebhookEndpointInputSchema,
  webhookDeliveryIdSchema,
  webhookEndpointIdSchema,
  type DispatchWebhooksOptions,
  type RegisterWebhookEndpointInput,
  type UpdateWebhookEndpointInput,
} from './webhook.schema.js';
import { webhookUrlIssue, type WebhookUrlPolicy } from './webhook-url.js';
import { idSchema } from '../../core/ids.js';
import { z } from 'zod';

/** How webhooks are sent (`createNexfit({ webhooks })`). */
export interface WebhookOptions extends WebhookUrlPolicy {
  /** How long one request may take before it is aborted and counted as failed. Default 10 s. */
  readonly timeoutMs?: number;
  /** The source of jitter in `[0, 1)`. Default `Math.random`. */
  readonly random?: () => number;
}

/** An endpoint with its signing secret: returned once, when the secret is made. */
export interface WebhookEndpointWithSecret {
  readonly endpoint: WebhookEndpoint;
  /** `whsec_…`: give it to the receiver, which verifies with `verifyWebhookSignature`. Not shown again. */
  readonly secret: string;
}

/** What one dispatch pass did. */
export interface WebhookDispatchReport {
  /** Deliveries attempted. */
  readonly attempted: number;
  /** Answered with a 2xx. */
  readonly succeeded: number;
  /** Failed, with another attempt scheduled. */
  readonly retrying: number;
  /** Failed their last attempt. */
  readonly deadLettered: number;
}

/** Options of `webhooks.listDeliveries`. */
export interface ListWebhookDeliveriesOptions {
  readonly status?: WebhookDeliveryStatus;
  /** At most this many, newest first. Default 100, at most 1000. */
  readonly limit?: number;
}

const listDeliveriesOptionsSchema = z.strictObject({ status: z.enum(['pending', 'succeeded', 'dead']).optional(), limit: z.number().int().min(1).max(1000).optional() });
const purgeOptionsSchema = z.strictObject({ olderThanDays: z.number().int().min(1).max(3650).optional(), batchSize: z.number().int().min(1).max(10_000).optional() });
const facilityIdSchema = idSchema('FacilityId');
const SECRET_PREFIX = 'whsec_';

/**
 * Signed webhooks for domain events: each facility registers endpoints for the events it wants;
 * every event a committed unit of work emits becomes a durable delivery per matching endpoint,
 * which {@link WebhookService.dispatch} POSTs, signed, with retries and a dead letter.
 *
 * @example
 * ```ts
 * const { endpoint, secret } = await nexfit.webhooks.registerEndpoint({ facilityId, url: 'https://crm.example.com/hooks', events: ['membership.purchased'] });
 * await nexfit.webhooks.dispatch(); // from a scheduler, every minute
 * ```
 */
export class WebhookService {
  readonly #repo: WebhookRepository;
  readonly #deps: ServiceDeps;
  readonly #options: WebhookOptions;
  readonly #cipher: FieldCipher | null;

  constructor(repo: WebhookRepository, deps: ServiceDeps, options: WebhookOptions = {}) {
    this.#repo = repo;
    this.#deps = deps;
    this.#options = options;
    this.#cipher = deps.keyring ? new FieldCipher(deps.keyring) : null;
  }

  /** Registers an endpoint with a new secret; refuses a URL outside the rules (see docs/webhooks.md) with nothing written. */
  async registerEndpoint(input: RegisterWebhookEndpointInput): Promise<WebhookEndpointWithSecret> {
    const parsed = this.#parse(registerWebhookEndpointInputSchema, input);
    this.#checkUrl(parsed.url);
    const endpointId = this.#deps.ids.newObjectId();
    const secret = newSecret();
    const sealed = this.#seal(endpointId, secret);
    const endpoint = await this.#repo.insertEndpoint({
      endpoint_id: endpointId,
      facility_id: parsed.facilityId ?? null,
      url: parsed.url,
      description: parsed.description ?? null,
      events: [...parsed.events],
      secret_key_id: sealed.keyId,
      secret_sealed: sealed.data,
      at: this.#deps.clock.now(),
    });
    return { endpoint, secret };
  }

  /** Changes an endpoint's URL, events, description or activity. */
  async updateEndpoint(endpointId: string, patch: UpdateWebhookEndpointInput): Promise<WebhookEndpoint> {
    const id = this.#parse(webhookEndpointIdSchema, endpointId);
    const parsed = this.#parse(updateWebhookEndpointInputSchema, patch);
    if (parsed.url !== undefined) this.#checkUrl(parsed.url);
    const updated = await this.#repo.updateEndpoint(id, {
      ...(parsed.url === undefined ? {} : { url: parsed.url }),
      ...(parsed.events === undefined ? {} : { events: [...parsed.events] }),
      ...(parsed.description === undefined ? {} : { description: parsed.description }),
      ...(parsed.active === undefined ? {} : { active: parsed.active }),
      at: this.#deps.clock.now(),
    });
    if (!updated) throw new NotFoundError('webhook_endpoint', id);
    return updated;
  }

  /** Replaces an endpoint's secret; requests signed from now on use the new one. */
  async rotateEndpointSecret(endpointId: string): Promise<WebhookEndpointWithSecret> {
    const id = this.#parse(webhookEndpointIdSchema, endpointId);
    const secret = newSecret();
    const sealed = this.#seal(id, secret);
    const endpoint = await this.#repo.updateEndpoint(id, { secret_key_id: sealed.keyId, secret_sealed: sealed.data, at: this.#deps.clock.now() });
    if (!endpoint) throw new NotFoundError('webhook_endpoint', id);
    return { endpoint, secret };
  }

  /** Stops an endpoint: no new deliveries are made for it, and its pending ones wait until it is active again. */
  async disableEndpoint(endpointId: string): Promise<WebhookEndpoint> {
    return this.updateEndpoint(endpointId, { active: false });
  }

  /** One endpoint, without its secret. */
  async getEndpoint(endpointId: string): Promise<WebhookEndpoint> {
    const id = this.#parse(webhookEndpointIdSchema, endpointId);
    const endpoint = await this.#repo.findEndpoint(id);
    if (!endpoint) throw new NotFoundError('webhook_endpoint', id);
    return endpoint;
  }

  /** A facility's endpoints, oldest first. */
  async listEndpoints(facilityId: string): Promise<WebhookEndpoint[]> {
    return this.#repo.listEndpointsByFacility(this.#parse(facilityIdSchema, facilityId));
  }

  /** An endpoint's deliveries, newest first. */
  async listDeliveries(endpointId: string, options: ListWebhookDeliveriesOptions = {}): Promise<WebhookDelivery[]> {
    const id = this.#parse(webhookEndpointIdSchema, endpointId);
    const parsed = this.#parse(listDeliveriesOptionsSchema, options);
    return this.#repo.listDeliveriesByEndpoint(id, { ...(parsed.status ? { status: parsed.status } : {}), ...(parsed.limit ? { limit: parsed.limit } : {}) });
  }

  /** The attempt log of a delivery: status code, duration and error of each attempt. */
  async listDeliveryAttempts(deliveryId: string): Promise<WebhookAttempt[]> {
    return this.#repo.listAttempts(this.#parse(webhookDeliveryIdSchema, deliveryId));
  }

  /**
   * Sends a finished delivery (dead-lettered, or succeeded) again, with a fresh round of
   * attempts. `ConflictError('webhook_delivery_pending')` while it is still queued;
   * `ConflictError('webhook_endpoint_disabled')` when its endpoint is disabled.
   */
  async redeliver(deliveryId: string): Promise<WebhookDelivery> {
    const id = this.#parse(webhookDeliveryIdSchema, deliveryId);
    const delivery = await this.#repo.findDelivery(id);
    if (!delivery) throw new NotFoundError('webhook_delivery', id);
    const endpoint = await this.#repo.findEndpoint(delivery.endpointId);
    if (!endpoint?.active) throw new ConflictError('webhook_endpoint_disabled', 'The endpoint of this delivery is disabled: enable it first', { details: { endpointId: delivery.endpointId } });
    const requeued = await this.#repo.requeue(id, this.#deps.clock.now());
    if (!requeued) throw new ConflictError('webhook_delivery_pending', 'This delivery is still queued: it is redelivered only after it succeeded or was dead-lettered', { details: { deliveryId: id } });
    return requeued;
  }

  /**
   * One dispatch pass: claims due deliveries (a batch of `concurrency` at a time, under a
   * lease), POSTs each signed, and records the attempt — a 2xx ends the delivery, anything else
   * schedules the next attempt with backoff and jitter, and the eighth failure dead-letters it.
   * Dispatchers may run at once on several machines: no delivery is sent by two of them at once.
   */
  async dispatch(options: DispatchWebhooksOptions = {}): Promise<WebhookDispatchReport> {
    const parsed = this.#parse(dispatchWebhooksOptionsSchema, options);
    const limit = parsed.limit ?? 100;
    const concurrency = parsed.concurrency ?? 8;
    const timeoutMs = this.#options.timeoutMs ?? 10_000;
    const report = { attempted: 0, succeeded: 0, retrying: 0, deadLettered: 0 };
    while (report.attempted < limit) {
      const batch = await this.#repo.claimDue(this.#deps.clock.now(), Math.min(concurrency, limit - report.attempted), timeoutMs + 60_000, randomUUID());
      if (batch.length === 0) break;
      const outcomes = await Promise.all(batch.map((delivery) => this.#attempt(delivery, timeoutMs)));
      for (const status of outcomes) {
        report.attempted++;
        if (status === 'succeeded') report.succeeded++;
        else if (status === 'dead') report.deadLettered++;
        else report.retrying++;
      }
    }
    return report;
  }

  /** Deletes deliveries finished more than `olderThanDays` (default 30) ago, with their attempt logs. */
  async purgeDeliveries(options: { readonly olderThanDays?: number; readonly batchSize?: number } = {}): Promise<number> {
    const parsed = this.#parse(purgeOptionsSchema, options);
    const cutoff = new Date(this.#deps.clock.now().getTime() - (parsed.olderThanDays ?? 30) * 86_400_000);
    return this.#repo.deleteFinishedBefore(cutoff, parsed.batchSize ?? 1000);
  }

  async #attempt(delivery: ClaimedWebhookDelivery, timeoutMs: number): Promise<WebhookDeliveryStatus> {
    const attemptedAt = this.#deps.clock.now();
    const started = performance.now();
    let result: { statusCode: number | null; error: string | null };
    try {
      const secret = this.#cipher ? this.#cipher.open({ keyId: delivery.secretKeyId, data: delivery.secretSealed }, secretContext(delivery.endpointId)).toString('utf8') : null;
      result = secret
        ? await postWebhook(
            { url: delivery.url, secret, eventId: delivery.eventId, eventType: delivery.eventType, body: webhookBody(delivery), now: attemptedAt },
            { timeoutMs, allowPrivateHosts: this.#options.allowPrivateHosts ?? false },
          )
        : { statusCode: null, error: 'no keyring to open the endpoint secret' };
    } catch (error) {
      result = { statusCode: null, error: error instanceof Error ? error.message : String(error) };
    }
    const durationMs = Math.max(0, Math.round(performance.now() - started));
    const ok = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
    const retryAt = ok ? null : webhookRetryAt(attemptedAt, delivery.attempts + 1, this.#options.random ?? Math.random);
    const status: WebhookDeliveryStatus = ok ? 'succeeded' : retryAt ? 'pending' : 'dead';
    await this.#repo.recordAttempt(delivery, { ...result, durationMs, attemptedAt, status, nextAttemptAt: retryAt ?? attemptedAt });
    return status;
  }

  #checkUrl(url: string): void {
    const locale = this.#deps.locale ?? 'en';
    const issue = webhookUrlIssue(url, this.#options, locale);
    if (issue) throw new ValidationError(locale === 'tr' ? 'Webhook adresi geçersiz' : 'The webhook URL is not allowed', [issue]);
  }

  #seal(endpointId: string, secret: string) {
    if (!this.#cipher) throw new ConfigurationError('Pass createNexfit({ keyring }) to store webhook secrets sealed');
    return this.#cipher.seal(Buffer.from(secret, 'utf8'), secretContext(endpointId));
  }

  #parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
    return parseOrThrow(schema, input, { ...(this.#deps.locale ? { locale: this.#deps.locale } : {}), entity: 'webhook_endpoint' });
  }
}

/** The associated data a secret is sealed with: it opens only as this endpoint's secret. */
function secretContext(endpointId: string): string {
  return `nexfit_webhook_endpoints|secret|${endpointId}`;
}

function newSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64url');
}
