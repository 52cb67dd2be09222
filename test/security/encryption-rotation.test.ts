import { randomBytes } from 'node:crypto';
import { ObjectId, type Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNexfit, type Nexfit } from '../../src/create-nexfit.js';
import { FieldCipher } from '../../src/core/field-cipher.js';
import { createKeyring, createTestKeyring, type Keyring } from '../../src/core/keyring.js';
import type { CoachClient } from '../../src/modules/coaching/coach-client.schema.js';
import { CoachClientRepository } from '../../src/modules/coaching/coach-client.repository.js';
import type { User } from '../../src/modules/users/user.schema.js';
import { UserRepository } from '../../src/modules/users/user.repository.js';
import { MONGO_COLLECTIONS, MONGO_LAYOUT } from '../../src/modules/mongo-collections.js';
import { encryptedCollections, encryptedFieldsOf, rotateStoredDocument, type KeyRotationProgress } from '../../src/stores/mongo/key-rotation.js';
import { rotateEncryptionKeys } from '../../src/mongo-layout.js';
import { useTestNexfit } from '../support/nexfit.js';
import { keyIdsOf } from './encrypted-envelopes.js';

/** Before the rotation: only k1. During it: k1 still readable, k2 active. After it: k1 retired. */
const BEFORE = createTestKeyring({ keyIds: ['k1'] });
const DURING = createTestKeyring({ keyIds: ['k1', 'k2'] });
const AFTER = createTestKeyring({ keyIds: ['k2'] });

const t = useTestNexfit({ nexfit: { keyring: BEFORE } });
const raw = (collection: string) => t.nexfit.mongo.db.collection(collection);
const usersUnder = (keyring: Keyring) => new UserRepository(t.nexfit.mongo.db, { ...t.deps, keyring });
const relationsUnder = (keyring: Keyring) => new CoachClientRepository(t.nexfit.mongo.db, { ...t.deps, keyring });

async function keyIdsIn(collection: string): Promise<string[]> {
  return (await raw(collection).find({}).toArray()).flatMap((doc) => keyIdsOf(doc));
}

let sequence = 0;
async function writeUser(phoneNumber: string): Promise<User> {
  sequence++;
  return t.nexfit.repositories.users.create({
    email: `rotation${sequence}@example.com`,
    firstName: 'Deniz',
    lastName: 'Kaya',
    role: ['client', 'gym_owner'],
    phoneNumber,
    passwordHash: 'scrypt$N=16384,r=8,p=1$c2FsdA$aGFzaA',
    roleSpecificData: { client: { medicalConditions: [`durum ${sequence}`], dietaryRestrictions: ['laktozsuz'] }, gym_owner: { businessName: 'Kaya Spor', taxId: `VKN-${sequence}` } },
  });
}

