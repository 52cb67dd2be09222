import type { Document, ObjectId } from 'mongodb';
import type { BodyArea } from '../../core/fitness-vocabulary.js';

/**
 * The catalogue collection the pipeline joins for muscles. Modules do not import each other:
 * the name and the two fields read (`metadata.bodyAreas`, `metadata.secondaryBodyAreas`) are
 * the catalogue's stored layout, checked by the training statistics tests.
 */
const EXERCISES = 'exercises';

/** How much one working set counts for a body area the exercise works secondarily (wger's rule). */
export const SECONDARY_MUSCLE_SHARE = 0.5;

/** What the training statistics pipeline reads: one user's logs started in `[from, to)`, weeks in `timeZone`. */
export interface TrainingStatisticsPipelineInput {
  readonly userId: ObjectId;
  readonly from: Date;
  readonly to: Date;
  /** An IANA time zone: the ISO week of a workout is the one of its local start date. */
  readonly timeZone: string;
  /** Only these exercises (and only workouts holding one of them); all when absent. */
  readonly exerciseIds?: readonly ObjectId[] | undefined;
}

/** One ISO week as the pipeline groups it (sums only: averages are taken from them). */
export interface TrainingWeekRow {
  readonly isoWeekYear: number;
  readonly isoWeek: number;
  readonly sessions: number;
  readonly workingSets: number;
  readonly warmupSets: number;
  readonly reps: number;
  readonly volume: number;
  /** Reps of the sets that make volume (a load, not body weight). */
  readonly loadedReps: number;
  readonly rpeSum: number;
  readonly rpeSets: number;
  readonly rirSum: number;
  readonly rirSets: number;
}

/** Working sets of one ISO week credited to one body area (1 per set, {@link SECONDARY_MUSCLE_SHARE} when secondary). */
export interface TrainingMuscleRow {
  readonly isoWeekYear: number;
  readonly isoWeek: number;
  readonly bodyArea: BodyArea;
  readonly sets: number;
}

/** The single document the pipeline returns. */
export interface TrainingStatisticsRows {
  readonly weeks: readonly TrainingWeekRow[];
  readonly muscles: readonly TrainingMuscleRow[];
}

const completed = { $eq: ['$set.completed', true] };
const ifWorking = (value: unknown, otherwise: unknown = 0) => ({ $cond: ['$working', value, otherwise] });
const isNumber = (path: string) => ({ $isNumber: path });

/**
 * The training statistics of one member as one MongoDB aggregation, run where the logs are:
 * `$match` on `userId` + `startTime` (the `userId_startTime` index), the ISO week of each
 * workout in the member's zone (`$isoWeekYear`/`$isoWeek` with `timezone`), `$unwind` of
 * exercises and sets, `$lookup` of each exercise's body areas, then `$facet` into sums per
 * week and working sets per week and body area. Only standard operators (MongoDB ≥ 5).
 *
 * Rules (design document decisions 30–31): only completed sets count; a `warmup` set is
 * counted apart and adds nothing else; every other completed set is a working set (drop sets,
 * timed holds included); volume is Σ reps × weight (kg) of working sets with reps and a load
 * that is not body weight; a body area the exercise works secondarily counts half a set.
 *
 * @example
 * ```ts
 * const [rows] = await db.collection('workout_logs').aggregate(trainingStatisticsPipeline({ userId, from, to, timeZone: 'Europe/Istanbul' })).toArray()
 * ```
 */
