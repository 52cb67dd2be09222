import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header that carries the signature: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const WEBHOOK_SIGNATURE_HEADER = 'nexfit-signature';
/** The header that carries the event id; receivers deduplicate on it (deliveries are at least once). */
export const WEBHOOK_EVENT_ID_HEADER = 'nexfit-event-id';
/** The header that carries the event type. */
export const WEBHOOK_EVENT_TYPE_HEADER = 'nexfit-event-type';
/** The header that carries the signing time, in Unix seconds (also inside the signature). */
export const WEBHOOK_TIMESTAMP_HEADER = 'nexfit-timestamp';

/** The default tolerance of {@link verifyWebhookSignature}: five minutes either way. */
export const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 300;

/**
 * The signature header of a webhook body: HMAC-SHA256 under the endpoint's secret over
 * `<timestamp>.<body>`, as `t=<timestamp>,v1=<hex>` (Stripe's layout).
 *
 * @example
 * ```ts
 * signWebhookPayload('whsec_…', 1767225600, '{"id":"…"}') // 't=1767225600,v1=5f0c…'
 * ```
 */
export function signWebhookPayload(secret: string, timestampSeconds: number, body: string): string {
  return `t=${timestampSeconds},v1=${hmacHex(secret, timestampSeconds, body)}`;
}

/** What {@link verifyWebhookSignature} found. */
export type WebhookVerification =
  | { readonly valid: true; readonly timestamp: number }
  | { readonly valid: false; readonly reason: 'malformed_header' | 'timestamp_outside_tolerance' | 'signature_mismatch' };

/** Options of {@link verifyWebhookSignature}. */
export interface VerifyWebhookSignatureOptions {
  /** The raw request body, exactly as received (not re-serialised JSON). */
  readonly body: string | Uint8Array;
  /** The `nexfit-signature` header. */
  readonly header: string | null | undefined;
  /** The endpoint's secret (`whsec_…`), or the old and new ones while a rotation settles. */
  readonly secret: string | readonly string[];
  /** How far the signing time may be from `now`, in seconds. Default 300. */
  readonly toleranceSeconds?: number;
  /** The receiver's clock. Default: the current time. */
  readonly now?: Date;
}

/**
 * Checks a webhook request on the receiving side: the header parses, its timestamp is within
 * the tolerance of `now` (a replayed request is refused), and one of its `v1` signatures is
 * the HMAC-SHA256 of `<timestamp>.<body>` under the secret, compared in constant time.
 *
 * @example
 * ```ts
 * const check = verifyWebhookSignature({ body: rawBody, header: req.headers['nexfit-signature'], secret: process.env.NEXFIT_WEBHOOK_SECRET! });
 * if (!check.valid) return res.status(400).send(check.reason);
 * ```
 */
export function verifyWebhookSignature(options: VerifyWebhookSignatureOptions): WebhookVerification {
  const parts = (options.header ?? '').split(',').map((p) => p.trim().split('='));
  const t = parts.find(([k]) => k === 't')?.[1];
  const signatures = parts.filter(([k, v]) => k === 'v1' && v !== undefined && /^[0-9a-f]{64}$/.test(v)).map(([, v]) => Buffer.from(v!, 'hex'));
  if (!t || !/^\d{1,12}$/.test(t) || signatures.length === 0) return { valid: false, reason: 'malformed_header' };
  const timestamp = Number(t);
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? DEFAULT_WEBHOOK_TOLERANCE_SECONDS)) return { valid: false, reason: 'timestamp_outside_tolerance' };
  const body = typeof options.body === 'string' ? options.body : Buffer.from(options.body).toString('utf8');
  const secrets = typeof options.secret === 'string' ? [options.secret] : options.secret;
  for (const secret of secrets) {
    const expected = Buffer.from(hmacHex(secret, timestamp, body), 'hex');
    if (signatures.some((s) => timingSafeEqual(s, expected))) return { valid: true, timestamp };
  }
  return { valid: false, reason: 'signature_mismatch' };
}

function hmacHex(secret: string, timestampSeconds: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}.${body}`, 'utf8').digest('hex');
}
