import { BSONRegExp } from 'mongodb';
import { isPlainObject, TypeBoundary, typeRank, type Doc } from './bson-values.js';
import type { CollectionStore } from './collection-store.js';
import { errors } from './errors.js';
import type { CollectionIndex, IndexBounds, Interval } from './index-manager.js';

/** How a query reads a collection: an index scan with bounds, or a collection scan. */
export interface QueryPlan {
  readonly index?: CollectionIndex;
  readonly bounds?: IndexBounds;
  /** Estimated index entries visited (for choosing between indexes). */
  readonly estimate?: number;
}

interface Range {
  lo: unknown;
  loInclusive: boolean;
  hi: unknown;
  hiInclusive: boolean;
}

interface FieldCondition {
  points?: unknown[];
  interval?: Range;
}

function isOperatorObject(value: unknown): value is Doc {
  return isPlainObject(value) && Object.keys(value).length > 0 && Object.keys(value).every((k) => k.startsWith('$'));
}

function indexable(value: unknown, stringsUsable: boolean): boolean {
  if (value instanceof RegExp || Array.isArray(value)) return false;
  if (typeof value === 'string' && !stringsUsable) return false;
  return !(isPlainObject(value) && Object.keys(value).some((k) => k.startsWith('$')));
}

const REGEX_SYNTAX = new Set([...'.*+?()[]{}|^$\\']);

/**
 * The literal prefix of a regex anchored at `^` (`/^sinav \(/` -> `sinav (`), or
 * `undefined` when it has none or could match elsewhere (alternation, flags `i`/`m`/`x`).
 */
export function regexPrefix(pattern: string, flags: string): string | undefined {
  if (!pattern.startsWith('^') || pattern.includes('|') || /[imx]/.test(flags)) return undefined;
  let prefix = '';
  for (let i = 1; i < pattern.length; i++) {
    let char = pattern[i]!;
    if (char === '\\') {
      const next = pattern[i + 1];
      if (next === undefined || /[0-9A-Za-z]/.test(next)) break; // a class (\d, \w) or a back reference
      char = next;
      i += 1;
    } else if (REGEX_SYNTAX.has(char)) {
      // A quantifier makes the character before it optional.
      if (char === '?' || char === '*' || char === '{') prefix = prefix.slice(0, -1);
      break;
    }
    prefix += char;
  }
  return prefix === '' ? undefined : prefix;
}

const STRING_RANK = typeRank('');

/**
 * The strings a regex can match, as MongoDB bounds them: `[prefix, prefix with its last
 * character incremented)` for an anchored literal prefix, every string otherwise.
 */
function regexInterval(prefix: string | undefined): Range {
  const everyString: Range = { lo: new TypeBoundary(STRING_RANK, false), loInclusive: true, hi: new TypeBoundary(STRING_RANK, true), hiInclusive: false };
  if (prefix === undefined) return everyString;
  const last = prefix.charCodeAt(prefix.length - 1);
  if (last === 0xffff) return { ...everyString, lo: prefix };
  return { lo: prefix, loInclusive: true, hi: prefix.slice(0, -1) + String.fromCharCode(last + 1), hiInclusive: false };
}

function regexOf(value: unknown, options: unknown): { pattern: string; flags: string } | undefined {
  if (value instanceof RegExp) return { pattern: value.source, flags: value.flags + (typeof options === 'string' ? options : '') };
  if (value instanceof BSONRegExp) return { pattern: value.pattern, flags: value.options + (typeof options === 'string' ? options : '') };
  if (typeof value === 'string') return { pattern: value, flags: typeof options === 'string' ? options : '' };
  return undefined;
}

function addRegex(condition: FieldCondition, regex: { pattern: string; flags: string } | undefined): void {
  if (regex && !condition.points) condition.interval ??= regexInterval(regexPrefix(regex.pattern, regex.flags));
}

function addCondition(conditions: Map<string, FieldCondition>, field: string, value: unknown, stringsUsable: boolean): void {
  const condition = conditions.get(field) ?? {};
  if (!isOperatorObject(value)) {
    if (indexable(value, stringsUsable)) condition.points = [value];
    else if (stringsUsable && (value instanceof RegExp || value instanceof BSONRegExp)) addRegex(condition, regexOf(value, undefined));
  } else {
    if ('$regex' in value && stringsUsable) addRegex(condition, regexOf(value['$regex'], value['$options']));
    for (const [op, operand] of Object.entries(value)) {
      if (op === '$eq' && indexable(operand, stringsUsable)) condition.points = [operand];
      else if (op === '$in' && Array.isArray(operand) && operand.every((v) => indexable(v, stringsUsable))) condition.points ??= operand;
      else if ((op === '$gt' || op === '$gte' || op === '$lt' || op === '$lte') && indexable(operand, stringsUsable) && operand !== null) {
        const rank = typeRank(operand);
        const current = condition.interval ?? { lo: new TypeBoundary(rank, false), loInclusive: true, hi: new TypeBoundary(rank, true), hiInclusive: true };
        if (op === '$gt' || op === '$gte') condition.interval = { ...current, lo: operand, loInclusive: op === '$gte' };
        else condition.interval = { ...current, hi: operand, hiInclusive: op === '$lte' };
      }
    }
  }
  if (condition.points || condition.interval) conditions.set(field, condition);
}

