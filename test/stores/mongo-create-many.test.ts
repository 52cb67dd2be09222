import { ObjectId, type Document } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, NexfitError, ValidationError } from '../../src/core/errors.js';
import type { UserId } from '../../src/core/ids.js';
import { MAX_BULK_ROWS } from '../../src/stores/bulk.js';
import { isEncryptedEnvelope } from '../../src/stores/mongo/encrypted-fields.js';
import { MongoRepository } from '../../src/stores/mongo/mongo-repository.js';
import { createInputs, oid, type EntityCollection } from '../modules/support/factories.js';
import { WORKOUT_TEMPLATES_COLLECTION } from '../../src/modules/workouts/workout-template.collection.js';
import { useTestNexfit } from '../support/nexfit.js';

const t = useTestNexfit({ clock: '2026-03-02T09:00:00Z', nexfit: { keyring: 'ephemeral' } });
const raw = (collection: string) => t.nexfit.mongo.db.collection(collection);
const users = () => t.nexfit.repositories.users;

const PASSWORD_HASH = 'scrypt$N=16384,r=8,p=1$c2FsdA$aGFzaA';
let sequence = 0;
/** A valid user row with a fresh e-mail (or the one given). */
const userRow = (email = `bulk-${++sequence}@example.com`) => ({ ...createInputs.users({ email }), passwordHash: PASSWORD_HASH });
/** A user row the create schema refuses at `email`. */
const badUserRow = () => ({ ...userRow(), email: 'not an e-mail' });

const storedWithEmail = (email: string) => raw('users').countDocuments({ email });
const emailsOf = (rows: readonly { email: string }[]) => rows.map((r) => r.email.toLowerCase());

describe('createMany, ordered (the default)', () => {
  it('writes every row before the first invalid one, reports it with its issues, and writes nothing after it', async () => {
    const rows = [userRow(), userRow(), badUserRow(), userRow(), userRow()];
    const { created, rejected } = await users().createMany(rows);

    expect(created.map((u) => u.email)).toEqual(emailsOf(rows.slice(0, 2)));
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ index: 2, code: 'VALIDATION_FAILED' });
    expect(rejected[0]!.issues.map((i) => i.path)).toEqual([['email']]);
    for (const row of rows.slice(0, 2)) expect(await storedWithEmail(row.email.toLowerCase())).toBe(1);
    for (const row of rows.slice(3)) expect(await storedWithEmail(row.email.toLowerCase())).toBe(0);
  });

  it('stops at a row whose e-mail is already stored, naming its index', async () => {
    const existing = await users().create(userRow());
    const rows = [userRow(), userRow(existing.email), userRow()];
    const { created, rejected } = await users().createMany(rows);

    expect(created.map((u) => u.email)).toEqual(emailsOf(rows.slice(0, 1)));
    expect(rejected).toEqual([expect.objectContaining({ index: 1, code: 'CONFLICT' })]);
    expect(await storedWithEmail(existing.email)).toBe(1);
    expect(await storedWithEmail(rows[2]!.email.toLowerCase())).toBe(0);
  });

  it('stops at a row repeating an earlier row of the same batch', async () => {
    const rows = [userRow(), userRow(), userRow()];
    rows[2] = userRow(rows[0]!.email.toUpperCase());
    const { created, rejected } = await users().createMany(rows);

    expect(created.map((u) => u.email)).toEqual(emailsOf(rows.slice(0, 2)));
    expect(rejected).toEqual([expect.objectContaining({ index: 2, code: 'CONFLICT' })]);
    expect(await storedWithEmail(rows[0]!.email.toLowerCase())).toBe(1);
  });

  it('reports the conflict, not a later invalid row, when the store refuses a row before it', async () => {
    const rows = [userRow(), userRow(), badUserRow()];
    rows[1] = userRow(rows[0]!.email);
    const { created, rejected } = await users().createMany(rows);

    expect(created.map((u) => u.email)).toEqual(emailsOf(rows.slice(0, 1)));
    expect(rejected).toEqual([expect.objectContaining({ index: 1, code: 'CONFLICT' })]);
  });
});

