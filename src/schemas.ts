/**
 * `@nexfit/sdk/schemas`: the zod schemas, value sets and inferred types of every NexFit
 * entity, with no driver import (no `mongodb`, `pg`, `kysely`), so a front end can validate
 * forms with exactly the rules the SDK and the databases apply.
 *
 * @example
 * ```ts
 * import { createUserInputSchema, parseOrThrow } from '@nexfit/sdk/schemas';
 * const input = parseOrThrow(createUserInputSchema, form, { locale: 'tr' });
 * ```
 *
 * @packageDocumentation
 */
export * from './core/schema-primitives.js';
export * from './core/entity-schema.js';
export * from './core/fitness-vocabulary.js';
export * from './core/search-text.js';
export * from './core/validation.js';
export { VALIDATION_MESSAGES, type ValidationMessageKey } from './core/validation-messages.js';
export {
  idSchema,
  isObjectIdHex,
  objectIdBrandOf,
  businessIdOfCoach,
  businessIdOfFacility,
  type EntityId,
  type UserId,
  type MeasurementId,
  type ExerciseId,
  type WorkoutTemplateId,
  type WorkoutProgramId,
  type WorkoutLogId,
  type NutritionPlanId,
  type FoodId,
  type FacilityId,
  type MembershipId,
  type MemberSubscriptionId,
  type ClassId,
  type ClassBookingId,
  type CoachClientId,
  type PtSessionId,
  type BusinessId,
} from './core/ids.js';
export { currencyCodeSchema, minorUnitsSchema, signedMinorUnitsSchema, DEFAULT_CURRENCY, type MinorUnits } from './core/money.js';
export { ValidationError, type ValidationIssue } from './core/errors.js';

export * from './modules/users/user.schema.js';
export * from './modules/measurements/measurement.schema.js';
export * from './modules/catalog/exercise.schema.js';
export * from './modules/catalog/food.schema.js';
export * from './modules/workouts/workout-set.schema.js';
export * from './modules/workouts/reviews.schema.js';
export * from './modules/workouts/workout-template.schema.js';
export * from './modules/workouts/workout-program.schema.js';
export * from './modules/workouts/workout-log.schema.js';
export * from './modules/nutrition/nutrition-plan.schema.js';
export * from './modules/facilities/facility.schema.js';
export * from './modules/memberships/membership.schema.js';
export * from './modules/memberships/member-subscription.schema.js';
export * from './modules/classes/class.schema.js';
export * from './modules/classes/class-booking.schema.js';
export * from './modules/coaching/coach-client.schema.js';
export * from './modules/coaching/pt-session.schema.js';
export * from './modules/billing/transaction.schema.js';
export * from './modules/billing/subscription.schema.js';
export * from './modules/billing/invoice.schema.js';
export * from './modules/analytics/analytics-daily.schema.js';
export * from './modules/audit/audit-log.schema.js';
