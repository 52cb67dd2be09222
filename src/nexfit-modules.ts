import type { Kysely } from 'kysely';
import type { Db } from 'mongodb';
import type { Database } from './stores/postgres/database.js';
import { ConfigurationError } from './core/errors.js';
import type { ServiceDeps } from './modules/service-deps.js';
import type { UnitOfWork, UnitOfWorkOptions } from './uow/unit-of-work.js';
import { createUsersModule, PasswordHasher, type ScryptParameters } from './modules/users/index.js';
import { createMeasurementsModule } from './modules/measurements/index.js';
import { createCatalogModule } from './modules/catalog/index.js';
import { createWorkoutsModule } from './modules/workouts/index.js';
import { createNutritionModule } from './modules/nutrition/index.js';
import { createFacilitiesModule } from './modules/facilities/index.js';
import { createMembershipsModule } from './modules/memberships/index.js';
import { createBillingModule } from './modules/billing/index.js';
import { createClassesModule } from './modules/classes/index.js';
import { createCoachingModule } from './modules/coaching/index.js';
import { AuditLogRepository } from './modules/audit/audit-log.repository.js';
import { AnalyticsDailyRepository } from './modules/analytics/analytics-daily.repository.js';
import { AnalyticsService } from './modules/analytics/analytics.service.js';
import type { PaymentProvider } from './modules/billing/payment-provider.js';
import type { TaxRatePolicy } from './modules/billing/tax.js';
import type { BookingPolicy } from './modules/classes/booking.service.js';
import { bookClassOccurrence, type BookClassInput } from './workflows/book-class/book-class.workflow.js';
import { bookGuest, type BookGuestInput } from './workflows/book-class/book-guest.workflow.js';
import { bookingCredits } from './workflows/book-class/class-credits.js';
import { completePtSession, type CompletePtSessionInput } from './workflows/complete-pt-session/complete-pt-session.workflow.js';
import { submitPtSessionFeedback, type PtSessionFeedbackInput } from './workflows/pt-session-feedback/pt-session-feedback.workflow.js';
import { purchaseMembership, type PurchaseMembershipInput } from './workflows/purchase-membership/purchase-membership.workflow.js';
import { facilityOpeningHours } from './workflows/schedule-pt-session/facility-opening-hours.js';
import { memberProfileReader } from './workflows/member-profile/member-profile-reader.js';
import { recordFacilityVisit, type RecordFacilityVisitInput } from './workflows/facility-visit/record-facility-visit.workflow.js';
import { renewDueSubscriptions } from './workflows/renew-memberships/renew-memberships.workflow.js';
import { cancelMembership, expireEnded, refundMembership, type CancelMembershipInput, type RefundMembershipInput } from './workflows/membership-lifecycle/membership-lifecycle.workflow.js';
import { changeMembershipPlan, type ChangeMembershipPlanInput } from './workflows/change-membership-plan/change-membership-plan.workflow.js';
import { AuditTrail } from './modules/audit/audit-trail.js';
import { exportUserData, type ExportUserDataOptions } from './workflows/privacy/export-user-data.workflow.js';
import { eraseUser, type EraseUserOptions } from './workflows/privacy/erase-user.workflow.js';
import type { PrivacyWorkflowDeps } from './workflows/privacy/privacy-workflow-deps.js';
import { recoverPaymentIntents, type IntentRecoveryOptions } from './workflows/payment-intents/recover-payment-intents.workflow.js';
import { ACCOUNT_LINK_STEPS, BILLING_STEPS, BOOKING_STEPS, COACHING_STEPS, MEMBERSHIP_STEPS, PROMO_CODE_STEPS, WAIVER_STEPS, rememberSteps, withoutSteps } from './public-door.js';
import type { NexfitModules, NexfitRepositories } from './nexfit-surface.js';
import { personalDataContributors } from './module-registry.js';
import { syncInstructorNames, type SyncInstructorNamesOptions } from './workflows/denormalised-copies/sync-instructor-names.workflow.js';
import { bulkCreate, type BulkCreateInput } from './workflows/bulk-create/bulk-create.workflow.js';
import { createWebhooksModule, webhookReadsOf } from './modules/webhooks/index.js';
import type { WebhookOptions } from './modules/webhooks/webhook.service.js';
import { applyFreezes, freezeMembership, unfreezeMembership, type FreezeMembershipInput, type MembershipFreezeDeps, type UnfreezeMembershipInput } from './workflows/membership-freeze/membership-freeze.workflow.js';
import { DEFAULT_FREEZE_POLICY, freezePolicySchema, type FreezePolicy } from './modules/memberships/index.js';
import { DEFAULT_DUNNING_POLICY, dunningPolicySchema, type DunningPolicy } from './modules/memberships/index.js';
import { retryOverdueRenewals } from './workflows/membership-dunning/retry-overdue-renewals.workflow.js';
import { payOverdueMembership, type PayOverdueMembershipInput } from './workflows/membership-dunning/pay-overdue-membership.workflow.js';
import { parseOrThrow } from './core/validation.js';
import { chargeBookingFee, collectUnpaidFees, waiveFee, type BookingFeeDeps, type CollectUnpaidFeesInput, type WaiveFeeInput } from './workflows/booking-fees/booking-fees.workflow.js';

