import { Context } from 'mingo/core';
import { Query } from 'mingo/query';
import { Aggregator as BaseAggregator } from 'mingo/aggregator';
import * as accumulatorOperators from 'mingo/operators/accumulator';
import * as expressionOperators from 'mingo/operators/expression';
import * as pipelineOperators from 'mingo/operators/pipeline';
import * as projectionOperators from 'mingo/operators/projection';
import * as queryOperators from 'mingo/operators/query';
import * as windowOperators from 'mingo/operators/window';
import type { Options } from 'mingo/types';
import { EXPRESSION_OPERATORS } from './expression-operators.js';
import { bsonTypeName, compareValues, isPlainObject, numericTypeOf, setNumericType, typeRank, type Doc } from './bson-values.js';
import { valueAtPath, valuesAtPath } from './document-paths.js';
import { collatedComparator, isCollated, type Collation } from './collation.js';
import { CommandError, ErrorCode, errors } from './errors.js';
import { compileRegion, geoPointOf, parseNear, withinNearBounds, type NearQuery } from './geo.js';
import { compileJsonSchema } from './json-schema-validator.js';

export type { Collation } from './collation.js';

type QueryOperator = (selector: string, value: unknown, options: Options) => (obj: Doc) => boolean;

const geoWithin: QueryOperator = (selector, value) => {
  const test = compileRegion(value);
  return (obj) => {
    const point = geoPointOf(valueAtPath(obj, selector));
    return !!point && test(point);
  };
};

const geoIntersects: QueryOperator = (selector, value) => {
  const test = compileRegion(value);
  return (obj) => {
    const point = geoPointOf(valueAtPath(obj, selector));
    return !!point && test(point);
  };
};

const unsupportedNear: QueryOperator = () => {
  throw errors.badValue('$near/$nearSphere is only allowed at the top level of a find filter');
};

const registeredCollations = new Map<string, Collation>();

function collationId(collation: Collation): string {
  const id = JSON.stringify(collation);
  if (!registeredCollations.has(id)) registeredCollations.set(id, collation);
  return id;
}

/** A collated comparison operator: `{ v: operand, c: collation id }`, strings compared under the collation. */
function collatedOp(test: (order: number) => boolean): QueryOperator {
  return (selector, operand) => {
    const { v, c } = operand as { v: unknown; c: string };
    const compare = collatedComparator(registeredCollations.get(c));
    return (obj) => {
      const values = valuesAtPath(obj, selector);
      return values.some((value) => typeof value === 'string' && typeof v === 'string' && test(compare(value, v)));
    };
  };
}

/** `$in` under a collation: string members compare under it, the others as `$in` does. */
const collatedIn: QueryOperator = (selector, operand) => {
  const { v, c } = operand as { v: unknown[]; c: string };
  const compare = collatedComparator(registeredCollations.get(c));
  return (obj) => {
    const values = valuesAtPath(obj, selector);
    const whole = valueAtPath(obj, selector);
    return v.some((member) => {
      if (member === null) return values.length === 0 || values.some((x) => x === null || x === undefined);
      if (member instanceof RegExp) return values.some((x) => typeof x === 'string' && member.test(x));
      if (typeof member === 'string') return values.some((x) => typeof x === 'string' && compare(x, member) === 0);
      return [...values, whole].some((x) => x !== undefined && typeRank(x) === typeRank(member) && compare(x, member) === 0);
    });
  };
};

const TYPE_CODES: Readonly<Record<number, string>> = {
  1: 'double', 2: 'string', 3: 'object', 4: 'array', 5: 'binData', 6: 'undefined', 7: 'objectId', 8: 'bool', 9: 'date',
  10: 'null', 11: 'regex', 12: 'dbPointer', 13: 'javascript', 14: 'symbol', 16: 'int', 17: 'timestamp', 18: 'long', 19: 'decimal',
  [-1]: 'minKey', 127: 'maxKey',
};
const NUMBER_TYPES = new Set(['double', 'int', 'long', 'decimal']);

