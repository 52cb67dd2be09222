import { BSON, ObjectId, type Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { isEncryptedEnvelope } from '../../src/stores/mongo/encrypted-fields.js';
import { useTestNexfit } from '../support/nexfit.js';

const t = useTestNexfit({ clock: '2026-03-02T09:00:00Z' });
const raw = (collection: string) => t.nexfit.mongo.db.collection(collection);

let sequence = 0;
async function client(body: { dateOfBirth?: string; height?: number; weight?: number } = {}) {
  sequence++;
  return t.nexfit.users.register({
    email: `health${sequence}@example.com`,
    firstName: 'Deniz',
    lastName: 'Kaya',
    role: ['client'],
    password: 'correct horse battery',
    roleSpecificData: { client: body },
  } as Parameters<typeof t.nexfit.users.register>[0]);
}

const at = (doc: Document | null, path: string): unknown => path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], doc);

describe('health data at rest', () => {
  it('stores date of birth, height, weight, body measurements, their notes and heart rate only as envelopes, and reads them back as they were written', async () => {
    const user = await client({ dateOfBirth: '1987-04-23T00:00:00.000Z', height: 171.5, weight: 68.25 });
    const measurement = await t.nexfit.measurements.record({
      userId: user.id,
      date: '2026-03-01',
      measurements: { weight: 68.1, bodyFatPercentage: 21.4, waistCircumference: 77.3 },
      notes: 'Sabah aç karnına, tiroid ilacından önce',
    });
    const log = await t.nexfit.repositories.workoutLogs.create({
      userId: user.id,
      workoutTemplateId: new ObjectId().toHexString(),
      startTime: '2026-03-01T07:00:00.000Z',
      endTime: '2026-03-01T08:00:00.000Z',
      duration: 60,
      exercises: [{ exerciseId: new ObjectId().toHexString(), sets: [{ reps: 10, weight: 60, completed: true }] }],
      biometrics: { heartRate: { min: 61, average: 133, max: 187 } },
    } as never);

    const storedUser = await raw('users').findOne({ _id: new ObjectId(user.id) });
    for (const field of ['dateOfBirth', 'height', 'weight']) expect(isEncryptedEnvelope(at(storedUser, `roleSpecificData.client.${field}`)), field).toBe(true);
    const storedMeasurement = await raw('measurements').findOne({ _id: new ObjectId(measurement.id) });
    expect(isEncryptedEnvelope(storedMeasurement?.['measurements'])).toBe(true);
    expect(isEncryptedEnvelope(storedMeasurement?.['notes'])).toBe(true);
    const storedLog = await raw('workout_logs').findOne({ _id: new ObjectId(log.id) });
    expect(isEncryptedEnvelope(storedLog?.['biometrics'])).toBe(true);
    // Nothing of the plaintext in the raw bytes either.
    const bytes = Buffer.concat([storedUser, storedMeasurement, storedLog].map((d) => Buffer.from(BSON.serialize(d!)))).toString('latin1');
    for (const secret of ['tiroid', '1987']) expect(bytes).not.toContain(secret);
    for (const number of [171.5, 68.25, 68.1, 21.4, 77.3]) {
      const double = Buffer.alloc(8);
      double.writeDoubleLE(number);
      expect(bytes.includes(double.toString('latin1')), String(number)).toBe(false);
    }

    const readUser = await t.nexfit.users.getById(user.id);
    expect(readUser.roleSpecificData.client).toMatchObject({ height: 171.5, weight: 68.25 });
    expect(readUser.roleSpecificData.client?.dateOfBirth).toEqual(new Date('1987-04-23T00:00:00.000Z'));
    expect(await t.nexfit.measurements.getForDay(user.id, '2026-03-01')).toEqual(measurement);
    expect(measurement.measurements).toEqual({ weight: 68.1, bodyFatPercentage: 21.4, waistCircumference: 77.3 });
    expect((await t.nexfit.repositories.workoutLogs.getById(log.id)).biometrics).toEqual({ heartRate: { min: 61, average: 133, max: 187 } });
    // BMI reads the sealed height and the sealed measured weight.
    expect(await t.nexfit.measurements.bmi(user.id)).toMatchObject({ available: true, heightCm: 171.5, weightKg: 68.1, weightSource: 'measurement' });
  });

  it('re-records a day, concurrently too, each write sealed for the one document of that day', async () => {
    const user = await client();
    const writes = await Promise.all(
      [70, 71, 72, 73].map((weight) => t.nexfit.measurements.record({ userId: user.id, date: '2026-03-01', measurements: { weight } })),
    );
    const docs = await raw('measurements').find({ userId: new ObjectId(user.id) }).toArray();
    expect(docs).toHaveLength(1);
    expect(new Set(writes.map((w) => w.id))).toEqual(new Set([docs[0]!['_id'].toHexString()]));
    const final = await t.nexfit.measurements.getForDay(user.id, '2026-03-01');
    expect(final?.version).toBe(4);
    expect([70, 71, 72, 73]).toContain(final?.measurements.weight);
  });

  it('reads measurements, profiles and logs stored in clear by earlier layouts, updates them, and seals them at the next key rotation', async () => {
    const user = await client();
    const userId = new ObjectId(user.id);
    const now = new Date('2026-02-01T00:00:00.000Z');
    // Documents as layout 5 wrote them: the health data in clear.
    await raw('users').updateOne({ _id: userId }, { $set: { 'roleSpecificData.client': { height: 180, weight: 90, dateOfBirth: new Date('1990-01-02T00:00:00Z') } } });
    const legacyMeasurement = await raw('measurements').insertOne({
      userId, date: new Date('2026-02-01T00:00:00Z'), measurements: { weight: 90.5, armCircumference: 35 }, photos: [], notes: 'eski kayıt',
      schemaVersion: 1, version: 1, createdAt: now, updatedAt: now,
    });
    const legacyLog = await raw('workout_logs').insertOne({
      userId, workoutTemplateId: new ObjectId(), startTime: now, endTime: new Date(now.getTime() + 3_600_000), duration: 60,
      exercises: [], biometrics: { heartRate: { min: 60, average: 110, max: 150 } }, photos: [],
      schemaVersion: 1, version: 1, createdAt: now, updatedAt: now,
    });

    expect((await t.nexfit.users.getById(user.id)).roleSpecificData.client).toMatchObject({ height: 180, weight: 90, dateOfBirth: new Date('1990-01-02T00:00:00Z') });
    expect((await t.nexfit.measurements.getForDay(user.id, '2026-02-01'))?.measurements).toEqual({ weight: 90.5, armCircumference: 35 });
    const log = await t.nexfit.repositories.workoutLogs.getById(legacyLog.insertedId.toHexString());
    expect(log.biometrics).toEqual({ heartRate: { min: 60, average: 110, max: 150 } });
    // A change of another field leaves the document valid (its old plaintext is still accepted).
    await t.nexfit.repositories.workoutLogs.patch(log.id, { notes: 'güncellendi' });

    const report = await t.nexfit.rotateEncryptionKeys();
    expect(report.completed).toBe(true);
    expect(isEncryptedEnvelope(at(await raw('users').findOne({ _id: userId }), 'roleSpecificData.client.height'))).toBe(true);
    const sealedMeasurement = await raw('measurements').findOne({ _id: legacyMeasurement.insertedId });
    expect(isEncryptedEnvelope(sealedMeasurement?.['measurements'])).toBe(true);
    expect(isEncryptedEnvelope(sealedMeasurement?.['notes'])).toBe(true);
    expect(isEncryptedEnvelope((await raw('workout_logs').findOne({ _id: legacyLog.insertedId }))?.['biometrics'])).toBe(true);
    expect((await t.nexfit.measurements.getForDay(user.id, '2026-02-01'))?.notes).toBe('eski kayıt');
    expect((await t.nexfit.repositories.workoutLogs.getById(log.id)).biometrics?.heartRate?.max).toBe(150);
  });

  it('has the database refuse a measurement whose values are neither sealed nor valid', async () => {
    const user = await client();
    const now = new Date();
    await expect(
      raw('measurements').insertOne({ userId: new ObjectId(user.id), date: new Date('2026-01-05T00:00:00Z'), measurements: 'weight=80', photos: [], schemaVersion: 1, version: 1, createdAt: now, updatedAt: now }),
    ).rejects.toMatchObject({ code: 121 });
  });
});
