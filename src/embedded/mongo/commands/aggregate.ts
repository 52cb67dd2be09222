import { createHash } from 'node:crypto';
import { ProcessingMode } from 'mingo';
import { Binary, BSON, ObjectId } from 'mongodb';
import { cloneValue, demote, formatValue, isPlainObject, valueKey, type Doc } from '../bson-values.js';
import { effectiveCollation, isCollated, mingoCollation, parseCollation, SIMPLE, type Collation } from '../collation.js';
import type { CommandContext, CommandHandler } from '../command-context.js';
import { CollectionStore } from '../collection-store.js';
import { validateDocument } from '../document-validation.js';
import { duplicateKeyError, type CollectionIndex } from '../index-manager.js';
import { checkNamespace } from '../storage-engine.js';
import { applyUpdate, withIdFirst } from '../update-engine.js';
import { setAtPath, valueAtPath } from '../document-paths.js';
import { geoIndexFor, runQuery, type QueryResult } from '../document-query.js';
import { CommandError, ErrorCode, errors } from '../errors.js';
import { geoPointOf, makeNear, type NearQuery } from '../geo.js';
import { applyCollation, createAggregator, mingoOptions } from '../query-engine.js';
import { letVariables, withLockRetry } from './command-args.js';
import { cursorBatchSize, cursorReply } from './cursor-commands.js';
import { checkIdValue } from './write-statements.js';

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
export function pipelineSource(context: CommandContext, coll: CollectionStore | undefined, pipeline: Doc[], collation?: Collation, variables?: Doc): PipelineSource {
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
    const query = runQuery(context.view, coll, { filter: first['$match'], collation, variables });
    return { docs: query.matches.map(([, doc]) => doc), query, rest };
  }
  const query = runQuery(context.view, coll, { filter: {} });
  return { docs: query.matches.map(([, doc]) => doc), query, rest: pipeline };
}

const UNSUPPORTED_STAGES = new Set(['$changeStream', '$currentOp', '$listSessions', '$indexStats', '$search', '$searchMeta', '$vectorSearch', '$documents', '$listSearchIndexes', '$changeStreamSplitLargeEvent', '$shardedDataDistribution', '$planCacheStats', '$listSampledQueries']);
const OUTPUT_STAGES = new Set(['$out', '$merge']);

/** `$match` stages after the first compare strings under the collation too. */
function collateMatches(pipeline: Doc[], collation: Collation | undefined): Doc[] {
  if (!isCollated(collation)) return pipeline;
  return pipeline.map((stage) => (isPlainObject(stage['$match']) ? { $match: applyCollation(stage['$match'], collation) } : stage));
}

/** What a pipeline over `name` reads: the collection, or a view's collection with the view's stages first. */
function resolveSource(context: CommandContext, name: string, pipeline: Doc[], collation: Collation | undefined): { name: string; pipeline: Doc[]; collation: Collation | undefined } {
  const view = context.engine.resolveView(context.db, name);
  if (!view) return { name, pipeline, collation };
  const viewCollation = view.collation ? parseCollation(view.collation) : undefined;
  if (collation && JSON.stringify(collation) !== JSON.stringify(viewCollation ?? SIMPLE)) {
    throw new CommandError(ErrorCode.OptionNotSupportedOnView, `Cannot override a view's default collation`);
  }
  return { name: view.collection, pipeline: [...view.pipeline, ...pipeline], collation: viewCollation };
}

/** The documents of a collection or view, for `$lookup`/`$unionWith`/`$graphLookup`. */
function namespaceDocs(context: CommandContext, from: string): Doc[] {
  if (context.engine.view(context.db, from)) return runPipeline(context, from, []);
  const other = context.engine.collection(context.db, from);
  // Joined documents may be reshaped by later stages: hand out copies, never stored objects.
  return other ? [...context.view.docs(other)].map(([, doc]) => cloneValue(doc)) : [];
}

