import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { sql } from 'kysely';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createNexfit, type Nexfit } from '../../../src/create-nexfit.js';
import { createTestKeyring } from '../../../src/core/keyring.js';
import type { FacilityId, MembershipId } from '../../../src/core/ids.js';
import { startEmbeddedMongo, type EmbeddedMongo } from '../../../src/embedded/mongo/server.js';
import { FileLedgerPaymentProvider } from '../../../src/modules/billing/file-ledger-payment-provider.js';
import { detectPreparedTransactions } from '../../../src/stores/postgres/capabilities.js';
import type { UnitOfWorkMode } from '../../../src/uow/unit-of-work.js';
import { uniqueDatabaseName, useTestPostgres } from '../../support/stores.js';

/**
 * Money survives the death of the processes that handle it: worker processes buy, retry,
 * refund and renew memberships against a provider whose ledger lives on disk, and are killed
 * with SIGKILL at random moments while recovery runs beside them. After the last round and a
 * final recovery every charge has ended as exactly one stored purchase (or renewal) or one
 * refund, the stores agree with each other, and the invoice series has no gap.
 */
const ROUNDS = Number(process.env['NEXFIT_KILL_ROUNDS'] ?? 8);
const WORKERS_PER_ROUND = 3;
const WORKER_SOURCE = fileURLToPath(new URL('./money-worker.ts', import.meta.url));
/** The worker bundled once into plain JavaScript (inside the project, so its imports resolve): each process starts in well under a second. */
const WORKER = fileURLToPath(new URL(`../../../node_modules/.cache/nexfit-test/money-worker-${process.pid}.mjs`, import.meta.url));
const probe = useTestPostgres();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Modes this PostgreSQL can run: two-phase needs prepared transactions. */
let modes: UnitOfWorkMode[] = ['ordered'];
beforeAll(async () => {
  await build({ entryPoints: [WORKER_SOURCE], outfile: WORKER, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'error' });
  const { enabled } = await detectPreparedTransactions(probe.kysely);
  if (enabled) modes = ['two-phase', 'ordered'];
  else console.log('[nexfit] process-kill test: max_prepared_transactions = 0 here, so only the ordered unit of work is exercised');
});

afterAll(() => rmSync(WORKER, { force: true }));