/** Every value a path reaches with the object or array holding it (array elements included). */
function reach(value: unknown, parts: readonly string[], index: number, container: object | undefined, key: string | undefined, out: Array<[unknown, object | undefined, string | undefined]>): void {
  if (index === parts.length) {
    out.push([value, container, key]);
    if (Array.isArray(value)) value.forEach((item, i) => out.push([item, value, String(i)]));
    return;
  }
  const part = parts[index]!;
  if (Array.isArray(value)) {
    if (/^\d+$/.test(part)) reach(value[Number(part)], parts, index + 1, value, part, out);
    for (const item of value) if (isPlainObject(item)) reach(item, parts, index, undefined, undefined, out);
    return;
  }
  if (isPlainObject(value) && part in value) reach(value[part], parts, index + 1, value, part, out);
}

/**
 * `$type` as MongoDB matches it: by BSON type (a Double holding 1.0 is a double, not an
 * int), with array elements matching too and `'number'` meaning any numeric type.
 */
const bsonType: QueryOperator = (selector, operand) => {
  const wanted = (Array.isArray(operand) ? operand : [operand]).map((t) => {
    const name = typeof t === 'number' ? TYPE_CODES[t] : t;
    if (typeof name !== 'string') throw errors.badValue(`Invalid numerical type code: ${String(t)}`);
    return name;
  });
  const parts = selector.split('.');
  return (obj) => {
    const found: Array<[unknown, object | undefined, string | undefined]> = [];
    reach(obj, parts, 0, undefined, undefined, found);
    return found.some(([value, container, key]) => {
      if (value === undefined) return false;
      const type = bsonTypeName(value, container, key);
      return wanted.some((w) => w === type || (w === 'number' && NUMBER_TYPES.has(type)));
    });
  };
};

/** `$gte`/`$lte` null match null and missing fields, as `{ $eq: null }` does in MongoDB. */
function nullRange(inclusive: boolean): QueryOperator {
  return (selector) => {
    const parts = selector.split('.');
    return (obj) => {
      if (!inclusive) return false;
      const found: Array<[unknown, object | undefined, string | undefined]> = [];
      reach(obj, parts, 0, undefined, undefined, found);
      return found.length === 0 || found.some(([value]) => value === null || value === undefined);
    };
  };
}

/**
 * `{ k: { $__elementQuery: condition } }`: the value at `k` is a document that `condition`
 * matches as a query over its own fields. A `$pull` condition that MongoDB applies to each
 * element as a query (one that does not begin with an operator such as `$gt` or `$in`, say
 * `{ $or: [...] }`) is handed to mingo in this form, which would otherwise apply `$or` to the
 * element as a field operator.
 */
const elementQuery: QueryOperator = (selector, value, options) => {
  const query = new Query(value as Doc, options);
  return (obj) => {
    const element = obj[selector];
    return isPlainObject(element) && query.test(element);
  };
};

/** Query operators mingo lacks, added to its default set. */
const addedQueryOperators = {
  $__elementQuery: elementQuery as never,
  $__bsonType: bsonType as never,
  $__nullGte: nullRange(true) as never,
  $__nullGt: nullRange(false) as never,
  $__collatedEq: collatedOp((c) => c === 0) as never,
  $__collatedGt: collatedOp((c) => c > 0) as never,
  $__collatedGte: collatedOp((c) => c >= 0) as never,
  $__collatedLt: collatedOp((c) => c < 0) as never,
  $__collatedLte: collatedOp((c) => c <= 0) as never,
  $__collatedIn: collatedIn as never,
  $geoWithin: geoWithin as never,
  $geoIntersects: geoIntersects as never,
  $near: unsupportedNear as never,
  $nearSphere: unsupportedNear as never,
};

/**
 * Every operator the embedded server evaluates: mingo's, the query operators above, and
 * expression operators that replace mingo's where its semantics differ from MongoDB's (see
 * `expression-operators.ts`). Queries and aggregations are built from mingo's base classes with
 * this context: its package-root classes would merge their defaults over it on every query,
 * which both costs a copy of every operator and lets mingo's own operators win over the
 * replacements.
 */
const context = Context.init({
  accumulator: accumulatorOperators as never,
  expression: { ...expressionOperators, ...EXPRESSION_OPERATORS } as never,
  pipeline: pipelineOperators as never,
  projection: projectionOperators as never,
  query: { ...queryOperators, ...addedQueryOperators } as never,
  window: windowOperators as never,
});

