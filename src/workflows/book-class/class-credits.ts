import type { ClassId, FacilityId, MemberSubscriptionId, MembershipId, UserId } from '../../core/ids.js';
import type { BookingCredits, ClassBooking, CreditCharge, GuestPassCharge } from '../../modules/classes/index.js';
import type { MembershipService } from '../../modules/memberships/index.js';
import { ConflictError } from '../../core/errors.js';
import type { StoreContext } from '../../stores/store-context.js';
import type { UnitOfWork } from '../../uow/unit-of-work.js';

/** What spending and returning class-pack credits needs of the memberships module. `MembershipService` fits. */
export type ClassCreditLedger = Pick<MembershipService, 'spendClassCredits' | 'returnClassCredits' | 'returnGuestPass'>;

/** The subscription a booking is made on, as `MembershipSource` returns it: class packs carry `credits`. */
export interface CreditPayingSubscription {
  readonly id: string;
  readonly credits?: { readonly remaining: number } | undefined;
}

/** The class a seat is in, for its credit cost (`creditCost`, 1 when absent). */
export interface CreditPricedClass {
  readonly creditCost?: number | undefined;
}

/**
 * Spends the class's `creditCost` from a class-pack subscription for a seat, in the booking's
 * unit (one conditional update: `remaining >= cost`, valid at the occurrence's start). Returns
 * the charge to record on the booking, or `undefined` for a subscription without credits.
 * Refusals: `ConflictError('no_credits')`, `ConflictError('credits_expired')`.
 */
export async function spendCreditsForSeat(
  ledger: ClassCreditLedger,
  subscription: CreditPayingSubscription,
  fitnessClass: CreditPricedClass,
  occurrence: { readonly start: Date; readonly timeZone: string },
  uow: UnitOfWork,
): Promise<CreditCharge | undefined> {
  if (!subscription.credits) return undefined;
  const credits = fitnessClass.creditCost ?? 1;
  await ledger.spendClassCredits(subscription.id as MemberSubscriptionId, { credits, validAt: occurrence.start, timeZone: occurrence.timeZone }, uow);
  return { memberSubscriptionId: subscription.id as MemberSubscriptionId, credits };
}

/** What paying a promoted seat reads: the class, its facility's zone, and the member's subscription there. */
export interface PromotionCreditSources {
  readonly ledger: ClassCreditLedger;
  readonly classes: { getById(id: ClassId, ctx?: StoreContext): Promise<CreditPricedClass & { readonly facilityId: FacilityId }> };
  readonly facilities: { getById(id: FacilityId, ctx?: StoreContext): Promise<{ readonly timezone: string }> };
  readonly subscriptions: {
    findActiveForUserAtFacility(userId: UserId, facilityId: FacilityId, at: Date, ctx?: StoreContext): Promise<(CreditPayingSubscription & { readonly membershipId: MembershipId }) | null>;
  };
}

/**
 * The classes module's {@link BookingCredits}: a waitlist turn promoted to a seat spends its
 * credits then, from the member's subscription at the class's facility; a member whose pack
 * has none left (or whose credits expired) is skipped and the next turn served. A seat
 * cancelled before the cut-off gets its credits back, a guest booking its guest pass.
 */
export function bookingCredits(sources: () => PromotionCreditSources): BookingCredits {
  return {
    async chargePromotion(turn: ClassBooking, uow: UnitOfWork) {
      const s = sources();
      const fitnessClass = await s.classes.getById(turn.classId, uow.ctx);
      const subscription = await s.subscriptions.findActiveForUserAtFacility(turn.userId, fitnessClass.facilityId, turn.date, uow.ctx);
      if (!subscription?.credits) return null;
      const { timezone } = await s.facilities.getById(fitnessClass.facilityId, uow.ctx);
      try {
        return (await spendCreditsForSeat(s.ledger, subscription, fitnessClass, { start: turn.date, timeZone: timezone }, uow)) ?? null;
      } catch (error) {
        if (error instanceof ConflictError && (error.reason === 'no_credits' || error.reason === 'credits_expired')) return 'skip';
        throw error;
      }
    },
    async refund(charge: CreditCharge, uow: UnitOfWork) {
      await sources().ledger.returnClassCredits(charge.memberSubscriptionId, charge.credits, uow);
    },
    async returnGuestPass(pass: GuestPassCharge, uow: UnitOfWork) {
      await sources().ledger.returnGuestPass(pass.memberSubscriptionId, uow);
    },
  };
}
