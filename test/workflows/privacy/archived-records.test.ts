import { sql } from 'kysely';
import { ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/core/clock.js';
import { defaultIdGenerator, type UserId } from '../../../src/core/ids.js';
import { PaymentIntentRepository } from '../../../src/modules/billing/payment-intent.repository.js';
import { runWithRequestContext } from '../../../src/uow/request-context.js';
import { archiveOlderThan } from '../../../src/ops/archive/index.js';
import { isEncryptedEnvelope } from '../../../src/stores/mongo/encrypted-fields.js';
import { useTestNexfit } from '../../support/nexfit.js';

const t = useTestNexfit({ clock: '2026-03-02T09:00:00Z' });
const raw = (collection: string) => t.nexfit.mongo.db.collection(collection);
const stores = () => ({ db: t.nexfit.mongo.db, pg: t.nexfit.pg });

let sequence = 0;
async function member(): Promise<UserId> {
  sequence++;
  const user = await t.nexfit.users.register({ email: `archived${sequence}@example.com`, firstName: 'Ece', lastName: 'Arşiv', role: ['client'], password: 'correct horse battery' });
  return user.id as UserId;
}

/** Two old workouts (one with heart rate and notes) and two old bookings with notes, then archived. */
async function archivedHistory(userId: UserId) {
  const logs = [];
  for (const [day, notes] of [['2024-01-10', 'Eski antrenman: sol omuz ağrıdı'], ['2024-02-10', undefined]] as const) {
    logs.push(
      await t.nexfit.repositories.workoutLogs.create({
        userId,
        workoutTemplateId: new ObjectId().toHexString(),
        startTime: `${day}T07:00:00.000Z`,
        endTime: `${day}T08:00:00.000Z`,
        duration: 60,
        exercises: [{ exerciseId: new ObjectId().toHexString(), sets: [{ reps: 8, weight: 50, completed: true }] }],
        biometrics: { heartRate: { min: 58, average: 128, max: 176 } },
        ...(notes ? { notes } : {}),
      } as never),
    );
  }
  const bookings = [];
  for (const [day, notes] of [['2024-01-11', 'Dizimde menisküs var, çömelme yok'], ['2024-01-12', 'Geç kalacağım']] as const) {
    bookings.push(
      await t.nexfit.repositories.classBookings.create({ classId: new ObjectId().toHexString(), userId, date: `${day}T18:00:00.000Z`, bookedAt: `${day}T08:00:00.000Z`, status: 'attended', notes } as never),
    );
  }
  const before = new Date('2025-01-01T00:00:00Z');
  await archiveOlderThan(stores(), { target: 'workout_logs', before });
  await archiveOlderThan(stores(), { target: 'class_bookings', before });
  return { logs, bookings };
}

describe('archived workout logs and class bookings', () => {
  it('are read back through their repositories with heart rate opened, and are part of the export', async () => {
    const userId = await member();
    const { logs, bookings } = await archivedHistory(userId);
    expect(await raw('workout_logs').countDocuments({ userId: new ObjectId(userId) })).toBe(0);
    const stored = await raw('workout_logs_archive').findOne({ _id: new ObjectId(logs[0]!.id) });
    expect(isEncryptedEnvelope(stored?.['biometrics'])).toBe(true);

    const archivedLogs = (await t.nexfit.repositories.workoutLogs.listArchivedByUser(userId)).items;
    expect(archivedLogs.map((l) => l.id)).toEqual([logs[1]!.id, logs[0]!.id]);
    expect(archivedLogs[1]).toEqual(logs[0]);
    const archivedBookings = (await t.nexfit.repositories.classBookings.listArchivedByUser(userId)).items;
    expect(archivedBookings.map((b) => b.id).sort()).toEqual(bookings.map((b) => b.id).sort());

    const exported = await t.nexfit.privacy.exportUserData(userId);
    const json = JSON.stringify(exported);
    expect((exported as unknown as { workoutLogs: { id: string }[] }).workoutLogs.map((l) => l.id).sort()).toEqual(logs.map((l) => l.id).sort());
    expect((exported as unknown as { classBookings: { id: string }[] }).classBookings.map((b) => b.id).sort()).toEqual(bookings.map((b) => b.id).sort());
    expect(json).toContain('sol omuz ağrıdı');
    expect(json).toContain('"max":176');
  });

  it('are sealed anew by the key rotation like the hot collection', async () => {
    const userId = await member();
    const { logs } = await archivedHistory(userId);
    const report = await t.nexfit.rotateEncryptionKeys();
    expect(Object.keys(report.collections)).toContain('workout_logs_archive');
    expect(report.collections['workout_logs_archive']?.scanned).toBe(await raw('workout_logs_archive').countDocuments({}));
    expect((await t.nexfit.repositories.workoutLogs.listArchivedByUser(userId)).items.find((l) => l.id === logs[0]!.id)?.biometrics).toEqual(logs[0]!.biometrics);
  });

  it('are erased with the user: archived logs deleted, archived bookings kept without their notes, nothing of their text left', async () => {
    const userId = await member();
    const other = await member();
    const { bookings } = await archivedHistory(userId);
    const kept = await archivedHistory(other);

    const report = await t.nexfit.privacy.eraseUser(userId, { reason: 'KVKK request 2026-311' });
    expect(report.deleted.workoutLogs).toBe(2);
    expect(report.anonymised.classBookings).toBe(2);
    expect(await raw('workout_logs_archive').countDocuments({ userId: new ObjectId(userId) })).toBe(0);
    const left = await raw('class_bookings_archive').find({ userId: new ObjectId(userId) }).toArray();
    expect(left.map((b) => b['_id'].toHexString()).sort()).toEqual(bookings.map((b) => b.id).sort());
    expect(left.every((b) => b['notes'] === undefined && b['status'] === 'attended')).toBe(true);
    // Another member's archived records are untouched.
    expect(await raw('workout_logs_archive').countDocuments({ userId: new ObjectId(other) })).toBe(kept.logs.length);
    expect((await t.nexfit.repositories.classBookings.listArchivedByUser(other)).items.every((b) => b.notes !== undefined)).toBe(true);
  });
});

describe('payment intents of an erased user', () => {
  it('lose the IP address and user agent of the request that opened them, and keep the rest', async () => {
    const userId = await member();
    const intents = new PaymentIntentRepository(t.nexfit.pg, { clock: fixedClock('2026-03-02T09:00:00Z'), ids: defaultIdGenerator });
    const context = { actorId: userId as string, ipAddress: '203.0.113.77', userAgent: 'NexfitApp/3.1 (Android 14)', requestId: 'req-erase-intent' };
    const { intent } = await runWithRequestContext(context, () =>
      intents.open({ idempotencyKey: `purchase:${userId}`, kind: 'purchase', userId, amount: 1_500_00 as never, currency: 'TRY', request: { planId: 'p' }, terms: { price: 1_500_00 } }),
    );
    expect(intent.requestContext).toMatchObject({ ipAddress: '203.0.113.77' });

    await t.nexfit.privacy.eraseUser(userId, { reason: 'KVKK request 2026-312' });
    const row = await sql<{ request_context: Record<string, unknown>; amount_minor: string }>`SELECT request_context, amount_minor FROM nexfit_payment_intents WHERE intent_id = ${intent.intentId}`.execute(t.nexfit.pg);
    expect(row.rows[0]?.request_context).toEqual({ actorId: userId, requestId: 'req-erase-intent' });
    expect(Number(row.rows[0]?.amount_minor)).toBe(1_500_00);
  });
});
