import { z } from 'zod';
import { idSchema } from '../../core/ids.js';

/** Every event (`'*'`) or one event type by name (`membership.purchased`, `booking.created`, …). */
export const webhookEventFilterSchema = z.string().max(100).regex(/^(?:\*|[a-z][a-z_]*(?:\.[a-z][a-z_]*)*)$/, { error: 'Must be an event type such as membership.purchased, or *' });

/** The events an endpoint receives: 1 to 100 distinct event types, or `['*']`. */
export const webhookEventListSchema = z
  .array(webhookEventFilterSchema)
  .min(1)
  .max(100)
  .refine((list) => new Set(list).size === list.length, { error: 'Must not repeat an event type' });

/** The id of a webhook endpoint. */
export const webhookEndpointIdSchema = idSchema('WebhookEndpointId');

/** The id of a webhook delivery (a PostgreSQL identity, as text). */
export const webhookDeliveryIdSchema = z.string().regex(/^[1-9]\d{0,18}$/, { error: 'Must be a delivery id' });

/**
 * What registering an endpoint takes. `facilityId` scopes it to one facility's events (those
 * whose payload names that facility); without it the endpoint is the platform's and receives
 * every matching event (operators only). `url` is checked by `webhookUrlIssue`.
 */
export const registerWebhookEndpointInputSchema = z.strictObject({
  facilityId: idSchema('FacilityId').optional(),
  url: z.string(),
  events: webhookEventListSchema,
  description: z.string().trim().max(200).optional(),
});
/**
 * Input of `webhooks.registerEndpoint`.
 *
 * @useDeclaredType
 */
export type RegisterWebhookEndpointInput = z.input<typeof registerWebhookEndpointInputSchema>;

/** What updating an endpoint may change; at least one field. */
export const updateWebhookEndpointInputSchema = z
  .strictObject({
    url: z.string().optional(),
    events: webhookEventListSchema.optional(),
    description: z.string().trim().max(200).nullable().optional(),
    active: z.boolean().optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, { error: 'Must change at least one field' });
/**
 * Input of `webhooks.updateEndpoint`.
 *
 * @useDeclaredType
 */
export type UpdateWebhookEndpointInput = z.input<typeof updateWebhookEndpointInputSchema>;

/** Options of `webhooks.dispatch`. */
export const dispatchWebhooksOptionsSchema = z.strictObject({
  /** Deliveries claimed per pass. Default 100. */
  limit: z.number().int().min(1).max(1000).optional(),
  /** Requests in flight at once. Default 8. */
  concurrency: z.number().int().min(1).max(64).optional(),
});
/**
 * Options of `webhooks.dispatch`.
 *
 * @useDeclaredType
 */
export type DispatchWebhooksOptions = z.input<typeof dispatchWebhooksOptionsSchema>;
