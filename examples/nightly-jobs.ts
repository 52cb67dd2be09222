/**
 * The nightly jobs of a NexFit deployment, as one script a scheduler (cron, a Kubernetes
 * CronJob, a queue worker) can run:
 *
 *   MONGODB_URI=… DATABASE_URL=… npx tsx examples/nightly-jobs.ts
 *
 * Each job is idempotent, so a re-run after a failure (or two overlapping runs) is safe.
 */
import { createNexfit, ensureRollingPartitions, keyringFromEnv, type Nexfit, type PaymentProvider } from '../src/index.js';

export interface NightlyReport {
  readonly recovered: { readonly committed: number; readonly rolledBack: number };
  /** Payment intents recovery drove to an end, by outcome (`completed`, `refunded`, `failed`, `stuck`). */
  readonly paymentIntents: Readonly<Record<string, number>>;
  /** Member subscriptions whose freezes started or ended. */
  readonly freezesApplied: number;
  /** Renewal outcomes by kind (`renewed`, `declined`, `frozen`, …). */
  readonly renewals: Readonly<Record<string, number>>;
  /** Dunning outcomes of the overdue renewals retried (`renewed`, `declined`, `written_off`, …). */
  readonly overdueRetries: Readonly<Record<string, number>>;
  readonly expired: number;
  /** Class packs whose expired credits were forfeited. */
  readonly creditsExpired: number;
  /** Late-cancellation and no-show fees charged again, by outcome (`paid`, `unpaid`, `pending`, `failed`). */
  readonly fees: Readonly<Record<string, number>>;
  /** Guardian links revoked because their dependant came of age. */
  readonly guardianLinksRevoked: number;
  readonly rolledUpDay: string;
  readonly rolledUpBusinesses: number;
  readonly partitionsCreated: readonly string[];
  readonly eventsDelivered: number;
  /** Disagreements reconciliation found between the stores, and how many it repaired. */
  readonly reconciliation: { readonly findings: number; readonly repaired: number; readonly ok: boolean };
  /** What housekeeping removed, by kind. */
  readonly housekeeping: Readonly<Record<string, number>>;
}

/** Runs every nightly job for the day that ended before `asOf` (the previous UTC day). */
export async function runNightlyJobs(nexfit: Nexfit, asOf: Date = nexfit.clock.now()): Promise<NightlyReport> {
  // 1. Units of work a crashed process left in doubt, then the payment intents it left open
  //    (completed or refunded), before anything reads the stores.
  const recovery = await nexfit.recoverInDoubt();
  // 2. Memberships: start and end the freezes due, renew what is due (charges through the
  //    payment port; a frozen membership is not charged; a declined one goes into dunning),
  //    retry the overdue renewals whose retry day has come (renewed, rescheduled or written
  //    off), then expire what ended.
  const freezes = await nexfit.workflows.applyFreezes({ asOf });
  const renewals = await nexfit.workflows.renewDueSubscriptions({ asOf });
  const overdueRetries = await nexfit.workflows.retryOverdueRenewals({ asOf });
  const expired = await nexfit.workflows.expireEnded(asOf);
  //    Class packs: the credits left of packs that expired are forfeited.
  const creditsExpired = await nexfit.memberships.expireCredits(asOf);
  //    Classes: late-cancellation and no-show fees still unpaid are charged again.
  const fees = await nexfit.workflows.collectUnpaidFees({ asOf });
  //    Family accounts: guardians stop acting for dependants who came of age.
  const guardianLinksRevoked = await nexfit.accountLinks.revokeComeOfAge(asOf);
  // 3. Yesterday's analytics, every facility in its own time zone.
  const day = new Date(asOf.getTime() - 86_400_000).toISOString().slice(0, 10);
  const rows = await nexfit.analytics.rollupDay({ date: day });
  // 4. Partitions for the coming months, and events a crash left undelivered.
  const partitions = await ensureRollingPartitions(nexfit.pg);
  const relay = await nexfit.events.relay();
  // 5. The stores compared with each other (yesterday's roll-up included), repairing what has
  //    one right answer; then what has expired is removed.
  const reconciliation = await nexfit.reconcile({ repair: true, analyticsDays: [day] });
  const housekeeping = await nexfit.housekeeping();
  return {
    recovered: { committed: recovery.committed.length, rolledBack: recovery.rolledBack.length },
    paymentIntents: countBy(recovery.paymentIntents.results.map((r) => r.outcome)),
    freezesApplied: freezes.results.filter((r) => r.outcome === 'applied').length,
    renewals: countBy(renewals.results.map((r) => r.outcome)),
    overdueRetries: countBy(overdueRetries.results.map((r) => r.outcome)),
    expired: expired.length,
    creditsExpired: creditsExpired.length,
    fees: countBy(fees.results.map((r) => r.outcome)),
    guardianLinksRevoked: guardianLinksRevoked.length,
    rolledUpDay: day,
    rolledUpBusinesses: rows.length,
    partitionsCreated: [...partitions.analytics_daily.created, ...partitions.audit_logs.created],
    eventsDelivered: relay.delivered,
    reconciliation: { findings: reconciliation.findings.length, repaired: reconciliation.repaired, ok: reconciliation.ok },
    housekeeping: { ...housekeeping },
  };
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // A real deployment passes its payment provider's adapter here; the test provider stands in.
  const { TestPaymentProvider } = await import('../src/testing.js');
  const payments: PaymentProvider = new TestPaymentProvider();
  const mongoUri = process.env['MONGODB_URI'];
  const databaseUrl = process.env['DATABASE_URL'];
  // Real stores need the keys of the fields encrypted at rest (NEXFIT_ENCRYPTION_KEYS, NEXFIT_BLIND_INDEX_KEY).
  const keyring = keyringFromEnv(process.env);
  const stores = mongoUri && databaseUrl ? { mongo: { uri: mongoUri }, postgres: { connectionString: databaseUrl }, ...(keyring ? { keyring } : {}) } : { stores: 'embedded' as const };
  const nexfit = await createNexfit({ ...stores, payments });
  try {
    console.log(JSON.stringify(await runNightlyJobs(nexfit), null, 2));
  } finally {
    await nexfit.close();
  }
}