function collectConditions(filter: Doc, conditions: Map<string, FieldCondition>, stringsUsable: boolean): void {
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' && Array.isArray(value)) {
      for (const clause of value) if (isPlainObject(clause)) collectConditions(clause, conditions, stringsUsable);
    } else if (!key.startsWith('$')) {
      addCondition(conditions, key, value, stringsUsable);
    }
  }
}

function boundsFor(index: CollectionIndex, conditions: Map<string, FieldCondition>): IndexBounds | undefined {
  if (index.kind !== 'btree' || index.spec.partialFilterExpression) return undefined;
  const points: unknown[][] = [];
  let range: Interval[] | undefined;
  for (const field of index.fields) {
    const condition = conditions.get(field);
    if (!condition) break;
    if (condition.points) {
      if (index.spec.sparse && condition.points.some((p) => p === null)) return undefined;
      points.push(condition.points);
      continue;
    }
    if (condition.interval) range = [condition.interval];
    break;
  }
  if (points.length === 0 && !range) return undefined;
  return range ? { points, range } : { points };
}

function findHintedIndex(coll: CollectionStore, hint: unknown): CollectionIndex | undefined {
  if (typeof hint === 'string') return coll.indexes.get(hint);
  if (isPlainObject(hint)) {
    const wanted = JSON.stringify(hint);
    return [...coll.indexes.values()].find((index) => JSON.stringify(index.spec.key) === wanted);
  }
  return undefined;
}

/**
 * Chooses how to answer a filter: the usable index whose bounds visit the fewest
 * entries (counted in O(log n)), or a collection scan when none applies.
 */
export function planQuery(coll: CollectionStore, filter: Doc, options: { hint?: unknown; caseInsensitive?: boolean } = {}): QueryPlan {
  const conditions = new Map<string, FieldCondition>();
  collectConditions(filter, conditions, !options.caseInsensitive);
  if (options.hint !== undefined && !(isPlainObject(options.hint) && Object.keys(options.hint).length === 0)) {
    if (isPlainObject(options.hint) && options.hint['$natural'] !== undefined) return {};
    const index = findHintedIndex(coll, options.hint);
    if (!index) throw errors.badValue('error processing query: planner returned error :: caused by :: hint provided does not correspond to an existing index');
    const bounds = boundsFor(index, conditions) ?? { points: [], range: [{ lo: new TypeBoundary(0, false), loInclusive: true, hi: new TypeBoundary(99, true), hiInclusive: true }] };
    return { index, bounds, estimate: index.estimate(bounds) };
  }
  if (conditions.size === 0) return {};
  let best: QueryPlan = {};
  for (const index of coll.indexes.values()) {
    const bounds = boundsFor(index, conditions);
    if (!bounds) continue;
    const estimate = index.estimate(bounds);
    if (best.estimate === undefined || estimate < best.estimate) best = { index, bounds, estimate };
  }
  return best;
}

function describeBound(value: unknown): string {
  if (value instanceof TypeBoundary) {
    // MongoDB bounds a one-type range by that type's extremes.
    if (value.rank === STRING_RANK) return value.end ? '{}' : '""';
    if (value.rank === typeRank(0)) return value.end ? 'inf.0' : '-inf.0';
    return value.end ? 'MaxKey' : 'MinKey';
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof Date) return `new Date(${value.getTime()})`;
  return String(value);
}

/** `indexBounds` as explain prints them: `{ field: ['[1, 1]', ...] }`. */
export function describeBounds(index: CollectionIndex, bounds: IndexBounds): Doc {
  const out: Doc = {};
  index.fields.forEach((field, i) => {
    const points = bounds.points[i];
    if (points) out[field] = points.map((p) => `[${describeBound(p)}, ${describeBound(p)}]`);
    else if (i === bounds.points.length && bounds.range) {
      out[field] = bounds.range.map((r) => `${r.loInclusive ? '[' : '('}${describeBound(r.lo)}, ${describeBound(r.hi)}${r.hiInclusive ? ']' : ')'}`);
    } else out[field] = ['[MinKey, MaxKey]'];
  });
  return out;
}
