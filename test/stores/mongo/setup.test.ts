import { ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/core/errors.js';
import { MONGO_SCHEMA_VERSION } from '../../../src/stores/mongo/collections.js';
import { MONGO_COLLECTIONS } from '../../../src/modules/mongo-collections.js';
import { createDocumentCodec } from '../../../src/stores/mongo/document-codec.js';
import { toNexfitError } from '../../../src/stores/mongo/error-mapping.js';
import { ensureMongoCollections } from '../../../src/mongo-layout.js';
import { buildStored, ENTITY_COLLECTIONS, entitySchemas } from '../../modules/support/factories.js';
import { useTestMongo } from '../../support/stores.js';
import { storedDocumentOf } from './support/stored-document.js';

const mongo = useTestMongo();

describe('ensureMongoCollections', () => {
  it('creates every collection with its validator and indexes, and can run again', async () => {
    const first = await ensureMongoCollections(mongo.db, { now: () => new Date('2026-03-01T00:00:00Z') });
    expect(first.created).toEqual(expect.arrayContaining([...ENTITY_COLLECTIONS]));
    const second = await ensureMongoCollections(mongo.db);
    expect(second.created).toEqual([]);
    expect(second.updated).toEqual(expect.arrayContaining([...ENTITY_COLLECTIONS]));

    const infos = await mongo.db.listCollections().toArray();
    const users = infos.find((c) => c.name === 'users') as { options?: Record<string, unknown> } | undefined;
    expect(users?.options).toMatchObject({ validationLevel: 'strict', validationAction: 'error' });
    expect((users?.options?.['validator'] as { $jsonSchema?: unknown })?.$jsonSchema).toBeDefined();

    for (const definition of Object.values(MONGO_COLLECTIONS)) {
      const names = (await mongo.db.collection(definition.name).listIndexes().toArray()).map((i) => i.name as string);
      for (const index of definition.indexes) expect(names, `${definition.name}.${index.name}`).toContain(index.name);
    }
    const seat = (await mongo.db.collection('class_bookings').listIndexes().toArray()).find((i) => i.name === 'classId_date_userId_seat_unique');
    expect(seat).toMatchObject({ unique: true, partialFilterExpression: { holdsSeat: { $eq: true } } });
    const ttl = (await mongo.db.collection('nexfit_uow_decisions').listIndexes().toArray()).find((i) => i.name === 'expiresAt_ttl');
    expect(ttl?.['expireAfterSeconds']).toBe(0);

    const meta = await mongo.db.collection<{ _id: string }>('nexfit_meta').findOne({ _id: 'mongo-schema' });
    expect(meta).toMatchObject({ version: MONGO_SCHEMA_VERSION });
  });

  it('accepts a valid stored document of every collection', async () => {
    await ensureMongoCollections(mongo.db);
    for (const collection of ENTITY_COLLECTIONS) {
      await expect(mongo.db.collection(collection).insertOne(storedDocumentOf(collection)), collection).resolves.toBeDefined();
    }
  });

  it('rejects an invalid document with code 121, mapped to ValidationError', async () => {
    await ensureMongoCollections(mongo.db);
    const error = await mongo.db
      .collection('users')
      .insertOne({ _id: new ObjectId(), email: 42, role: ['wizard'] })
      .then(() => undefined, (e: unknown) => e);
    expect((error as { code?: unknown }).code).toBe(121);
    expect(toNexfitError(error, { collection: 'users' })).toBeInstanceOf(ValidationError);
  });

  it('enforces one seat per user per occurrence while the booking holds it', async () => {
    await ensureMongoCollections(mongo.db);
    const codec = createDocumentCodec(entitySchemas.class_bookings.stored);
    // Another user than the booking the previous test inserted.
    const stored = { ...buildStored('class_bookings', 77), userId: new ObjectId().toHexString() };
    await mongo.db.collection('class_bookings').insertOne(codec.toDocument(stored));
    const again = codec.toDocument({ ...stored, id: new ObjectId().toHexString() });
    const error = await mongo.db.collection('class_bookings').insertOne(again).then(() => undefined, (e: unknown) => e);
    expect((error as { code?: unknown }).code).toBe(11000);
    const cancelled = codec.toDocument({ ...stored, id: new ObjectId().toHexString(), status: 'cancelled', cancelledAt: new Date(), holdsSeat: false });
    await expect(mongo.db.collection('class_bookings').insertOne(cancelled)).resolves.toBeDefined();
  });
});
