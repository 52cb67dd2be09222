import { ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { idSchema } from '../../../src/core/ids.js';
import { MONGO_COLLECTIONS } from '../../../src/modules/mongo-collections.js';
import { toMongoJsonSchema } from '../../../src/stores/mongo/json-schema.js';
import { collectionJsonSchema } from '../../../src/stores/mongo/setup.js';
import { ENTITY_COLLECTIONS } from '../../modules/support/factories.js';
import { validateBsonSchema } from './support/bson-json-schema.js';
import { storedDocumentOf } from './support/stored-document.js';

const FORBIDDEN = ['$schema', '$ref', '$defs', 'definitions', 'format', 'default', 'const', 'type', 'examples', 'propertyNames'];

function keywordsOf(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => keywordsOf(n, out));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      out.add(key);
      // Property names are data, not keywords: descend into their schemas only.
      if (key === 'properties') Object.values(value as object).forEach((v) => keywordsOf(v, out));
      else keywordsOf(value, out);
    }
  }
  return out;
}

const storedDocument = storedDocumentOf;

describe.each(ENTITY_COLLECTIONS)('the %s validator', (collection) => {
  const validator = collectionJsonSchema(MONGO_COLLECTIONS[collection])!;

  it('matches its snapshot', async () => {
    await expect(JSON.stringify(validator, null, 2) + '\n').toMatchFileSnapshot(`./__snapshots__/validators/${collection}.json`);
  });

  it('uses only keywords MongoDB accepts', () => {
    const keywords = keywordsOf(validator);
    for (const forbidden of FORBIDDEN) expect(keywords.has(forbidden), forbidden).toBe(false);
    expect(validator['bsonType']).toBe('object');
    expect(validator['additionalProperties']).toBe(false);
    expect((validator['properties'] as Record<string, unknown>)['_id']).toEqual({ bsonType: 'objectId' });
    expect(validator['required']).toContain('_id');
  });

  it('accepts a valid stored document', () => {
    expect(validateBsonSchema(validator, storedDocument(collection))).toEqual([]);
  });

  it('rejects a string _id, a missing field, an extra field and a wrong date type', () => {
    const doc = storedDocument(collection);
    expect(validateBsonSchema(validator, { ...doc, _id: String(doc['_id']) })).not.toEqual([]);
    const { version: _v, ...withoutVersion } = doc;
    expect(validateBsonSchema(validator, withoutVersion)).not.toEqual([]);
    expect(validateBsonSchema(validator, { ...doc, $where: 'x' })).not.toEqual([]);
    expect(validateBsonSchema(validator, { ...doc, createdAt: '2026-03-01T00:00:00Z' })).not.toEqual([]);
    expect(validateBsonSchema(validator, { ...doc, version: 1.5 })).not.toEqual([]);
  });
});

describe('toMongoJsonSchema', () => {
  it('maps ids, dates, integers, numbers, booleans, enums and literals', () => {
    const schema = z.strictObject({
      id: idSchema('ThingId'),
      ownerId: idSchema('UserId').optional(),
      at: z.date(),
      count: z.number().int().min(0).max(10),
      big: z.number().int().min(0),
      ratio: z.number().min(0).gt(-1),
      on: z.boolean(),
      kind: z.enum(['a', 'b']),
      point: z.literal('Point'),
      maybe: z.string().nullable(),
    });
    const json = toMongoJsonSchema(schema);
    expect(json['properties']).toEqual({
      _id: { bsonType: 'objectId' },
      ownerId: { bsonType: 'objectId' },
      at: { bsonType: 'date' },
      count: { bsonType: ['int', 'long'], minimum: 0, maximum: 10 },
      big: { bsonType: ['int', 'long', 'double'], multipleOf: 1, minimum: 0 },
      ratio: { bsonType: ['double', 'int', 'long', 'decimal'], minimum: 0 },
      on: { bsonType: 'bool' },
      kind: { bsonType: 'string', enum: ['a', 'b'] },
      point: { bsonType: 'string', enum: ['Point'] },
      maybe: { bsonType: ['string', 'null'] },
    });
    expect(json['required']).toEqual(['_id', 'at', 'count', 'big', 'ratio', 'on', 'kind', 'point', 'maybe']);
  });

  it('keeps a whole amount beyond 32 bits valid (the driver writes it as a double)', () => {
    const validator = toMongoJsonSchema(z.strictObject({ id: idSchema('X'), amount: z.number().int().min(0).max(99_999_999_99) }));
    expect(validateBsonSchema(validator, { _id: new ObjectId(), amount: 99_999_999_99 })).toEqual([]);
    expect(validateBsonSchema(validator, { _id: new ObjectId(), amount: 1.5 })).not.toEqual([]);
  });

  it('refuses a schema that would produce $ref', () => {
    const shared = z.strictObject({ a: z.string() }).meta({ id: 'Shared' });
    expect(() => toMongoJsonSchema(z.strictObject({ id: idSchema('X'), s: shared }))).toThrow(/\$ref|\$defs/);
  });
});

describe('the validator of a collection with encrypted fields', () => {
  const validator = collectionJsonSchema(MONGO_COLLECTIONS.users)!;
  const doc = storedDocument('users');

  it('accepts only the encrypted envelope at an encrypted path', () => {
    expect(validateBsonSchema(validator, doc)).toEqual([]);
    expect(validateBsonSchema(validator, { ...doc, phoneNumber: '+905551234567' })).not.toEqual([]);
    expect(validateBsonSchema(validator, { ...doc, phoneNumber: { ...doc['phoneNumber'], extra: 1 } })).not.toEqual([]);
    expect(validateBsonSchema(validator, { ...doc, phoneNumber: { ...doc['phoneNumber'], v: 2 } })).not.toEqual([]);
  });

  it('accepts only the base64 of an HMAC as the blind index', () => {
    expect(validateBsonSchema(validator, { ...doc, phoneNumberBlindIndex: '+905551234567' })).not.toEqual([]);
  });
});
