import { z } from 'zod';
import { entityFields, patchSchemaOf, pickFields } from '../../core/entity-schema.js';
import { idSchema } from '../../core/ids.js';
import { boundedArray, instantSchema, longTextSchema, optionalText, percentageSchema, uniqueArray, urlSchema } from '../../core/schema-primitives.js';
import { VALIDATION_MESSAGES as M } from '../../core/validation-messages.js';

/**
 * Body measurements of a user on a date (seed: `measurements`). Weights in kilograms,
 * circumferences in centimetres; one measurement per user per date (unique index).
 *
 * @example
 * ```ts
 * createMeasurementInputSchema.parse({ userId, date: '2026-03-01', measurements: { weight: 72.4, bodyFatPercentage: 18 } })
 * ```
 */
export const MEASUREMENT_PHOTO_POSITIONS = ['front', 'back', 'left', 'right', 'other'] as const;
/** The angle a progress photo was taken from. */
export type MeasurementPhotoPosition = (typeof MEASUREMENT_PHOTO_POSITIONS)[number];

const circumference = z.number().min(0).max(500).describe('Circumference in centimetres');

/** The body metrics of one measurement: weight and muscle mass in kilograms, circumferences in centimetres, body fat in percent. */
export const bodyMeasurementsSchema = z.strictObject({
  weight: z.number().min(2).max(700).describe('Body weight in kilograms').optional(),
  bodyFatPercentage: percentageSchema.optional(),
  muscleMass: z.number().min(0).max(300).describe('Muscle mass in kilograms').optional(),
  chestCircumference: circumference.optional(),
  waistCircumference: circumference.optional(),
  hipCircumference: circumference.optional(),
  armCircumference: circumference.optional(),
  thighCircumference: circumference.optional(),
});

/** A progress photo: its URL, the angle and when it was taken. */
export const measurementPhotoSchema = z.strictObject({
  url: urlSchema,
  position: z.enum(MEASUREMENT_PHOTO_POSITIONS),
  date: instantSchema,
});

/** At most this many readings a day (one every half hour around the clock). */
export const MAX_READINGS_PER_DAY = 48;
/** At most this many values of user-defined categories in one reading. */
export const MAX_CUSTOM_VALUES_PER_READING = 20;

/** A value of a user-defined measurement category, in that category's unit. */
export const customMeasurementValueSchema = z.strictObject({
  categoryId: idSchema('MeasurementCategoryId'),
  value: z.number().min(-1_000_000_000).max(1_000_000_000).describe('In the unit of the category'),
});

/**
 * One reading of a day: when it was taken, the body metrics and the values of user-defined
 * categories read then (each category at most once), and a short note.
 */
export const measurementReadingSchema = z.strictObject({
  takenAt: instantSchema,
  measurements: bodyMeasurementsSchema,
  custom: uniqueArray(customMeasurementValueSchema, MAX_CUSTOM_VALUES_PER_READING, (v) => v.categoryId),
  notes: optionalText(500).optional(),
});

const HOUR_MS = 3_600_000;

/**
 * The rule tying readings to their document: the day of a measurement is the member's
 * calendar day, stored as its UTC midnight, and time zones run from UTC-12 to UTC+14, so a
 * reading of that day was taken between 14 hours before that midnight and 36 hours after it.
 * Returns the positions of the readings outside that window.
 *
 * @example
 * ```ts
 * readingsOutsideDay(new Date('2026-03-02T00:00:00Z'), [{ takenAt: new Date('2026-03-04T09:00:00Z') }]) // [0]
 * ```
 */
export function readingsOutsideDay(date: Date, readings: readonly { readonly takenAt: Date }[]): number[] {
  const start = date.getTime() - 14 * HOUR_MS;
  const end = date.getTime() + 36 * HOUR_MS;
  return readings.flatMap((reading, index) => (reading.takenAt.getTime() < start || reading.takenAt.getTime() >= end ? [index] : []));
}

function readingsWithinDay(value: { readonly date?: Date | undefined; readonly readings?: readonly { readonly takenAt: Date }[] | undefined }, ctx: z.core.$RefinementCtx): void {
  if (!value.date || !value.readings) return;
  for (const index of readingsOutsideDay(value.date, value.readings)) ctx.addIssue({ code: 'custom', path: ['readings', index, 'takenAt'], message: M.readingOutsideDay.en });
}

const measurementFields = {
  userId: idSchema('UserId'),
  date: instantSchema,
  /** The day's value of each metric: that metric from the latest reading that has it (see `dayValuesOf`). */
  measurements: bodyMeasurementsSchema,
  /** The day's readings, oldest first. */
  readings: boundedArray(measurementReadingSchema, MAX_READINGS_PER_DAY),
  photos: boundedArray(measurementPhotoSchema, 20),
  notes: longTextSchema.optional(),
};

