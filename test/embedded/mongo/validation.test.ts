import { MongoServerError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { useTestMongo } from '../../support/stores.js';

const mongo = useTestMongo();

const userSchema = {
  bsonType: 'object',
  required: ['email', 'age'],
  properties: {
    _id: { bsonType: 'objectId' },
    email: { bsonType: 'string', pattern: '@' },
    age: { bsonType: ['int', 'long'], minimum: 0 },
    roles: { bsonType: 'array', items: { enum: ['client', 'coach'] }, uniqueItems: true },
  },
  additionalProperties: false,
};

describe('collection validators', () => {
  it('rejects invalid inserts and updates with DocumentValidationFailure (121) and errInfo details', async () => {
    await mongo.db.createCollection('validated', { validator: { $jsonSchema: userSchema } });
    const coll = mongo.db.collection('validated');
    await coll.insertOne({ email: 'a@b', age: 30, roles: ['client'] });
    const insert = (await coll.insertOne({ email: 'nope', age: 3 }).catch((e: unknown) => e)) as MongoServerError;
    expect(insert.code).toBe(121);
    expect(insert.errInfo?.['details']).toMatchObject({ operatorName: '$jsonSchema' });
    expect(Array.isArray(insert.errInfo?.['details'].schemaRulesNotSatisfied)).toBe(true);
    const update = (await coll.updateOne({ email: 'a@b' }, { $set: { roles: ['admin'] } }).catch((e: unknown) => e)) as MongoServerError;
    expect(update.code).toBe(121);
    const extra = (await coll.insertOne({ email: 'c@d', age: 1, nickname: 'x' }).catch((e: unknown) => e)) as MongoServerError;
    expect(extra.code).toBe(121);
    const double = (await coll.insertOne({ email: 'c@d', age: 1.5 }).catch((e: unknown) => e)) as MongoServerError;
    expect(double.code).toBe(121);
    expect(await coll.countDocuments()).toBe(1);
  });

  it('reports the validator in listCollections and changes it with collMod', async () => {
    await mongo.db.createCollection('modded', { validator: { $jsonSchema: { bsonType: 'object', required: ['a'] } }, validationLevel: 'strict' });
    const [info] = await mongo.db.listCollections({ name: 'modded' }, { nameOnly: false }).toArray();
    expect((info as { options?: unknown } | undefined)?.options).toMatchObject({ validator: { $jsonSchema: { required: ['a'] } }, validationLevel: 'strict' });
    await mongo.db.command({ collMod: 'modded', validator: { $jsonSchema: { bsonType: 'object', required: ['b'] } } });
    const coll = mongo.db.collection('modded');
    await coll.insertOne({ b: 1 });
    expect(((await coll.insertOne({ a: 1 }).catch((e: unknown) => e)) as MongoServerError).code).toBe(121);
  });

  it('accepts invalid documents when validationAction is warn', async () => {
    await mongo.db.createCollection('warned', { validator: { $jsonSchema: { bsonType: 'object', required: ['a'] } }, validationAction: 'warn' });
    await mongo.db.collection('warned').insertOne({ b: 1 });
    expect(await mongo.db.collection('warned').countDocuments()).toBe(1);
  });

  it('supports query-operator validators', async () => {
    await mongo.db.createCollection('plain_validator', { validator: { qty: { $gte: 0 } } });
    const failure = (await mongo.db.collection('plain_validator').insertOne({ qty: -1 }).catch((e: unknown) => e)) as MongoServerError;
    expect(failure.code).toBe(121);
  });

  it('rejects $jsonSchema keywords MongoDB does not support', async () => {
    for (const schema of [{ $schema: 'http://json-schema.org/draft-04/schema#' }, { properties: { a: { format: 'email' } } }, { properties: { a: { default: 1 } } }]) {
      const failure = (await mongo.db.createCollection(`bad_${Math.random().toString(36).slice(2)}`, { validator: { $jsonSchema: schema } }).catch((e: unknown) => e)) as MongoServerError;
      expect(failure).toBeInstanceOf(MongoServerError);
      expect([2, 9]).toContain(failure.code);
    }
  });

  it('refuses to create an existing collection (48 NamespaceExists)', async () => {
    await mongo.db.createCollection('twice');
    const failure = (await mongo.db.createCollection('twice', { validator: { a: 1 } }).catch((e: unknown) => e)) as MongoServerError;
    expect(failure.code).toBe(48);
  });
});
