import { z } from 'zod';
import { currencyCodeSchema } from '../../core/money.js';
import { idSchema } from '../../core/ids.js';
import { currencyWithDefaultSchema, instantSchema, jsonObjectSchema, moneyAmountSchema, optionalText, uuidSchema } from '../../core/schema-primitives.js';
import { PAYMENT_METHODS, TRANSACTION_STATUSES, TRANSACTION_TYPES } from '../../stores/postgres/enums.js';

/**
 * A financial movement (PostgreSQL `transactions`), camelCase, with the amount in minor
 * units; the store converts it to the exact `DECIMAL(10,2)` string (SPEC decision 5).
 * A refund is a row of type `refund` with a non-negative amount. The surrogate `id` column
 * stays inside the store: `transactionId` (a UUID) is the identity.
 *
 * @example
 * ```ts
 * createTransactionInputSchema.parse({ transactionId: ids.newUuid(), userId, amount: 1_500_00, paymentMethod: 'card', transactionType: 'purchase', status: 'pending' })
 * ```
 */
export { PAYMENT_METHODS, TRANSACTION_STATUSES, TRANSACTION_TYPES };
export type { PaymentMethod, TransactionStatus, TransactionType } from '../../stores/postgres/enums.js';

const transactionFields = {
  transactionId: uuidSchema,
  userId: idSchema('UserId'),
  amount: moneyAmountSchema('Amount'),
  currency: currencyCodeSchema,
  paymentMethod: z.enum(PAYMENT_METHODS),
  transactionType: z.enum(TRANSACTION_TYPES),
  status: z.enum(TRANSACTION_STATUSES),
  description: optionalText(5_000).nullable(),
  metadata: jsonObjectSchema.nullable(),
};

/** A payment transaction (`transactions` row) as the SDK returns it; its TypeScript type is inferred from this schema. */
export const transactionSchema = z.strictObject({
  ...transactionFields,
  createdAt: instantSchema,
  updatedAt: instantSchema,
});

/** Validates the input that creates a payment transaction (`transactions` row); fills its defaults. */
export const createTransactionInputSchema = z.strictObject({
  ...transactionFields,
  currency: currencyWithDefaultSchema,
  description: transactionFields.description.default(null),
  metadata: transactionFields.metadata.default(null),
});

/** Only the outcome and its annotations change; amounts are corrected by new rows. */
export const patchTransactionInputSchema = z.strictObject({
  status: transactionFields.status.optional(),
  description: transactionFields.description.optional(),
  metadata: transactionFields.metadata.optional(),
});

/** A payment transaction (`transactions` row) as the SDK returns it. */
export type Transaction = z.output<typeof transactionSchema>;
/** What a caller passes to create a payment transaction (`transactions` row) (ids as strings, dates as `Date` or ISO strings, defaults optional). */
export type CreateTransactionInput = z.input<typeof createTransactionInputSchema>;
/** A parsed create input of a payment transaction (`transactions` row): normalised, branded ids, defaults filled. */
export type CreateTransactionData = z.output<typeof createTransactionInputSchema>;
/** What a caller passes to update a payment transaction (`transactions` row): any subset of its changeable fields, `null` to clear an optional one. */
export type PatchTransactionInput = z.input<typeof patchTransactionInputSchema>;
/** A parsed update of a payment transaction (`transactions` row). */
export type PatchTransactionData = z.output<typeof patchTransactionInputSchema>;
