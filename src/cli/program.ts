import type { Command as CommandClass, Option as OptionClass } from 'commander';
import type { WebhookOptions } from '../modules/webhooks/webhook.service.js';
import { Kysely, PostgresDialect } from 'kysely';
import type { Db, MongoClient } from 'mongodb';
import type pg from 'pg';
import { createNexfit, type Nexfit } from '../create-nexfit.js';
import { pathToFileURL } from 'node:url';
import { extname, resolve as resolvePath } from 'node:path';
import { statSync } from 'node:fs';
import { ConfigurationError, isNexfitError } from '../core/errors.js';
import type { Database } from '../stores/postgres/database.js';
import type { PaymentProvider } from '../modules/billing/payment-provider.js';
import { KEYRING_ENV, keyringFromEnv } from '../core/keyring.js';
import { migratePostgresDown, postgresMigrationStatus } from '../stores/postgres/migrator.js';
import { ensureRollingPartitions, listPartitions } from '../stores/postgres/partitions.js';
import { progressReporter } from './progress.js';
import { archiveOlderThan, ARCHIVE_TARGETS, type ArchiveTarget } from '../ops/archive/index.js';
import { healthReport } from '../ops/health-report.js';
import { recordSizeSnapshot } from '../ops/health/growth.js';
import { seedDemo } from '../ops/demo-seed.js';
import { RECONCILE_CHECKS, type ReconcileCheck } from '../ops/reconcile/reconcile.js';
import { readMigrationStatus, revertMongoLayout } from '../mongo-layout.js';
import type { MigrationStatusReport } from '../stores/migration-status.js';
import { describeFailure, EXIT, UsageError } from './cli-errors.js';
import { packageVersion } from './package-version.js';
import { importFile, type ImportFormat } from './import/import-file.js';
import { BULK_ENTITY_NAMES, type BulkEntityName } from '../workflows/bulk-create/bulk-create-entities.js';
import { MAX_BULK_CREATE_ROWS } from '../workflows/bulk-create/bulk-create.workflow.js';
import { CONNECT_TIMEOUT_ENV, connectMongoQuickly, connectPostgresQuickly, DEFAULT_CONNECT_TIMEOUT_MS } from './store-connections.js';

export { EXIT } from './cli-errors.js';

const ARCHIVE_TARGET_NAMES = Object.keys(ARCHIVE_TARGETS) as ArchiveTarget[];

interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
  readonly Command: typeof CommandClass;
  readonly Option: typeof OptionClass;
}

interface ConnectionFlags {
  mongoUri?: string;
  mongoDb?: string;
  databaseUrl?: string;
  json?: boolean;
  payments?: string;
  connectTimeout?: string;
}

/** The stores a command opened itself, each only when it needs it. */
interface OpenStores {
  readonly mongo?: { readonly client: MongoClient; readonly db: Db };
  readonly postgres?: { readonly pool: pg.Pool; readonly db: Kysely<Database> };
  close(): Promise<void>;
}

/**
 * Loads the host's payment provider for commands that talk to it (recovery, reconciliation
 * with `--repair`): a module whose default export (or `payments` export) is a
 * `PaymentProvider` or a function returning one.
 */
async function loadPaymentProvider(specifier: string): Promise<PaymentProvider> {
  const url = /^(\.|\/|[A-Za-z]:)/.test(specifier) ? pathToFileURL(resolvePath(specifier)).href : specifier;
  const loaded = (await import(url)) as Record<string, unknown>;
  const exported = loaded['payments'] ?? loaded['default'];
  const provider = (typeof exported === 'function' ? await (exported as () => unknown)() : exported) as Partial<PaymentProvider> | undefined;
  for (const method of ['charge', 'refund', 'findCharge', 'findRefund'] as const) {
    if (typeof provider?.[method] !== 'function') throw new ConfigurationError(`${specifier} does not export a PaymentProvider (no ${method}); export one as default or as \`payments\``);
  }
  return provider as PaymentProvider;
}

/**
 * The `nexfit` command: thin, it calls the same functions host apps call.
 * Returns the exit code instead of exiting, so tests can run it in-process.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  // Known before parsing, so that a usage error commander finds is JSON too.
  const json = argv.slice(2).includes('--json');
  // In JSON mode commander's own output (help, version) is wrapped, and its messages become the error body.
  let commanderOut = '';
  const { program, exitCode } = nexfitProgram(io, json ? { writeOut: (s) => (commanderOut += s), writeErr: () => {} } : undefined);
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    const commanderCode = commanderErrorCode(error);
    if (commanderCode && (error as { exitCode?: unknown }).exitCode === 0) {
      if (json) io.stdout.write(`${JSON.stringify(commanderCode === 'commander.version' ? { ok: true, version: commanderOut.trim() } : { ok: true, help: commanderOut })}\n`);
      return EXIT.ok;
    }
    const commanderMessage = commanderCode === 'commander.help' ? 'a command is required (see --help)' : String((error as Error).message).replace(/^error: /, '');
    const failure = commanderCode ? { exit: EXIT.usage, body: { code: 'USAGE', message: commanderMessage } } : describeFailure(error);
    if (json) io.stdout.write(`${JSON.stringify({ ok: false, error: failure.body })}\n`);
    // Commander has already written its own message to stderr.
    else if (!commanderCode) io.stderr.write(`nexfit: ${/^[A-Z_]+$/.test(failure.body.code) && !['USAGE', 'STORE_UNREACHABLE', 'FAILURE'].includes(failure.body.code) ? `${failure.body.code}: ` : ''}${failure.body.message}\n`);
    return failure.exit;
  }
  return exitCode();
}

function commanderErrorCode(error: unknown): string | undefined {
  const code = error && typeof error === 'object' && 'exitCode' in error && 'code' in error ? String(error.code) : '';
  return code.startsWith('commander.') ? code : undefined;
}

/**
 * The commands of `nexfit`, without running them: `runCli` parses with it, and the tests
 * walk its commands and options (every option must be documented in docs/operations.md).
 */
