import { sql } from 'kysely';
import { randomBytes } from 'node:crypto';
import { BSON, ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { createNexfit } from '../../src/create-nexfit.js';
import { ConfigurationError, DecryptionError } from '../../src/core/errors.js';
import { defaultIdGenerator } from '../../src/core/ids.js';
import { createKeyring, createTestKeyring } from '../../src/core/keyring.js';
import { CoachClientRepository } from '../../src/modules/coaching/coach-client.repository.js';
import { UserRepository } from '../../src/modules/users/user.repository.js';
import { archiveOlderThan } from '../../src/ops/archive/index.js';
import { indexesUsed } from '../support/mongo-explain.js';
import { useTestNexfit } from '../support/nexfit.js';
import { keyIdsOf } from './encrypted-envelopes.js';

const t = useTestNexfit({ clock: '2026-03-02T09:00:00Z' });

/** The plaintext of every encrypted field this file writes: none may appear in a raw store. */
const SECRET = {
  phone: '+905321112233',
  newPhone: '+905329998877',
  medical: 'Astım-kronik-7731',
  dietary: 'Glutensiz-beslenme-4410',
  taxId: 'VKN-1234509876',
  businessPhone: '+902124445566',
  emergencyName: 'Fatma Acilkişi',
  emergencyPhone: '+905551230099',
  privateNote: 'Gizli not: sol dizde menisküs yırtığı',
  privateNoteLater: 'Gizli not: kortizon iğnesi sonrası dinlenme',
} as const;

const users = () => t.nexfit.repositories.users;
const relations = () => t.nexfit.repositories.coachClients;
// Raw reads and writes share the SDK's client, so each sees the other's writes at once.
const raw = (collection: string) => t.nexfit.mongo.db.collection(collection);

let sequence = 0;
async function registerUser(overrides: Record<string, unknown> = {}) {
  sequence++;
  return t.nexfit.users.register({
    email: `user${sequence}@example.com`,
    firstName: 'Ayşe',
    lastName: 'Yılmaz',
    role: ['client'],
    password: 'correct horse battery',
    ...overrides,
  } as Parameters<typeof t.nexfit.users.register>[0]);
}

/** Every document of every collection of the test database, serialised as BSON bytes. */
async function everyMongoDocument(): Promise<{ collection: string; bytes: Buffer }[]> {
  const names = (await t.mongo.db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
  const out: { collection: string; bytes: Buffer }[] = [];
  for (const name of names) {
    for (const doc of await raw(name).find({}).toArray()) out.push({ collection: name, bytes: Buffer.from(BSON.serialize(doc)) });
  }
  return out;
}

/** Every row of every table of the test database (a partitioned table's rows read through its parent), as JSON text. */
async function everyPostgresRow(): Promise<{ table: string; text: string }[]> {
  const tables = await sql<{ table_name: string }>`
    SELECT c.relname AS table_name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition`.execute(t.nexfit.pg);
  const out: { table: string; text: string }[] = [];
  for (const { table_name } of tables.rows) {
    const rows = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(table_name)}`.execute(t.nexfit.pg);
    for (const row of rows.rows) out.push({ table: table_name, text: JSON.stringify(row) });
  }
  return out;
}

/** Where a plaintext shows up in the raw stores: `collection` / `table` names, empty when nowhere. */
async function whereStored(plaintext: string): Promise<string[]> {
  const needle = Buffer.from(plaintext, 'utf8');
  const digits = plaintext.replace(/\D/g, '');
  const found = new Set<string>();
  for (const { collection, bytes } of await everyMongoDocument()) {
    if (bytes.includes(needle) || (digits.length >= 9 && bytes.includes(Buffer.from(digits)))) found.add(collection);
  }
  for (const { table, text } of await everyPostgresRow()) {
    if (text.includes(plaintext) || (digits.length >= 9 && text.includes(digits))) found.add(table);
  }
  return [...found];
}

describe('encryption at rest', () => {
  it('leaves no plaintext of an encrypted field in any collection or table — audit trail, outbox and archives included', async () => {
    const client = await registerUser({
      phoneNumber: '+90 532 111 22 33',
      roleSpecificData: { client: { medicalConditions: [SECRET.medical], dietaryRestrictions: [SECRET.dietary] } },
    });
    const owner = await registerUser({ role: ['coach'] });
    // Role changes are audited with the role's data: the sensitive parts must not reach audit_logs.
    await t.nexfit.users.addRole(owner.id, 'gym_owner', { businessName: 'Demir Spor', taxId: SECRET.taxId, businessPhoneNumber: SECRET.businessPhone });
    await t.nexfit.users.addRole(client.id, 'gym_member', {
      facilityId: new ObjectId().toHexString(),
      memberSince: '2026-01-01',
      emergencyContact: { name: SECRET.emergencyName, phoneNumber: SECRET.emergencyPhone },
    });
    await t.nexfit.users.updateProfile(client.id, { phoneNumber: SECRET.newPhone });
    await t.nexfit.users.removeRole(owner.id, 'gym_owner');
    const relation = await t.nexfit.coaching.requestCoaching({ coachId: owner.id, clientId: client.id, goals: ['güç'] });
    await t.nexfit.coaching.acceptRequest(relation.id, owner.id);
    await t.nexfit.coaching.addNote(relation.id, owner.id, { visibility: 'private', text: SECRET.privateNote });
    await relations().patch(relation.id, { notes: { visible: [], private: [{ text: SECRET.privateNoteLater, date: new Date('2026-03-02T09:00:00Z') }] } });

    for (const plaintext of Object.values(SECRET)) expect(await whereStored(plaintext), plaintext).toEqual([]);
    // The scan does find what is stored in clear: a note both sides see, and a role's business name in the audit trail.
    await t.nexfit.coaching.addNote(relation.id, owner.id, { visibility: 'visible', text: 'Görünür not: hoş geldin' });
    expect(await whereStored('Görünür not: hoş geldin')).toEqual(['coach_clients']);
    expect(await whereStored('Demir Spor')).toEqual(['audit_logs']);

    // Cold audit rows move to the archive table; it must hold no plaintext either.
    const archived = await archiveOlderThan({ db: t.nexfit.mongo.db, pg: t.nexfit.pg }, { target: 'audit_logs', before: new Date('2100-01-01T00:00:00Z'), batchSize: 2 });
    expect(archived.moved).toBeGreaterThan(0);
    for (const plaintext of Object.values(SECRET)) expect(await whereStored(plaintext), plaintext).toEqual([]);
    expect(await whereStored('Demir Spor')).toEqual(['audit_logs_archive']);

    // …while the SDK's own reads return every value.
    const readClient = await t.nexfit.users.getById(client.id);
    expect(readClient.phoneNumber).toBe(SECRET.newPhone);
    expect(readClient.roleSpecificData.client).toMatchObject({ medicalConditions: [SECRET.medical], dietaryRestrictions: [SECRET.dietary] });
    expect(readClient.roleSpecificData.gym_member?.emergencyContact).toEqual({ name: SECRET.emergencyName, phoneNumber: SECRET.emergencyPhone });
    expect((await relations().getById(relation.id)).notes.private.map((n) => n.text)).toEqual([SECRET.privateNoteLater]);
  });

  it('round-trips every encrypted field through create, patch and atomic updates, each value under the active key', async () => {
    const owner = await users().create({
      email: 'owner-roundtrip@example.com',
      firstName: 'Can',
      lastName: 'Demir',
      role: ['gym_owner', 'studio_owner'],
      phoneNumber: '+90 (532) 400-11-22',
      passwordHash: 'scrypt$N=16384,r=8,p=1$c2FsdA$aGFzaA',
      roleSpecificData: {
        gym_owner: { businessName: 'Demir Spor', taxId: 'VKN-1', businessPhoneNumber: '+902120000001' },
        studio_owner: { businessName: 'Demir Yoga', taxId: 'VKN-2' },
      },
    });
    expect(owner.phoneNumber).toBe('+905324001122');
    const again = await users().getById(owner.id);
    expect(again).toEqual(owner);
    const stored = await raw('users').findOne({ _id: new ObjectId(owner.id) });
    expect(keyIdsOf(stored)).toEqual(['test-key-1', 'test-key-1', 'test-key-1', 'test-key-1']);

    const coach = await registerUser({ role: ['coach'] });
    const relation = await relations().create({ coachId: coach.id, clientId: owner.id });
    const noted = await relations().addNote(relation.id, { visibility: 'private', text: 'ilk not' });
    const twice = await relations().addNote(relation.id, { visibility: 'private', text: 'ikinci not' });
    await relations().addNote(relation.id, { visibility: 'visible', text: 'herkese açık' });
    expect(noted.notes.private.map((n) => n.text)).toEqual(['ilk not']);
    expect(twice.notes.private.map((n) => n.text)).toEqual(['ilk not', 'ikinci not']);
    const read = await relations().getById(relation.id);
    expect(read.notes).toMatchObject({ visible: [{ text: 'herkese açık' }], private: [{ text: 'ilk not' }, { text: 'ikinci not' }] });
    const storedRelation = await raw('coach_clients').findOne({ _id: new ObjectId(relation.id) });
    expect(storedRelation?.['notes'].visible[0].text).toBe('herkese açık');
    expect(keyIdsOf(storedRelation?.['notes'].private)).toHaveLength(2);
  });

  it('refuses a tampered ciphertext, and a ciphertext moved to another document or field, with DecryptionError', async () => {
    const a = await registerUser({ phoneNumber: '+905550000001', roleSpecificData: { client: { medicalConditions: ['a'], dietaryRestrictions: ['b'] } } });
    const b = await registerUser({ phoneNumber: '+905550000002' });
    const docA = (await raw('users').findOne({ _id: new ObjectId(a.id) }))!;

    // Copied from A to B: the associated data names A's id, so B's read fails.
    await raw('users').updateOne({ _id: new ObjectId(b.id) }, { $set: { phoneNumber: docA['phoneNumber'] } });
    await expect(users().getById(b.id)).rejects.toMatchObject({ code: 'DECRYPTION_FAILED', details: { reason: 'authentication_failed' } });

    // Moved between fields of the same document: the associated data names the field.
    const client = docA['roleSpecificData'].client;
    await raw('users').updateOne({ _id: new ObjectId(a.id) }, { $set: { 'roleSpecificData.client.dietaryRestrictions': client.medicalConditions } });
    await expect(users().getById(a.id)).rejects.toBeInstanceOf(DecryptionError);

    // One flipped bit of the ciphertext.
    const data = Buffer.from(docA['phoneNumber'].d as string, 'base64');
    data[14]! ^= 0x01;
    await raw('users').updateOne({ _id: new ObjectId(a.id) }, { $set: { 'roleSpecificData.client.dietaryRestrictions': client.dietaryRestrictions, phoneNumber: { ...docA['phoneNumber'], d: data.toString('base64') } } });
    const error = await users().getById(a.id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DecryptionError);
    expect((error as Error).message).not.toContain('+905550000001');
  });

  it('writes only what a patch changed: an untouched ciphertext stays byte for byte, a changed one is sealed anew', async () => {
    const user = await registerUser({ phoneNumber: '+905550000009' });
    const before = (await raw('users').findOne({ _id: new ObjectId(user.id) }))!;
    await users().patch(user.id, { firstName: 'Defne' });
    const renamed = (await raw('users').findOne({ _id: new ObjectId(user.id) }))!;
    expect(renamed['firstName']).toBe('Defne');
    expect(renamed['phoneNumber']).toEqual(before['phoneNumber']);
    expect(renamed['phoneNumberBlindIndex']).toBe(before['phoneNumberBlindIndex']);
    await users().patch(user.id, { phoneNumber: '+905550000010' });
    const renumbered = (await raw('users').findOne({ _id: new ObjectId(user.id) }))!;
    expect(renumbered['phoneNumber']).not.toEqual(before['phoneNumber']);
    expect(renumbered['phoneNumberBlindIndex']).not.toBe(before['phoneNumberBlindIndex']);
    expect(await users().getById(user.id)).toMatchObject({ firstName: 'Defne', phoneNumber: '+905550000010', version: user.version + 2 });
  });

  it('refuses a value whose key the keyring does not have, naming the key', async () => {
    const user = await registerUser({ phoneNumber: '+905550000003' });
    const stranger = new UserRepository(t.nexfit.mongo.db, { ...t.deps, keyring: createTestKeyring({ keyIds: ['someone-else'] }) });
    await expect(stranger.getById(user.id)).rejects.toMatchObject({ code: 'DECRYPTION_FAILED', details: { keyId: 'test-key-1', reason: 'unknown_key' } });
  });

  it('has the database itself refuse a plaintext value at an encrypted path', async () => {
    const user = await registerUser();
    const write = raw('users').updateOne({ _id: new ObjectId(user.id) }, { $set: { 'roleSpecificData.client.medicalConditions': ['plain'] } });
    await expect(write).rejects.toMatchObject({ code: 121 });
  });

  it('will not build a repository with encrypted fields without a keyring, nor connect to real stores without one', async () => {
    expect(() => new UserRepository(t.nexfit.mongo.db, { clock: t.clock, ids: defaultIdGenerator })).toThrow(ConfigurationError);
    expect(() => new CoachClientRepository(t.nexfit.mongo.db, { clock: t.clock, ids: defaultIdGenerator })).toThrow(ConfigurationError);
    await expect(createNexfit({ mongo: { uri: t.mongo.uri, dbName: t.mongo.dbName }, postgres: { connectionString: t.pg.url } })).rejects.toBeInstanceOf(ConfigurationError);
  });
});

describe('the phone number blind index', () => {
  it('finds users by phone number however it is typed, through the blind index, and forgets a changed or removed number', async () => {
    const first = await registerUser({ phoneNumber: '+905061234567' });
    const second = await registerUser({ phoneNumber: '+90 506 123 45 67' });
    await registerUser({ phoneNumber: '+905061234568' });

    const found = await users().findByPhoneNumber('+90 (506) 123-45-67');
    expect(found.map((u) => u.id)).toEqual([first.id, second.id]);
    expect(found[0]).toEqual(await users().getById(first.id));
    expect(found[0]).not.toHaveProperty('phoneNumberBlindIndex');

    const stored = (await raw('users').findOne({ _id: new ObjectId(first.id) }))!;
    expect(stored['phoneNumberBlindIndex']).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(await indexesUsed(raw('users'), { phoneNumberBlindIndex: stored['phoneNumberBlindIndex'] })).toEqual(['phoneNumberBlindIndex']);

    await t.nexfit.users.updateProfile(first.id, { phoneNumber: '+905069999999' });
    expect((await users().findByPhoneNumber('+905061234567')).map((u) => u.id)).toEqual([second.id]);
    expect((await users().findByPhoneNumber('+905069999999')).map((u) => u.id)).toEqual([first.id]);

    await t.nexfit.users.updateProfile(second.id, { phoneNumber: null });
    expect(await users().findByPhoneNumber('+905061234567')).toEqual([]);
    expect(await raw('users').findOne({ _id: new ObjectId(second.id) })).not.toHaveProperty('phoneNumberBlindIndex');
  });

  it('does not find a number under another keyring’s blind-index key', async () => {
    await registerUser({ phoneNumber: '+905071112233' });
    const same = createTestKeyring();
    const otherBlindIndexKey = createKeyring({ activeKeyId: 'test-key-1', keys: { 'test-key-1': same.keyById('test-key-1')! }, blindIndexKey: randomBytes(32) });
    const other = new UserRepository(t.nexfit.mongo.db, { ...t.deps, keyring: otherBlindIndexKey });
    expect(await other.findByPhoneNumber('+905071112233')).toEqual([]);
  });
});

describe('the audit trail', () => {
  it('records that sensitive role data changed, never its value', async () => {
    const user = await registerUser();
    await t.nexfit.users.addRole(user.id, 'studio_owner', { businessName: 'Yoga Evi', taxId: 'VKN-777', businessPhoneNumber: '+902160001122' });
    const history = await t.nexfit.repositories.auditLogs.listByEntity('users', user.id);
    const added = history.items.find((row) => row.action === 'user.role_added');
    expect(added?.newState).toEqual({
      role: ['client', 'studio_owner'],
      roleSpecificData: { studio_owner: { businessName: 'Yoga Evi', taxId: '[redacted]', businessPhoneNumber: '[redacted]' } },
    });
  });
});
