import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/program.js';
import { POSTGRES_MIGRATION_NAMES } from '../../src/stores/postgres/migrator.js';
import { MONGO_SCHEMA_VERSION } from '../../src/stores/mongo/collections.js';
import { useTestMongo, useTestPostgres } from '../support/stores.js';
import { runNexfit } from './cli-harness.js';

const mongo = useTestMongo();
const pg = useTestPostgres();

/** The keyring of this file's deployment, as an operator sets it in the environment. */
const KEYRING = { NEXFIT_ENCRYPTION_KEYS: `cli-1:${randomBytes(32).toString('base64')}`, NEXFIT_BLIND_INDEX_KEY: randomBytes(32).toString('base64') };

function nexfit(args: string[], env: Record<string, string | undefined> = { MONGODB_URI: mongo.uri, DATABASE_URL: pg.url, NEXFIT_MONGO_DB: mongo.dbName, ...KEYRING }) {
  return runNexfit(args, env);
}

describe('the nexfit command', () => {
  it('migrates both stores up and reports the PostgreSQL version as JSON', async () => {
    const up = await nexfit(['migrate', 'up', '--json']);
    expect(up.code).toBe(EXIT.ok);
    expect(JSON.parse(up.stdout).postgres.current).toBe(POSTGRES_MIGRATION_NAMES.at(-1));
    const collections = (await mongo.db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    expect(collections).toContain('users');
  });

  it('shows the migration status for people and for scripts', async () => {
    const human = await nexfit(['migrate', 'status']);
    expect(human.code).toBe(EXIT.ok);
    for (const name of POSTGRES_MIGRATION_NAMES) expect(human.stdout).toContain(`applied  ${name}`);
    const json = JSON.parse((await nexfit(['migrate', 'status', '--json'])).stdout);
    expect(json.postgres.pending).toEqual([]);
  });

  it('reverts one migration and re-applies it', async () => {
    const down = await nexfit(['migrate', 'down', '--steps', '1', '--json']);
    expect(down.code).toBe(EXIT.ok);
    expect(JSON.parse(down.stdout).postgres.pending).toEqual([POSTGRES_MIGRATION_NAMES.at(-1)]);
    expect(JSON.parse(down.stdout).mongo).toMatchObject({ from: MONGO_SCHEMA_VERSION, to: 0 });
    expect((await nexfit(['migrate', 'up'])).code).toBe(EXIT.ok);
  });

  it('refuses a bad --steps with the usage exit code', async () => {
    const result = await nexfit(['migrate', 'down', '--steps', 'zero']);
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toContain('--steps');
  });

  it('creates the partitions of the window once, then finds them all present', async () => {
    const first = await nexfit(['partitions', 'ensure', '--months-ahead', '6', '--json']);
    expect(first.code).toBe(EXIT.ok);
    const again = JSON.parse((await nexfit(['partitions', 'ensure', '--months-ahead', '6', '--json'])).stdout);
    expect([...again.analytics_daily.created, ...again.audit_logs.created]).toEqual([]);
    const listed = await nexfit(['partitions', 'list']);
    expect(listed.code).toBe(EXIT.ok);
    expect(listed.stdout).toMatch(/audit_logs\n/);
  });

  it('rolls up a day and backfills a range of days', async () => {
    const rollup = await nexfit(['analytics', 'rollup', '--date', '2026-03-01', '--json']);
    expect(rollup.code).toBe(EXIT.ok);
    expect(JSON.parse(rollup.stdout)).toEqual({ date: '2026-03-01', rows: [] });
    const backfill = await nexfit(['analytics', 'backfill', '--from', '2026-03-01', '--to', '2026-03-03']);
    expect(backfill.code).toBe(EXIT.ok);
    expect(backfill.stdout).toContain('backfilled 3 day(s)');
  });

  it('answers a malformed date with the usage exit code and a validation message', async () => {
    const result = await nexfit(['analytics', 'rollup', '--date', '2026-02-30']);
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toContain('VALIDATION_FAILED');
  });

  it('archives cold data and refuses an unknown target', async () => {
    const result = await nexfit(['archive', '--target', 'audit_logs', '--older-than-days', '365', '--json']);
    expect(result.code).toBe(EXIT.ok);
    expect(JSON.parse(result.stdout)).toMatchObject({ target: 'audit_logs', moved: 0, complete: true });
    expect((await nexfit(['archive', '--target', 'users', '--older-than-days', '30'])).code).toBe(EXIT.usage);
  });

  it('reports the health of both stores', async () => {
    const result = await nexfit(['health', '--json']);
    const report = JSON.parse(result.stdout);
    expect(report.postgres.tables.length).toBeGreaterThan(0);
    expect(result.code).toBe(report.problems.length ? EXIT.failure : EXIT.ok);
  });

  it('seeds demo data once', async () => {
    const first = await nexfit(['seed', 'demo', '--json']);
    expect(first.code).toBe(EXIT.ok);
    expect(JSON.parse(first.stdout)).toEqual({ exercisesImported: 873, usersCreated: 3, facilitiesCreated: 1, plansCreated: 1 });
    const again = await nexfit(['seed', 'demo', '--json']);
    expect(JSON.parse(again.stdout)).toEqual({ exercisesImported: 0, usersCreated: 0, facilitiesCreated: 0, plansCreated: 0 });
  });

  it('runs recovery and reports what it resolved', async () => {
    const result = await nexfit(['uow', 'recover', '--json']);
    expect(result.code).toBe(EXIT.ok);
    expect(JSON.parse(result.stdout)).toEqual({ examined: 0, committed: [], rolledBack: [], skipped: [], paymentIntents: { examined: 0, results: [] } });
  });

  it('reconciles the stores and reports them in agreement, for people and for scripts', async () => {
    const json = await nexfit(['reconcile', '--json', '--grace', '0']);
    expect(json.code).toBe(EXIT.ok);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({ ok: true, findings: [], repaired: 0 });
    expect(Object.keys(report.checks).sort()).toEqual(['analytics', 'billing', 'intents', 'invoiceSeries', 'invoices', 'outbox', 'payments']);
    expect((await nexfit(['reconcile'])).stdout).toContain('the stores agree');
    const bad = await nexfit(['reconcile', '--checks', 'payments,everything']);
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.stderr).toContain('--checks takes');
  });

  it('reports an undelivered event as a finding and exits 1 until --repair relays it', async () => {
    await pg.kysely.insertInto('nexfit_outbox').values({ type: 'membership.cancelled', payload: '{}', created_at: new Date(Date.now() - 3_600_000) }).execute();
    const found = await nexfit(['reconcile', '--json', '--checks', 'outbox']);
    expect(found.code).toBe(EXIT.failure);
    expect(JSON.parse(found.stdout).findings).toEqual([expect.objectContaining({ kind: 'undelivered_event', repairable: true })]);
    const repaired = await nexfit(['reconcile', '--json', '--checks', 'outbox', '--repair']);
    expect(repaired.code).toBe(EXIT.ok);
    expect(JSON.parse(repaired.stdout).findings[0]).toMatchObject({ repaired: true });
  });

  it('runs housekeeping and prints what it removed', async () => {
    const result = await nexfit(['housekeeping', '--json', '--retention-days', '7']);
    expect(result.code).toBe(EXIT.ok);
    expect(Object.keys(JSON.parse(result.stdout)).sort()).toEqual(['bookingCounters', 'deliveredEvents', 'idempotencyKeys', 'locks', 'paymentIntents', 'unitOfWorkIntents', 'visitCounters']);
    expect((await nexfit(['housekeeping', '--retention-days', 'soon'])).code).toBe(EXIT.usage);
  });

  it('loads the payment adapter of --payments for recovery, and refuses a module that is not one', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'nexfit-cli-'));
    try {
      const adapter = path.join(dir, 'payments.mjs');
      writeFileSync(adapter, `export default () => ({ charge: async () => { throw new Error('no'); }, refund: async () => { throw new Error('no'); }, findCharge: async () => null, findRefund: async () => null });\n`);
      const recovered = await nexfit(['uow', 'recover', '--json', '--payments', adapter]);
      expect(recovered.code).toBe(EXIT.ok);
      expect(JSON.parse(recovered.stdout).paymentIntents).toEqual({ examined: 0, results: [] });
      const wrong = path.join(dir, 'wrong.mjs');
      writeFileSync(wrong, 'export const payments = { charge() {} };\n');
      const refused = await nexfit(['uow', 'recover', '--payments', wrong]);
      expect(refused.code).toBe(EXIT.usage);
      expect(refused.stderr).toContain('does not export a PaymentProvider (no refund)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says what is missing when no connection strings are given', async () => {
    const result = await nexfit(['migrate', 'status'], {});
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toContain('DATABASE_URL');
  });

  it('exits with the unreachable code when a store cannot be reached', async () => {
    const result = await nexfit(['migrate', 'status'], { MONGODB_URI: mongo.uri, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' });
    expect(result.code).toBe(EXIT.unreachable);
  });

  it('prints help on every command and rejects unknown ones', async () => {
    for (const args of [['--help'], ['migrate', '--help'], ['migrate', 'up', '--help'], ['partitions', 'ensure', '--help'], ['archive', '--help'], ['seed', 'demo', '--help'], ['health', '--help'], ['analytics', 'backfill', '--help'], ['uow', 'recover', '--help']]) {
      const result = await nexfit(args);
      expect(result.code).toBe(EXIT.ok);
      expect(result.stdout).toContain('Usage: nexfit');
    }
    expect((await nexfit(['frobnicate'])).code).toBe(EXIT.usage);
  });
});