export function nexfitProgram(
  io: CliIo,
  output: { readonly writeOut: (s: string) => void; readonly writeErr: (s: string) => void } = { writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) },
): { readonly program: CommandClass; readonly exitCode: () => number } {
  let exitCode: number = EXIT.ok;
  const print = (flags: ConnectionFlags, human: string, json: unknown) => {
    io.stdout.write(flags.json ? `${JSON.stringify(json)}\n` : `${human}\n`);
  };
  const connectTimeoutOf = (flags: ConnectionFlags): number => {
    const raw = flags.connectTimeout ?? io.env[CONNECT_TIMEOUT_ENV];
    if (raw === undefined || raw === '') return DEFAULT_CONNECT_TIMEOUT_MS;
    const ms = Number(raw);
    if (!Number.isInteger(ms) || ms < 1) throw new UsageError(`--connect-timeout (or ${CONNECT_TIMEOUT_ENV}) takes a positive whole number of milliseconds, got ${raw}`);
    return ms;
  };
  /** Opens only the stores asked for, with the command's connect timeout; refuses before connecting when a connection string is missing. */
  const openStores = async (flags: ConnectionFlags, needs: { readonly mongo: boolean; readonly postgres: boolean }): Promise<OpenStores> => {
    const mongoUri = flags.mongoUri ?? io.env['MONGODB_URI'];
    const databaseUrl = flags.databaseUrl ?? io.env['DATABASE_URL'];
    const missing = [needs.mongo && !mongoUri ? 'MONGODB_URI (or --mongo-uri)' : null, needs.postgres && !databaseUrl ? 'DATABASE_URL (or --database-url)' : null].filter(Boolean);
    if (missing.length > 0) throw new UsageError(`set ${missing.join(' and ')}`);
    const timeoutMs = connectTimeoutOf(flags);
    const closers: (() => Promise<void>)[] = [];
    const close = async () => {
      for (const closeOne of closers.reverse()) await closeOne().catch(() => {});
      closers.length = 0;
    };
    try {
      let mongo: OpenStores['mongo'];
      let postgres: OpenStores['postgres'];
      if (needs.postgres) {
        const pool = await connectPostgresQuickly(databaseUrl as string, timeoutMs);
        const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
        // Kysely ends the pool only if a query went through `db`; a command that used it only
        // through the SDK (lent as a host pool) would keep idle connections, and the process
        // alive, until the pool's idle timeout.
        closers.push(async () => {
          await db.destroy();
          if (!pool.ending) await pool.end();
        });
        postgres = { pool, db };
      }
      if (needs.mongo) {
        const client = await connectMongoQuickly(mongoUri as string, timeoutMs);
        closers.push(() => client.close());
        mongo = { client, db: client.db(flags.mongoDb ?? io.env['NEXFIT_MONGO_DB'] ?? 'nexfit') };
      }
      return { ...(mongo ? { mongo } : {}), ...(postgres ? { postgres } : {}), close };
    } catch (error) {
      await close();
      throw error;
    }
  };
  /**
   * Runs `fn` on the stores of the flags and environment. The keyring comes from the
   * environment; commands that write or re-encrypt personal data (`keys: 'required'`) refuse
   * to run without it, the others never touch an encrypted value and run on a throwaway one.
   */
  const withNexfit = async (flags: ConnectionFlags, fn: (nexfit: Nexfit) => Promise<void>, options: { keys?: 'required' | 'optional'; webhooks?: WebhookOptions } = {}) => {
    let keyring;
    try {
      keyring = keyringFromEnv(io.env);
    } catch (error) {
      throw new UsageError(`${isNexfitError(error) ? `${error.code}: ` : ''}${error instanceof Error ? error.message : String(error)}`);
    }
    if (!keyring && options.keys === 'required') {
      throw new UsageError(`set ${KEYRING_ENV.keys} and ${KEYRING_ENV.blindIndexKey} (the keyring of the encrypted fields)`);
    }
    const paymentsModule = flags.payments ?? io.env['NEXFIT_PAYMENTS_MODULE'];
    let payments: PaymentProvider | undefined;
    try {
      payments = paymentsModule ? await loadPaymentProvider(paymentsModule) : undefined;
    } catch (error) {
      throw new UsageError(`--payments ${paymentsModule}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const stores = await openStores(flags, { mongo: true, postgres: true });
    try {
      const nexfit = await createNexfit({
        mongo: { client: stores.mongo!.client, dbName: stores.mongo!.db.databaseName },
        postgres: { pool: stores.postgres!.pool },
        keyring: keyring ?? 'ephemeral',
        migrate: false,
        ...(payments ? { payments } : {}),
        ...(options.webhooks ? { webhooks: options.webhooks } : {}),
      });
      try {
        await fn(nexfit);
      } finally {
        await nexfit.close();
      }
    } finally {
      await stores.close();
    }
  };

  const program = new io.Command('nexfit')
    .description('Operate a NexFit deployment: migrations, maintenance, recovery and demo data.')
    .version(packageVersion(), '-V, --version', 'print the version of @nexfit/sdk')
    .exitOverride()
    .configureOutput(output);
  const connectionOptions = (command: CommandClass) =>
    command
      .addOption(new io.Option('--mongo-uri <uri>', 'MongoDB connection string (default: $MONGODB_URI)'))
      .addOption(new io.Option('--mongo-db <name>', 'MongoDB database name (default: $NEXFIT_MONGO_DB or nexfit)'))
      .addOption(new io.Option('--database-url <url>', 'PostgreSQL connection string (default: $DATABASE_URL)'))
      .addOption(new io.Option('--connect-timeout <ms>', `give up on a store after this many milliseconds (default: $${CONNECT_TIMEOUT_ENV} or ${DEFAULT_CONNECT_TIMEOUT_MS})`))
      .option('--json', 'machine-readable output, errors included');

  const migrate = program.command('migrate').description('Schema migrations of both stores');
  connectionOptions(migrate.command('up').description('Create/update MongoDB collections, validators and indexes; migrate PostgreSQL to the latest version'))
    .action(async (flags: ConnectionFlags) => withNexfit(flags, async (nexfit) => {
      await nexfit.migrate();
      const status = await postgresMigrationStatus(nexfit.pg);
      print(flags, `migrated: PostgreSQL at ${status.current ?? 'none'}, MongoDB collections ensured`, { ok: true, postgres: status });
    }));
  connectionOptions(
    migrate
      .command('down')
      .description('Revert the latest PostgreSQL migration(s) and the MongoDB layout (validators and indexes) to the one before')
      .option('--steps <n>', 'how many PostgreSQL migrations to revert', '1')
      .option('--store <store>', 'only one store: mongo or postgres'),
  )
    .action(async (flags: ConnectionFlags & { steps: string; store?: string }) => withNexfit(flags, async (nexfit) => {
      const steps = Number(flags.steps);
      if (!Number.isInteger(steps) || steps < 1 || (flags.store !== undefined && flags.store !== 'mongo' && flags.store !== 'postgres')) {
        throw new UsageError('--steps takes a positive whole number, --store mongo or postgres');
      }
      const mongo = flags.store === 'postgres' ? null : await revertMongoLayout(nexfit.mongo.db);
      if (flags.store !== 'mongo') await migratePostgresDown(nexfit.pg, { steps });
      const status = await postgresMigrationStatus(nexfit.pg);
      const mongoLine = mongo ? `MongoDB layout ${mongo.from} -> ${mongo.to}` : 'MongoDB unchanged';
      print(flags, `reverted: PostgreSQL at ${status.current ?? 'none'}${flags.store === 'mongo' ? ' (unchanged)' : ''}, ${mongoLine}`, { ok: true, postgres: status, mongo });
    }));
  connectionOptions(
    migrate
      .command('status')
      .description(`Show applied and pending migrations of both stores; exit code ${EXIT.pending} while any is pending`)
      .addOption(new io.Option('--store <store>', 'the store(s) to read: postgres, mongo or both').choices(['postgres', 'mongo', 'both']).default('both')),
  )
    .action(async (flags: ConnectionFlags & { store: 'postgres' | 'mongo' | 'both' }) => {
      // Read-only, on the raw drivers: opening the SDK would refuse a newer layout before it could be reported.
      const stores = await openStores(flags, { mongo: flags.store !== 'postgres', postgres: flags.store !== 'mongo' });
      try {
        const report = await readMigrationStatus({ ...(stores.mongo ? { db: stores.mongo.db } : {}), ...(stores.postgres ? { pg: stores.postgres.db } : {}) });
        print(flags, migrationStatusText(report), { ok: true, ...report });
        exitCode = report.state === 'up-to-date' ? EXIT.ok : report.state === 'pending' ? EXIT.pending : EXIT.failure;
      } finally {
        await stores.close();
      }
    });

  const partitions = program.command('partitions').description('Partitions of analytics_daily (yearly) and audit_logs (monthly)');
  connectionOptions(partitions.command('ensure').description('Create the partitions of a window around today (idempotent)')
    .option('--months-ahead <n>', 'audit_logs months to prepare ahead', '3')
    .option('--years-ahead <n>', 'analytics_daily years to prepare ahead', '1'))
    .action(async (flags: ConnectionFlags & { monthsAhead: string; yearsAhead: string }) => withNexfit(flags, async (nexfit) => {
      const monthsAhead = Number(flags.monthsAhead);
      const yearsAhead = Number(flags.yearsAhead);
      if (![monthsAhead, yearsAhead].every((n) => Number.isInteger(n) && n >= 0 && n <= 120)) {
        throw new UsageError('--months-ahead and --years-ahead take whole numbers from 0 to 120');
      }
      const result = await ensureRollingPartitions(nexfit.pg, { auditMonthsAhead: monthsAhead, analyticsYearsAhead: yearsAhead });
      const created = [...result.analytics_daily.created, ...result.audit_logs.created];
      print(flags, created.length ? `created ${created.length} partition(s): ${created.join(', ')}` : 'all partitions of the window exist', result);
    }));
  connectionOptions(partitions.command('list').description('List the partitions with their ranges and row estimates'))
    .action(async (flags: ConnectionFlags) => withNexfit(flags, async (nexfit) => {
      const tables = { analytics_daily: await listPartitions(nexfit.pg, 'analytics_daily'), audit_logs: await listPartitions(nexfit.pg, 'audit_logs') };
      const lines = Object.entries(tables).flatMap(([table, parts]) => [table, ...parts.map((p) => `  ${p.name}  ${p.isDefault ? 'DEFAULT' : `${p.from} .. ${p.to}`}  ~${p.rowEstimate} rows`)]);
      print(flags, lines.join('\n'), tables);
    }));

  const analytics = program.command('analytics').description('The daily roll-up into analytics_daily');
  connectionOptions(analytics.command('rollup').description('Roll up one day (default: yesterday, UTC) for every facility or one')
    .option('--date <YYYY-MM-DD>', 'the day to roll up')
    .option('--business <id>', 'only this facility'))
    .action(async (flags: ConnectionFlags & { date?: string; business?: string }) => withNexfit(flags, async (nexfit) => {
      const date = flags.date ?? new Date(nexfit.clock.now().getTime() - 86_400_000).toISOString().slice(0, 10);
      const rows = await nexfit.analytics.rollupDay({ date, ...(flags.business ? { businessId: flags.business } : {}) });
      print(flags, `rolled up ${date}: ${rows.length} business(es)`, { date, rows });
    }));
  connectionOptions(analytics.command('backfill').description('Roll up every day of a range (both ends inclusive)')
    .requiredOption('--from <YYYY-MM-DD>', 'first day')
    .requiredOption('--to <YYYY-MM-DD>', 'last day')
    .option('--business <id>', 'only this facility'))
    .action(async (flags: ConnectionFlags & { from: string; to: string; business?: string }) => withNexfit(flags, async (nexfit) => {
      const progress = progressReporter(io.stderr, !flags.json);
      try {
        const result = await nexfit.analytics.backfill(
          { from: flags.from, to: flags.to, ...(flags.business ? { businessId: flags.business } : {}) },
          (done, total, date) => progress.update(done, total, date),
        );
        progress.stop();
        print(flags, `backfilled ${result.days} day(s), ${result.rows} row(s)`, result);
      } finally {
        progress.stop();
      }
    }));

  connectionOptions(program.command('archive').description('Move cold data older than a retention window to the archive, in resumable batches')
    .requiredOption('--target <name>', `one of ${ARCHIVE_TARGET_NAMES.join(', ')}`)
    .requiredOption('--older-than-days <n>', 'retention window in days')
    .option('--batch-size <n>', 'documents or rows per batch', '500'))
    .action(async (flags: ConnectionFlags & { target: string; olderThanDays: string; batchSize: string }) => withNexfit(flags, async (nexfit) => {
      const days = Number(flags.olderThanDays);
      const batchSize = Number(flags.batchSize);
      if (!(ARCHIVE_TARGET_NAMES as readonly string[]).includes(flags.target) || !Number.isInteger(days) || days < 1 || !Number.isInteger(batchSize) || batchSize < 1) {
        throw new UsageError(`--target takes ${ARCHIVE_TARGET_NAMES.join(' | ')}; --older-than-days and --batch-size take positive whole numbers`);
      }
      const progress = progressReporter(io.stderr, !flags.json);
      try {
        const before = new Date(nexfit.clock.now().getTime() - days * 86_400_000);
        const result = await archiveOlderThan(
          { db: nexfit.mongo.db, pg: nexfit.pg },
          { target: flags.target as ArchiveTarget, before, batchSize, onProgress: (moved, total) => progress.update(moved, total, flags.target) },
        );
        progress.stop();
        print(flags, `archived ${result.moved} of ${result.total} ${flags.target} older than ${before.toISOString()}${result.complete ? '' : ' (incomplete: run again to resume)'}`, result);
        if (!result.complete) exitCode = EXIT.failure;
      } finally {
        progress.stop();
      }
    }));

  connectionOptions(
    program
      .command('health')
      .description('Index, size, growth, partition and unit-of-work health of both stores')
      .option('--record', 'first store a size snapshot (nightly: the growth rates are computed from them)'),
  )
    .action(async (flags: ConnectionFlags & { record?: boolean }) => withNexfit(flags, async (nexfit) => {
      if (flags.record) await recordSizeSnapshot({ db: nexfit.mongo.db, pg: nexfit.pg });
      const report = await healthReport({ db: nexfit.mongo.db, pg: nexfit.pg });
      const lines = [
        `MongoDB collections: ${report.mongo.collections.length}`,
        `PostgreSQL tables: ${report.postgres.tables.length}`,
        ...report.growth.filter((g) => (g.rowsPerDay ?? 0) !== 0).map((g) => `growth ${g.store} ${g.target}: ${Math.round(g.rowsPerDay ?? 0)} rows/day, ${Math.round((g.bytesPerDay ?? 0) / 1024)} KiB/day`),
        `prepared transactions: ${report.unitsOfWork.preparedTransactions.enabled ? `enabled (max ${report.unitsOfWork.preparedTransactions.maxPreparedTransactions})` : 'disabled (ordered unit of work)'}`,
        report.problems.length ? `problems:\n${report.problems.map((p) => `  - ${p}`).join('\n')}` : 'no problems found',
      ];
      print(flags, lines.join('\n'), report);
      if (report.problems.length) exitCode = EXIT.failure;
    }));

  const seed = program.command('seed').description('Data for a fresh deployment');
  connectionOptions(seed.command('demo').description('The exercise catalogue, demo users, a gym and its plan (idempotent)'))
    .action(async (flags: ConnectionFlags) => withNexfit(flags, async (nexfit) => {
      const report = await seedDemo(nexfit);
      print(flags, `seeded: ${report.exercisesImported} exercises, ${report.usersCreated} users, ${report.facilitiesCreated} facilities, ${report.plansCreated} plans`, report);
    }, { keys: 'required' }));

  const keys = program.command('keys').description('The keys of the fields encrypted at rest (keyring from $NEXFIT_ENCRYPTION_KEYS)');
  connectionOptions(keys.command('rotate').description('Re-encrypt every value not under the active key, in resumable batches')
    .option('--batch-size <n>', 'documents per batch', '500')
    .option('--resume-after <collection:id>', 'continue after the checkpoint an interrupted run printed'))
    .action(async (flags: ConnectionFlags & { batchSize: string; resumeAfter?: string }) => withNexfit(flags, async (nexfit) => {
      const batchSize = Number(flags.batchSize);
      const [collection, after] = flags.resumeAfter?.split(':') ?? [];
      if (!Number.isInteger(batchSize) || batchSize < 1 || (flags.resumeAfter !== undefined && (!collection || !after))) {
        throw new UsageError('--batch-size takes a positive whole number; --resume-after takes <collection>:<id>');
      }
      const progress = progressReporter(io.stderr, !flags.json);
      try {
        const report = await nexfit.rotateEncryptionKeys({
          batchSize,
          ...(collection && after ? { resumeFrom: { collection, after } } : {}),
          onProgress: (p) => progress.update(p.scanned, Math.max(p.total, p.scanned), `${p.collection} (${p.rotated} re-encrypted; checkpoint ${p.checkpoint.collection}:${p.checkpoint.after})`),
        });
        progress.stop();
        const lines = Object.entries(report.collections).map(([name, c]) => `  ${name}: ${c.rotated} of ${c.scanned} document(s) re-encrypted`);
        print(flags, `rotated to key ${report.activeKeyId}:\n${lines.join('\n')}`, report);
      } finally {
        progress.stop();
      }
    }, { keys: 'required' }));

  const paymentsOption = (command: CommandClass) =>
    command.addOption(new io.Option('--payments <module>', 'module exporting the PaymentProvider, for payment intents (default: $NEXFIT_PAYMENTS_MODULE)'));

  const uow = program.command('uow').description('Units of work across both stores');
  connectionOptions(paymentsOption(uow.command('recover').description('Resolve units of work left in doubt by a crashed process, then drive open payment intents to an end').option('--older-than <seconds>', 'leave younger units and intents to their process', '60')))
    .action(async (flags: ConnectionFlags & { olderThan: string }) => withNexfit(flags, async (nexfit) => {
      const seconds = Number(flags.olderThan);
      if (!Number.isFinite(seconds) || seconds < 0) {
        throw new UsageError('--older-than takes a number of seconds');
      }
      const report = await nexfit.recoverInDoubt({ olderThanMs: seconds * 1000 });
      const intents = report.paymentIntents.results;
      const count = (outcome: string) => intents.filter((r) => r.outcome === outcome).length;
      const stuck = intents.filter((r) => r.outcome === 'stuck');
      print(
        flags,
        [
          `in doubt: ${report.examined}; committed ${report.committed.length}, rolled back ${report.rolledBack.length}, still deciding ${report.skipped.length}`,
          `payment intents: ${report.paymentIntents.examined}; completed ${count('completed')}, refunded ${count('refunded')}, closed uncharged ${count('failed')}, stuck ${stuck.length}`,
          ...stuck.map((r) => `  stuck ${r.kind} ${r.intentId} (${r.idempotencyKey}): ${r.reason ?? ''}`),
        ].join('\n'),
        report,
      );
      if (report.skipped.length || stuck.length) exitCode = EXIT.failure;
    }));

  connectionOptions(paymentsOption(program.command('reconcile').description('Compare the two stores and report every disagreement; --repair fixes what has one correct answer')
    .option('--repair', 'fix what has exactly one correct answer (audited)')
    .option('--days <dates>', 'comma-separated days (YYYY-MM-DD) whose analytics_daily rows are recomputed (default: yesterday)')
    .option('--checks <names>', `comma-separated checks to run (${RECONCILE_CHECKS.join(', ')}; default: all)`)
    .option('--grace <seconds>', 'events and payment intents younger than this are still in flight', '300')))
    .action(async (flags: ConnectionFlags & { repair?: boolean; days?: string; checks?: string; grace: string }) => withNexfit(flags, async (nexfit) => {
      const days = flags.days?.split(',').map((d) => d.trim()).filter(Boolean);
      const checks = flags.checks?.split(',').map((c) => c.trim()).filter(Boolean);
      const grace = Number(flags.grace);
      const unknown = (checks ?? []).filter((c) => !(RECONCILE_CHECKS as readonly string[]).includes(c));
      if (unknown.length || (days ?? []).some((d) => !/^\d{4}-\d{2}-\d{2}$/.test(d)) || !Number.isFinite(grace) || grace < 0) {
        throw new UsageError(`--days takes YYYY-MM-DD dates, --checks takes ${RECONCILE_CHECKS.join(', ')}, --grace a number of seconds`);
      }
      const progress = progressReporter(io.stderr, !flags.json);
      try {
        const report = await nexfit.reconcile({
          repair: flags.repair === true,
          graceMs: grace * 1000,
          ...(days ? { analyticsDays: days } : {}),
          ...(checks ? { checks: checks as ReconcileCheck[] } : {}),
          onProgress: (p) => progress.update(p.scanned, p.scanned, p.check),
        });
        progress.stop();
        const lines = [
          ...Object.entries(report.checks).map(([name, c]) => `  ${name}: ${c.scanned} scanned, ${c.findings} finding(s)`),
          ...report.findings.map((f) => `  ${f.repaired ? 'repaired' : f.repairable ? 'repairable' : 'found'} ${f.kind} ${Object.entries(f.ids).map(([k, v]) => `${k}=${v}`).join(' ')}: ${f.detail}`),
        ];
        print(flags, `${report.ok ? 'the stores agree' : 'the stores disagree'}${report.repaired ? ` (${report.repaired} repaired)` : ''}\n${lines.join('\n')}`, report);
        if (!report.ok && report.findings.some((f) => !f.repaired)) exitCode = EXIT.failure;
      } finally {
        progress.stop();
      }
    }));

  connectionOptions(program.command('import')
    .description('Load the rows of one entity from an NDJSON or CSV file through bulkCreate: streaming, in batches, resumable')
    .argument('<entity>', `the collection or table: ${BULK_ENTITY_NAMES.join(', ')}`)
    .argument('<file>', 'an NDJSON (.ndjson, .jsonl: one JSON object a line) or CSV (.csv: a header of field paths) file')
    .addOption(new io.Option('--format <format>', 'ndjson or csv (default: from the file extension)').choices(['ndjson', 'csv']))
    .option('--batch-size <n>', `rows per batch, each one unit of work, at most ${MAX_BULK_CREATE_ROWS} (default: 1000)`)
    .option('--unordered', 'write every good row and report every bad one (default: stop at the first bad row)')
    .option('--dry-run', 'validate every row as the import would, conflicts included, and write nothing')
    .option('--rejected <file>', 'where rejected rows go, one JSON line each (default: <file>.rejected.ndjson)')
    .option('--checkpoint <file>', 'where the progress of the import is kept for a resume (default: <file>.checkpoint.json)')
    .option('--restart', 'ignore the checkpoint and import the file from its first line'))
    .action(async (entity: string, file: string, flags: ConnectionFlags & { format?: ImportFormat; batchSize?: string; unordered?: boolean; dryRun?: boolean; rejected?: string; checkpoint?: string; restart?: boolean }) => {
      if (!(BULK_ENTITY_NAMES as readonly string[]).includes(entity)) throw new UsageError(`unknown entity ${entity}: one of ${BULK_ENTITY_NAMES.join(', ')}`);
      const byExtension: Record<string, ImportFormat> = { '.ndjson': 'ndjson', '.jsonl': 'ndjson', '.csv': 'csv' };
      const format = flags.format ?? byExtension[extname(file).toLowerCase()];
      if (!format) throw new UsageError(`cannot tell the format of ${file} from its extension: pass --format ndjson or --format csv`);
      const batchSize = flags.batchSize === undefined ? 1000 : Number(flags.batchSize);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BULK_CREATE_ROWS) throw new UsageError(`--batch-size takes a whole number from 1 to ${MAX_BULK_CREATE_ROWS}`);
      try {
        if (!statSync(file).isFile()) throw new Error('not a file');
      } catch (error) {
        throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
      }
      await withNexfit(flags, async (nexfit) => {
        const progress = progressReporter(io.stderr, !flags.json);
        try {
          const summary = await importFile((input) => nexfit.workflows.bulkCreate(input), {
            entity: entity as BulkEntityName,
            file,
            format,
            batchSize,
            ordered: flags.unordered !== true,
            dryRun: flags.dryRun === true,
            rejectedFile: flags.rejected ?? `${file}.rejected.ndjson`,
            checkpointFile: flags.checkpoint ?? `${file}.checkpoint.json`,
            restart: flags.restart === true,
            given: { format: flags.format !== undefined, batchSize: flags.batchSize !== undefined, ordered: flags.unordered !== undefined },
            onProgress: (bytes, total, rows) => progress.update(bytes, total, `${rows} rows`),
          });
          progress.stop();
          const verb = summary.dryRun ? 'would create' : 'created';
          const lines = [
            `${entity} from ${file}: ${summary.rows} row(s) read, ${verb} ${summary.created}, rejected ${summary.rejected}${summary.dryRun ? ' (dry run: nothing written)' : ''}`,
            ...(summary.resumedFromLine !== null ? [`resumed from line ${summary.resumedFromLine}`] : []),
            ...(summary.stoppedAtLine !== null ? [`stopped at the rejected row on line ${summary.stoppedAtLine}; the rows before it are written (fix it and run again to go on)`] : []),
            ...(summary.rejectedFile ? [`rejected rows: ${summary.rejectedFile}`] : []),
            `${(summary.elapsedMs / 1000).toFixed(1)} s, ${summary.rowsPerSecond} rows/s, peak RSS ${summary.peakRssMb} MB`,
          ];
          print(flags, lines.join('\n'), summary);
          exitCode = summary.stoppedAtLine !== null ? EXIT.usage : summary.rejected > 0 ? EXIT.rejected : EXIT.ok;
        } finally {
          progress.stop();
        }
      }, { keys: 'required' });
    });

  connectionOptions(program.command('housekeeping').description('Remove what has expired: idempotency keys, closed payment intents, delivered events, past counters and locks')
    .option('--retention-days <n>', 'how long closed records are kept', '30'))
    .action(async (flags: ConnectionFlags & { retentionDays: string }) => withNexfit(flags, async (nexfit) => {
      const retentionDays = Number(flags.retentionDays);
      if (!Number.isInteger(retentionDays) || retentionDays < 0 || retentionDays > 3650) {
        throw new UsageError('--retention-days takes a whole number from 0 to 3650');
      }
      const report = await nexfit.housekeeping({ retentionDays });
      print(flags, `removed: ${Object.entries(report).map(([k, v]) => `${k} ${v}`).join(', ')}`, report);
    }));

  const webhooks = program.command('webhooks').description('Signed webhooks for domain events');
  connectionOptions(webhooks.command('dispatch').description('Send the due webhook deliveries, signed, with retries and dead letters (every minute from a scheduler)')
    .option('--limit <n>', 'deliveries attempted at most in this run', '1000')
    .option('--concurrency <n>', 'requests in flight at once', '8')
    .option('--allow-private-hosts', 'let endpoints reach loopback and private addresses (tests, intranets)')
    .option('--purge-older-than-days <n>', 'then delete deliveries finished longer ago than this, with their attempt logs'))
    .action(async (flags: ConnectionFlags & { limit: string; concurrency: string; allowPrivateHosts?: boolean; purgeOlderThanDays?: string }) => {
      const limit = Number(flags.limit);
      const concurrency = Number(flags.concurrency);
      const purge = flags.purgeOlderThanDays === undefined ? undefined : Number(flags.purgeOlderThanDays);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError('--limit takes a whole number from 1 to 1000');
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new UsageError('--concurrency takes a whole number from 1 to 64');
      if (purge !== undefined && (!Number.isInteger(purge) || purge < 1 || purge > 3650)) throw new UsageError('--purge-older-than-days takes a whole number from 1 to 3650');
      await withNexfit(flags, async (nexfit) => {
        const report = await nexfit.webhooks.dispatch({ limit, concurrency });
        const purged = purge === undefined ? undefined : await nexfit.webhooks.purgeDeliveries({ olderThanDays: purge });
        const text = `attempted ${report.attempted}: succeeded ${report.succeeded}, retrying ${report.retrying}, dead-lettered ${report.deadLettered}${purged === undefined ? '' : `; purged ${purged}`}`;
        print(flags, text, { ...report, ...(purged === undefined ? {} : { purged }) });
      }, { keys: 'required', webhooks: { allowPrivateHosts: flags.allowPrivateHosts === true } });
    });
  const credits = program.command('credits').description('Session credits of class packs');
  connectionOptions(credits.command('expire').description('Forfeit the credits left of every class pack whose credits expired (idempotent; the nightly job)')
    .option('--as-of <instant>', 'expire what expired at or before this ISO 8601 instant (default: now)'))
    .action(async (flags: ConnectionFlags & { asOf?: string }) => withNexfit(flags, async (nexfit) => {
      const asOf = flags.asOf === undefined ? nexfit.clock.now() : new Date(flags.asOf);
      if (Number.isNaN(asOf.getTime())) throw new UsageError('--as-of takes an ISO 8601 instant, e.g. 2026-03-02T00:00:00Z');
      const expired = await nexfit.memberships.expireCredits(asOf);
      print(flags, `expired the credits of ${expired.length} class pack(s) as of ${asOf.toISOString()}`, { asOf: asOf.toISOString(), memberSubscriptionIds: expired.map((s) => s.id) });
    }));
  const memberships = program.command('memberships').description('Member subscriptions: freezes and failed renewals');
  connectionOptions(memberships.command('apply-freezes').description('Start the membership freezes whose first day has come and end the finished ones (the nightly freeze job; idempotent)')
    .option('--as-of <instant>', 'the instant to apply freezes up to, ISO 8601 (now)'))
    .action(async (flags: ConnectionFlags & { asOf?: string }) => withNexfit(flags, async (nexfit) => {
      const asOf = flags.asOf === undefined ? nexfit.clock.now() : new Date(flags.asOf);
      if (Number.isNaN(asOf.getTime())) throw new UsageError('--as-of takes an ISO 8601 instant such as 2026-03-02T03:00:00Z');
      const report = await nexfit.workflows.applyFreezes({ asOf });
      const failed = report.results.filter((r) => r.outcome === 'failed');
      print(flags, `freezes applied on ${report.results.length - failed.length} membership(s)${failed.length ? `, ${failed.length} failed (run again)` : ''}`, {
        applied: report.results.length - failed.length,
        failed: failed.map((r) => r.memberSubscriptionId),
      });
      if (failed.length > 0) exitCode = EXIT.failure;
    }));
  connectionOptions(paymentsOption(program.command('fees').command('collect').description('Charge again every late-cancellation or no-show fee still unpaid (the nightly fee job; never charges a fee twice)')
    .option('--as-of <instant>', 'collect the fees recorded at or before this ISO 8601 instant (now)')))
    .action(async (flags: ConnectionFlags & { asOf?: string }) => withNexfit(flags, async (nexfit) => {
      const asOf = flags.asOf === undefined ? nexfit.clock.now() : new Date(flags.asOf);
      if (Number.isNaN(asOf.getTime())) throw new UsageError('--as-of takes an ISO 8601 instant such as 2026-03-02T03:00:00Z');
      const report = await nexfit.workflows.collectUnpaidFees({ asOf });
      const count = (outcome: string) => report.results.filter((r) => r.outcome === outcome).length;
      const failed = report.results.filter((r) => r.outcome === 'failed');
      print(flags, `fees: ${report.results.length}; paid ${count('paid')}, still unpaid ${count('unpaid')}, awaiting recovery ${count('pending')}${failed.length ? `, ${failed.length} failed (run again)` : ''}`, {
        paid: count('paid'),
        unpaid: count('unpaid'),
        pending: count('pending'),
        failed: failed.map((r) => r.feeId),
      });
      if (failed.length > 0) exitCode = EXIT.failure;
    }));

  connectionOptions(program.command('accounts').command('revoke-come-of-age').description('Revoke the guardian links of dependants who are no longer minors (the nightly family-account job; idempotent)')
    .option('--as-of <instant>', 'the instant at which dependants are aged, ISO 8601 (now)'))
    .action(async (flags: ConnectionFlags & { asOf?: string }) => withNexfit(flags, async (nexfit) => {
      const asOf = flags.asOf === undefined ? nexfit.clock.now() : new Date(flags.asOf);
      if (Number.isNaN(asOf.getTime())) throw new UsageError('--as-of takes an ISO 8601 instant such as 2026-03-02T03:00:00Z');
      const revoked = await nexfit.accountLinks.revokeComeOfAge(asOf);
      print(flags, `revoked ${revoked.length} guardian link(s) of dependants who came of age by ${asOf.toISOString()}`, { asOf: asOf.toISOString(), linkIds: revoked.map((l) => l.id) });
    }));
  connectionOptions(paymentsOption(memberships.command('retry-overdue').description('Charge again every overdue renewal whose retry is due: renew, schedule the next retry, or write the membership off (the nightly dunning job; idempotent per retry)')
    .option('--as-of <instant>', 'retry what is due at or before this ISO 8601 instant (now)')))
    .action(async (flags: ConnectionFlags & { asOf?: string }) => withNexfit(flags, async (nexfit) => {
      const asOf = flags.asOf === undefined ? nexfit.clock.now() : new Date(flags.asOf);
      if (Number.isNaN(asOf.getTime())) throw new UsageError('--as-of takes an ISO 8601 instant such as 2026-03-02T03:00:00Z');
      const report = await nexfit.workflows.retryOverdueRenewals({ asOf });
      const count = (outcome: string) => report.results.filter((r) => r.outcome === outcome).length;
      const failed = report.results.filter((r) => r.outcome === 'failed');
      print(flags, `retried ${report.results.length} overdue membership(s): ${count('renewed')} renewed, ${count('declined')} declined, ${count('written_off')} written off${failed.length ? `, ${failed.length} failed (run again)` : ''}`, {
        asOf: asOf.toISOString(),
        results: report.results.map((r) => ({ memberSubscriptionId: r.memberSubscriptionId, outcome: r.outcome })),
      });
      if (failed.length > 0) exitCode = EXIT.failure;
    }));

  return { program, exitCode: () => exitCode };
}

const MONGO_STATE_TEXT: Readonly<Record<string, string>> = {
  current: 'up to date',
  'not-migrated': 'not migrated (no layout recorded)',
  behind: 'pending (an older layout is recorded)',
  incomplete: 'pending (collections, validators or indexes are missing or differ)',
  ahead: 'newer than this SDK (upgrade @nexfit/sdk)',
};

/** `migrate status` for people: one block per store, then what to do. */
function migrationStatusText(report: MigrationStatusReport): string {
  const lines: string[] = [];
  if (report.postgres) {
    const { migrations, pending, unknownMigrations, state } = report.postgres;
    const summary = state === 'ahead' ? `newer than this SDK (${unknownMigrations.join(', ')}; upgrade @nexfit/sdk)` : pending.length === 0 ? 'up to date' : `${pending.length} pending`;
    lines.push(`PostgreSQL migrations: ${summary}`, ...migrations.map((m) => `  ${m.executedAt ? 'applied' : 'pending'}  ${m.name}`));
  }
  if (report.mongo) {
    const m = report.mongo;
    lines.push(`MongoDB layout: ${MONGO_STATE_TEXT[m.state]}; recorded version ${m.recordedVersion ?? 'none'}, this SDK writes version ${m.sdkVersion}`);
    const listed: [string, readonly string[]][] = [['missing collections', m.missingCollections], ['outdated validators', m.outdatedValidators], ['missing indexes', m.missingIndexes], ['differing indexes', m.differingIndexes]];
    for (const [label, names] of listed) if (names.length > 0) lines.push(`  ${label}: ${names.join(', ')}`);
  }
  lines.push(report.state === 'up-to-date' ? 'all migrations applied' : report.state === 'pending' ? 'migrations pending: run `nexfit migrate up`' : 'a store was migrated by a newer SDK: upgrade @nexfit/sdk');
  return lines.join('\n');
}
