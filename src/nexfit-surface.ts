/**
 * The business surface of a `Nexfit` instance, declared rather than inferred: what host apps
 * compile against cannot change because a module's internals did, and every type in it can be
 * imported by name from `@nexfit/sdk`.
 */
import type { IntentRecoveryOptions, IntentRecoveryReport } from './workflows/payment-intents/recover-payment-intents.workflow.js';
import type { SyncInstructorNamesOptions, SyncInstructorNamesReport } from './workflows/denormalised-copies/sync-instructor-names.workflow.js';
import type { AnalyticsDailyRepository } from './modules/analytics/analytics-daily.repository.js';
import type { AnalyticsService } from './modules/analytics/analytics.service.js';
import type { AuditLogRepository } from './modules/audit/audit-log.repository.js';
import type { BillingService } from './modules/billing/billing.service.js';
import type { InvoiceRepository } from './modules/billing/invoice.repository.js';
import type { SubscriptionRepository } from './modules/billing/subscription.repository.js';
import type { TransactionRepository } from './modules/billing/transaction.repository.js';
import type { CatalogService } from './modules/catalog/catalog.service.js';
import type { ExerciseRepository } from './modules/catalog/exercise.repository.js';
import type { FoodRepository } from './modules/catalog/food.repository.js';
import type { BookingService } from './modules/classes/booking.service.js';
import type { ClassBookingRepository } from './modules/classes/class-booking.repository.js';
import type { ClassBooking } from './modules/classes/class-booking.schema.js';
import type { ClassRepository } from './modules/classes/class.repository.js';
import type { ClassService } from './modules/classes/class.service.js';
import type { CoachClientRepository } from './modules/coaching/coach-client.repository.js';
import type { CoachingService } from './modules/coaching/coaching.service.js';
import type { PtSessionRepository } from './modules/coaching/pt-session.repository.js';
import type { PtSession } from './modules/coaching/pt-session.schema.js';
import type { FacilityRepository } from './modules/facilities/facility.repository.js';
import type { FacilityService } from './modules/facilities/facility.service.js';
import type { WaiverService } from './modules/facilities/waiver.service.js';
import type { MeasurementCategoryRepository } from './modules/measurements/measurement-category.repository.js';
import type { MeasurementRepository } from './modules/measurements/measurement.repository.js';
import type { MeasurementService } from './modules/measurements/measurement.service.js';
import type { MemberSubscriptionRepository } from './modules/memberships/member-subscription.repository.js';
import type { MemberSubscription } from './modules/memberships/member-subscription.schema.js';
import type { MembershipRepository } from './modules/memberships/membership.repository.js';
import type { MembershipService, RecordedVisit } from './modules/memberships/membership.service.js';
import type { NutritionPlanRepository } from './modules/nutrition/nutrition-plan.repository.js';
import type { NutritionService } from './modules/nutrition/nutrition.service.js';
import type { FoodDiaryEntryRepository } from './modules/nutrition/food-diary-entry.repository.js';
import type { FoodDiaryService } from './modules/nutrition/food-diary.service.js';
import type { UserRepository } from './modules/users/user.repository.js';
import type { UserService } from './modules/users/user.service.js';
import type { AccountLinkRepository } from './modules/users/account-link.repository.js';
import type { AccountLinkService } from './modules/users/account-link.service.js';
import type { WorkoutLogRepository } from './modules/workouts/workout-log.repository.js';
import type { WorkoutLogService } from './modules/workouts/workout-log.service.js';
import type { WorkoutProgramRepository } from './modules/workouts/workout-program.repository.js';
import type { WorkoutTemplateRepository } from './modules/workouts/workout-template.repository.js';
import type { WorkoutService } from './modules/workouts/workout.service.js';
import type { ACCOUNT_LINK_STEPS, BILLING_STEPS, BOOKING_STEPS, COACHING_STEPS, MEMBERSHIP_STEPS, PROMO_CODE_STEPS } from './public-door.js';
import type { UnitOfWork } from './uow/unit-of-work.js';
import type { BookClassInput } from './workflows/book-class/book-class.workflow.js';
import type { BookGuestInput } from './workflows/book-class/book-guest.workflow.js';
import type { CompletePtSessionInput } from './workflows/complete-pt-session/complete-pt-session.workflow.js';
import type { RecordFacilityVisitInput } from './workflows/facility-visit/record-facility-visit.workflow.js';
import type { CancelMembershipInput, RefundMembershipInput, RefundMembershipResult } from './workflows/membership-lifecycle/membership-lifecycle.workflow.js';
import type { ChangeMembershipPlanInput, ChangeMembershipPlanResult } from './workflows/change-membership-plan/change-membership-plan.workflow.js';
import type { EraseUserOptions, ErasureReport } from './workflows/privacy/erase-user.workflow.js';
import type { ExportUserDataOptions, UserDataExport } from './workflows/privacy/export-user-data.workflow.js';
import type { PtSessionFeedbackInput } from './workflows/pt-session-feedback/pt-session-feedback.workflow.js';
import type { PurchaseMembershipInput, PurchaseMembershipResult } from './workflows/purchase-membership/purchase-membership.workflow.js';
import type { RenewalReport } from './workflows/renew-memberships/renew-memberships.workflow.js';
import type { DunningRetryReport } from './workflows/membership-dunning/retry-overdue-renewals.workflow.js';
import type { PayOverdueMembershipInput, PayOverdueMembershipResult } from './workflows/membership-dunning/pay-overdue-membership.workflow.js';
import type { ApplyFreezesReport, FreezeMembershipInput, UnfreezeMembershipInput } from './workflows/membership-freeze/membership-freeze.workflow.js';
import type { FreezeChange } from './modules/memberships/index.js';
import type { CollectUnpaidFeesInput, CollectUnpaidFeesReport, WaiveFeeInput } from './workflows/booking-fees/booking-fees.workflow.js';
import type { BookingFee } from './modules/classes/booking-fee.schema.js';
import type { PromoCodeService } from './modules/memberships/promo-code.service.js';
import type { BulkCreateInput, BulkCreateOutcome } from './workflows/bulk-create/bulk-create.workflow.js';
import type { WebhookReads } from './modules/webhooks/webhook.repository.js';
import type { WebhookService } from './modules/webhooks/webhook.service.js';

