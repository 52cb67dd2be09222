import { allItems, jsonOfAll, type PersonalDataContributor, type PersonalDataDeclaration } from '../personal-data.js';
import { MEMBER_SUBSCRIPTIONS_COLLECTION } from './member-subscription.collection.js';
import type { MemberSubscriptionRepository } from './member-subscription.repository.js';
import type { MembershipService } from './membership.service.js';
import { PROMO_REDEMPTIONS_COLLECTION } from './promo-code.collection.js';
import type { PromoRedemptionRepository } from './promo-code.repository.js';

/** The memberships module's user-linked data: the user's member subscriptions and promo-code redemptions. */
export const MEMBER_SUBSCRIPTION_PERSONAL_DATA = {
  module: 'memberships',
  holds: [
    { store: 'mongo', name: MEMBER_SUBSCRIPTIONS_COLLECTION.name },
    { store: 'mongo', name: PROMO_REDEMPTIONS_COLLECTION.name },
  ],
} as const satisfies PersonalDataDeclaration;

/**
 * The memberships module's part in export and erasure: the user's member subscriptions are
 * exported. They stay on erasure (the facility and the law rely on them) without their
 * cancellation reason, and an erased account is never charged again: an active or pending
 * subscription is cancelled immediately, any other stops renewing. The user's promo-code
 * redemptions are exported, and deleted by an erasure (the codes' redemption counts stay).
 *
 * @example
 * ```ts
 * const contributor = memberSubscriptionPersonalData(membershipsModule.subscriptions, membershipsModule.service, membershipsModule.promoRedemptions);
 * ```
 */
export function memberSubscriptionPersonalData(
  subscriptions: MemberSubscriptionRepository,
  memberships: MembershipService,
  redemptions: PromoRedemptionRepository,
): PersonalDataContributor {
  return {
    ...MEMBER_SUBSCRIPTION_PERSONAL_DATA,
    async export(userId) {
      return {
        memberSubscriptions: await jsonOfAll((p) => subscriptions.listByUser(userId, {}, p)),
        promoRedemptions: await jsonOfAll((p) => redemptions.listByUser(userId, p)),
      };
    },
    async erase(userId, { uow, personalStrings, subjectIds }) {
      const ctx = uow.ctx;
      let memberSubscriptions = 0;
      for (const subscription of await allItems((p) => subscriptions.listByUser(userId, {}, p, ctx))) {
        subjectIds.add(subscription.id);
        let changed = false;
        if (subscription.cancellationReason) {
          personalStrings.push(subscription.cancellationReason);
          await subscriptions.patch(subscription.id, { cancellationReason: null }, {}, ctx);
          changed = true;
        }
        // An erased account is never charged again: no renewal, no period left running.
        if (subscription.status === 'active' || subscription.status === 'pending') {
          await memberships.cancelSubscription(subscription.id, { when: 'immediately' }, uow);
          changed = true;
        } else if (subscription.autoRenew) {
          await subscriptions.patch(subscription.id, { autoRenew: false }, {}, ctx);
          changed = true;
        }
        if (changed) memberSubscriptions++;
      }
      // A redemption says which codes the member used: it goes with them.
      const promoRedemptions = await redemptions.deleteAllOfUser(userId, ctx);
      return { anonymised: { memberSubscriptions }, deleted: { promoRedemptions } };
    },
  };
}
