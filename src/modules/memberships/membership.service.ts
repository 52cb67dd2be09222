import { Temporal } from 'temporal-polyfill';
import { z } from 'zod';
import { ConfigurationError, ConflictError, ValidationError, type ValidationIssue } from '../../core/errors.js';
import type { FacilityId, MemberSubscriptionId, MembershipId, UserId } from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { calendarDateSchema, instantSchema, isoWeekSchema, longTextSchema, moneyAmountSchema, timeZoneSchema, uuidSchema } from '../../core/schema-primitives.js';
import { currencyCodeSchema } from '../../core/money.js';
import { parseOrThrow } from '../../core/validation.js';
import { turkishMessageFor, VALIDATION_MESSAGES as M, type ValidationMessageKey } from '../../core/validation-messages.js';
import { overdueError } from './membership-dunning.js';
import { addCalendarDays, assertNotFrozen, calendarDayOf, calendarDaysBetween, shiftByCalendarDays, startOfCalendarDay } from './membership-freeze.js';
import { freezePolicySchema, type MembershipFreeze } from './membership-freeze.schema.js';
import { subscriptionDiscountSchema } from './promo-code.schema.js';
import type { UnitOfWork } from '../../uow/unit-of-work.js';
import type { StoreContext } from '../../stores/store-context.js';
import { inUnitOfWork } from '../../uow/unit-runner.js';
import { auditSnapshot, type AuditTrail } from '../audit/audit-trail.js';
import type { ServiceDeps } from '../service-deps.js';
import { dunningChangeSchema, type DunningChangeInput, type MemberSubscriptionFilter, type MemberSubscriptionRepository, type PaymentRecordInput } from './member-subscription.repository.js';
import { memberSubscriptionSchema, paymentRecordSchema, type MemberSubscription, type SubscriptionCredits } from './member-subscription.schema.js';
import type { MembershipPlanFilter, MembershipRepository } from './membership.repository.js';
import { subscriptionWeekVisitsKey, type VisitCounterRepository } from './visit-counter.repository.js';
import {
  createMembershipInputSchema,
  membershipSchema,
  patchMembershipInputSchema,
  type CreateMembershipInput,
  type Membership,
  membershipCreditsSchema,
  type MembershipCredits,
  type MembershipDuration,
  type PatchMembershipInput,
} from './membership.schema.js';

const planIdSchema = membershipSchema.shape.id;
const facilityIdSchema = membershipSchema.shape.facilityId;
const subscriptionIdSchema = memberSubscriptionSchema.shape.id;
const userIdSchema = memberSubscriptionSchema.shape.userId;
const versionOptionsSchema = z.strictObject({ expectedVersion: z.number().int().min(1).optional() });

const startSchema = z.strictObject({
  userId: userIdSchema,
  membershipId: planIdSchema,
  startDate: instantSchema,
  timeZone: timeZoneSchema,
  autoRenew: z.boolean(),
  payment: paymentRecordSchema,
  /** The end of a first period shorter than the plan's (a prorated start aligned to a billing day). */
  endDate: instantSchema.optional(),
  credits: membershipCreditsSchema.optional().describe("A class pack's credits as the purchase fixed them (absent: no credits)"),
  payerUserId: userIdSchema.optional().describe('The account that paid for the member (absent: the member)'),
  discount: subscriptionDiscountSchema.optional().describe('The promo-code discount its renewals get (absent: none)'),
}).refine((d) => d.endDate === undefined || d.endDate.getTime() > d.startDate.getTime(), { path: ['endDate'], message: 'The period must end after it starts' });
const creditAmountSchema = z.number().int().min(1).max(1_000);
const spendSchema = z.strictObject({ credits: z.number().int().min(1).max(10), validAt: instantSchema, timeZone: timeZoneSchema });
const creditAdjustmentSchema = z.strictObject({ amount: creditAmountSchema, reason: longTextSchema.describe('Why staff adjusted the credits (kept in the audit row)') });
/** A staff adjustment of a class pack's credits: how many (1..1000) and why. */
export type CreditAdjustmentInput = z.input<typeof creditAdjustmentSchema>;

/**
 * The credits a class-pack subscription starts with: all of them remaining; activated at the
 * start (expiring `validFor` later, in the facility's zone) or, `on_first_booking`, not yet.
 */
function subscriptionCreditsOf(credits: MembershipCredits, start: Date, timeZone: string): SubscriptionCredits {
  const base = { total: credits.count, remaining: credits.count, ...(credits.validFor ? { validFor: credits.validFor } : {}) };
  if (credits.activation === 'on_first_booking') return base;
  return { ...base, activatedAt: start, ...(credits.validFor ? { expiresAt: addMembershipPeriod(start, credits.validFor, timeZone) } : {}) };
}

function creditsExpired(id: string, expiresAt: Date): ConflictError {
  return new ConflictError('credits_expired', `The credits of member subscription ${id} expired at ${expiresAt.toISOString()}`, { details: { memberSubscriptionId: id, expiresAt: expiresAt.toISOString() } });
}

function notClassPack(id: string): ValidationError {
  return new ValidationError(`Member subscription ${id} is not a class pack: it has no credits`, [{ path: ['memberSubscriptionId'], code: 'custom', message: 'Not a class pack' }]);
}

/** What {@link MembershipService.startSubscription} takes: a paid, active membership period. */
export type StartSubscriptionInput = z.input<typeof startSchema>;

const cancelSchema = z.strictObject({
  when: z.enum(['immediately', 'at_period_end']),
  reason: longTextSchema.optional(),
});
export type CancelSubscriptionInput = z.input<typeof cancelSchema>;

const visitSchema = z.strictObject({
  userId: userIdSchema,
  facilityId: facilityIdSchema,
  at: instantSchema,
  isoWeek: isoWeekSchema,
});
/** A member's visit to a facility at `at`, in the ISO week `isoWeek` of the facility's zone (`2026-W10`). */
export type VisitInput = z.input<typeof visitSchema>;

