import { sql } from 'kysely';
import type { UserId } from '../../src/core/ids.js';
import type { Nexfit } from '../../src/create-nexfit.js';
import { TestPaymentProvider } from '../../src/modules/billing/index.js';
import { detectPreparedTransactions } from '../../src/stores/postgres/capabilities.js';
import type { UnitOfWorkMode } from '../../src/uow/unit-of-work.js';
import { createInputs } from '../../test/modules/support/factories.js';
import { withSuiteStores } from '../bench-stores.js';
import type { BenchSuite } from './bench-suite.js';

/** Purchases measured per setting, after {@link WARM_UP} unmeasured ones. */
const PURCHASES = 200;
const WARM_UP = 20;
/**
 * Unmeasured purchases at the start of each mode, so that every setting sees the steady state
 * of a long-running host, the purchase path compiled by the JIT. With 20 only, the mode
 * measured first paid for the compiling: its CPU per purchase fell from 16.5 ms (1 in flight)
 * to 10.7 ms (16 in flight) while the other mode's, measured after it, was 6.4 ms at 16.
 */
const PROCESS_WARM_UP = 400;
const IN_FLIGHT = [1, 4, 16] as const;
const MODES: readonly UnitOfWorkMode[] = ['two-phase', 'ordered'];
/** The SDK's default pool (`createNexfit({ postgres: { connectionString } })`), as a host gets it. */
const PG_POOL = 10;

/**
 * `nexfit.workflows.purchaseMembership` end to end (intent, charge through the test provider,
 * the cross-store unit with the next number of the invoice series, intent closed): distinct
 * users buying at ONE business, 1, 4 and 16 purchases in flight, in both unit-of-work modes.
 * Every purchase at one business takes the next number of the same gap-free series, so this
 * is the figure that shows how long that series stays locked per purchase. The run checks
 * that the series it leaves is unbroken.
 */
export const purchasesSuite: BenchSuite = {
  name: 'purchases',
  title: `concurrent membership purchases at one business (${IN_FLIGHT.join(' / ')} in flight, ${PURCHASES} each)`,
  async run({ report, mongoUri, pgAdminUrl }) {
    for (const mode of MODES) {
      const payments = new TestPaymentProvider();
      await withSuiteStores({ mongoUri, pgAdminUrl }, `purchases_${mode}`, async ({ nexfit }) => {
        if (mode === 'two-phase' && !(await detectPreparedTransactions(nexfit.pg)).enabled) {
          report.note('purchases: two-phase mode not measured: this PostgreSQL has max_prepared_transactions = 0');
          return;
        }
        const facility = await nexfit.facilities.create(createInputs.facilities({ ownerId: nexfit.ids.newObjectId() }));
        const plan = await nexfit.memberships.createPlan({ facilityId: facility.id, name: 'Aylık', duration: { value: 1, unit: 'month' }, price: 1_500_00 });
        const buy = () =>
          nexfit.workflows.purchaseMembership({
            userId: nexfit.ids.newObjectId() as UserId,
            membershipId: plan.id,
            paymentMethod: 'card',
            autoRenew: true,
            idempotencyKey: `bench-${nexfit.ids.newUuid()}`,
          });
        await runConcurrently(PROCESS_WARM_UP, Math.max(...IN_FLIGHT), buy);
        let issued = PROCESS_WARM_UP;
        for (const inFlight of IN_FLIGHT) {
          await runConcurrently(WARM_UP, inFlight, buy);
          const { seconds, latencies, cpuMs, eventLoopBusy } = await runConcurrently(PURCHASES, inFlight, buy);
          issued += WARM_UP + PURCHASES;
          latencies.sort((a, b) => a - b);
          const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))]!;
          report.add({
            group: `purchaseMembership at one business (${mode})`,
            name: `${inFlight} in flight: one purchase`,
            medianMs: at(0.5),
            iqrMs: at(0.75) - at(0.25),
            samples: PURCHASES,
            note: `${Math.round(PURCHASES / seconds)} purchases/s; this process: ${(cpuMs / PURCHASES).toFixed(1)} ms CPU per purchase, event loop ${Math.round(eventLoopBusy * 100)} % busy`,
          });
        }
        await assertUnbrokenSeries(nexfit, facility.id, issued);
      }, { pgPoolMax: PG_POOL, unitOfWork: { mode }, payments });
    }
  },
};

/**
 * Runs `count` calls of `work`, at most `inFlight` at a time: wall time, each call's latency
 * (ms), and what this process spent meanwhile (CPU ms, share of the wall time its event loop
 * was busy). The embedded MongoDB server runs in this process, so its work is counted too.
 */
async function runConcurrently(count: number, inFlight: number, work: () => Promise<unknown>): Promise<{ seconds: number; latencies: number[]; cpuMs: number; eventLoopBusy: number }> {
  const latencies: number[] = [];
  let started = 0;
  const worker = async () => {
    while (started < count) {
      started += 1;
      const t0 = performance.now();
      await work();
      latencies.push(performance.now() - t0);
    }
  };
  const cpu0 = process.cpuUsage();
  const loop0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { seconds, latencies, cpuMs: (cpu.user + cpu.system) / 1000, eventLoopBusy: performance.eventLoopUtilization(loop0).utilization };
}

/** Every purchase succeeded with its own invoice, numbered 1..issued without a gap or a duplicate. */
async function assertUnbrokenSeries(nexfit: Nexfit, businessId: string, issued: number): Promise<void> {
  const rows = await nexfit.pg
    .selectFrom('invoices')
    .select(sql<string>`split_part(invoice_number, '-', 3)`.as('sequence'))
    .where('business_id', '=', businessId)
    .execute();
  const numbers = rows.map((r) => Number(r.sequence)).sort((a, b) => a - b);
  const unbroken = numbers.length === issued && numbers.every((n, i) => n === i + 1);
  if (!unbroken) throw new Error(`purchases: expected invoice numbers 1..${issued}, got ${numbers.length} numbers from ${numbers[0]} to ${numbers.at(-1)}`);
}
