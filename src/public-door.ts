import { operationNamesOf } from './access/scoped-nexfit.js';
import type { BillingService } from './modules/billing/billing.service.js';
import type { BookingService } from './modules/classes/booking.service.js';
import type { CoachingService } from './modules/coaching/coaching.service.js';
import type { MembershipService } from './modules/memberships/membership.service.js';

/**
 * A service as the public instance shows it: every method bound to the service, except the
 * `steps` a workflow composes under its own rules (reserving a seat without the capacity,
 * membership and weekly-limit checks of `bookClass`, starting a subscription without the charge
 * of `purchaseMembership`…). The workflows keep the whole service.
 */
export function withoutSteps<S extends object, K extends keyof S & string>(service: S, steps: readonly K[]): Omit<S, K> {
  const door: Record<string, unknown> = {};
  for (const name of operationNamesOf(service)) {
    if ((steps as readonly string[]).includes(name)) continue;
    door[name] = ((service as Record<string, unknown>)[name] as (...args: unknown[]) => unknown).bind(service);
  }
  return door as Omit<S, K>;
}

/** The steps of `bookClass` and `bookGuest`: capacity, membership, guest passes and weekly limit are checked there, not here. */
export const BOOKING_STEPS = ['reserveSeat', 'releaseSeat', 'reserveWaitlistTurn', 'releaseWaitlistTurn', 'recordBooking', 'recordWaitlistTurn', 'assertNotBooked', 'lockMemberWeek', 'assertNotSuspended', 'countMemberBookingsAtFacilities', 'recordGuestBooking'] as const;

/** The steps of the waivers: `assertCleared` is the check of `bookClass`, PT slot bookings and check-ins (`getClearance` is the read). */
export const WAIVER_STEPS = ['assertCleared'] as const;

/** The steps of the membership workflows and of `recordFacilityVisit` (charge, opening hours). */
export const MEMBERSHIP_STEPS = [
  'startSubscription',
  'extendSubscription',
  'recordPayment',
  'setPaymentStatus',
  'expireSubscription',
  'recordVisit',
  'changeSubscriptionPlan',
  'spendClassCredits',
  'returnClassCredits',
  'spendGuestPass',
  'returnGuestPass',
  'freezeSubscription',
  'unfreezeSubscription',
  'applySubscriptionFreezes',
  'listFreezesDue',
  'writeDunning',
  'listRetriesDue',
] as const;

/** The steps of the workflows that act or pay for a dependant: the guardian-link hold and the payer check. */
export const ACCOUNT_LINK_STEPS = ['holdGuardianship', 'assertMayPay'] as const;
/** The steps of the purchase and renewal workflows that quote, redeem and count promo codes: a purchase redeems a code, callers do not. */
export const PROMO_CODE_STEPS = ['quote', 'redeem', 'useRenewalCycle'] as const;

/** The steps of `completePtSession` and of the PT session workflows. */
export const COACHING_STEPS = ['consumePackageSession', 'returnPackageSession', 'markSessionCompleted'] as const;

/**
 * The steps of the purchase, renewal and refund workflows: each records money (a payment, an
 * invoice, a billing row, a refund and its credit note) or an idempotency record without the
 * provider's charge or refund, the intent that recovery drives, and the idempotency check that
 * goes with them.
 */
export const BILLING_STEPS = [
  'recordPayment',
  'issuePaidInvoice',
  'openBillingSubscription',
  'updateBillingSubscription',
  'recordRefund',
  'lockRefundable',
  'findIdempotentResult',
  'claimIdempotencyKey',
  'completeIdempotencyKey',
] as const;

/** The whole services behind an instance's doors, steps included: for the workflows and the SDK's own tests. */
export interface WorkflowSteps {
  readonly bookings: BookingService;
  readonly memberships: MembershipService;
  readonly coaching: CoachingService;
  readonly billing: BillingService;
}

/** Keyed by the instance's `bookings` door, which `createNexfit` copies onto the instance unchanged. */
const stepsByDoor = new WeakMap<object, WorkflowSteps>();

/** Remembers the whole services behind `door` (see {@link workflowStepsOf}). */
export function rememberSteps(door: object, steps: WorkflowSteps): void {
  stepsByDoor.set(door, steps);
}

/**
 * The whole services behind an instance (`nexfit` or the modules), steps included. Not exported
 * by any entry point: the SDK's tests exercise the steps' own validation through it.
 */
export function workflowStepsOf(instance: { readonly bookings: object }): WorkflowSteps {
  const steps = stepsByDoor.get(instance.bookings);
  if (!steps) throw new Error('Not an instance built by createNexfitModules');
  return steps;
}
