import { type Doc } from './bson-values.js';
import type { CollectionStore } from './collection-store.js';
import type { CollectionIndex } from './index-manager.js';
import { valueAtPath } from './document-paths.js';
import { CommandError } from './errors.js';
import { geoPointOf } from './geo.js';
import { planQuery, type QueryPlan } from './query-planner.js';
import { effectiveCollation, isCollated, type Collation } from './collation.js';
import { compileFilter, compileSort, type NearClause } from './query-engine.js';
import type { DocumentView } from './transactions.js';

/** What a read asks for. */
export interface QueryRequest {
  readonly filter: Doc;
  readonly sort?: Doc;
  readonly skip?: number;
  readonly limit?: number;
  readonly collation?: Collation | undefined;
  readonly hint?: unknown;
  /** `let` variables, for `$expr`. */
  readonly variables?: Doc | undefined;
}

/** Matching documents in result order with their `_id` keys, and how they were found. */
export interface QueryResult {
  readonly matches: Array<[string, Doc]>;
  readonly plan: QueryPlan;
  readonly near?: NearClause;
  readonly keysExamined: number;
  readonly docsExamined: number;
}

const NO_QUERY_EXECUTION_PLANS = 291;

/** The geo (2dsphere or 2d) index on `field`, which `$near` and `$geoNear` read through. */
export function geoIndexFor(coll: CollectionStore, field: string): CollectionIndex | undefined {
  return [...coll.indexes.values()].find((index) => index.spec.key[field] === '2dsphere' || index.spec.key[field] === '2d');
}

/** Fields covered by the collection's text index (what `$text` searches). */
export function textFieldsOf(coll: CollectionStore): string[] {
  for (const index of coll.indexes.values()) {
    if (index.kind === 'text') {
      const weights = index.spec.document['weights'];
      return weights && typeof weights === 'object' ? Object.keys(weights) : Object.keys(index.spec.key).filter((k) => index.spec.key[k] === 'text');
    }
  }
  return [];
}

/**
 * Finds the documents matching a filter through a view: plans an index scan when one
 * applies, tests every candidate with the full filter, then orders (by `$near` distance
 * or `sort`) and applies skip/limit.
 */
export function runQuery(view: DocumentView, coll: CollectionStore | undefined, request: QueryRequest): QueryResult {
  if (!coll) return { matches: [], plan: {}, keysExamined: 0, docsExamined: 0 };
  const collation = effectiveCollation(request.collation, coll.options['collation']);
  const compiled = compileFilter(request.filter, { collation, textFields: textFieldsOf(coll), variables: request.variables });
  const skip = request.skip ?? 0;
  const limit = request.limit ?? 0;
  const sort = compileSort(request.sort, collation);
  if (compiled.near) {
    const near = compiled.near;
    const geoIndex = geoIndexFor(coll, near.field);
    if (!geoIndex) {
      throw new CommandError(NO_QUERY_EXECUTION_PLANS, 'error processing query: planner returned error :: caused by :: unable to find index for $geoNear query');
    }
    const scored: Array<[string, Doc, number]> = [];
    let examined = 0;
    for (const [id, doc] of view.docs(coll)) {
      examined += 1;
      if (!compiled.test(doc)) continue;
      const point = geoPointOf(valueAtPath(doc, near.field));
      if (point) scored.push([id, doc, near.near.distance(point)]);
    }
    scored.sort((a, b) => a[2] - b[2]);
    const ordered: Array<[string, Doc]> = scored.map(([id, doc]) => [id, doc]);
    if (sort) ordered.sort((a, b) => sort(a[1], b[1]));
    const matches = ordered.slice(skip, limit ? skip + limit : undefined);
    return { matches, plan: { index: geoIndex }, near, keysExamined: examined, docsExamined: examined };
  }
  const plan = planQuery(coll, compiled.filter, { hint: request.hint, caseInsensitive: isCollated(collation) });
  const indexed = plan.index && plan.bounds ? plan.index.scan(plan.bounds) : undefined;
  const ids = indexed && view.candidates(coll, indexed);
  const matches: Array<[string, Doc]> = [];
  let docsExamined = 0;
  const stopAt = !sort && limit ? skip + limit : Number.POSITIVE_INFINITY;
  for (const entry of view.docs(coll, ids)) {
    docsExamined += 1;
    if (compiled.test(entry[1])) {
      matches.push(entry);
      if (matches.length >= stopAt) break;
    }
  }
  if (sort) matches.sort((a, b) => sort(a[1], b[1]));
  const window = skip || limit ? matches.slice(skip, limit ? skip + limit : undefined) : matches;
  return { matches: window, plan, keysExamined: indexed?.length ?? 0, docsExamined };
}
