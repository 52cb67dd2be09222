/**
 * The memberships module's only door: plan catalogues and members' subscriptions.
 *
 * @example
 * ```ts
 * const { service } = createMembershipsModule(db, pg, deps);
 * await service.listPlans(facilityId, { activeOnly: true });
 * ```
 */
import type { Kysely } from 'kysely';
import type { Db } from 'mongodb';
import type { Database } from '../../stores/postgres/database.js';
import { AuditLogRepository } from '../audit/audit-log.repository.js';
import { AuditTrail } from '../audit/audit-trail.js';
import type { ServiceDeps } from '../service-deps.js';
import { MemberSubscriptionRepository } from './member-subscription.repository.js';
import { MembershipRepository } from './membership.repository.js';
import { MembershipService, type PlanFacilitySource } from './membership.service.js';
import { VisitCounterRepository } from './visit-counter.repository.js';
import { DocumentLocks } from '../../stores/mongo/document-lock.js';
import { PromoCodeRepository, PromoRedemptionRepository } from './promo-code.repository.js';
import { PromoCodeService } from './promo-code.service.js';

export * from './membership.schema.js';
export * from './member-subscription.schema.js';
export { MembershipRepository, type MembershipPlanFilter } from './membership.repository.js';
export { MemberSubscriptionRepository, type MemberSubscriptionFilter, type PaymentRecordInput } from './member-subscription.repository.js';
export {
  addMembershipPeriod,
  MembershipService,
  type CancelSubscriptionInput,
  type CreditAdjustmentInput,
  type FreezeChange,
  type FreezeSubscriptionInput,
  type PlanFacilitySource,
  type RecordedVisit,
  type StartSubscriptionInput,
  type UnfreezeSubscriptionInput,
  type VisitInput,
} from './membership.service.js';
export * from './membership-freeze.schema.js';
export * from './membership-dunning.schema.js';
export { assertNotOverdue, dunningRetryAt, overdueError } from './membership-dunning.js';
export { addCalendarDays, assertNotFrozen, calendarDayOf, calendarDaysBetween, freezeAt, freezeCovers, shiftByCalendarDays, startOfCalendarDay } from './membership-freeze.js';
export { type DunningChangeInput, type FreezeChangeInput } from './member-subscription.repository.js';
export * from './promo-code.schema.js';
export { PromoCodeRepository, PromoRedemptionRepository } from './promo-code.repository.js';
export { PromoCodeService, subscriptionDiscountOf, type PromoQuote, type PromoQuoteInput, type PromoRedemptionInput } from './promo-code.service.js';
export { discountedPrice, type DiscountedPrice, type DiscountTerms } from './promo-discount.js';
export { subscriptionWeekVisitsKey, VisitCounterRepository } from './visit-counter.repository.js';

/** The memberships module's repositories and services. */
export interface MembershipsModule {
  readonly plans: MembershipRepository;
  readonly subscriptions: MemberSubscriptionRepository;
  readonly service: MembershipService;
  readonly promoCodes: PromoCodeRepository;
  readonly promoRedemptions: PromoRedemptionRepository;
  readonly promoCodeService: PromoCodeService;
}

/**
 * The plan, member-subscription and promo-code repositories, the membership service and the
 * promo-code service; `facilities` (the facilities module's repository) lets multi-location
 * plans check their facilities' owner.
 */
export function createMembershipsModule(db: Db, pg: Kysely<Database>, deps: ServiceDeps, facilities?: PlanFacilitySource): MembershipsModule {
  const plans = new MembershipRepository(db, deps);
  const subscriptions = new MemberSubscriptionRepository(db, deps);
  const visits = new VisitCounterRepository(db, deps);
  const promoCodes = new PromoCodeRepository(db, deps);
  const promoRedemptions = new PromoRedemptionRepository(db, deps);
  const audit = new AuditTrail(new AuditLogRepository(pg, deps));
  return {
    plans,
    subscriptions,
    service: new MembershipService(plans, subscriptions, visits, audit, deps, facilities),
    promoCodes,
    promoRedemptions,
    promoCodeService: new PromoCodeService({ codes: promoCodes, redemptions: promoRedemptions, plans, subscriptions, locks: new DocumentLocks(db, deps) }, audit, deps),
  };
}