const freezeSchema = z.strictObject({
  startDate: calendarDateSchema.optional().describe('First frozen day (facility time zone); today by default'),
  resumeDate: calendarDateSchema.optional().describe('First day the membership runs again; absent: open-ended, ended by unfreezing'),
  reason: longTextSchema.optional(),
  fee: z.strictObject({ amount: moneyAmountSchema('Freeze fee'), currency: currencyCodeSchema }).optional().describe('Recorded on the freeze; charged by the fee workflow'),
  timeZone: timeZoneSchema,
  policy: freezePolicySchema,
});
/** What {@link MembershipService.freezeSubscription} takes: the freeze asked for, the facility's zone and the freeze policy. */
export type FreezeSubscriptionInput = z.input<typeof freezeSchema>;

const unfreezeSchema = z.strictObject({
  freezeId: uuidSchema.optional().describe('The freeze to end; the running one, else the next scheduled one, by default'),
  resumeDate: calendarDateSchema.optional().describe('First day the membership runs again; today by default'),
  timeZone: timeZoneSchema,
});
/** What {@link MembershipService.unfreezeSubscription} takes. */
export type UnfreezeSubscriptionInput = z.input<typeof unfreezeSchema>;

/** A freeze change: the subscription after it, the freeze, and by how many calendar days the period end moved (negative: back). */
export interface FreezeChange {
  readonly subscription: MemberSubscription;
  readonly freeze: MembershipFreeze;
  readonly shiftedDays: number;
}

/** A recorded visit: the subscription it counted against and the week's count against the plan's limit. */
export interface RecordedVisit {
  readonly memberSubscriptionId: MemberSubscriptionId;
  readonly isoWeek: string;
  readonly visitsThisWeek: number;
  /** `null`: the plan sets no weekly limit. */
  readonly maxVisitsPerWeek: number | null;
}

/**
 * The end of a membership period that starts at `start`: `duration` added in calendar terms
 * in the facility's time zone (a month from 31 January ends on the last day of February; a
 * day across a DST change is a calendar day, 23 or 25 hours).
 *
 * @example
 * ```ts
 * addMembershipPeriod(new Date('2026-01-31T09:00:00Z'), { value: 1, unit: 'month' }, 'Europe/Istanbul') // 2026-02-28T09:00:00Z
 * ```
 */
export function addMembershipPeriod(start: Date, duration: MembershipDuration, timeZone: string): Date {
  const zoned = Temporal.Instant.fromEpochMilliseconds(start.getTime()).toZonedDateTimeISO(timeZone);
  const unit = `${duration.unit}s` as 'days' | 'weeks' | 'months' | 'years';
  return new Date(zoned.add({ [unit]: duration.value }, { overflow: 'constrain' }).epochMilliseconds);
}

/**
 * What the memberships module reads of a facility to check that a multi-location plan's
 * facilities belong to one business: its owner. `FacilityRepository` fits.
 */
export interface PlanFacilitySource {
  getById(id: FacilityId, ctx?: StoreContext): Promise<{ readonly ownerId: UserId }>;
}

/**
 * The plan catalogue of each facility and the lifecycle of members' subscriptions: start a
 * paid period, extend it, record payments, cancel, expire. Payment and invoicing live in
 * billing; the purchase and renewal workflows compose the two in one unit of work.
 *
 * @example
 * ```ts
 * const plan = await memberships.createPlan({ facilityId, name: 'Aylık', duration: { value: 1, unit: 'month' }, price: 1_500_00 });
 * const { items } = await memberships.listPlans(facilityId, { activeOnly: true });
 * ```
 */
export class MembershipService {
  readonly #plans: MembershipRepository;
  readonly #subscriptions: MemberSubscriptionRepository;
  readonly #visits: VisitCounterRepository;
  readonly #audit: AuditTrail;
  readonly #deps: ServiceDeps;
  readonly #facilities: PlanFacilitySource | undefined;

  constructor(
    plans: MembershipRepository,
    subscriptions: MemberSubscriptionRepository,
    visits: VisitCounterRepository,
    audit: AuditTrail,
    deps: ServiceDeps,
    facilities?: PlanFacilitySource,
  ) {
    this.#facilities = facilities;
    this.#plans = plans;
    this.#subscriptions = subscriptions;
    this.#visits = visits;
    this.#audit = audit;
    this.#deps = deps;
  }

