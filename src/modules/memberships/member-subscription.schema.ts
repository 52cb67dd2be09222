import { z } from 'zod';
import { currencyCodeSchema } from '../../core/money.js';
import { entityFields, patchSchemaOf, pickFields } from '../../core/entity-schema.js';
import { idSchema } from '../../core/ids.js';
import { boundedArray, instantSchema, longTextSchema, moneyAmountSchema, uuidSchema } from '../../core/schema-primitives.js';
import { VALIDATION_MESSAGES as M } from '../../core/validation-messages.js';
import { membershipDurationSchema, validAtFacilityIdsSchema } from './membership.schema.js';
import { PAYMENT_METHODS, TRANSACTION_STATUSES } from '../../stores/postgres/enums.js';
import { MAX_FREEZES_PER_SUBSCRIPTION, membershipFreezeSchema } from './membership-freeze.schema.js';
import { membershipDunningSchema } from './membership-dunning.schema.js';
import { subscriptionDiscountSchema } from './promo-code.schema.js';

/**
 * A user's membership of a facility (seed: `member_subscriptions`), with the payments made
 * for it. Payment methods and statuses are the PostgreSQL `transactions` value sets, since
 * each history entry mirrors a transaction row (`transactionId`).
 *
 * @example
 * ```ts
 * createMemberSubscriptionInputSchema.parse({ userId, facilityId, membershipId, startDate: '2026-03-01', endDate: '2026-04-01' })
 * ```
 */
export const MEMBER_SUBSCRIPTION_STATUSES = ['active', 'expired', 'cancelled', 'pending'] as const;
/** The state of a member subscription. */
export type MemberSubscriptionStatus = (typeof MEMBER_SUBSCRIPTION_STATUSES)[number];

/** One payment of a member subscription, as kept in its `paymentHistory`. */
export const paymentRecordSchema = z.strictObject({
  amount: moneyAmountSchema('Amount paid'),
  currency: currencyCodeSchema,
  date: instantSchema,
  method: z.enum(PAYMENT_METHODS),
  status: z.enum(TRANSACTION_STATUSES),
  transactionId: uuidSchema.describe('transactions.transaction_id of the payment'),
});

/**
 * The session credits of a class-pack subscription: `remaining` of `total` (never negative),
 * valid from `activatedAt` until `expiresAt` (both absent until the first booking of a pack
 * activated on first booking; `expiresAt` absent = valid while the subscription is).
 * `validFor` is the pack's validity as sold, fixed at the purchase.
 */
export const subscriptionCreditsSchema = z.strictObject({
  total: z.number().int().min(0).max(100_000),
  remaining: z.number().int().min(0).max(100_000),
  validFor: membershipDurationSchema.optional(),
  activatedAt: instantSchema.optional(),
  expiresAt: instantSchema.optional(),
  expiredAt: instantSchema.optional().describe('When the expiry run forfeited the credits left'),
});

/**
 * The guest passes of a subscription's current period: `used` of `perPeriod` (never more),
 * back to 0 when the period renews. A guest booking spends one with a conditional update.
 */
export const subscriptionGuestPassesSchema = z.strictObject({
  perPeriod: z.number().int().min(1).max(100),
  used: z.number().int().min(0).max(100).describe('May exceed perPeriod after a change to a plan with fewer passes: none left then'),
});

const memberSubscriptionFields = {
  userId: idSchema('UserId'),
  facilityId: idSchema('FacilityId'),
  membershipId: idSchema('MembershipId'),
  startDate: instantSchema,
  endDate: instantSchema,
  status: z.enum(MEMBER_SUBSCRIPTION_STATUSES),
  paymentHistory: boundedArray(paymentRecordSchema),
  autoRenew: z.boolean(),
  cancelledAt: instantSchema.optional(),
  cancellationReason: longTextSchema.optional(),
  credits: subscriptionCreditsSchema.optional().describe('Present on a class-pack subscription'),
  validAtFacilityIds: validAtFacilityIdsSchema.optional().describe("The plan's other facilities of the business, copied at the purchase: the subscription is valid there too"),
  guestPasses: subscriptionGuestPassesSchema.optional().describe('Present when the plan includes guest passes: those used in the current period'),
  payerUserId: idSchema('UserId').optional().describe('The guardian or payer who paid for the membership and whom renewals charge (absent: the member pays)'),
  discount: subscriptionDiscountSchema.optional().describe('The promo-code discount its renewals still get'),
};