/** A measurement as the SDK returns it; its TypeScript type is inferred from this schema. */
export const measurementSchema = z.strictObject({ ...entityFields('MeasurementId'), ...measurementFields }).superRefine(readingsWithinDay);
/**
 * A stored `measurements` document: the measurement with its stored-only fields; the
 * collection's `$jsonSchema` validator is generated from it. `readings` is absent from
 * documents written before format 2 (read as one reading at the day's start), and
 * `customCategoryIds` lists the categories the readings hold values of, in clear beside the
 * sealed readings, so a category in use is found by an index.
 */
export const storedMeasurementSchema = z.strictObject({
  ...entityFields('MeasurementId'),
  ...measurementFields,
  readings: measurementFields.readings.optional(),
  customCategoryIds: boundedArray(idSchema('MeasurementCategoryId'), MAX_READINGS_PER_DAY * MAX_CUSTOM_VALUES_PER_READING).optional(),
});

/** Validates the input that creates a measurement; fills its defaults. */
export const createMeasurementInputSchema = z
  .strictObject({
    ...measurementFields,
    /** Omitted: the day's values are one reading at the day's start (see {@link readingsOfDayValues}). */
    readings: measurementFields.readings.optional(),
    photos: measurementFields.photos.default([]),
  })
  .superRefine(readingsWithinDay);

/** The owner (`userId`) never changes. */
export const patchMeasurementInputSchema = patchSchemaOf(pickFields(measurementFields, ['date', 'measurements', 'readings', 'photos', 'notes']));

/**
 * The readings of a day known only by its values (a document of format 1, or content written
 * without readings): one reading at the day's start holding them, none without values.
 *
 * @example
 * ```ts
 * readingsOfDayValues(new Date('2026-03-02T00:00:00Z'), { weight: 72.4 }) // [{ takenAt: 2026-03-02T00:00Z, measurements: { weight: 72.4 }, custom: [] }]
 * ```
 */
export function readingsOfDayValues(date: Date, measurements: BodyMeasurements): MeasurementReading[] {
  return Object.keys(measurements).length > 0 ? [{ takenAt: date, measurements, custom: [] }] : [];
}

/**
 * The day's value of every body metric: that metric from the latest reading (by `takenAt`)
 * that has it; a metric no reading has is absent.
 *
 * @example
 * ```ts
 * dayValuesOf([{ takenAt: new Date('2026-03-02T07:00:00Z'), measurements: { weight: 72.4, bodyFatPercentage: 18 }, custom: [] },
 *              { takenAt: new Date('2026-03-02T19:00:00Z'), measurements: { weight: 73.1 }, custom: [] }])
 * // { weight: 73.1, bodyFatPercentage: 18 }
 * ```
 */
export function dayValuesOf(readings: readonly Pick<MeasurementReading, 'takenAt' | 'measurements'>[]): BodyMeasurements {
  const values: Record<string, number> = {};
  for (const reading of [...readings].sort((a, b) => a.takenAt.getTime() - b.takenAt.getTime())) {
    for (const [metric, value] of Object.entries(reading.measurements)) if (value !== undefined) values[metric] = value;
  }
  return values as BodyMeasurements;
}

/** The body metrics of one measurement (see {@link bodyMeasurementsSchema}). */
export type BodyMeasurements = z.output<typeof bodyMeasurementsSchema>;
/** One reading of a day (see {@link measurementReadingSchema}). */
export type MeasurementReading = z.output<typeof measurementReadingSchema>;
/** A value of a user-defined category in a reading. */
export type CustomMeasurementValue = z.output<typeof customMeasurementValueSchema>;
/** A measurement as the SDK returns it. */
export type Measurement = z.output<typeof measurementSchema>;
/** A stored `measurements` document (see `storedMeasurementSchema`). */
export type StoredMeasurement = z.output<typeof storedMeasurementSchema>;
/** What a caller passes to create a measurement (ids as strings, dates as `Date` or ISO strings, defaults optional). */
export type CreateMeasurementInput = z.input<typeof createMeasurementInputSchema>;
/** A parsed create input of a measurement: normalised, branded ids, defaults filled. */
export type CreateMeasurementData = z.output<typeof createMeasurementInputSchema>;
/** What a caller passes to update a measurement: any subset of its changeable fields, `null` to clear an optional one. */
export type PatchMeasurementInput = z.input<typeof patchMeasurementInputSchema>;
/** A parsed update of a measurement. */
export type PatchMeasurementData = z.output<typeof patchMeasurementInputSchema>;