/**
 * The options a `Query` keeps, built once: mingo copies every operator table of the context
 * into a fresh context for each `Query` built from plain options, but takes a `Query`'s own
 * options object as it is. A private query operator hands that object out.
 */
let sharedQueryOptions: Partial<Options> | undefined;
function captureQueryOptions(): Partial<Options> {
  let captured: Partial<Options> | undefined;
  const handOut = (_selector: string, _value: unknown, options: Options) => {
    // Only the query below may use it: in a client's filter it is as unknown as in MongoDB's.
    if (captured) throw new Error('unknown query operator $__options');
    captured = options;
    return () => true;
  };
  new Query({ _: { $__options: true } }, mingoOptions({ context: Context.from(context, Context.init({ query: { $__options: handOut as never } })) }));
  if (!captured) throw new Error('mingo did not pass its query options to a query operator');
  return captured;
}

/**
 * Options for a `Query` over this server's operators, without variables: the same object each
 * time, which `Query` takes without copying the operator tables.
 */
export function queryOptions(): Partial<Options> {
  sharedQueryOptions ??= captureQueryOptions();
  return sharedQueryOptions;
}

/**
 * Only the query operators, for mingo's updater: it copies the context it is given for every
 * update (and each operator and field is one update here), and the classic update operators
 * consult the context only for the conditions of `$pull` and of array filters. Those reach
 * expression operators only through `$expr`, for which the whole context is passed instead.
 */
const updateContext = Context.init({ query: { ...queryOperators, ...addedQueryOperators } as never });

/** Options for mingo's updater applying `operand` with `arrayFilters`: the small context unless an `$expr` appears in either. */
export function updateOptions(operand: unknown, arrayFilters: readonly Doc[] | undefined, extra: Partial<Options> = {}): Partial<Options> {
  const needsExpressions = mentionsExpr(operand) || (arrayFilters ?? []).some(mentionsExpr);
  return mingoOptions({ ...extra, ...(needsExpressions ? {} : { context: updateContext }) });
}

function mentionsExpr(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(mentionsExpr);
  if (!isPlainObject(value)) return false;
  for (const key of Object.keys(value)) if (key === '$expr' || key === '$where' || mentionsExpr(value[key])) return true;
  return false;
}

/** An aggregation over this server's operators (mingo's, with the replacements above taking precedence). */
export function createAggregator(pipeline: Doc[], options: Partial<Options>): BaseAggregator {
  return new BaseAggregator(pipeline, { ...options, context });
}