describe.each(['two-phase', 'ordered'] as const)('money under SIGKILL, %s unit of work', (mode) => {
  const pg = useTestPostgres();
  let mongo: EmbeddedMongo | null = null;
  let mongoUri: string;
  const mongoDb = uniqueDatabaseName('kill');
  let ledgerDir: string;
  let provider: FileLedgerPaymentProvider;
  let nexfit: Nexfit;
  let users: string[] = [];
  let plans: string[] = [];
  let restoreLifetime: (() => Promise<void>) | null = null;

  beforeAll(async () => {
    if (!modes.includes(mode)) return;
    if (inject('mongoKind') === 'embedded') {
      // A server of its own, whose transactions of killed workers are aborted after 2 s.
      mongo = await startEmbeddedMongo({ transactionLifetimeLimitSeconds: 2 });
      mongoUri = mongo.uri;
    } else {
      mongoUri = inject('mongoUri');
      const admin = new MongoClient(mongoUri);
      await admin.connect();
      const before = (await admin.db('admin').command({ getParameter: 1, transactionLifetimeLimitSeconds: 1 }))['transactionLifetimeLimitSeconds'] as number;
      await admin.db('admin').command({ setParameter: 1, transactionLifetimeLimitSeconds: 3 });
      restoreLifetime = async () => {
        await admin.db('admin').command({ setParameter: 1, transactionLifetimeLimitSeconds: before });
        await admin.close();
      };
    }
    ledgerDir = mkdtempSync(join(tmpdir(), 'nexfit-ledger-'));
    provider = new FileLedgerPaymentProvider(ledgerDir, { declineRate: 0.1 });
    nexfit = await createNexfit({
      mongo: { uri: mongoUri, dbName: mongoDb },
      postgres: { connectionString: pg.url },
      keyring: createTestKeyring(),
      payments: provider,
      unitOfWork: { mode },
      migrate: true,
    });
    const facility = await nexfit.facilities.create({
      name: 'Kadıköy Spor',
      type: 'gym',
      ownerId: nexfit.ids.newObjectId(),
      address: { street: 'Moda Cd. 1', city: 'İstanbul', country: 'TR', coordinates: { latitude: 40.98, longitude: 29.03 } },
    });
    const monthly = await nexfit.memberships.createPlan({ facilityId: facility.id as FacilityId, name: 'Aylık', duration: { value: 1, unit: 'month' }, price: 1_000_00 });
    const daily = await nexfit.memberships.createPlan({ facilityId: facility.id as FacilityId, name: 'Günlük', duration: { value: 1, unit: 'day' }, price: 50_00 });
    plans = [monthly.id, daily.id] as MembershipId[];
    users = [];
    for (let i = 0; i < 12; i++) {
      users.push((await nexfit.users.register({ email: `kill-${mode}-${i}@example.com`, password: 'correct horse battery', firstName: 'Üye', lastName: `${i}`, role: ['client'] })).id);
    }
  }, 120_000);

  afterAll(async () => {
    await nexfit?.close();
    await restoreLifetime?.();
    await mongo?.stop();
    if (ledgerDir) rmSync(ledgerDir, { recursive: true, force: true });
  });

  it('ends every charge as one purchase or one refund, with agreeing stores and an unbroken invoice series', async () => {
    if (!modes.includes(mode)) return;
    const attempts = join(ledgerDir, 'attempts.ndjson');
    let kills = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const workers = Array.from({ length: WORKERS_PER_ROUND }, (_, i) =>
        startWorker({ mongoUri, mongoDb, pgUrl: pg.url, ledger: ledgerDir, attempts, mode, users, plans, seed: round * 97 + i * 13 + (mode === 'ordered' ? 5 : 1) }),
      );
      await Promise.all(workers.map((w) => w.ready));
      // Recovery runs beside the live workers, racing their retries of the same keys.
      const stop = { now: false };
      const beside = (async () => {
        while (!stop.now) {
          await nexfit.recoverInDoubt({ olderThanMs: 1_500 }).catch(() => {});
          await sleep(150);
        }
      })();
      await sleep(800 + ((round * 7919) % 2200));
      for (const w of workers) {
        w.child.kill('SIGKILL');
        kills += 1;
      }
      await Promise.all(workers.map((w) => w.exited));
      stop.now = true;
      await beside;
    }

    // Heal: the killed workers' MongoDB transactions are aborted by the server's lifetime limit,
    // then two recoveries at once finish everything they left.
    const second = await createNexfit({ mongo: { uri: mongoUri, dbName: mongoDb }, postgres: { connectionString: pg.url }, keyring: createTestKeyring(), payments: provider, unitOfWork: { mode } });
    try {
      for (let pass = 0; ; pass++) {
        const [a, b] = await Promise.all([nexfit.recoverInDoubt({ olderThanMs: 0 }), second.recoverInDoubt({ olderThanMs: 0 })]);
        const unresolved = [a, b].some((r) => r.skipped.length > 0 || r.paymentIntents.results.some((x) => x.outcome === 'stuck'));
        if (!unresolved) break;
        if (pass > 20) throw new Error(`recovery did not finish: ${JSON.stringify([a, b])}`);
        await sleep(1_000);
      }
    } finally {
      await second.close();
    }
    while ((await nexfit.events.relay()).delivered > 0);

    const { charges, refunds } = provider.readLedger();
    const taken = charges.filter((c) => c.status === 'succeeded');
    const transactions = (await sql<{ transaction_id: string; transaction_type: string; amount: string; provider_ref: string | null }>`
      SELECT transaction_id, transaction_type, amount, metadata->>'providerRef' AS provider_ref FROM transactions`.execute(nexfit.pg)).rows;
    const storedByRef = new Map<string, number>();
    for (const t of transactions) if (t.transaction_type !== 'refund' && t.provider_ref) storedByRef.set(t.provider_ref, (storedByRef.get(t.provider_ref) ?? 0) + 1);
    const compensations = new Map(refunds.filter((r) => r.idempotencyKey.endsWith(':compensation')).map((r) => [r.providerRef, r]));

    let stranded = 0;
    let doubled = 0;
    for (const charge of taken) {
      const stored = storedByRef.get(charge.providerRef) ?? 0;
      const refunded = compensations.get(charge.providerRef);
      if (stored > 1 || (stored === 1 && refunded)) doubled += 1;
      if (stored === 0 && !refunded) stranded += 1;
      if (refunded) expect(refunded.amount).toBe(charge.amount);
    }
    // Member refunds the provider made are all recorded as refund transactions.
    const recordedRefundRefs = new Set(transactions.filter((t) => t.transaction_type === 'refund').map((t) => t.provider_ref));
    const memberRefunds = refunds.filter((r) => r.idempotencyKey.startsWith('refund:'));
    for (const r of memberRefunds) expect(recordedRefundRefs.has(r.refundRef), r.idempotencyKey).toBe(true);

    const prepared = await sql<{ gid: string }>`SELECT gid FROM pg_prepared_xacts WHERE database = current_database()`.execute(nexfit.pg);
    const unfinished = await nexfit.pg.selectFrom('nexfit_payment_intents').select('intent_id').where('status', 'in', ['open', 'refunding']).execute();
    const pendingUnits = await nexfit.pg.selectFrom('nexfit_uow_intents').select('unit_id').where('status', '=', 'pending').execute();
    const series = await sql<{ business_id: string; year: number; last_value: number; numbers: string; distinct_numbers: string }>`
      SELECT s.business_id, s.year, s.last_value,
        (SELECT count(*) FROM invoices i WHERE i.business_id = s.business_id AND i.invoice_number LIKE s.year || '-%') AS numbers,
        (SELECT count(DISTINCT invoice_number) FROM invoices i WHERE i.business_id = s.business_id AND i.invoice_number LIKE s.year || '-%') AS distinct_numbers
      FROM nexfit_invoice_sequences s WHERE s.year > 0`.execute(nexfit.pg);
    const report = await nexfit.reconcile({ checks: ['payments', 'invoices', 'billing', 'outbox', 'intents', 'invoiceSeries'], graceMs: 0 });

    const completed = transactions.filter((t) => t.transaction_type === 'purchase').length;
    const renewed = transactions.filter((t) => t.transaction_type === 'renewal').length;
    console.log(
      `[nexfit] process kills (${mode}): ${ROUNDS} rounds, ${kills} SIGKILLs, ${taken.length} charges, ${compensations.size} refunded by compensation or recovery, ` +
        `${memberRefunds.length} member refunds, ${completed} purchases and ${renewed} renewals stored, stranded ${stranded}, doubled ${doubled}`,
    );
    expect(taken.length).toBeGreaterThan(0);
    expect(stranded).toBe(0);
    expect(doubled).toBe(0);
    expect(prepared.rows).toEqual([]);
    expect(unfinished).toEqual([]);
    expect(pendingUnits).toEqual([]);
    for (const s of series.rows) {
      expect(Number(s.numbers), `${s.business_id} ${s.year}`).toBe(s.last_value);
      expect(Number(s.distinct_numbers)).toBe(s.last_value);
    }
    expect(report.findings).toEqual([]);
    expect(report.ok).toBe(true);
  }, 600_000);
});

interface Worker {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  readonly exited: Promise<void>;
}

function startWorker(config: Record<string, unknown>): Worker {
  const child = spawn(process.execPath, [WORKER], {
    env: { ...process.env, MONEY_WORKER: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start: ${stderr}`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited (${code}) before it was ready: ${stderr}`));
    });
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, ready, exited };
}
