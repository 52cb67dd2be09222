import { z } from 'zod';
import { countSchema, quantitySchema } from '../../core/schema-primitives.js';
import { VALIDATION_MESSAGES as M } from '../../core/validation-messages.js';
import { DISTANCE_UNITS, WEIGHT_UNITS, toKilograms, toMetres } from './units.js';

/**
 * The kinds of set (wger's set types): a `normal` working set, a `warmup` (never a record,
 * never progressed), a `drop` set, `amrap` (as many reps as possible: the reps are a floor),
 * a set taken to `failure`, and a `timed_hold` (a plank, a dead hang: a duration, no reps).
 */
export const SET_TYPES = ['normal', 'warmup', 'drop', 'amrap', 'failure', 'timed_hold'] as const;
/** One of {@link SET_TYPES}; a set without a type is `normal`. */
export type SetType = (typeof SET_TYPES)[number];

const MAX_REPS = 10_000;
const MAX_KG = 2_000;
const MAX_METRES = 1_000_000;

/** An inclusive range `{ min, max }` of a bounded number; `min` above `max` is refused. */
function rangeOf(bound: z.ZodNumber) {
  return z.strictObject({ min: bound, max: bound }).refine((r) => r.min <= r.max, { error: M.rangeOrder.en, path: ['min'] });
}

const repsCount = countSchema.max(MAX_REPS);
const rirValue = z.number().int().min(0).max(10).describe('Reps in reserve');

/** Prescribed reps: an exact count (`10`) or a range (`{ min: 8, max: 12 }`). */
export const repsPrescriptionSchema = z.union([repsCount, rangeOf(repsCount)]);
/** Prescribed reps in reserve, 0–10: exact (`2`) or a range (`{ min: 1, max: 2 }`). */
export const rirPrescriptionSchema = z.union([rirValue, rangeOf(rirValue)]);
/** Rating of perceived exertion, 1–10 in half points. */
export const rpeSchema = z.number().min(1).max(10).multipleOf(0.5).describe('Rating of perceived exertion');

/** A load as the lifter entered it: `{ value: 225, unit: 'lb' }`; an input only, stored as `weight` (kg) + `weightUnit`. */
export const enteredWeightSchema = z.strictObject({ value: quantitySchema.max(5_000), unit: z.enum(WEIGHT_UNITS) });
/** A distance as entered: `{ value: 5, unit: 'km' }`; an input only, stored as `distance` (m) + `distanceUnit`. */
export const enteredDistanceSchema = z.strictObject({ value: quantitySchema.max(1_000), unit: z.enum(DISTANCE_UNITS) });

/** What a set measures, planned or done: canonical kilograms, metres and seconds, plus the units entered. */
const measureShape = {
  type: z.enum(SET_TYPES).optional(),
  weight: quantitySchema.max(MAX_KG).describe('Kilograms (canonical)').optional(),
  weightUnit: z.enum(WEIGHT_UNITS).describe('The unit the load was entered in, and is shown in').optional(),
  bodyweight: z.boolean().describe('Body weight exercise; weight is then the added load').optional(),
  duration: countSchema.max(86_400).describe('Seconds').optional(),
  distance: quantitySchema.max(MAX_METRES).describe('Metres (canonical)').optional(),
  distanceUnit: z.enum(DISTANCE_UNITS).describe('The unit the distance was entered in').optional(),
  restTime: countSchema.max(86_400).describe('Seconds').optional(),
};

const notBoth = (s: { rir?: unknown; rpe?: unknown }) => s.rir === undefined || s.rpe === undefined;
const rirOrRpeRule = { error: M.rirOrRpe.en, path: ['rpe'] };

/**
 * One planned set of an exercise (in a template): its type, the reps as a count or a range,
 * the effort as reps in reserve or RPE (one of them), the load in kilograms (canonical) with
 * the unit it was entered in, distance in metres, duration and rest in seconds. Each part is
 * optional because a plank has no reps and a run has no weight.
 *
 * @example
 * ```ts
 * workoutSetSchema.parse({ type: 'normal', reps: { min: 8, max: 12 }, rir: { min: 1, max: 2 }, weight: 60, restTime: 90 })
 * ```
 */
export const workoutSetSchema = z
  .strictObject({ ...measureShape, reps: repsPrescriptionSchema.optional(), rir: rirPrescriptionSchema.optional(), rpe: rpeSchema.optional() })
  .refine(notBoth, rirOrRpeRule);

/** The target a logged set was meant to meet: the prescription without its type. */
export const setTargetSchema = z
  .strictObject({
    reps: repsPrescriptionSchema.optional(),
    weight: measureShape.weight,
    duration: measureShape.duration,
    distance: measureShape.distance,
    rir: rirPrescriptionSchema.optional(),
    rpe: rpeSchema.optional(),
    restTime: measureShape.restTime,
  })
  .refine(notBoth, rirOrRpeRule);