/** `nexfit.bookings`: bookings, check-in and no-shows; the seat and weekly-limit steps stay with `bookClass`. */
export type PublicBookingService = Omit<BookingService, (typeof BOOKING_STEPS)[number]>;
/**
 * `nexfit.waivers`: publish, read, sign and clearance; `assertCleared` (the `WAIVER_STEPS` of
 * `public-door.ts`) stays with `bookClass`, PT slot bookings and check-ins.
 */
export type PublicWaiverService = Omit<WaiverService, 'assertCleared'>;
/** `nexfit.memberships`: plans and member subscriptions; the purchase, renewal and visit steps stay with their workflows. */
export type PublicMembershipService = Omit<MembershipService, (typeof MEMBERSHIP_STEPS)[number]>;
/** `nexfit.promoCodes`: a facility's promo codes, created and deactivated by staff; quoting and redeeming stay with the purchase and renewal workflows. */
export type PublicPromoCodeService = Omit<PromoCodeService, (typeof PROMO_CODE_STEPS)[number]>;
/** `nexfit.coaching`: relationships, packages and PT sessions; the package and completion steps stay with `completePtSession`. */
export type PublicCoachingService = Omit<CoachingService, (typeof COACHING_STEPS)[number]>;
/** `nexfit.accountLinks`: family and payer links; the guardian-link hold and the payer check stay with the workflows. */
export type PublicAccountLinkService = Omit<AccountLinkService, (typeof ACCOUNT_LINK_STEPS)[number]>;
/** `nexfit.billing`: payments, invoices and billing rows to read; recording money stays with the purchase, renewal and refund workflows. */
export type PublicBillingService = Omit<BillingService, (typeof BILLING_STEPS)[number]>;

