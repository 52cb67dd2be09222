import type { JsonObject } from 'type-fest';

/**
 * The domain events the SDK's services emit, by type, with their payloads. Delivered only
 * after the unit of work that emitted them committed, at least once.
 */
export interface NexfitEventMap {
  'user.registered': { readonly userId: string };
  'user.deactivated': { readonly userId: string };
  'membership.purchased': { readonly memberSubscriptionId: string; readonly userId: string; readonly facilityId: string; readonly invoiceId: string };
  'membership.renewed': { readonly memberSubscriptionId: string; readonly invoiceId: string };
  'membership.cancelled': { readonly memberSubscriptionId: string; readonly reason: string | null };
  /** A member checked in at a facility, counted against their membership's weekly visits. */
  'membership.visit_recorded': { readonly memberSubscriptionId: string; readonly userId: string; readonly facilityId: string; readonly at: string; readonly week: string };
  /** The nightly credit-expiry run forfeited the credits left of a class pack. */
  'membership.credits_expired': { readonly memberSubscriptionId: string; readonly userId: string; readonly forfeited: number };
  'membership.refunded': { readonly memberSubscriptionId: string; readonly transactionId: string };
  /** A membership moved to another plan mid-period; `transactionId` is the difference charged or refunded (`null`: none). */
  'membership.plan_changed': { readonly memberSubscriptionId: string; readonly fromMembershipId: string; readonly toMembershipId: string; readonly transactionId: string | null };
  /** A seat was booked; `guest` on a guest booking (`userId` is then the host). */
  'booking.created': { readonly bookingId: string; readonly classId: string; readonly userId: string; readonly occurrence: string; readonly guest?: boolean };
  'booking.cancelled': { readonly bookingId: string; readonly late: boolean };
  'booking.attended': { readonly bookingId: string };
  /** A member took a turn on a full occurrence's waitlist. */
  'booking.waitlisted': { readonly bookingId: string; readonly classId: string; readonly userId: string; readonly occurrence: string };
  /** A freed seat went to the first member on the waitlist: notify them. */
  'booking.promoted': { readonly bookingId: string; readonly classId: string; readonly userId: string; readonly occurrence: string };
  /** A booking earned a member strikes (a no-show or a late cancellation, see `BookingPolicy`). */
  'booking.strike': { readonly bookingId: string; readonly userId: string; readonly kind: 'no_show' | 'late_cancellation'; readonly weight: number };
  /** A member's strikes reached the limit: booking at the facility is suspended until `until`. */
  'booking.suspended': { readonly userId: string; readonly facilityId: string; readonly until: string };
  /** A late cancellation or no-show fee was recorded; it is charged once its unit has committed. */
  'booking.fee_assessed': { readonly bookingId: string; readonly feeId: string; readonly userId: string; readonly kind: 'no_show' | 'late_cancellation'; readonly amount: number; readonly currency: string };
  /** A booking fee was paid (`transactionId`) or its charge declined or failed (`unpaid`). */
  'booking.fee_charged': { readonly bookingId: string; readonly feeId: string; readonly status: 'paid' | 'unpaid'; readonly transactionId: string | null };
  /** Staff waived a booking fee; `refundTransactionId` when it had been paid. */
  'booking.fee_waived': { readonly bookingId: string; readonly feeId: string; readonly refundTransactionId: string | null };
  'pt_session.completed': { readonly ptSessionId: string; readonly coachId: string; readonly clientId: string };
  /** A membership was frozen (now or from a later day); `resumesAt` is `null` for an open-ended freeze. */
  'membership.frozen': { readonly memberSubscriptionId: string; readonly freezeId: string; readonly startsAt: string; readonly resumesAt: string | null; readonly endDate: string };
  /** A freeze ended (unfrozen, reached its end, or cancelled before its first day). */
  'membership.unfrozen': { readonly memberSubscriptionId: string; readonly freezeId: string; readonly status: string; readonly endDate: string };
  /** A renewal was declined: the membership is overdue from `periodEnd` and retried from `nextRetryAt`. */
  'membership.overdue': { readonly memberSubscriptionId: string; readonly userId: string; readonly periodEnd: string; readonly nextRetryAt: string | null };
  /** The last retry of an overdue renewal was declined: the membership ended unpaid and nothing more is charged. */
  'membership.written_off': { readonly memberSubscriptionId: string; readonly userId: string; readonly periodEnd: string; readonly attempts: number };
  /** Events a host app emits through a unit of work for its own purposes. */
  'custom': JsonObject;
}

/** The name of a domain event. */
export type NexfitEventType = keyof NexfitEventMap;

/** One delivered event. `id` is stable across redeliveries: handlers deduplicate on it. */
export interface NexfitEvent<T extends NexfitEventType = NexfitEventType> {
  readonly id: string;
  readonly type: T;
  readonly payload: NexfitEventMap[T];
  readonly occurredAt: Date;
}

/** A subscriber to one type of domain event, called after the commit. */
export type NexfitEventHandler<T extends NexfitEventType> = (event: NexfitEvent<T>) => void | Promise<void>;
