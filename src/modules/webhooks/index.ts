/**
 * The webhooks module's only door: endpoints per facility with sealed secrets, durable
 * deliveries fanned out from the outbox, the signed dispatcher and the receiver's check.
 *
 * @example
 * ```ts
 * const { service } = createWebhooksModule(pg, deps, { allowPrivateHosts: false });
 * await service.dispatch();
 * ```
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../stores/postgres/database.js';
import type { ServiceDeps } from '../service-deps.js';
import { WebhookRepository } from './webhook.repository.js';
import { WebhookService, type WebhookOptions } from './webhook.service.js';

export * from './webhook.schema.js';
export * from './webhook-signature.js';
export { MAX_WEBHOOK_URL_LENGTH, isPrivateAddress, webhookUrlIssue, type WebhookUrlPolicy } from './webhook-url.js';
export { WEBHOOK_MAX_ATTEMPTS, WEBHOOK_RETRY_DELAYS_MS, WEBHOOK_RETRY_JITTER, webhookRetryAt } from './webhook-delivery.js';
export {
  WebhookRepository,
  webhookReadsOf,
  type WebhookReads,
  type ClaimedWebhookDelivery,
  type WebhookAttempt,
  type WebhookAttemptOutcome,
  type WebhookDelivery,
  type WebhookDeliveryStatus,
  type WebhookEndpoint,
} from './webhook.repository.js';
export { WebhookService, type ListWebhookDeliveriesOptions, type WebhookDispatchReport, type WebhookEndpointWithSecret, type WebhookOptions } from './webhook.service.js';

/** Builds the webhooks module: its repository and service. */
export function createWebhooksModule(pg: Kysely<Database>, deps: ServiceDeps, options: WebhookOptions = {}): { readonly repository: WebhookRepository; readonly service: WebhookService } {
  const repository = new WebhookRepository(pg, deps);
  return { repository, service: new WebhookService(repository, deps, options) };
}
