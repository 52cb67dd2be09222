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

interface FieldCondition {
  points?: unknown[];
  interval?: { lo: unknown; loInclusive: boolean; hi: unknown; hiInclusive: boolean };
}

function isOperatorObject(value: unknown): value is Doc {
  return isPlainObject(value) && Object.keys(value).length > 0 && Object.keys(value).every((k) => k.startsWith('$'));
}

function indexable(value: unknown, stringsUsable: boolean): boolean {
  if (value instanceof RegExp || Array.isArray(value)) return false;
  if (typeof value === 'string' && !stringsUsable) return false;
  return !(isPlainObject(value) && Object.keys(value).some((k) => k.startsWith('$')));
}

function addCondition(conditions: Map<string, FieldCondition>, field: string, value: unknown, stringsUsable: boolean): void {
  const condition = conditions.get(field) ?? {};
  if (!isOperatorObject(value)) {
    if (indexable(value, stringsUsable)) condition.points = [value];
  } else {
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
  if (value instanceof TypeBoundary) return value.end ? 'MaxKey' : 'MinKey';
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
