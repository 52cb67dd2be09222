import { z } from 'zod';
import { currencyCodeSchema } from '../../core/money.js';
import { entityFields, patchSchemaOf, pickFields } from '../../core/entity-schema.js';
import { idSchema } from '../../core/ids.js';
import { boundedArray, instantSchema, longTextSchema, moneyAmountSchema, uuidSchema } from '../../core/schema-primitives.js';
import { VALIDATION_MESSAGES as M } from '../../core/validation-messages.js';
import { PAYMENT_METHODS, TRANSACTION_STATUSES } from '../../stores/postgres/enums.js';

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
export type MemberSubscriptionStatus = (typeof MEMBER_SUBSCRIPTION_STATUSES)[number];

export const paymentRecordSchema = z.strictObject({
  amount: moneyAmountSchema('Amount paid'),
  currency: currencyCodeSchema,
  date: instantSchema,
  method: z.enum(PAYMENT_METHODS),
  status: z.enum(TRANSACTION_STATUSES),
  transactionId: uuidSchema.describe('transactions.transaction_id of the payment'),
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
};

type SubscriptionPeriod = { startDate: Date; endDate: Date; status: MemberSubscriptionStatus; cancelledAt?: Date | undefined };
const endsAfterStart = (s: SubscriptionPeriod) => s.endDate.getTime() > s.startDate.getTime();
const cancelledConsistently = (s: SubscriptionPeriod) => (s.status === 'cancelled') === (s.cancelledAt !== undefined);

export const memberSubscriptionSchema = z
  .strictObject({ ...entityFields('MemberSubscriptionId'), ...memberSubscriptionFields })
  .refine(endsAfterStart, { error: M.endAfterStart.en, path: ['endDate'] })
  .refine(cancelledConsistently, { error: M.cancellation.en, path: ['cancelledAt'] });
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
 * Who, where and which plan never change; payments are appended by the billing workflow,
 * not patched.
 */
export const patchMemberSubscriptionInputSchema = patchSchemaOf(
  pickFields(memberSubscriptionFields, ['startDate', 'endDate', 'status', 'autoRenew', 'cancelledAt', 'cancellationReason']),
);

export type PaymentRecord = z.output<typeof paymentRecordSchema>;
export type MemberSubscription = z.output<typeof memberSubscriptionSchema>;
export type StoredMemberSubscription = MemberSubscription;
export type CreateMemberSubscriptionInput = z.input<typeof createMemberSubscriptionInputSchema>;
export type CreateMemberSubscriptionData = z.output<typeof createMemberSubscriptionInputSchema>;
export type PatchMemberSubscriptionInput = z.input<typeof patchMemberSubscriptionInputSchema>;
export type PatchMemberSubscriptionData = z.output<typeof patchMemberSubscriptionInputSchema>;
