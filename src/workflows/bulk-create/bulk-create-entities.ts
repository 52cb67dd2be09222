import { sql, type Compilable, type Kysely } from 'kysely';
import type { z } from 'zod';
import type { StoreContext } from '../../stores/store-context.js';
import type { BulkCreateOptions, BulkCreateResult } from '../../stores/bulk.js';
import type { Database } from '../../stores/postgres/database.js';
import { createAnalyticsDailyInputSchema, type AnalyticsDaily } from '../../modules/analytics/index.js';
import { createInvoiceInputSchema, createSubscriptionInputSchema, createTransactionInputSchema, type Invoice, type Subscription, type Transaction } from '../../modules/billing/index.js';
import { createExerciseInputSchema, createFoodInputSchema, type Exercise, type Food } from '../../modules/catalog/index.js';
import { createClassBookingInputSchema, createClassInputSchema, type ClassBooking, type FitnessClass } from '../../modules/classes/index.js';
import { createCoachClientInputSchema, createPtSessionInputSchema, type CoachClient, type PtSession } from '../../modules/coaching/index.js';
import { createFacilityInputSchema, type Facility } from '../../modules/facilities/index.js';
import { createMeasurementInputSchema, type Measurement } from '../../modules/measurements/index.js';
import { createMembershipInputSchema, createMemberSubscriptionInputSchema, type Membership, type MemberSubscription } from '../../modules/memberships/index.js';
import { createFoodDiaryEntryInputSchema, createNutritionPlanInputSchema, type FoodDiaryEntry, type NutritionPlan } from '../../modules/nutrition/index.js';
import { createUserRecordSchema, type User } from '../../modules/users/index.js';
import { createWorkoutLogInputSchema, createWorkoutProgramInputSchema, createWorkoutTemplateInputSchema, type WorkoutLog, type WorkoutProgram, type WorkoutTemplate } from '../../modules/workouts/index.js';

/**
 * What the bulk-create workflow needs of a repository: its `createMany` (the contract of
 * `src/stores/bulk.ts`).
 *
 * @example
 * ```ts
 * const transactions: BulkCreator<Transaction> = nexfit.repositories.transactions;
 * ```
 */
export interface BulkCreator<E> {
  createMany(inputs: readonly unknown[], options?: BulkCreateOptions, ctx?: StoreContext): Promise<BulkCreateResult<E>>;
}

/**
 * The repositories `bulkCreate` writes through, by their name on `nexfit.repositories`. The
 * audit log is not among them: its rows are written by the SDK about changes, never loaded.
 */
export interface BulkCreateRepositories {
  readonly users: BulkCreator<User>;
  readonly measurements: BulkCreator<Measurement>;
  readonly exercises: BulkCreator<Exercise>;
  readonly foods: BulkCreator<Food>;
  readonly workoutTemplates: BulkCreator<WorkoutTemplate>;
  readonly workoutPrograms: BulkCreator<WorkoutProgram>;
  readonly workoutLogs: BulkCreator<WorkoutLog>;
  readonly nutritionPlans: BulkCreator<NutritionPlan>;
  readonly foodDiaryEntries: BulkCreator<FoodDiaryEntry>;
  readonly facilities: BulkCreator<Facility>;
  readonly memberships: BulkCreator<Membership>;
  readonly memberSubscriptions: BulkCreator<MemberSubscription>;
  readonly classes: BulkCreator<FitnessClass>;
  readonly classBookings: BulkCreator<ClassBooking>;
  readonly coachClients: BulkCreator<CoachClient>;
  readonly ptSessions: BulkCreator<PtSession>;
  readonly transactions: BulkCreator<Transaction>;
  readonly subscriptions: BulkCreator<Subscription>;
  readonly invoices: BulkCreator<Invoice>;
  readonly analyticsDaily: BulkCreator<AnalyticsDaily>;
}

/** The entity the repository named `R` creates. */
type EntityOf<R extends keyof BulkCreateRepositories> = BulkCreateRepositories[R] extends BulkCreator<infer E> ? E : never;

/** How one entity is bulk-created: its repository, the schema of a row, and the id its audit row names. */
export interface BulkEntityDefinition {
  /** The repository's name on `nexfit.repositories`. */
  readonly repository: keyof BulkCreateRepositories;
  readonly store: 'mongo' | 'postgres';
  /** The repository's create schema: every row is validated by it (and `nexfit import` reads CSV cells by it). */
  readonly createSchema: z.ZodType;
  /** The id of a created entity, as the audit row names it. */
  readonly idOf: (created: unknown) => string;
  /**
   * PostgreSQL rows only: the statement that undoes the batch when an `ordered`-mode unit is
   * compensated after PostgreSQL committed (`UnitOfWork.compensateWith`).
   */
  readonly undo?: (db: Kysely<Database>, created: readonly unknown[]) => Compilable;
}

