import { describe, expect, it } from 'vitest';
import { type MongoCollectionDefinition } from '../../../src/stores/mongo/collections.js';
import { ENTITY_COLLECTION_NAMES, MONGO_COLLECTIONS } from '../../../src/modules/mongo-collections.js';

const definitions: readonly MongoCollectionDefinition[] = Object.values(MONGO_COLLECTIONS);
const keysOf = (name: keyof typeof MONGO_COLLECTIONS) => MONGO_COLLECTIONS[name].indexes.map((i) => i.key as Record<string, unknown>);

describe('MONGO_COLLECTIONS', () => {
  it('defines the 15 collections of the design document plus the SDK bookkeeping collections', () => {
    expect(ENTITY_COLLECTION_NAMES).toHaveLength(15);
    for (const name of ENTITY_COLLECTION_NAMES) expect(MONGO_COLLECTIONS[name].storedSchema, name).toBeDefined();
    expect(Object.keys(MONGO_COLLECTIONS)).toEqual(expect.arrayContaining(['nexfit_uow_decisions', 'nexfit_meta', 'nexfit_locks']));
    expect(Object.keys(MONGO_COLLECTIONS)).not.toContain('nexfit_idempotency');
  });

  it('carries every index the design document lists', () => {
    expect(MONGO_COLLECTIONS.users.indexes).toContainEqual({ key: { email: 1 }, name: 'email_unique', unique: true });
    expect(keysOf('users')).toContainEqual({ role: 1 });
    expect(MONGO_COLLECTIONS.measurements.indexes[0]).toMatchObject({ key: { userId: 1, date: -1 }, unique: true });
    for (const field of ['userId', 'startTime', 'workoutTemplateId']) expect(keysOf('workout_logs')).toContainEqual({ [field]: 1 });
    expect(keysOf('facilities')).toContainEqual({ 'address.location': '2dsphere' });
    expect(keysOf('facilities')).toContainEqual({ ownerId: 1 });
    expect(keysOf('classes')).toContainEqual({ facilityId: 1 });
    expect(keysOf('classes')).toContainEqual({ 'schedule.startTime': 1 });
  });

  it('never indexes the {latitude, longitude} pair as 2dsphere', () => {
    for (const d of definitions) for (const i of d.indexes) expect(Object.keys(i.key)).not.toContain('address.coordinates');
  });

  it('uses only partial filter operators every supported MongoDB accepts', () => {
    const allowed = new Set(['$eq', '$exists', '$gt', '$gte', '$lt', '$lte', '$type']);
    for (const d of definitions) {
      for (const i of d.indexes) {
        for (const condition of Object.values(i.partialFilterExpression ?? {})) {
          for (const op of Object.keys(condition as object)) expect(allowed.has(op), `${d.name}.${i.name} ${op}`).toBe(true);
        }
      }
    }
  });

  it('expires bookkeeping records through TTL indexes', () => {
    expect(MONGO_COLLECTIONS.nexfit_uow_decisions.indexes[0]).toMatchObject({ key: { expiresAt: 1 }, expireAfterSeconds: 0 });
  });

  it('indexes counters and locks by their last write, for the housekeeping sweep', () => {
    for (const name of ['class_booking_counters', 'membership_visit_counters', 'nexfit_locks'] as const) expect(keysOf(name)).toContainEqual({ updatedAt: 1 });
  });

  it('gives indexes unique names within a collection', () => {
    for (const d of definitions) expect(new Set(d.indexes.map((i) => i.name)).size, d.name).toBe(d.indexes.length);
  });
});
