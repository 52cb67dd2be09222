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
  ExerciseId,
  WorkoutTemplateId,
  WorkoutProgramId,
  WorkoutLogId,
  NutritionPlanId,
  FoodId,
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
  PublicMembershipService,
  PublicCoachingService,
} from './nexfit-surface.js';
export type { StoreContext } from './stores/store-context.js';
// Workflow inputs and results.
export type {
  PurchaseMembershipInput,
  PurchaseMembershipResult,
  RenewalReport,
  RenewalOutcome,
  CancelMembershipInput,
  RefundMembershipInput,
  RefundMembershipResult,
  BookClassInput,
  RecordFacilityVisitInput,
  RecordedVisit,
  CompletePtSessionInput,
  PtSessionFeedbackInput,
} from './nexfit-surface.js';
// The entities, as the services return them (their schemas are in `@nexfit/sdk/schemas`).
export type {
  User,
  Measurement,
  Exercise,
  Food,
  WorkoutTemplate,
  WorkoutProgram,
  WorkoutLog,
  NutritionPlan,
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
export type { UserDataExport, ExportUserDataOptions } from './workflows/privacy/export-user-data.workflow.js';
export type { ErasureReport, ErasureBlocker, EraseUserOptions } from './workflows/privacy/erase-user.workflow.js';
export { MemoryLruCache } from './ops/cache/memory-lru-cache.js';
export { RedisCache } from './ops/cache/redis-cache.js';
export { ReadThroughCache } from './ops/cache/read-through-cache.js';
export type { CacheAdapter } from './ops/cache/cache-adapter.js';
export type { CacheStats, CacheReadOptions, ReadThroughCacheOptions } from './ops/cache/read-through-cache.js';
export type { RedisLikeClient } from './ops/cache/redis-cache.js';
export type { NexfitCacheOption } from './ops/cache/cache-options.js';
export { SlowOperationRecorder } from './ops/slow-operations.js';
export { healthReport } from './ops/health-report.js';
export { revertMongoLayout } from './mongo-layout.js';
// Migrations and partition maintenance, for the host's deploy and scheduled jobs (docs/operations.md, docs/postgres.md).
export { migratePostgresToLatest, migratePostgresDown, postgresMigrationStatus, POSTGRES_MIGRATION_NAMES } from './stores/postgres/migrator.js';
export type { PostgresMigrationName, PostgresMigrationOptions, PostgresMigrationRun, PostgresMigrationState, PostgresMigrationStatus, PostgresDownTarget } from './stores/postgres/migrator.js';
export { ensurePartitions, ensureRollingPartitions, listPartitions, detachPartition, dropPartitionsOlderThan } from './stores/postgres/partitions.js';
export type { PartitionedTable, PartitionOptions, PartitionInfo, PartitionWindow, EnsurePartitionsOptions, EnsurePartitionsResult, RetentionOptions } from './stores/postgres/partitions.js';
export { DOCUMENT_MIGRATIONS, documentMigrationStatus } from './stores/mongo/document-migrations/index.js';
export { migrateDocumentsUp, migrateDocumentsDown } from './mongo-layout.js';
export type { DocumentMigration, DocumentMigrationRun, DocumentMigrationRunOptions, DocumentMigrationStatus, DocumentMigrationState } from './stores/mongo/document-migrations/index.js';
export type { SyncInstructorNamesOptions, SyncInstructorNamesReport } from './workflows/denormalised-copies/sync-instructor-names.workflow.js';
export type { MongoLayoutRevert } from './stores/mongo/layout-version.js';
export type { HealthReport, HealthReportOptions, CacheHealth } from './ops/health-report.js';
export { recordSizeSnapshot, growthRates } from './ops/health/growth.js';
export type { GrowthRate, SizeSnapshot } from './ops/health/growth.js';
export { topStatements } from './ops/health/top-statements.js';
export type { TopStatement, TopStatements } from './ops/health/top-statements.js';
export type { PoolMetrics, PostgresPoolMetrics, MongoPoolMetrics, PoolEvent } from './core/pool-metrics.js';
export { archiveOlderThan, purgeBillingArchive } from './ops/archive/index.js';
export type { ArchiveOptions, ArchiveResult, ArchiveTarget, BillingRetentionOptions } from './ops/archive/index.js';
export { applyShardKeys, shardKeyPlan, SHARD_KEYS } from './ops/shard-keys.js';
export type { ShardKeyDefinition, ShardKeyField, ShardingCommand, ShardKeysResult } from './ops/shard-keys.js';
export { importFreeExerciseDb } from './modules/catalog/free-exercise-db.importer.js';
