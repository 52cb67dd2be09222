import { ObjectId, type Collection, type Document, type Filter, type UpdateOptions } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fixedClock } from '../../../src/core/clock.js';
import { ConfigurationError } from '../../../src/core/errors.js';
import { entityFields } from '../../../src/core/entity-schema.js';
import { defaultIdGenerator, idSchema } from '../../../src/core/ids.js';
import { createDocumentCodec } from '../../../src/stores/mongo/document-codec.js';
import { assertValidDocumentMigrations, documentMigrationLog, documentMigrationStatus, upgradeOnRead, type DocumentMigration } from '../../../src/stores/mongo/document-migrations/index.js';
import { DOCUMENT_MIGRATIONS, MONGO_COLLECTIONS } from '../../../src/modules/mongo-collections.js';
import { migrateDocumentsDown, migrateDocumentsUp, runDocumentMigration } from '../../../src/mongo-layout.js';
import { MongoRepository } from '../../../src/stores/mongo/mongo-repository.js';
import { useTestMongo } from '../../support/stores.js';
import { storedDocumentOf } from './support/stored-document.js';

const mongo = useTestMongo();
const clock = fixedClock('2026-03-01T00:00:00Z');

/** A sample format change on a scratch collection without a validator: `name` split in two. */
function splitName(collection: string) {
  const calls = { up: 0, down: 0 };
  const migration: DocumentMigration = {
    name: `${collection}-0002-split-name`,
    collection,
    fromVersion: 1,
    toVersion: 2,
    up: ({ name, ...doc }) => {
      calls.up++;
      if (typeof name !== 'string') throw new Error('up applied to a document without a name');
      const [firstName, ...rest] = name.split(' ');
      return { ...doc, firstName, lastName: rest.join(' ') };
    },
    down: ({ firstName, lastName, ...doc }) => {
      calls.down++;
      return { ...doc, name: `${firstName} ${lastName}` };
    },
  };
  return { migration, calls };
}

async function seed(collection: string, count: number): Promise<Document[]> {
  const docs = Array.from({ length: count }, (_, i) => ({ _id: new ObjectId(), schemaVersion: 1, version: 1, name: `Person${i} Family Name${i}` }));
  await mongo.db.collection(collection).insertMany(docs.map((d) => ({ ...d })));
  return docs;
}

/** A repository of `members` in format 2 (first and last name, an optional nickname) that upgrades format 1 documents on read through `migration`. */
function membersRepository(migration: DocumentMigration) {
  const personSchema = z.strictObject({ ...entityFields('PersonId'), firstName: z.string(), lastName: z.string(), nickname: z.string().optional() });
  const createSchema = z.strictObject({ firstName: z.string(), lastName: z.string(), nickname: z.string().optional() });
  return new MongoRepository(
    mongo.db,
    {
      entity: 'person',
      collection: 'members',
      schemaVersion: 2,
      entitySchema: personSchema,
      idSchema: idSchema('PersonId'),
      createSchema,
      patchSchema: createSchema.partial(),
      codec: createDocumentCodec<z.infer<typeof personSchema>>(personSchema),
      upgrade: upgradeOnRead('members', [migration]),
    },
    { clock, ids: defaultIdGenerator },
  );
}