  /**
   * Adds a plan to a facility's catalogue (prices are tax-inclusive minor units). A
   * multi-location plan's `validAtFacilityIds` must be facilities of the same business (the
   * same `ownerId` as the plan's facility): `NotFoundError('facility')` for a missing one,
   * `ConflictError('facility_not_in_business')` for another owner's; nothing is written then.
   */
  async createPlan(input: CreateMembershipInput, uow?: UnitOfWork): Promise<Membership> {
    const data = this.#parse(createMembershipInputSchema, input);
    return inUnitOfWork(this.#deps.units, uow, async (u) => {
      if (data.validAtFacilityIds?.length) await this.#assertOneBusiness(data.facilityId, data.validAtFacilityIds, u);
      const plan = await this.#plans.create(data, u.ctx);
      await this.#audit.record(u, { entityType: 'memberships', entityId: plan.id, action: 'create', newState: auditSnapshot(plan) });
      return plan;
    });
  }

  /** One membership plan; `NotFoundError` when there is none. */
  async getPlan(membershipId: MembershipId, uow?: UnitOfWork): Promise<Membership> {
    return this.#plans.getById(this.#parse(planIdSchema, membershipId), uow?.ctx);
  }

  /**
   * Changes a plan. A new price applies to purchases and renewals from now on; periods
   * already paid keep theirs. Audited (prices are financial data).
   */
  async updatePlan(membershipId: MembershipId, patch: PatchMembershipInput, options: { expectedVersion?: number } = {}, uow?: UnitOfWork): Promise<Membership> {
    const id = this.#parse(planIdSchema, membershipId);
    const changes = this.#parse(patchMembershipInputSchema, patch);
    const { expectedVersion } = this.#parse(versionOptionsSchema, options);
    return inUnitOfWork(this.#deps.units, uow, async (u) => {
      const before = await this.#plans.getById(id, u.ctx);
      const after = await this.#plans.patch(id, changes, expectedVersion === undefined ? {} : { expectedVersion }, u.ctx);
      await this.#audit.record(u, { entityType: 'memberships', entityId: id, action: 'update', previousState: auditSnapshot(before), newState: auditSnapshot(after) });
      return after;
    });
  }

  /** Stops selling a plan (and renewing it); existing periods run to their end. */
  async deactivatePlan(membershipId: MembershipId, uow?: UnitOfWork): Promise<Membership> {
    return this.updatePlan(membershipId, { isActive: false }, {}, uow);
  }

  /** A facility's plans in creation order; `activeOnly` for the ones on sale. */
  async listPlans(facilityId: FacilityId, filter: MembershipPlanFilter = {}, page?: PageRequest, uow?: UnitOfWork): Promise<Page<Membership>> {
    return this.#plans.listByFacility(this.#parse(facilityIdSchema, facilityId), filter, page, uow?.ctx);
  }

  /** One member subscription; `NotFoundError` when there is none. */
  async getSubscription(memberSubscriptionId: MemberSubscriptionId, uow?: UnitOfWork): Promise<MemberSubscription> {
    return this.#subscriptions.getById(this.#parse(subscriptionIdSchema, memberSubscriptionId), uow?.ctx);
  }

  /** One member's subscriptions, a page at a time; `filter` narrows them. */
  async listSubscriptionsByUser(userId: UserId, filter: MemberSubscriptionFilter = {}, page?: PageRequest, uow?: UnitOfWork): Promise<Page<MemberSubscription>> {
    return this.#subscriptions.listByUser(this.#parse(userIdSchema, userId), filter, page, uow?.ctx);
  }

  /** Active auto-renewing subscriptions ending at or before `before`: the renewal run's list. */
  async listDueForRenewal(before: Date, page?: PageRequest, uow?: UnitOfWork): Promise<Page<MemberSubscription>> {
    return this.#subscriptions.listDueForRenewal(this.#parse(instantSchema, before), page, uow?.ctx);
  }

  /** Active auto-renewing subscriptions in dunning whose next retry is due by `asOf`: the dunning run's list. */
  async listRetriesDue(asOf: Date, page?: PageRequest, uow?: UnitOfWork): Promise<Page<MemberSubscription>> {
    return this.#subscriptions.listRetriesDue(this.#parse(instantSchema, asOf), page, uow?.ctx);
  }

  /**
   * Writes the dunning record of a subscription (`null` removes it; `writeOff` also ends the
   * membership as `expired` with auto-renewal off) on the version read, audited as
   * `dunning` or `write_off`. A step of the renewal and dunning workflows.
   */
  async writeDunning(memberSubscriptionId: MemberSubscriptionId, change: DunningChangeInput, options: { readonly expectedVersion: number }, uow?: UnitOfWork): Promise<MemberSubscription> {
    const id = this.#parse(subscriptionIdSchema, memberSubscriptionId);
    const writeOff = this.#parse(dunningChangeSchema, change).writeOff === true;
    this.#parse(versionOptionsSchema, options);
    return inUnitOfWork(this.#deps.units, uow, async (u) => {
      const before = await this.#subscriptions.getById(id, u.ctx);
      const after = await this.#subscriptions.writeDunning(id, change, options, u.ctx);
      await this.#audit.record(u, { entityType: 'member_subscriptions', entityId: id, action: writeOff ? 'write_off' : 'dunning', previousState: auditSnapshot(before), newState: auditSnapshot(after) });
      return after;
    });
  }

  /** Active subscriptions that do not renew and end at or before `before`: the expiry run's list. */
  async listExpiring(before: Date, page?: PageRequest, uow?: UnitOfWork): Promise<Page<MemberSubscription>> {
    return this.#subscriptions.listExpiring(this.#parse(instantSchema, before), page, uow?.ctx);
  }

  /**
   * Starts a paid membership period: an `active` subscription from `startDate` for the plan's
   * duration (in the facility's time zone) or up to `endDate` when given, with its first
   * payment in the history, and — for a class pack — the `credits` the purchase fixed. Refuses
   * an inactive plan: `ConflictError('plan_inactive')`.
   */
  async startSubscription(input: StartSubscriptionInput, uow?: UnitOfWork): Promise<{ readonly subscription: MemberSubscription; readonly plan: Membership }> {
    const data = this.#parse(startSchema, input);
    return inUnitOfWork(this.#deps.units, uow, async (u) => {
      const plan = await this.#plans.getById(data.membershipId, u.ctx);
      if (!plan.isActive) throw new ConflictError('plan_inactive', `Membership plan ${plan.id} is no longer sold`);
      const credits = data.credits;
      const subscription = await this.#subscriptions.create(
        {
          userId: data.userId,
          facilityId: plan.facilityId,
          membershipId: plan.id,
          startDate: data.startDate,
          endDate: data.endDate ?? addMembershipPeriod(data.startDate, plan.duration, data.timeZone),
          status: 'active',
          autoRenew: data.autoRenew,
          paymentHistory: [data.payment],
          ...(credits ? { credits: subscriptionCreditsOf(credits, data.startDate, data.timeZone) } : {}),
          ...(plan.validAtFacilityIds?.length ? { validAtFacilityIds: plan.validAtFacilityIds } : {}),
          ...(plan.guestPasses ? { guestPasses: { perPeriod: plan.guestPasses.perPeriod, used: 0 } } : {}),
          ...(data.payerUserId && data.payerUserId !== data.userId ? { payerUserId: data.payerUserId } : {}),
          ...(data.discount ? { discount: data.discount } : {}),
        },
        u.ctx,
      );
      await this.#audit.record(u, { entityType: 'member_subscriptions', entityId: subscription.id, action: 'create', newState: auditSnapshot(subscription) });
      return { subscription, plan };
    });
  }

  /**
   * Extends an active subscription by its plan's duration and records the renewal payment,
   * guarded by `expectedVersion` so two renewals of the same period cannot both extend it.
   */
  async extendSubscription(
    memberSubscriptionId: MemberSubscriptionId,
    input: { readonly expectedVersion: number; readonly timeZone: string; readonly payment: PaymentRecordInput },
    uow?: UnitOfWork,
  ): Promise<MemberSubscription> {
    const id = this.#parse(subscriptionIdSchema, memberSubscriptionId);
    const data = this.#parse(z.strictObject({ expectedVersion: z.number().int().min(1), timeZone: timeZoneSchema, payment: paymentRecordSchema }), input);
    return inUnitOfWork(this.#deps.units, uow, async (u) => {
      const before = await this.#subscriptions.getById(id, u.ctx);
      if (before.status !== 'active') throw new ConflictError('subscription_not_active', `Member subscription ${id} is ${before.status}`);
      const plan = await this.#plans.getById(before.membershipId, u.ctx);
      const endDate = addMembershipPeriod(before.endDate, plan.duration, data.timeZone);
      const extended = await this.#subscriptions.patch(id, { endDate }, { expectedVersion: data.expectedVersion }, u.ctx);
      // A paid renewal ends the dunning of the period it renews.
      if (extended.dunning) await this.#subscriptions.writeDunning(id, { dunning: null }, { expectedVersion: extended.version }, u.ctx);
      // A new period: its guest passes start unused.
      if (plan.guestPasses || before.guestPasses) await this.#subscriptions.setGuestPasses(id, plan.guestPasses?.perPeriod ?? null, 0, u.ctx);
      const after = await this.#subscriptions.appendPayment(id, data.payment, u.ctx);
      await this.#audit.record(u, { entityType: 'member_subscriptions', entityId: id, action: 'renew', previousState: auditSnapshot(before), newState: auditSnapshot(after) });
      return after;
    });
  }

  /**
   * Moves an active subscription to another plan, guarded by `expectedVersion` (the version the
   * change was priced against: a subscription renewed, cancelled or changed since is refused
   * with `ConflictError('plan_change_not_applicable')`). A step of `changeMembershipPlan`, which
   * prices and charges the change. Refuses an inactive plan: `ConflictError('plan_inactive')`.
   */
  async changeSubscriptionPlan(
    memberSubscriptionId: MemberSubscriptionId,
    input: { readonly membershipId: MembershipId; readonly expectedVersion: number },
    uow?: UnitOfWork,
  ): Promise<MemberSubscription> {
    const id = this.#parse(subscriptionIdSchema, memberSubscriptionId);
    const data = this.#parse(z.strictObject({ membershipId: planIdSchema, expectedVersion: z.number().int().min(1) }), input);
    return inUnitOfWork(this.#deps.units, uow, async (u) => {
      const before = await this.#subscriptions.getById(id, u.ctx);
      if (before.status !== 'active' || before.version !== data.expectedVersion) {
        throw new ConflictError('plan_change_not_applicable', `Member subscription ${id} was renewed, cancelled or changed since the plan change was priced`);
      }
      const plan = await this.#plans.getById(data.membershipId, u.ctx);
      if (!plan.isActive) throw new ConflictError('plan_inactive', `Membership plan ${plan.id} is no longer sold`);
      const moved = await this.#subscriptions.patch(id, { membershipId: plan.id, validAtFacilityIds: plan.validAtFacilityIds?.length ? plan.validAtFacilityIds : null }, { expectedVersion: data.expectedVersion }, u.ctx);
      // The new plan's passes per period; those already used this period stay used.
      const passes = plan.guestPasses?.perPeriod ?? null;
      const after = passes === (before.guestPasses?.perPeriod ?? null) ? moved : ((await this.#subscriptions.setGuestPasses(id, passes, before.guestPasses?.used ?? 0, u.ctx)) ?? moved);
      await this.#audit.record(u, { entityType: 'member_subscriptions', entityId: id, action: 'plan_change', previousState: auditSnapshot(before), newState: auditSnapshot(after) });
      return after;
    });
  }

  /** Appends a payment (or refund) record; a `transactionId` already recorded is refused. */
  async recordPayment(memberSubscriptionId: MemberSubscriptionId, payment: PaymentRecordInput, uow?: UnitOfWork): Promise<MemberSubscription> {
    const id = this.#parse(subscriptionIdSchema, memberSubscriptionId);
    const record = this.#parse(paymentRecordSchema, payment);
    return inUnitOfWork(this.#deps.units, uow, async (u) => this.#subscriptions.appendPayment(id, record, u.ctx));
  }

  /** Sets a recorded payment's status (a refunded purchase), keeping the history in step with `transactions`. */
  async setPaymentStatus(memberSubscriptionId: MemberSubscriptionId, transactionId: string, status: PaymentRecordInput['status'], uow?: UnitOfWork): Promise<MemberSubscription> {
    const id = this.#parse(subscriptionIdSchema, memberSubscriptionId);
    return inUnitOfWork(this.#deps.units, uow, async (u) => this.#subscriptions.setPaymentStatus(id, transactionId, status, u.ctx));
  }

  /** Stops auto-renewal without ending the period (a declined renewal, a cancellation at period end). */
  async stopAutoRenew(memberSubscriptionId: MemberSubscriptionId, reason: string | undefined, uow?: UnitOfWork): Promise<MemberSubscription> {
    const id = this.#parse(subscriptionIdSchema, memberSubscriptionId);
    const why = reason === undefined ? undefined : this.#parse(longTextSchema, reason);
    return inUnitOfWork(this.#deps.units, uow, async (u) => {
      const before = await this.#subscriptions.getById(id, u.ctx);
      const after = await this.#subscriptions.patch(id, { autoRenew: false, ...(why === undefined ? {} : { cancellationReason: why }) }, { expectedVersion: before.version }, u.ctx);
      await this.#audit.record(u, { entityType: 'member_subscriptions', entityId: id, action: 'auto_renew_off', previousState: auditSnapshot(before), newState: auditSnapshot(after) });
      return after;
    });
  }

  /**
   * Cancels a subscription: `immediately` ends it now (status `cancelled`); `at_period_end`
   * stops renewal and lets the period run out (the expiry run then marks it `expired`).
   * Only an active or pending subscription can be cancelled: `ConflictError('subscription_not_active')`.
   */
  async cancelSubscription(memberSubscriptionId: MemberSubscriptionId, input: CancelSubscriptionInput, uow?: UnitOfWork): Promise<MemberSubscription> {
    const id = this.#parse(subscriptionIdSchema, memberSubscriptionId);
    const { when, reason } = this.#parse(cancelSchema, input);
    return inUnitOfWork(this.#deps.units, uow, async (u) => {
      const before = await this.#subscriptions.getById(id, u.ctx);
      if (before.status !== 'active' && before.status !== 'pending') {
        throw new ConflictError('subscription_not_active', `Member subscription ${id} is ${before.status} and cannot be cancelled`);
      }
      const changes =
        when === 'immediately'
          ? { status: 'cancelled' as const, cancelledAt: this.#deps.clock.now(), autoRenew: false, ...(reason === undefined ? {} : { cancellationReason: reason }) }
          : { autoRenew: false, ...(reason === undefined ? {} : { cancellationReason: reason }) };
      const after = await this.#subscriptions.patch(id, changes, { expectedVersion: before.version }, u.ctx);
      await this.#audit.record(u, { entityType: 'member_subscriptions', entityId: id, action: 'cancel', previousState: auditSnapshot(before), newState: auditSnapshot(after) });
      return after;
    });
  }

  /** Marks an active subscription whose period has ended as `expired`. */
  async expireSubscription(memberSubscriptionId: MemberSubscriptionId, asOf: Date, uow?: UnitOfWork): Promise<MemberSubscription> {
    const id = this.#parse(subscriptionIdSchema, memberSubscriptionId);
    const at = this.#parse(instantSchema, asOf);
    return inUnitOfWork(this.#deps.units, uow, async (u) => {
      const before = await this.#subscriptions.getById(id, u.ctx);
      if (before.status !== 'active' || before.endDate.getTime() > at.getTime()) {
        throw new ConflictError('subscription_not_ended', `Member subscription ${id} has not ended`);
      }
      const after = await this.#subscriptions.patch(id, { status: 'expired' }, { expectedVersion: before.version }, u.ctx);
      await this.#audit.record(u, { entityType: 'member_subscriptions', entityId: id, action: 'expire', previousState: auditSnapshot(before), newState: auditSnapshot(after) });
      return after;
    });
  }

  /**
   * Counts a member's visit to a facility against their membership: the active subscription
   * at the facility covering `at` (`ConflictError('membership_required')`) and its plan's
   * `maxVisitsPerWeek` for the ISO week (`ConflictError('weekly_visit_limit_reached')`;
   * absent = unlimited, still counted) — seed `memberships.limitations`. The week's count is
   * one conditional update of a counter, so concurrent check-ins never exceed the limit; with
   * `uow` it is undone with that unit. The facility's zone and hours are the visit workflow's.
   */
  async recordVisit(input: VisitInput, uow?: UnitOfWork): Promise<RecordedVisit> {
    const v = this.#parse(visitSchema, input);
    return inUnitOfWork(this.#deps.units, uow, async (u) => {
      const subscription = await this.#subscriptions.findActiveForUserAtFacility(v.userId, v.facilityId, v.at, u.ctx);
      if (!subscription) {
        const overdue = await this.#subscriptions.findOverdueForUserAtFacility(v.userId, v.facilityId, v.at, u.ctx);
        if (overdue?.dunning) throw overdueError({ id: overdue.id, dunning: overdue.dunning });
        throw new ConflictError('membership_required', `User ${v.userId} has no active membership at facility ${v.facilityId} covering ${v.at.toISOString()}`, {
          details: { userId: v.userId, facilityId: v.facilityId },
        });
      }
      assertNotFrozen(subscription, v.at);
      const limit = (await this.#plans.getById(subscription.membershipId, u.ctx)).limitations.maxVisitsPerWeek;
      const key = subscriptionWeekVisitsKey(subscription.id, v.isoWeek);
      const visitsThisWeek = await this.#visits.claimCounted(key, limit ?? Number.POSITIVE_INFINITY, u.ctx);
      if (visitsThisWeek === undefined) {
        throw new ConflictError('weekly_visit_limit_reached', `User ${v.userId} has used all ${limit} visits of ${v.isoWeek}`, {
          details: { memberSubscriptionId: subscription.id, week: v.isoWeek, limit },
        });
      }
      await u.emit('membership.visit_recorded', { memberSubscriptionId: subscription.id, userId: v.userId, facilityId: v.facilityId, at: v.at.toISOString(), week: v.isoWeek });
      return { memberSubscriptionId: subscription.id, isoWeek: v.isoWeek, visitsThisWeek, maxVisitsPerWeek: limit ?? null };
    });
  }

  /**
   * Freezes (pauses) an active subscription from `startDate` (today by default) to
   * `resumeDate` (open-ended when absent), in calendar days of the facility's zone. A freeze
   * with a known length moves the period end by exactly that many calendar days at once; an
   * open-ended one moves it when it ends. Refused, with nothing written: a subscription that is
   * not active (`ConflictError('subscription_not_active')`), a freeze overlapping another
   * (`ConflictError('freeze_overlap')`), and as `ValidationError`: a start before today or on
   * or after the period's last day, a resume date not after the start, a freeze longer than
   * `policy.maxDaysPerFreeze`, or more than `policy.maxDaysPerYear` days over the freezes
   * starting in that calendar year (an open-ended freeze counts as the most days it may last,
   * and ends by itself then). Written on the version read, so of two racing freezes one wins.
   */
  async freezeSubscription(memberSubscriptionId: MemberSubscriptionId, input: FreezeSubscriptionInput, uow?: UnitOfWork): Promise<FreezeChange> {
    const id = this.#parse(subscriptionIdSchema, memberSubscriptionId);
    const data = this.#parse(freezeSchema, input);
    return inUnitOfWork(this.#deps.units, uow, async (u) => {
      const before = await this.#subscriptions.getById(id, u.ctx);
      if (before.status !== 'active') throw new ConflictError('subscription_not_active', `Member subscription ${id} is ${before.status} and cannot be frozen`);
      const tz = data.timeZone;
      const now = this.#deps.clock.now();
      const today = calendarDayOf(now, tz);
      const start = data.startDate ?? today;
      if (start < today) this.#refuse(['startDate'], 'freezeStartsInPast');
      if (start >= calendarDayOf(before.endDate, tz)) this.#refuse(['startDate'], 'freezeAfterPeriod');
      const freezes = before.freezes ?? [];
      const year = start.slice(0, 4);
      const used = freezes
        .filter((f) => f.status !== 'cancelled' && calendarDayOf(f.startsAt, tz).startsWith(year))
        .reduce((sum, f) => sum + (f.days ?? calendarDaysBetween(calendarDayOf(f.startsAt, tz), calendarDayOf(f.latestResumesAt, tz))), 0);
      const yearLeft = data.policy.maxDaysPerYear - used;
      let days: number | undefined;
      let latestDay: string;
      if (data.resumeDate !== undefined) {
        days = calendarDaysBetween(start, data.resumeDate);
        if (days < 1) this.#refuse(['resumeDate'], 'freezeResumeAfterStart');
        if (days > data.policy.maxDaysPerFreeze) this.#refuse(['resumeDate'], 'freezeTooLong');
        if (days > yearLeft) this.#refuse(['resumeDate'], 'freezeYearLimit');
        latestDay = data.resumeDate;
      } else {
        const cap = Math.min(data.policy.maxDaysPerFreeze, yearLeft);
        if (cap < 1) this.#refuse(['startDate'], 'freezeYearLimit');
        latestDay = addCalendarDays(start, cap);
      }
      const startsAt = startOfCalendarDay(start, tz);
      const latestResumesAt = startOfCalendarDay(latestDay, tz);
      const clash = freezes.find((f) => f.status !== 'cancelled' && f.startsAt.getTime() < latestResumesAt.getTime() && startsAt.getTime() < (f.resumesAt ?? f.latestResumesAt).getTime());
      if (clash) {
        throw new ConflictError('freeze_overlap', `The freeze of member subscription ${id} from ${start} overlaps freeze ${clash.freezeId}`, {
          details: { memberSubscriptionId: id, freezeId: clash.freezeId },
        });
      }
      const freeze: MembershipFreeze = {
        freezeId: this.#deps.ids.newUuid(),
        startsAt,
        ...(days === undefined ? {} : { resumesAt: latestResumesAt, days }),
        latestResumesAt,
        status: start === today ? 'active' : 'scheduled',
        ...(data.fee ? { fee: data.fee } : {}),
        ...(data.reason === undefined ? {} : { reason: data.reason }),
        requestedAt: now,
      };
      const endDate = days === undefined ? undefined : shiftByCalendarDays(before.endDate, days, tz);
      const after = await this.#subscriptions.writeFreezes(id, { freezes: [...freezes, freeze], ...(endDate ? { endDate } : {}) }, { expectedVersion: before.version }, u.ctx);
      await this.#audit.record(u, { entityType: 'member_subscriptions', entityId: id, action: 'freeze', previousState: auditSnapshot(before), newState: auditSnapshot(after) });
      return { subscription: after, freeze, shiftedDays: days ?? 0 };
    });
  }

  /**
   * Ends a freeze on `resumeDate` (today by default): the running freeze, else the next
   * scheduled one, or the one named. The period end moves by the difference between the days
   * now frozen and the days already moved for it; a scheduled freeze ended on or before its
   * first day is cancelled and its days given back. Only shortens a freeze
   * (`ValidationError`: later than its end or the policy's limit, or before today);
   * `ConflictError('freeze_not_open')` when there is no such freeze.
   */
  async unfreezeSubscription(memberSubscriptionId: MemberSubscriptionId, input: UnfreezeSubscriptionInput, uow?: UnitOfWork): Promise<FreezeChange> {
    const id = this.#parse(subscriptionIdSchema, memberSubscriptionId);
    const data = this.#parse(unfreezeSchema, input);
    return inUnitOfWork(this.#deps.units, uow, async (u) => {
      const before = await this.#subscriptions.getById(id, u.ctx);
      const freezes = before.freezes ?? [];
      const open = freezes.filter((f) => f.status === 'active' || f.status === 'scheduled');
      const target = data.freezeId ? open.find((f) => f.freezeId === data.freezeId) : (open.find((f) => f.status === 'active') ?? open.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime())[0]);
      if (before.status !== 'active') throw new ConflictError('subscription_not_active', `Member subscription ${id} is ${before.status}`);
      if (!target) {
        throw new ConflictError('freeze_not_open', `Member subscription ${id} has no scheduled or running freeze${data.freezeId ? ` ${data.freezeId}` : ''}`, { details: { memberSubscriptionId: id } });
      }
      const tz = data.timeZone;
      const now = this.#deps.clock.now();
      const today = calendarDayOf(now, tz);
      const resume = data.resumeDate ?? today;
      if (resume < today) this.#refuse(['resumeDate'], 'freezeResumeInPast');
      if (resume > calendarDayOf(target.resumesAt ?? target.latestResumesAt, tz)) this.#refuse(['resumeDate'], 'freezeCannotExtend');
      const start = calendarDayOf(target.startsAt, tz);
      const applied = target.days ?? 0;
      const cancelled = resume <= start;
      const days = cancelled ? 0 : calendarDaysBetween(start, resume);
      const resumesAt = startOfCalendarDay(resume, tz);
      const changed: MembershipFreeze = cancelled
        ? { ...target, status: 'cancelled', days: 0, endedAt: now }
        : {
            ...target,
            resumesAt,
            latestResumesAt: resumesAt,
            days,
            status: resume <= today ? 'ended' : target.status,
            ...(resume <= today ? { endedAt: now } : {}),
          };
      const shift = days - applied;
      const endDate = shift === 0 ? undefined : shiftByCalendarDays(before.endDate, shift, tz);
      const after = await this.#subscriptions.writeFreezes(
        id,
        { freezes: freezes.map((f) => (f.freezeId === target.freezeId ? changed : f)), ...(endDate ? { endDate } : {}) },
        { expectedVersion: before.version },
        u.ctx,
      );
      await this.#audit.record(u, { entityType: 'member_subscriptions', entityId: id, action: 'unfreeze', previousState: auditSnapshot(before), newState: auditSnapshot(after) });
      return { subscription: after, freeze: changed, shiftedDays: shift };
    });
  }

  /**
   * Brings the subscription's freezes up to `asOf`: a scheduled freeze whose first day has
   * come becomes `active`, one whose end has passed `ended`; an open-ended freeze that reached
   * the most days it may last ends there and moves the period end by its days. Returns `null`
   * when nothing was due (nothing written), so running it twice changes nothing more.
   */
  async applySubscriptionFreezes(memberSubscriptionId: MemberSubscriptionId, input: { readonly asOf: Date; readonly timeZone: string }, uow?: UnitOfWork): Promise<FreezeChange[] | null> {
    const id = this.#parse(subscriptionIdSchema, memberSubscriptionId);
    const { asOf, timeZone: tz } = this.#parse(z.strictObject({ asOf: instantSchema, timeZone: timeZoneSchema }), input);
    return inUnitOfWork(this.#deps.units, uow, async (u) => {
      const before = await this.#subscriptions.getById(id, u.ctx);
      const now = this.#deps.clock.now();
      let shift = 0;
      const changes: MembershipFreeze[] = [];
      const freezes = (before.freezes ?? []).map((f): MembershipFreeze => {
        if (f.status !== 'scheduled' && f.status !== 'active') return f;
        if (f.latestResumesAt.getTime() <= asOf.getTime()) {
          const days = f.days ?? calendarDaysBetween(calendarDayOf(f.startsAt, tz), calendarDayOf(f.latestResumesAt, tz));
          shift += days - (f.days ?? 0);
          const ended: MembershipFreeze = { ...f, resumesAt: f.resumesAt ?? f.latestResumesAt, days, status: 'ended', endedAt: now };
          changes.push(ended);
          return ended;
        }
        if (f.status === 'scheduled' && f.startsAt.getTime() <= asOf.getTime()) {
          const started: MembershipFreeze = { ...f, status: 'active' };
          changes.push(started);
          return started;
        }
        return f;
      });
      if (changes.length === 0) return null;
      const endDate = shift === 0 ? undefined : shiftByCalendarDays(before.endDate, shift, tz);
      const after = await this.#subscriptions.writeFreezes(id, { freezes, ...(endDate ? { endDate } : {}) }, { expectedVersion: before.version }, u.ctx);
      await this.#audit.record(u, { entityType: 'member_subscriptions', entityId: id, action: 'apply_freezes', previousState: auditSnapshot(before), newState: auditSnapshot(after) });
      return changes.map((freeze) => ({ subscription: after, freeze, shiftedDays: shift }));
    });
  }

  /** Subscriptions with a freeze to start or end by `asOf`: the freeze job's work list (index `freezes_status`). */
  async listFreezesDue(asOf: Date, page?: PageRequest, uow?: UnitOfWork): Promise<Page<MemberSubscription>> {
    return this.#subscriptions.listFreezesDue(this.#parse(instantSchema, asOf), page, uow?.ctx);
  }

  /** The visits counted against the subscription in the ISO week (`2026-W10`). */
  async visitsInWeek(memberSubscriptionId: MemberSubscriptionId, isoWeek: string, uow?: UnitOfWork): Promise<number> {
    const id = this.#parse(subscriptionIdSchema, memberSubscriptionId);
    const week = this.#parse(visitSchema.shape.isoWeek, isoWeek);
    return this.#visits.taken(subscriptionWeekVisitsKey(id, week), uow?.ctx);
  }

  /**
   * Staff add `amount` credits (1..1000) to a class pack, with the reason in the audit row.
   * A subscription that is not a class pack, or a bad amount or reason: `ValidationError`,
   * nothing written.
   *
   * @example
   * ```ts
   * await memberships.grantCredits(memberSubscriptionId, { amount: 2, reason: 'Studio closed on Tuesday' });
   * ```
   */
  async grantCredits(memberSubscriptionId: MemberSubscriptionId, input: CreditAdjustmentInput, uow?: UnitOfWork): Promise<MemberSubscription> {
    return this.#adjustCredits('grant', memberSubscriptionId, input, uow);
  }

  /**
   * Staff take `amount` credits (1..1000) off a class pack, with the reason in the audit row,
   * by one conditional update. More than remain, a subscription that is not a class pack, or
   * a bad amount or reason: `ValidationError`, nothing written.
   */
  async revokeCredits(memberSubscriptionId: MemberSubscriptionId, input: CreditAdjustmentInput, uow?: UnitOfWork): Promise<MemberSubscription> {
    return this.#adjustCredits('revoke', memberSubscriptionId, input, uow);
  }

  /**
   * The nightly credit-expiry run: forfeits the credits left of every class pack whose
   * credits expired at or before `asOf` (remaining to 0, audited), one unit per subscription,
   * emitting `membership.credits_expired` for each. Idempotent: a second run finds nothing.
   * Returns the subscriptions it expired.
   */
  async expireCredits(asOf: Date): Promise<readonly MemberSubscription[]> {
    const at = this.#parse(instantSchema, asOf);
    const expired: MemberSubscription[] = [];
    for (;;) {
      const { items } = await this.#subscriptions.listCreditsExpiring(at, { limit: 100 });
      if (items.length === 0) return expired;
      for (const before of items) {
        const after = await inUnitOfWork(this.#deps.units, undefined, async (u) => {
          const forfeited = await this.#subscriptions.forfeitExpiredCredits(before.id, at, u.ctx);
          if (!forfeited) return null;
          await this.#audit.record(u, { entityType: 'member_subscriptions', entityId: before.id, action: 'credits_expire', previousState: auditSnapshot(before), newState: auditSnapshot(forfeited) });
          await u.emit('membership.credits_expired', { memberSubscriptionId: before.id, userId: before.userId, forfeited: before.credits?.remaining ?? 0 });
          return forfeited;
        });
        if (after) expired.push(after);
      }
    }
  }

  /**
   * Spends `credits` of a class pack for a booking, in `uow`, by one conditional update
   * (see `MemberSubscriptionRepository.spendCredits`). A pack activated on first booking is
   * activated now (its validity counted in `timeZone`). Refuses with
   * `ConflictError('credits_expired')` when the pack's credits are no longer valid at
   * `validAt`, else `ConflictError('no_credits')` when fewer than `credits` remain.
   */
  async spendClassCredits(memberSubscriptionId: MemberSubscriptionId, input: { readonly credits: number; readonly validAt: Date; readonly timeZone: string }, uow: UnitOfWork): Promise<MemberSubscription> {
    const id = this.#parse(subscriptionIdSchema, memberSubscriptionId);
    const data = this.#parse(spendSchema, input);
    const now = this.#deps.clock.now();
    const current = await this.#subscriptions.getById(id, uow.ctx);
    const validFor = current.credits?.validFor;
    const expiresAt = validFor ? addMembershipPeriod(now, validFor, data.timeZone) : undefined;
    const activates = current.credits !== undefined && current.credits.activatedAt === undefined;
    if (activates && expiresAt && expiresAt.getTime() <= data.validAt.getTime()) throw creditsExpired(id, expiresAt);
    const spent = await this.#subscriptions.spendCredits(id, data.credits, data.validAt, { at: now, expiresAt }, uow.ctx);
    if (spent) return spent;
    const after = await this.#subscriptions.getById(id, uow.ctx);
    if (after.credits?.expiresAt && after.credits.expiresAt.getTime() <= data.validAt.getTime()) throw creditsExpired(id, after.credits.expiresAt);
    throw new ConflictError('no_credits', `Member subscription ${id} has ${after.credits?.remaining ?? 0} credits left; the booking needs ${data.credits}`, {
      details: { memberSubscriptionId: id, remaining: after.credits?.remaining ?? 0, needed: data.credits },
    });
  }

  /**
   * Spends one guest pass of the subscription's current period for a guest booking, in `uow`,
   * by one conditional update (see `MemberSubscriptionRepository.spendGuestPass`). Refuses
   * with `ConflictError('no_guest_passes')` when the plan includes none or all are used.
   */
  async spendGuestPass(memberSubscriptionId: MemberSubscriptionId, uow: UnitOfWork): Promise<MemberSubscription> {
    const id = this.#parse(subscriptionIdSchema, memberSubscriptionId);
    const current = await this.#subscriptions.getById(id, uow.ctx);
    const spent = current.guestPasses ? await this.#subscriptions.spendGuestPass(id, current.guestPasses.perPeriod, uow.ctx) : null;
    if (spent) return spent;
    const perPeriod = current.guestPasses?.perPeriod ?? 0;
    throw new ConflictError('no_guest_passes', `Member subscription ${id} has no guest passes left this period (${perPeriod} per period)`, {
      details: { memberSubscriptionId: id, perPeriod },
    });
  }

  /** Gives a guest pass back to the subscription, in `uow` (a guest booking cancelled before the cut-off); nothing when none is used. */
  async returnGuestPass(memberSubscriptionId: MemberSubscriptionId, uow: UnitOfWork): Promise<void> {
    await this.#subscriptions.returnGuestPass(this.#parse(subscriptionIdSchema, memberSubscriptionId), uow.ctx);
  }

  /** Gives `credits` spent on a booking back to the class pack, in `uow` (a cancellation before the cut-off). */
  async returnClassCredits(memberSubscriptionId: MemberSubscriptionId, credits: number, uow: UnitOfWork): Promise<MemberSubscription> {
    const id = this.#parse(subscriptionIdSchema, memberSubscriptionId);
    const returned = await this.#subscriptions.addCredits(id, this.#parse(creditAmountSchema, credits), false, uow.ctx);
    if (returned) return returned;
    throw notClassPack(id);
  }

  async #adjustCredits(kind: 'grant' | 'revoke', memberSubscriptionId: MemberSubscriptionId, input: CreditAdjustmentInput, uow?: UnitOfWork): Promise<MemberSubscription> {
    const id = this.#parse(subscriptionIdSchema, memberSubscriptionId);
    const { amount, reason } = this.#parse(creditAdjustmentSchema, input);
    return inUnitOfWork(this.#deps.units, uow, async (u) => {
      const before = await this.#subscriptions.getById(id, u.ctx);
      if (!before.credits) throw notClassPack(id);
      const after = kind === 'grant' ? await this.#subscriptions.addCredits(id, amount, true, u.ctx) : await this.#subscriptions.removeCredits(id, amount, u.ctx);
      if (!after) {
        throw new ValidationError(`Cannot revoke ${amount} credits: member subscription ${id} has ${before.credits.remaining} left`, [
          { path: ['amount'], code: 'too_big', message: `At most ${before.credits.remaining} credits can be revoked` },
        ]);
      }
      await this.#audit.record(u, {
        entityType: 'member_subscriptions',
        entityId: id,
        action: kind === 'grant' ? 'credits_grant' : 'credits_revoke',
        previousState: auditSnapshot(before),
        newState: { ...auditSnapshot(after), reason, amount },
      });
      return after;
    });
  }

  async #assertOneBusiness(facilityId: FacilityId, others: readonly FacilityId[], u: UnitOfWork): Promise<void> {
    if (!this.#facilities) throw new ConfigurationError('Multi-location plans need the facilities source of createMembershipsModule');
    const { ownerId } = await this.#facilities.getById(facilityId, u.ctx);
    for (const other of others) {
      const facility = await this.#facilities.getById(other, u.ctx);
      if (facility.ownerId !== ownerId) {
        throw new ConflictError('facility_not_in_business', `Facility ${other} belongs to another business than facility ${facilityId}`, { details: { facilityId, otherFacilityId: other } });
      }
    }
  }

  #refuse(path: (string | number)[], message: ValidationMessageKey): never {
    const tr = this.#deps.locale === 'tr';
    const text = tr ? (turkishMessageFor(M[message].en) ?? M[message].en) : M[message].en;
    const issue: ValidationIssue = { path, code: 'custom', message: text };
    throw new ValidationError(`${tr ? 'Geçersiz membership freeze' : 'Invalid membership freeze'}: ${path.join('.')}: ${text}`, [issue]);
  }

  #parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
    return parseOrThrow(schema, input, { ...(this.#deps.locale ? { locale: this.#deps.locale } : {}), entity: 'membership' });
  }
}
