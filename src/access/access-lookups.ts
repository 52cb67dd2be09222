import type { FacilityId, UserId } from '../core/ids.js';
import type { NexfitModules } from '../nexfit-modules.js';
import type { Invoice } from '../modules/billing/invoice.schema.js';
import type { Subscription } from '../modules/billing/subscription.schema.js';
import type { Transaction } from '../modules/billing/transaction.schema.js';
import type { Exercise } from '../modules/catalog/exercise.schema.js';
import type { Food } from '../modules/catalog/food.schema.js';
import type { FitnessClass } from '../modules/classes/class.schema.js';
import type { ClassBooking } from '../modules/classes/class-booking.schema.js';
import type { CoachClient } from '../modules/coaching/coach-client.schema.js';
import type { PtSession } from '../modules/coaching/pt-session.schema.js';
import type { Facility, FacilityPermission } from '../modules/facilities/facility.schema.js';
import type { Measurement } from '../modules/measurements/measurement.schema.js';
import type { MemberSubscription } from '../modules/memberships/member-subscription.schema.js';
import type { Membership } from '../modules/memberships/membership.schema.js';
import type { NutritionPlan } from '../modules/nutrition/nutrition-plan.schema.js';
import type { FoodDiaryEntry } from '../modules/nutrition/food-diary-entry.schema.js';
import type { UserRole } from '../modules/users/user.schema.js';
import type { AccountLink } from '../modules/users/account-link.schema.js';
import type { WorkoutLog } from '../modules/workouts/workout-log.schema.js';
import type { WorkoutProgram } from '../modules/workouts/workout-program.schema.js';
import type { WorkoutTemplate } from '../modules/workouts/workout-template.schema.js';
import type { WebhookEndpoint } from '../modules/webhooks/webhook.repository.js';

/** The repositories the policy reads subjects and relationships from. */
export type AccessRepositories = NexfitModules['repositories'];

/**
 * Reads what the access policy decides on — who owns a facility, who is on its staff with
 * which permissions, whether a coach–client relationship is active, who a record belongs to —
 * through the public repositories, outside any unit of work (a check never holds a lock or
 * joins the write it guards). A subject that does not exist reads as `null`: the rules then
 * refuse, so a refusal never tells an outsider whether an id exists.
 *
 * @example
 * ```ts
 * const lookups = new AccessLookups(nexfit.repositories);
 * await lookups.isActiveCoachOf(coachId, clientId); // true while their relationship is active
 * ```
 */
export class AccessLookups {
  readonly #repos: AccessRepositories;

  constructor(repositories: AccessRepositories) {
    this.#repos = repositories;
  }

  /** The user's roles, or `null` for an unknown or deactivated account. */
  async activeUserRoles(userId: string): Promise<UserRole[] | null> {
    const user = await this.#repos.users.findById(userId);
    return user && user.isActive ? user.role : null;
  }

  /** True while `coachId` coaches `clientId` in an `active` relationship (pending, declined and ended ones grant nothing). */
  async isActiveCoachOf(coachId: string, clientId: string): Promise<boolean> {
    if (coachId === clientId) return false;
    const relation = await this.#repos.coachClients.findByPair(coachId as UserId, clientId as UserId);
    return relation?.relationship.status === 'active';
  }

  /** The active guardian or payer link of `accountUserId` to `dependantUserId`, or `null`. */
  async activeAccountLink(accountUserId: string, dependantUserId: string): Promise<AccountLink | null> {
    if (accountUserId === dependantUserId) return null;
    return this.#repos.accountLinks.findActive(accountUserId as UserId, dependantUserId as UserId);
  }

  /** True while `accountUserId` is an active guardian of `dependantUserId` (a payer link grants no acting). */
  async isActiveGuardianOf(accountUserId: string, dependantUserId: string): Promise<boolean> {
    return (await this.activeAccountLink(accountUserId, dependantUserId))?.relation === 'guardian';
  }

  /** The account link, or `null` when there is none. */
  accountLink(linkId: string): Promise<AccountLink | null> {
    return typeof linkId === 'string' ? this.#repos.accountLinks.findById(linkId) : Promise.resolve(null);
  }

  /**
   * True when `userId` holds an `active` member subscription at a facility that `viewerId` owns
   * or is on the staff of with one of `permissions` — the people who run the member's gym.
   */
  async managesActiveMember(viewerId: string, userId: string, permissions: readonly FacilityPermission[]): Promise<boolean> {
    if (viewerId === userId) return false;
    // A member holds a handful of active subscriptions; the largest page covers them all.
    const { items } = await this.#repos.memberSubscriptions.listByUser(userId as UserId, { status: 'active' }, { limit: 200 });
    for (const facilityId of new Set(items.map((s) => s.facilityId))) {
      const facility = await this.facility(facilityId);
      if (!facility) continue;
      if (facility.ownerId === viewerId) return true;
      if (facility.staff.some((s) => s.userId === viewerId && s.permissions.some((p) => permissions.includes(p)))) return true;
    }
    return false;
  }

