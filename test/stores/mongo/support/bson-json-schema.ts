import { Binary, Decimal128, Long, ObjectId } from 'mongodb';

/**
 * A small evaluator of the MongoDB `$jsonSchema` keywords the SDK's generator emits, over a
 * document as the Node driver would write it (ObjectId, Date, numbers as int32 or double).
 * It lets unit tests check validators without a server; setup.test.ts checks the real thing.
 */
export function bsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof ObjectId) return 'objectId';
  if (value instanceof Date) return 'date';
  if (value instanceof Long) return 'long';
  if (value instanceof Binary) return 'binData';
  if (value instanceof Decimal128) return 'decimal';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(value) && value >= -2_147_483_648 && value <= 2_147_483_647 ? 'int' : 'double';
    case 'object':
      return 'object';
    default:
      return 'undefined';
  }
}

/** The paths where `value` breaks `schema`; empty when it is valid. */
export function validateBsonSchema(schema: Record<string, unknown>, value: unknown, path = ''): string[] {
  const errors: string[] = [];
  const fail = (what: string) => errors.push(`${path || '(root)'}: ${what}`);
  const bsonType = schema['bsonType'];
  if (bsonType !== undefined) {
    const allowed = Array.isArray(bsonType) ? bsonType : [bsonType];
    if (!allowed.includes(bsonTypeOf(value))) return [`${path || '(root)'}: bsonType ${bsonTypeOf(value)} not in ${allowed.join('|')}`];
  }
  const known = new Set(['bsonType', 'description', 'title', 'enum', 'required', 'properties', 'additionalProperties', 'items', 'additionalItems', 'minItems', 'maxItems', 'minLength', 'maxLength', 'pattern', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'anyOf', 'oneOf', 'allOf', 'not', 'uniqueItems']);
  for (const key of Object.keys(schema)) if (!known.has(key)) fail(`unsupported keyword ${key}`);
  if (Array.isArray(schema['enum']) && !schema['enum'].some((e) => e === value)) fail('not in enum');
  if (typeof value === 'string') {
    const length = [...value].length;
    if (typeof schema['minLength'] === 'number' && length < schema['minLength']) fail('minLength');
    if (typeof schema['maxLength'] === 'number' && length > schema['maxLength']) fail('maxLength');
    if (typeof schema['pattern'] === 'string' && !new RegExp(schema['pattern'], 'u').test(value)) fail('pattern');
  }
  if (typeof value === 'number') {
    const { minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf } = schema;
    if (typeof minimum === 'number' && (exclusiveMinimum === true ? value <= minimum : value < minimum)) fail('minimum');
    if (typeof maximum === 'number' && (exclusiveMaximum === true ? value >= maximum : value > maximum)) fail('maximum');
    if (typeof multipleOf === 'number' && value % multipleOf !== 0) fail('multipleOf');
  }
  if (Array.isArray(value)) {
    if (typeof schema['minItems'] === 'number' && value.length < schema['minItems']) fail('minItems');
    if (typeof schema['maxItems'] === 'number' && value.length > schema['maxItems']) fail('maxItems');
    const items = schema['items'];
    if (Array.isArray(items)) {
      items.forEach((s, i) => i < value.length && errors.push(...validateBsonSchema(s, value[i], `${path}[${i}]`)));
      if (schema['additionalItems'] === false && value.length > items.length) fail('additionalItems');
    } else if (items && typeof items === 'object') {
      value.forEach((v, i) => errors.push(...validateBsonSchema(items as Record<string, unknown>, v, `${path}[${i}]`)));
    }
  }
  if (bsonTypeOf(value) === 'object') {
    const object = value as Record<string, unknown>;
    const properties = (schema['properties'] ?? {}) as Record<string, Record<string, unknown>>;
    for (const key of (schema['required'] as string[] | undefined) ?? []) if (!(key in object)) fail(`missing ${key}`);
    for (const [key, v] of Object.entries(object)) {
      const child = properties[key];
      if (child) errors.push(...validateBsonSchema(child, v, path ? `${path}.${key}` : key));
      else if (schema['additionalProperties'] === false) fail(`additional property ${key}`);
      else if (schema['additionalProperties'] && typeof schema['additionalProperties'] === 'object') {
        errors.push(...validateBsonSchema(schema['additionalProperties'] as Record<string, unknown>, v, `${path}.${key}`));
      }
    }
  }
  const anyOf = schema['anyOf'] as Record<string, unknown>[] | undefined;
  if (anyOf && !anyOf.some((s) => validateBsonSchema(s, value, path).length === 0)) fail('anyOf');
  const oneOf = schema['oneOf'] as Record<string, unknown>[] | undefined;
  if (oneOf && oneOf.filter((s) => validateBsonSchema(s, value, path).length === 0).length !== 1) fail('oneOf');
  for (const s of (schema['allOf'] as Record<string, unknown>[] | undefined) ?? []) errors.push(...validateBsonSchema(s, value, path));
  if (schema['not'] && validateBsonSchema(schema['not'] as Record<string, unknown>, value, path).length === 0) fail('not');
  return errors;
}
