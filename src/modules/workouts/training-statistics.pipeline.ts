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

/** The workouts of one ISO week that the pipeline read. */
export interface TrainingSessionRow {
  readonly isoWeekYear: number;
  readonly isoWeek: number;
  readonly sessions: number;
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
  readonly sessions: readonly TrainingSessionRow[];
  readonly muscles: readonly TrainingMuscleRow[];
}

const isNumber = (path: string) => ({ $isNumber: path });
const countIf = (condition: unknown) => ({ $sum: { $cond: [condition, 1, 0] } });
// A working set makes volume with reps and a load of its own (not body weight).
const loaded = { $and: [{ $gt: ['$set.reps', 0] }, { $gt: ['$set.weight', 0] }, { $ne: ['$set.bodyweight', true] }] };
const ofKind = (kind: string, value: unknown) => ({ $sum: { $cond: [{ $eq: ['$_id.kind', kind] }, value, 0] } });

export function trainingStatisticsPipeline(input: TrainingStatisticsPipelineInput): Document[] {
  const ids = input.exerciseIds;
  const local = (op: '$isoWeekYear' | '$isoWeek') => ({ [op]: { date: '$startTime', timezone: input.timeZone } });
  const week = { isoWeekYear: '$isoWeekYear', isoWeek: '$isoWeek' };
  return [
    { $match: { userId: input.userId, startTime: { $gte: input.from, $lt: input.to }, ...(ids ? { 'exercises.exerciseId': { $in: ids } } : {}) } },
    { $project: { _id: 1, isoWeekYear: local('$isoWeekYear'), isoWeek: local('$isoWeek'), exercises: 1 } },
    // A workout without exercises or sets is still a session: keep it through the unwinds.
    { $unwind: { path: '$exercises', preserveNullAndEmptyArrays: true } },
    ...(ids ? [{ $match: { 'exercises.exerciseId': { $in: ids } } }] : []),
    { $lookup: { from: EXERCISES, localField: 'exercises.exerciseId', foreignField: '_id', as: 'exercise' } },
    { $project: { isoWeekYear: 1, isoWeek: 1, set: '$exercises.sets', exercise: { $first: '$exercise' } } },
    { $unwind: { path: '$set', preserveNullAndEmptyArrays: true } },
    // One pass over the sets: sums per week, kind of set and the exercise's body areas (a few dozen groups).
    {
      $group: {
        _id: {
          ...week,
          kind: { $cond: [{ $ne: ['$set.completed', true] }, 'none', { $cond: [{ $eq: ['$set.type', 'warmup'] }, 'warmup', 'working'] }] },
          primary: { $ifNull: ['$exercise.metadata.bodyAreas', []] },
          secondary: { $ifNull: ['$exercise.metadata.secondaryBodyAreas', []] },
        },
        logs: { $addToSet: '$_id' },
        sets: { $sum: 1 },
        reps: { $sum: '$set.reps' },
        volume: { $sum: { $cond: [loaded, { $multiply: ['$set.reps', '$set.weight'] }, 0] } },
        loadedReps: { $sum: { $cond: [loaded, '$set.reps', 0] } },
        rpeSum: { $sum: '$set.rpe' },
        rpeSets: countIf(isNumber('$set.rpe')),
        rirSum: { $sum: '$set.rir' },
        rirSets: countIf(isNumber('$set.rir')),
      },
    },
    {
      $facet: {
        weeks: [
          {
            $group: {
              _id: { isoWeekYear: '$_id.isoWeekYear', isoWeek: '$_id.isoWeek' },
              workingSets: ofKind('working', '$sets'),
              warmupSets: ofKind('warmup', '$sets'),
              reps: ofKind('working', '$reps'),
              volume: ofKind('working', '$volume'),
              loadedReps: ofKind('working', '$loadedReps'),
              rpeSum: ofKind('working', '$rpeSum'),
              rpeSets: ofKind('working', '$rpeSets'),
              rirSum: ofKind('working', '$rirSum'),
              rirSets: ofKind('working', '$rirSets'),
            },
          },
          { $set: { isoWeekYear: '$_id.isoWeekYear', isoWeek: '$_id.isoWeek' } },
          { $project: { _id: 0 } },
          { $sort: { isoWeekYear: 1, isoWeek: 1 } },
        ],
        sessions: [
          { $unwind: '$logs' },
          { $group: { _id: { isoWeekYear: '$_id.isoWeekYear', isoWeek: '$_id.isoWeek', log: '$logs' } } },
          { $group: { _id: { isoWeekYear: '$_id.isoWeekYear', isoWeek: '$_id.isoWeek' }, sessions: { $sum: 1 } } },
          { $project: { _id: 0, isoWeekYear: '$_id.isoWeekYear', isoWeek: '$_id.isoWeek', sessions: 1 } },
          { $sort: { isoWeekYear: 1, isoWeek: 1 } },
        ],
        muscles: [
          { $match: { '_id.kind': 'working' } },
          {
            $project: {
              credit: {
                $concatArrays: [
                  { $map: { input: '$_id.primary', as: 'area', in: { bodyArea: '$$area', sets: '$sets' } } },
                  { $map: { input: '$_id.secondary', as: 'area', in: { bodyArea: '$$area', sets: { $multiply: ['$sets', SECONDARY_MUSCLE_SHARE] } } } },
                ],
              },
            },
          },
          { $unwind: '$credit' },
          { $group: { _id: { isoWeekYear: '$_id.isoWeekYear', isoWeek: '$_id.isoWeek', bodyArea: '$credit.bodyArea' }, sets: { $sum: '$credit.sets' } } },
          { $project: { _id: 0, isoWeekYear: '$_id.isoWeekYear', isoWeek: '$_id.isoWeek', bodyArea: '$_id.bodyArea', sets: 1 } },
          { $sort: { isoWeekYear: 1, isoWeek: 1, bodyArea: 1 } },
        ],
      },
    },
  ];
}
