import { z } from 'zod';
import { currencyCodeSchema } from '../../core/money.js';
import { entityFields, patchSchemaOf, pickFields } from '../../core/entity-schema.js';
import { DIFFICULTY_LEVELS } from '../../core/fitness-vocabulary.js';
import { idSchema } from '../../core/ids.js';
import { boundedArray, currencyWithDefaultSchema, labelListSchema, labelSchema, longTextSchema, moneyAmountSchema, nameSchema, positiveIntSchema, quantitySchema, urlSchema } from '../../core/schema-primitives.js';
import { VALIDATION_MESSAGES as M } from '../../core/validation-messages.js';
import { reviewsSchema } from './reviews.schema.js';
import { WEIGHT_UNITS } from './units.js';

/**
 * Multi-day workout programmes (seed: `workout_programs`): a schedule of days, each a
 * template or a rest day, over `metadata.duration` days; optionally sold.
 *
 * @example
 * ```ts
 * createWorkoutProgramInputSchema.parse({ name: '4 weeks', createdBy, metadata: { difficulty: 'beginner', duration: 28 }, schedule: [{ day: 1, workoutTemplateId, isRestDay: false }, { day: 2, isRestDay: true }] })
 * ```
 */
export const MAX_PROGRAM_DAYS = 3_650;

/** How often a load rule may fire: at the start of each week, or of each pass through the schedule. */
export const PROGRESSION_PERIODS = ['week', 'cycle'] as const;
/** What a load rule does to the working load. */
export const LOAD_CHANGES = ['add', 'subtract', 'replace'] as const;

/** A programme's goal, difficulty and duration in days. */
export const workoutProgramMetadataSchema = z.strictObject({
  targetGoal: labelSchema.optional(),
  difficulty: z.enum(DIFFICULTY_LEVELS),
  duration: positiveIntSchema.max(MAX_PROGRAM_DAYS).describe('Length of the programme in days'),
  tags: labelListSchema.default([]),
});

/** One day of the schedule; `day` is 1-based (seed). */
export const programDaySchema = z
  .strictObject({
    day: positiveIntSchema.max(MAX_PROGRAM_DAYS),
    workoutTemplateId: idSchema('WorkoutTemplateId').optional(),
    isRestDay: z.boolean(),
    notes: longTextSchema.optional(),
  })
  .refine((d) => d.isRestDay === (d.workoutTemplateId === undefined), { error: M.restDay.en, path: ['workoutTemplateId'] });

/**
 * A load progression rule of a programme: at the start of every `week` or `cycle` (one pass
 * through the schedule, `metadata.duration` days) after the first, it `add`s, `subtract`s or
 * `replace`s the working load of one exercise (or of every exercise) by `amount` in `kg`,
 * `lb` or `percent` of the load — when `onlyIfTargetMet` (the default), only if the member's
 * last session of the exercise in the period before met its target. A percentage subtracted
 * above 100 or a percentage replace is refused.
 *
 * @example
 * ```ts
 * progressionRuleSchema.parse({ kind: 'load', every: 'week', change: 'add', amount: 2.5, unit: 'kg' })
 * ```
 */
export const loadProgressionRuleSchema = z
  .strictObject({
    kind: z.literal('load'),
    exerciseId: idSchema('ExerciseId').optional(),
    every: z.enum(PROGRESSION_PERIODS),
    change: z.enum(LOAD_CHANGES),
    amount: quantitySchema.max(1_000),
    unit: z.enum([...WEIGHT_UNITS, 'percent']),
    onlyIfTargetMet: z.boolean().default(true),
  })
  .refine((r) => !(r.unit === 'percent' && r.change === 'replace'), { error: M.percentReplace.en, path: ['unit'] })
  .refine((r) => !(r.unit === 'percent' && r.change === 'subtract' && r.amount > 100), { error: M.negativeLoad.en, path: ['amount'] });

/** A deload rule: every `everyWeeks`-th week lightens the working loads by `percent`; no load rule fires in it. */
export const deloadRuleSchema = z.strictObject({
  kind: z.literal('deload'),
  everyWeeks: z.number().int().min(2).max(52),
  percent: z.number().gt(0).lt(100),
});

/** One rule of a programme's `progression`: a load rule or a deload rule. */
export const progressionRuleSchema = z.discriminatedUnion('kind', [loadProgressionRuleSchema, deloadRuleSchema]);

