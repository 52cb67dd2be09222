import { bsonTypeName, isPlainObject, valueKey, type Doc } from './bson-values.js';
import { CommandError, ErrorCode } from './errors.js';

/** Why a document failed: MongoDB's `errInfo.details` shape (`operatorName`, `schemaRulesNotSatisfied`). */
export type ValidationDetails = Doc;

const SUPPORTED = new Set([
  'bsonType', 'type', 'required', 'properties', 'additionalProperties', 'patternProperties', 'items', 'additionalItems',
  'minItems', 'maxItems', 'uniqueItems', 'enum', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum',
  'minLength', 'maxLength', 'pattern', 'minProperties', 'maxProperties', 'anyOf', 'allOf', 'oneOf', 'not',
  'description', 'title', 'dependencies', 'multipleOf',
]);
const REJECTED = new Set(['$ref', '$schema', 'default', 'definitions', 'format', 'id']);
const BSON_TYPES = new Set([
  'double', 'string', 'object', 'array', 'binData', 'undefined', 'objectId', 'bool', 'date', 'null', 'regex', 'dbPointer',
  'javascript', 'symbol', 'javascriptWithScope', 'int', 'timestamp', 'long', 'decimal', 'minKey', 'maxKey', 'number',
]);
const JSON_TYPES = new Set(['object', 'array', 'number', 'boolean', 'string', 'null']);

function fail(message: string): never {
  throw new CommandError(ErrorCode.FailedToParse, message);
}

/** Rejects a `$jsonSchema` MongoDB would reject (unknown or unsupported keywords, bad types). */
export function checkJsonSchema(schema: unknown, path = '$jsonSchema'): void {
  if (!isPlainObject(schema)) fail(`${path} must be an object`);
  for (const [keyword, value] of Object.entries(schema)) {
    if (REJECTED.has(keyword)) fail(`$jsonSchema keyword '${keyword}' is not currently supported`);
    if (!SUPPORTED.has(keyword)) fail(`Unknown $jsonSchema keyword: ${keyword}`);
    if (keyword === 'bsonType' || keyword === 'type') {
      const names = Array.isArray(value) ? value : [value];
      const known = keyword === 'bsonType' ? BSON_TYPES : JSON_TYPES;
      for (const name of names) {
        if (keyword === 'type' && name === 'integer') fail("$jsonSchema type 'integer' is not currently supported.");
        if (typeof name !== 'string' || !known.has(name)) fail(`Unknown type name alias: ${String(name)}`);
      }
    }
    if (keyword === 'properties' || keyword === 'patternProperties') {
      if (!isPlainObject(value)) fail(`$jsonSchema keyword '${keyword}' must be an object`);
      for (const [name, sub] of Object.entries(value)) checkJsonSchema(sub, `${path}.${keyword}.${name}`);
    }
    if ((keyword === 'additionalProperties' || keyword === 'additionalItems') && typeof value !== 'boolean') checkJsonSchema(value, path);
    if (keyword === 'not') checkJsonSchema(value, path);
    if (keyword === 'items') {
      if (Array.isArray(value)) value.forEach((sub) => checkJsonSchema(sub, path));
      else checkJsonSchema(value, path);
    }
    if (keyword === 'anyOf' || keyword === 'allOf' || keyword === 'oneOf') {
      if (!Array.isArray(value) || value.length === 0) fail(`$jsonSchema keyword '${keyword}' must be a non-empty array`);
      value.forEach((sub) => checkJsonSchema(sub, path));
    }
    if (keyword === 'required') {
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) fail("$jsonSchema keyword 'required' must be an array of strings");
    }
    if (keyword === 'enum' && (!Array.isArray(value) || value.length === 0)) fail("$jsonSchema keyword 'enum' must be a non-empty array");
    if (keyword === 'pattern' && typeof value !== 'string') fail("$jsonSchema keyword 'pattern' must be a string");
  }
}

function typeMatches(name: string, actual: string, value: unknown, keyword: 'bsonType' | 'type'): boolean {
  if (keyword === 'type') {
    if (name === 'number') return ['int', 'long', 'double', 'decimal'].includes(actual);
    if (name === 'boolean') return actual === 'bool';
    if (name === 'object') return actual === 'object' && isPlainObject(value);
    return name === actual;
  }
  if (name === 'number') return ['int', 'long', 'double', 'decimal'].includes(actual);
  return name === actual;
}

