import { ObjectId, type Collection, type Document } from 'mongodb';
import type { UserId } from '../../src/core/ids.js';
import type { Nexfit } from '../../src/create-nexfit.js';
import { contestant, measureAlternating, type Contestant, type Rounds } from '../alternating.js';
import type { BenchReport } from '../bench-report.js';
import { withSuiteStores } from '../bench-stores.js';
import type { BenchSuite } from './bench-suite.js';

const BULK = { max: 1.1 } as const;
/** Rounds of the 1 000-row loads. */
const SMALL_ROUNDS: Rounds = { warmup: 5, measured: 25 };
/** Rounds of the 100 000-row load: each writes 100 000 documents per contestant, so a few say enough. */
const LARGE_ROUNDS: Rounds = { warmup: 0, measured: 3 };

/**
 * `createMany` through the SDK's repositories vs one raw `insertMany` of the documents the SDK
 * stores (cloned from one it wrote, fresh `_id`s, the same indexed values as the SDK's rows),
 * on `workout_logs` (health data sealed) and
 * `users` (unique e-mail, phone number sealed with its blind index).
 */
export const bulkMongoSuite: BenchSuite = {
  name: 'bulk-mongo',
  title: 'MongoDB bulk create: createMany vs raw insertMany',
  async run({ report, mongoUri, pgAdminUrl }) {
    await withSuiteStores({ mongoUri, pgAdminUrl }, 'bulk_mongo', async ({ nexfit }) => {
      report.stores['MongoDB (bulk-mongo suite)'] = `${nexfit.stores.mongo.kind} connection to the run's MongoDB`;
      const logs = await workoutLogContestants(nexfit, 1_000);
      await compareAlternating(report, 'workout_logs: createMany 1,000', logs, nexfit.mongo.db.collection('workout_logs'), SMALL_ROUNDS);
      const users = await userContestants(nexfit, 1_000);
      await compareAlternating(report, 'users: createMany 1,000', users, nexfit.mongo.db.collection('users'), SMALL_ROUNDS);
      // Made only now: 100 000 inputs held through the other loads would make every collection of the heap slower for them.
      const manyLogs = await workoutLogContestants(nexfit, 100_000);
      await compareAlternating(report, 'workout_logs: createMany 100,000', manyLogs, nexfit.mongo.db.collection('workout_logs'), LARGE_ROUNDS);
    });
  },
};

interface Contestants {
  readonly raw: Contestant;
  readonly sdk: Contestant;
}

/**
 * The contestants take turns (so drift hits both alike), each writing its batch — made before
 * the clock starts — into an empty collection, emptied between turns outside the timing, and
 * the medians of `rounds.measured` turns are compared after `rounds.warmup` unmeasured ones.
 */
async function compareAlternating(report: BenchReport, group: string, contestants: Contestants, collection: Collection<Document>, rounds: Rounds): Promise<void> {
  const stats = await measureAlternating([contestants.raw, contestants.sdk], () => collection.deleteMany({}), rounds);
  const raw = stats.get(contestants.raw.name)!;
  report.addComparison(group, 'raw driver', raw);
  report.addComparison(group, 'SDK', stats.get(contestants.sdk.name)!, { name: 'raw driver', stats: raw }, BULK, `${rounds.measured} alternating rounds`);
}

/** `count` copies of a stored document, each with a fresh `_id` and whatever `vary` changes. */
function clones(template: Document, count: number, vary?: (doc: Document, i: number) => void): Document[] {
  return Array.from({ length: count }, (_, i) => {
    const doc: Document = { ...template, _id: new ObjectId() };
    vary?.(doc, i);
    return doc;
  });
}

/** Refuses a contestant's batch that did not write every row: a refused row would be a cheaper run. */
function allWritten(result: { readonly created: readonly unknown[]; readonly rejected: readonly unknown[] }, count: number): void {
  if (result.created.length !== count) throw new Error(`createMany wrote ${result.created.length} of ${count} rows: ${JSON.stringify(result.rejected.slice(0, 1))}`);
}

/** Contestants writing up to `rows` workout logs, each row its own start time, template and exercise. */
async function workoutLogContestants(nexfit: Nexfit, rows: number): Promise<Contestants> {
  const repo = nexfit.repositories.workoutLogs;
  const raw = nexfit.mongo.db.collection('workout_logs');
  const athlete = new ObjectId().toHexString() as UserId;
  const input = (i: number) => {
    const start = new Date(Date.UTC(2026, 0, 1) + i * 60_000);
    return {
      userId: athlete,
      workoutTemplateId: new ObjectId().toHexString(),
      startTime: start,
      endTime: new Date(start.getTime() + 3_000_000),
      duration: 50,
      exercises: [{ exerciseId: new ObjectId().toHexString(), sets: [{ reps: 10, weight: 60, completed: true }, { reps: 8, weight: 70, completed: true }, { reps: 6, weight: 80, completed: false }] }],
      biometrics: { heartRate: { min: 62, average: 128, max: 171 } },
      notes: 'Leg day',
    };
  };
  const inputs = Array.from({ length: rows }, (_, i) => input(i));
  const known = await repo.create(input(0));
  const template = (await raw.findOne({ _id: new ObjectId(known.id) }))!;
  const [exercise] = template['exercises'] as Document[];
  // The raw rows carry the same indexed values as the SDK's (each row its own start time and
  // template, as in `inputs`): identical keys in every clone would be a cheaper load for the server.
  const sameKeys = (d: Document, i: number) => {
    const row = inputs[i]!;
    d['startTime'] = row.startTime;
    d['endTime'] = row.endTime;
    d['workoutTemplateId'] = new ObjectId(row.workoutTemplateId);
    d['exercises'] = [{ ...exercise, exerciseId: new ObjectId(row.exercises[0]!.exerciseId) }];
    d['createdAt'] = d['updatedAt'] = new Date();
  };
  return {
    raw: contestant('raw driver', () => clones(template, rows, sameKeys), (docs) => raw.insertMany(docs)),
    sdk: contestant('SDK', () => inputs, async (batch) => allWritten(await repo.createMany(batch), rows)),
  };
}

async function userContestants(nexfit: Nexfit, rows: number): Promise<Contestants> {
  const repo = nexfit.repositories.users;
  const raw = nexfit.mongo.db.collection('users');
  let n = 0;
  const input = () => ({
    email: `bulk${n++}@example.com`,
    firstName: 'Bench',
    lastName: 'User',
    role: ['client' as const],
    phoneNumber: '+90 555 123 45 67',
    passwordHash: 'scrypt$N=16384,r=8,p=1$c2FsdA$a2V5',
  });
  const known = await repo.create(input());
  const template = (await raw.findOne({ _id: new ObjectId(known.id) }))!;
  return {
    raw: contestant('raw driver', () => clones(template, rows, (d) => { d['email'] = `raw${n++}@example.com`; d['createdAt'] = d['updatedAt'] = new Date(); }), (docs) => raw.insertMany(docs)),
    sdk: contestant('SDK', () => Array.from({ length: rows }, input), async (batch) => allWritten(await repo.createMany(batch), rows)),
  };
}
