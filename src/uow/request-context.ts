import { AsyncLocalStorage } from 'node:async_hooks';
import { z } from 'zod';
import { parseOrThrow, type ValidationLocale } from '../core/validation.js';
import { ipAddressSchema } from '../modules/audit/audit-log.schema.js';

/**
 * The request an operation serves: who acts and from where. Every audit row written while
 * serving it records the actor, the IP address, the user agent and the request id, so a
 * financial record says who made it and from which request.
 *
 * @example
 * ```ts
 * const context: RequestContext = { actorId: userId, ipAddress: req.ip, userAgent: req.get('user-agent'), requestId: req.id };
 * ```
 */
export interface RequestContext {
  /** The acting user's id, or `null` for the system (jobs, migrations). */
  readonly actorId: string | null;
  readonly ipAddress?: string | undefined;
  readonly userAgent?: string | undefined;
  /** The host's id of the request (a header such as `x-request-id`), to join audit rows with access logs. */
  readonly requestId?: string | undefined;
}

/** Where a request comes from: what a host passes next to the actor (`nexfit.as(actor, origin)`). */
export type RequestOrigin = Omit<RequestContext, 'actorId'>;

/** Validates a {@link RequestOrigin}: an IPv4/IPv6 address, a user agent up to 1,000 characters, a request id up to 100 printable characters. */
export const requestOriginSchema = z.strictObject({
  ipAddress: ipAddressSchema.optional(),
  userAgent: z.string().max(1_000).optional(),
  requestId: z.string().trim().min(1).max(100).regex(/^[\x21-\x7e]+$/).optional(),
});

const ambient = new AsyncLocalStorage<RequestContext>();

/**
 * Checks a request origin before anything runs with it: a malformed address or an oversized
 * header is a {@link ValidationError}, not a failed audit insert at the end of a unit of work.
 * Absent fields (`undefined`) are dropped.
 *
 * @example
 * ```ts
 * parseRequestOrigin({ ipAddress: '203.0.113.7', requestId: 'req-42' })
 * ```
 */
export function parseRequestOrigin(origin: RequestOrigin | undefined, locale?: ValidationLocale): RequestOrigin {
  if (origin === undefined) return {};
  const defined = typeof origin === 'object' && origin !== null ? Object.fromEntries(Object.entries(origin).filter(([, v]) => v !== undefined)) : origin;
  // zod leaves absent keys absent, which is what the optional fields mean.
  return parseOrThrow(requestOriginSchema, defined, { locale, entity: 'request context' }) as RequestOrigin;
}

/**
 * Runs `fn` serving `context`: every unit of work it opens (directly, or through any service
 * or workflow) records that context in its audit rows unless it was given one of its own.
 *
 * @example
 * ```ts
 * await runWithRequestContext({ actorId: null, requestId: 'nightly-2026-12-02' }, () => nexfit.workflows.renewDueSubscriptions({ asOf }));
 * ```
 */
export function runWithRequestContext<T>(context: RequestContext, fn: () => T): T {
  return ambient.run(context, fn);
}

/**
 * The request context of the code running now, if any.
 *
 * @example
 * ```ts
 * currentRequestContext()?.requestId
 * ```
 */
export function currentRequestContext(): RequestContext | undefined {
  return ambient.getStore();
}
