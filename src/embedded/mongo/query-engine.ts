import { Context, Query } from 'mingo';
import type { Options } from 'mingo/types';
import { compareValues, isPlainObject, numericTypeOf, setNumericType, typeRank, type Doc } from './bson-values.js';
import { valueAtPath } from './document-paths.js';
import { CommandError, ErrorCode, errors } from './errors.js';
import { compileRegion, geoPointOf, parseNear, withinNearBounds, type NearQuery } from './geo.js';
import { compileJsonSchema } from './json-schema-validator.js';

/** The collation subset honoured: locale and strength (1-2 compare case-insensitively). */
export interface Collation {
  readonly locale?: string;
  readonly strength?: number;
}

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

/** Query operators mingo lacks, added to its default set. */
const context = Context.init().addQueryOps({
  $geoWithin: geoWithin as never,
  $geoIntersects: geoIntersects as never,
  $near: unsupportedNear as never,
  $nearSphere: unsupportedNear as never,
});

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

/** Rewrites string equalities as case-insensitive matches for collation strength 1-2. */
function applyCollation(filter: unknown, collation: Collation | undefined): unknown {
  if (!collation || (collation.strength ?? 3) > 2) return filter;
  const fold = (value: unknown): unknown => (typeof value === 'string' ? new RegExp(`^${escapeRegExp(value)}$`, 'i') : value);
  const rewrite = (node: unknown, inField: boolean): unknown => {
    if (Array.isArray(node)) return node.map((n) => rewrite(n, false));
    if (!isPlainObject(node)) return inField ? fold(node) : node;
    const out: Doc = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === '$and' || key === '$or' || key === '$nor') out[key] = rewrite(value, false);
      else if (key === '$eq') out[key] = fold(value);
      else if (key === '$in' || key === '$nin') out[key] = Array.isArray(value) ? value.map(fold) : value;
      else if (key === '$ne') out['$not'] = { $eq: fold(value) };
      else if (key.startsWith('$')) out[key] = value;
      else out[key] = isPlainObject(value) && Object.keys(value).some((k) => k.startsWith('$')) ? rewrite(value, true) : fold(value);
    }
    return out;
  };
  return rewrite(filter, false);
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
export function compileFilter(filter: Doc, options: { collation?: Collation; textFields?: readonly string[] } = {}): CompiledFilter {
  const { filter: withoutNear, near } = extractNear(filter);
  let textTest: ((doc: Doc) => boolean) | undefined;
  let mingoFilter: Doc = withoutNear;
  if ('$text' in withoutNear) {
    const { $text, ...rest } = withoutNear;
    textTest = compileText($text, options.textFields ?? []);
    mingoFilter = rest;
  }
  const query = new Query(applyCollation(mingoFilter, options.collation) as Doc, mingoOptions());
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

function sortKey(doc: Doc, path: string, descending: boolean): unknown {
  const value = valueAtPath(doc, path) ?? resolveThroughArrays(doc, path);
  if (!Array.isArray(value)) return value;
  // An array sorts by its smallest element ascending, its largest descending.
  if (value.length === 0) return undefined;
  let best = value[0];
  for (const item of value) {
    const c = compareValues(item, best);
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
export function compileSort(sort: Doc | undefined, collation?: Collation): ((a: Doc, b: Doc) => number) | undefined {
  if (!sort || Object.keys(sort).length === 0) return undefined;
  const strength = collation?.strength ?? 3;
  const collator = collation?.locale && collation.locale !== 'simple'
    ? new Intl.Collator(collation.locale, { sensitivity: strength === 1 ? 'base' : strength === 2 ? 'accent' : 'variant' })
    : undefined;
  const keys = Object.entries(sort).map(([path, direction]) => {
    if (isPlainObject(direction)) return { path, direction: -1, meta: true };
    if (direction !== 1 && direction !== -1) throw errors.badValue(`$sort key ordering must be 1 (for ascending) or -1 (for descending)`);
    return { path, direction, meta: false };
  });
  return (a, b) => {
    for (const { path, direction, meta } of keys) {
      if (meta) continue;
      const x = sortKey(a, path, direction < 0);
      const y = sortKey(b, path, direction < 0);
      const c = collator && typeof x === 'string' && typeof y === 'string' ? collator.compare(x, y) : compareValues(x, y);
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
    const query = new Query(filter ?? {}, mingoOptions());
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
