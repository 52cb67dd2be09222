import { Aggregator, update as mingoUpdate } from 'mingo';
import { ObjectId } from 'mongodb';
import { bsonTypeName, cloneValue, formatValue, isPlainObject, numericTypeOf, setNumericType, type Doc } from './bson-values.js';
import { setAtPath, valueAtPath } from './document-paths.js';
import { CommandError, ErrorCode, errors } from './errors.js';
import { mingoOptions, valuesEqual } from './query-engine.js';

const UPDATE_OPERATORS = new Set([
  '$set', '$unset', '$inc', '$mul', '$min', '$max', '$rename', '$setOnInsert', '$currentDate',
  '$push', '$addToSet', '$pop', '$pull', '$pullAll', '$bit',
]);

/** An update as the `update`/`findAndModify` commands carry it. */
export type UpdateSpec = Doc | Doc[];

export function isPipelineUpdate(update: UpdateSpec): update is Doc[] {
  return Array.isArray(update);
}

/** A replacement document has no `$` keys at its top level. */
export function isReplacement(update: UpdateSpec): boolean {
  return !Array.isArray(update) && Object.keys(update).every((key) => !key.startsWith('$'));
}

/** Rejects malformed update documents the way MongoDB does, before any document is touched. */
export function checkUpdate(update: unknown): asserts update is UpdateSpec {
  if (Array.isArray(update)) {
    for (const stage of update) {
      const name = isPlainObject(stage) ? Object.keys(stage)[0] : undefined;
      if (!name || !['$addFields', '$set', '$project', '$unset', '$replaceRoot', '$replaceWith'].includes(name)) {
        throw new CommandError(ErrorCode.InvalidOptions, `${name ?? 'stage'} is not allowed to be used within an update`);
      }
    }
    return;
  }
  if (!isPlainObject(update)) throw errors.failedToParse('Update argument must be either an object or an array');
  const keys = Object.keys(update);
  const operators = keys.filter((k) => k.startsWith('$'));
  if (operators.length > 0 && operators.length !== keys.length) {
    throw errors.failedToParse(`Unknown modifier: ${keys.find((k) => !k.startsWith('$'))}. Expected a valid update modifier or pipeline-style update specified as an array`);
  }
  const seen: string[] = [];
  for (const op of operators) {
    if (!UPDATE_OPERATORS.has(op)) {
      throw errors.failedToParse(`Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`);
    }
    const fields = update[op];
    if (!isPlainObject(fields)) throw errors.failedToParse(`Modifiers operate on fields but we found type ${bsonTypeName(fields)} instead.`);
    for (const path of Object.keys(fields)) {
      const clean = path.replace(/\.\$(\[[^\]]*\])?/g, '');
      const clash = seen.find((other) => other === clean || other.startsWith(`${clean}.`) || clean.startsWith(`${other}.`));
      if (clash !== undefined) {
        throw new CommandError(40, `Updating the path '${path}' would create a conflict at '${clash.length < clean.length ? clash : clean}'`);
      }
      seen.push(clean);
    }
  }
}

type NumberKind = 'int' | 'long' | 'double' | 'decimal';
const WIDTH: Record<NumberKind, number> = { int: 0, long: 1, double: 2, decimal: 3 };

function parentAndKey(doc: Doc, path: string): [object | undefined, string] {
  const dot = path.lastIndexOf('.');
  if (dot < 0) return [doc, path];
  const parent = valueAtPath(doc, path.slice(0, dot));
  return [parent !== null && typeof parent === 'object' ? parent : undefined, path.slice(dot + 1)];
}

function numberKindAt(doc: Doc, path: string): NumberKind | undefined {
  const [parent, key] = parentAndKey(doc, path);
  if (!parent) return undefined;
  const value = (parent as Record<string, unknown>)[key];
  const kind = bsonTypeName(value, parent, key);
  return kind in WIDTH ? (kind as NumberKind) : undefined;
}

/**
 * Applies update operators through mingo, then restores the BSON numeric types mingo
 * cannot see: `$set` keeps the operand's type, `$inc`/`$mul` widen int -> long -> double.
 */
