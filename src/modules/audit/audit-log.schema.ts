import { z } from 'zod';
import { idSchema } from '../../core/ids.js';
import { instantSchema, jsonObjectSchema, optionalText } from '../../core/schema-primitives.js';
import { VALIDATION_MESSAGES as M } from '../../core/validation-messages.js';

/**
 * One audit record (PostgreSQL `audit_logs`, append-only): who (`userId`, absent for the
 * system) did what (`action`) to which entity, with the state before and after.
 *
 * @example
 * ```ts
 * createAuditLogInputSchema.parse({ entityType: 'invoices', entityId: invoiceId, userId, action: 'invoice.issued', newState: { status: 'issued' } })
 * ```
 */
export const AUDIT_ACTIONS = ['create', 'update', 'delete', 'status_change', 'role_change', 'refund', 'export', 'erase', 'bulk_create'] as const;
/** What an audited change did. */
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Identifier-like text: lower-case words joined by `_`, `.`, `:` or `-` (e.g. `invoice.issued`). */
const identifierSchema = (max: number) => z.string().trim().min(1).max(max).regex(/^[a-z][a-z0-9_.:-]*$/);

/** IPv4 or IPv6 (`VARCHAR(45)` fits an IPv4-mapped IPv6 address). No `node:net`: schemas run in browsers too. */
export const ipAddressSchema = z
  .string()
  .trim()
  .max(45)
  .refine((ip) => z.regexes.ipv4.test(ip) || z.regexes.ipv6.test(ip), { error: M.ipAddress.en });

const auditLogFields = {
  entityType: identifierSchema(50).describe('Collection or table of the entity (`users`, `invoices`…)'),
  entityId: z.string().trim().min(1).max(36),
  userId: idSchema('UserId').nullable(),
  action: identifierSchema(50).describe(`One of ${AUDIT_ACTIONS.join(', ')} or a dotted domain event such as invoice.issued`),
  previousState: jsonObjectSchema.nullable(),
  newState: jsonObjectSchema.nullable(),
  ipAddress: ipAddressSchema.nullable(),
  userAgent: optionalText(1_000).nullable(),
  requestId: z.string().trim().min(1).max(100).nullable().describe('The host\'s id of the request the change served'),
};

/** A audit record (`audit_logs` row) as the SDK returns it; its TypeScript type is inferred from this schema. */
export const auditLogSchema = z.strictObject({ ...auditLogFields, createdAt: instantSchema });

/** Validates the input that creates a audit record (`audit_logs` row); fills its defaults. */
export const createAuditLogInputSchema = z.strictObject({
  ...auditLogFields,
  userId: auditLogFields.userId.default(null),
  previousState: auditLogFields.previousState.default(null),
  newState: auditLogFields.newState.default(null),
  ipAddress: auditLogFields.ipAddress.default(null),
  userAgent: auditLogFields.userAgent.default(null),
  requestId: auditLogFields.requestId.default(null),
});

/** A audit record (`audit_logs` row) as the SDK returns it. */
export type AuditLog = z.output<typeof auditLogSchema>;
/** What a caller passes to create a audit record (`audit_logs` row) (ids as strings, dates as `Date` or ISO strings, defaults optional). */
export type CreateAuditLogInput = z.input<typeof createAuditLogInputSchema>;
/** A parsed create input of a audit record (`audit_logs` row): normalised, branded ids, defaults filled. */
export type CreateAuditLogData = z.output<typeof createAuditLogInputSchema>;