/** A set as logged: what was done (reps as a count, effort as RiR or RPE), whether it was completed, and its target. */
export const loggedWorkoutSetSchema = z
  .strictObject({
    ...measureShape,
    reps: repsCount.optional(),
    rir: rirValue.optional(),
    rpe: rpeSchema.optional(),
    completed: z.boolean(),
    target: setTargetSchema.optional(),
  })
  .refine(notBoth, rirOrRpeRule);

/** The unit-bearing inputs of a set turned into canonical fields: `weightIn` into `weight` + `weightUnit`, `distanceIn` likewise. */
function withCanonicalUnits<S extends { weightIn?: z.output<typeof enteredWeightSchema> | undefined; distanceIn?: z.output<typeof enteredDistanceSchema> | undefined }>(set: S) {
  const { weightIn, distanceIn, ...rest } = set;
  return {
    ...rest,
    ...(weightIn ? { weight: toKilograms(weightIn.value, weightIn.unit), weightUnit: weightIn.unit } : {}),
    ...(distanceIn ? { distance: toMetres(distanceIn.value, distanceIn.unit), distanceUnit: distanceIn.unit } : {}),
  };
}

const entered = { weightIn: enteredWeightSchema.optional(), distanceIn: enteredDistanceSchema.optional() };
const weightOnce = (s: { weight?: unknown; weightIn?: unknown }) => s.weight === undefined || s.weightIn === undefined;
const weightOnceRule = { error: M.weightTwice.en, path: ['weightIn'] };
const distanceOnce = (s: { distance?: unknown; distanceIn?: unknown }) => s.distance === undefined || s.distanceIn === undefined;
const distanceOnceRule = { error: M.distanceTwice.en, path: ['distanceIn'] };

/**
 * A planned set as a caller gives it: as {@link workoutSetSchema}, or with the load and
 * distance in the lifter's unit (`weightIn: { value: 225, unit: 'lb' }`), which become the
 * canonical `weight` (kg) and `weightUnit`.
 *
 * @example
 * ```ts
 * workoutSetInputSchema.parse({ reps: 5, weightIn: { value: 225, unit: 'lb' } }) // { reps: 5, weight: 102.05828325, weightUnit: 'lb' }
 * ```
 */
export const workoutSetInputSchema = z
  .strictObject({ ...workoutSetSchema.shape, ...entered })
  .refine(notBoth, rirOrRpeRule)
  .refine(weightOnce, weightOnceRule)
  .refine(distanceOnce, distanceOnceRule)
  .transform(withCanonicalUnits);

/** A logged set as a caller gives it: as {@link loggedWorkoutSetSchema}, or with `weightIn` / `distanceIn` in the lifter's unit. */
export const loggedWorkoutSetInputSchema = z
  .strictObject({ ...loggedWorkoutSetSchema.shape, ...entered })
  .refine(notBoth, rirOrRpeRule)
  .refine(weightOnce, weightOnceRule)
  .refine(distanceOnce, distanceOnceRule)
  .transform(withCanonicalUnits);

/** Prescribed reps: an exact count or an inclusive range. */
export type RepsPrescription = z.output<typeof repsPrescriptionSchema>;
/** Prescribed reps in reserve: exact or an inclusive range. */
export type RirPrescription = z.output<typeof rirPrescriptionSchema>;
/** One planned set of an exercise: type, reps, effort, load, duration or distance, and rest. */
export type WorkoutSet = z.output<typeof workoutSetSchema>;
/** What a caller passes for a planned set (a load may come with its unit). */
export type WorkoutSetInput = z.input<typeof workoutSetInputSchema>;
/** The target of a logged set. */
export type SetTarget = z.output<typeof setTargetSchema>;
/** One set as performed, with whether it was completed and its target. */
export type LoggedWorkoutSet = z.output<typeof loggedWorkoutSetSchema>;
/** What a caller passes for a logged set (a load may come with its unit). */
export type LoggedWorkoutSetInput = z.input<typeof loggedWorkoutSetInputSchema>;

/**
 * The bounds of prescribed reps: a count is its own range.
 *
 * @example
 * ```ts
 * repsBounds({ min: 8, max: 12 }) // { min: 8, max: 12 }
 * repsBounds(10) // { min: 10, max: 10 }
 * ```
 */
export function repsBounds(reps: RepsPrescription): { readonly min: number; readonly max: number } {
  return typeof reps === 'number' ? { min: reps, max: reps } : reps;
}
