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
export type PtSessionStatus = (typeof PT_SESSION_STATUSES)[number];

export const PT_LOCATION_TYPES = ['facility', 'online', 'client', 'outdoor'] as const;
export type PtLocationType = (typeof PT_LOCATION_TYPES)[number];

export const ptLocationSchema = z.strictObject({
  type: z.enum(PT_LOCATION_TYPES),
  details: longTextSchema.optional(),
});

export const ptWorkoutSchema = z.strictObject({
  templateId: idSchema('WorkoutTemplateId').optional(),
  exercises: uniqueArray(idSchema('ExerciseId'), 100),
  notes: longTextSchema.optional(),
});

const sideFeedbackSchema = z.strictObject({ rating: ratingSchema, notes: longTextSchema.optional() });

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

export const ptSessionSchema = z
  .strictObject({ ...entityFields('PtSessionId'), ...ptSessionFields })
  .refine(endsAfterStart, { error: M.endAfterStart.en, path: ['endTime'] })
  .refine(cancelledConsistently, { error: M.cancellation.en, path: ['cancelledAt'] });
export const storedPtSessionSchema = ptSessionSchema;

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

export type PtSession = z.output<typeof ptSessionSchema>;
export type StoredPtSession = PtSession;
export type CreatePtSessionInput = z.input<typeof createPtSessionInputSchema>;
export type CreatePtSessionData = z.output<typeof createPtSessionInputSchema>;
export type PatchPtSessionInput = z.input<typeof patchPtSessionInputSchema>;
export type PatchPtSessionData = z.output<typeof patchPtSessionInputSchema>;