/** The price of a programme a coach sells, with an optional discount below it. */
export const programPricingSchema = z
  .strictObject({
    price: moneyAmountSchema('Price'),
    currency: currencyCodeSchema,
    discountPrice: moneyAmountSchema('Discounted price').optional(),
    isDiscounted: z.boolean(),
  })
  .refine((p) => !p.isDiscounted || (p.discountPrice !== undefined && p.discountPrice < p.price), {
    error: M.discountNotBelowPrice.en,
    path: ['discountPrice'],
  });

const programPricingInputSchema = z
  .strictObject({
    price: moneyAmountSchema('Price'),
    currency: currencyWithDefaultSchema,
    discountPrice: moneyAmountSchema('Discounted price').optional(),
    isDiscounted: z.boolean().default(false),
  })
  .refine((p) => !p.isDiscounted || (p.discountPrice !== undefined && p.discountPrice < p.price), {
    error: M.discountNotBelowPrice.en,
    path: ['discountPrice'],
  });

const workoutProgramFields = {
  name: nameSchema,
  description: longTextSchema.optional(),
  imageUrl: urlSchema.optional(),
  createdBy: idSchema('UserId'),
  isPublic: z.boolean(),
  metadata: workoutProgramMetadataSchema,
  schedule: boundedArray(programDaySchema, MAX_PROGRAM_DAYS).min(1),
  pricing: programPricingSchema.optional(),
  progression: boundedArray(progressionRuleSchema, 50).optional(),
};

/** Schedule days are unique and fall within the programme's duration. */
function scheduleFitsDuration(program: { metadata: { duration: number }; schedule: readonly { day: number }[] }): boolean {
  const days = program.schedule.map((d) => d.day);
  return new Set(days).size === days.length && days.every((d) => d <= program.metadata.duration);
}
const scheduleRule = { error: M.scheduleDay.en, path: ['schedule'] };

/** A workout programme as the SDK returns it; its TypeScript type is inferred from this schema. */
export const workoutProgramSchema = z
  .strictObject({ ...entityFields('WorkoutProgramId'), ...workoutProgramFields, reviews: reviewsSchema })
  .refine(scheduleFitsDuration, scheduleRule);
/** A stored `workout_programs` document: the workout programme with its stored-only fields; the collection's `$jsonSchema` validator is generated from it. */
export const storedWorkoutProgramSchema = workoutProgramSchema;

/** Validates the input that creates a workout programme; fills its defaults. */
export const createWorkoutProgramInputSchema = z
  .strictObject({
    ...workoutProgramFields,
    isPublic: workoutProgramFields.isPublic.default(false),
    pricing: programPricingInputSchema.optional(),
  })
  .refine(scheduleFitsDuration, scheduleRule);

/** Schedule and duration are checked together again on the merged programme. */
export const patchWorkoutProgramInputSchema = patchSchemaOf(
  pickFields(workoutProgramFields, ['name', 'description', 'imageUrl', 'isPublic', 'metadata', 'schedule', 'pricing', 'progression']),
);

/** One day of a programme's schedule: a template, or a rest day. */
export type ProgramDay = z.output<typeof programDaySchema>;
/** A load progression rule of a programme. */
export type LoadProgressionRule = z.output<typeof loadProgressionRuleSchema>;
/** A deload rule of a programme. */
export type DeloadRule = z.output<typeof deloadRuleSchema>;
/** One rule of a programme's progression. */
export type ProgressionRule = z.output<typeof progressionRuleSchema>;
/** The price of a programme a coach sells. */
export type ProgramPricing = z.output<typeof programPricingSchema>;
/** A workout programme as the SDK returns it. */
export type WorkoutProgram = z.output<typeof workoutProgramSchema>;
/** A stored `workout_programs` document (see `storedWorkoutProgramSchema`). */
export type StoredWorkoutProgram = WorkoutProgram;
/** What a caller passes to create a workout programme (ids as strings, dates as `Date` or ISO strings, defaults optional). */
export type CreateWorkoutProgramInput = z.input<typeof createWorkoutProgramInputSchema>;
/** A parsed create input of a workout programme: normalised, branded ids, defaults filled. */
export type CreateWorkoutProgramData = z.output<typeof createWorkoutProgramInputSchema>;
/** What a caller passes to update a workout programme: any subset of its changeable fields, `null` to clear an optional one. */
export type PatchWorkoutProgramInput = z.input<typeof patchWorkoutProgramInputSchema>;
/** A parsed update of a workout programme. */
export type PatchWorkoutProgramData = z.output<typeof patchWorkoutProgramInputSchema>;
