import { Double } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { promote, type Doc } from '../../../src/embedded/mongo/bson-values.js';
import { CommandError } from '../../../src/embedded/mongo/errors.js';
import { compileJsonSchema } from '../../../src/embedded/mongo/json-schema-validator.js';

const validate = (schema: Doc, doc: Doc) => compileJsonSchema(schema)(promote(doc) as Doc);

describe('$jsonSchema validator', () => {
  it('checks bsonType, including int versus double', () => {
    const schema = { properties: { n: { bsonType: 'int' } } };
    expect(validate(schema, { n: 5 })).toBeUndefined();
    expect(validate(schema, { n: new Double(5) })).toMatchObject({ operatorName: '$jsonSchema' });
    expect(validate({ properties: { n: { bsonType: 'number' } } }, { n: new Double(5) })).toBeUndefined();
    expect(validate({ properties: { d: { bsonType: ['date', 'null'] } } }, { d: null })).toBeUndefined();
  });

  it('reports missing required properties', () => {
    const details = validate({ required: ['a', 'b'] }, { a: 1 });
    expect(details?.['schemaRulesNotSatisfied']).toEqual([{ operatorName: 'required', specifiedAs: { required: ['a', 'b'] }, missingProperties: ['b'] }]);
  });

  it('applies additionalProperties, patternProperties and nested items', () => {
    const schema = {
      properties: { _id: {}, tags: { bsonType: 'array', items: { bsonType: 'string', minLength: 2 }, maxItems: 2, uniqueItems: true } },
      patternProperties: { '^x_': { bsonType: 'int' } },
      additionalProperties: false,
    };
    expect(validate(schema, { _id: 1, tags: ['ab'], x_a: 1 })).toBeUndefined();
    expect(validate(schema, { tags: ['a'] })).toBeDefined();
    expect(validate(schema, { tags: ['ab', 'ab'] })).toBeDefined();
    expect(validate(schema, { tags: ['ab', 'cd', 'ef'] })).toBeDefined();
    expect(validate(schema, { x_a: 'no' })).toBeDefined();
    expect(validate(schema, { other: 1 })).toBeDefined();
  });

  it('applies numeric bounds, string rules, enums and combinators', () => {
    expect(validate({ properties: { n: { minimum: 0, maximum: 10, exclusiveMaximum: true } } }, { n: 10 })).toBeDefined();
    expect(validate({ properties: { n: { minimum: 0, maximum: 10 } } }, { n: 10 })).toBeUndefined();
    expect(validate({ properties: { s: { pattern: '^[a-z]+$', maxLength: 3 } } }, { s: 'abcd' })).toBeDefined();
    expect(validate({ properties: { e: { enum: ['a', 'b'] } } }, { e: 'c' })).toBeDefined();
    expect(validate({ properties: { v: { anyOf: [{ bsonType: 'string' }, { bsonType: 'int' }] } } }, { v: 1 })).toBeUndefined();
    expect(validate({ properties: { v: { oneOf: [{ bsonType: 'int' }, { minimum: 0 }] } } }, { v: 1 })).toBeDefined();
    expect(validate({ properties: { v: { not: { bsonType: 'string' } } } }, { v: 's' })).toBeDefined();
    expect(validate({ minProperties: 2 }, { a: 1 })).toBeDefined();
  });

  it('rejects keywords MongoDB does not support with FailedToParse', () => {
    for (const schema of [{ $schema: 'x' }, { format: 'email' }, { default: 1 }, { $ref: '#/a' }, { unknownThing: 1 }, { type: 'integer' }]) {
      let failure: unknown;
      try {
        compileJsonSchema(schema);
      } catch (error) {
        failure = error;
      }
      expect(failure).toBeInstanceOf(CommandError);
      expect((failure as CommandError).code).toBe(9);
    }
  });
});
