import { z } from 'zod';
import { boundedArray, instantSchema } from '../../core/schema-primitives.js';

/**
 * What one charge attempt of an overdue renewal came to. Only declines are kept: a paid
 * attempt ends the dunning (the field is removed), and a provider outage is not an attempt
 * (the same attempt is tried again by the next run).
 *
 * @example
 * ```ts
 * DUNNING_ATTEMPT_OUTCOMES.includes('declined') // true
 * ```
 */
export const DUNNING_ATTEMPT_OUTCOMES = ['declined'] as const;
/** The outcome of one dunning attempt (see {@link DUNNING_ATTEMPT_OUTCOMES}). */
export type DunningAttemptOutcome = (typeof DUNNING_ATTEMPT_OUTCOMES)[number];

/** The most retries a dunning policy may schedule. */
export const MAX_DUNNING_RETRIES = 10;

/** One charge attempt of an overdue renewal: the renewal itself first, then each retry. */
export const dunningAttemptSchema = z.strictObject({
  at: instantSchema,
  outcome: z.enum(DUNNING_ATTEMPT_OUTCOMES),
});

/**
 * The dunning of a member subscription whose renewal was declined: the period that was not
 * paid (`periodEnd`, the old end, which stays), when the first decline happened (`since`),
 * every attempt so far, and when the next retry is due. A write-off keeps the record, with
 * `writtenOffAt` set and no `nextRetryAt`.
 *
 * @example
 * ```ts
 * membershipDunningSchema.parse({ periodEnd: '2027-01-31T21:00:00Z', since: '2027-01-31T06:00:00Z', attempts: [{ at: '2027-01-31T06:00:00Z', outcome: 'declined' }], nextRetryAt: '2027-01-31T21:00:00Z' })
 * ```
 */
export const membershipDunningSchema = z.strictObject({
  periodEnd: instantSchema,
  since: instantSchema,
  attempts: boundedArray(dunningAttemptSchema, MAX_DUNNING_RETRIES + 1),
  nextRetryAt: instantSchema.optional(),
  writtenOffAt: instantSchema.optional(),
});

/** The dunning record of a member subscription. */
export type MembershipDunning = z.output<typeof membershipDunningSchema>;
/** One attempt of a dunning record. */
export type DunningAttempt = z.output<typeof dunningAttemptSchema>;

/**
 * When a declined renewal is charged again (host setting, `createNexfit({ dunningPolicy })`):
 * `retryAfterDays[i]` is the number of calendar days (facility zone) after the first decline's
 * day on whose start retry `i + 1` is due. After the last retry declines the membership is
 * written off. Default `[1, 4, 11]` (Glofox's schedule).
 *
 * @example
 * ```ts
 * const policy: DunningPolicy = { retryAfterDays: [2, 7] };
 * ```
 */
export interface DunningPolicy {
  readonly retryAfterDays: readonly number[];
}

/** The dunning policy used when the host sets none: retries 1, 4 and 11 days after the first decline. */
export const DEFAULT_DUNNING_POLICY: DunningPolicy = { retryAfterDays: [1, 4, 11] };

/** Validates a {@link DunningPolicy}: 1 to 10 retries, whole days 1 to 90, strictly increasing. */
export const dunningPolicySchema = z.strictObject({
  retryAfterDays: z
    .array(z.number().int().min(1).max(90))
    .min(1)
    .max(MAX_DUNNING_RETRIES)
    .refine((days) => days.every((d, i) => i === 0 || d > days[i - 1]!), { error: 'Retry days must be strictly increasing' }),
});

/**
 * Whether a subscription is overdue at `at`: its renewal was declined and `at` is past the
 * period it had paid for.
 */
export function isOverdueAt(subscription: { readonly dunning?: MembershipDunning | undefined }, at: Date): boolean {
  const dunning = subscription.dunning;
  return dunning !== undefined && dunning.writtenOffAt === undefined && at.getTime() >= dunning.periodEnd.getTime();
}
