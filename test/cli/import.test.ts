import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/program.js';
import { createInputs, oid } from '../modules/support/factories.js';
import { bundleNexfitCli } from '../support/cli-bundle.js';
import { useTestNexfit } from '../support/nexfit.js';
import { runNexfit } from './cli-harness.js';

const t = useTestNexfit();
const KEYRING = { NEXFIT_ENCRYPTION_KEYS: `import-1:${randomBytes(32).toString('base64')}`, NEXFIT_BLIND_INDEX_KEY: randomBytes(32).toString('base64') };
const env = () => ({ MONGODB_URI: t.mongo.uri, NEXFIT_MONGO_DB: t.mongo.dbName, DATABASE_URL: t.pg.url, ...KEYRING });

const dir = mkdtempSync(join(tmpdir(), 'nexfit-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
/** A file of this test's own, with `content` (or lines joined by `\n`). */
function fileWith(name: string, content: string | readonly string[]): string {
  const path = join(dir, `${++files}-${name}`);
  writeFileSync(path, typeof content === 'string' ? content : `${content.join('\n')}\n`);
  return path;
}

const transaction = (userId: string, o: Record<string, unknown> = {}) => ({
  transactionId: randomUUID(),
  userId,
  amount: 1_500_00,
  currency: 'TRY',
  paymentMethod: 'card',
  transactionType: 'purchase',
  status: 'completed',
  ...o,
});
const json = (value: unknown) => JSON.stringify(value);

async function transactionsOf(userId: string) {
  return t.nexfit.pg.selectFrom('transactions').selectAll().where('user_id', '=', userId).orderBy('transaction_id').execute();
}
const rejectedLines = (file: string) => readFileSync(`${file}.rejected.ndjson`, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { line: number; reason: string; issues: unknown[]; row?: unknown });

async function importJson(args: readonly string[]) {
  const run = await runNexfit(['import', ...args, '--json'], env());
  return { code: run.code, summary: JSON.parse(run.stdout) as Record<string, any>, stderr: run.stderr };
}

describe('nexfit import', () => {
  it('loads an NDJSON file of transactions into PostgreSQL: BOM, CRLF and blank lines taken in stride', async () => {
    const userId = oid(301);
    const rows = [transaction(userId), transaction(userId, { amount: 99, metadata: { source: 'legacy' } }), transaction(userId, { currency: 'EUR' })];
    const file = fileWith('tx.ndjson', `\uFEFF${json(rows[0])}\r\n\r\n${json(rows[1])}\r\n   \n${json(rows[2])}`);

    const { code, summary } = await importJson(['transactions', file]);

    expect(code).toBe(EXIT.ok);
    expect(summary).toMatchObject({ entity: 'transactions', file, rows: 3, created: 3, rejected: 0, dryRun: false, resumedFromLine: null, stoppedAtLine: null });
    for (const key of ['elapsedMs', 'rowsPerSecond', 'peakRssMb']) expect(typeof summary[key]).toBe('number');
    const stored = await transactionsOf(userId);
    expect(stored.map((r) => r.transaction_id)).toEqual(rows.map((r) => r.transactionId).sort());
    expect(stored.find((r) => r.transaction_id === rows[1]!.transactionId)).toMatchObject({ amount: '0.99', metadata: { source: 'legacy' } });
    expect(existsSync(`${file}.checkpoint.json`)).toBe(false);
  });

  it('loads a CSV file of transactions, reading numbers and JSON cells by the schema', async () => {
    const userId = oid(302);
    const a = randomUUID();
    const b = randomUUID();
    const file = fileWith('tx.csv', [
      'transactionId,userId,amount,currency,paymentMethod,transactionType,status,description,metadata',
      `${a},${userId},150000,TRY,card,purchase,completed,"Aylık, peşin","{""source"":""csv""}"`,
      `${b},${userId},2500,TRY,cash,purchase,pending,,`,
    ]);
    const { code, summary } = await importJson(['transactions', file]);
    expect(code).toBe(EXIT.ok);
    expect(summary).toMatchObject({ rows: 2, created: 2, rejected: 0 });
    const stored = await transactionsOf(userId);
    expect(stored.find((r) => r.transaction_id === a)).toMatchObject({ amount: '1500.00', description: 'Aylık, peşin', metadata: { source: 'csv' }, payment_method: 'card' });
    expect(stored.find((r) => r.transaction_id === b)).toMatchObject({ amount: '25.00', status: 'pending', description: null, metadata: null });
  });

  it('loads users from NDJSON and workout logs from CSV into MongoDB', async () => {
    const emails = [`imp-a-${randomUUID()}@example.com`, `imp-b-${randomUUID()}@example.com`];
    const usersFile = fileWith('users.jsonl', emails.map((email) => json({ ...createInputs.users({ email }), passwordHash: 'scrypt$N=16384,r=8,p=1$c2FsdA$aGFzaA' })));
    const users = await importJson(['users', usersFile]);
    expect(users.code).toBe(EXIT.ok);
    expect(users.summary).toMatchObject({ rows: 2, created: 2 });
    expect(await t.nexfit.mongo.db.collection('users').countDocuments({ email: { $in: emails.map((e) => e.toLowerCase()) } })).toBe(2);

    const userId = oid(303);
    const exercises = json([{ exerciseId: oid(10), sets: [{ reps: 10, weight: 60, completed: true }] }]).replaceAll('"', '""');
    const logsFile = fileWith('logs.csv', [
      'userId,workoutTemplateId,startTime,endTime,duration,exercises,notes,biometrics.heartRate.min,biometrics.heartRate.average,biometrics.heartRate.max',
      `${userId},${oid(20)},2026-03-01T07:00:00Z,2026-03-01T08:00:00Z,60,"${exercises}",sabah,70,120,165`,
      `${userId},${oid(20)},2026-03-02T07:00:00Z,2026-03-02T07:45:00Z,45,"${exercises}","çok ""iyi""",,,`,
    ]);
    const logs = await importJson(['workout_logs', logsFile]);
    expect(logs.code, existsSync(`${logsFile}.rejected.ndjson`) ? readFileSync(`${logsFile}.rejected.ndjson`, 'utf8') : '').toBe(EXIT.ok);
    expect(logs.summary).toMatchObject({ rows: 2, created: 2 });
    const stored = await t.nexfit.mongo.db.collection('workout_logs').find({ userId: { $exists: true }, notes: { $in: ['sabah', 'çok "iyi"'] } }).toArray();
    expect(stored).toHaveLength(2);
    const morning = stored.find((d) => d['notes'] === 'sabah')!;
    expect(morning['duration']).toBe(60);
    expect(morning['startTime']).toEqual(new Date('2026-03-01T07:00:00Z'));
    // Health data is sealed as `create` seals it, under the command's keyring.
    expect(morning['biometrics']).toMatchObject({ v: 1, k: 'import-1' });
  });

  it('reports each bad line with its number and reason, writes the good rows and exits 5 when unordered', async () => {
    const userId = oid(304);
    const good = [transaction(userId), transaction(userId)];
    const file = fileWith('bad.ndjson', [
      json(good[0]),
      '{"transactionId": "broken',
      '[1, 2, 3]',
      json(transaction(userId, { amount: 'a lot' })),
      json({ ...createInputs.users({ email: 'someone@example.com' }) }),
      json(transaction(userId, { description: 'x'.repeat(10 * 1024 * 1024) })),
      '',
      json(good[1]),
    ]);
    const { code, summary } = await importJson(['transactions', file, '--unordered', '--batch-size', '2']);
    expect(code).toBe(EXIT.rejected);
    expect(summary).toMatchObject({ rows: 7, created: 2, rejected: 5, stoppedAtLine: null, rejectedFile: `${file}.rejected.ndjson` });
    const rejected = rejectedLines(file);
    expect(rejected.map((r) => r.line)).toEqual([2, 3, 4, 5, 6]);
    expect(rejected[0]!.reason).toMatch(/^broken JSON/);
    expect(rejected[1]!.reason).toBe('not a JSON object: an array');
    expect(rejected[2]!.issues).toEqual([expect.objectContaining({ path: ['amount'] })]);
    expect(rejected[2]!.row).toMatchObject({ amount: 'a lot' });
    expect(rejected[3]!.issues.length).toBeGreaterThan(0);
    expect(rejected[4]!.reason).toBe('line longer than 1 MiB');
    expect(rejected[4]).not.toHaveProperty('row');
    expect((await transactionsOf(userId)).map((r) => r.transaction_id)).toEqual(good.map((g) => g.transactionId).sort());
  });

  it('stops an ordered import at the first rejected row, keeps the rows before it, and says where', async () => {
    const userId = oid(305);
    const rows = [transaction(userId), transaction(userId, { status: 'maybe' }), transaction(userId)];
    const file = fileWith('ordered.ndjson', rows.map(json));
    const { code, summary } = await importJson(['transactions', file]);
    expect(code).toBe(EXIT.usage);
    expect(summary).toMatchObject({ rows: 3, created: 1, rejected: 1, stoppedAtLine: 2 });
    expect(rejectedLines(file)).toEqual([expect.objectContaining({ line: 2, issues: [expect.objectContaining({ path: ['status'] })] })]);
    expect((await transactionsOf(userId)).map((r) => r.transaction_id)).toEqual([rows[0]!.transactionId]);
    const checkpoint = JSON.parse(readFileSync(`${file}.checkpoint.json`, 'utf8'));
    expect(checkpoint).toMatchObject({ nextLine: 2, nextByte: json(rows[0]).length + 1 });

    // Batches of one: the batch after the refused one is read while it is written, and never written.
    const small = oid(315);
    const smallRows = [transaction(small), transaction(small, { status: 'maybe' }), transaction(small), transaction(small)];
    const smallFile = fileWith('ordered-small.ndjson', smallRows.map(json));
    const one = await importJson(['transactions', smallFile, '--batch-size', '1']);
    expect(one.code).toBe(EXIT.usage);
    expect(one.summary).toMatchObject({ created: 1, rejected: 1, stoppedAtLine: 2 });
    expect((await transactionsOf(small)).map((r) => r.transaction_id)).toEqual([smallRows[0]!.transactionId]);
    expect(JSON.parse(readFileSync(`${smallFile}.checkpoint.json`, 'utf8'))).toMatchObject({ nextLine: 2, batch: 3 });

    const human = await runNexfit(['import', 'transactions', file], env());
    expect(human.code).toBe(EXIT.usage);
    expect(human.stdout).toContain('resumed from line 2');
    expect(human.stdout).toContain('stopped at the rejected row on line 2');
  });

  it('reports malformed CSV records with their line numbers: wrong cell count, a broken quote, a 10 MB field', async () => {
    const userId = oid(306);
    const ok = [randomUUID(), randomUUID()];
    const file = fileWith('bad.csv', [
      'transactionId,userId,amount,currency,paymentMethod,transactionType,status',
      `${ok[0]},${userId},100,TRY,card,purchase,completed`,
      `${randomUUID()},${userId},100,TRY`,
      `"${randomUUID()}"x,${userId},100,TRY,card,purchase,completed`,
      `${randomUUID()},${userId},"${'y'.repeat(10 * 1024 * 1024)}",TRY,card,purchase,completed`,
      `${ok[1]},${userId},100,TRY,card,purchase,completed`,
    ]);
    const { code, summary } = await importJson(['transactions', file, '--unordered']);
    expect(code).toBe(EXIT.rejected);
    expect(summary).toMatchObject({ rows: 5, created: 2, rejected: 3 });
    const rejected = rejectedLines(file);
    expect(rejected.map((r) => [r.line, r.reason.slice(0, 24)])).toEqual([
      [3, 'malformed CSV record: 4 '],
      [4, 'malformed CSV record: In'],
      [5, 'record longer than 1 MiB'],
    ]);
    expect((await transactionsOf(userId)).map((r) => r.transaction_id)).toEqual([...ok].sort());
  });

  it('refuses an empty file, a file of blank lines and a CSV header alone: "the file has no rows", exit 2', async () => {
    for (const [name, content] of [['empty.ndjson', ''], ['blank.ndjson', '\n  \n\r\n'], ['header.csv', 'transactionId,userId\n']] as const) {
      const file = fileWith(name, content);
      const run = await runNexfit(['import', 'transactions', file, '--json'], env());
      expect(run.code, name).toBe(EXIT.usage);
      expect(JSON.parse(run.stdout), name).toEqual({ ok: false, error: { code: 'VALIDATION_FAILED', message: expect.stringContaining('the file has no rows') } });
      expect(existsSync(`${file}.checkpoint.json`), name).toBe(false);
    }
  });

  it('finds in a dry run what the import would refuse, conflicts included, and writes nothing', async () => {
    const userId = oid(307);
    const existing = transaction(userId);
    await t.nexfit.repositories.transactions.create(existing as never);
    const file = fileWith('dry.ndjson', [json(transaction(userId)), json(existing), json(transaction(userId, { currency: 'TL' }))]);
    const { code, summary } = await importJson(['transactions', file, '--dry-run', '--unordered']);
    expect(code).toBe(EXIT.rejected);
    expect(summary).toMatchObject({ dryRun: true, rows: 3, created: 1, rejected: 2 });
    expect(rejectedLines(file).map((r) => r.line)).toEqual([2, 3]);
    expect((await transactionsOf(userId)).map((r) => r.transaction_id)).toEqual([existing.transactionId]);
    expect(existsSync(`${file}.checkpoint.json`)).toBe(false);
  });

  it('closes its PostgreSQL connections when it ends, though it used them only through the SDK', async () => {
    // The command's pool is lent to the SDK; before it was ended by the command itself, its idle
    // connections stayed open — and kept the process alive — until the pool's 10 s idle timeout.
    const applicationName = `nexfit-import-close-${randomBytes(4).toString('hex')}`;
    const url = new URL(t.pg.url);
    url.searchParams.set('application_name', applicationName);
    const file = fileWith('close.ndjson', [json(transaction(oid(310)))]);
    const run = await runNexfit(['import', 'transactions', file, '--json'], { ...env(), DATABASE_URL: url.toString() });
    expect(run.code).toBe(EXIT.ok);
    const open = async () => Number((await sql<{ n: string }>`select count(*) as n from pg_stat_activity where application_name = ${applicationName}`.execute(t.nexfit.pg)).rows[0]!.n);
    // A backend leaves pg_stat_activity a moment after its client hung up.
    await expect.poll(open, { timeout: 3_000, interval: 50 }).toBe(0);
  });

  it('refuses the checkpoint of another file, unknown entities and bad options before it connects', async () => {
    const userId = oid(308);
    const file = fileWith('changed.ndjson', [json(transaction(userId)), json(transaction(userId, { status: 'maybe' }))]);
    expect((await importJson(['transactions', file])).summary).toMatchObject({ stoppedAtLine: 2 });
    writeFileSync(file, `${json(transaction(userId))}\n${json(transaction(userId))}\n${json(transaction(userId))}\n`);
    const refused = await runNexfit(['import', 'transactions', file, '--json'], env());
    expect(refused.code).toBe(EXIT.usage);
    expect(JSON.parse(refused.stdout).error.message).toMatch(/checkpoint of another file.*--restart/);
    const restarted = await importJson(['transactions', file, '--restart']);
    expect(restarted.code).toBe(EXIT.ok);
    expect(restarted.summary).toMatchObject({ rows: 3, created: 3, resumedFromLine: null });
    expect(await transactionsOf(userId)).toHaveLength(4);

    for (const args of [['payments', file], ['transactions', file, '--batch-size', '10001'], ['transactions', join(dir, 'missing.ndjson')], ['transactions', fileWith('rows.txt', 'x')], ['transactions', file, '--format', 'xml']]) {
      const run = await runNexfit(['import', ...args, '--json'], {});
      expect(run.code, args.join(' ')).toBe(EXIT.usage);
      expect(JSON.parse(run.stdout).error.code, args.join(' ')).toBe('USAGE');
    }
  });

  describe('killed mid-file with SIGKILL', () => {
    let cli: string;
    beforeAll(async () => {
      cli = await bundleNexfitCli('nexfit-import-cli');
    });
    afterAll(() => rmSync(cli, { force: true }));

    it('resumes from its checkpoint and leaves every row in the store exactly once', async () => {
      const userId = oid(309);
      const ids = Array.from({ length: 50_000 }, () => randomUUID());
      const file = fileWith('big.ndjson', ids.map((transactionId) => json(transaction(userId, { transactionId, amount: 1_00 }))));
      const checkpointFile = `${file}.checkpoint.json`;

      const child = spawn(process.execPath, [cli, 'import', 'transactions', file, '--batch-size', '1000', '--json'], { env: { ...process.env, ...env() }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      // Killed once a few batches have committed and their checkpoint is on disk.
      for (let waited = 0; ; waited += 20) {
        const checkpoint = existsSync(checkpointFile) ? (JSON.parse(readFileSync(checkpointFile, 'utf8')) as { batch: number }) : null;
        if (checkpoint && checkpoint.batch >= 4) break;
        if (waited > 120_000 || child.exitCode !== null) throw new Error(`the import ended or stalled before it could be killed: ${stderr}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      child.kill('SIGKILL');
      await exited;
      const before = (await transactionsOf(userId)).length;
      expect(before).toBeGreaterThanOrEqual(3_000);
      expect(before).toBeLessThan(50_000);

      const { code, summary } = await importJson(['transactions', file]);
      expect(code).toBe(EXIT.ok);
      expect(summary.resumedFromLine).toBeGreaterThan(1);
      expect(summary.rows).toBe(50_000 - summary.resumedFromLine + 1);
      const stored = await t.nexfit.pg
        .selectFrom('transactions')
        .select((eb) => [eb.fn.countAll<string>().as('rows'), eb.fn.count<string>('transaction_id').distinct().as('distinct')])
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow();
      expect(stored).toEqual({ rows: '50000', distinct: '50000' });
      const storedIds = new Set((await transactionsOf(userId)).map((r) => r.transaction_id));
      expect(ids.every((id) => storedIds.has(id))).toBe(true);
      expect(existsSync(checkpointFile)).toBe(false);
    }, 300_000);
  });
});
