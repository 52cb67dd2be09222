import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConflictError, NexfitError } from '../../../src/core/errors.js';
import { createInputs, oid } from '../../modules/support/factories.js';
import { useTestNexfit } from '../../support/nexfit.js';

const t = useTestNexfit();

const PASSWORD_HASH = 'scrypt$N=16384,r=8,p=1$c2FsdA$aGFzaA';
const transaction = (o: Record<string, unknown> = {}) => ({
  transactionId: randomUUID(),
  userId: oid(7),
  amount: 1_500_00,
  currency: 'TRY',
  paymentMethod: 'card',
  transactionType: 'purchase',
  status: 'completed',
  description: null,
  metadata: null,
  ...o,
});
const user = (email: string) => ({ ...createInputs.users({ email }), passwordHash: PASSWORD_HASH });
const logOf = (userId: string, notes: string) => createInputs.workout_logs({ userId, notes });

async function transactionIdsOf(userId: string): Promise<string[]> {
  const rows = await t.nexfit.pg.selectFrom('transactions').select('transaction_id').where('user_id', '=', userId).orderBy('transaction_id').execute();
  return rows.map((r) => r.transaction_id);
}
async function bulkAuditRows(entityType: string) {
  return t.nexfit.pg.selectFrom('audit_logs').selectAll().where('action', '=', 'bulk_create').where('entity_type', '=', entityType).execute();
}
async function refusal(call: Promise<unknown>): Promise<NexfitError> {
  const error = await call.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(NexfitError);
  return error as NexfitError;
}

