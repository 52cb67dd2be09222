import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { isPrivateAddress } from './webhook-url.js';
import { signWebhookPayload, WEBHOOK_EVENT_ID_HEADER, WEBHOOK_EVENT_TYPE_HEADER, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_TIMESTAMP_HEADER } from './webhook-signature.js';

/** Attempts per delivery, the first included: 8. */
export const WEBHOOK_MAX_ATTEMPTS = 8;

/**
 * The wait after each failed attempt before the next one, before jitter: 1 min, 4 min, 16 min,
 * 1 h, 2 h, 6 h, 12 h — about 21 h from the first attempt to the eighth and last.
 */
export const WEBHOOK_RETRY_DELAYS_MS: readonly number[] = [60_000, 240_000, 960_000, 3_600_000, 7_200_000, 21_600_000, 43_200_000];

/** The share of a delay added at random (0 to 20 %), so receivers that recover are not hit by every retry at once. */
export const WEBHOOK_RETRY_JITTER = 0.2;

/**
 * When the next attempt is due after `attemptsMade` failed attempts, or `null` when that was
 * the last one (dead-lettered). `random` is in `[0, 1)`.
 *
 * @example
 * ```ts
 * webhookRetryAt(new Date('2026-01-01T00:00:00Z'), 1, () => 0) // 2026-01-01T00:01:00Z
 * ```
 */
export function webhookRetryAt(now: Date, attemptsMade: number, random: () => number): Date | null {
  if (attemptsMade >= WEBHOOK_MAX_ATTEMPTS) return null;
  const base = WEBHOOK_RETRY_DELAYS_MS[attemptsMade - 1]!;
  return new Date(now.getTime() + base + Math.floor(base * WEBHOOK_RETRY_JITTER * random()));
}

/** The JSON body of a webhook request. */
export function webhookBody(event: { readonly eventId: string; readonly eventType: string; readonly occurredAt: Date; readonly payload: unknown }): string {
  return JSON.stringify({ id: event.eventId, type: event.eventType, occurredAt: event.occurredAt.toISOString(), data: event.payload });
}

/** What one POST came to. */
export interface WebhookPostResult {
  readonly statusCode: number | null;
  readonly error: string | null;
}

/**
 * POSTs a signed body to `url` with Node's `fetch`, aborted after `timeoutMs`. Unless private
 * hosts are allowed, a host name that resolves to a private address is refused here, where
 * the request is made (a name checked only at registration could be re-pointed later).
 */
export async function postWebhook(
  request: { readonly url: string; readonly secret: string; readonly eventId: string; readonly eventType: string; readonly body: string; readonly now: Date },
  options: { readonly timeoutMs: number; readonly allowPrivateHosts: boolean },
): Promise<WebhookPostResult> {
  if (!options.allowPrivateHosts) {
    const refused = await resolvesToPrivateAddress(new URL(request.url).hostname).catch((error: unknown) => `address lookup failed: ${messageOf(error)}`);
    if (refused) return { statusCode: null, error: typeof refused === 'string' ? refused : 'refused: the host resolves to a private address' };
  }
  const timestamp = Math.floor(request.now.getTime() / 1000);
  try {
    const response = await fetch(request.url, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'nexfit-webhooks/1',
        [WEBHOOK_EVENT_ID_HEADER]: request.eventId,
        [WEBHOOK_EVENT_TYPE_HEADER]: request.eventType,
        [WEBHOOK_TIMESTAMP_HEADER]: String(timestamp),
        [WEBHOOK_SIGNATURE_HEADER]: signWebhookPayload(request.secret, timestamp, request.body),
      },
      body: request.body,
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    await response.body?.cancel().catch(() => {});
    return { statusCode: response.status, error: response.status >= 200 && response.status < 300 ? null : `HTTP ${response.status}` };
  } catch (error) {
    return { statusCode: null, error: messageOf(error).slice(0, 500) };
  }
}

async function resolvesToPrivateAddress(host: string): Promise<boolean> {
  const name = host.replace(/^\[|\]$/g, '');
  if (isIP(name)) return isPrivateAddress(name);
  const addresses = await lookup(name, { all: true });
  return addresses.some((a) => isPrivateAddress(a.address));
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
  }
  return String(error);
}