type SubscriptionPeriod = { startDate: Date; endDate: Date; status: MemberSubscriptionStatus; cancelledAt?: Date | undefined };
const endsAfterStart = (s: SubscriptionPeriod) => s.endDate.getTime() > s.startDate.getTime();
const cancelledConsistently = (s: SubscriptionPeriod) => (s.status === 'cancelled') === (s.cancelledAt !== undefined);

/** A member subscription as the SDK returns it; its TypeScript type is inferred from this schema. */
export const memberSubscriptionSchema = z
  .strictObject({
    ...entityFields('MemberSubscriptionId'),
    ...memberSubscriptionFields,
    /** Its freezes (pauses), oldest first; written only by the freeze workflows. */
    freezes: boundedArray(membershipFreezeSchema, MAX_FREEZES_PER_SUBSCRIPTION).optional(),
    /** Present while a declined renewal is retried (and kept after a write-off); written only by the renewal and dunning workflows. */
    dunning: membershipDunningSchema.optional(),
  })
  .refine(endsAfterStart, { error: M.endAfterStart.en, path: ['endDate'] })
  .refine(cancelledConsistently, { error: M.cancellation.en, path: ['cancelledAt'] });
/** A stored `member_subscriptions` document: the member subscription with its stored-only fields; the collection's `$jsonSchema` validator is generated from it. */
export const storedMemberSubscriptionSchema = memberSubscriptionSchema;

/** A new subscription starts `pending` (until paid) without payments, renewing automatically. */
export const createMemberSubscriptionInputSchema = z
  .strictObject({
    ...memberSubscriptionFields,
    status: memberSubscriptionFields.status.default('pending'),
    paymentHistory: memberSubscriptionFields.paymentHistory.default([]),
    autoRenew: memberSubscriptionFields.autoRenew.default(true),
  })
  .refine(endsAfterStart, { error: M.endAfterStart.en, path: ['endDate'] })
  .refine(cancelledConsistently, { error: M.cancellation.en, path: ['cancelledAt'] });

/**
 * Who and where never change; the plan changes only through `changeMembershipPlan`, which
 * prices the rest of the period; payments are appended by the billing workflow, not patched.
 */
export const patchMemberSubscriptionInputSchema = patchSchemaOf(
  pickFields(memberSubscriptionFields, ['membershipId', 'startDate', 'endDate', 'status', 'autoRenew', 'cancelledAt', 'cancellationReason', 'validAtFacilityIds']),
);

/** The guest passes of a subscription's current period. */
export type SubscriptionGuestPasses = z.output<typeof subscriptionGuestPassesSchema>;
/** The session credits of a class-pack subscription. */
export type SubscriptionCredits = z.output<typeof subscriptionCreditsSchema>;
/** One payment in a member subscription's history. */
export type PaymentRecord = z.output<typeof paymentRecordSchema>;
/** A member subscription as the SDK returns it. */
export type MemberSubscription = z.output<typeof memberSubscriptionSchema>;
/** A stored `member_subscriptions` document (see `storedMemberSubscriptionSchema`). */
export type StoredMemberSubscription = MemberSubscription;
/** What a caller passes to create a member subscription (ids as strings, dates as `Date` or ISO strings, defaults optional). */
export type CreateMemberSubscriptionInput = z.input<typeof createMemberSubscriptionInputSchema>;
/** A parsed create input of a member subscription: normalised, branded ids, defaults filled. */
export type CreateMemberSubscriptionData = z.output<typeof createMemberSubscriptionInputSchema>;
/** What a caller passes to update a member subscription: any subset of its changeable fields, `null` to clear an optional one. */
export type PatchMemberSubscriptionInput = z.input<typeof patchMemberSubscriptionInputSchema>;
/** A parsed update of a member subscription. */
export type PatchMemberSubscriptionData = z.output<typeof patchMemberSubscriptionInputSchema>;
