import { MongoServerError, type Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { useTestMongo } from '../../support/stores.js';

const mongo = useTestMongo();

function stagesOf(plan: Document | undefined): string[] {
  if (!plan) return [];
  const own = typeof plan['stage'] === 'string' ? [plan['stage'] as string] : [];
  const children = [plan['inputStage'], plan['queryPlan'], ...(Array.isArray(plan['inputStages']) ? plan['inputStages'] : [])];
  return [...own, ...children.flatMap((child) => stagesOf(child as Document | undefined))];
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return check();
}

describe('indexes', () => {
  it('reports duplicate keys on a unique index like MongoDB', async () => {
    const coll = mongo.db.collection('unique_users');
    await coll.createIndex({ email: 1 }, { unique: true });
    await coll.insertOne({ email: 'a@b' });
    const failure = (await coll.insertOne({ email: 'a@b' }).catch((e: unknown) => e)) as MongoServerError;
    expect(failure.code).toBe(11000);
    expect(failure.message).toContain(`E11000 duplicate key error collection: ${mongo.dbName}.unique_users index: email_1 dup key: { email: "a@b" }`);
    expect(failure['keyPattern']).toEqual({ email: 1 });
    expect(failure['keyValue']).toEqual({ email: 'a@b' });
  });

  it('enforces a partial unique index only on documents it covers', async () => {
    const coll = mongo.db.collection('partial_unique');
    await coll.createIndex({ email: 1 }, { unique: true, partialFilterExpression: { active: true }, name: 'active_email' });
    await coll.insertMany([{ email: 'x', active: false }, { email: 'x', active: false }, { email: 'x', active: true }]);
    const failure = (await coll.insertOne({ email: 'x', active: true }).catch((e: unknown) => e)) as MongoServerError;
    expect(failure.code).toBe(11000);
    expect(failure['keyPattern']).toEqual({ email: 1 });
    expect(failure['keyValue']).toEqual({ email: 'x' });
    const update = (await coll.updateOne({ active: false }, { $set: { active: true } }).catch((e: unknown) => e)) as MongoServerError;
    expect(update.code).toBe(11000);
  });

  it('enforces compound unique indexes and multikey equality', async () => {
    const coll = mongo.db.collection('compound');
    await coll.createIndex({ a: 1, b: -1 }, { unique: true });
    await coll.insertMany([{ a: 1, b: 1 }, { a: 1, b: 2 }]);
    expect(((await coll.insertOne({ a: 1, b: 2 }).catch((e: unknown) => e)) as MongoServerError)['keyValue']).toEqual({ a: 1, b: 2 });
    const tags = mongo.db.collection('multikey');
    await tags.createIndex({ tags: 1 });
    await tags.insertMany([{ tags: ['a', 'b'] }, { tags: ['b'] }, { tags: 'c' }]);
    expect(await tags.countDocuments({ tags: 'b' })).toBe(2);
    expect(await tags.countDocuments({ tags: { $in: ['a', 'c'] } })).toBe(2);
  });

  it('serves an anchored regex from an index as a bounded prefix range', async () => {
    const coll = mongo.db.collection('regex_prefix');
    await coll.createIndex({ name: 1 }, { name: 'name_asc' });
    const names = ['sinav', 'sinav (dar)', 'sinavci', 'sinaw', 'sin', 'squat', 'a sinav', 'Sinav'];
    await coll.insertMany(names.map((name) => ({ name })));
    const find = (filter: Document) => coll.find(filter, { projection: { _id: 0, name: 1 }, sort: { name: 1 } }).toArray();
    const explained = await coll.find({ name: { $regex: '^sinav' } }).explain('executionStats');
    expect(stagesOf(explained['queryPlanner'].winningPlan)).toContain('IXSCAN');
    expect(JSON.stringify(explained['queryPlanner'].winningPlan)).toContain('"indexName":"name_asc"');
    // The three matches, plus at most the one key past the range's end.
    expect(explained['executionStats'].totalKeysExamined).toBeLessThanOrEqual(4);
    expect(await find({ name: { $regex: '^sinav' } })).toEqual([{ name: 'sinav' }, { name: 'sinav (dar)' }, { name: 'sinavci' }]);
    expect(await find({ name: /^sinav \(/ })).toEqual([{ name: 'sinav (dar)' }]);
    expect(await find({ name: { $regex: '^sinav?', $options: '' } })).toEqual([{ name: 'sinav' }, { name: 'sinav (dar)' }, { name: 'sinavci' }, { name: 'sinaw' }]);
    expect(await find({ name: { $regex: '^sinav$', $options: 'i' } })).toEqual([{ name: 'Sinav' }, { name: 'sinav' }]);
    expect(await find({ name: /sinav$/ })).toEqual([{ name: 'a sinav' }, { name: 'sinav' }]);
    expect(await find({ name: /^(squat|sin)$/ })).toEqual([{ name: 'sin' }, { name: 'squat' }]);
  });

  it('fails to build a unique index over existing duplicates', async () => {
    const coll = mongo.db.collection('dups_before');
    await coll.insertMany([{ k: 1 }, { k: 1 }]);
    const failure = (await coll.createIndex({ k: 1 }, { unique: true }).catch((e: unknown) => e)) as MongoServerError;
    expect(failure.code).toBe(11000);
    expect((await coll.listIndexes().toArray()).map((i) => i['name'])).toEqual(['_id_']);
  });

  it('lists, conflicts and drops indexes with MongoDB codes', async () => {
    const coll = mongo.db.collection('index_admin');
    await coll.insertOne({ a: 1 });
    await coll.createIndex({ a: 1 }, { name: 'a_idx', sparse: true });
    const listed = await coll.listIndexes().toArray();
    expect(listed.map((i) => i['name'])).toEqual(['_id_', 'a_idx']);
    expect(listed[1]).toMatchObject({ v: 2, key: { a: 1 }, sparse: true });
    expect(((await coll.createIndex({ b: 1 }, { name: 'a_idx' }).catch((e: unknown) => e)) as MongoServerError).code).toBe(86);
    expect(((await coll.createIndex({ a: 1 }, { name: 'other', sparse: true }).catch((e: unknown) => e)) as MongoServerError).code).toBe(85);
    expect(((await coll.dropIndex('nope').catch((e: unknown) => e)) as MongoServerError).code).toBe(27);
    await coll.dropIndex('a_idx');
    expect((await coll.listIndexes().toArray()).map((i) => i['name'])).toEqual(['_id_']);
    const missing = (await mongo.db.collection('never_created').listIndexes().toArray().catch((e: unknown) => e)) as MongoServerError;
    expect(missing.code).toBe(26);
  });

  it('uses an index for equality, range and $in (explain shows IXSCAN under FETCH), COLLSCAN otherwise', async () => {
    const coll = mongo.db.collection('explained');
    await coll.insertMany(Array.from({ length: 200 }, (_, i) => ({ n: i, s: `s${i}` })));
    await coll.createIndex({ n: 1 });
    for (const filter of [{ n: 5 }, { n: { $gte: 10, $lt: 20 } }, { n: { $in: [1, 2, 3] } }]) {
      const plan = (await coll.find(filter).explain('queryPlanner')) as Document;
      const stages = stagesOf(plan['queryPlanner'].winningPlan);
      expect(stages).toContain('IXSCAN');
      expect(stages).toContain('FETCH');
    }
    const scan = (await coll.find({ s: 's5' }).explain('queryPlanner')) as Document;
    expect(stagesOf(scan['queryPlanner'].winningPlan)).toContain('COLLSCAN');
    expect(await coll.countDocuments({ n: { $gte: 10, $lt: 20 } })).toBe(10);
  });

  it('expires documents through a TTL index', async () => {
    const coll = mongo.db.collection('ttl');
    await coll.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
    await coll.insertMany([{ expiresAt: new Date(Date.now() - 1000) }, { expiresAt: new Date(Date.now() + 3_600_000) }, { other: true }]);
    // A real mongod's TTL monitor runs every 60 s; the embedded one every second.
    const timeout = mongo.kind === 'embedded' ? 5_000 : 75_000;
    expect(await waitUntil(async () => (await coll.countDocuments()) === 2, timeout)).toBe(true);
  }, 90_000);

  it('changes a TTL through collMod', async () => {
    const coll = mongo.db.collection('ttl_mod');
    await coll.createIndex({ at: 1 }, { expireAfterSeconds: 3600 });
    const reply = await mongo.db.command({ collMod: 'ttl_mod', index: { keyPattern: { at: 1 }, expireAfterSeconds: 60 } });
    expect(reply).toMatchObject({ expireAfterSeconds_old: 3600, expireAfterSeconds_new: 60, ok: 1 });
    const [, index] = await coll.listIndexes().toArray();
    expect(index?.['expireAfterSeconds']).toBe(60);
  });
});