describe('createMany, unordered', () => {
  it('reports every invalid row with its index and writes every valid row once', async () => {
    const rows = [userRow(), badUserRow(), userRow(), { ...userRow(), role: ['astronaut'] } as unknown as ReturnType<typeof userRow>, userRow()];
    const { created, rejected } = await users().createMany(rows, { ordered: false });

    expect(rejected.map((r) => [r.index, r.code])).toEqual([[1, 'VALIDATION_FAILED'], [3, 'VALIDATION_FAILED']]);
    expect(rejected[1]!.issues[0]!.path[0]).toBe('role');
    expect(created.map((u) => u.email)).toEqual(emailsOf([rows[0]!, rows[2]!, rows[4]!]));
    for (const i of [0, 2, 4]) expect(await storedWithEmail(rows[i]!.email.toLowerCase())).toBe(1);
    expect(await raw('users').countDocuments({ email: 'not an e-mail' })).toBe(0);
  });

  it('maps duplicate keys back to the input index when invalid rows were left out of the write', async () => {
    const existing = await users().create(userRow());
    const rows = [badUserRow(), userRow(), badUserRow(), userRow(existing.email), userRow(), userRow()];
    rows[5] = userRow(rows[1]!.email);
    const { created, rejected } = await users().createMany(rows, { ordered: false });

    expect(rejected.map((r) => [r.index, r.code])).toEqual([
      [0, 'VALIDATION_FAILED'],
      [2, 'VALIDATION_FAILED'],
      [3, 'CONFLICT'],
      [5, 'CONFLICT'],
    ]);
    expect(created.map((u) => u.email)).toEqual(emailsOf([rows[1]!, rows[4]!]));
    expect(await storedWithEmail(rows[1]!.email.toLowerCase())).toBe(1);
    expect(await storedWithEmail(existing.email)).toBe(1);
  });
});

describe('what createMany stores', () => {
  it('seals encrypted fields with their blind index, keeps the password hash hidden, and reads back decrypted', async () => {
    const rows = [
      { ...userRow(), phoneNumber: '+90 555 000 11 22' },
      { ...userRow(), phoneNumber: '+90 555 000 33 44' },
    ];
    const { created } = await users().createMany(rows);

    for (const [i, user] of created.entries()) {
      const stored = (await raw('users').findOne({ _id: new ObjectId(user.id) }))!;
      expect(isEncryptedEnvelope(stored['phoneNumber'])).toBe(true);
      expect(isEncryptedEnvelope((stored['roleSpecificData'] as Document)['client']['dateOfBirth'])).toBe(true);
      expect(typeof stored['phoneNumberBlindIndex']).toBe('string');
      expect(stored['passwordHash']).toBe(PASSWORD_HASH);
      expect(user).not.toHaveProperty('passwordHash');

      const read = await users().getById(user.id);
      expect(read.phoneNumber).toBe(rows[i]!.phoneNumber.replaceAll(' ', ''));
      expect(read).toEqual(user);
      expect((await users().findByPhoneNumber(rows[i]!.phoneNumber)).map((u) => u.id)).toEqual([user.id]);
      expect((await users().getWithPasswordHash(user.id as UserId)).passwordHash).toBe(PASSWORD_HASH);
    }
  });

  it('seals health data of measurements', async () => {
    const rows = [createInputs.measurements({ userId: oid(901), date: '2026-02-01' }), createInputs.measurements({ userId: oid(901), date: '2026-02-02', notes: 'açken' })];
    const { created } = await t.nexfit.repositories.measurements.createMany(rows);

    const stored = await raw('measurements').find({ _id: { $in: created.map((m) => new ObjectId(m.id)) } }).sort({ date: 1 }).toArray();
    expect(stored.map((d) => isEncryptedEnvelope(d['measurements']))).toEqual([true, true]);
    expect(isEncryptedEnvelope(stored[1]!['notes'])).toBe(true);
    expect((await t.nexfit.repositories.measurements.getById(created[1]!.id)).notes).toBe('açken');
    expect((await t.nexfit.repositories.measurements.getById(created[0]!.id)).measurements).toEqual(rows[0]!.measurements);
  });

  it('stores the derived fields: the GeoJSON point of a facility, the search name of a food', async () => {
    const facilities = await t.nexfit.repositories.facilities.createMany([
      createInputs.facilities({ address: { street: 'Bağdat Cd. 5', city: 'İstanbul', country: 'TR', coordinates: { latitude: 40.96, longitude: 29.07 } } }),
    ]);
    const facility = (await raw('facilities').findOne({ _id: new ObjectId(facilities.created[0]!.id) }))!;
    expect((facility['address'] as Document)['location']).toEqual({ type: 'Point', coordinates: [29.07, 40.96] });

    const foods = await t.nexfit.repositories.foods.createMany([createInputs.foods({ name: 'Kuru Kayısı' })]);
    const food = (await raw('foods').findOne({ _id: new ObjectId(foods.created[0]!.id) }))!;
    // Lower-cased with the Turkish letters folded, as searches type them.
    expect(food['searchName']).toBe('kuru kayisi');
  });

  it('assigns what create assigns: ids, version 1, timestamps, a new template without reviews', async () => {
    const { created } = await t.nexfit.repositories.workoutTemplates.createMany([createInputs.workout_templates(), createInputs.workout_templates({ name: 'Pull day' })]);
    expect(new Set(created.map((c) => c.id)).size).toBe(2);
    for (const template of created) {
      expect(template).toMatchObject({ version: 1, schemaVersion: WORKOUT_TEMPLATES_COLLECTION.schemaVersion, reviews: { averageRating: 0, count: 0 } });
      expect(template.createdAt).toEqual(new Date('2026-03-02T09:00:00Z'));
      expect(await t.nexfit.repositories.workoutTemplates.getById(template.id)).toEqual(template);
    }
  });

  it('reports a row the collection validator refuses as VALIDATION_FAILED', async () => {
    const foods = raw('foods');
    const info = (await t.nexfit.mongo.db.listCollections({ name: 'foods' }).toArray())[0] as { options?: { validator?: Document } };
    const validator = info.options!.validator!;
    await t.nexfit.mongo.db.command({ collMod: 'foods', validator: { $and: [validator, { name: { $ne: 'Zehirli Mantar' } }] } });
    try {
      const rows = [createInputs.foods({ name: 'Elma' }), createInputs.foods({ name: 'Zehirli Mantar' }), createInputs.foods({ name: 'Armut' })];
      const { created, rejected } = await t.nexfit.repositories.foods.createMany(rows, { ordered: false });
      expect(created.map((f) => f.name)).toEqual(['Elma', 'Armut']);
      expect(rejected).toEqual([expect.objectContaining({ index: 1, code: 'VALIDATION_FAILED' })]);
      expect(rejected[0]!.issues[0]!.code).toBe('document_validation');
      expect(await foods.countDocuments({ name: 'Zehirli Mantar' })).toBe(0);
    } finally {
      await t.nexfit.mongo.db.command({ collMod: 'foods', validator });
    }
  });
});

