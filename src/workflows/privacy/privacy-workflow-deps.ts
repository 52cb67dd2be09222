import type { Kysely } from 'kysely';
import type { Db } from 'mongodb';
import type { Page, PageRequest } from '../../core/pagination.js';
import type { AuditLogRepository } from '../../modules/audit/audit-log.repository.js';
import type { AuditTrail } from '../../modules/audit/audit-trail.js';
import type { InvoiceRepository } from '../../modules/billing/invoice.repository.js';
import type { SubscriptionRepository } from '../../modules/billing/subscription.repository.js';
import type { TransactionRepository } from '../../modules/billing/transaction.repository.js';
import type { BookingService } from '../../modules/classes/booking.service.js';
import type { ClassBookingRepository } from '../../modules/classes/class-booking.repository.js';
import type { ClassRepository } from '../../modules/classes/class.repository.js';
import type { CoachClientRepository } from '../../modules/coaching/coach-client.repository.js';
import type { CoachingService } from '../../modules/coaching/coaching.service.js';
import type { PtSessionRepository } from '../../modules/coaching/pt-session.repository.js';
import type { FacilityRepository } from '../../modules/facilities/facility.repository.js';
import type { MeasurementRepository } from '../../modules/measurements/measurement.repository.js';
import type { MemberSubscriptionRepository } from '../../modules/memberships/member-subscription.repository.js';
import type { MembershipService } from '../../modules/memberships/membership.service.js';
import type { NutritionPlanRepository } from '../../modules/nutrition/nutrition-plan.repository.js';
import type { ServiceDeps } from '../../modules/service-deps.js';
import type { UserRepository } from '../../modules/users/user.repository.js';
import type { WorkoutLogRepository } from '../../modules/workouts/workout-log.repository.js';
import type { WorkoutProgramRepository } from '../../modules/workouts/workout-program.repository.js';
import type { WorkoutTemplateRepository } from '../../modules/workouts/workout-template.repository.js';
import type { Database } from '../../stores/postgres/database.js';

/**
 * What the privacy workflows read and write: every repository that holds data about a user,
 * the services whose rules an erasure goes through (cancelling a booking frees its seat,
 * cancelling a membership stops renewals), the audit trail, and the two store handles for
 * the writes no repository offers (the tombstone's e-mail and marker; closing the
 * compensation log of an erasure unit).
 */
export interface PrivacyWorkflowDeps {
  readonly repositories: {
    readonly users: UserRepository;
    readonly measurements: MeasurementRepository;
    readonly workoutTemplates: WorkoutTemplateRepository;
    readonly workoutPrograms: WorkoutProgramRepository;
    readonly workoutLogs: WorkoutLogRepository;
    readonly nutritionPlans: NutritionPlanRepository;
    readonly facilities: FacilityRepository;
    readonly memberSubscriptions: MemberSubscriptionRepository;
    readonly classes: ClassRepository;
    readonly classBookings: ClassBookingRepository;
    readonly coachClients: CoachClientRepository;
    readonly ptSessions: PtSessionRepository;
    readonly transactions: TransactionRepository;
    readonly subscriptions: SubscriptionRepository;
    readonly invoices: InvoiceRepository;
    readonly auditLogs: AuditLogRepository;
  };
  readonly bookings: BookingService;
  readonly memberships: MembershipService;
  readonly coaching: CoachingService;
  readonly audit: AuditTrail;
  readonly db: Db;
  readonly pg: Kysely<Database>;
  readonly deps: ServiceDeps;
}

/** Page size of every keyset walk of the privacy workflows (the repositories' maximum). */
export const PRIVACY_PAGE_SIZE = 200;

/**
 * Walks a keyset-paged list to its end, one page of {@link PRIVACY_PAGE_SIZE} at a time, so
 * no single read loads an unbounded result.
 *
 * @example
 * ```ts
 * for await (const log of everyItem((page) => repositories.workoutLogs.listByUser(userId, {}, page))) count++;
 * ```
 */
export async function* everyItem<T>(list: (page: PageRequest) => Promise<Page<T>>): AsyncGenerator<T> {
  let page: PageRequest = { limit: PRIVACY_PAGE_SIZE };
  for (;;) {
    const { items, nextCursor } = await list(page);
    yield* items;
    if (!nextCursor) return;
    page = { limit: PRIVACY_PAGE_SIZE, after: nextCursor };
  }
}

/** Every item of a keyset-paged list, collected page by page. */
export async function allItems<T>(list: (page: PageRequest) => Promise<Page<T>>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of everyItem(list)) out.push(item);
  return out;
}