/** Options of the business modules, from `createNexfit`. */
export interface ModuleOptions {
  /** The host's payment port; purchases and renewals charge through it. */
  readonly payments?: PaymentProvider;
  /** Tax rate per business (default: Turkish VAT 20 %). */
  readonly taxRate?: TaxRatePolicy;
  /** Booking time rules (cancellation cut-off, check-in window). */
  readonly bookingPolicy?: Partial<BookingPolicy>;
  /** How webhooks are sent: request timeout, and whether endpoints may point at private hosts (tests, intranets). See docs/webhooks.md. */
  readonly webhooks?: WebhookOptions;
  /** How long members may freeze a membership (default 90 days per freeze and per calendar year). */
  readonly freezePolicy?: Partial<FreezePolicy>;
  /**
   * The scrypt cost of new password hashes (default `N=16384, r=8, p=1`). Raise it to follow a
   * stricter policy; lower it only where accounts are throwaway (tests, simulations). A hash
   * keeps its own parameters, so a change never locks anyone out: older hashes still verify and
   * are rehashed with these parameters at their owner's next login. Parameters scrypt cannot
   * take are refused with a `ConfigurationError`.
   */
  readonly passwordHashing?: Partial<ScryptParameters>;
  /** When a declined renewal is charged again before the membership is written off (default retries 1, 4 and 11 days after the first decline). */
  readonly dunningPolicy?: Partial<DunningPolicy>;
}

/**
 * The composition root of the business modules: builds every module's repositories and
 * service, and the workflows that span modules, wiring each module's ports (the catalogue a
 * workout reads, the opening hours a PT session checks…) to the module that serves them.
 */
