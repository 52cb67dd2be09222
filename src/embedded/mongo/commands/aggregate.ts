import { Aggregator, ProcessingMode } from 'mingo';
import { BSON } from 'mongodb';
import { cloneValue, demote, isPlainObject, type Doc } from '../bson-values.js';
import type { CommandContext, CommandHandler } from '../command-context.js';
import type { CollectionStore } from '../collection-store.js';
import type { CollectionIndex } from '../index-manager.js';
import { setAtPath, valueAtPath } from '../document-paths.js';
import { geoIndexFor, runQuery, type QueryResult } from '../document-query.js';
import { CommandError, ErrorCode, errors } from '../errors.js';
import { geoPointOf, makeNear, type NearQuery } from '../geo.js';
import { mingoOptions, type Collation } from '../query-engine.js';
import { cursorBatchSize, cursorReply } from './cursor-commands.js';

/** How an aggregation's first stage read the collection (for explain). */
export interface PipelineSource {
  readonly docs: Doc[];
  readonly query?: QueryResult;
  /** The geo index a leading `$geoNear` read through. */
  readonly geoIndex?: CollectionIndex;
  readonly rest: Doc[];
}

function geoKey(coll: CollectionStore, key: unknown): { field: string; index: CollectionIndex } {
  if (typeof key === 'string') {
    const index = geoIndexFor(coll, key);
    if (!index) throw new CommandError(ErrorCode.NoQueryExecutionPlans, 'error processing query: planner returned error :: caused by :: unable to find index for $geoNear query');
    return { field: key, index };
  }
  const keys = [...coll.indexes.values()].flatMap((index) =>
    Object.entries(index.spec.key).filter(([, type]) => type === '2dsphere' || type === '2d').map(([field]) => ({ field, index })),
  );
  if (keys.length === 0) throw new CommandError(ErrorCode.IndexNotFound, '$geoNear requires a 2d or 2dsphere index, but none were found');
  if (keys.length > 1) throw new CommandError(ErrorCode.IndexNotFound, 'There is more than one 2dsphere index; unsure which to use for $geoNear');
  return keys[0]!;
}

function geoNearStage(context: CommandContext, coll: CollectionStore | undefined, spec: unknown): { docs: Doc[]; index?: CollectionIndex } {
  if (!isPlainObject(spec)) throw errors.typeMismatch('$geoNear argument must be an object');
  if (typeof spec['distanceField'] !== 'string') throw errors.failedToParse('$geoNear requires a \'distanceField\' option as a String');
  if (!coll) return { docs: [] };
  const { field, index } = geoKey(coll, spec['key']);
  const nearSpec = spec['near'];
  const origin = geoPointOf(nearSpec);
  if (!origin) throw errors.badValue('$geoNear requires a \'near\' option as an Array or GeoJSON Point');
  const isGeoJson = isPlainObject(nearSpec) && nearSpec['type'] === 'Point';
  const units = isGeoJson ? 'metres' : spec['spherical'] === true ? 'radians' : 'plane';
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const near: NearQuery = makeNear(origin, units, num(spec['minDistance']), num(spec['maxDistance']));
  const query = isPlainObject(spec['query']) ? spec['query'] : {};
  const multiplier = num(spec['distanceMultiplier']) ?? 1;
  const found = runQuery(context.view, coll, { filter: query });
  const scored: Array<[Doc, number, unknown]> = [];
  for (const [, doc] of found.matches) {
    const location = valueAtPath(doc, field);
    const point = geoPointOf(location);
    if (!point) continue;
    const distance = near.distance(point);
    if (near.maxDistance !== undefined && distance > near.maxDistance) continue;
    if (near.minDistance !== undefined && distance < near.minDistance) continue;
    scored.push([doc, distance, location]);
  }
  scored.sort((a, b) => a[1] - b[1]);
  const docs = scored.map(([doc, distance, location]) => {
    const out = cloneValue(doc);
    setAtPath(out, spec['distanceField'] as string, distance * multiplier);
    if (typeof spec['includeLocs'] === 'string') setAtPath(out, spec['includeLocs'], location);
    return out;
  });
  return { docs, index };
}