function applyOperators(doc: Doc, update: Doc, arrayFilters: Doc[] | undefined, inserting: boolean): boolean {
  const modifier: Doc = { ...update };
  if (inserting && isPlainObject(modifier['$setOnInsert'])) {
    const merged: Doc = {};
    for (const source of [modifier['$set'], modifier['$setOnInsert']]) {
      if (!isPlainObject(source)) continue;
      for (const key of Object.keys(source)) {
        merged[key] = source[key];
        setNumericType(merged, key, numericTypeOf(source, key));
      }
    }
    modifier['$set'] = merged;
  }
  delete modifier['$setOnInsert'];
  const arithmetic: Array<[string, NumberKind | undefined, NumberKind | undefined]> = [];
  for (const op of ['$inc', '$mul'] as const) {
    const fields = modifier[op];
    if (!isPlainObject(fields)) continue;
    for (const [path, operand] of Object.entries(fields)) {
      if (typeof operand !== 'number' && bsonTypeName(operand) !== 'long' && bsonTypeName(operand) !== 'decimal') {
        throw new CommandError(ErrorCode.TypeMismatch, `Cannot ${op === '$inc' ? 'increment' : 'multiply'} with non-numeric argument: {${path}: ${formatValue(operand)}}`);
      }
      const current = valueAtPath(doc, path);
      if (current !== undefined && current !== null && numberKindAt(doc, path) === undefined && !path.includes('$')) {
        throw new CommandError(ErrorCode.TypeMismatch, `Cannot apply ${op} to a value of non-numeric type. {_id: ${formatValue(doc['_id'])}} has the field '${path}' of non-numeric type ${bsonTypeName(current)}`);
      }
      if (!path.includes('$')) arithmetic.push([path, numberKindAt(doc, path), bsonTypeName(operand, fields, path) as NumberKind]);
    }
  }
  const changed = Object.keys(modifier).length > 0
    ? mingoUpdate(doc, modifier as never, arrayFilters, undefined, { cloneMode: 'none', queryOptions: mingoOptions() })
    : [];
  const sets = modifier['$set'];
  if (isPlainObject(sets)) {
    for (const path of Object.keys(sets)) {
      if (path.includes('$')) continue;
      const [parent, key] = parentAndKey(doc, path);
      if (parent) setNumericType(parent, key, numericTypeOf(sets, path));
    }
  }
  for (const [path, before, operand] of arithmetic) {
    const [parent, key] = parentAndKey(doc, path);
    if (!parent) continue;
    const value = (parent as Record<string, unknown>)[key];
    if (typeof value !== 'number') continue;
    const widest = [before ?? 'int', operand ?? 'int'].reduce((a, b) => (WIDTH[a] >= WIDTH[b] ? a : b));
    const kind = widest === 'int' && !(Number.isInteger(value) && Math.abs(value) <= 2147483647) ? 'long' : widest;
    setNumericType(parent, key, kind === 'double' ? 'double' : kind === 'long' ? 'long' : undefined);
  }
  return changed.length > 0;
}

function replaceDocument(doc: Doc, replacement: Doc): Doc {
  const out: Doc = { _id: doc['_id'] };
  const copy = cloneValue(replacement);
  for (const key of Object.keys(copy)) {
    if (key === '_id') continue;
    out[key] = copy[key];
    setNumericType(out, key, numericTypeOf(copy, key));
  }
  return out;
}

function checkIdUnchanged(before: Doc, after: Doc): void {
  if (!valuesEqual(before['_id'], after['_id'])) {
    throw new CommandError(ErrorCode.ImmutableField, `Performing an update on the path '_id' would modify the immutable field '_id'`);
  }
}

/**
 * Applies an update (operators, replacement or pipeline) to a copy of `doc`.
 * Returns the new document and whether anything changed.
 */
export function applyUpdate(doc: Doc, update: UpdateSpec, options: { arrayFilters?: Doc[]; inserting?: boolean } = {}): { doc: Doc; changed: boolean } {
  if (isPipelineUpdate(update)) {
    const [result] = new Aggregator(update, mingoOptions()).run([cloneValue(doc)]) as Doc[];
    const next = result ?? {};
    if (!('_id' in next)) next['_id'] = doc['_id'];
    checkIdUnchanged(doc, next);
    return { doc: next, changed: !valuesEqual(next, doc) };
  }
  if (isReplacement(update)) {
    if ('_id' in update && !options.inserting) checkIdUnchanged(doc, { ...doc, _id: update['_id'] });
    const next = replaceDocument(doc, update);
    return { doc: next, changed: !valuesEqual(next, doc) };
  }
  const next = cloneValue(doc);
  const changed = applyOperators(next, update, options.arrayFilters, options.inserting ?? false);
  if (!options.inserting) checkIdUnchanged(doc, next);
  return { doc: next, changed };
}

function equalityFields(filter: Doc, out: Doc): void {
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' && Array.isArray(value)) {
      for (const clause of value) if (isPlainObject(clause)) equalityFields(clause, out);
      continue;
    }
    if (key.startsWith('$')) continue;
    if (isPlainObject(value) && Object.keys(value).some((k) => k.startsWith('$'))) {
      if ('$eq' in value) setAtPath(out, key, cloneValue(value['$eq']));
      continue;
    }
    if (value instanceof RegExp) continue;
    setAtPath(out, key, cloneValue(value));
    if (!key.includes('.')) setNumericType(out, key, numericTypeOf(filter, key));
  }
}

/**
 * The document an upsert inserts: the filter's equality fields, then the update
 * (with `$setOnInsert`), `_id` first and generated when neither supplies one.
 */
export function buildUpsertDocument(filter: Doc, update: UpdateSpec, arrayFilters?: Doc[]): Doc {
  const base: Doc = {};
  equalityFields(filter, base);
  let doc: Doc;
  if (!isPipelineUpdate(update) && isReplacement(update)) {
    doc = cloneValue(update);
    if (!('_id' in doc) && '_id' in base) doc = { _id: base['_id'], ...doc };
  } else if (isPipelineUpdate(update)) {
    doc = (new Aggregator(update, mingoOptions()).run([base]) as Doc[])[0] ?? base;
  } else {
    doc = base;
    applyOperators(doc, update, arrayFilters, true);
  }
  if (!('_id' in doc)) return withIdFirst(new ObjectId(), doc);
  return withIdFirst(doc['_id'], doc);
}

/** Puts `_id` first, as MongoDB stores it. */
export function withIdFirst(id: unknown, doc: Doc): Doc {
  if (Object.keys(doc)[0] === '_id' && doc['_id'] === id) return doc;
  const out: Doc = { _id: id };
  for (const key of Object.keys(doc)) {
    if (key === '_id') continue;
    out[key] = doc[key];
    setNumericType(out, key, numericTypeOf(doc, key));
  }
  setNumericType(out, '_id', numericTypeOf(doc, '_id'));
  return out;
}