describe('key rotation', () => {
  let during: Nexfit;
  const users: User[] = [];
  const relations: CoachClient[] = [];
  let legacyId: ObjectId;

  beforeAll(async () => {
    for (let i = 0; i < 7; i++) users.push(await writeUser(`+9053200000${String(i).padStart(2, '0')}`));
    for (let i = 0; i < 3; i++) {
      const relation = await t.nexfit.repositories.coachClients.create({ coachId: users[i]!.id, clientId: users[i + 1]!.id });
      await t.nexfit.repositories.coachClients.addNote(relation.id, { visibility: 'private', text: `özel not ${i}` });
      relations.push(await t.nexfit.repositories.coachClients.addNote(relation.id, { visibility: 'private', text: `ikinci özel not ${i}` }));
    }
    // A user written before its phone number was declared encrypted (an upgraded deployment).
    legacyId = new ObjectId();
    const now = new Date('2026-03-01T00:00:00Z');
    await raw('users').insertOne(
      { _id: legacyId, schemaVersion: 1, version: 1, createdAt: now, updatedAt: now, email: 'legacy@example.com', firstName: 'Eski', lastName: 'Kayıt', phoneNumber: '+905559990000', role: ['client'], isActive: true, roleSpecificData: {}, passwordHash: 'x' },
      { bypassDocumentValidation: true },
    );
    // The new keyring is deployed first (k2 active, k1 still readable); then the rotation runs.
    during = await createNexfit({ mongo: { uri: t.mongo.uri, dbName: t.mongo.dbName }, postgres: { connectionString: t.pg.url }, keyring: DURING, migrate: false });
  });
  afterAll(async () => {
    await during?.close();
  });

  it('re-encrypts every value under the active key in resumable batches, after which the old key can be retired', async () => {
    expect(new Set(await keyIdsIn('users'))).toEqual(new Set(['k1']));
    expect(new Set(await keyIdsIn('coach_clients'))).toEqual(new Set(['k1']));
    const userCount = await raw('users').countDocuments();
    // A plaintext value is refused on read until the rotation has encrypted it.
    await expect(t.nexfit.repositories.users.getById(legacyId.toHexString())).rejects.toMatchObject({ code: 'DECRYPTION_FAILED', details: { reason: 'not_encrypted' } });

    // Stopped after its first batch…
    const stop = new AbortController();
    const firstRun: KeyRotationProgress[] = [];
    const stopped = await during.rotateEncryptionKeys({
      batchSize: 3,
      signal: stop.signal,
      onProgress: (p) => {
        firstRun.push(p);
        stop.abort();
      },
    });
    expect(stopped.completed).toBe(false);
    expect(firstRun).toHaveLength(1);
    expect(firstRun[0]).toMatchObject({ collection: 'users', scanned: 3, rotated: 3, total: userCount });

    // …and resumed from its checkpoint.
    const secondRun: KeyRotationProgress[] = [];
    const resumed = await during.rotateEncryptionKeys({ batchSize: 3, resumeFrom: firstRun[0]!.checkpoint, onProgress: (p) => void secondRun.push(p) });
    expect(resumed.completed).toBe(true);
    expect(resumed.activeKeyId).toBe('k2');
    const userBatches = secondRun.filter((p) => p.collection === 'users');
    expect(userBatches).toHaveLength(Math.ceil((userCount - 3) / 3));
    expect(userBatches.at(-1)).toMatchObject({ scanned: userCount - 3, rotated: userCount - 3, total: userCount - 3 });
    expect(resumed.collections['coach_clients']).toMatchObject({ scanned: 3, rotated: 3 });
    const checkpoints = userBatches.map((p) => p.checkpoint.after);
    expect([...checkpoints].sort()).toEqual(checkpoints);

    expect(new Set(await keyIdsIn('users'))).toEqual(new Set(['k2']));
    expect(new Set(await keyIdsIn('coach_clients'))).toEqual(new Set(['k2']));

    // k1 retired: everything still reads, and reads the same.
    for (const user of users) expect(await usersUnder(AFTER).getById(user.id)).toEqual(user);
    for (const relation of relations) expect(await relationsUnder(AFTER).getById(relation.id)).toEqual(relation);
    expect((await usersUnder(AFTER).getById(legacyId.toHexString())).phoneNumber).toBe('+905559990000');
    expect((await usersUnder(AFTER).findByPhoneNumber('+905559990000')).map((u) => u.id)).toEqual([legacyId.toHexString()]);

    // A checkpoint must name a collection the rotation visits.
    await expect(during.rotateEncryptionKeys({ resumeFrom: { collection: 'foods', after: firstRun[0]!.checkpoint.after } })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });

    // Nothing is left to rotate.
    const again = await during.rotateEncryptionKeys({ batchSize: 3 });
    // Every collection with encrypted fields, each followed by its archive when it has one.
    expect(Object.keys(again.collections)).toEqual(encryptedCollections(MONGO_LAYOUT).flatMap((d) => [d.name, ...(d.archiveCollection ? [d.archiveCollection] : [])]));
    expect(Object.values(again.collections).map((c) => c.rotated)).toEqual(Object.keys(again.collections).map(() => 0));
  });

  it('does not bump a rotated document’s version, so a host’s update based on an earlier read still lands', async () => {
    const user = await writeUser('+905321230001');
    await during.rotateEncryptionKeys({ batchSize: 50 });
    const stored = (await raw('users').findOne({ _id: new ObjectId(user.id) }))!;
    expect(keyIdsOf(stored)).toEqual(['k2', 'k2', 'k2', 'k2']);
    expect(stored['version']).toBe(user.version);
    const updated = await usersUnder(DURING).patch(user.id, { firstName: 'Ece' }, { expectedVersion: user.version });
    expect(updated.version).toBe(user.version + 1);
  });

  it('never loses a write that lands between reading a document and rewriting it', async () => {
    const fields = encryptedFieldsOf(MONGO_COLLECTIONS.users, new FieldCipher(DURING));

    // A process still on the old keyring writes under k1 after the rotation read the document.
    const a = await writeUser('+905321230002');
    const staleA = (await raw('users').findOne({ _id: new ObjectId(a.id) })) as Document;
    await usersUnder(BEFORE).patch(a.id, { phoneNumber: '+905321239999' });
    expect(await rotateStoredDocument(raw('users'), fields, staleA)).toEqual({ rewritten: true, retried: 1 });
    const readA = await usersUnder(AFTER).getById(a.id);
    expect(readA.phoneNumber).toBe('+905321239999');
    expect(readA.version).toBe(a.version + 1);
    expect(keyIdsOf(await raw('users').findOne({ _id: new ObjectId(a.id) }))).toEqual(['k2', 'k2', 'k2', 'k2']);

    // A process already on the new keyring rewrote the role data under k2; a patch writes only what
    // it changed, so the phone number is still under k1 and the rotation re-reads and finishes it.
    const b = await writeUser('+905321230003');
    const staleB = (await raw('users').findOne({ _id: new ObjectId(b.id) })) as Document;
    await usersUnder(DURING).patch(b.id, { roleSpecificData: { client: { medicalConditions: ['yeni durum'] }, gym_owner: { businessName: 'Kaya Spor' } } });
    expect(await rotateStoredDocument(raw('users'), fields, staleB)).toEqual({ rewritten: true, retried: 1 });
    const readB = await usersUnder(AFTER).getById(b.id);
    expect(readB.roleSpecificData.client?.medicalConditions).toEqual(['yeni durum']);
    expect(readB.phoneNumber).toBe('+905321230003');
    // The phone number and the one medical condition left in the role data, both under k2.
    expect(keyIdsOf(await raw('users').findOne({ _id: new ObjectId(b.id) }))).toEqual(['k2', 'k2']);

    // A private note pushed meanwhile is kept too.
    const relation = await t.nexfit.repositories.coachClients.create({ coachId: a.id, clientId: b.id });
    await relationsUnder(BEFORE).addNote(relation.id, { visibility: 'private', text: 'ilk' });
    const staleRelation = (await raw('coach_clients').findOne({ _id: new ObjectId(relation.id) })) as Document;
    await relationsUnder(BEFORE).addNote(relation.id, { visibility: 'private', text: 'araya giren' });
    const relationFields = encryptedFieldsOf(MONGO_COLLECTIONS.coach_clients, new FieldCipher(DURING));
    expect(await rotateStoredDocument(raw('coach_clients'), relationFields, staleRelation)).toEqual({ rewritten: true, retried: 1 });
    expect((await relationsUnder(AFTER).getById(relation.id)).notes.private.map((n) => n.text)).toEqual(['ilk', 'araya giren']);
  });

  it('recomputes every blind index under a new blind-index key, so phone lookups find every user again', async () => {
    const user = await writeUser('+905321230004');
    const newBlindIndexKey = createKeyring({
      activeKeyId: 'k2',
      keys: { k1: DURING.keyById('k1')!, k2: DURING.keyById('k2')! },
      blindIndexKey: randomBytes(32),
    });
    expect(await usersUnder(newBlindIndexKey).findByPhoneNumber('+905321230004')).toEqual([]);

    const report = await rotateEncryptionKeys(t.nexfit.mongo.db, newBlindIndexKey, { batchSize: 4 });
    expect(report.collections['users']?.rotated).toBe(await raw('users').countDocuments({ phoneNumber: { $exists: true } }));
    expect((await usersUnder(newBlindIndexKey).findByPhoneNumber('+905321230004')).map((u) => u.id)).toEqual([user.id]);
    expect(await usersUnder(DURING).findByPhoneNumber('+905321230004')).toEqual([]);
  });
});
