import { z } from 'zod';
import { currencyCodeSchema } from '../../core/money.js';
import { idSchema } from '../../core/ids.js';
import { calendarDateSchema, currencyWithDefaultSchema, instantSchema, jsonObjectSchema, moneyAmountSchema, uuidSchema } from '../../core/schema-primitives.js';
import { VALIDATION_MESSAGES as M } from '../../core/validation-messages.js';
import { INVOICE_STATUSES } from '../../stores/postgres/enums.js';

/**
 * Invoices (PostgreSQL `invoices`). `totalAmount` includes `taxAmount`; both in minor
 * units. `invoiceNumber` is the gap-free, unique number printed on the invoice
 * (`VARCHAR(20)` in the seed). `invoiceData` holds the printed lines, parties and totals.
 *
 * @example
 * ```ts
 * createInvoiceInputSchema.parse({ invoiceId: ids.newUuid(), userId, businessId, totalAmount: 1_800_00, taxAmount: 300_00, status: 'issued', dueDate: '2026-03-15', invoiceNumber: 'NXF2026000001', invoiceData: { lines: [] } })
 * ```
 */
export { INVOICE_STATUSES };
export type { InvoiceStatus } from '../../stores/postgres/enums.js';

/** Printable invoice numbers: letters, digits, `-` and `/`, at most 20 characters (seed). */
export const invoiceNumberSchema = z.string().trim().toUpperCase().min(1).max(20).regex(/^[A-Z0-9][A-Z0-9/-]*$/);

const invoiceFields = {
  invoiceId: uuidSchema,
  transactionId: uuidSchema.nullable(),
  subscriptionId: uuidSchema.nullable(),
  userId: idSchema('UserId'),
  businessId: idSchema('BusinessId'),
  totalAmount: moneyAmountSchema('Total including tax'),
  taxAmount: moneyAmountSchema('Tax'),
  currency: currencyCodeSchema,
  status: z.enum(INVOICE_STATUSES),
  dueDate: calendarDateSchema,
  paymentDate: calendarDateSchema.nullable(),
  invoiceNumber: invoiceNumberSchema,
  invoiceData: jsonObjectSchema,
};

const taxWithinTotal = (i: { totalAmount: number; taxAmount: number }) => i.taxAmount <= i.totalAmount;
const taxRule = { error: M.taxWithinTotal.en, path: ['taxAmount'] };

/** A invoice (`invoices` row) as the SDK returns it; its TypeScript type is inferred from this schema. */
export const invoiceSchema = z
  .strictObject({ ...invoiceFields, createdAt: instantSchema, updatedAt: instantSchema })
  .refine(taxWithinTotal, taxRule);

/** Validates the input that creates a invoice (`invoices` row); fills its defaults. */
export const createInvoiceInputSchema = z
  .strictObject({
    ...invoiceFields,
    transactionId: invoiceFields.transactionId.default(null),
    subscriptionId: invoiceFields.subscriptionId.default(null),
    currency: currencyWithDefaultSchema,
    paymentDate: invoiceFields.paymentDate.default(null),
  })
  .refine(taxWithinTotal, taxRule);

/** An issued invoice is never edited: only its payment state moves (corrections are credit notes). */
export const patchInvoiceInputSchema = z.strictObject({
  status: invoiceFields.status.optional(),
  paymentDate: invoiceFields.paymentDate.optional(),
  transactionId: invoiceFields.transactionId.optional(),
});

/** A invoice (`invoices` row) as the SDK returns it. */
export type Invoice = z.output<typeof invoiceSchema>;
/** What a caller passes to create a invoice (`invoices` row) (ids as strings, dates as `Date` or ISO strings, defaults optional). */
export type CreateInvoiceInput = z.input<typeof createInvoiceInputSchema>;
/** A parsed create input of a invoice (`invoices` row): normalised, branded ids, defaults filled. */
export type CreateInvoiceData = z.output<typeof createInvoiceInputSchema>;
/** What a caller passes to update a invoice (`invoices` row): any subset of its changeable fields, `null` to clear an optional one. */
export type PatchInvoiceInput = z.input<typeof patchInvoiceInputSchema>;
/** A parsed update of a invoice (`invoices` row). */
export type PatchInvoiceData = z.output<typeof patchInvoiceInputSchema>;