/** mingo options shared by queries, aggregations and updates. */
export function mingoOptions(extra: Partial<Options> = {}): Partial<Options> {
  return {
    context,
    jsonSchemaValidator: (schema) => {
      const validate = compileJsonSchema(schema as Doc);
      return (doc) => validate(doc as Doc) === undefined;
    },
    ...extra,
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const COLLATED_RANGE: Readonly<Record<string, string>> = { $gt: '$__collatedGt', $gte: '$__collatedGte', $lt: '$__collatedLt', $lte: '$__collatedLte' };

/**
 * Rewrites a filter so string comparisons (equality, `$ne`, `$in`, `$nin`, ranges, also
 * inside `$and`/`$or`/`$nor`/`$not`/`$elemMatch`) follow the collation. Non-string operands
 * and `$expr` keep their binary semantics.
 */
export function applyCollation(filter: Doc, collation: Collation | undefined): Doc {
  if (!isCollated(collation)) return filter;
  const c = collationId(collation);
  const eq = (value: unknown): unknown => (typeof value === 'string' ? { $__collatedEq: { v: value, c } } : { $eq: value });
  const hasString = (list: unknown) => Array.isArray(list) && list.some((v) => typeof v === 'string');
  const field = (condition: unknown): unknown => {
    if (!isPlainObject(condition) || !Object.keys(condition).some((k) => k.startsWith('$'))) return typeof condition === 'string' ? eq(condition) : condition;
    const out: Doc = {};
    const and: Doc[] = [];
    for (const [op, operand] of Object.entries(condition)) {
      if (op === '$eq' && typeof operand === 'string') and.push(eq(operand) as Doc);
      else if (op === '$ne' && typeof operand === 'string') and.push({ $not: eq(operand) });
      else if (op === '$in' && hasString(operand)) and.push({ $__collatedIn: { v: operand, c } });
      else if (op === '$nin' && hasString(operand)) and.push({ $not: { $__collatedIn: { v: operand, c } } });
      else if (COLLATED_RANGE[op] && typeof operand === 'string') and.push({ [COLLATED_RANGE[op]!]: { v: operand, c } });
      else if (op === '$not' && isPlainObject(operand)) out['$not'] = field(operand);
      else if (op === '$elemMatch' && isPlainObject(operand)) {
        out[op] = Object.keys(operand).some((k) => k.startsWith('$') && !['$and', '$or', '$nor'].includes(k)) ? field(operand) : rewrite(operand);
      } else out[op] = operand;
    }
    if (and.length === 0) return out;
    // One operator object per clause: several collated clauses on one field stay separate.
    const parts = [...(Object.keys(out).length ? [out] : []), ...and];
    return parts.length === 1 ? parts[0] : { $__all: parts };
  };
  const rewrite = (node: Doc): Doc => {
    const out: Doc = {};
    const extra: Doc[] = [];
    for (const [key, value] of Object.entries(node)) {
      if ((key === '$and' || key === '$or' || key === '$nor') && Array.isArray(value)) out[key] = value.map((clause) => (isPlainObject(clause) ? rewrite(clause) : clause));
      else if (key.startsWith('$')) out[key] = value;
      else {
        const rewritten = field(value);
        if (isPlainObject(rewritten) && '$__all' in rewritten) for (const part of rewritten['$__all'] as Doc[]) extra.push({ [key]: part });
        else out[key] = rewritten;
      }
    }
    return extra.length ? { $and: [out, ...extra] } : out;
  };
  return rewrite(filter);
}

const NULL_RANGES: Readonly<Record<string, string>> = { $gte: '$__nullGte', $lte: '$__nullGte', $gt: '$__nullGt', $lt: '$__nullGt' };

/**
 * Rewrites what mingo compares differently from MongoDB: range comparisons with `null`
 * (`$gte: null` matches null and missing, `$gt: null` nothing) and `$type` (BSON types).
 */
function rewriteNullRanges(filter: Doc): Doc {
  let changed = false;
  const field = (condition: unknown): unknown => {
    if (!isPlainObject(condition)) return condition;
    let out: Doc | undefined;
    for (const [op, operand] of Object.entries(condition)) {
      let next: unknown = operand;
      if (operand === null && NULL_RANGES[op]) next = undefined;
      else if (op === '$type') next = undefined;
      else if ((op === '$not' || op === '$elemMatch') && isPlainObject(operand)) next = op === '$elemMatch' && !Object.keys(operand).some((k) => k.startsWith('$')) ? node(operand) : field(operand);
      if (next !== operand) {
        out ??= { ...condition };
        if (next === undefined) {
          delete out[op];
          if (op === '$type') out['$__bsonType'] = operand;
          else out[NULL_RANGES[op]!] = true;
        } else out[op] = next;
      }
    }
    if (out) changed = true;
    return out ?? condition;
  };
  const node = (doc: Doc): Doc => {
    const out: Doc = {};
    for (const [key, value] of Object.entries(doc)) {
      if ((key === '$and' || key === '$or' || key === '$nor') && Array.isArray(value)) out[key] = value.map((c) => (isPlainObject(c) ? node(c) : c));
      else if (key.startsWith('$')) out[key] = value;
      else out[key] = isPlainObject(value) && Object.keys(value).some((k) => k.startsWith('$')) ? field(value) : value;
    }
    return out;
  };
  const result = node(filter);
  return changed ? result : filter;
}

/** A `$near`/`$nearSphere` clause lifted out of a filter. */
export interface NearClause {
  readonly field: string;
  readonly near: NearQuery;
}

/** Lifts the top-level `$near`/`$nearSphere` clause out of a filter (MongoDB allows one). */
export function extractNear(filter: Doc): { filter: Doc; near?: NearClause } {
  let found: NearClause | undefined;
  const rest: Doc = {};
  for (const [key, value] of Object.entries(filter)) {
    if (!key.startsWith('$') && isPlainObject(value) && ('$near' in value || '$nearSphere' in value)) {
      if (found) throw errors.badValue('Too many geoNear expressions');
      const spherical = '$nearSphere' in value;
      const { $near, $nearSphere, $minDistance, $maxDistance, ...others } = value;
      found = { field: key, near: parseNear(spherical ? $nearSphere : $near, { $minDistance, $maxDistance }, spherical) };
      if (Object.keys(others).length > 0) rest[key] = others;
    } else {
      rest[key] = value;
    }
  }
  return found ? { filter: rest, near: found } : { filter: rest };
}

/** Compiles a `$text` clause into a predicate over the text-indexed fields. */
function compileText(spec: unknown, textFields: readonly string[]): (doc: Doc) => boolean {
  if (!isPlainObject(spec) || typeof spec['$search'] !== 'string') throw errors.badValue('$text requires $search');
  if (textFields.length === 0) throw new CommandError(ErrorCode.IndexNotFound, 'text index required for $text query');
  const terms = spec['$search'].toLowerCase().split(/\s+/).filter(Boolean);
  return (doc) => {
    const text = textFields
      .map((field) => valueAtPath(doc, field))
      .flat()
      .filter((v): v is string => typeof v === 'string')
      .join(' ')
      .toLowerCase();
    const words = new Set(text.split(/[^\p{L}\p{N}]+/u));
    return terms.some((term) => words.has(term));
  };
}

/** A compiled filter: the predicate plus any `$near` ordering. */
export interface CompiledFilter {
  readonly test: (doc: Doc) => boolean;
  readonly near?: NearClause;
  readonly filter: Doc;
}

/** Compiles a MongoDB filter (mingo plus geo, `$text` and collation handling). */
export function compileFilter(filter: Doc, options: { collation?: Collation | undefined; textFields?: readonly string[]; variables?: Doc | undefined } = {}): CompiledFilter {
  const { filter: withoutNear, near } = extractNear(filter);
  let textTest: ((doc: Doc) => boolean) | undefined;
  let mingoFilter: Doc = withoutNear;
  if ('$text' in withoutNear) {
    const { $text, ...rest } = withoutNear;
    textTest = compileText($text, options.textFields ?? []);
    mingoFilter = rest;
  }
  const query = new Query(applyCollation(rewriteNullRanges(mingoFilter), options.collation), options.variables ? mingoOptions({ variables: options.variables }) : queryOptions());
  const base = (doc: Doc) => query.test(doc);
  const nearTest = near
    ? (doc: Doc) => {
        const point = geoPointOf(valueAtPath(doc, near.field));
        return !!point && withinNearBounds(near.near, near.near.distance(point));
      }
    : undefined;
  const test = (doc: Doc) => (!nearTest || nearTest(doc)) && (!textTest || textTest(doc)) && base(doc);
  return near ? { test, near, filter: mingoFilter } : { test, filter: mingoFilter };
}

function sortKey(doc: Doc, path: string, descending: boolean, compare: (a: unknown, b: unknown) => number): unknown {
  const value = valueAtPath(doc, path) ?? resolveThroughArrays(doc, path);
  if (!Array.isArray(value)) return value;
  // An array sorts by its smallest element ascending, its largest descending.
  if (value.length === 0) return undefined;
  let best = value[0];
  for (const item of value) {
    const c = compare(item, best);
    if (descending ? c > 0 : c < 0) best = item;
  }
  return best;
}

function resolveThroughArrays(doc: Doc, path: string): unknown {
  const [head, ...rest] = path.split('.');
  const value = doc[head!];
  if (rest.length === 0) return value;
  if (Array.isArray(value)) {
    const found = value.map((item) => (isPlainObject(item) ? resolveThroughArrays(item, rest.join('.')) : undefined)).filter((v) => v !== undefined);
    return found.length ? found.flat() : undefined;
  }
  return isPlainObject(value) ? resolveThroughArrays(value, rest.join('.')) : undefined;
}

/** A comparator for a `sort` document in BSON order (collation-aware for strings). */
export function compileSort(sort: Doc | undefined, collation?: Collation | undefined): ((a: Doc, b: Doc) => number) | undefined {
  if (!sort || Object.keys(sort).length === 0) return undefined;
  const compare = collatedComparator(collation);
  const keys = Object.entries(sort).map(([path, direction]) => {
    if (isPlainObject(direction)) return { path, direction: -1, meta: true };
    if (direction !== 1 && direction !== -1) throw errors.badValue(`$sort key ordering must be 1 (for ascending) or -1 (for descending)`);
    return { path, direction, meta: false };
  });
  return (a, b) => {
    for (const { path, direction, meta } of keys) {
      if (meta) continue;
      const x = sortKey(a, path, direction < 0, compare);
      const y = sortKey(b, path, direction < 0, compare);
      const c = compare(x, y);
      if (c !== 0) return c * direction;
    }
    return 0;
  };
}

function isSimpleProjection(projection: Doc): boolean {
  return Object.entries(projection).every(
    ([key, value]) => !key.startsWith('$') && !key.endsWith('.$') && (typeof value === 'number' || typeof value === 'boolean'),
  );
}

function include(source: Doc, tree: Doc, out: Doc): void {
  for (const key of Object.keys(source)) {
    const rule = tree[key];
    if (rule === undefined) continue;
    const value = source[key];
    if (rule === true) {
      out[key] = value;
      setNumericType(out, key, numericTypeOf(source, key));
    } else if (isPlainObject(value)) {
      const sub: Doc = {};
      include(value, rule as Doc, sub);
      out[key] = sub;
    } else if (Array.isArray(value)) {
      out[key] = value.filter(isPlainObject).map((item) => {
        const sub: Doc = {};
        include(item, rule as Doc, sub);
        return sub;
      });
    }
  }
}

function exclude(source: Doc, tree: Doc): Doc {
  const out: Doc = {};
  for (const key of Object.keys(source)) {
    const rule = tree[key];
    const value = source[key];
    if (rule === true) continue;
    if (rule && isPlainObject(value)) out[key] = exclude(value, rule as Doc);
    else if (rule && Array.isArray(value)) out[key] = value.map((item) => (isPlainObject(item) ? exclude(item, rule as Doc) : item));
    else {
      out[key] = value;
      setNumericType(out, key, numericTypeOf(source, key));
    }
  }
  return out;
}

function pathTree(paths: string[]): Doc {
  const tree: Doc = {};
  for (const path of paths) {
    const parts = path.split('.');
    let node = tree;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) node[part] = true;
      else {
        if (!isPlainObject(node[part])) node[part] = {};
        node = node[part] as Doc;
      }
    });
  }
  return tree;
}

