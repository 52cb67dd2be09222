/**
 * The composition root's lists of what the modules own: their MongoDB collections (handed to
 * set-up, migrate, layout status and key rotation through `mongo-layout.ts`) and their
 * personal-data contributors (handed to the export and erasure workflows). A new module adds
 * its entries here; a test fails for a collection or table that refers to a user and no
 * registered contributor holds.
 */
import type { Db } from 'mongodb';
import type { AuditLogRepository } from './modules/audit/audit-log.repository.js';
import { AUDIT_LOG_PERSONAL_DATA, auditLogPersonalData } from './modules/audit/audit-log.personal-data.js';
import { BILLING_PERSONAL_DATA, billingPersonalData } from './modules/billing/billing.personal-data.js';
import type { createBillingModule } from './modules/billing/index.js';
import { CATALOG_PERSONAL_DATA, catalogPersonalData } from './modules/catalog/catalog.personal-data.js';
import { CLASS_PERSONAL_DATA, classPersonalData } from './modules/classes/class.personal-data.js';
import type { ClassesModule } from './modules/classes/index.js';
import { COACHING_PERSONAL_DATA, coachingPersonalData } from './modules/coaching/coaching.personal-data.js';
import type { CoachingModule } from './modules/coaching/index.js';
import { FACILITY_PERSONAL_DATA, facilityPersonalData } from './modules/facilities/facility.personal-data.js';
import type { FacilitiesModule } from './modules/facilities/index.js';
import { WAIVER_PERSONAL_DATA, waiverPersonalData } from './modules/facilities/waiver.personal-data.js';
import type { MeasurementsModule } from './modules/measurements/index.js';
import { MEASUREMENT_PERSONAL_DATA, measurementPersonalData } from './modules/measurements/measurement.personal-data.js';
import type { createMembershipsModule } from './modules/memberships/index.js';
import { MEMBER_SUBSCRIPTION_PERSONAL_DATA, memberSubscriptionPersonalData } from './modules/memberships/member-subscription.personal-data.js';
import type { NutritionModule } from './modules/nutrition/index.js';
import { NUTRITION_PERSONAL_DATA, nutritionPersonalData } from './modules/nutrition/nutrition.personal-data.js';
import type { PersonalDataContributor, PersonalDataDeclaration } from './modules/personal-data.js';
import type { UsersModule } from './modules/users/index.js';
import { USER_PERSONAL_DATA, userPersonalData } from './modules/users/user.personal-data.js';
import type { createWorkoutsModule } from './modules/workouts/index.js';
import { WORKOUT_PERSONAL_DATA, workoutPersonalData } from './modules/workouts/workout.personal-data.js';

export { ENTITY_COLLECTION_NAMES, MONGO_COLLECTIONS, MONGO_LAYOUT, type MongoCollectionName } from './modules/mongo-collections.js';

/** The built modules a contributor is made from. */
export interface PersonalDataSources {
  readonly db: Db;
  readonly users: UsersModule;
  readonly measurements: MeasurementsModule;
  readonly workouts: ReturnType<typeof createWorkoutsModule>;
  readonly nutrition: NutritionModule;
  readonly facilities: FacilitiesModule;
  readonly memberships: ReturnType<typeof createMembershipsModule>;
  readonly billing: ReturnType<typeof createBillingModule>;
  readonly classes: ClassesModule;
  readonly coaching: CoachingModule;
  readonly auditLogs: AuditLogRepository;
}

/** A module's declaration of the user-linked data it holds, and how its contributor is built. */
export interface PersonalDataRegistration extends PersonalDataDeclaration {
  contributor(sources: PersonalDataSources): PersonalDataContributor;
}

/**
 * Every module that stores user-linked data, in the order an erasure visits them: the
 * modules' own records first (services that cancel a booking or a membership still see a
 * live account), then the account's tombstone, then the records kept for others or the law
 * (billing, then audit: audit rows about the billing records lose their personal keys too).
 * An export is assembled from the same list.
 *
 * @example
 * ```ts
 * PERSONAL_DATA_REGISTRY.flatMap((r) => r.holds.map((h) => h.name)) // ['measurements', 'workout_logs', ...]
 * ```
 */
export const PERSONAL_DATA_REGISTRY: readonly PersonalDataRegistration[] = [
  { ...MEASUREMENT_PERSONAL_DATA, contributor: (s) => measurementPersonalData(s.measurements.repository, s.measurements.categories) },
  { ...WORKOUT_PERSONAL_DATA, contributor: (s) => workoutPersonalData({ logs: s.workouts.workoutLogs, templates: s.workouts.templates, programs: s.workouts.programs }) },
  { ...NUTRITION_PERSONAL_DATA, contributor: (s) => nutritionPersonalData({ plans: s.nutrition.repository, diary: s.nutrition.diaryEntries }) },
  { ...CATALOG_PERSONAL_DATA, contributor: () => catalogPersonalData() },
  { ...CLASS_PERSONAL_DATA, contributor: (s) => classPersonalData({ classes: s.classes.classes, bookings: s.classes.bookings, bookingService: s.classes.bookingService, strikes: s.classes.strikes, suspensions: s.classes.suspensions, fees: s.classes.fees }) },
  { ...MEMBER_SUBSCRIPTION_PERSONAL_DATA, contributor: (s) => memberSubscriptionPersonalData(s.memberships.subscriptions, s.memberships.service, s.memberships.promoRedemptions) },
  { ...COACHING_PERSONAL_DATA, contributor: (s) => coachingPersonalData({ relations: s.coaching.relations, sessions: s.coaching.sessions, service: s.coaching.service, availabilities: s.coaching.availabilities }) },
  {
    ...FACILITY_PERSONAL_DATA,
    contributor: (s) =>
      facilityPersonalData(s.facilities.facilities, {
        hasActiveMembers: async (facilityId, ctx) => (await s.memberships.subscriptions.listByFacility(facilityId, { status: 'active' }, { limit: 1 }, ctx)).items.length > 0,
      }),
  },
  { ...WAIVER_PERSONAL_DATA, contributor: (s) => waiverPersonalData(s.facilities.waiverSignatures) },
  { ...USER_PERSONAL_DATA, contributor: (s) => userPersonalData(s.users.repository, s.db, s.users.accountLinks) },
  { ...BILLING_PERSONAL_DATA, contributor: (s) => billingPersonalData({ transactions: s.billing.transactions, subscriptions: s.billing.subscriptions, invoices: s.billing.invoices }) },
  { ...AUDIT_LOG_PERSONAL_DATA, contributor: (s) => auditLogPersonalData(s.auditLogs) },
];

/**
 * The contributors of every registered module, built from the modules `createNexfitModules`
 * made, in registry order.
 *
 * @example
 * ```ts
 * const contributors = personalDataContributors({ db, users, measurements, ... });
 * ```
 */
export function personalDataContributors(sources: PersonalDataSources, registry: readonly PersonalDataRegistration[] = PERSONAL_DATA_REGISTRY): PersonalDataContributor[] {
  return registry.map((registration) => registration.contributor(sources));
}