describe('the list and the options', () => {
  it('writes nothing for an empty list', async () => {
    const before = await raw('users').countDocuments();
    expect(await users().createMany([])).toEqual({ created: [], rejected: [] });
    expect(await raw('users').countDocuments()).toBe(before);
  });

  it('refuses more than MAX_BULK_ROWS rows, a list that is not an array, and bad options with a ValidationError, writing nothing', async () => {
    const before = await raw('users').countDocuments();
    const row = userRow();
    const tooMany = Array.from({ length: MAX_BULK_ROWS + 1 }, () => row);
    for (const [inputs, options] of [
      [tooMany, {}],
      [{ 0: userRow(), length: 1 }, {}],
      ['rows', {}],
      [null, {}],
      [[userRow()], { ordered: 'no' }],
      [[userRow()], { ordered: true, upsert: true }],
      [[userRow()], null],
    ] as const) {
      const call = users().createMany(inputs as never, options as never);
      await expect(call).rejects.toBeInstanceOf(ValidationError);
      await expect(call).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    }
    expect(await storedWithEmail(row.email.toLowerCase())).toBe(0);
    expect(await raw('users').countDocuments()).toBe(before);
  });

  it('takes exactly MAX_BULK_ROWS rows as a list (the bound is on the list, the rows are then judged one by one)', async () => {
    const before = await raw('users').countDocuments();
    const rows = Array.from({ length: MAX_BULK_ROWS }, () => null);
    const { created, rejected } = await users().createMany(rows as never, { ordered: false });
    expect(created).toEqual([]);
    expect(rejected).toHaveLength(MAX_BULK_ROWS);
    expect(rejected.at(-1)).toMatchObject({ index: MAX_BULK_ROWS - 1, code: 'VALIDATION_FAILED' });
    expect(await raw('users').countDocuments()).toBe(before);
  });
});