  /** The facility, or `null` when there is none. */
  async facility(facilityId: string | undefined): Promise<Facility | null> {
    return facilityId ? this.#repos.facilities.findById(facilityId) : null;
  }

  /** True when `userId` owns the facility. */
  async ownsFacility(userId: string, facilityId: string | undefined): Promise<boolean> {
    const facility = await this.facility(facilityId);
    return facility !== null && facility.ownerId === userId;
  }

  /** True when `userId` is on the facility's staff with `permission`. */
  async staffHasPermission(userId: string, facilityId: string | undefined, permission: FacilityPermission): Promise<boolean> {
    const facility = await this.facility(facilityId);
    return facility?.staff.some((s) => s.userId === userId && s.permissions.includes(permission)) ?? false;
  }

  /** The measurement, or `null` when there is none. */
  measurement(id: string): Promise<Measurement | null> {
    return this.#repos.measurements.findById(id);
  }
  /** The workout log, or `null` when there is none. */
  workoutLog(id: string): Promise<WorkoutLog | null> {
    return this.#repos.workoutLogs.findById(id);
  }
  /** The exercise, or `null` when there is none. */
  exercise(id: string): Promise<Exercise | null> {
    return this.#repos.exercises.findById(id);
  }
  /** The food, or `null` when there is none. */
  food(id: string): Promise<Food | null> {
    return this.#repos.foods.findById(id);
  }
  /** The workout template, or `null` when there is none. */
  template(id: string): Promise<WorkoutTemplate | null> {
    return this.#repos.workoutTemplates.findById(id);
  }
  /** The workout program, or `null` when there is none. */
  program(id: string): Promise<WorkoutProgram | null> {
    return this.#repos.workoutPrograms.findById(id);
  }
  /** The nutrition plan, or `null` when there is none. */
  nutritionPlan(id: string): Promise<NutritionPlan | null> {
    return this.#repos.nutritionPlans.findById(id);
  }
  /** The food diary entry, or `null` when there is none. */
  foodDiaryEntry(id: string): Promise<FoodDiaryEntry | null> {
    return this.#repos.foodDiaryEntries.findById(id);
  }
  /** The membership plan, or `null` when there is none. */
  membershipPlan(id: string): Promise<Membership | null> {
    return this.#repos.memberships.findById(id);
  }
  /** The member subscription, or `null` when there is none. */
  memberSubscription(id: string): Promise<MemberSubscription | null> {
    return this.#repos.memberSubscriptions.findById(id);
  }
  /** The class, or `null` when there is none. */
  fitnessClass(id: string): Promise<FitnessClass | null> {
    return this.#repos.classes.findById(id);
  }
  /** The class booking, or `null` when there is none. */
  booking(id: string): Promise<ClassBooking | null> {
    return this.#repos.classBookings.findById(id);
  }
  /** The coach–client relationship, or `null` when there is none. */
  relation(id: string): Promise<CoachClient | null> {
    return this.#repos.coachClients.findById(id);
  }
  /** The PT session, or `null` when there is none. */
  ptSession(id: string): Promise<PtSession | null> {
    return this.#repos.ptSessions.findById(id);
  }
  /** The transaction, or `null` when there is none. */
  transaction(transactionId: string): Promise<Transaction | null> {
    return this.#repos.transactions.findByTransactionId(transactionId);
  }
  /** The invoice, or `null` when there is none. */
  invoice(invoiceId: string): Promise<Invoice | null> {
    return this.#repos.invoices.findByInvoiceId(invoiceId);
  }
  /** The recurring-billing row, or `null` when there is none. */
  billingSubscription(subscriptionId: string): Promise<Subscription | null> {
    return this.#repos.subscriptions.findBySubscriptionId(subscriptionId);
  }

  /** The facility a class belongs to. */
  async facilityOfClass(classId: string): Promise<FacilityId | undefined> {
    return (await this.fitnessClass(classId))?.facilityId;
  }

  /** The webhook endpoint, or `null` when there is none. */
  webhookEndpoint(endpointId: string): Promise<WebhookEndpoint | null> {
    return typeof endpointId === 'string' ? this.#repos.webhooks.findEndpoint(endpointId) : Promise.resolve(null);
  }

  /** The endpoint a webhook delivery goes to, or `null` when there is no such delivery. */
  async webhookEndpointOfDelivery(deliveryId: string): Promise<WebhookEndpoint | null> {
    if (typeof deliveryId !== 'string' || !/^[1-9]\d{0,17}$/.test(deliveryId)) return null;
    const delivery = await this.#repos.webhooks.findDelivery(deliveryId);
    return delivery ? this.#repos.webhooks.findEndpoint(delivery.endpointId) : null;
  }
}
