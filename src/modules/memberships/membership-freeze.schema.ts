import { z } from 'zod';
import { currencyCodeSchema } from '../../core/money.js';
import { instantSchema, longTextSchema, moneyAmountSchema, uuidSchema } from '../../core/schema-primitives.js';

/**
 * Where a freeze of a member subscription stands: `scheduled` until its first day,
 * `active` while it runs, `ended` once the member is back, `cancelled` when it was called off
 * before its first day.
 *
 * @example
 * ```ts
 * MEMBERSHIP_FREEZE_STATUSES.includes('active') // true
 * ```
 */
export const MEMBERSHIP_FREEZE_STATUSES = ['scheduled', 'active', 'ended', 'cancelled'] as const;
/** The state of one freeze (see {@link MEMBERSHIP_FREEZE_STATUSES}). */
export type MembershipFreezeStatus = (typeof MEMBERSHIP_FREEZE_STATUSES)[number];

/** The most freezes one member subscription keeps (cancelled ones included). */
export const MAX_FREEZES_PER_SUBSCRIPTION = 24;

/**
 * One freeze (pause) of a member subscription, kept in its `freezes` list. A freeze covers
 * whole calendar days of the facility's time zone: `startsAt` is the start (00:00 local) of
 * its first frozen day, `resumesAt` the start of the first day the membership runs again.
 * An open-ended freeze has no `resumesAt` until it is unfrozen; it ends by itself at
 * `latestResumesAt` (the most days the policy allows it). `days` is the number of calendar
 * days the membership's period was moved by for this freeze: set when the length is known.
 * The optional fee is recorded here; `freezeMembership` charges it with the freeze when the
 * instance has a payment provider (decision 56).
 *
 * @example
 * ```ts
 * membershipFreezeSchema.parse({ freezeId, startsAt: '2026-03-09T21:00:00Z', resumesAt: '2026-03-19T21:00:00Z', latestResumesAt: '2026-03-19T21:00:00Z', days: 10, status: 'scheduled', requestedAt: new Date() })
 * ```
 */
export const membershipFreezeSchema = z.strictObject({
  freezeId: uuidSchema,
  startsAt: instantSchema,
  resumesAt: instantSchema.optional(),
  latestResumesAt: instantSchema,
  days: z.number().int().min(0).max(366).optional(),
  status: z.enum(MEMBERSHIP_FREEZE_STATUSES),
  fee: z.strictObject({ amount: moneyAmountSchema('Freeze fee'), currency: currencyCodeSchema }).optional(),
  reason: longTextSchema.optional(),
  requestedAt: instantSchema,
  endedAt: instantSchema.optional(),
});

/** One freeze of a member subscription. */
export type MembershipFreeze = z.output<typeof membershipFreezeSchema>;

/**
 * How long members may freeze (host setting, `createNexfit({ freezePolicy })`): at most
 * `maxDaysPerFreeze` calendar days in one freeze, and at most `maxDaysPerYear` days over the
 * freezes that start in one calendar year (facility zone). Defaults: 90 and 90.
 *
 * @example
 * ```ts
 * const policy: FreezePolicy = { maxDaysPerFreeze: 30, maxDaysPerYear: 60 };
 * ```
 */
export interface FreezePolicy {
  readonly maxDaysPerFreeze: number;
  readonly maxDaysPerYear: number;
}

/** The freeze policy used when the host sets none: 90 days per freeze and per year. */
export const DEFAULT_FREEZE_POLICY: FreezePolicy = { maxDaysPerFreeze: 90, maxDaysPerYear: 90 };

/** Validates a {@link FreezePolicy}: whole days, 1 to 366. */
export const freezePolicySchema = z.strictObject({
  maxDaysPerFreeze: z.number().int().min(1).max(366),
  maxDaysPerYear: z.number().int().min(1).max(366),
});