describe('createMany in a unit of work', () => {
  it('writes in the unit, so a unit that aborts leaves nothing behind', async () => {
    const rows = [userRow(), userRow()];
    await expect(
      t.nexfit.unitOfWork(async (uow) => {
        const { created } = await users().createMany(rows, {}, uow.ctx);
        expect(created).toHaveLength(2);
        // Visible inside the unit's own transaction, not outside it.
        expect(await raw('users').countDocuments({ email: created[0]!.email }, { session: uow.ctx.mongo })).toBe(1);
        expect(await storedWithEmail(created[0]!.email)).toBe(0);
        throw new Error('the caller changed its mind');
      }),
    ).rejects.toThrow('the caller changed its mind');
    for (const row of rows) expect(await storedWithEmail(row.email.toLowerCase())).toBe(0);
  });

  it('commits with the unit', async () => {
    const rows = [userRow(), userRow()];
    const result = await t.nexfit.unitOfWork((uow) => users().createMany(rows, { ordered: false }, uow.ctx));
    expect(result.rejected).toEqual([]);
    for (const row of rows) expect(await storedWithEmail(row.email.toLowerCase())).toBe(1);
  });

  it.each([true, false])('throws a ConflictError naming the row when the store refuses one (ordered: %s), and the unit rolls back', async (ordered) => {
    const existing = await users().create(userRow());
    const rows = [userRow(), userRow(), userRow(existing.email), userRow()];
    let thrown: unknown;
    try {
      await t.nexfit.unitOfWork((uow) => users().createMany(rows, { ordered }, uow.ctx));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConflictError);
    expect(thrown).toMatchObject({ code: 'CONFLICT', reason: 'duplicate', details: { index: 2 } });
    expect((thrown as NexfitError).message).toContain('Row 2');
    for (const row of [rows[0]!, rows[1]!, rows[3]!]) expect(await storedWithEmail(row.email.toLowerCase())).toBe(0);
    expect(await storedWithEmail(existing.email)).toBe(1);
  });

  it('still reports rows that fail validation inside a unit, and the unit commits the valid ones', async () => {
    const rows = [userRow(), badUserRow(), userRow()];
    const result = await t.nexfit.unitOfWork((uow) => users().createMany(rows, { ordered: false }, uow.ctx));
    expect(result.rejected.map((r) => r.index)).toEqual([1]);
    for (const i of [0, 2]) expect(await storedWithEmail(rows[i]!.email.toLowerCase())).toBe(1);
  });
});

/** The repository of each MongoDB collection, and its collection. */
const MONGO_REPOSITORIES: Record<string, EntityCollection | 'food_diary_entries' | 'measurement_categories' | 'account_links'> = {
  users: 'users',
  accountLinks: 'account_links',
  measurements: 'measurements',
  exercises: 'exercises',
  foods: 'foods',
  workoutTemplates: 'workout_templates',
  workoutPrograms: 'workout_programs',
  workoutLogs: 'workout_logs',
  nutritionPlans: 'nutrition_plans',
  facilities: 'facilities',
  memberships: 'memberships',
  memberSubscriptions: 'member_subscriptions',
  classes: 'classes',
  classBookings: 'class_bookings',
  coachClients: 'coach_clients',
  ptSessions: 'pt_sessions',
  foodDiaryEntries: 'food_diary_entries',
  measurementCategories: 'measurement_categories',
};

/** Two valid, distinct create inputs of a collection (unique keys told apart). */
function twoRows(collection: EntityCollection | 'food_diary_entries' | 'measurement_categories' | 'account_links'): unknown[] {
  switch (collection) {
    case 'account_links':
      return [
        { accountUserId: oid(910), dependantUserId: oid(911), relation: 'payer', status: 'active', createdBy: oid(912) },
        { accountUserId: oid(910), dependantUserId: oid(913), relation: 'guardian', status: 'active', createdBy: oid(912) },
      ];
    case 'measurement_categories':
      return [{ userId: oid(909), name: 'Boyun', unit: 'cm' }, { userId: oid(909), name: 'Bilek', unit: 'cm' }];
    case 'food_diary_entries': {
      const entry = (eatenAt: string) => ({ userId: oid(907), eatenAt, meal: 'lunch', foodId: oid(908), foodName: 'Yulaf Ezmesi', amount: 40, unit: 'g', nutrients: { calories: 150, protein: 5, carbs: 27, fat: 3 } });
      return [entry('2026-03-01T12:00:00Z'), entry('2026-03-01T19:00:00Z')];
    }
    case 'users':
      return [userRow(), userRow()];
    case 'measurements':
      return [createInputs.measurements({ userId: oid(902), date: '2026-01-01' }), createInputs.measurements({ userId: oid(902), date: '2026-01-02' })];
    case 'class_bookings':
      return [createInputs.class_bookings({ userId: oid(903) }), createInputs.class_bookings({ userId: oid(904) })];
    case 'coach_clients':
      return [createInputs.coach_clients({ clientId: oid(905) }), createInputs.coach_clients({ clientId: oid(906) })];
    default:
      return [createInputs[collection](), createInputs[collection]()];
  }
}

