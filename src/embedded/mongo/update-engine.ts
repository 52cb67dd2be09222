import { update as mingoUpdate } from 'mingo/updater';
import { Query } from 'mingo/query';
import { BSON, ObjectId } from 'mongodb';
import { bsonTypeName, cloneValue, demote, formatValue, isPlainObject, numericTypeOf, setNumericType, type Doc, type NumericType } from './bson-values.js';
import { setAtPath, valueAtPath } from './document-paths.js';
import { CommandError, ErrorCode, errors } from './errors.js';
import { createAggregator, mingoOptions, queryOptions, updateOptions, valuesEqual } from './query-engine.js';

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
  const claim = (path: string) => {
    // Positional segments (`$`, `$[]`, `$[id]`) are path components of their own, as in MongoDB's update tree.
    const clash = seen.find((other) => other === path || other.startsWith(`${path}.`) || path.startsWith(`${other}.`));
    if (clash !== undefined) {
      throw new CommandError(ErrorCode.ConflictingUpdateOperators, `Updating the path '${path}' would create a conflict at '${clash.length < path.length ? clash : path}'`);
    }
    seen.push(path);
  };
  for (const op of operators) {
    if (!UPDATE_OPERATORS.has(op)) {
      throw errors.failedToParse(`Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`);
    }
    const fields = update[op];
    if (!isPlainObject(fields)) throw errors.failedToParse(`Modifiers operate on fields but we found type ${bsonTypeName(fields)} instead.`);
    for (const path of Object.keys(fields)) {
      claim(path);
      if (op === '$rename' && typeof fields[path] === 'string') claim(fields[path]);
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

/** Where an update's operators apply: the array filters and the statement's filter (for `$`). */
interface OperatorScope {
  readonly arrayFilters: Doc[] | undefined;
  readonly filter: Doc;
  readonly inserting: boolean;
}

/**
 * mingo refuses every write to its id field; MongoDB refuses only a write that changes
 * `_id` (checked after the update). A BSON field name cannot contain NUL, so no stored
 * field is guarded under this name.
 */
const UNGUARDED_ID_KEY = '\u0000';

/** The conditions of a filter on `arrayField` or below it (top level and `$and`). */
function arrayConditions(filter: Doc, arrayField: string, out: Doc[] = []): Doc[] {
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' && Array.isArray(value)) {
      for (const clause of value) if (isPlainObject(clause)) arrayConditions(clause, arrayField, out);
    } else if (key === arrayField || key.startsWith(`${arrayField}.`)) {
      out.push({ [key]: value });
    }
  }
  return out;
}

/**
 * Replaces the positional `$` of a path with the index of the first element of the array
 * that the statement's filter matched, as MongoDB does.
 */
function resolvePositional(doc: Doc, path: string, filter: Doc): string {
  const parts = path.split('.');
  const at = parts.indexOf('$');
  if (at < 0) return path;
  if (parts.indexOf('$', at + 1) >= 0) throw errors.badValue(`Too many positional (i.e. '$') elements found in path '${path}'`);
  const arrayField = parts.slice(0, at).join('.');
  const array = valueAtPath(doc, arrayField);
  const conditions = arrayConditions(filter, arrayField);
  const notFound = () => errors.badValue('The positional operator did not find the match needed from the query.');
  if (!Array.isArray(array) || conditions.length === 0) throw notFound();
  const query = new Query({ $and: conditions }, queryOptions());
  const index = array.findIndex((element) => {
    const probe: Doc = {};
    setAtPath(probe, arrayField, [element]);
    return query.test(probe);
  });
  if (index < 0) throw notFound();
  parts[at] = String(index);
  return parts.join('.');
}

/** An array element (or pushed value) with its remembered numeric type. */
type TypedElement = readonly [unknown, NumericType | undefined];

function typedElements(array: unknown): TypedElement[] {
  return Array.isArray(array) ? array.map((value, i) => [value, numericTypeOf(array, String(i))] as const) : [];
}

function sameNumber(a: unknown, b: unknown): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

/**
 * Re-attaches numeric types to an array that an array operator rebuilt or shifted:
 * each number takes the type of the next unused equal value in `pool` (the elements
 * before the update and the added values, in the order the operator lays them out).
 * `fromEnd` matches from the back, for operators that drop elements from the front.
 */
function retypeArray(array: unknown[], pool: TypedElement[], fromEnd: boolean): void {
  const used = new Array<boolean>(pool.length).fill(false);
  const order = array.map((_, i) => i);
  const candidates = pool.map((_, j) => j);
  if (fromEnd) {
    order.reverse();
    candidates.reverse();
  }
  for (const i of order) {
    const value = array[i];
    const j = typeof value === 'number' ? candidates.find((c) => !used[c] && sameNumber(pool[c]![0], value)) : undefined;
    if (j !== undefined) used[j] = true;
    setNumericType(array, String(i), j !== undefined ? pool[j]![1] : undefined);
  }
}