function countCodePoints(text: string): number {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

/** Validates one value against a schema node; returns the rules it broke (empty when valid). */
function check(schema: Doc, value: unknown, container: object | undefined, key: string | undefined): Doc[] {
  const broken: Doc[] = [];
  const actual = bsonTypeName(value, container, key);
  for (const keyword of ['bsonType', 'type'] as const) {
    const spec = schema[keyword];
    if (spec === undefined) continue;
    const names = (Array.isArray(spec) ? spec : [spec]) as string[];
    if (!names.some((name) => typeMatches(name, actual, value, keyword))) {
      broken.push({ operatorName: keyword, specifiedAs: { [keyword]: spec }, reason: 'type did not match', consideredValue: value ?? null, consideredType: actual });
    }
  }
  if (Array.isArray(schema['enum']) && !schema['enum'].some((option) => valueKey(option) === valueKey(value))) {
    broken.push({ operatorName: 'enum', specifiedAs: { enum: schema['enum'] }, reason: 'value was not found in enum', consideredValue: value ?? null });
  }
  if (typeof value === 'number') {
    const min = schema['minimum'];
    const max = schema['maximum'];
    if (typeof min === 'number' && (schema['exclusiveMinimum'] === true ? value <= min : value < min)) {
      broken.push({ operatorName: 'minimum', specifiedAs: { minimum: min }, reason: 'comparison failed', consideredValue: value });
    }
    if (typeof max === 'number' && (schema['exclusiveMaximum'] === true ? value >= max : value > max)) {
      broken.push({ operatorName: 'maximum', specifiedAs: { maximum: max }, reason: 'comparison failed', consideredValue: value });
    }
    const multipleOf = schema['multipleOf'];
    if (typeof multipleOf === 'number' && multipleOf > 0 && Math.abs(value / multipleOf - Math.round(value / multipleOf)) > 1e-9) {
      broken.push({ operatorName: 'multipleOf', specifiedAs: { multipleOf }, reason: 'considered value is not a multiple of the specified value', consideredValue: value });
    }
  }
  if (typeof value === 'string') {
    const length = countCodePoints(value);
    if (typeof schema['minLength'] === 'number' && length < schema['minLength']) {
      broken.push({ operatorName: 'minLength', specifiedAs: { minLength: schema['minLength'] }, reason: 'specified string length was not satisfied', consideredValue: value });
    }
    if (typeof schema['maxLength'] === 'number' && length > schema['maxLength']) {
      broken.push({ operatorName: 'maxLength', specifiedAs: { maxLength: schema['maxLength'] }, reason: 'specified string length was not satisfied', consideredValue: value });
    }
    if (typeof schema['pattern'] === 'string' && !new RegExp(schema['pattern'], 'u').test(value)) {
      broken.push({ operatorName: 'pattern', specifiedAs: { pattern: schema['pattern'] }, reason: 'regular expression did not match', consideredValue: value });
    }
  }
  if (Array.isArray(value)) broken.push(...checkArray(schema, value));
  if (isPlainObject(value)) broken.push(...checkObject(schema, value));
  for (const keyword of ['allOf', 'anyOf', 'oneOf'] as const) {
    const options = schema[keyword];
    if (!Array.isArray(options)) continue;
    const results = options.map((sub) => check(sub as Doc, value, container, key));
    const passed = results.filter((r) => r.length === 0).length;
    const ok = keyword === 'allOf' ? passed === options.length : keyword === 'anyOf' ? passed > 0 : passed === 1;
    if (!ok) broken.push({ operatorName: keyword, schemasNotSatisfied: results.filter((r) => r.length > 0).map((details, index) => ({ index, details })) });
  }
  if (isPlainObject(schema['not']) && check(schema['not'], value, container, key).length === 0) {
    broken.push({ operatorName: 'not', reason: 'child schema did not fail' });
  }
  return broken;
}

function checkArray(schema: Doc, value: unknown[]): Doc[] {
  const broken: Doc[] = [];
  if (typeof schema['minItems'] === 'number' && value.length < schema['minItems']) {
    broken.push({ operatorName: 'minItems', specifiedAs: { minItems: schema['minItems'] }, reason: 'array did not match specified length', consideredValue: value });
  }
  if (typeof schema['maxItems'] === 'number' && value.length > schema['maxItems']) {
    broken.push({ operatorName: 'maxItems', specifiedAs: { maxItems: schema['maxItems'] }, reason: 'array did not match specified length', consideredValue: value });
  }
  if (schema['uniqueItems'] === true && new Set(value.map(valueKey)).size !== value.length) {
    broken.push({ operatorName: 'uniqueItems', specifiedAs: { uniqueItems: true }, reason: 'found a duplicate item', consideredValue: value });
  }
  const items = schema['items'];
  if (isPlainObject(items)) {
    const failures = value.flatMap((item, index) => {
      const details = check(items, item, value, String(index));
      return details.length ? [{ itemIndex: index, details }] : [];
    });
    if (failures.length) broken.push({ operatorName: 'items', reason: 'At least one item did not match the sub-schema', ...failures[0] });
  } else if (Array.isArray(items)) {
    items.forEach((sub, index) => {
      if (index < value.length && isPlainObject(sub)) {
        const details = check(sub, value[index], value, String(index));
        if (details.length) broken.push({ operatorName: 'items', reason: 'At least one item did not match the sub-schema', itemIndex: index, details });
      }
    });
    const additional = schema['additionalItems'];
    if (additional === false && value.length > items.length) {
      broken.push({ operatorName: 'additionalItems', specifiedAs: { additionalItems: false }, reason: 'found additional items' });
    }
  }
  return broken;
}

function checkObject(schema: Doc, value: Doc): Doc[] {
  const broken: Doc[] = [];
  const keys = Object.keys(value).filter((k) => value[k] !== undefined);
  if (typeof schema['minProperties'] === 'number' && keys.length < schema['minProperties']) {
    broken.push({ operatorName: 'minProperties', specifiedAs: { minProperties: schema['minProperties'] }, reason: 'specified number of properties was not satisfied', numberOfProperties: keys.length });
  }
  if (typeof schema['maxProperties'] === 'number' && keys.length > schema['maxProperties']) {
    broken.push({ operatorName: 'maxProperties', specifiedAs: { maxProperties: schema['maxProperties'] }, reason: 'specified number of properties was not satisfied', numberOfProperties: keys.length });
  }
  if (Array.isArray(schema['required'])) {
    const missing = (schema['required'] as string[]).filter((name) => !keys.includes(name));
    if (missing.length) broken.push({ operatorName: 'required', specifiedAs: { required: schema['required'] }, missingProperties: missing });
  }
  const properties = isPlainObject(schema['properties']) ? schema['properties'] : {};
  const patterns = isPlainObject(schema['patternProperties'])
    ? Object.entries(schema['patternProperties']).map(([p, sub]) => [new RegExp(p, 'u'), sub as Doc] as const)
    : [];
  const propertyFailures: Doc[] = [];
  const additional: string[] = [];
  for (const name of keys) {
    let matched = false;
    const sub = properties[name];
    if (isPlainObject(sub)) {
      matched = true;
      const details = check(sub, value[name], value, name);
      if (details.length) propertyFailures.push({ propertyName: name, details });
    }
    for (const [pattern, patternSchema] of patterns) {
      if (!pattern.test(name)) continue;
      matched = true;
      const details = check(patternSchema, value[name], value, name);
      if (details.length) propertyFailures.push({ propertyName: name, details });
    }
    if (!matched) additional.push(name);
  }
  if (propertyFailures.length) broken.push({ operatorName: 'properties', propertiesNotSatisfied: propertyFailures });
  const additionalSchema = schema['additionalProperties'];
  if (additionalSchema === false && additional.length) {
    broken.push({ operatorName: 'additionalProperties', specifiedAs: { additionalProperties: false }, additionalProperties: additional });
  } else if (isPlainObject(additionalSchema)) {
    const failures = additional.flatMap((name) => {
      const details = check(additionalSchema, value[name], value, name);
      return details.length ? [{ propertyName: name, details }] : [];
    });
    if (failures.length) broken.push({ operatorName: 'additionalProperties', reason: 'at least one additional property did not match the sub-schema', propertiesNotSatisfied: failures });
  }
  const dependencies = schema['dependencies'];
  if (isPlainObject(dependencies)) {
    for (const [name, dependency] of Object.entries(dependencies)) {
      if (!keys.includes(name)) continue;
      const missing = Array.isArray(dependency) ? (dependency as string[]).filter((d) => !keys.includes(d)) : [];
      const sub = isPlainObject(dependency) ? check(dependency, value, undefined, undefined) : [];
      if (missing.length || sub.length) broken.push({ operatorName: 'dependencies', failingDependencies: [{ conditionalProperty: name, missingProperties: missing, details: sub }] });
    }
  }
  return broken;
}

/**
 * Compiles a MongoDB `$jsonSchema` (draft-4 subset plus `bsonType`) into a validator
 * that returns `undefined` for a valid document, else MongoDB's `errInfo.details`.
 *
 * @example
 * const validate = compileJsonSchema({ bsonType: 'object', required: ['email'] });
 * validate({ name: 'x' }); // { operatorName: '$jsonSchema', schemaRulesNotSatisfied: [...] }
 */
export function compileJsonSchema(schema: Doc): (doc: Doc) => ValidationDetails | undefined {
  checkJsonSchema(schema);
  return (doc) => {
    const broken = check(schema, doc, undefined, undefined);
    return broken.length ? { operatorName: '$jsonSchema', schemaRulesNotSatisfied: broken } : undefined;
  };
}

