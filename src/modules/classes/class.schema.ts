import { z } from 'zod';
import { entityFields, patchSchemaOf, pickFields } from '../../core/entity-schema.js';
import { DIFFICULTY_LEVELS } from '../../core/fitness-vocabulary.js';
import { idSchema } from '../../core/ids.js';
import {
  instantSchema,
  labelListSchema,
  labelSchema,
  longTextSchema,
  nameSchema,
  positiveIntSchema,
  uniqueArray,
  urlSchema,
  weekdaySchema,
} from '../../core/schema-primitives.js';
import { VALIDATION_MESSAGES as M } from '../../core/validation-messages.js';

/**
 * Group classes (seed: `classes`). `schedule.startTime`/`endTime` are the first
 * occurrence; `recurrence` repeats it, expanded in the facility's time zone so a 09:00
 * class stays at 09:00 across DST changes (SPEC decision 6).
 *
 * @example
 * ```ts
 * createClassInputSchema.parse({ facilityId, name: 'Yoga', instructor: { userId, name: 'Elif' }, schedule: { startTime: '2026-03-02T06:00:00Z', endTime: '2026-03-02T07:00:00Z', recurrence: { frequency: 'weekly', weekdays: [1, 3] } }, location: { capacity: 12 }, category: 'yoga', difficulty: 'beginner', duration: 60 })
 * ```
 */
export const RECURRENCE_FREQUENCIES = ['once', 'daily', 'weekly', 'monthly'] as const;
/** How often a class repeats. */
export type RecurrenceFrequency = (typeof RECURRENCE_FREQUENCIES)[number];

/**
 * Seed recurrence: every `interval` days/weeks/months; `weekdays` (0 = Sunday) pick the days
 * of a weekly rule; it stops at `endsOnDate` or after `maxOccurrences`, whichever is first.
 */
export const recurrenceSchema = z.strictObject({
  frequency: z.enum(RECURRENCE_FREQUENCIES),
  interval: positiveIntSchema.max(365),
  weekdays: uniqueArray(weekdaySchema, 7),
  endsOnDate: instantSchema.optional(),
  maxOccurrences: positiveIntSchema.max(10_000).optional(),
});

/** When a class takes place: the first occurrence's start and end, and its recurrence (expanded in the facility's time zone). */
export const classScheduleSchema = z
  .strictObject({
    startTime: instantSchema,
    endTime: instantSchema,
    recurrence: recurrenceSchema,
  })
  .refine((s) => s.endTime.getTime() > s.startTime.getTime(), { error: M.endAfterStart.en, path: ['endTime'] });

/** Who teaches a class: the user, and their name for listings. */
export const classInstructorSchema = z.strictObject({
  userId: idSchema('UserId'),
  /** Denormalised for listings (seed). */
  name: nameSchema,
});

/** Where in the facility a class takes place, and how many people it holds. */
export const classLocationSchema = z.strictObject({
  room: labelSchema.optional(),
  capacity: positiveIntSchema.max(10_000),
});

/** The most days before an occurrence that booking may open (a year and a bit; early access included). */
export const BOOKING_OPENS_DAYS_MAX = 400;

/**
 * A class's own booking window, overriding the host's `BookingPolicy` field by field: booking
 * opens `opensDaysBefore` calendar days before an occurrence (same local time, facility zone)
 * and closes `closesMinutesBefore` minutes before its start.
 */
export const classBookingWindowSchema = z.strictObject({
  opensDaysBefore: z.number().int().min(0).max(BOOKING_OPENS_DAYS_MAX).optional().describe('Calendar days before the occurrence, in the facility zone'),
  closesMinutesBefore: z.number().int().min(0).max(7 * 24 * 60).optional().describe('Minutes before the start'),
});

const classFields = {
  facilityId: idSchema('FacilityId'),
  name: nameSchema,
  description: longTextSchema.optional(),
  instructor: classInstructorSchema,
  schedule: classScheduleSchema,
  location: classLocationSchema,
  category: labelSchema,
  difficulty: z.enum(DIFFICULTY_LEVELS),
  duration: positiveIntSchema.max(24 * 60).describe('Minutes'),
  image: urlSchema.optional(),
  tags: labelListSchema,
  creditCost: z.number().int().min(1).max(10).optional().describe('Class-pack credits a booking spends (absent = 1)'),
  isActive: z.boolean(),
  bookingWindow: classBookingWindowSchema.optional(),
};

/** A class as the SDK returns it; its TypeScript type is inferred from this schema. */
export const classSchema = z.strictObject({ ...entityFields('ClassId'), ...classFields });
/** A stored `classes` document: the class with its stored-only fields; the collection's `$jsonSchema` validator is generated from it. */
export const storedClassSchema = classSchema;

const recurrenceInputSchema = z.strictObject({
  ...recurrenceSchema.shape,
  interval: recurrenceSchema.shape.interval.default(1),
  weekdays: recurrenceSchema.shape.weekdays.default([]),
});

/** Validates the input that creates a class; fills its defaults. */
export const createClassInputSchema = z.strictObject({
  ...classFields,
  schedule: z
    .strictObject({
      startTime: instantSchema,
      endTime: instantSchema,
      recurrence: recurrenceInputSchema.default({ frequency: 'once', interval: 1, weekdays: [] }),
    })
    .refine((s) => s.endTime.getTime() > s.startTime.getTime(), { error: M.endAfterStart.en, path: ['endTime'] }),
  tags: classFields.tags.default([]),
  isActive: classFields.isActive.default(true),
});

/** A class never moves to another facility. */
export const patchClassInputSchema = patchSchemaOf(
  pickFields(classFields, ['name', 'description', 'instructor', 'schedule', 'location', 'category', 'difficulty', 'duration', 'image', 'tags', 'creditCost', 'isActive', 'bookingWindow']),
);

/** The recurrence rule of a class (expanded in the facility's time zone). */
export type Recurrence = z.output<typeof recurrenceSchema>;
/** When a class takes place. */
export type ClassSchedule = z.output<typeof classScheduleSchema>;
/** A class as the SDK returns it. */
export type FitnessClass = z.output<typeof classSchema>;
/** A stored `classes` document (see `storedClassSchema`). */
export type StoredFitnessClass = FitnessClass;
/** A class's own booking window (see `classBookingWindowSchema`). */
export type ClassBookingWindow = z.output<typeof classBookingWindowSchema>;
/** What a caller passes to create a class (ids as strings, dates as `Date` or ISO strings, defaults optional). */
export type CreateClassInput = z.input<typeof createClassInputSchema>;
/** A parsed create input of a class: normalised, branded ids, defaults filled. */
export type CreateClassData = z.output<typeof createClassInputSchema>;
/** What a caller passes to update a class: any subset of its changeable fields, `null` to clear an optional one. */
export type PatchClassInput = z.input<typeof patchClassInputSchema>;
/** A parsed update of a class. */
export type PatchClassData = z.output<typeof patchClassInputSchema>;
