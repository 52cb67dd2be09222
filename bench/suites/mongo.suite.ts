import { ObjectId, type ClientSession, type Collection, type Document } from 'mongodb';
import type { UserId } from '../../src/core/ids.js';
import type { Nexfit } from '../../src/create-nexfit.js';
import type { BenchReport } from '../bench-report.js';
import { withSuiteStores } from '../bench-stores.js';
import type { BenchSuite } from './bench-suite.js';

const SINGLE_ROW = { max: 1.15 } as const;
const BATCH = { max: 1.05 } as const;
const BATCH_SIZE = 1_000;
/** Documents behind the listed page, so the page is a real index range. */
const LISTED_DOCS = 2_000;

type Operation = { readonly 'raw driver': () => Promise<unknown>; readonly SDK: () => Promise<unknown>; readonly batch?: boolean };

/**
 * The same five operations on `users` and `workout_logs` through the SDK's repositories and
 * through the raw `mongodb` driver writing the documents the SDK stores (cloned from one it
 * wrote), on whichever MongoDB the run has.
 */
export const mongoSuite: BenchSuite = {
  name: 'mongo',
  title: 'MongoDB: SDK vs raw driver',
  async run({ report, mongoUri, pgAdminUrl }) {
    await withSuiteStores({ mongoUri, pgAdminUrl }, 'mongo', async ({ nexfit }) => {
      report.stores['MongoDB (mongo suite)'] = `${nexfit.stores.mongo.kind} connection to the run's MongoDB`;
      await compare(report, 'users', await userOperations(nexfit));
      await compare(report, 'workout_logs', await workoutLogOperations(nexfit));
    });
  },
};

async function compare(report: BenchReport, collection: string, operations: Record<string, Operation>): Promise<void> {
  for (const [operation, run] of Object.entries(operations)) {
    await report.measure(
      `${collection}: ${operation}`,
      [
        { name: 'raw driver', fn: run['raw driver'] },
        { name: 'SDK', fn: run.SDK, baseline: 'raw driver', target: run.batch ? BATCH : SINGLE_ROW },
      ],
      run.batch ? { time: 3000, iterations: 8, warmupIterations: 2 } : { time: 2000, iterations: 200, warmupIterations: 50 },
    );
  }
}

/** `count` copies of a stored document, each with a fresh `_id` and whatever `vary` changes. */
function clones(template: Document, count: number, vary: (doc: Document, i: number) => void): Document[] {
  return Array.from({ length: count }, (_, i) => {
    const doc: Document = { ...template, _id: new ObjectId() };
    vary(doc, i);
    return doc;
  });
}

/** Runs `work` in one MongoDB transaction, as both contestants' batches do. */
async function inMongoTransaction(nexfit: Nexfit, work: (session: ClientSession) => Promise<void>): Promise<void> {
  const session = nexfit.mongo.client.startSession();
  try {
    await session.withTransaction(() => work(session));
  } finally {
    await session.endSession();
  }
}

/** The raw read-modify-write the SDK's patch does: read, then write guarded by the version read. */
async function rawPatch(collection: Collection<Document>, _id: ObjectId, set: Document, projection?: Document): Promise<void> {
  const current = await collection.findOne({ _id }, projection ? { projection } : {});
  if (!current) throw new Error('patched document vanished');
  const result = await collection.updateOne({ _id, version: current['version'] }, { $set: { ...set, version: Number(current['version']) + 1, updatedAt: new Date() } });
  if (result.matchedCount !== 1) {
    const now = await collection.findOne({ _id });
    throw new Error(`raw patch matched nothing: read version ${String(current['version'])}, now ${String(now?.['version'])} (${typeof now?.['version']})`);
  }
}

