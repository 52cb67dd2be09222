import type { FacilityId, UserId } from '../core/ids.js';
import type { FacilityPermission } from '../modules/facilities/facility.schema.js';
import type { NexfitModules } from '../nexfit-modules.js';

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
  async activeUserRoles(userId: string) {
    const user = await this.#repos.users.findById(userId);
    return user && user.isActive ? user.role : null;
  }

  /** True while `coachId` coaches `clientId` in an `active` relationship (pending, declined and ended ones grant nothing). */
  async isActiveCoachOf(coachId: string, clientId: string): Promise<boolean> {
    if (coachId === clientId) return false;
    const relation = await this.#repos.coachClients.findByPair(coachId as UserId, clientId as UserId);
    return relation?.relationship.status === 'active';
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

  async facility(facilityId: string | undefined) {
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

  measurement(id: string) {
    return this.#repos.measurements.findById(id);
  }
  workoutLog(id: string) {
    return this.#repos.workoutLogs.findById(id);
  }
  exercise(id: string) {
    return this.#repos.exercises.findById(id);
  }
  food(id: string) {
    return this.#repos.foods.findById(id);
  }
  template(id: string) {
    return this.#repos.workoutTemplates.findById(id);
  }
  program(id: string) {
    return this.#repos.workoutPrograms.findById(id);
  }
  nutritionPlan(id: string) {
    return this.#repos.nutritionPlans.findById(id);
  }
  membershipPlan(id: string) {
    return this.#repos.memberships.findById(id);
  }
  memberSubscription(id: string) {
    return this.#repos.memberSubscriptions.findById(id);
  }
  fitnessClass(id: string) {
    return this.#repos.classes.findById(id);
  }
  booking(id: string) {
    return this.#repos.classBookings.findById(id);
  }
  relation(id: string) {
    return this.#repos.coachClients.findById(id);
  }
  ptSession(id: string) {
    return this.#repos.ptSessions.findById(id);
  }
  transaction(transactionId: string) {
    return this.#repos.transactions.findByTransactionId(transactionId);
  }
  invoice(invoiceId: string) {
    return this.#repos.invoices.findByInvoiceId(invoiceId);
  }
  billingSubscription(subscriptionId: string) {
    return this.#repos.subscriptions.findBySubscriptionId(subscriptionId);
  }

  /** The facility a class belongs to. */
  async facilityOfClass(classId: string): Promise<FacilityId | undefined> {
    return (await this.fitnessClass(classId))?.facilityId;
  }
}
