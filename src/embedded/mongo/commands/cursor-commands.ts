import { Long } from 'mongodb';
import { isPlainObject, type Doc } from '../bson-values.js';
import type { CommandContext, CommandHandler } from '../command-context.js';
import { runPipeline } from './aggregate.js';
import { runQuery } from '../document-query.js';
import { CommandError, ErrorCode, errors } from '../errors.js';
import { parseCollation } from '../collation.js';
import { compileProjection } from '../query-engine.js';
import { letVariables, optionalCount, optionalDoc, optionalNonNegative, requireCollection } from './command-args.js';

/** Registers the rest of a result as a cursor and answers with its first batch. */
export function cursorReply(context: CommandContext, ns: string, docs: readonly Doc[], batchSize: number | undefined, singleBatch: boolean): Doc {
  const { batch, id } = context.cursors.open(ns, docs, batchSize, singleBatch, context.session?.id);
  return { cursor: { firstBatch: batch, id, ns }, ok: 1 };
}

export function cursorBatchSize(command: Doc): number | undefined {
  const cursor = command['cursor'];
  const size = isPlainObject(cursor) ? cursor['batchSize'] : undefined;
  if (size === undefined) return undefined;
  if (typeof size !== 'number' || size < 0) throw errors.badValue('batchSize must be non-negative');
  return size;
}



/** The documents a `find` returns (used by `find` and its `explain`). */
export function findDocuments(command: Doc, context: CommandContext) {
  const name = requireCollection(command, 'find');
  const filter = optionalDoc(command, 'filter') ?? {};
  const sort = optionalDoc(command, 'sort');
  const projection = optionalDoc(command, 'projection');
  const skip = optionalNonNegative(command, 'skip') ?? 0;
  const rawLimit = optionalCount(command, 'limit') ?? 0;
  const collation = parseCollation(command['collation']);
  const variables = letVariables(command);
  const coll = context.engine.collection(context.db, name);
  const result = runQuery(context.view, coll, {
    filter,
    ...(sort ? { sort } : {}),
    skip,
    limit: Math.abs(rawLimit),
    collation,
    variables,
    ...(command['hint'] !== undefined ? { hint: command['hint'] } : {}),
  });
  const project = compileProjection(projection, filter);
  const docs = result.matches.map(([, doc]) => (project ? project(doc) : doc));
  return { name, coll, result, docs, rawLimit };
}

/** A `find` on a view, run as MongoDB runs it: the view's pipeline, then the find's own stages. */
function findOnView(command: Doc, context: CommandContext): { name: string; docs: Doc[]; rawLimit: number } {
  const name = requireCollection(command, 'find');
  const filter = optionalDoc(command, 'filter') ?? {};
  const sort = optionalDoc(command, 'sort');
  const projection = optionalDoc(command, 'projection');
  const skip = optionalNonNegative(command, 'skip') ?? 0;
  const rawLimit = optionalCount(command, 'limit') ?? 0;
  const stages: Doc[] = [];
  if (Object.keys(filter).length) stages.push({ $match: filter });
  if (sort && Object.keys(sort).length) stages.push({ $sort: sort });
  if (skip) stages.push({ $skip: skip });
  if (rawLimit) stages.push({ $limit: Math.abs(rawLimit) });
  const docs = runPipeline(context, name, stages, parseCollation(command['collation']), letVariables(command));
  const project = compileProjection(projection, filter);
  return { name, docs: project ? docs.map(project) : docs, rawLimit };
}

/** `find`: first batch of 101 by default, `cursor.id` 0 when exhausted. */
export const findCommand: CommandHandler = (command, context) => {
  const { name, docs, rawLimit } = context.engine.view(context.db, String(command['find'])) ? findOnView(command, context) : findDocuments(command, context);
  const batchSize = optionalCount(command, 'batchSize');
  if (batchSize !== undefined && batchSize < 0) throw errors.badValue(`BSON field 'batchSize' value must be >= 0, actual value '${batchSize}'`);
  const singleBatch = command['singleBatch'] === true || rawLimit < 0;
  const limit = Math.abs(rawLimit);
  const first = limit && (batchSize === undefined || limit < batchSize) ? limit : batchSize;
  return cursorReply(context, `${context.db}.${name}`, docs, first, singleBatch);
};

/** `getMore`: the next batch, all that fits when no batchSize is given. */
export const getMoreCommand: CommandHandler = (command, context) => {
  const raw = command['getMore'];
  const id = raw instanceof Long ? raw : typeof raw === 'number' ? Long.fromNumber(raw) : undefined;
  if (!id) throw errors.typeMismatch("BSON field 'getMore.getMore' is the wrong type, expected type 'long'");
  const name = requireCollection(command, 'collection');
  const ns = `${context.db}.${name}`;
  const batchSize = optionalCount(command, 'batchSize');
  const { batch, id: next } = context.cursors.getMore(id, ns, batchSize, context.session?.id);
  return { cursor: { nextBatch: batch, id: next, ns }, ok: 1 };
};

/** `killCursors`: `{ cursorsKilled, cursorsNotFound, cursorsAlive, cursorsUnknown }`. */
export const killCursorsCommand: CommandHandler = (command, context) => {
  requireCollection(command, 'killCursors');
  const ids = command['cursors'];
  if (!Array.isArray(ids)) throw new CommandError(ErrorCode.TypeMismatch, "BSON field 'killCursors.cursors' is missing but a required field");
  const cursorsKilled: Long[] = [];
  const cursorsNotFound: Long[] = [];
  for (const raw of ids) {
    const id = raw instanceof Long ? raw : Long.fromNumber(Number(raw));
    (context.cursors.kill(id) ? cursorsKilled : cursorsNotFound).push(id);
  }
  return { cursorsKilled, cursorsNotFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
};