/** How an array operator lays out old and new elements, for {@link retypeArray}. */
function arrayLayout(op: string, operand: unknown, operandType: NumericType | undefined, before: TypedElement[]): { pool: TypedElement[]; fromEnd: boolean } {
  const modifiers = isPlainObject(operand) && Array.isArray(operand['$each']) ? operand : undefined;
  const added: TypedElement[] = modifiers ? typedElements(modifiers['$each']) : [[operand, operandType]];
  if (op === '$push') {
    const position = typeof modifiers?.['$position'] === 'number' ? modifiers['$position'] : before.length;
    const at = position < 0 ? Math.max(0, before.length + position) : Math.min(position, before.length);
    const slice = modifiers?.['$slice'];
    return { pool: [...before.slice(0, at), ...added, ...before.slice(at)], fromEnd: typeof slice === 'number' && slice < 0 };
  }
  if (op === '$addToSet') return { pool: [...before, ...added], fromEnd: false };
  return { pool: before, fromEnd: op === '$pop' && operand === -1 };
}

const ARRAY_OPERATORS = new Set(['$push', '$addToSet', '$pop', '$pull', '$pullAll']);

/** Operators that do not apply to a value at a path: a condition beginning with one is a query over a document's fields. */
const TOP_LEVEL_QUERY_OPERATORS = new Set(['$and', '$or', '$nor', '$expr', '$where', '$text', '$comment', '$jsonSchema', '$alwaysTrue', '$alwaysFalse']);

/**
 * Whether MongoDB applies a `$pull` condition to each element as a query over the element's
 * fields although the condition names an operator: it does so unless the condition's first
 * field is an operator that applies to a value (`$gt`, `$in`, `$elemMatch`…). mingo would
 * apply it to the element as a value whenever any field is an operator.
 */
function isElementQuery(condition: unknown): boolean {
  if (!isPlainObject(condition)) return false;
  const keys = Object.keys(condition);
  if (!keys.some((key) => key.startsWith('$'))) return false;
  return !keys[0]!.startsWith('$') || TOP_LEVEL_QUERY_OPERATORS.has(keys[0]!);
}

/**
 * `$push`/`$addToSet` on a missing field start from an empty array, so that `$each`
 * modifiers (`$sort`, `$slice`, set semantics) apply to the first values as well.
 */
function startArray(doc: Doc, path: string): void {
  const parts = path.split('.');
  let current: unknown = doc;
  for (const part of parts.slice(0, -1)) {
    if (!isPlainObject(current)) return;
    current = current[part];
    if (current === undefined) break;
  }
  if (current !== undefined && !isPlainObject(current)) return;
  if (valueAtPath(doc, path) === undefined) setAtPath(doc, path, []);
}

/**
 * Applies update operators one path at a time through mingo (MongoDB's own conflict
 * rules were checked by {@link checkUpdate}), then restores the BSON numeric types
 * mingo cannot see: `$set` keeps the operand's type, `$inc`/`$mul` widen
 * int -> long -> double, array operators keep the types of the elements they move.
 */