describe('document migrations', () => {
  it('converts every document exactly once when stopped midway, crashed before a checkpoint, and resumed', async () => {
    const { migration, calls } = splitName('people');
    const docs = await seed('people', 23);

    const controller = new AbortController();
    const first = await runDocumentMigration(mongo.db, migration, 'up', {
      batchSize: 5,
      signal: controller.signal,
      clock,
      onProgress: (done) => done >= 10 && controller.abort(),
    });
    expect(first).toEqual({ name: 'people-0002-split-name', direction: 'up', converted: 10, total: 23, complete: false });
    const [running] = await documentMigrationStatus(mongo.db, [migration]);
    expect(running).toMatchObject({ state: 'running', direction: 'up', appliedAt: null, lastId: String(docs[9]!['_id']), atFromVersion: 13, atToVersion: 10 });

    // Written behind the checkpoint while the migration was stopped (an older SDK still running).
    const late = { _id: ObjectId.createFromTime(1), schemaVersion: 1, version: 1, name: 'Late Comer' };
    await mongo.db.collection('people').insertOne({ ...late });

    // The next batch lands, then the process dies before recording its checkpoint.
    const crashed = runDocumentMigration(mongo.db, migration, 'up', {
      batchSize: 5,
      clock,
      afterBatchWritten: () => { throw new Error('died before the checkpoint'); },
    });
    await expect(crashed).rejects.toThrow('died before the checkpoint');

    const progress: [number, number][] = [];
    const resumed = await runDocumentMigration(mongo.db, migration, 'up', { batchSize: 5, clock, onProgress: (d, t) => progress.push([d, t]) });
    expect(resumed).toMatchObject({ converted: 9, total: 9, complete: true });
    expect(progress.at(-1)).toEqual([9, 9]);

    expect(calls.up).toBe(24);
    const stored = await mongo.db.collection('people').find({}).sort({ _id: 1 }).toArray();
    expect(stored).toHaveLength(24);
    for (const doc of [late, ...docs]) {
      const [firstName, ...rest] = (doc['name'] as string).split(' ');
      expect(stored.find((s) => String(s['_id']) === String(doc['_id']))).toEqual({ _id: doc['_id'], schemaVersion: 2, version: 1, firstName, lastName: rest.join(' ') });
    }
    const [applied] = await documentMigrationStatus(mongo.db, [migration]);
    expect(applied).toMatchObject({ state: 'applied', appliedAt: clock.now(), lastId: null, atFromVersion: 0, atToVersion: 24 });

    // Applied migrations are skipped; an explicit re-run finds nothing to convert.
    expect(await migrateDocumentsUp(mongo.db, [migration])).toEqual([]);
    expect(await runDocumentMigration(mongo.db, migration, 'up')).toMatchObject({ converted: 0, complete: true });
    expect(calls.up).toBe(24);
  });

  it('reverts through down and records the migration as reverted', async () => {
    const { migration, calls } = splitName('people');
    const reverted = await migrateDocumentsDown(mongo.db, migration, { batchSize: 7, clock });
    expect(reverted).toMatchObject({ direction: 'down', converted: 24, total: 24, complete: true });
    expect(calls.down).toBe(24);
    const names = (await mongo.db.collection('people').find({}).toArray()).map((d) => [d['schemaVersion'], d['name'], d['firstName']]);
    expect(names.every(([version, name, firstName]) => version === 1 && typeof name === 'string' && firstName === undefined)).toBe(true);
    expect(await documentMigrationStatus(mongo.db, [migration])).toMatchObject([{ state: 'reverted', direction: 'down', atFromVersion: 24, atToVersion: 0 }]);
    const record = await documentMigrationLog(mongo.db).findOne({ _id: migration.name });
    expect(record).toMatchObject({ state: 'reverted', revertedAt: clock.now() });
  });

  it('lists pending migrations and applies them in version order per collection', async () => {
    await mongo.db.collection('notes').insertMany([{ schemaVersion: 1, text: 'a' }, { schemaVersion: 1, text: 'b' }]);
    const toV2: DocumentMigration = { name: 'notes-0002', collection: 'notes', fromVersion: 1, toVersion: 2, up: (d) => ({ ...d, body: d['text'] }), down: (d) => d };
    const toV3: DocumentMigration = {
      name: 'notes-0003',
      collection: 'notes',
      fromVersion: 2,
      toVersion: 3,
      up: ({ text, ...d }) => ({ ...d, length: String(d['body']).length }),
      down: (d) => d,
    };
    expect((await documentMigrationStatus(mongo.db, [toV3, toV2])).map((s) => [s.name, s.state])).toEqual([['notes-0003', 'pending'], ['notes-0002', 'pending']]);
    const runs = await migrateDocumentsUp(mongo.db, [toV3, toV2], { clock });
    expect(runs.map((r) => [r.name, r.converted])).toEqual([['notes-0002', 2], ['notes-0003', 2]]);
    expect(await mongo.db.collection('notes').find({}, { projection: { _id: 0 } }).toArray()).toEqual([
      { schemaVersion: 3, body: 'a', length: 1 },
      { schemaVersion: 3, body: 'b', length: 1 },
    ]);
  });

  it('refuses a migration that would store plaintext where the collection encrypts, even with validation bypassed, and lets one move envelopes as they are', async () => {
    const users = mongo.db.collection('users');
    const stored = storedDocumentOf('users');
    await users.insertOne({ ...stored, schemaVersion: 7 }, { bypassDocumentValidation: true });
    const leak: DocumentMigration = { name: 'users-0008-leak', collection: 'users', fromVersion: 7, toVersion: 8, up: (d) => ({ ...d, phoneNumber: '+905551234567' }), down: (d) => d };
    const error = await runDocumentMigration(mongo.db, leak, 'up', { clock, bypassDocumentValidation: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain('users.phoneNumber');
    expect((error as Error).message).not.toContain('+905551234567');
    expect(await users.findOne({ _id: stored['_id'] })).toMatchObject({ schemaVersion: 7, phoneNumber: stored['phoneNumber'] });

    const rename: DocumentMigration = { name: 'users-0008-rename', collection: 'users', fromVersion: 7, toVersion: 8, up: ({ firstName, ...d }) => ({ ...d, firstName: String(firstName).toUpperCase() }), down: (d) => d };
    expect(await runDocumentMigration(mongo.db, rename, 'up', { clock, bypassDocumentValidation: true })).toMatchObject({ converted: 1, complete: true });
    expect(await users.findOne({ _id: stored['_id'] })).toMatchObject({ schemaVersion: 8, phoneNumber: stored['phoneNumber'] });
  });

  it('refuses migrations that fork or do not move forward', () => {
    const base = splitName('x').migration;
    expect(() => upgradeOnRead('x', [base, { ...base, name: 'other' }])).toThrow(ConfigurationError);
    expect(() => upgradeOnRead('x', [{ ...base, toVersion: 1 }])).toThrow(ConfigurationError);
  });

  it('ships a valid chain per collection that ends at the collection definition\'s current format', () => {
    expect(() => assertValidDocumentMigrations(DOCUMENT_MIGRATIONS)).not.toThrow();
    for (const def of Object.values(MONGO_COLLECTIONS)) {
      const own = DOCUMENT_MIGRATIONS.filter((m) => m.collection === def.name);
      const last = Math.max(1, ...own.map((m) => m.toVersion));
      expect(last, def.name).toBe(def.schemaVersion);
    }
    expect(DOCUMENT_MIGRATIONS.map((m) => m.collection)).toEqual(expect.arrayContaining(['workout_templates', 'workout_programs', 'workout_logs']));
  });

  it('lets a repository read documents of the old format through the same up function', async () => {
    const { migration, calls } = splitName('members');
    const repository = membersRepository(migration);
    const _id = new ObjectId();
    await mongo.db.collection('members').insertOne({ _id, schemaVersion: 1, version: 3, createdAt: clock.now(), updatedAt: clock.now(), name: 'Ayşe Nur Yılmaz' });

    expect(await repository.getById(_id.toHexString())).toEqual({
      id: _id.toHexString(),
      schemaVersion: 2,
      version: 3,
      createdAt: clock.now(),
      updatedAt: clock.now(),
      firstName: 'Ayşe',
      lastName: 'Nur Yılmaz',
    });
    expect(calls.up).toBe(1);
    // Reading upgrades in memory only; the stored document waits for the batch rewrite.
    expect(await mongo.db.collection('members').findOne({ _id })).toMatchObject({ schemaVersion: 1, name: 'Ayşe Nur Yılmaz' });
  });

  it('writes a document upgraded on read whole when it is patched, and a current one field by field', async () => {
    const { migration } = splitName('members');
    const repository = membersRepository(migration);
    const members = mongo.db.collection('members');
    // The updates the repository sends, seen at the driver's collection (the write still goes to the store).
    const sent: Document[] = [];
    const collection = (repository as unknown as { collection: Collection }).collection;
    const updateOne = collection.updateOne.bind(collection);
    collection.updateOne = ((filter: Filter<Document>, update: Document, options?: UpdateOptions) => {
      sent.push(update);
      return updateOne(filter, update, options);
    }) as typeof collection.updateOne;
    const old = new ObjectId();
    await members.insertOne({ _id: old, schemaVersion: 1, version: 1, createdAt: clock.now(), updatedAt: clock.now(), name: 'Ayşe Nur Yılmaz' });
    await repository.patch(old.toHexString(), { nickname: 'Ayşo' });
    // The whole upgraded state was written — format version and the upgraded fields — not only the changed field.
    expect(await members.findOne({ _id: old })).toMatchObject({ schemaVersion: 2, version: 2, firstName: 'Ayşe', lastName: 'Nur Yılmaz', nickname: 'Ayşo' });
    expect(Object.keys(sent[0]!['$set'] as Document).sort()).toEqual(['createdAt', 'firstName', 'lastName', 'nickname', 'schemaVersion', 'updatedAt', 'version']);

    const current = await repository.create({ firstName: 'Mehmet', lastName: 'Demir' });
    await repository.patch(current.id, { nickname: 'Memo' });
    expect(Object.keys(sent[1]!['$set'] as Document).sort()).toEqual(['nickname', 'updatedAt', 'version']);
    expect(await members.findOne({ _id: new ObjectId(current.id) })).toMatchObject({ version: 2, firstName: 'Mehmet', lastName: 'Demir', nickname: 'Memo' });
  });
});
