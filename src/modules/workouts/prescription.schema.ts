import { z } from 'zod';
import { idSchema } from '../../core/ids.js';
import { calendarDateSchema, DEFAULT_TIME_ZONE, timeZoneSchema } from '../../core/schema-primitives.js';
import { loadRoundingSchema, WEIGHT_UNITS } from './units.js';

/**
 * Validates the question "what should this member do on this day of this programme"
 * (`workoutLogs.nextPrescription`): `startedOn` and `date` are calendar days (`YYYY-MM-DD`)
 * in `timeZone` (default `Europe/Istanbul`); `unit` and `rounding` say how loads are shown.
 *
 * @example
 * ```ts
 * nextPrescriptionInputSchema.parse({ userId, programId, startedOn: '2026-03-02', date: '2026-03-16', unit: 'lb', rounding: { increment: 5 } })
 * ```
 */
export const nextPrescriptionInputSchema = z.strictObject({
  userId: idSchema('UserId'),
  programId: idSchema('WorkoutProgramId'),
  startedOn: calendarDateSchema,
  date: calendarDateSchema.optional(),
  timeZone: timeZoneSchema.default(DEFAULT_TIME_ZONE),
  unit: z.enum(WEIGHT_UNITS).optional(),
  rounding: loadRoundingSchema.optional(),
});

/** What a caller passes to `workoutLogs.nextPrescription`. */
export type NextPrescriptionInput = z.input<typeof nextPrescriptionInputSchema>;
