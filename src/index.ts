/**
 * `@nexfit/sdk`: the NexFit data model over MongoDB and PostgreSQL.
 *
 * @example
 * ```ts
 * import { createNexfit } from '@nexfit/sdk';
 * const nexfit = await createNexfit({ stores: 'embedded' }); // throwaway embedded stores
 * await nexfit.close();
 * ```
 *
 * @packageDocumentation
 */
export { createNexfit } from './create-nexfit.js';
export type { Nexfit, NexfitOptions, NexfitStores, MongoStoreOptions, PostgresStoreOptions, NexfitRecoveryReport } from './create-nexfit.js';
export {
  NexfitError,
  ValidationError,
  NotFoundError,
  ConflictError,
  ForbiddenError,
  ConcurrencyError,
  TransientStoreError,
  StoreError,
  ConfigurationError,
  DecryptionError,
  isNexfitError,
  HTTP_STATUS_BY_ERROR_CODE,
} from './core/errors.js';
export type { NexfitErrorCode, ValidationIssue, ConflictReason } from './core/errors.js';
export { toHttpError } from './core/http-errors.js';
export type { PublicErrorBody, PublicValidationIssue, HttpErrorResponse, HttpErrorOptions } from './core/http-errors.js';
export { WorkflowCompensationError } from './workflows/workflow.js';
export type { Clock } from './core/clock.js';
export { createKeyring, keyringFromEnv, createEphemeralKeyring, KEYRING_ENV } from './core/keyring.js';
export type { Keyring, KeyringInit, KeyMaterial } from './core/keyring.js';
export type { KeyRotationOptions, KeyRotationProgress, KeyRotationReport, KeyRotationCheckpoint } from './stores/mongo/key-rotation.js';
export { systemClock, fixedClock } from './core/clock.js';
export type {
  EntityId,
  UserId,
  MeasurementId,
  MeasurementCategoryId,
  ExerciseId,
  WorkoutTemplateId,
  WorkoutProgramId,
  WorkoutLogId,
  NutritionPlanId,
  FoodId,
  FoodDiaryEntryId,
  FacilityId,
  MembershipId,
  MemberSubscriptionId,
  ClassId,
  ClassBookingId,
  CoachClientId,
  PtSessionId,
  BusinessId,
  IdGenerator,
} from './core/ids.js';
export { minorToDecimal, decimalToMinor } from './core/money.js';
export type { MinorUnits } from './core/money.js';
export type { UnitOfWork, UnitOfWorkMode, UnitOfWorkOptions } from './uow/unit-of-work.js';
export type { RequestContext, RequestOrigin } from './uow/request-context.js';
export type { RecoveryReport, RecoveryOptions } from './uow/recovery.js';
export type { NexfitEvent, NexfitEventMap, NexfitEventType, NexfitEventHandler } from './core/domain-events.js';
export type { NexfitObserver, StoreOperationEvent } from './core/observer.js';
export type { Page, PageRequest } from './core/pagination.js';
export type { PaymentProvider, ChargeRequest, ChargeResult, RefundRequest, RefundResult, ChargeLookup, RefundLookup } from './modules/billing/payment-provider.js';
export type { PaymentIntent, PaymentIntentKind, PaymentIntentStatus } from './modules/billing/payment-intent.repository.js';
export type { IssueInvoiceInput } from './modules/billing/invoice.repository.js';
export type { IntentRecoveryReport, IntentRecoveryResult, IntentRecoveryOutcome, IntentRecoveryOptions } from './workflows/payment-intents/recover-payment-intents.workflow.js';
export { RECONCILE_CHECKS } from './ops/reconcile/reconcile.js';
export type { ReconcileReport, ReconcileFinding, ReconcileFindingKind, ReconcileOptions, ReconcileProgress, ReconcileCheck } from './ops/reconcile/reconcile.js';
export type { HousekeepingReport, HousekeepingOptions } from './ops/housekeeping.js';
export { PaymentFailedError } from './modules/billing/payment-provider.js';
export { UnitOfWorkError } from './uow/coordinator.js';
export type { ModuleOptions } from './nexfit-modules.js';
export type {
  NexfitModules,
  NexfitWorkflows,
  NexfitPrivacy,
  NexfitRepositories,
  PublicBookingService,
  PublicAccountLinkService,
  PublicMembershipService,
  PublicPromoCodeService,
  PublicCoachingService,
  PublicBillingService,
  PublicWaiverService,
} from './nexfit-surface.js';
export type { StoreContext } from './stores/store-context.js';
// The services and repositories behind NexfitModules, by name (the instance shows the services
// without their workflow steps: PublicBookingService and the like).
export type { UserService } from './modules/users/user.service.js';
export type { AccountLinkService } from './modules/users/account-link.service.js';
export type { AccountLink, AccountLinkRelation, AccountLinkStatus, LinkAccountsInput } from './modules/users/account-link.schema.js';
export type { MeasurementService } from './modules/measurements/measurement.service.js';
export type { CatalogService } from './modules/catalog/catalog.service.js';
export type { WorkoutService } from './modules/workouts/workout.service.js';
export type { WorkoutLogService } from './modules/workouts/workout-log.service.js';
export type { NutritionService } from './modules/nutrition/nutrition.service.js';
export type { FoodDiaryService } from './modules/nutrition/food-diary.service.js';
export type { FacilityService } from './modules/facilities/facility.service.js';
export type { WaiverService, WaiverClearance, RequiredWaiver } from './modules/facilities/waiver.service.js';
export type { PublishWaiverInput, SignWaiverInput, Waiver, WaiverSignature } from './modules/facilities/waiver.schema.js';
export type { MembershipService } from './modules/memberships/membership.service.js';
export type { BillingService } from './modules/billing/billing.service.js';
export type { ClassService } from './modules/classes/class.service.js';
export type { BookingService, BookingPolicy, LiftSuspensionInput } from './modules/classes/booking.service.js';
export type { CoachingService } from './modules/coaching/coaching.service.js';
export type { AnalyticsService } from './modules/analytics/analytics.service.js';
export type { TaxRatePolicy } from './modules/billing/tax.js';
export type { UserRepository } from './modules/users/user.repository.js';
export type { ScryptParameters } from './modules/users/password-hasher.js';
export type { AccountLinkRepository } from './modules/users/account-link.repository.js';
export type { MeasurementRepository } from './modules/measurements/measurement.repository.js';
export type { MeasurementCategoryRepository } from './modules/measurements/measurement-category.repository.js';
export type { ExerciseRepository } from './modules/catalog/exercise.repository.js';
export type { FoodRepository } from './modules/catalog/food.repository.js';
export type { WorkoutTemplateRepository } from './modules/workouts/workout-template.repository.js';
export type { WorkoutProgramRepository } from './modules/workouts/workout-program.repository.js';
export type { WorkoutLogRepository } from './modules/workouts/workout-log.repository.js';
export type { NutritionPlanRepository } from './modules/nutrition/nutrition-plan.repository.js';
export type { FoodDiaryEntryRepository } from './modules/nutrition/food-diary-entry.repository.js';
export type { FacilityRepository } from './modules/facilities/facility.repository.js';
export type { MembershipRepository } from './modules/memberships/membership.repository.js';
export type { MemberSubscriptionRepository } from './modules/memberships/member-subscription.repository.js';
export type { ClassRepository } from './modules/classes/class.repository.js';
export type { ClassBookingRepository } from './modules/classes/class-booking.repository.js';
export type { CoachClientRepository } from './modules/coaching/coach-client.repository.js';
export type { PtSessionRepository } from './modules/coaching/pt-session.repository.js';
export type { TransactionRepository } from './modules/billing/transaction.repository.js';
export type { SubscriptionRepository } from './modules/billing/subscription.repository.js';
export type { InvoiceRepository } from './modules/billing/invoice.repository.js';
export type { AnalyticsDailyRepository } from './modules/analytics/analytics-daily.repository.js';
export type { AuditLogRepository } from './modules/audit/audit-log.repository.js';
export type { Database } from './stores/postgres/database.js';
export type {
  AnalyticsDailyTable,
  AuditLogsTable,
  AuditLogsArchiveTable,
  IdempotencyKeysTable,
  InvoiceSequencesTable,
  InvoicesTable,
  InvoicesArchiveTable,
  OutboxTable,
  PaymentIntentsTable,
  WebhookEndpointsTable,
  WebhookDeliveriesTable,
  WebhookAttemptsTable,
  SizeSnapshotsTable,
  SubscriptionsTable,
  TransactionsTable,
  TransactionsArchiveTable,
  UowIntentsTable,
  CreatedAt,
  UpdatedAt,
  Timestamp,
  NullableTimestamp,
  Decimal,
  DecimalWithDefault,
  IdentityId,
  JsonObjectColumn,
  NullableJsonColumn,
  NullableJsonObjectColumn,
} from './stores/postgres/database.js';
export type { Outbox } from './uow/outbox.js';
export type { RelayReport } from './uow/outbox.js';
// What the services and repositories take and return, by name.
export type { AnalyticsPeriod } from './modules/analytics/analytics.service.js';
export type { RecordedRefund } from './modules/billing/billing.service.js';
export type { IdempotencyRecord } from './modules/billing/idempotency-key.repository.js';
export type { BasisPoints } from './modules/billing/tax.js';
export type { TransactionStatusUpdate } from './modules/billing/transaction.repository.js';
export type { CatalogActor, ExerciseWithAlternates, PortionNutrients } from './modules/catalog/catalog.service.js';
export type { MemberBooking } from './modules/classes/booking.service.js';
export type { TimetableEntry } from './modules/classes/class.service.js';
export type { ClassOccurrence } from './modules/classes/recurrence.js';
export type { ClientCoachView, CoachingPolicy } from './modules/coaching/coaching.service.js';
export type { OverlapQuery } from './modules/coaching/pt-session.repository.js';
export type { FacilityNearby } from './modules/facilities/facility.repository.js';
export type { FacilityRef } from './modules/facilities/facility.service.js';
export type { OpeningInterval } from './modules/facilities/opening-hours.js';
export type {
  BmiCategory, BmiResult, BodyMetric, MeasurementProgress, MeasurementTrend, MetricChange, MetricTrend, ProgressPhoto,
  AddReadingInput, RemoveReadingInput, DefineMeasurementCategoryInput, RenameMeasurementCategoryInput, CategoryHistory, CategoryReading,
} from './modules/measurements/measurement.service.js';
export type { EnergyEstimate, EnergyEstimateInput, EnergyInputSource, MacroSplit, MealSummary, NutrientTotals, NutritionPlanSummary } from './modules/nutrition/nutrition.service.js';
export type { DiaryDayQuery, DiaryMealTotals, DiaryPlanComparison, DiaryTotalsQuery, FoodDiaryDay, FoodDiaryDayTotals, LogFoodInput, UpdateDiaryEntryInput } from './modules/nutrition/food-diary.service.js';
export type { ActivityLevel, BmrInput, BmrSex } from './modules/nutrition/energy.js';
export { ACTIVITY_FACTORS, BMR_SEXES, basalMetabolicRate, totalDailyEnergyExpenditure } from './modules/nutrition/energy.js';
export { energyEstimateInputSchema } from './modules/nutrition/nutrition.service.js';
export { addReadingInputSchema, removeReadingInputSchema, defineMeasurementCategoryInputSchema, renameMeasurementCategoryInputSchema } from './modules/measurements/measurement.service.js';
export { MAX_DIARY_LEAD_MS, diaryDayQuerySchema, diaryTotalsQuerySchema, logFoodInputSchema, updateDiaryEntryInputSchema } from './modules/nutrition/food-diary.service.js';
export { MAX_DIARY_ENTRIES_PER_WINDOW } from './modules/nutrition/food-diary-entry.repository.js';
export type { OpenFoodFactsImportOptions, OpenFoodFactsImportProgress, OpenFoodFactsImportResult, OpenFoodFactsMapping, OpenFoodFactsRejection, OpenFoodFactsTarget } from './modules/catalog/open-food-facts.importer.js';
export { OPEN_FOOD_FACTS_DIET_LABELS, importOpenFoodFacts, mapOpenFoodFactsProduct } from './modules/catalog/open-food-facts.importer.js';
export type { UserCredentials } from './modules/users/user.repository.js';
export type { ExpectedVersion } from './modules/users/user.service.js';
export type { ExerciseComparison, ExerciseRecords, PersonalRecord, PlanComparison, TrainingStreaks, WeeklyVolume } from './modules/workouts/workout-log.service.js';
export type { TrainingStatistics, TrainingStatisticsQuery, TrainingTotals, TrainingWeek } from './modules/workouts/training-statistics.js';
export type { TrainingMuscleRow, TrainingSessionRow, TrainingStatisticsRows, TrainingWeekRow } from './modules/workouts/training-statistics.pipeline.js';
export { DEFAULT_TRAINING_TIME_ZONE, MAX_TRAINING_STATISTICS_DAYS, trainingStatisticsQuerySchema } from './modules/workouts/training-statistics.js';
export { SECONDARY_MUSCLE_SHARE } from './modules/workouts/training-statistics.pipeline.js';
export type { ExercisePrescription, PrescribedSet, Prescription, ProgressionStep } from './modules/workouts/progression.js';
export type { NextPrescriptionInput } from './modules/workouts/prescription.schema.js';
export {
  KILOGRAMS_PER_POUND, METRES_PER_MILE, DEFAULT_LOAD_ROUNDING, fromKilograms, fromMetres, loadableKilograms, roundLoad, toKilograms, toMetres,
  type DistanceUnit, type LoadRounding, type WeightUnit,
} from './modules/workouts/units.js';
export type { WriteOptions } from './stores/mongo/mongo-repository.js';
export { MAX_BULK_ROWS } from './stores/bulk.js';
export type { BulkCreateOptions, BulkCreateResult, BulkRejection } from './stores/bulk.js';
export type { UpdateOptions } from './stores/postgres/postgres-repository.js';
// Workflow inputs and results.
export type { PurchaseMembershipInput, PurchaseMembershipResult } from './workflows/purchase-membership/purchase-membership.workflow.js';
export type { RenewalReport, RenewalOutcome } from './workflows/renew-memberships/renew-memberships.workflow.js';
export type { DunningRetryOutcome, DunningRetryReport } from './workflows/membership-dunning/retry-overdue-renewals.workflow.js';
export type { PayOverdueMembershipInput, PayOverdueMembershipResult } from './workflows/membership-dunning/pay-overdue-membership.workflow.js';
export type { DeclineOutcome } from './workflows/membership-dunning/dunning-steps.js';
export type { DunningAttempt, DunningAttemptOutcome, DunningPolicy, MembershipDunning } from './modules/memberships/membership-dunning.schema.js';
export type { CancelMembershipInput, RefundMembershipInput, RefundMembershipResult } from './workflows/membership-lifecycle/membership-lifecycle.workflow.js';
export type { BookClassInput } from './workflows/book-class/book-class.workflow.js';
export type { BookGuestInput } from './workflows/book-class/book-guest.workflow.js';
export { bookingWindowOf, type BookingWindow, type BookingWindowRules } from './workflows/book-class/booking-window.js';
export type { RecordFacilityVisitInput } from './workflows/facility-visit/record-facility-visit.workflow.js';
export type { RecordedVisit } from './modules/memberships/membership.service.js';
export type { CompletePtSessionInput } from './workflows/complete-pt-session/complete-pt-session.workflow.js';
export type { PtSessionFeedbackInput } from './workflows/pt-session-feedback/pt-session-feedback.workflow.js';
export { MAX_BULK_CREATE_ROWS, type BulkCreateInput, type BulkCreateOutcome } from './workflows/bulk-create/bulk-create.workflow.js';
export type { BulkEntityName } from './workflows/bulk-create/bulk-create-entities.js';
export type { ApplyFreezesReport, FreezeMembershipInput, UnfreezeMembershipInput } from './workflows/membership-freeze/membership-freeze.workflow.js';
export type { FreezeChange } from './modules/memberships/membership.service.js';
export type { FreezePolicy, MembershipFreeze, MembershipFreezeStatus } from './modules/memberships/membership-freeze.schema.js';
export type { CollectUnpaidFeesInput, CollectUnpaidFeesReport, CollectedFee, WaiveFeeInput } from './workflows/booking-fees/booking-fees.workflow.js';
export type { BookingFee, BookingFeeKind, BookingFeeStatus } from './modules/classes/booking-fee.schema.js';
export type { BookingFeeCharger } from './modules/classes/booking.service.js';
export type { MembershipGuestPasses } from './modules/memberships/membership.schema.js';
export type { SubscriptionGuestPasses } from './modules/memberships/member-subscription.schema.js';
export type { BookingGuest, GuestPassCharge } from './modules/classes/class-booking.schema.js';
export type { CreatePromoCodeInput, PromoCode, PromoCodeKind, PromoRedemption, SubscriptionDiscount } from './modules/memberships/promo-code.schema.js';
export type { PromoCodeService, PromoQuote, PromoQuoteInput, PromoRedemptionInput } from './modules/memberships/promo-code.service.js';
export { discountedPrice, type DiscountedPrice, type DiscountTerms } from './modules/memberships/promo-discount.js';
// The entities, as the services return them (their schemas are in `@nexfit/sdk/schemas`).
export type {
  User,
  Measurement,
  MeasurementReading,
  MeasurementCategory,
  Exercise,
  Food,
  WorkoutTemplate,
  WorkoutProgram,
  WorkoutLog,
  NutritionPlan,
  FoodDiaryEntry,
  Facility,
  Membership,
  MemberSubscription,
  FitnessClass,
  ClassBooking,
  CoachClient,
  PtSession,
  Transaction,
  Subscription,
  Invoice,
  AnalyticsDaily,
  AuditLog,
} from './schemas.js';
export { systemActor, AccessDeniedError, ACCESS_POLICY, redactUserFor } from './access/index.js';
export type { Actor, SystemActor, ActingUser, ScopedNexfit, ScopedService, OperationId, PolicyEntry, ProfileViewer } from './access/index.js';
export type { ScopedServiceName } from './access/scoped-nexfit.js';
export type { Rule, AccessRequest } from './access/access-rules.js';
export type { AccessLookups } from './access/access-lookups.js';
export type { Redactor } from './access/access-redaction.js';
export type { UserDataExport, ExportUserDataOptions } from './workflows/privacy/export-user-data.workflow.js';
export type { ErasureReport, ErasureBlocker, EraseUserOptions } from './workflows/privacy/erase-user.workflow.js';
export type { UserDataExportSections, ErasureCounts, ErasedRecordCounts, AnonymisedRecordCounts, RetainedRecordCounts } from './modules/personal-data.js';
export { MemoryLruCache } from './ops/cache/memory-lru-cache.js';
export { RedisCache } from './ops/cache/redis-cache.js';
export { ReadThroughCache } from './ops/cache/read-through-cache.js';
export type { CacheAdapter } from './ops/cache/cache-adapter.js';
export type { CacheStats, CacheReadOptions, ReadThroughCacheOptions } from './ops/cache/read-through-cache.js';
export type { RedisLikeClient } from './ops/cache/redis-cache.js';
export type { NexfitCacheOption } from './ops/cache/cache-options.js';
export { SlowOperationRecorder } from './ops/slow-operations.js';
export type { SlowOperation, SlowOperationRecorderOptions, SlowOperationSource, SlowOperationsSnapshot } from './ops/slow-operations.js';
export { healthReport } from './ops/health-report.js';
export { revertMongoLayout } from './mongo-layout.js';
// Migrations and partition maintenance, for the host's deploy and scheduled jobs (docs/operations.md, docs/postgres.md).
export { migratePostgresToLatest, migratePostgresDown, postgresMigrationStatus, POSTGRES_MIGRATION_NAMES } from './stores/postgres/migrator.js';
export type { PostgresMigrationName, PostgresMigrationOptions, PostgresMigrationRun, PostgresMigrationState, PostgresMigrationStatus, PostgresDownTarget } from './stores/postgres/migrator.js';
export { ensurePartitions, ensureRollingPartitions, listPartitions, detachPartition, dropPartitionsOlderThan } from './stores/postgres/partitions.js';
export type { PartitionedTable, PartitionOptions, PartitionInfo, PartitionWindow, EnsurePartitionsOptions, EnsurePartitionsResult, RetentionOptions } from './stores/postgres/partitions.js';
export { documentMigrationStatus } from './stores/mongo/document-migrations/index.js';
export { DOCUMENT_MIGRATIONS } from './modules/mongo-collections.js';
export { migrateDocumentsUp, migrateDocumentsDown } from './mongo-layout.js';
export type { DocumentMigration, DocumentMigrationRun, DocumentMigrationRunOptions, DocumentMigrationStatus, DocumentMigrationState } from './stores/mongo/document-migrations/index.js';
export type { SyncInstructorNamesOptions, SyncInstructorNamesReport } from './workflows/denormalised-copies/sync-instructor-names.workflow.js';
export type { MongoLayoutRevert } from './stores/mongo/layout-version.js';
export type { HealthReport, HealthReportOptions, CacheHealth } from './ops/health-report.js';
export type { MongoHealth, MongoCollectionHealth } from './ops/health/mongo-health.js';
export type { MongoIndexComparison } from './stores/mongo/index-comparison.js';
export type { PartitionCoverage, PostgresTableSize, PostgresUnusedIndex } from './ops/health/postgres-health.js';
export type { InDoubtUnits } from './ops/health/units-of-work-health.js';
export { recordSizeSnapshot, growthRates } from './ops/health/growth.js';
export type { GrowthRate, SizeSnapshot } from './ops/health/growth.js';
export { topStatements } from './ops/health/top-statements.js';
export type { TopStatement, TopStatements } from './ops/health/top-statements.js';
export type { PoolMetrics, PostgresPoolMetrics, MongoPoolMetrics, PoolEvent } from './core/pool-metrics.js';
export { archiveOlderThan, purgeBillingArchive } from './ops/archive/index.js';
export type { ArchiveOptions, ArchiveResult, ArchiveTarget, BillingRetentionOptions } from './ops/archive/index.js';
export type { ArchiveStores } from './ops/archive/archive-older-than.js';
export type { ArchiveFaults } from './ops/archive/archive-options.js';
export { applyShardKeys, shardKeyPlan, SHARD_KEYS } from './ops/shard-keys.js';
export type { ShardKeyDefinition, ShardKeyField, ShardingCommand, ShardKeysResult } from './ops/shard-keys.js';
export { importFreeExerciseDb } from './modules/catalog/free-exercise-db.importer.js';
export type { FreeExerciseDbImportOptions, FreeExerciseDbImportProgress, FreeExerciseDbImportResult, FreeExerciseDbTarget } from './modules/catalog/free-exercise-db.importer.js';
export type { BookPtSlotInput, FacilityCalendar, FacilityCalendarPort, FreeSlot, FreeSlotQuery, OpeningHoursPort, CoachingAvailabilityParts, WaiverCheckPort } from './modules/coaching/coaching.service.js';
export type { CoachAvailabilityRepository } from './modules/coaching/coach-availability.repository.js';
export type { TimeInterval } from './modules/coaching/free-slots.js';
export type { CoachAvailability, CoachAvailabilityInput, CoachAvailabilityId, WeeklyAvailability, AvailabilityException } from './schemas.js';
// Signed webhooks for domain events (docs/webhooks.md); `verifyWebhookSignature` is the receiver's check.
export { verifyWebhookSignature, signWebhookPayload, WEBHOOK_SIGNATURE_HEADER, WEBHOOK_EVENT_ID_HEADER, WEBHOOK_EVENT_TYPE_HEADER, WEBHOOK_TIMESTAMP_HEADER, DEFAULT_WEBHOOK_TOLERANCE_SECONDS } from './modules/webhooks/webhook-signature.js';
export type { VerifyWebhookSignatureOptions, WebhookVerification } from './modules/webhooks/webhook-signature.js';
export { WEBHOOK_MAX_ATTEMPTS, WEBHOOK_RETRY_DELAYS_MS, WEBHOOK_RETRY_JITTER, webhookRetryAt } from './modules/webhooks/webhook-delivery.js';
export { MAX_WEBHOOK_URL_LENGTH, isPrivateAddress } from './modules/webhooks/webhook-url.js';
export type { WebhookUrlPolicy } from './modules/webhooks/webhook-url.js';
export type { WebhookService, WebhookOptions, WebhookEndpointWithSecret, WebhookDispatchReport, ListWebhookDeliveriesOptions } from './modules/webhooks/webhook.service.js';
export type { WebhookRepository, WebhookReads, WebhookEndpoint, WebhookDelivery, WebhookDeliveryStatus, WebhookAttempt, WebhookAttemptOutcome, ClaimedWebhookDelivery } from './modules/webhooks/webhook.repository.js';
export type { RegisterWebhookEndpointInput, UpdateWebhookEndpointInput, DispatchWebhooksOptions } from './modules/webhooks/webhook.schema.js';
// Proration: the partial first period of a purchase aligned to a billing day, and the price of a plan change (docs/modules/billing.md, "Proration").
export { prorateAmount, proratedStart, quotePlanChange } from './modules/billing/proration.js';
export type { ProratedStart, PlanChangeQuote } from './modules/billing/proration.js';
export type { ChangeMembershipPlanInput, ChangeMembershipPlanResult } from './workflows/change-membership-plan/change-membership-plan.workflow.js';