/** Runs a pipeline (mingo for the stages after the source) and returns the output documents. */
export function runPipeline(context: CommandContext, name: string | undefined, pipeline: Doc[], requested?: Collation, variables?: Doc): Doc[] {
  for (const stage of pipeline) {
    const op = isPlainObject(stage) ? Object.keys(stage)[0] : undefined;
    if (!op || Object.keys(stage).length !== 1) throw errors.badValue('A pipeline stage specification object must contain exactly one field.');
    if (OUTPUT_STAGES.has(op)) throw new CommandError(40601, `${op} can only be the final stage in the pipeline`);
    if (UNSUPPORTED_STAGES.has(op)) throw new CommandError(ErrorCode.NotImplemented, `${op} is not supported by the embedded server`);
  }
  const source = name ? resolveSource(context, name, pipeline, requested) : { name, pipeline, collation: requested };
  const coll = source.name ? context.engine.collection(context.db, source.name) : undefined;
  const collation = effectiveCollation(source.collation, coll?.options['collation']);
  const input = source.name ? pipelineSource(context, coll, source.pipeline, collation, variables) : { docs: [], rest: source.pipeline };
  if (input.rest.length === 0) return input.docs;
  const sortCollation = mingoCollation(collation);
  const aggregator = createAggregator(
    collateMatches(input.rest, collation),
    mingoOptions({
      // Inputs are copied here rather than by mingo, whose copies drop the remembered numeric types.
      processingMode: ProcessingMode.CLONE_OFF,
      collectionResolver: (from: string) => namespaceDocs(context, from),
      ...(sortCollation ? { collation: sortCollation as never } : {}),
      ...(variables ? { variables } : {}),
    }),
  );
  return aggregator.run(input.docs.map((doc) => cloneValue(doc))) as Doc[];
}

/** `aggregate`: the pipeline's output through a cursor (first batch 101 unless `cursor.batchSize`); `$out`/`$merge` write it. */
export const aggregateCommand: CommandHandler = async (command, context) => {
  const target = command['aggregate'];
  const pipeline = command['pipeline'];
  if (!Array.isArray(pipeline)) throw errors.typeMismatch("'pipeline' option must be specified as an array");
  if (!isPlainObject(command['cursor']) && command['explain'] !== true) {
    throw errors.failedToParse("The 'cursor' option is required, except for aggregate with the explain argument");
  }
  const name = typeof target === 'string' ? target : undefined;
  if (name === undefined && target !== 1) throw errors.failedToParse('Invalid aggregate namespace');
  const collation = parseCollation(command['collation']);
  const variables = letVariables(command);
  const stages = pipeline as Doc[];
  const last = stages[stages.length - 1];
  const output = isPlainObject(last) && Object.keys(last).length === 1 && OUTPUT_STAGES.has(Object.keys(last)[0]!) ? last : undefined;
  if (name === undefined && isPlainObject(stages[0]) && '$listLocalSessions' in stages[0]) {
    const docs = listLocalSessions(context, stages[0]['$listLocalSessions']);
    const rest = stages.slice(1);
    const out = rest.length ? (createAggregator(rest, mingoOptions(variables ? { variables } : {})).run(docs) as Doc[]) : docs;
    return cursorReply(context, `${context.db}.$cmd.aggregate`, out, cursorBatchSize(command), false);
  }
  const docs = runPipeline(context, name, output ? stages.slice(0, -1) : stages, collation, variables);
  if (output) {
    await writeOutput(context, output, docs, { variables, bypassValidation: command['bypassDocumentValidation'] === true, collation });
    return cursorReply(context, `${context.db}.${name ?? '$cmd.aggregate'}`, [], cursorBatchSize(command), false);
  }
  return cursorReply(context, `${context.db}.${name ?? '$cmd.aggregate'}`, docs, cursorBatchSize(command), false);
};

/** `$listLocalSessions`: the sessions this server knows, `{ _id: { id, uid }, lastUse }`. */
function listLocalSessions(context: CommandContext, spec: unknown): Doc[] {
  if (context.db !== 'admin') throw new CommandError(ErrorCode.InvalidNamespace, '$listLocalSessions must be run against the \'admin\' database with {aggregate: 1}');
  if (!isPlainObject(spec)) throw errors.typeMismatch('$listLocalSessions must be an object');
  const wantsAll = spec['allUsers'] === true;
  const users = spec['users'];
  if (wantsAll && users !== undefined) throw errors.badValue('$listLocalSessions may not specify both allUsers and users');
  // No authentication: every session belongs to the one anonymous user, whose uid is the SHA-256 of "".
  const uid = new Binary(createHash('sha256').update('').digest(), 0);
  if (Array.isArray(users) && users.length === 0) return [];
  return context.sessions.all().map((session) => ({ _id: { id: session.lsid, uid }, lastUse: new Date(session.lastUse) }));
}

