import { ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { MONGO_COLLECTIONS } from '../../../src/modules/mongo-collections.js';
import { createDocumentCodec } from '../../../src/stores/mongo/document-codec.js';
import { buildStored, ENTITY_COLLECTIONS, oid } from '../../modules/support/factories.js';

describe.each(ENTITY_COLLECTIONS)('the %s codec', (collection) => {
  const codec = createDocumentCodec<Record<string, unknown>>(MONGO_COLLECTIONS[collection].storedSchema);

  it('round-trips the sample document', () => {
    const stored = buildStored(collection);
    const document = codec.toDocument(stored);
    expect(document['_id']).toBeInstanceOf(ObjectId);
    expect('id' in document).toBe(false);
    expect(codec.fromDocument(document)).toEqual(stored);
  });

  it('leaves no id string behind at a known ObjectId path', () => {
    const document = codec.toDocument(buildStored(collection));
    const strings: string[] = [];
    const walk = (value: unknown, path: string) => {
      if (typeof value === 'string' && /^[0-9a-f]{24}$/.test(value)) strings.push(path);
      else if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`));
      else if (value && typeof value === 'object' && !(value instanceof ObjectId) && !(value instanceof Date)) {
        for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k);
      }
    };
    walk(document, '');
    expect(strings).toEqual([]);
  });
});

describe('createDocumentCodec', () => {
  it('finds every ObjectId path from the schema', () => {
    expect(createDocumentCodec(MONGO_COLLECTIONS.users.storedSchema).objectIdPaths).toEqual([
      '_id',
      'roleSpecificData.client.assignedCoachId',
      'roleSpecificData.gym_member.facilityId',
      'roleSpecificData.gym_coach.facilityId',
      'roleSpecificData.studio_coach.facilityId',
      'roleSpecificData.studio_client.facilityId',
    ]);
    expect(createDocumentCodec(MONGO_COLLECTIONS.exercises.storedSchema).objectIdPaths).toEqual(['_id', 'createdBy', 'alternateExercises[]']);
    expect(createDocumentCodec(MONGO_COLLECTIONS.facilities.storedSchema).objectIdPaths).toEqual(['_id', 'ownerId', 'staff[].userId']);
    expect(createDocumentCodec(MONGO_COLLECTIONS.workout_templates.storedSchema).objectIdPaths).toEqual(['_id', 'createdBy', 'exercises[].exerciseId']);
  });

  it('converts filter values at a dotted path', () => {
    const codec = createDocumentCodec(MONGO_COLLECTIONS.facilities.storedSchema);
    expect(codec.toStoredValue('staff.userId', oid(2))).toEqual(new ObjectId(oid(2)));
    expect(codec.toStoredValue('_id', oid(3))).toEqual(new ObjectId(oid(3)));
    expect(codec.toStoredValue('name', oid(2))).toBe(oid(2));
    expect(codec.toObjectId(oid(4).toUpperCase()).toHexString()).toBe(oid(4));
  });

  it('returns ObjectIds as lower-case hex strings', () => {
    const codec = createDocumentCodec<{ id: string }>(MONGO_COLLECTIONS.measurements.storedSchema);
    const id = new ObjectId();
    expect(codec.fromDocument({ _id: id }).id).toBe(id.toHexString());
  });
});

describe('optional fields left undefined', () => {
  it('are absent from the stored document, never stored as null', async () => {
    const { storedNutritionPlanSchema } = await import('../../../src/modules/nutrition/nutrition-plan.schema.js');
    const codec = createDocumentCodec<Record<string, unknown>>(storedNutritionPlanSchema);
    const doc = codec.toDocument({ id: 'a'.repeat(24), forUserId: undefined, metadata: { tags: [], mealsPerDay: undefined } });
    expect('forUserId' in doc).toBe(false);
    expect(doc['metadata']).toEqual({ tags: [] });
  });
});
