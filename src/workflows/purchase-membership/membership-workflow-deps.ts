import type { Clock } from '../../core/clock.js';
import type { IdGenerator } from '../../core/ids.js';
import type { BillingService } from '../../modules/billing/index.js';
import type { PaymentProvider } from '../../modules/billing/index.js';
import type { PaymentIntentRepository } from '../../modules/billing/index.js';
import type { FacilityService } from '../../modules/facilities/index.js';
import type { AccountLinkService, UserRepository } from '../../modules/users/index.js';
import type { MembershipService, PromoCodeService } from '../../modules/memberships/index.js';
import type { UnitRunner } from '../../uow/unit-runner.js';
import type { ValidationLocale } from '../../core/validation.js';
import type { BookingFeeRepository } from '../../modules/classes/index.js';
import type { AuditTrail } from '../../modules/audit/index.js';

/** What the membership workflows (purchase, renewal, cancel, expire, refund) work with. */
export interface MembershipWorkflowDeps {
  readonly memberships: MembershipService;
  /** Promo codes: quoted before a purchase charges, redeemed in its unit, counted off at renewal. */
  readonly promoCodes: Pick<PromoCodeService, 'quote' | 'redeem' | 'useRenewalCycle'>;
  readonly billing: BillingService;
  readonly facilities: Pick<FacilityService, 'getById'>;
  /** Recovery checks that the buyer still exists (and was not erased) before it completes a purchase. */
  readonly users: Pick<UserRepository, 'findById'>;
  /** Who may pay for whom (family and payer accounts); without it, members pay for themselves only. */
  readonly accountLinks?: Pick<AccountLinkService, 'assertMayPay'> | undefined;
  /** The host's payment port (`TestPaymentProvider` in tests). */
  readonly payments: PaymentProvider;
  /** The durable record of every call to `payments`, which recovery finishes. */
  readonly intents: PaymentIntentRepository;
  readonly units: UnitRunner;
  readonly clock: Clock;
  /** Ids a workflow needs before the record that carries them is written (a purchase's invoice id). */
  readonly ids: Pick<IdGenerator, 'newUuid'>;
  /** Language of validation messages, from `createNexfit({ locale })`. */
  readonly locale?: ValidationLocale | undefined;
  /** Where booking fees are kept: recovery completes a `fee` intent against it. */
  readonly bookingFees?: BookingFeeRepository | undefined;
  /** Where recovery audits what it completes for staff: a waived fee whose refund the provider made. */
  readonly audit?: AuditTrail | undefined;
}
