import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createTestKeyring } from '../../../src/core/keyring.js';
import { createNexfit } from '../../../src/create-nexfit.js';
import { MONGO_SCHEMA_VERSION } from '../../../src/stores/mongo/collections.js';
import { MONGO_COLLECTIONS } from '../../../src/modules/mongo-collections.js';
import { storedMongoLayoutVersion } from '../../../src/stores/mongo/layout-version.js';
import { revertMongoLayout } from '../../../src/mongo-layout.js';
import { ensureMongoCollections } from '../../../src/mongo-layout.js';
import { migratePostgresToLatest } from '../../../src/stores/postgres/migrator.js';
import { useTestMongo, useTestPostgres } from '../../support/stores.js';

const mongo = useTestMongo();
const pg = useTestPostgres();

const meta = () => mongo.db.collection<{ _id: string; version: number }>(MONGO_COLLECTIONS.nexfit_meta.name);
const validatorOf = async (name: string) => ((await mongo.db.listCollections({ name }).toArray())[0] as { options?: { validator?: unknown } } | undefined)?.options?.validator;
const indexNames = async (name: string) => (await mongo.db.collection(name).listIndexes().toArray()).map((i) => String(i['name'])).sort();

describe('the MongoDB layout version', () => {
  it('is recorded by migrate, and migrate down puts back the layout before it', async () => {
    await mongo.db.createCollection('foods'); // a database the SDK had not set up: a bare collection, no validator
    await ensureMongoCollections(mongo.db);
    expect(await storedMongoLayoutVersion(mongo.db)).toBe(MONGO_SCHEMA_VERSION);
    expect(await validatorOf('foods')).toHaveProperty('$jsonSchema');
    expect(await indexNames('foods')).toContain('searchName');

    const revert = await revertMongoLayout(mongo.db);
    expect(revert).toMatchObject({ from: MONGO_SCHEMA_VERSION, to: 0 });
    expect((await validatorOf('foods')) ?? {}).toEqual({});
    expect(await indexNames('foods')).toEqual(['_id_']);
    expect(await storedMongoLayoutVersion(mongo.db)).toBeNull();
    await expect(revertMongoLayout(mongo.db)).rejects.toMatchObject({ code: 'CONFIGURATION' });

    await ensureMongoCollections(mongo.db);
    expect(await indexNames('foods')).toContain('searchName');
  });

  it('goes back one version: what the newer version added is dropped, what it lost is recreated', async () => {
    await ensureMongoCollections(mongo.db);
    // Pretend the database was at version N-1, whose layout had one index fewer and one index more.
    await mongo.db.collection('foods').dropIndex('searchName');
    await mongo.db.collection('foods').createIndex({ brand: 1 }, { name: 'older_brand_index' });
    await meta().updateOne({ _id: 'mongo-schema' }, { $set: { version: MONGO_SCHEMA_VERSION - 1 }, $unset: { previous: '' } });

    await ensureMongoCollections(mongo.db);
    await mongo.db.collection('foods').dropIndex('older_brand_index'); // what the newer layout would not have
    expect(await indexNames('foods')).toContain('searchName');

    const revert = await revertMongoLayout(mongo.db);
    expect(revert).toMatchObject({ from: MONGO_SCHEMA_VERSION, to: MONGO_SCHEMA_VERSION - 1 });
    expect(revert.droppedIndexes).toContain('foods.searchName');
    expect(revert.recreatedIndexes).toContain('foods.older_brand_index');
    expect(await indexNames('foods')).not.toContain('searchName');
    expect(await storedMongoLayoutVersion(mongo.db)).toBe(MONGO_SCHEMA_VERSION - 1);
    await mongo.db.collection('foods').dropIndex('older_brand_index');
    await ensureMongoCollections(mongo.db);
  });

  it('refuses to replace a newer layout, naming both versions, and leaves its validators alone', async () => {
    await ensureMongoCollections(mongo.db);
    const newer = MONGO_SCHEMA_VERSION + 3;
    await meta().updateOne({ _id: 'mongo-schema' }, { $set: { version: newer } });
    const newerValidator = { $jsonSchema: { bsonType: 'object', required: ['name'] } };
    await mongo.db.command({ collMod: 'foods', validator: newerValidator });

    const refusal = await ensureMongoCollections(mongo.db).catch((e: unknown) => e);
    expect(refusal).toMatchObject({ code: 'CONFIGURATION', name: 'ConfigurationError' });
    expect((refusal as Error).message).toContain(`version ${newer}`);
    expect((refusal as Error).message).toContain(`version ${MONGO_SCHEMA_VERSION}`);
    expect(await validatorOf('foods')).toEqual(newerValidator);
    expect(await storedMongoLayoutVersion(mongo.db)).toBe(newer);

    // createNexfit refuses such stores too, with or without migrating.
    const open = (migrate: boolean) =>
      createNexfit({ mongo: { uri: mongo.uri, dbName: mongo.dbName }, postgres: { connectionString: pg.url }, keyring: createTestKeyring(), migrate });
    await expect(open(false)).rejects.toMatchObject({ code: 'CONFIGURATION', message: expect.stringContaining(`version ${newer}`) });
    await expect(open(true)).rejects.toMatchObject({ code: 'CONFIGURATION' });
    await meta().updateOne({ _id: 'mongo-schema' }, { $set: { version: MONGO_SCHEMA_VERSION } });
  });

  it('createNexfit refuses a PostgreSQL database with migrations this SDK does not ship', async () => {
    await migratePostgresToLatest(pg.kysely);
    await sql`INSERT INTO nexfit_migrations (name, timestamp) VALUES ('9999-from-the-future', now()::text)`.execute(pg.kysely);
    try {
      const refusal = createNexfit({ mongo: { uri: mongo.uri, dbName: mongo.dbName }, postgres: { connectionString: pg.url }, keyring: createTestKeyring(), migrate: false });
      await expect(refusal).rejects.toMatchObject({ code: 'CONFIGURATION', message: expect.stringContaining('9999-from-the-future') });
    } finally {
      await sql`DELETE FROM nexfit_migrations WHERE name = '9999-from-the-future'`.execute(pg.kysely);
    }
    const nexfit = await createNexfit({ mongo: { uri: mongo.uri, dbName: mongo.dbName }, postgres: { connectionString: pg.url }, keyring: createTestKeyring(), migrate: false });
    await nexfit.close();
  });
});