function mongo<R extends keyof BulkCreateRepositories>(repository: R, createSchema: z.ZodType): BulkEntityDefinition {
  return { repository, store: 'mongo', createSchema, idOf: (created) => (created as { readonly id: string }).id };
}

function postgres<R extends keyof BulkCreateRepositories>(
  repository: R,
  createSchema: z.ZodType,
  idOf: (created: EntityOf<R>) => string,
  undo: (db: Kysely<Database>, created: readonly EntityOf<R>[]) => Compilable,
): BulkEntityDefinition {
  // The repository named by `R` returns `EntityOf<R>`: the workflow hands each function only what that repository created.
  return { repository, store: 'postgres', createSchema, idOf: idOf as (created: unknown) => string, undo: undo as (db: Kysely<Database>, created: readonly unknown[]) => Compilable };
}

/** Why a bulk-created invoice is voided when its unit is compensated: an issued number is never deleted. */
const VOIDED_BULK = JSON.stringify({ voided: { reason: 'unit_rolled_back' } });

/**
 * Every entity `bulkCreate` (and `nexfit import`) writes, by its collection or table name.
 * Invoices keep their gap-free numbers when an ordered-mode unit is compensated: they are
 * voided, never deleted, as the billing service does for the invoices it issues.
 *
 * @example
 * ```ts
 * BULK_CREATE_ENTITIES.workout_logs.repository // 'workoutLogs'
 * ```
 */
export const BULK_CREATE_ENTITIES = {
  users: mongo('users', createUserRecordSchema),
  measurements: mongo('measurements', createMeasurementInputSchema),
  exercises: mongo('exercises', createExerciseInputSchema),
  foods: mongo('foods', createFoodInputSchema),
  workout_templates: mongo('workoutTemplates', createWorkoutTemplateInputSchema),
  workout_programs: mongo('workoutPrograms', createWorkoutProgramInputSchema),
  workout_logs: mongo('workoutLogs', createWorkoutLogInputSchema),
  nutrition_plans: mongo('nutritionPlans', createNutritionPlanInputSchema),
  food_diary_entries: mongo('foodDiaryEntries', createFoodDiaryEntryInputSchema),
  facilities: mongo('facilities', createFacilityInputSchema),
  memberships: mongo('memberships', createMembershipInputSchema),
  member_subscriptions: mongo('memberSubscriptions', createMemberSubscriptionInputSchema),
  classes: mongo('classes', createClassInputSchema),
  class_bookings: mongo('classBookings', createClassBookingInputSchema),
  coach_clients: mongo('coachClients', createCoachClientInputSchema),
  pt_sessions: mongo('ptSessions', createPtSessionInputSchema),
  transactions: postgres('transactions', createTransactionInputSchema, (t) => t.transactionId, (db, created) =>
    db.deleteFrom('transactions').where('transaction_id', 'in', created.map((t) => t.transactionId)),
  ),
  subscriptions: postgres('subscriptions', createSubscriptionInputSchema, (s) => s.subscriptionId, (db, created) =>
    db.deleteFrom('subscriptions').where('subscription_id', 'in', created.map((s) => s.subscriptionId)),
  ),
  invoices: postgres('invoices', createInvoiceInputSchema, (i) => i.invoiceId, (db, created) =>
    db
      .updateTable('invoices')
      .set({ status: 'void', invoice_data: sql<string>`invoice_data || ${VOIDED_BULK}::jsonb` })
      .where('invoice_id', 'in', created.map((i) => i.invoiceId)),
  ),
  analytics_daily: postgres('analyticsDaily', createAnalyticsDailyInputSchema, (a) => `${a.businessId}:${a.date}`, (db, created) =>
    db.deleteFrom('analytics_daily').where((eb) => eb.or(created.map((a) => eb.and([eb('business_id', '=', a.businessId), eb('date', '=', a.date)])))),
  ),
} as const satisfies Record<string, BulkEntityDefinition>;

/**
 * The name of an entity `bulkCreate` writes: a collection or table name (`users`, `transactions`, `workout_logs`…).
 *
 * @useDeclaredType
 */
export type BulkEntityName = keyof typeof BULK_CREATE_ENTITIES;

/** Every {@link BulkEntityName}, in the order of {@link BULK_CREATE_ENTITIES}. */
export const BULK_ENTITY_NAMES = Object.keys(BULK_CREATE_ENTITIES) as [BulkEntityName, ...BulkEntityName[]];