interface OutputOptions {
  readonly variables: Doc | undefined;
  readonly bypassValidation: boolean;
  readonly collation: Collation | undefined;
}

function outputTarget(spec: unknown, context: CommandContext, stage: string): { db: string; coll: string } {
  if (typeof spec === 'string') return { db: context.db, coll: spec };
  if (isPlainObject(spec) && typeof spec['coll'] === 'string') return { db: typeof spec['db'] === 'string' ? spec['db'] : context.db, coll: spec['coll'] };
  throw new CommandError(ErrorCode.FailedToParse, `${stage} requires a collection name or { db, coll }`);
}

async function writeOutput(context: CommandContext, stage: Doc, docs: Doc[], options: OutputOptions): Promise<void> {
  if (context.view.transaction) throw new CommandError(ErrorCode.OperationNotSupportedInTransaction, `${Object.keys(stage)[0]} cannot be used in a transaction`);
  if ('$out' in stage) return writeOut(context, stage['$out'], docs, options);
  return writeMerge(context, stage['$merge'], docs, options);
}

/** `$out`: replaces the target's documents with the output, keeping its options and indexes; all or nothing. */
function writeOut(context: CommandContext, spec: unknown, docs: Doc[], options: OutputOptions): void {
  if (isPlainObject(spec) && spec['timeseries'] !== undefined) throw new CommandError(ErrorCode.NotImplemented, '$out to a time-series collection is not supported by the embedded server');
  const target = outputTarget(spec, context, '$out');
  context.engine.refuseView(target.db, target.coll);
  checkNamespace(target.db, target.coll);
  const existing = context.engine.collection(target.db, target.coll);
  const specs = existing ? [...existing.indexes.values()].filter((i) => i.spec.name !== '_id_').map((i) => i.spec) : [];
  const collOptions = existing?.options ?? {};
  // Build the replacement aside first: a duplicate key or a failed validation leaves the target as it was.
  const staged = new CollectionStore(target.db, target.coll, collOptions);
  for (const spec of specs) staged.addIndex(spec);
  const rows: Array<[string, Doc]> = [];
  for (const raw of docs) {
    const doc = '_id' in raw ? withIdFirst(raw['_id'], raw) : withIdFirst(new ObjectId(), raw);
    checkIdValue(doc['_id']);
    validateDocument(staged, doc, undefined, options.bypassValidation);
    const id = valueKey(doc['_id']);
    if (staged.latest(id)) throw duplicateKeyError(staged.ns, staged.indexes.get('_id_')!, [doc['_id']]);
    const conflict = staged.findUniqueConflict(doc, id, () => false);
    if (conflict) throw duplicateKeyError(staged.ns, conflict.index, conflict.key);
    staged.commit(id, doc, 0, false);
    rows.push([id, doc]);
  }
  if (existing) context.engine.dropCollection(target.db, target.coll);
  const created = context.engine.createCollection(target.db, target.coll, collOptions);
  for (const spec of specs) created.addIndex(spec);
  const ts = context.engine.tick();
  for (const [id, doc] of rows) created.commit(id, doc, ts, false);
}

type MatchedMode = 'merge' | 'replace' | 'keepExisting' | 'fail' | Doc[];