describe('nexfit.workflows.bulkCreate', () => {
  it('writes PostgreSQL rows through createMany and one bulk_create audit row naming every created id', async () => {
    const userId = oid(101);
    const rows = [transaction({ userId }), transaction({ userId, amount: 99 }), transaction({ userId, currency: 'EUR' })];
    const auditBefore = (await bulkAuditRows('transactions')).length;

    const outcome = await t.nexfit.workflows.bulkCreate({ entity: 'transactions', rows });

    expect(outcome).toEqual({ entity: 'transactions', createdIds: rows.map((r) => r.transactionId), rejected: [], replayed: false });
    expect(await transactionIdsOf(userId)).toEqual(rows.map((r) => r.transactionId).sort());
    expect((await t.nexfit.repositories.transactions.getByTransactionId(rows[1]!.transactionId)).amount).toBe(99);
    const audits = await bulkAuditRows('transactions');
    expect(audits).toHaveLength(auditBefore + 1);
    const audit = audits.find((a) => JSON.stringify(a.new_state).includes(rows[0]!.transactionId))!;
    expect(audit.new_state).toEqual({ created: 3, rejected: 0, ordered: true, ids: [rows.map((r) => r.transactionId)] });
    expect(audit.user_id).toBeNull();
  });

  it('stops an ordered batch at the first bad row: the rows before it written, the rest not', async () => {
    const userId = oid(102);
    const rows = [logOf(userId, 'bir'), logOf(userId, 'iki'), { ...logOf(userId, 'üç'), duration: -5 }, logOf(userId, 'dört')];

    const outcome = await t.nexfit.workflows.bulkCreate({ entity: 'workout_logs', rows });

    expect(outcome.createdIds).toHaveLength(2);
    expect(outcome.rejected).toHaveLength(1);
    expect(outcome.rejected[0]).toMatchObject({ index: 2, code: 'VALIDATION_FAILED' });
    expect(outcome.rejected[0]!.issues.map((i) => i.path.join('.'))).toContain('duration');
    const stored = await t.nexfit.mongo.db.collection('workout_logs').find({ userId: { $exists: true }, notes: { $in: ['bir', 'iki', 'üç', 'dört'] } }).toArray();
    expect(stored.map((d) => d['notes']).sort()).toEqual(['bir', 'iki']);
    expect(stored.map((d) => d._id.toHexString()).sort()).toEqual([...outcome.createdIds].sort());
  });

  it('writes every good row of an unordered batch and reports each bad one: invalid, a stored key and a key repeated in the batch', async () => {
    const userId = oid(103);
    const existing = transaction({ userId });
    await t.nexfit.workflows.bulkCreate({ entity: 'transactions', rows: [existing] });
    const repeated = transaction({ userId });
    const rows = [transaction({ userId }), { ...transaction({ userId }), amount: 'a lot' }, { ...existing, amount: 5 }, repeated, transaction({ userId }), { ...repeated, amount: 7 }];

    const outcome = await t.nexfit.workflows.bulkCreate({ entity: 'transactions', rows, ordered: false });

    expect(outcome.rejected.map((r) => [r.index, r.code])).toEqual([[1, 'VALIDATION_FAILED'], [2, 'CONFLICT'], [5, 'CONFLICT']]);
    expect(outcome.createdIds).toEqual([rows[0]!.transactionId, repeated.transactionId, rows[4]!.transactionId]);
    expect(await transactionIdsOf(userId)).toEqual([existing.transactionId, rows[0]!.transactionId, repeated.transactionId, rows[4]!.transactionId].sort());
    expect((await t.nexfit.repositories.transactions.getByTransactionId(existing.transactionId)).amount).toBe(1_500_00);
  });

  it('reports MongoDB rows whose unique key is already stored, by their index, and writes the others once', async () => {
    const taken = `taken-${randomUUID()}@example.com`;
    await t.nexfit.workflows.bulkCreate({ entity: 'users', rows: [user(taken)] });
    const fresh = [`a-${randomUUID()}@example.com`, `b-${randomUUID()}@example.com`, `c-${randomUUID()}@example.com`];
    const rows = [user(fresh[0]!), user(taken.toUpperCase()), user(fresh[1]!), user(fresh[1]!), user(fresh[2]!)];

    const unordered = await t.nexfit.workflows.bulkCreate({ entity: 'users', rows, ordered: false });

    expect(unordered.rejected.map((r) => [r.index, r.code])).toEqual([[1, 'CONFLICT'], [3, 'CONFLICT']]);
    expect(unordered.createdIds).toHaveLength(3);
    const emails = async (list: string[]) => (await t.nexfit.mongo.db.collection('users').find({ email: { $in: list.map((e) => e.toLowerCase()) } }).toArray()).length;
    expect(await emails([...fresh, taken])).toBe(4);

    const next = [`d-${randomUUID()}@example.com`, `e-${randomUUID()}@example.com`];
    const ordered = await t.nexfit.workflows.bulkCreate({ entity: 'users', rows: [user(next[0]!), user(taken), user(next[1]!)] });
    expect(ordered.rejected).toEqual([expect.objectContaining({ index: 1, code: 'CONFLICT' })]);
    expect(ordered.createdIds).toHaveLength(1);
    expect(await emails(next)).toBe(1);
  });

  it('replays a committed batch for a retry with the same idempotency key and writes nothing more', async () => {
    const userId = oid(104);
    const rows = [transaction({ userId }), { ...transaction({ userId }), status: 'maybe' }, transaction({ userId })];
    const idempotencyKey = `retry-${randomUUID()}`;
    const auditBefore = (await bulkAuditRows('transactions')).length;

    const first = await t.nexfit.workflows.bulkCreate({ entity: 'transactions', rows, ordered: false, idempotencyKey });
    const again = await t.nexfit.workflows.bulkCreate({ entity: 'transactions', rows, ordered: false, idempotencyKey });

    expect(first.replayed).toBe(false);
    expect(again).toEqual({ ...first, replayed: true });
    expect(again.rejected).toEqual([expect.objectContaining({ index: 1, code: 'VALIDATION_FAILED' })]);
    expect(await transactionIdsOf(userId)).toEqual([rows[0]!.transactionId, rows[2]!.transactionId].sort());
    expect(await bulkAuditRows('transactions')).toHaveLength(auditBefore + 1);

    for (const other of [
      { entity: 'transactions' as const, rows: rows.slice(0, 2) },
      { entity: 'transactions' as const, rows: [rows[0], rows[1], transaction({ userId })] },
      { entity: 'subscriptions' as const, rows },
    ]) {
      const error = await refusal(t.nexfit.workflows.bulkCreate({ ...other, ordered: false, idempotencyKey }));
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as ConflictError).reason).toBe('idempotency_key_reused');
    }
    expect(await transactionIdsOf(userId)).toHaveLength(2);
  });

  it('lets one of two racing calls with the same key write, and the other return its outcome', async () => {
    const userId = oid(105);
    const rows = [transaction({ userId }), transaction({ userId })];
    const idempotencyKey = `race-${randomUUID()}`;
    const [a, b] = await Promise.all([0, 1].map(() => t.nexfit.workflows.bulkCreate({ entity: 'transactions', rows, idempotencyKey })));
    expect([a!.replayed, b!.replayed].sort()).toEqual([false, true]);
    expect(a!.createdIds).toEqual(b!.createdIds);
    expect(await transactionIdsOf(userId)).toEqual(rows.map((r) => r.transactionId).sort());
  });

  it('finds in a dry run every row the real run would refuse, conflicts included, and writes nothing', async () => {
    const userId = oid(106);
    const existing = transaction({ userId });
    await t.nexfit.workflows.bulkCreate({ entity: 'transactions', rows: [existing] });
    const auditBefore = (await bulkAuditRows('transactions')).length;
    const rows = [transaction({ userId }), { ...existing }, { ...transaction({ userId }), currency: 'TL' }, transaction({ userId })];

    const dry = await t.nexfit.workflows.bulkCreate({ entity: 'transactions', rows, ordered: false, dryRun: true });

    expect(dry.rejected.map((r) => [r.index, r.code])).toEqual([[1, 'CONFLICT'], [2, 'VALIDATION_FAILED']]);
    expect(dry.createdIds).toEqual([rows[0]!.transactionId, rows[3]!.transactionId]);
    expect(await transactionIdsOf(userId)).toEqual([existing.transactionId]);
    expect(await bulkAuditRows('transactions')).toHaveLength(auditBefore);

    const logs = await t.nexfit.workflows.bulkCreate({ entity: 'workout_logs', rows: [logOf(oid(106), 'kuru')], dryRun: true });
    expect(logs.createdIds).toHaveLength(1);
    expect(await t.nexfit.mongo.db.collection('workout_logs').countDocuments({ notes: 'kuru' })).toBe(0);
  });

  it("joins the caller's unit of work: when the unit fails, neither the rows nor the audit row stay", async () => {
    const userId = oid(107);
    const auditBefore = (await bulkAuditRows('workout_logs')).length;
    const failed = t.nexfit.unitOfWork(async (uow) => {
      const outcome = await t.nexfit.workflows.bulkCreate({ entity: 'workout_logs', rows: [logOf(userId, 'birlikte')] }, uow);
      expect(outcome.createdIds).toHaveLength(1);
      await t.nexfit.workflows.bulkCreate({ entity: 'transactions', rows: [transaction({ userId })] }, uow);
      throw new Error('the caller gives up');
    });
    await expect(failed).rejects.toThrow('the caller gives up');
    expect(await t.nexfit.mongo.db.collection('workout_logs').countDocuments({ notes: 'birlikte' })).toBe(0);
    expect(await transactionIdsOf(userId)).toEqual([]);
    expect(await bulkAuditRows('workout_logs')).toHaveLength(auditBefore);
  });

  it('refuses a call it cannot take with a ValidationError and writes nothing', async () => {
    const userId = oid(108);
    const calls: unknown[] = [
      { entity: 'transactions', rows: Array.from({ length: 10_001 }, () => transaction({ userId })) },
      { entity: 'transactions', rows: { 0: transaction({ userId }) } },
      { entity: 'audit_logs', rows: [] },
      { entity: 'transactions', rows: [transaction({ userId })], dryRun: true, idempotencyKey: `dry-${randomUUID()}` },
      { entity: 'transactions', rows: [transaction({ userId })], ordered: 'yes' },
      { entity: 'transactions', rows: [transaction({ userId })], extra: true },
    ];
    for (const input of calls) {
      const error = await refusal(t.nexfit.workflows.bulkCreate(input as never));
      expect(error.code).toBe('VALIDATION_FAILED');
    }
    const inUnit = t.nexfit.unitOfWork((uow) => t.nexfit.workflows.bulkCreate({ entity: 'transactions', rows: [transaction({ userId })], dryRun: true }, uow));
    expect((await refusal(inUnit)).code).toBe('VALIDATION_FAILED');
    expect(await transactionIdsOf(userId)).toEqual([]);
  });

  it('writes nothing and no audit row for an empty list or a batch whose only row is bad', async () => {
    const auditBefore = (await bulkAuditRows('workout_logs')).length;
    expect(await t.nexfit.workflows.bulkCreate({ entity: 'workout_logs', rows: [] })).toEqual({ entity: 'workout_logs', createdIds: [], rejected: [], replayed: false });
    const bad = await t.nexfit.workflows.bulkCreate({ entity: 'workout_logs', rows: [{ notes: 'yalnız' }] });
    expect(bad.createdIds).toEqual([]);
    expect(bad.rejected).toEqual([expect.objectContaining({ index: 0, code: 'VALIDATION_FAILED' })]);
    expect(await bulkAuditRows('workout_logs')).toHaveLength(auditBefore);
  });

  it('is refused to a member scope: loading data is the platform operator\'s', async () => {
    const member = await t.nexfit.users.register({ email: `member-${randomUUID()}@example.com`, password: 'gizli-şifre-1', firstName: 'Can', lastName: 'Demir', role: ['client'] });
    const scoped = await t.nexfit.as(member.id);
    const error = await refusal(scoped.workflows.bulkCreate({ entity: 'workout_logs', rows: [logOf(member.id, 'kendim')] }));
    expect(error.code).toBe('FORBIDDEN');
    expect(await t.nexfit.mongo.db.collection('workout_logs').countDocuments({ notes: 'kendim' })).toBe(0);
  });
});