/** Operations that span modules. Each runs as one unit of work (or joins the one given). */
export interface NexfitWorkflows {
  /** Buy a membership: charge (refunded if anything fails), member subscription, transaction, billing subscription, invoice, audit — atomically. */
  purchaseMembership(input: PurchaseMembershipInput): Promise<PurchaseMembershipResult>;
  /** The renewal run: charges, extends and invoices every auto-renewing membership due by `asOf`; idempotent per day. */
  renewDueSubscriptions(input: { readonly asOf: Date }): Promise<RenewalReport>;
  /** The dunning run: charges again every overdue renewal whose retry is due by `asOf`; renews, reschedules or writes off. Idempotent per retry. */
  retryOverdueRenewals(input: { readonly asOf: Date }): Promise<DunningRetryReport>;
  /** An overdue member pays now instead of waiting for the next retry: charged once per key, the period renewed from its old end, the dunning cleared. A decline changes nothing. */
  payOverdueMembership(input: PayOverdueMembershipInput): Promise<PayOverdueMembershipResult>;
  /** Cancel a membership now or at the end of its period, in both stores. */
  cancelMembership(input: CancelMembershipInput): Promise<MemberSubscription>;
  /** Expire every membership whose period ended by `asOf`; returns their ids. */
  expireEnded(asOf: Date): Promise<string[]>;
  /**
   * Drive every payment intent left unfinished by a dead process to an end: complete the
   * purchase, renewal or refund it announced, refund a charge that cannot stand, or close an
   * intent the provider never charged. `nexfit.recoverInDoubt()` runs it after the units of work.
   */
  recoverPaymentIntents(options?: IntentRecoveryOptions): Promise<IntentRecoveryReport>;
  /** Rewrite `classes.instructor.name` from the instructors' current names (a nightly job, or after a rename). */
  syncInstructorNames(options?: SyncInstructorNamesOptions): Promise<SyncInstructorNamesReport>;
  /** Refund (part of) a purchase: provider refund, refund transaction, credit note. */
  refundMembership(input: RefundMembershipInput): Promise<RefundMembershipResult>;
  /** Book one occurrence of a class: real occurrence, active membership with classes, weekly limit, capacity under concurrency. */
  bookClass(input: BookClassInput, uow?: UnitOfWork): Promise<ClassBooking>;
  /**
   * Book a seat of a class occurrence for a guest of a member, paid with one of the guest passes
   * of the member's membership (`no_guest_passes` when none are left); same seat counter as
   * member bookings, so a class never overbooks; cancelling before the cut-off returns the pass.
   */
  bookGuest(input: BookGuestInput, uow?: UnitOfWork): Promise<ClassBooking>;
  /** Check a member in at a facility: open now, active membership, the plan's weekly visit limit under concurrency. */
  recordFacilityVisit(input: RecordFacilityVisitInput, uow?: UnitOfWork): Promise<RecordedVisit>;
  /** Complete a PT session, consuming one session of the client's package. */
  completePtSession(input: CompletePtSessionInput, uow?: UnitOfWork): Promise<PtSession>;
  /** The client's feedback on a PT session, updating the coach's rating exactly. */
  submitPtSessionFeedback(input: PtSessionFeedbackInput, uow?: UnitOfWork): Promise<PtSession>;
  /**
   * Create up to 10,000 rows of one entity (`users`, `transactions`, `workout_logs`…) through its
   * repository's `createMany`, in one unit of work with one `bulk_create` audit row; idempotent
   * with a key, and a dry run that writes nothing. `nexfit import` loads files through it.
   */
  bulkCreate(input: BulkCreateInput, uow?: UnitOfWork): Promise<BulkCreateOutcome>;
  /**
   * Move a membership to another plan of the same facility, currency and duration mid-period:
   * the unused part of the old plan is credited, the new plan's part of the rest of the period
   * charged; an upgrade's difference is charged now, a downgrade's refunded (docs/modules/billing.md, "Proration").
   */
  changeMembershipPlan(input: ChangeMembershipPlanInput): Promise<ChangeMembershipPlanResult>;
  /** Freeze a membership now or from a later day, fixed or open-ended: period end and billing end move by the frozen calendar days. */
  freezeMembership(input: FreezeMembershipInput): Promise<FreezeChange>;
  /** End (or cancel) a freeze: period end and billing end move by the days actually frozen. */
  unfreezeMembership(input: UnfreezeMembershipInput): Promise<FreezeChange>;
  /** The nightly freeze run: starts scheduled freezes and ends finished ones by `asOf`; idempotent. */
  applyFreezes(input: { readonly asOf: Date }): Promise<ApplyFreezesReport>;
  /** The nightly fee run: charges again every late-cancellation or no-show fee still unpaid by `asOf`; never charges a fee twice. */
  collectUnpaidFees(input: CollectUnpaidFeesInput): Promise<CollectUnpaidFeesReport>;
  /** Staff waive a booking's fee (audited): an unpaid one is voided, a paid one refunded with its credit note. */
  waiveFee(input: WaiveFeeInput): Promise<BookingFee>;
}

