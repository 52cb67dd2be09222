import { ObjectId, type Document } from 'mongodb';
import type { ExerciseId, UserId } from '../../src/core/ids.js';
import type { CreateWorkoutLogInput, WorkoutLog } from '../../src/modules/workouts/index.js';
import { trainingStatisticsPipeline } from '../../src/modules/workouts/training-statistics.pipeline.js';
import { withSuiteStores } from '../bench-stores.js';
import type { BenchSuite } from './bench-suite.js';

const DAY_MS = 86_400_000;
/** 400 members × 250 workouts = 100 000 workout logs. */
const MEMBERS = 400;
const LOGS_PER_MEMBER = 250;
const BATCH = 5_000;
const RAW = 'raw driver, the same pipeline';
const ZONE = 'Europe/Istanbul';
const YEAR = { from: new Date('2024-12-31T21:00:00Z'), to: new Date('2025-12-31T21:00:00Z'), timeZone: ZONE };

/**
 * Training statistics over a year for one member among 100 000 workout logs (400 members with
 * 250 workouts each, every 1.8 days from 1 January 2025: 203 of a member's workouts fall in
 * 2025), three exercises of four sets each (a warm-up, two straight sets, a drop set): the
 * SDK's `trainingStatistics` against the raw driver running the same aggregation (target ≤
 * 1.15), and against reading the year's logs through the SDK and computing in JavaScript.
 */
export const trainingStatsSuite: BenchSuite = {
  name: 'training-stats',
  title: 'training statistics: one aggregation vs fetching the logs, 100 000 workout logs',
  async run({ report, mongoUri, pgAdminUrl }) {
    await withSuiteStores({ mongoUri, pgAdminUrl }, 'training_stats', async ({ nexfit }) => {
      const catalog = nexfit.repositories.exercises;
      const make = async (name: string, bodyAreas: ('chest' | 'quadriceps' | 'glutes' | 'back')[], secondaryBodyAreas: ('triceps' | 'shoulders' | 'biceps' | 'hamstrings')[]) =>
        (await catalog.create({ name, isPublic: true, metadata: { bodyAreas, secondaryBodyAreas, type: 'strength', difficultyLevel: 'intermediate' } })).id;
      const exercises: ExerciseId[] = [await make('Bench Press', ['chest'], ['triceps', 'shoulders']), await make('Back Squat', ['quadriceps', 'glutes'], ['hamstrings']), await make('Barbell Row', ['back'], ['biceps'])];

      // One member's workouts through the SDK's bulk path; the other members' are copies of them.
      const member = new ObjectId().toHexString() as UserId;
      const start = Date.UTC(2025, 0, 1, 6);
      const inputs: CreateWorkoutLogInput[] = Array.from({ length: LOGS_PER_MEMBER }, (_, i) => ({
        userId: member,
        startTime: new Date(start + i * 1.8 * DAY_MS),
        exercises: exercises.map((exerciseId, e) => ({
          exerciseId,
          sets: [
            { type: 'warmup' as const, reps: 10, weight: 20, completed: true },
            { reps: 5, weight: 60 + e * 20 + (i % 10), rpe: 8, completed: true },
            { reps: 5, weightIn: { value: 135 + e * 45, unit: 'lb' as const }, rir: 2, completed: true },
            { type: 'drop' as const, reps: 8, weight: 40 + e * 10, completed: i % 7 !== 0 },
          ],
        })),
      }));
      await nexfit.repositories.workoutLogs.createMany(inputs);
      const logs = nexfit.mongo.db.collection('workout_logs');
      const stored = await logs.find({ userId: new ObjectId(member) }).toArray();
      let batch: Document[] = [];
      for (let m = 1; m < MEMBERS; m++) {
        const userId = new ObjectId();
        for (const doc of stored) {
          batch.push({ ...doc, _id: new ObjectId(), userId });
          if (batch.length === BATCH) {
            await logs.insertMany(batch);
            batch = [];
          }
        }
      }
      if (batch.length) await logs.insertMany(batch);
      const total = await logs.estimatedDocumentCount();
      report.note(`training-stats: ${total} workout logs, ${MEMBERS} members × ${LOGS_PER_MEMBER}; the measured member has ${await logs.countDocuments({ userId: new ObjectId(member), startTime: { $gte: YEAR.from, $lt: YEAR.to } })} in the year`);

      const pipeline = trainingStatisticsPipeline({ userId: new ObjectId(member), ...YEAR });
      await report.measure(
        'training statistics, one member, a year (weeks in Europe/Istanbul)',
        [
          { name: RAW, fn: async () => void (await logs.aggregate(pipeline).toArray()) },
          { name: 'SDK trainingStatistics', fn: async () => void (await nexfit.workoutLogs.trainingStatistics(member, YEAR)), baseline: RAW, target: { max: 1.15 } },
          { name: 'SDK reads the logs, JavaScript computes', fn: async () => void computeInJs(await nexfit.repositories.workoutLogs.listByUserBetween(member, YEAR.from, YEAR.to), await catalog.findManyByIds(exercises)), baseline: RAW },
        ],
        { time: 3000, iterations: 30 },
      );
    });
  },
};

/** The totals the pipeline computes, the straightforward way: every log in memory. */
function computeInJs(logs: readonly WorkoutLog[], catalog: readonly { id: string; metadata: { bodyAreas: readonly string[]; secondaryBodyAreas?: readonly string[] | undefined } }[]) {
  const areas = new Map(catalog.map((e) => [e.id, e.metadata]));
  const totals = { sessions: logs.length, workingSets: 0, warmupSets: 0, reps: 0, volume: 0, loadedReps: 0, perArea: new Map<string, number>() };
  for (const log of logs) {
    for (const entry of log.exercises) {
      const metadata = areas.get(entry.exerciseId);
      for (const set of entry.sets) {
        if (!set.completed) continue;
        if (set.type === 'warmup') {
          totals.warmupSets++;
          continue;
        }
        totals.workingSets++;
        totals.reps += set.reps ?? 0;
        if ((set.reps ?? 0) > 0 && (set.weight ?? 0) > 0 && set.bodyweight !== true) {
          totals.volume += set.reps! * set.weight!;
          totals.loadedReps += set.reps!;
        }
        for (const area of metadata?.bodyAreas ?? []) totals.perArea.set(area, (totals.perArea.get(area) ?? 0) + 1);
        for (const area of metadata?.secondaryBodyAreas ?? []) totals.perArea.set(area, (totals.perArea.get(area) ?? 0) + 0.5);
      }
    }
  }
  return totals;
}