function collStatsStage(coll: CollectionStore | undefined, spec: unknown, ns: string): Doc[] {
  const docs = coll ? [...coll.liveDocs()].map(([, doc]) => doc) : [];
  const size = docs.reduce((sum, doc) => sum + BSON.calculateObjectSize(demote(doc) as Doc), 0);
  const out: Doc = { ns, host: 'embedded', localTime: new Date() };
  if (isPlainObject(spec) && 'count' in spec) out['count'] = docs.length;
  if (isPlainObject(spec) && 'storageStats' in spec) {
    out['storageStats'] = { count: docs.length, size, avgObjSize: docs.length ? Math.round(size / docs.length) : 0, storageSize: size, nindexes: coll?.indexes.size ?? 0 };
  }
  return [out];
}

/** Reads the pipeline's input: `$geoNear`, `$collStats`, a leading `$match` through an index, or all documents. */
export function pipelineSource(context: CommandContext, coll: CollectionStore | undefined, pipeline: Doc[], collation?: Collation): PipelineSource {
  const [first, ...rest] = pipeline;
  const stage = first ? Object.keys(first)[0] : undefined;
  if (first && stage === '$geoNear') {
    const { docs, index } = geoNearStage(context, coll, first['$geoNear']);
    return { docs, ...(index ? { geoIndex: index } : {}), rest };
  }
  if (first && stage === '$collStats') return { docs: collStatsStage(coll, first['$collStats'], `${context.db}.${coll?.name ?? ''}`), rest };
  for (const later of rest) {
    if (isPlainObject(later) && '$geoNear' in later) throw new CommandError(40603, '$geoNear was not the first stage in the pipeline.');
  }
  if (first && stage === '$match' && isPlainObject(first['$match'])) {
    const query = runQuery(context.view, coll, { filter: first['$match'], ...(collation ? { collation } : {}) });
    return { docs: query.matches.map(([, doc]) => doc), query, rest };
  }
  const query = runQuery(context.view, coll, { filter: {} });
  return { docs: query.matches.map(([, doc]) => doc), query, rest: pipeline };
}

const UNSUPPORTED_STAGES = new Set(['$out', '$merge', '$changeStream', '$currentOp', '$listSessions', '$indexStats', '$search']);

/** Runs a pipeline (mingo for the stages after the source) and returns the output documents. */
export function runPipeline(context: CommandContext, name: string | undefined, pipeline: Doc[], collation?: Collation): Doc[] {
  for (const stage of pipeline) {
    const op = isPlainObject(stage) ? Object.keys(stage)[0] : undefined;
    if (!op || Object.keys(stage).length !== 1) throw errors.badValue('A pipeline stage specification object must contain exactly one field.');
    if (UNSUPPORTED_STAGES.has(op)) throw new CommandError(ErrorCode.NotImplemented, `${op} is not supported by the embedded server`);
  }
  const coll = name ? context.engine.collection(context.db, name) : undefined;
  const source = name ? pipelineSource(context, coll, pipeline, collation) : { docs: [], rest: pipeline };
  if (source.rest.length === 0) return source.docs;
  const aggregator = new Aggregator(
    source.rest,
    mingoOptions({
      // Inputs are copied here rather than by mingo, whose copies drop the remembered numeric types.
      processingMode: ProcessingMode.CLONE_OFF,
      collectionResolver: (from: string) => {
        const other = context.engine.collection(context.db, from);
        // Joined documents may be reshaped by later stages: hand out copies, never stored objects.
        return other ? [...context.view.docs(other)].map(([, doc]) => cloneValue(doc)) : [];
      },
      ...(collation ? { collation: { locale: collation.locale ?? 'simple', ...(collation.strength ? { strength: collation.strength as 1 } : {}) } } : {}),
    }),
  );
  return aggregator.run(source.docs.map((doc) => cloneValue(doc))) as Doc[];
}

/** `aggregate`: the pipeline's output through a cursor (first batch 101 unless `cursor.batchSize`). */
export const aggregateCommand: CommandHandler = (command, context) => {
  const target = command['aggregate'];
  const pipeline = command['pipeline'];
  if (!Array.isArray(pipeline)) throw errors.typeMismatch("'pipeline' option must be specified as an array");
  if (!isPlainObject(command['cursor']) && command['explain'] !== true) {
    throw errors.failedToParse("The 'cursor' option is required, except for aggregate with the explain argument");
  }
  const name = typeof target === 'string' ? target : undefined;
  if (name === undefined && target !== 1) throw errors.failedToParse('Invalid aggregate namespace');
  const collation = isPlainObject(command['collation']) ? (command['collation'] as Collation) : undefined;
  const docs = runPipeline(context, name, pipeline as Doc[], collation);
  return cursorReply(context, `${context.db}.${name ?? '$cmd.aggregate'}`, docs, cursorBatchSize(command), false);
};
