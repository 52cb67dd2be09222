import { isPlainObject, type Doc } from '../bson-values.js';
import type { CommandContext, CommandHandler } from '../command-context.js';
import { runQuery, type QueryResult } from '../document-query.js';
import { CommandError, ErrorCode, errors } from '../errors.js';
import type { CollectionIndex, IndexBounds } from '../index-manager.js';
import { describeBounds } from '../query-planner.js';
import { SERVER_VERSION } from './handshake.js';
import { pipelineSource } from './aggregate.js';
import { findDocuments } from './cursor-commands.js';

/** An IXSCAN over `index`, as MongoDB names it: the index's own name and key pattern. */
function indexScanStage(index: CollectionIndex, bounds?: IndexBounds): Doc {
  return {
    stage: 'IXSCAN',
    keyPattern: index.spec.key,
    indexName: index.spec.name,
    isMultiKey: false,
    isUnique: index.spec.unique === true,
    isSparse: index.spec.sparse === true,
    isPartial: index.spec.partialFilterExpression !== undefined,
    direction: 'forward',
    ...(bounds ? { indexBounds: describeBounds(index, bounds) } : {}),
  };
}

/** A geo-near stage over its 2dsphere index (`$near`, `$nearSphere`, `$geoNear`). */
function geoNearStage(index: CollectionIndex): Doc {
  return {
    stage: 'GEO_NEAR_2DSPHERE',
    keyPattern: index.spec.key,
    indexName: index.spec.name,
    inputStages: [{ stage: 'FETCH', inputStage: indexScanStage(index) }],
  };
}

function scanStage(result: QueryResult | undefined, filter: Doc): Doc {
  const plan = result?.plan;
  if (result?.near && plan?.index) return geoNearStage(plan.index);
  if (plan?.index && plan.bounds) {
    return { stage: 'FETCH', ...(Object.keys(filter).length ? { filter } : {}), inputStage: indexScanStage(plan.index, plan.bounds) };
  }
  return { stage: 'COLLSCAN', ...(Object.keys(filter).length ? { filter } : {}), direction: 'forward' };
}

function wrap(stage: Doc, command: Doc): Doc {
  let plan = stage;
  if (isPlainObject(command['sort']) && Object.keys(command['sort']).length) plan = { stage: 'SORT', sortPattern: command['sort'], inputStage: plan };
  if (typeof command['skip'] === 'number' && command['skip'] > 0) plan = { stage: 'SKIP', skipAmount: command['skip'], inputStage: plan };
  if (typeof command['limit'] === 'number' && command['limit'] !== 0) plan = { stage: 'LIMIT', limitAmount: Math.abs(command['limit']), inputStage: plan };
  if (isPlainObject(command['projection']) && Object.keys(command['projection']).length) plan = { stage: 'PROJECTION_DEFAULT', transformBy: command['projection'], inputStage: plan };
  return plan;
}

function explainReply(context: CommandContext, ns: string, filter: Doc, winningPlan: Doc, result: QueryResult | undefined, nReturned: number, verbosity: string): Doc {
  const reply: Doc = {
    queryPlanner: { plannerVersion: 1, namespace: ns, indexFilterSet: false, parsedQuery: filter, winningPlan, rejectedPlans: [] },
  };
  if (verbosity !== 'queryPlanner') {
    reply['executionStats'] = {
      executionSuccess: true,
      nReturned,
      executionTimeMillis: 0,
      totalKeysExamined: result?.keysExamined ?? 0,
      totalDocsExamined: result?.docsExamined ?? 0,
      executionStages: { ...winningPlan, nReturned },
    };
  }
  reply['serverInfo'] = { host: context.server.address, version: SERVER_VERSION };
  reply['ok'] = 1;
  return reply;
}

/** `explain` of find, aggregate, count, distinct, update, delete and findAndModify. */
export const explainCommand: CommandHandler = (command, context) => {
  const inner = command['explain'];
  if (!isPlainObject(inner)) throw errors.typeMismatch('explain command requires a nested object');
  const verbosity = typeof command['verbosity'] === 'string' ? command['verbosity'] : 'allPlansExecution';
  const name = Object.keys(inner)[0]!;
  const target = inner[name];
  const ns = `${context.db}.${String(target)}`;
  if (typeof target === 'string' && context.engine.view(context.db, target)) {
    throw new CommandError(ErrorCode.NotImplemented, 'explain of a command on a view is not supported by the embedded server');
  }
  if (name === 'find') {
    const { result, docs } = findDocuments(inner, context);
    const filter = isPlainObject(inner['filter']) ? inner['filter'] : {};
    return explainReply(context, ns, filter, wrap(scanStage(result, filter), inner), result, docs.length, verbosity);
  }
  if (name === 'aggregate') {
    const pipeline = Array.isArray(inner['pipeline']) ? (inner['pipeline'] as Doc[]) : [];
    const coll = typeof target === 'string' ? context.engine.collection(context.db, target) : undefined;
    const source = pipelineSource(context, coll, pipeline);
    const first = pipeline[0];
    const filter = first && isPlainObject(first['$match']) ? first['$match'] : {};
    const stage = source.geoIndex ? geoNearStage(source.geoIndex) : scanStage(source.query, filter);
    const reply = explainReply(context, ns, filter, stage, source.query, source.docs.length, verbosity);
    const queryPlanner = reply['queryPlanner'];
    return { ...reply, stages: [{ $cursor: { queryPlanner } }, ...source.rest] };
  }
  const filterField = name === 'count' || name === 'distinct' ? 'query' : name === 'findAndModify' || name === 'findandmodify' ? 'query' : undefined;
  let filter: Doc = {};
  if (filterField && isPlainObject(inner[filterField])) filter = inner[filterField];
  else if (name === 'update' && Array.isArray(inner['updates']) && isPlainObject(inner['updates'][0]?.['q'])) filter = inner['updates'][0]['q'];
  else if (name === 'delete' && Array.isArray(inner['deletes']) && isPlainObject(inner['deletes'][0]?.['q'])) filter = inner['deletes'][0]['q'];
  else if (!['count', 'distinct', 'update', 'delete', 'findAndModify', 'findandmodify'].includes(name)) {
    throw errors.badValue(`Explain failed due to unknown command: ${name}`);
  }
  const result = runQuery(context.view, typeof target === 'string' ? context.engine.collection(context.db, target) : undefined, { filter });
  return explainReply(context, ns, filter, scanStage(result, filter), result, result.matches.length, verbosity);
};
