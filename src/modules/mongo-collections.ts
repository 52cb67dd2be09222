import { SDK_MONGO_COLLECTIONS, type MongoCollectionDefinition } from '../stores/mongo/collections.js';
import type { DocumentMigration } from '../stores/mongo/document-migrations/document-migration.js';
import { FOOD_DOCUMENT_MIGRATIONS } from './catalog/food.migrations.js';
import { WORKOUT_DOCUMENT_MIGRATIONS } from './workouts/workout.document-migrations.js';
import { MEASUREMENT_DOCUMENT_MIGRATIONS } from './measurements/measurement.document-migrations.js';
import { MEASUREMENT_CATEGORIES_COLLECTION } from './measurements/measurement-category.collection.js';
import { EXERCISES_COLLECTION } from './catalog/exercise.collection.js';
import { FOODS_COLLECTION } from './catalog/food.collection.js';
import { CLASS_BOOKING_COUNTERS_COLLECTION } from './classes/booking-counter.collection.js';
import { CLASS_BOOKINGS_COLLECTION } from './classes/class-booking.collection.js';
import { BOOKING_STRIKES_COLLECTION, BOOKING_SUSPENSIONS_COLLECTION } from './classes/booking-strike.collection.js';
import { BOOKING_FEES_COLLECTION } from './classes/booking-fee.collection.js';
import { CLASSES_COLLECTION } from './classes/class.collection.js';
import { WAIVER_SIGNATURES_COLLECTION, WAIVERS_COLLECTION } from './facilities/waiver.collection.js';
import { COACH_CLIENTS_COLLECTION } from './coaching/coach-client.collection.js';
import { PT_SESSIONS_COLLECTION } from './coaching/pt-session.collection.js';
import { COACH_AVAILABILITIES_COLLECTION } from './coaching/coach-availability.collection.js';
import { FACILITIES_COLLECTION } from './facilities/facility.collection.js';
import { MEASUREMENTS_COLLECTION } from './measurements/measurement.collection.js';
import { MEMBER_SUBSCRIPTIONS_COLLECTION } from './memberships/member-subscription.collection.js';
import { MEMBERSHIPS_COLLECTION } from './memberships/membership.collection.js';
import { MEMBERSHIP_VISIT_COUNTERS_COLLECTION } from './memberships/visit-counter.collection.js';
import { PROMO_CODES_COLLECTION, PROMO_REDEMPTIONS_COLLECTION } from './memberships/promo-code.collection.js';
import { FOOD_DIARY_ENTRIES_COLLECTION } from './nutrition/food-diary-entry.collection.js';
import { NUTRITION_PLANS_COLLECTION } from './nutrition/nutrition-plan.collection.js';
import { USERS_COLLECTION } from './users/user.collection.js';
import { ACCOUNT_LINKS_COLLECTION } from './users/account-link.collection.js';
import { WORKOUT_LOGS_COLLECTION } from './workouts/workout-log.collection.js';
import { WORKOUT_PROGRAMS_COLLECTION } from './workouts/workout-program.collection.js';
import { WORKOUT_TEMPLATES_COLLECTION } from './workouts/workout-template.collection.js';

/**
 * Every MongoDB collection of the SDK with its indexes, assembled from the definitions each
 * module owns (`<entity>.collection.ts`: each index the design document lists, SPEC decision
 * 8, plus the ones the repositories' queries need) and the SDK's own bookkeeping collections
 * (SPEC decision 11). The composition root hands this list to set-up, migrate, layout status
 * and key rotation; a collection a module defines but does not list here is never created.
 *
 * @example
 * ```ts
 * for (const def of Object.values(MONGO_COLLECTIONS)) console.log(def.name, def.indexes.map((i) => i.name))
 * ```
 */
export const MONGO_COLLECTIONS = {
  users: USERS_COLLECTION,
  measurements: MEASUREMENTS_COLLECTION,
  exercises: EXERCISES_COLLECTION,
  workout_templates: WORKOUT_TEMPLATES_COLLECTION,
  workout_programs: WORKOUT_PROGRAMS_COLLECTION,
  workout_logs: WORKOUT_LOGS_COLLECTION,
  nutrition_plans: NUTRITION_PLANS_COLLECTION,
  foods: FOODS_COLLECTION,
  facilities: FACILITIES_COLLECTION,
  memberships: MEMBERSHIPS_COLLECTION,
  member_subscriptions: MEMBER_SUBSCRIPTIONS_COLLECTION,
  classes: CLASSES_COLLECTION,
  class_bookings: CLASS_BOOKINGS_COLLECTION,
  coach_clients: COACH_CLIENTS_COLLECTION,
  pt_sessions: PT_SESSIONS_COLLECTION,
  class_booking_counters: CLASS_BOOKING_COUNTERS_COLLECTION,
  membership_visit_counters: MEMBERSHIP_VISIT_COUNTERS_COLLECTION,
  food_diary_entries: FOOD_DIARY_ENTRIES_COLLECTION,
  measurement_categories: MEASUREMENT_CATEGORIES_COLLECTION,
  coach_availabilities: COACH_AVAILABILITIES_COLLECTION,
  booking_strikes: BOOKING_STRIKES_COLLECTION,
  booking_suspensions: BOOKING_SUSPENSIONS_COLLECTION,
  waivers: WAIVERS_COLLECTION,
  waiver_signatures: WAIVER_SIGNATURES_COLLECTION,
  booking_fees: BOOKING_FEES_COLLECTION,
  account_links: ACCOUNT_LINKS_COLLECTION,
  promo_codes: PROMO_CODES_COLLECTION,
  promo_redemptions: PROMO_REDEMPTIONS_COLLECTION,
  ...SDK_MONGO_COLLECTIONS,
} as const satisfies Record<string, MongoCollectionDefinition>;

/** The name of a collection of {@link MONGO_COLLECTIONS}. */
export type MongoCollectionName = keyof typeof MONGO_COLLECTIONS;

/**
 * The MongoDB layout as set-up takes it: every collection of {@link MONGO_COLLECTIONS}, in
 * the order set-up creates them.
 *
 * @example
 * ```ts
 * await ensureMongoCollections(db, MONGO_LAYOUT)
 * ```
 */
export const MONGO_LAYOUT: readonly MongoCollectionDefinition[] = Object.values(MONGO_COLLECTIONS);

/** The collections holding the 15 entity types of the design document. */
export const ENTITY_COLLECTION_NAMES = [
  'users',
  'measurements',
  'exercises',
  'workout_templates',
  'workout_programs',
  'workout_logs',
  'nutrition_plans',
  'foods',
  'facilities',
  'memberships',
  'member_subscriptions',
  'classes',
  'class_bookings',
  'coach_clients',
  'pt_sessions',
] as const satisfies readonly MongoCollectionName[];

/**
 * The document migrations the SDK ships, in order, assembled from the lists the modules own
 * (a format change adds its migration to its module's list and raises the collection's
 * `schemaVersion` in its `<entity>.collection.ts`).
 *
 * @example
 * ```ts
 * await migrateDocumentsUp(db, DOCUMENT_MIGRATIONS)
 * ```
 */
export const DOCUMENT_MIGRATIONS: readonly DocumentMigration[] = [...WORKOUT_DOCUMENT_MIGRATIONS, ...FOOD_DOCUMENT_MIGRATIONS, ...MEASUREMENT_DOCUMENT_MIGRATIONS];
