import { z } from 'zod';
import { currencyCodeSchema } from '../../core/money.js';
import { idSchema } from '../../core/ids.js';
import { calendarDateSchema, currencyWithDefaultSchema, instantSchema, jsonObjectSchema, moneyAmountSchema, requiredText, uuidSchema } from '../../core/schema-primitives.js';
import { VALIDATION_MESSAGES as M } from '../../core/validation-messages.js';
import { BILLING_CYCLES, PAYMENT_METHODS, SUBSCRIPTION_STATUSES } from '../../stores/postgres/enums.js';

/**
 * Recurring billing of a user's plan (PostgreSQL `subscriptions`). `startDate`/`endDate`
 * are calendar dates (`YYYY-MM-DD`, the `DATE` columns); the amount is in minor units.
 *
 * @example
 * ```ts
 * createSubscriptionInputSchema.parse({ subscriptionId: ids.newUuid(), userId, planId: membershipId, status: 'active', startDate: '2026-03-01', billingCycle: 'monthly', amount: 1_500_00, paymentMethod: 'card' })
 * ```
 */
export { BILLING_CYCLES, SUBSCRIPTION_STATUSES };
export type { BillingCycle, SubscriptionStatus } from '../../stores/postgres/enums.js';

const subscriptionFields = {
  subscriptionId: uuidSchema,
  userId: idSchema('UserId'),
  /** The plan billed: a membership id, a programme id or a platform plan key (≤ 36 characters). */
  planId: requiredText(36),
  status: z.enum(SUBSCRIPTION_STATUSES),
  startDate: calendarDateSchema,
  endDate: calendarDateSchema.nullable(),
  billingCycle: z.enum(BILLING_CYCLES),
  billingDay: z.number().int().min(1).max(31).nullable(),
  amount: moneyAmountSchema('Amount per billing cycle'),
  currency: currencyCodeSchema,
  paymentMethod: z.enum(PAYMENT_METHODS),
  autoRenew: z.boolean(),
  metadata: jsonObjectSchema.nullable(),
};

/** `YYYY-MM-DD` strings compare like the dates they name. */
const endNotBeforeStart = (s: { startDate: string; endDate: string | null }) => s.endDate === null || s.endDate >= s.startDate;
const periodRule = { error: M.endAfterStart.en, path: ['endDate'] };

/** A billing subscription (`subscriptions` row) as the SDK returns it; its TypeScript type is inferred from this schema. */
export const subscriptionSchema = z
  .strictObject({ ...subscriptionFields, createdAt: instantSchema, updatedAt: instantSchema })
  .refine(endNotBeforeStart, periodRule);

/** Validates the input that creates a billing subscription (`subscriptions` row); fills its defaults. */
export const createSubscriptionInputSchema = z
  .strictObject({
    ...subscriptionFields,
    endDate: subscriptionFields.endDate.default(null),
    billingDay: subscriptionFields.billingDay.default(null),
    currency: currencyWithDefaultSchema,
    autoRenew: subscriptionFields.autoRenew.default(true),
    metadata: subscriptionFields.metadata.default(null),
  })
  .refine(endNotBeforeStart, periodRule);

/** The subscriber and the business key never change. */
export const patchSubscriptionInputSchema = z.strictObject({
  planId: subscriptionFields.planId.optional(),
  status: subscriptionFields.status.optional(),
  endDate: subscriptionFields.endDate.optional(),
  billingCycle: subscriptionFields.billingCycle.optional(),
  billingDay: subscriptionFields.billingDay.optional(),
  amount: subscriptionFields.amount.optional(),
  currency: subscriptionFields.currency.optional(),
  paymentMethod: subscriptionFields.paymentMethod.optional(),
  autoRenew: subscriptionFields.autoRenew.optional(),
  metadata: subscriptionFields.metadata.optional(),
});

/** A billing subscription (`subscriptions` row) as the SDK returns it. */
export type Subscription = z.output<typeof subscriptionSchema>;
/** What a caller passes to create a billing subscription (`subscriptions` row) (ids as strings, dates as `Date` or ISO strings, defaults optional). */
export type CreateSubscriptionInput = z.input<typeof createSubscriptionInputSchema>;
/** A parsed create input of a billing subscription (`subscriptions` row): normalised, branded ids, defaults filled. */
export type CreateSubscriptionData = z.output<typeof createSubscriptionInputSchema>;
/** What a caller passes to update a billing subscription (`subscriptions` row): any subset of its changeable fields, `null` to clear an optional one. */
export type PatchSubscriptionInput = z.input<typeof patchSubscriptionInputSchema>;
/** A parsed update of a billing subscription (`subscriptions` row). */
export type PatchSubscriptionData = z.output<typeof patchSubscriptionInputSchema>;