export function trainingStatisticsPipeline(input: TrainingStatisticsPipelineInput): Document[] {
  const ids = input.exerciseIds;
  const local = (op: '$isoWeekYear' | '$isoWeek') => ({ [op]: { date: '$startTime', timezone: input.timeZone } });
  const week = { isoWeekYear: '$isoWeekYear', isoWeek: '$isoWeek' };
  return [
    { $match: { userId: input.userId, startTime: { $gte: input.from, $lt: input.to }, ...(ids ? { 'exercises.exerciseId': { $in: ids } } : {}) } },
    { $project: { _id: 1, isoWeekYear: local('$isoWeekYear'), isoWeek: local('$isoWeek'), exercises: 1 } },
    // A workout without exercises is still a session: keep it through the unwinds.
    { $unwind: { path: '$exercises', preserveNullAndEmptyArrays: true } },
    ...(ids ? [{ $match: { 'exercises.exerciseId': { $in: ids } } }] : []),
    { $lookup: { from: EXERCISES, localField: 'exercises.exerciseId', foreignField: '_id', as: 'exercise' } },
    { $set: { exercise: { $first: '$exercise' } } },
    {
      $project: {
        isoWeekYear: 1,
        isoWeek: 1,
        set: '$exercises.sets',
        primary: { $ifNull: ['$exercise.metadata.bodyAreas', []] },
        secondary: { $ifNull: ['$exercise.metadata.secondaryBodyAreas', []] },
      },
    },
    { $unwind: { path: '$set', preserveNullAndEmptyArrays: true } },
    {
      $set: {
        warmup: { $and: [completed, { $eq: ['$set.type', 'warmup'] }] },
        working: { $and: [completed, { $ne: ['$set.type', 'warmup'] }] },
        reps: { $ifNull: ['$set.reps', 0] },
      },
    },
    {
      $set: {
        loaded: { $and: ['$working', { $gt: ['$reps', 0] }, { $gt: [{ $ifNull: ['$set.weight', 0] }, 0] }, { $ne: ['$set.bodyweight', true] }] },
        withRpe: { $and: ['$working', isNumber('$set.rpe')] },
        withRir: { $and: ['$working', isNumber('$set.rir')] },
      },
    },
    {
      $facet: {
        weeks: [
          {
            $group: {
              _id: week,
              sessions: { $addToSet: '$_id' },
              workingSets: { $sum: ifWorking(1) },
              warmupSets: { $sum: { $cond: ['$warmup', 1, 0] } },
              reps: { $sum: ifWorking('$reps') },
              volume: { $sum: { $cond: ['$loaded', { $multiply: ['$reps', '$set.weight'] }, 0] } },
              loadedReps: { $sum: { $cond: ['$loaded', '$reps', 0] } },
              rpeSum: { $sum: { $cond: ['$withRpe', '$set.rpe', 0] } },
              rpeSets: { $sum: { $cond: ['$withRpe', 1, 0] } },
              rirSum: { $sum: { $cond: ['$withRir', '$set.rir', 0] } },
              rirSets: { $sum: { $cond: ['$withRir', 1, 0] } },
            },
          },
          { $set: { isoWeekYear: '$_id.isoWeekYear', isoWeek: '$_id.isoWeek', sessions: { $size: '$sessions' } } },
          { $project: { _id: 0 } },
          { $sort: { isoWeekYear: 1, isoWeek: 1 } },
        ],
        muscles: [
          { $match: { working: true } },
          {
            $project: {
              isoWeekYear: 1,
              isoWeek: 1,
              credit: {
                $concatArrays: [
                  { $map: { input: '$primary', as: 'area', in: { bodyArea: '$$area', sets: 1 } } },
                  { $map: { input: '$secondary', as: 'area', in: { bodyArea: '$$area', sets: SECONDARY_MUSCLE_SHARE } } },
                ],
              },
            },
          },
          { $unwind: '$credit' },
          { $group: { _id: { ...week, bodyArea: '$credit.bodyArea' }, sets: { $sum: '$credit.sets' } } },
          { $project: { _id: 0, isoWeekYear: '$_id.isoWeekYear', isoWeek: '$_id.isoWeek', bodyArea: '$_id.bodyArea', sets: 1 } },
          { $sort: { isoWeekYear: 1, isoWeek: 1, bodyArea: 1 } },
        ],
      },
    },
  ];
}