export function createNexfitModules(db: Db, pg: Kysely<Database>, deps: ServiceDeps, options: ModuleOptions = {}): NexfitModules {
  const users = createUsersModule(db, pg, deps, options.passwordHashing ? { hasher: passwordHasher(options.passwordHashing) } : {});
  const measurements = createMeasurementsModule(db, pg, deps, { clients: users.repository });
  // The catalogue asks the workouts module whether a template still uses an exercise; the
  // workouts module reads exercises from the catalogue. The closure resolves after both exist.
  const catalog = createCatalogModule(db, deps, {
    countExerciseReferences: (id, ctx) => workouts.templates.countExerciseReferences(id, ctx),
  });
  const workouts = createWorkoutsModule(db, deps, catalog.exercises);
  const facilities = createFacilitiesModule(db, pg, deps);
  const nutrition = createNutritionModule(db, pg, deps, { foods: catalog.foods, profiles: memberProfileReader({ users: users.repository, facilities: facilities.facilities }) });
  const memberships = createMembershipsModule(db, pg, deps, facilities.facilities);
  const billing = createBillingModule(pg, { ...deps, ...(options.taxRate ? { taxRate: options.taxRate } : {}) });
  // Promoted seats spend class-pack credits of the memberships module; the closure resolves once both exist.
  const classes = createClassesModule(
    db,
    pg,
    deps,
    options.bookingPolicy ?? {},
    bookingCredits(() => ({ ledger: memberships.service, classes: classes.classes, facilities: facilities.facilities, subscriptions: memberships.subscriptions })),
    // A recorded late-cancellation or no-show fee is charged once its unit has committed.
    options.payments ? (fee) => chargeBookingFee(feeDeps(), fee) : undefined,
  );
  const coaching = createCoachingModule(db, pg, deps, { openingHours: facilityOpeningHours(facilities.facilities), waivers: facilities.waiverService });
  const analytics = new AnalyticsService(db, pg, new AnalyticsDailyRepository(pg, deps), deps);
  const auditLogs = new AuditLogRepository(pg, deps);
  const webhooks = createWebhooksModule(pg, deps, options.webhooks ?? {});

  const membershipWorkflowDeps = () => {
    if (!options.payments) throw new ConfigurationError('Pass createNexfit({ payments }) — a PaymentProvider — to take payments');
    return { memberships: memberships.service, promoCodes: memberships.promoCodeService, billing: billing.service, facilities: facilities.service, users: users.repository, accountLinks: users.accountLinkService, payments: options.payments, intents: billing.paymentIntents, units: deps.units, clock: deps.clock, ids: deps.ids, locale: deps.locale, bookingFees: classes.fees, audit: new AuditTrail(auditLogs), dunningPolicy };
  };
  const feeDeps = (): BookingFeeDeps => {
    if (!options.payments) throw new ConfigurationError('Pass createNexfit({ payments }) — a PaymentProvider — to charge booking fees');
    return { fees: classes.fees, billing: billing.service, payments: options.payments, intents: billing.paymentIntents, units: deps.units, clock: deps.clock, ids: deps.ids, audit: new AuditTrail(auditLogs), locale: deps.locale };
  };
  const dunningPolicy: DunningPolicy = parseOrThrow(dunningPolicySchema, { ...DEFAULT_DUNNING_POLICY, ...options.dunningPolicy }, { entity: 'dunning policy', locale: deps.locale });

  const freezePolicy = parseOrThrow(freezePolicySchema, { ...DEFAULT_FREEZE_POLICY, ...options.freezePolicy }, { entity: 'freeze policy', locale: deps.locale });
  const freezeDeps = (): MembershipFreezeDeps => ({ memberships: memberships.service, billing: billing.service, facilities: facilities.service, units: deps.units, clock: deps.clock, policy: freezePolicy, locale: deps.locale,
    ...(options.payments ? { feePayments: { payments: options.payments, intents: billing.paymentIntents, billing: billing.service, ids: deps.ids } } : {}) });

  /** Every repository, for reads and writes the services do not cover. */
  const repositories: NexfitRepositories = {
    users: users.repository,
    accountLinks: users.accountLinks,
    measurements: measurements.repository,
    measurementCategories: measurements.categories,
    exercises: catalog.exercises,
    foods: catalog.foods,
    workoutTemplates: workouts.templates,
    workoutPrograms: workouts.programs,
    workoutLogs: workouts.workoutLogs,
    nutritionPlans: nutrition.repository,
    foodDiaryEntries: nutrition.diaryEntries,
    facilities: facilities.facilities,
    memberships: memberships.plans,
    memberSubscriptions: memberships.subscriptions,
    classes: classes.classes,
    classBookings: classes.bookings,
    coachClients: coaching.relations,
    ptSessions: coaching.sessions,
    transactions: billing.transactions,
    subscriptions: billing.subscriptions,
    invoices: billing.invoices,
    analyticsDaily: new AnalyticsDailyRepository(pg, deps),
    auditLogs,
    webhooks: webhookReadsOf(webhooks.repository),
  };

  // Built once: the registered modules' parts in export and erasure, in registry order.
  const contributors = personalDataContributors({ db, users, measurements, workouts, nutrition, facilities, memberships, billing, classes, coaching, auditLogs });
  const privacyDeps = (): PrivacyWorkflowDeps => ({ users: users.repository, contributors, audit: new AuditTrail(auditLogs), pg, deps });

  const bookingsDoor = withoutSteps(classes.bookingService, BOOKING_STEPS);
  rememberSteps(bookingsDoor, { bookings: classes.bookingService, memberships: memberships.service, coaching: coaching.service, billing: billing.service });

  return {
    users: users.service,
    accountLinks: withoutSteps(users.accountLinkService, ACCOUNT_LINK_STEPS),
    measurements: measurements.service,
    catalog: catalog.service,
    workouts: workouts.service,
    workoutLogs: workouts.logs,
    nutrition: nutrition.service,
    foodDiary: nutrition.diary,
    facilities: facilities.service,
    waivers: withoutSteps(facilities.waiverService, WAIVER_STEPS),
    memberships: withoutSteps(memberships.service, MEMBERSHIP_STEPS),
    promoCodes: withoutSteps(memberships.promoCodeService, PROMO_CODE_STEPS),
    billing: withoutSteps(billing.service, BILLING_STEPS),
    classes: classes.classService,
    bookings: bookingsDoor,
    coaching: withoutSteps(coaching.service, COACHING_STEPS),
    analytics,
    webhooks: webhooks.service,
    /** Operations that span modules. Each runs as one unit of work (or joins the one given). */
    workflows: {
      /** Buy a membership: charge (refunded if anything fails), member subscription, transaction, billing subscription, invoice, audit — atomically. */
      purchaseMembership: (input: PurchaseMembershipInput) => purchaseMembership(membershipWorkflowDeps(), input),
      /** The renewal run: charges, extends and invoices every auto-renewing membership due by `asOf`; idempotent per day. */
      renewDueSubscriptions: (input: { readonly asOf: Date }) => renewDueSubscriptions(membershipWorkflowDeps(), input),
      /** The dunning run: charges again every overdue renewal whose retry is due by `asOf`; renews, reschedules or writes off. Idempotent per retry. */
      retryOverdueRenewals: (input: { readonly asOf: Date }) => retryOverdueRenewals(membershipWorkflowDeps(), input),
      /** An overdue member pays now instead of waiting for the next retry: charged once per key, the period renewed from its old end, the dunning cleared. A decline changes nothing. */
      payOverdueMembership: (input: PayOverdueMembershipInput) => payOverdueMembership(membershipWorkflowDeps(), input),
      /** Cancel a membership now or at the end of its period, in both stores. */
      cancelMembership: (input: CancelMembershipInput) => cancelMembership(membershipWorkflowDeps(), input),
      /** Expire every membership whose period ended by `asOf`. */
      expireEnded: (asOf: Date) => expireEnded(membershipWorkflowDeps(), asOf),
      /**
       * Drive every payment intent left unfinished by a dead process to an end: complete the
       * purchase, renewal or refund it announced, refund a charge that cannot stand, or close
       * an intent the provider never charged. `nexfit.recoverInDoubt()` runs it after the units of work.
       */
      recoverPaymentIntents: (recoveryOptions?: IntentRecoveryOptions) => recoverPaymentIntents(membershipWorkflowDeps(), recoveryOptions),
      /** Refund (part of) a purchase: provider refund, refund transaction, credit note. */
      refundMembership: (input: RefundMembershipInput) => refundMembership(membershipWorkflowDeps(), input),
      /** Book one occurrence of a class: real occurrence, active membership with classes, weekly limit, capacity under concurrency. */
      bookClass: (input: BookClassInput, uow?: UnitOfWork) =>
        bookClassOccurrence({ classes: classes.classService, bookings: classes.bookingService, facilities: facilities.facilities, subscriptions: memberships.subscriptions, plans: memberships.plans, deps, credits: memberships.service, waivers: facilities.waiverService, guardianship: users.accountLinkService }, input, uow),
      /** Book a seat for a guest of a member, paid with a guest pass of the member's membership; same seats as member bookings. */
      bookGuest: (input: BookGuestInput, uow?: UnitOfWork) =>
        bookGuest({ classes: classes.classService, bookings: classes.bookingService, facilities: facilities.facilities, subscriptions: memberships.subscriptions, plans: memberships.plans, deps, passes: memberships.service, waivers: facilities.waiverService }, input, uow),
      /** Check a member in at a facility: open now, active membership, the plan's weekly visit limit under concurrency. */
      recordFacilityVisit: (input: RecordFacilityVisitInput, uow?: UnitOfWork) =>
        recordFacilityVisit({ facilities: facilities.service, memberships: memberships.service, deps, waivers: facilities.waiverService }, input, uow),
      /** Complete a PT session, consuming one session of the client's package. */
      completePtSession: (input: CompletePtSessionInput, uow?: UnitOfWork) => completePtSession({ coaching: coaching.service, deps }, input, uow),
      /** The client's feedback on a PT session, updating the coach's rating exactly. */
      submitPtSessionFeedback: (input: PtSessionFeedbackInput, uow?: UnitOfWork) => submitPtSessionFeedback({ coaching: coaching.service, users: users.repository, deps }, input, uow),
      /** The job that rewrites `classes.instructor.name` where it no longer matches the user's name (nightly, or after a rename). */
      syncInstructorNames: (options?: SyncInstructorNamesOptions) => syncInstructorNames({ classes: classes.classes, users: users.repository, locale: deps.locale }, options),
      /** Create many rows of one entity through its repository's `createMany`: one unit, one audit row, idempotent with a key, a dry run that writes nothing. */
      bulkCreate: (input: BulkCreateInput, uow?: UnitOfWork) =>
        bulkCreate({ repositories, billing: billing.service, audit: new AuditTrail(auditLogs), units: deps.units, ids: deps.ids, locale: deps.locale }, input, uow),
      /** Move a membership to another plan mid-period: credit the unused old plan, charge the new plan's rest of the period; the difference charged or refunded. */
      changeMembershipPlan: (input: ChangeMembershipPlanInput) => changeMembershipPlan(membershipWorkflowDeps(), input),
      /** Freeze a membership now or from a later day, fixed or open-ended: period end and billing end move by the frozen calendar days. */
      freezeMembership: (input: FreezeMembershipInput) => freezeMembership(freezeDeps(), input),
      /** End (or cancel) a freeze: period end and billing end move by the days actually frozen. */
      unfreezeMembership: (input: UnfreezeMembershipInput) => unfreezeMembership(freezeDeps(), input),
      /** The nightly freeze run: starts scheduled freezes and ends finished ones by `asOf`; idempotent. */
      applyFreezes: (input: { readonly asOf: Date }) => applyFreezes(freezeDeps(), input),
      /** The nightly fee run: charges again every late-cancellation or no-show fee still unpaid by `asOf`; never charges a fee twice. */
      collectUnpaidFees: (input: CollectUnpaidFeesInput) => collectUnpaidFees(feeDeps(), input),
      /** Staff waive a booking's fee (audited): an unpaid one is voided, a paid one refunded with its credit note. */
      waiveFee: (input: WaiveFeeInput) => waiveFee(feeDeps(), input),
    },
    /**
     * KVKK/GDPR: a user's data as one JSON document (right of access) and the erasure of a
     * user across both stores in one unit of work (right to erasure). Both are audited.
     * See docs/security/privacy.md.
     */
    privacy: {
      /** Everything about the user from both stores, as a versioned JSON document; audited as `export`. */
      exportUserData: (userId: string, options?: ExportUserDataOptions) => exportUserData(privacyDeps(), userId, options),
      /** Deletes or anonymises the user's personal data in one unit; financial rows kept pseudonymised; audited as `erase`. */
      eraseUser: (userId: string, options: EraseUserOptions) => eraseUser(privacyDeps(), userId, options),
    },
    /** Every repository, for reads and writes the services do not cover. */
    repositories,
  };
}

export type { NexfitModules };
export type { UnitOfWorkOptions };

/** The password hasher of `passwordHashing`; parameters scrypt cannot take are a configuration error. */
function passwordHasher(parameters: Partial<ScryptParameters>): PasswordHasher {
  try {
    return new PasswordHasher(parameters);
  } catch (error) {
    throw new ConfigurationError(`passwordHashing: ${error instanceof Error ? error.message : String(error)}`);
  }
}
