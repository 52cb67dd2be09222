import { compareValues, isPlainObject, valueKey } from '../bson-values.js';
import type { CommandHandler } from '../command-context.js';
import type { Doc } from '../bson-values.js';
import { runPipeline } from './aggregate.js';
import { valuesAtPath } from '../document-paths.js';
import { runQuery } from '../document-query.js';
import { errors } from '../errors.js';
import { collatedComparator, effectiveCollation, isCollated, parseCollation } from '../collation.js';
import { optionalCount, optionalDoc, optionalNonNegative, requireCollection } from './command-args.js';

/** `count`: `{ n }` of documents matching `query`, after `skip`/`limit`. */
export const countCommand: CommandHandler = (command, context) => {
  const name = requireCollection(command, 'count');
  const query = optionalDoc(command, 'query') ?? {};
  const skip = optionalNonNegative(command, 'skip') ?? 0;
  const limit = Math.abs(optionalCount(command, 'limit') ?? 0);
  const collation = parseCollation(command['collation']);
  if (context.engine.view(context.db, name)) {
    const stages: Doc[] = [{ $match: query }, ...(skip ? [{ $skip: skip }] : []), ...(limit ? [{ $limit: limit }] : [])];
    return { n: runPipeline(context, name, stages, collation).length, ok: 1 };
  }
  const coll = context.engine.collection(context.db, name);
  if (coll && Object.keys(query).length === 0 && !context.view.transaction) {
    const total = Math.max(0, coll.count - skip);
    return { n: limit ? Math.min(limit, total) : total, ok: 1 };
  }
  const result = runQuery(context.view, coll, { filter: query, skip, limit, collation, ...(command['hint'] !== undefined ? { hint: command['hint'] } : {}) });
  return { n: result.matches.length, ok: 1 };
};

/** `distinct`: the distinct values of `key` (array elements counted individually), in BSON order. */
export const distinctCommand: CommandHandler = (command, context) => {
  const name = requireCollection(command, 'distinct');
  const key = command['key'];
  if (typeof key !== 'string') throw errors.typeMismatch("BSON field 'distinct.key' is the wrong type, expected type 'string'");
  const query = optionalDoc(command, 'query') ?? {};
  const coll = context.engine.collection(context.db, name);
  const view = context.engine.resolveView(context.db, name);
  let collation = effectiveCollation(parseCollation(command['collation']), view ? view.collation : coll?.options['collation']);
  let docs: Doc[];
  if (view) {
    docs = runPipeline(context, name, [{ $match: query }], parseCollation(command['collation']));
    collation = effectiveCollation(parseCollation(command['collation']), view.collation);
  } else {
    docs = runQuery(context.view, coll, { filter: query, collation }).matches.map(([, doc]) => doc);
  }
  const seen = new Map<string, unknown>();
  for (const doc of docs) {
    for (const value of valuesAtPath(doc, key)) {
      if (value === undefined) continue;
      const k = valueKey(value);
      if (!seen.has(k)) seen.set(k, value);
    }
  }
  const compare = collatedComparator(collation);
  const sorted = [...seen.values()].sort(compare);
  // Values equal under the collation (PING and ping at strength 2) count once: the first seen.
  const values = isCollated(collation) ? sorted.filter((value, i) => i === 0 || compare(sorted[i - 1], value) !== 0) : sorted;
  return { values, ok: 1 };
};
