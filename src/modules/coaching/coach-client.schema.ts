import { z } from 'zod';
import { currencyCodeSchema } from '../../core/money.js';
import { entityFields, patchSchemaOf, pickFields } from '../../core/entity-schema.js';
import { idSchema } from '../../core/ids.js';
import { boundedArray, countSchema, currencyWithDefaultSchema, instantSchema, labelListSchema, moneyAmountSchema, nameSchema, requiredText } from '../../core/schema-primitives.js';
import { VALIDATION_MESSAGES as M } from '../../core/validation-messages.js';

/**
 * Coach–client relationships (seed: `coach_clients`) with an optional session package.
 * `notes.private` is the coach's own: the access layer never shows it to the client.
 * The stored document adds `isOpen` (status `pending` or `active`), which the unique
 * partial index on (coachId, clientId) filters on: one open relationship per pair.
 *
 * @example
 * ```ts
 * createCoachClientInputSchema.parse({ coachId, clientId, package: { name: '10 seans', sessions: { total: 10, used: 0, remaining: 10 }, price: 5_000_00, startDate: '2026-03-01' } })
 * ```
 */
export const COACH_CLIENT_STATUSES = ['pending', 'active', 'declined', 'ended'] as const;
/** The state of a coach–client relationship. */
export type CoachClientStatus = (typeof COACH_CLIENT_STATUSES)[number];

/** The statuses of a relationship that is still open (at most one per coach and client). */
export const OPEN_COACH_CLIENT_STATUSES = ['pending', 'active'] as const satisfies readonly CoachClientStatus[];

/** Whether a relationship in this status still holds the coach–client pair (pending or active). */
export function isOpenCoachClientStatus(status: CoachClientStatus): boolean {
  return (OPEN_COACH_CLIENT_STATUSES as readonly CoachClientStatus[]).includes(status);
}

/** The state of a coach–client relationship, with when it started and ended. */
export const relationshipSchema = z.strictObject({
  status: z.enum(COACH_CLIENT_STATUSES),
  startDate: instantSchema.optional(),
  endDate: instantSchema.optional(),
});

/** A package's session balance; `used + remaining === total` always holds (SPEC §3 coaching). */
export const sessionBalanceSchema = z
  .strictObject({
    total: countSchema.max(10_000),
    used: countSchema.max(10_000),
    remaining: countSchema.max(10_000),
  })
  .refine((s) => s.used + s.remaining === s.total, { error: M.sessionsBalance.en, path: ['remaining'] });

/** A package of sessions a coach sells a client: its session balance (used + remaining = total), price and validity. */
export const coachingPackageSchema = z.strictObject({
  name: nameSchema,
  sessions: sessionBalanceSchema,
  price: moneyAmountSchema('Package price'),
  currency: currencyCodeSchema,
  startDate: instantSchema,
  endDate: instantSchema.optional(),
});

/** A coach's note about a client. */
export const coachNoteSchema = z.strictObject({
  text: requiredText(5_000),
  date: instantSchema,
});

/** A relationship's notes: the ones the client sees, and the coach's private ones (encrypted at rest). */
export const coachClientNotesSchema = z.strictObject({
  visible: boundedArray(coachNoteSchema),
  private: boundedArray(coachNoteSchema),
});

const coachClientFields = {
  coachId: idSchema('UserId'),
  clientId: idSchema('UserId'),
  relationship: relationshipSchema,
  package: coachingPackageSchema.optional(),
  goals: labelListSchema,
  notes: coachClientNotesSchema,
};

/** A coach–client relationship as the SDK returns it; its TypeScript type is inferred from this schema. */
export const coachClientSchema = z.strictObject({ ...entityFields('CoachClientId'), ...coachClientFields });

/** The stored-only fields of a relationship document, derived from its status. */
export const coachClientDocumentFields = {
  isOpen: z.boolean().describe("Derived: relationship.status is 'pending' or 'active'"),
};

/** A stored `coach_clients` document: the coach–client relationship with its stored-only fields; the collection's `$jsonSchema` validator is generated from it. */
export const storedCoachClientSchema = z
  .strictObject({ ...entityFields('CoachClientId'), ...coachClientFields, ...coachClientDocumentFields })
  .refine((c) => c.isOpen === isOpenCoachClientStatus(c.relationship.status), { error: M.derivedField.en, path: ['isOpen'] });

/** A request starts `pending`. */
export const createCoachClientInputSchema = z.strictObject({
  ...coachClientFields,
  relationship: relationshipSchema.default({ status: 'pending' }),
  package: z.strictObject({ ...coachingPackageSchema.shape, currency: currencyWithDefaultSchema }).optional(),
  goals: coachClientFields.goals.default([]),
  notes: coachClientNotesSchema.default({ visible: [], private: [] }),
});

/** Coach and client never change. */
export const patchCoachClientInputSchema = patchSchemaOf(pickFields(coachClientFields, ['relationship', 'package', 'goals', 'notes']));

/** The sessions of a coaching package: used, remaining and total. */
export type SessionBalance = z.output<typeof sessionBalanceSchema>;
/** A package of PT sessions a client bought from a coach. */
export type CoachingPackage = z.output<typeof coachingPackageSchema>;
/** A coach–client relationship as the SDK returns it. */
export type CoachClient = z.output<typeof coachClientSchema>;
/** A stored `coach_clients` document (see `storedCoachClientSchema`). */
export type StoredCoachClient = z.output<typeof storedCoachClientSchema>;
/** What a caller passes to create a coach–client relationship (ids as strings, dates as `Date` or ISO strings, defaults optional). */
export type CreateCoachClientInput = z.input<typeof createCoachClientInputSchema>;
/** A parsed create input of a coach–client relationship: normalised, branded ids, defaults filled. */
export type CreateCoachClientData = z.output<typeof createCoachClientInputSchema>;
/** What a caller passes to update a coach–client relationship: any subset of its changeable fields, `null` to clear an optional one. */
export type PatchCoachClientInput = z.input<typeof patchCoachClientInputSchema>;
/** A parsed update of a coach–client relationship. */
export type PatchCoachClientData = z.output<typeof patchCoachClientInputSchema>;

/** The stored-only fields of a relationship (merged over its encoded document). */
export function coachClientDerivedFields(relation: Pick<CoachClient, 'relationship'>): { isOpen: boolean } {
  return { isOpen: isOpenCoachClientStatus(relation.relationship.status) };
}

/** The stored document of a relationship: the entity plus its derived `isOpen`. */
export function coachClientToStored(relation: CoachClient): StoredCoachClient {
  return { ...relation, ...coachClientDerivedFields(relation) };
}

/** The relationship entity of a stored document (derived fields dropped). */
export function coachClientFromStored(stored: StoredCoachClient): CoachClient {
  const { isOpen: _derived, ...relation } = stored;
  return relation;
}