/** `$merge`: each output document is merged into the target by its `on` fields. */
async function writeMerge(context: CommandContext, spec: unknown, docs: Doc[], options: OutputOptions): Promise<void> {
  const settings: Doc = typeof spec === 'string' || (isPlainObject(spec) && !('into' in spec)) ? { into: spec } : isPlainObject(spec) ? spec : {};
  for (const key of Object.keys(settings)) {
    if (!['into', 'on', 'let', 'whenMatched', 'whenNotMatched'].includes(key)) throw new CommandError(40415, `BSON field '$merge.${key}' is an unknown field.`);
  }
  const target = outputTarget(settings['into'], context, '$merge');
  context.engine.refuseView(target.db, target.coll);
  const on = settings['on'] === undefined ? ['_id'] : typeof settings['on'] === 'string' ? [settings['on']] : settings['on'];
  if (!Array.isArray(on) || on.length === 0 || !on.every((f) => typeof f === 'string')) throw new CommandError(51186, "$merge 'on' field must be a string or an array of strings");
  const whenMatched = (settings['whenMatched'] ?? 'merge') as MatchedMode;
  const whenNotMatched = settings['whenNotMatched'] ?? 'insert';
  if (!Array.isArray(whenMatched) && !['merge', 'replace', 'keepExisting', 'fail'].includes(whenMatched)) throw errors.badValue(`Enumeration value '${String(whenMatched)}' for field '$merge.whenMatched' is not a valid value.`);
  if (!['insert', 'discard', 'fail'].includes(String(whenNotMatched))) throw errors.badValue(`Enumeration value '${String(whenNotMatched)}' for field '$merge.whenNotMatched' is not a valid value.`);
  const coll = context.engine.ensureCollection(target.db, target.coll);
  const fields = on as string[];
  if (!(fields.length === 1 && fields[0] === '_id')) {
    const wanted = [...fields].sort().join(',');
    const unique = [...coll.indexes.values()].some((index) => index.spec.unique && !index.spec.partialFilterExpression && [...index.fields].sort().join(',') === wanted);
    if (!unique) throw new CommandError(51183, "Cannot find index to verify that join fields will be unique");
  }
  const mergeVariables = isPlainObject(settings['let']) ? settings['let'] : undefined;
  const { view } = context;
  for (const raw of docs) {
    const key: Doc = {};
    for (const field of fields) {
      const value = valueAtPath(raw, field);
      if (value === undefined || value === null || Array.isArray(value)) {
        if (field === '_id' && value === undefined) continue;
        throw new CommandError(51132, `$merge write error: 'on' field '${field}' cannot be missing, null, undefined or an array`);
      }
      key[field] = value;
    }
    const existing = Object.keys(key).length === fields.length ? runQuery(view, coll, { filter: key, limit: 1 }).matches[0] : undefined;
    if (!existing) {
      if (whenNotMatched === 'discard') continue;
      if (whenNotMatched === 'fail') throw new CommandError(13113, '$merge could not find a matching document in the target collection for at least one document in the source collection');
      const doc = '_id' in raw ? withIdFirst(raw['_id'], raw) : withIdFirst(new ObjectId(), raw);
      checkIdValue(doc['_id']);
      validateDocument(coll, doc, undefined, options.bypassValidation);
      await withLockRetry(() => view.insert(coll, valueKey(doc['_id']), doc));
      continue;
    }
    const [id, current] = existing;
    if (whenMatched === 'keepExisting') continue;
    if (whenMatched === 'fail') {
      throw new CommandError(ErrorCode.DuplicateKey, `$merge with whenMatched: fail found an existing document with the same values for the 'on' field: ${formatValue(key)}`);
    }
    let next: Doc;
    if (Array.isArray(whenMatched)) {
      const vars = { ...(options.variables ?? {}), ...(mergeVariables ? letOf(mergeVariables, raw) : { new: raw }) };
      next = applyUpdate(current, whenMatched, { variables: vars }).doc;
    } else {
      if ('_id' in raw && valueKey(raw['_id']) !== id) {
        throw new CommandError(ErrorCode.ImmutableField, "$merge failed to update the matching document, did you attempt to modify the _id or the shard key? :: caused by :: Performing an update on the path '_id' would modify the immutable field '_id'");
      }
      next = whenMatched === 'replace' ? withIdFirst(current['_id'], raw) : withIdFirst(current['_id'], { ...current, ...raw });
    }
    validateDocument(coll, next, current, options.bypassValidation);
    await withLockRetry(() => view.replace(coll, id, next));
  }
}

/** `$merge`'s `let`: expressions over the output document (`$$new`). */
function letOf(spec: Doc, doc: Doc): Doc {
  const [values] = createAggregator([{ $replaceWith: spec }], mingoOptions({ variables: { new: doc } })).run([{}]) as Doc[];
  return { new: doc, ...(values ?? {}) };
}
