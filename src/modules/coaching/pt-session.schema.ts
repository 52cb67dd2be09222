import { z } from 'zod';
import { entityFields, patchSchemaOf, pickFields } from '../../core/entity-schema.js';
import { idSchema } from '../../core/ids.js';
import { instantSchema, longTextSchema, positiveIntSchema, ratingSchema, uniqueArray } from '../../core/schema-primitives.js';
import { VALIDATION_MESSAGES as M } from '../../core/validation-messages.js';

/**
 * Personal-training sessions (seed: `pt_sessions`). `coachClientId` links the session to
 * the relationship whose package a completed session consumes.
 *
 * @example
 * ```ts
 * createPtSessionInputSchema.parse({ coachId, clientId, startTime: '2026-03-02T07:00:00Z', endTime: '2026-03-02T08:00:00Z', duration: 60, location: { type: 'facility' } })
 * ```
 */
export const PT_SESSION_STATUSES = ['scheduled', 'completed', 'cancelled', 'no-show'] as const;
/** The state of a PT session. */
export type PtSessionStatus = (typeof PT_SESSION_STATUSES)[number];

/** Where a PT session can take place. */
export const PT_LOCATION_TYPES = ['facility', 'online', 'client', 'outdoor'] as const;
/** Where a PT session takes place. */
export type PtLocationType = (typeof PT_LOCATION_TYPES)[number];

/** Where a PT session takes place: a facility, online, at the client's or outdoors. */
export const ptLocationSchema = z.strictObject({
  type: z.enum(PT_LOCATION_TYPES),
  details: longTextSchema.optional(),
});

/** What a PT session covers: an optional template, its exercises and notes. */
export const ptWorkoutSchema = z.strictObject({
  templateId: idSchema('WorkoutTemplateId').optional(),
  exercises: uniqueArray(idSchema('ExerciseId'), 100),
  notes: longTextSchema.optional(),
});

const sideFeedbackSchema = z.strictObject({ rating: ratingSchema, notes: longTextSchema.optional() });

/** The coach's and the client's rating and notes after a PT session. */
export const ptFeedbackSchema = z.strictObject({
  coach: sideFeedbackSchema.optional(),
  client: sideFeedbackSchema.optional(),
});

const ptSessionFields = {
  coachId: idSchema('UserId'),
  clientId: idSchema('UserId'),
  coachClientId: idSchema('CoachClientId').optional(),
  facilityId: idSchema('FacilityId').optional(),
  startTime: instantSchema,
  endTime: instantSchema,
  duration: positiveIntSchema.max(24 * 60).describe('Minutes'),
  status: z.enum(PT_SESSION_STATUSES),
  location: ptLocationSchema,
  workout: ptWorkoutSchema.optional(),
  notes: z.strictObject({ pre: longTextSchema.optional(), post: longTextSchema.optional() }),
  feedback: ptFeedbackSchema,
  cancelledAt: instantSchema.optional(),
  cancellationReason: longTextSchema.optional(),
  cancelledBy: idSchema('UserId').optional(),
};

type SessionTimes = { startTime: Date; endTime: Date; status: PtSessionStatus; cancelledAt?: Date | undefined };
const endsAfterStart = (s: SessionTimes) => s.endTime.getTime() > s.startTime.getTime();
const cancelledConsistently = (s: SessionTimes) => (s.status === 'cancelled') === (s.cancelledAt !== undefined);

/** A PT session as the SDK returns it; its TypeScript type is inferred from this schema. */
export const ptSessionSchema = z
  .strictObject({ ...entityFields('PtSessionId'), ...ptSessionFields })
  .refine(endsAfterStart, { error: M.endAfterStart.en, path: ['endTime'] })
  .refine(cancelledConsistently, { error: M.cancellation.en, path: ['cancelledAt'] });
/** A stored `pt_sessions` document: the PT session with its stored-only fields; the collection's `$jsonSchema` validator is generated from it. */
export const storedPtSessionSchema = ptSessionSchema;

/** Validates the input that creates a PT session; fills its defaults. */
export const createPtSessionInputSchema = z
  .strictObject({
    ...ptSessionFields,
    status: ptSessionFields.status.default('scheduled'),
    notes: ptSessionFields.notes.default({}),
    feedback: ptFeedbackSchema.default({}),
  })
  .refine(endsAfterStart, { error: M.endAfterStart.en, path: ['endTime'] })
  .refine(cancelledConsistently, { error: M.cancellation.en, path: ['cancelledAt'] });

/** Coach, client and the package relationship never change. */
export const patchPtSessionInputSchema = patchSchemaOf(
  pickFields(ptSessionFields, [
    'facilityId',
    'startTime',
    'endTime',
    'duration',
    'status',
    'location',
    'workout',
    'notes',
    'feedback',
    'cancelledAt',
    'cancellationReason',
    'cancelledBy',
  ]),
);

/** A PT session as the SDK returns it. */
export type PtSession = z.output<typeof ptSessionSchema>;
/** A stored `pt_sessions` document (see `storedPtSessionSchema`). */
export type StoredPtSession = PtSession;
/** What a caller passes to create a PT session (ids as strings, dates as `Date` or ISO strings, defaults optional). */
export type CreatePtSessionInput = z.input<typeof createPtSessionInputSchema>;
/** A parsed create input of a PT session: normalised, branded ids, defaults filled. */
export type CreatePtSessionData = z.output<typeof createPtSessionInputSchema>;
/** What a caller passes to update a PT session: any subset of its changeable fields, `null` to clear an optional one. */
export type PatchPtSessionInput = z.input<typeof patchPtSessionInputSchema>;
/** A parsed update of a PT session. */
export type PatchPtSessionData = z.output<typeof patchPtSessionInputSchema>;