async function userOperations(nexfit: Nexfit): Promise<Record<string, Operation>> {
  const repo = nexfit.repositories.users;
  const raw = nexfit.mongo.db.collection('users');
  let n = 0;
  const input = () => ({ email: `sdk${n++}@example.com`, firstName: 'Bench', lastName: 'User', role: ['client' as const], passwordHash: 'scrypt$N=16384,r=8,p=1$c2FsdA$a2V5' });
  const someone = await repo.create(input());
  const template = (await raw.findOne({ _id: new ObjectId(someone.id) }))!;
  const rawUser = () => clones(template, 1, (d) => { d['email'] = `raw${n++}@example.com`; d['createdAt'] = d['updatedAt'] = new Date(); })[0]!;
  await raw.insertMany(clones(template, LISTED_DOCS, (d, i) => { d['email'] = `listed${i}@example.com`; }));
  const rawTarget = (await raw.insertOne(rawUser())).insertedId;
  let name = 0;
  return {
    'insert one': { 'raw driver': () => raw.insertOne(rawUser()), SDK: () => repo.create(input()) },
    [`insert ${BATCH_SIZE.toLocaleString('en')} (one transaction)`]: {
      batch: true,
      'raw driver': () => inMongoTransaction(nexfit, async (session) => {
        for (let i = 0; i < BATCH_SIZE; i++) await raw.insertOne(rawUser(), { session });
      }),
      SDK: () => inMongoTransaction(nexfit, async (session) => {
        for (let i = 0; i < BATCH_SIZE; i++) await repo.create(input(), { mongo: session });
      }),
    },
    'get by id': {
      'raw driver': () => raw.findOne({ _id: new ObjectId(someone.id) }, { projection: { passwordHash: 0 } }),
      SDK: () => repo.getById(someone.id),
    },
    'list page (20, by role)': {
      'raw driver': () => raw.find({ role: 'client' }, { projection: { passwordHash: 0 } }).sort({ _id: 1 }).limit(21).toArray(),
      SDK: () => repo.listByRole('client', { limit: 20 }),
    },
    'patch (first name)': {
      'raw driver': () => rawPatch(raw, rawTarget, { firstName: `Raw${name++}` }, { passwordHash: 0 }),
      SDK: () => repo.patch(someone.id, { firstName: `Sdk${name++}` }),
    },
  };
}

async function workoutLogOperations(nexfit: Nexfit): Promise<Record<string, Operation>> {
  const repo = nexfit.repositories.workoutLogs;
  const raw = nexfit.mongo.db.collection('workout_logs');
  const athlete = new ObjectId().toHexString() as UserId;
  const input = () => {
    const start = new Date(Date.now() - 3_600_000);
    return { userId: athlete, startTime: start, endTime: new Date(start.getTime() + 3_000_000), duration: 50, notes: 'Leg day' };
  };
  const known = await repo.create(input());
  const template = (await raw.findOne({ _id: new ObjectId(known.id) }))!;
  const rawLog = () => clones(template, 1, (d) => { d['createdAt'] = d['updatedAt'] = new Date(); })[0]!;
  await raw.insertMany(clones(template, LISTED_DOCS, (d, i) => { d['startTime'] = new Date(Date.now() - i * 86_400_000); }));
  const rawTarget = (await raw.insertOne(rawLog())).insertedId;
  let note = 0;
  return {
    'insert one': { 'raw driver': () => raw.insertOne(rawLog()), SDK: () => repo.create(input()) },
    [`insert ${BATCH_SIZE.toLocaleString('en')} (one transaction)`]: {
      batch: true,
      'raw driver': () => inMongoTransaction(nexfit, async (session) => {
        for (let i = 0; i < BATCH_SIZE; i++) await raw.insertOne(rawLog(), { session });
      }),
      SDK: () => inMongoTransaction(nexfit, async (session) => {
        for (let i = 0; i < BATCH_SIZE; i++) await repo.create(input(), { mongo: session });
      }),
    },
    'get by id': { 'raw driver': () => raw.findOne({ _id: new ObjectId(known.id) }), SDK: () => repo.getById(known.id) },
    'list page (20, newest first)': {
      'raw driver': () => raw.find({ userId: template['userId'] }).sort({ startTime: -1, _id: -1 }).limit(21).toArray(),
      SDK: () => repo.listByUser(athlete, {}, { limit: 20 }),
    },
    'patch (notes)': {
      'raw driver': () => rawPatch(raw, rawTarget, { notes: `Raw ${note++}` }),
      SDK: () => repo.patch(known.id, { notes: `Sdk ${note++}` }),
    },
  };
}