/**
 * Compiles a find projection. Inclusion/exclusion projections keep field order and
 * numeric types; projections with operators (`$slice`, `$elemMatch`, expressions)
 * are delegated to mingo.
 */
export function compileProjection(projection: Doc | undefined, filter?: Doc): ((doc: Doc) => Doc) | undefined {
  if (!projection || Object.keys(projection).length === 0) return undefined;
  if (!isSimpleProjection(projection)) {
    const query = new Query(filter ?? {}, queryOptions());
    return (doc) => (query.find([doc], projection).next() as Doc | undefined) ?? {};
  }
  const entries = Object.entries(projection).map(([k, v]) => [k, Boolean(v)] as const);
  const idRule = entries.find(([k]) => k === '_id');
  const others = entries.filter(([k]) => k !== '_id');
  const inclusive = others.length > 0 ? others[0]![1] : !(idRule && !idRule[1]) && false;
  if (others.some(([, v]) => v !== inclusive)) {
    throw errors.badValue('Cannot do exclusion on field in inclusion projection');
  }
  if (inclusive) {
    const tree = pathTree(others.map(([k]) => k));
    if (!idRule || idRule[1]) tree['_id'] = true;
    return (doc) => {
      const out: Doc = {};
      include(doc, tree, out);
      return out;
    };
  }
  const excluded = others.map(([k]) => k);
  if (idRule && !idRule[1]) excluded.push('_id');
  const tree = pathTree(excluded);
  return (doc) => exclude(doc, tree);
}

/** Whether two values are equal in BSON comparison terms (1 == 1.0, same ObjectId, ...). */
export function valuesEqual(a: unknown, b: unknown): boolean {
  return typeRank(a) === typeRank(b) && compareValues(a, b) === 0;
}