/**
 * KVKK/GDPR: a user's data as one JSON document (right of access) and the erasure of a user
 * across both stores in one unit of work (right to erasure). Both are audited. See
 * docs/security/privacy.md.
 */
export interface NexfitPrivacy {
  /** Everything about the user from both stores, as a versioned JSON document; audited as `export`. */
  exportUserData(userId: string, options?: ExportUserDataOptions): Promise<UserDataExport>;
  /** Deletes or anonymises the user's personal data in one unit; financial rows kept pseudonymised; audited as `erase`. */
  eraseUser(userId: string, options: EraseUserOptions): Promise<ErasureReport>;
}

/** Every repository, for reads and writes the services do not cover. */
export interface NexfitRepositories {
  readonly users: UserRepository;
  /** Family and payer links (`account_links`). */
  readonly accountLinks: AccountLinkRepository;
  readonly measurements: MeasurementRepository;
  readonly measurementCategories: MeasurementCategoryRepository;
  readonly exercises: ExerciseRepository;
  readonly foods: FoodRepository;
  readonly workoutTemplates: WorkoutTemplateRepository;
  readonly workoutPrograms: WorkoutProgramRepository;
  readonly workoutLogs: WorkoutLogRepository;
  readonly nutritionPlans: NutritionPlanRepository;
  readonly foodDiaryEntries: FoodDiaryEntryRepository;
  readonly facilities: FacilityRepository;
  readonly memberships: MembershipRepository;
  readonly memberSubscriptions: MemberSubscriptionRepository;
  readonly classes: ClassRepository;
  readonly classBookings: ClassBookingRepository;
  readonly coachClients: CoachClientRepository;
  readonly ptSessions: PtSessionRepository;
  readonly transactions: TransactionRepository;
  readonly subscriptions: SubscriptionRepository;
  readonly invoices: InvoiceRepository;
  readonly analyticsDaily: AnalyticsDailyRepository;
  readonly auditLogs: AuditLogRepository;
  /** Webhook endpoints, deliveries and their attempt logs (PostgreSQL), to read; writes go through `nexfit.webhooks`. */
  readonly webhooks: WebhookReads;
}

/**
 * The business surface of a `Nexfit` instance: one service per domain module, the workflows
 * that span modules, privacy, and the repositories.
 *
 * @example
 * ```ts
 * const booking = await nexfit.workflows.bookClass({ classId, userId, occurrenceStart });
 * ```
 */
export interface NexfitModules {
  readonly users: UserService;
  /** Family and payer accounts: a guardian acts and pays for a minor, a payer pays for a dependant. See docs/modules/users.md. */
  readonly accountLinks: PublicAccountLinkService;
  readonly measurements: MeasurementService;
  readonly catalog: CatalogService;
  readonly workouts: WorkoutService;
  readonly workoutLogs: WorkoutLogService;
  readonly nutrition: NutritionService;
  /** The food diary: what members ate, and each day's totals against their plan. */
  readonly foodDiary: FoodDiaryService;
  readonly facilities: FacilityService;
  /** Liability waivers: versions a facility publishes, members' signatures, and whether a member is cleared to book. */
  readonly waivers: PublicWaiverService;
  readonly memberships: PublicMembershipService;
  /** Promo codes and discounts of a facility's memberships (docs/modules/memberships.md, "Promo codes and discounts"). */
  readonly promoCodes: PublicPromoCodeService;
  readonly billing: PublicBillingService;
  readonly classes: ClassService;
  readonly bookings: PublicBookingService;
  readonly coaching: PublicCoachingService;
  readonly analytics: AnalyticsService;
  /** Signed webhooks for domain events: endpoints per facility, deliveries, the dispatcher. See docs/webhooks.md. */
  readonly webhooks: WebhookService;
  readonly workflows: NexfitWorkflows;
  readonly privacy: NexfitPrivacy;
  readonly repositories: NexfitRepositories;
}