describe('every MongoDB repository', () => {
  let repositories: [string, MongoRepository<never, never, never>][];
  beforeAll(() => {
    repositories = Object.entries(t.nexfit.repositories).filter((entry): entry is [string, MongoRepository<never, never, never>] => entry[1] instanceof MongoRepository);
  });

  it('is listed here', () => {
    expect(repositories.map(([name]) => name).sort()).toEqual(Object.keys(MONGO_REPOSITORIES).sort());
  });

  it.each(Object.entries(MONGO_REPOSITORIES))('%s.createMany writes two valid rows and returns them as reads return them', async (name, collection) => {
    const repository = repositories.find(([n]) => n === name)![1] as unknown as {
      createMany: (rows: unknown[]) => Promise<{ created: { id: string }[]; rejected: unknown[] }>;
      getById: (id: string) => Promise<unknown>;
    };
    const before = await raw(collection).countDocuments();
    const { created, rejected } = await repository.createMany(twoRows(collection));
    expect(rejected).toEqual([]);
    expect(created).toHaveLength(2);
    expect(await raw(collection).countDocuments()).toBe(before + 2);
    for (const entity of created) expect(await repository.getById(entity.id)).toEqual(entity);
  });
});

describe('createMany over several insertMany chunks (a batch is written in chunks of 32 rows, then twice the previous, up to 1,000)', () => {
  /** 300 rows: rows 0–31, 32–95, 96–223 and 224–299 are written by four `insertMany` calls. */
  const batch = () => Array.from({ length: 300 }, () => userRow());
  const storedOf = async (rows: readonly { email: string }[]) => raw('users').countDocuments({ email: { $in: emailsOf(rows) } });

  it('ordered: a row failing validation in a later chunk stops the batch there — every earlier chunk written, nothing after', async () => {
    const rows = batch();
    rows[200] = badUserRow();
    const { created, rejected } = await users().createMany(rows);
    expect(created.map((u) => u.email)).toEqual(emailsOf(rows.slice(0, 200)));
    expect(rejected).toEqual([expect.objectContaining({ index: 200, code: 'VALIDATION_FAILED' })]);
    expect(await storedOf(rows.slice(0, 200))).toBe(200);
    expect(await storedOf(rows.slice(201))).toBe(0);
  });

  it('ordered: a row repeating a row of an earlier chunk is the conflict that stops the batch', async () => {
    const rows = batch();
    rows[150] = userRow(rows[10]!.email);
    rows[250] = badUserRow();
    const { created, rejected } = await users().createMany(rows);
    expect(created).toHaveLength(150);
    expect(rejected).toEqual([expect.objectContaining({ index: 150, code: 'CONFLICT' })]);
    expect(await storedOf(rows.slice(151))).toBe(0);
  });

  it('unordered: every bad row of every chunk is reported in index order, every good row written once', async () => {
    const rows = batch();
    for (const i of [5, 70, 290]) rows[i] = badUserRow();
    rows[130] = userRow(rows[3]!.email);
    const { created, rejected } = await users().createMany(rows, { ordered: false });
    expect(rejected.map((r) => [r.index, r.code])).toEqual([[5, 'VALIDATION_FAILED'], [70, 'VALIDATION_FAILED'], [130, 'CONFLICT'], [290, 'VALIDATION_FAILED']]);
    const good = rows.filter((_, i) => ![5, 70, 130, 290].includes(i));
    expect(created.map((u) => u.email)).toEqual(emailsOf(good));
    expect(await storedOf(good)).toBe(296);
  });

  it('in a unit of work: a conflict in a later chunk throws naming the row, and no chunk stays written', async () => {
    const rows = batch();
    rows[260] = userRow(rows[0]!.email);
    let thrown: unknown;
    try {
      await t.nexfit.unitOfWork((uow) => users().createMany(rows, {}, uow.ctx));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'CONFLICT', details: { index: 260 } });
    expect(await storedOf(rows)).toBe(0);
  });
});
