/**
 * Every schema module's exports, storage internals included (stored shapes, codecs, derived
 * fields), for the SDK's own tests. The public `./schemas` entry (src/schemas.ts) exports only
 * what host apps use.
 */
export * from '../../src/core/schema-primitives.js';
export * from '../../src/core/entity-schema.js';
export * from '../../src/core/fitness-vocabulary.js';
export * from '../../src/core/search-text.js';
export * from '../../src/core/validation.js';
export { VALIDATION_MESSAGES, type ValidationMessageKey } from '../../src/core/validation-messages.js';
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
} from '../../src/core/ids.js';
export { currencyCodeSchema, minorUnitsSchema, signedMinorUnitsSchema, DEFAULT_CURRENCY, type MinorUnits } from '../../src/core/money.js';
export { ValidationError, type ValidationIssue } from '../../src/core/errors.js';

export * from '../../src/modules/users/user.schema.js';
export * from '../../src/modules/measurements/measurement.schema.js';
export * from '../../src/modules/catalog/exercise.schema.js';
export * from '../../src/modules/catalog/food.schema.js';
export * from '../../src/modules/workouts/workout-set.schema.js';
export * from '../../src/modules/workouts/reviews.schema.js';
export * from '../../src/modules/workouts/workout-template.schema.js';
export * from '../../src/modules/workouts/workout-program.schema.js';
export * from '../../src/modules/workouts/workout-log.schema.js';
export * from '../../src/modules/nutrition/nutrition-plan.schema.js';
export * from '../../src/modules/facilities/facility.schema.js';
export * from '../../src/modules/memberships/membership.schema.js';
export * from '../../src/modules/memberships/member-subscription.schema.js';
export * from '../../src/modules/classes/class.schema.js';
export * from '../../src/modules/classes/class-booking.schema.js';
export * from '../../src/modules/coaching/coach-client.schema.js';
export * from '../../src/modules/coaching/pt-session.schema.js';
export * from '../../src/modules/billing/transaction.schema.js';
export * from '../../src/modules/billing/subscription.schema.js';
export * from '../../src/modules/billing/invoice.schema.js';
export * from '../../src/modules/analytics/analytics-daily.schema.js';
export * from '../../src/modules/audit/audit-log.schema.js';