function applyOperators(doc: Doc, update: Doc, scope: OperatorScope): void {
  const modifier: Doc = { ...update };
  if (scope.inserting && isPlainObject(modifier['$setOnInsert'])) {
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

  // The positional `$` refers to the element the filter matched, before any operator ran.
  const resolved = new Map<string, string>();
  for (const fields of Object.values(modifier)) {
    if (isPlainObject(fields)) for (const path of Object.keys(fields)) resolved.set(path, resolvePositional(doc, path, scope.filter));
  }
  for (const [op, fields] of Object.entries(modifier)) {
    if (!isPlainObject(fields)) continue;
    for (const [written, operand] of Object.entries(fields)) {
      const path = resolved.get(written) ?? written;
      const concrete = !path.includes('$');
      const operandType = numericTypeOf(fields, written);
      let widen: [NumberKind | undefined, NumberKind] | undefined;
      if (op === '$inc' || op === '$mul') {
        if (typeof operand !== 'number' && bsonTypeName(operand) !== 'long' && bsonTypeName(operand) !== 'decimal') {
          throw new CommandError(ErrorCode.TypeMismatch, `Cannot ${op === '$inc' ? 'increment' : 'multiply'} with non-numeric argument: {${written}: ${formatValue(operand)}}`);
        }
        const current = concrete ? valueAtPath(doc, path) : undefined;
        if (current !== undefined && current !== null && numberKindAt(doc, path) === undefined) {
          throw new CommandError(ErrorCode.TypeMismatch, `Cannot apply ${op} to a value of non-numeric type. {_id: ${formatValue(doc['_id'])}} has the field '${path}' of non-numeric type ${bsonTypeName(current)}`);
        }
        if (concrete) widen = [numberKindAt(doc, path), bsonTypeName(operand, fields, written) as NumberKind];
      }
      const renamedType = op === '$rename' && concrete ? numberKindAt(doc, path) : undefined;
      const arrayBefore = ARRAY_OPERATORS.has(op) && concrete ? typedElements(valueAtPath(doc, path)) : undefined;
      if ((op === '$push' || op === '$addToSet') && concrete) startArray(doc, path);
      const options = { cloneMode: 'none', queryOptions: updateOptions(operand, scope.arrayFilters, { idKey: UNGUARDED_ID_KEY }) } as const;
      const given = op === '$pull' && isElementQuery(operand) ? { $__elementQuery: operand } : operand;
      let changed = mingoUpdate(doc, { [op]: { [path]: given } } as never, scope.arrayFilters, undefined, options).length > 0;
      if (op === '$set' && concrete && !changed && !valuesEqual(valueAtPath(doc, path), operand)) {
        // mingo compares class instances by their toString(): two Binary values whose bytes
        // decode to the same UTF-8 replacement text look equal to it, and the $set is skipped.
        setAtPath(doc, path, cloneValue(operand));
        changed = true;
      }
      if (!concrete) continue;
      const [parent, key] = parentAndKey(doc, path);
      if (op === '$set' || ((op === '$min' || op === '$max') && changed)) {
        if (parent) setNumericType(parent, key, operandType);
      } else if (widen && parent) {
        const value = (parent as Record<string, unknown>)[key];
        if (typeof value !== 'number') continue;
        const widest = [widen[0] ?? 'int', widen[1] ?? 'int'].reduce((a, b) => (WIDTH[a] >= WIDTH[b] ? a : b));
        const kind = widest === 'int' && !(Number.isInteger(value) && Math.abs(value) <= 2147483647) ? 'long' : widest;
        setNumericType(parent, key, kind === 'double' ? 'double' : kind === 'long' ? 'long' : undefined);
      } else if (op === '$rename' && changed && typeof operand === 'string') {
        const [target, targetKey] = parentAndKey(doc, operand);
        if (target) setNumericType(target, targetKey, renamedType === 'double' || renamedType === 'long' ? renamedType : undefined);
      } else if (arrayBefore) {
        const array = valueAtPath(doc, path);
        if (!Array.isArray(array)) continue;
        const { pool, fromEnd } = arrayLayout(op, operand, operandType, arrayBefore);
        retypeArray(array, pool, fromEnd);
      }
    }
  }
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

/** Whether an update left a document byte-for-byte as it was (MongoDB's no-op test, types included). */
function sameBson(a: Doc, b: Doc): boolean {
  return Buffer.from(BSON.serialize(demote(a) as Doc)).equals(BSON.serialize(demote(b) as Doc));
}

/**
 * Applies an update (operators, replacement or pipeline) to a copy of `doc`.
 * Returns the new document and whether anything changed. `filter` is the statement's
 * filter, which the positional `$` operator refers to.
 */
export function applyUpdate(doc: Doc, update: UpdateSpec, options: { arrayFilters?: Doc[]; filter?: Doc; variables?: Doc | undefined } = {}): { doc: Doc; changed: boolean } {
  if (isPipelineUpdate(update)) {
    const [result] = createAggregator(update, mingoOptions(options.variables ? { variables: options.variables } : {})).run([cloneValue(doc)]) as Doc[];
    const next = result ?? {};
    if (!('_id' in next)) next['_id'] = doc['_id'];
    checkIdUnchanged(doc, next);
    return { doc: next, changed: !valuesEqual(next, doc) };
  }
  if (isReplacement(update)) {
    if ('_id' in update) checkIdUnchanged(doc, { ...doc, _id: update['_id'] });
    const next = replaceDocument(doc, update);
    return { doc: next, changed: !valuesEqual(next, doc) };
  }
  const next = cloneValue(doc);
  applyOperators(next, update, { arrayFilters: options.arrayFilters, filter: options.filter ?? {}, inserting: false });
  checkIdUnchanged(doc, next);
  return { doc: next, changed: !sameBson(next, doc) };
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
 * (with `$setOnInsert`), `_id` first and generated when neither supplies one. The update
 * may set `_id` unless the filter already fixed it to another value.
 */
export function buildUpsertDocument(filter: Doc, update: UpdateSpec, arrayFilters?: Doc[], variables?: Doc): Doc {
  const base: Doc = {};
  equalityFields(filter, base);
  let doc: Doc;
  if (!isPipelineUpdate(update) && isReplacement(update)) {
    doc = cloneValue(update);
    if (!('_id' in doc) && '_id' in base) doc = { _id: base['_id'], ...doc };
  } else if (isPipelineUpdate(update)) {
    doc = (createAggregator(update, mingoOptions(variables ? { variables } : {})).run([cloneValue(base)]) as Doc[])[0] ?? base;
  } else {
    doc = cloneValue(base);
    applyOperators(doc, update, { arrayFilters, filter, inserting: true });
    if ('_id' in base) checkIdUnchanged(base, doc);
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
