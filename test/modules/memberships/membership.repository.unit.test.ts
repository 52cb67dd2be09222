import { describe, expectTypeOf, it } from 'vitest';
import type { FacilityId, MembershipId, MemberSubscriptionId, UserId } from '../../../src/core/ids.js';
import type { Page } from '../../../src/core/pagination.js';
import type { MemberSubscriptionRepository } from '../../../src/modules/memberships/member-subscription.repository.js';
import type { MemberSubscription } from '../../../src/modules/memberships/member-subscription.schema.js';
import type { MembershipRepository } from '../../../src/modules/memberships/membership.repository.js';
import type { Membership } from '../../../src/modules/memberships/membership.schema.js';

const userId = '65f0c3a1e4b0a1b2c3d4e5f6' as UserId;
const facilityId = '65f0c3a1e4b0a1b2c3d4e5f7' as FacilityId;
const subscriptionId = '65f0c3a1e4b0a1b2c3d4e5f8' as MemberSubscriptionId;
const payment = { amount: 100, currency: 'TRY', date: new Date(), method: 'card', status: 'completed', transactionId: '00000000-0000-4000-8000-000000000001' } as const;

/** Compiled, never run: each marked line must fail to type-check. */
function misuses(plans: MembershipRepository, subscriptions: MemberSubscriptionRepository): void {
  // @ts-expect-error a UserId is not a FacilityId
  void plans.listByFacility(userId);
  // @ts-expect-error the filter is { activeOnly }, not a stored field
  void plans.listByFacility(facilityId, { isActive: true });
  // @ts-expect-error a FacilityId is not a UserId
  void subscriptions.listByUser(facilityId);
  // @ts-expect-error not a subscription status
  void subscriptions.listByFacility(facilityId, { status: 'paused' });
  // @ts-expect-error user first, then facility
  void subscriptions.findActiveForUserAtFacility(facilityId, userId, new Date());
  // @ts-expect-error a MembershipId is not a MemberSubscriptionId
  void subscriptions.appendPayment('65f0c3a1e4b0a1b2c3d4e5f9' as MembershipId, payment);
  // @ts-expect-error not a payment method
  void subscriptions.appendPayment(subscriptionId, { ...payment, method: 'barter' });
}

describe('membership repositories types', () => {
  it('take branded ids and typed filters', () => {
    expectTypeOf(misuses).toBeFunction();
    expectTypeOf<MembershipRepository['listByFacility']>().parameter(0).toEqualTypeOf<FacilityId>();
    expectTypeOf<ReturnType<MembershipRepository['listByFacility']>>().toEqualTypeOf<Promise<Page<Membership>>>();
    expectTypeOf<ReturnType<MemberSubscriptionRepository['findActiveForUserAtFacility']>>().toEqualTypeOf<Promise<MemberSubscription | null>>();
    expectTypeOf<ReturnType<MemberSubscriptionRepository['listDueForRenewal']>>().toEqualTypeOf<Promise<Page<MemberSubscription>>>();
  });
});
