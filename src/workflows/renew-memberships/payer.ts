import type { UserId } from '../../core/ids.js';
import type { MemberSubscription } from '../../modules/memberships/index.js';

/** Who a renewal charges: the guardian or payer the membership records, else the member. */
export function payerOf(subscription: Pick<MemberSubscription, 'userId' | 'payerUserId'>): UserId {
  return (subscription.payerUserId ?? subscription.userId) as UserId;
}
