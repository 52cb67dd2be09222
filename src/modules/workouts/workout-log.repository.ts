import type { Db, Document, ObjectId } from 'mongodb';
import { z } from 'zod';
import type { ExerciseId, UserId, WorkoutTemplateId } from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { instantSchema } from '../../core/schema-primitives.js';
import { VALIDATION_MESSAGES as M } from '../../core/validation-messages.js';
import { createDocumentCodec } from '../../stores/mongo/document-codec.js';
import { upgradeOnRead } from '../../stores/mongo/document-migrations/upgrade-on-read.js';
import { WORKOUT_DOCUMENT_MIGRATIONS } from './workout.document-migrations.js';
import { MongoRepository, sessionOf, type RepositoryDeps } from '../../stores/mongo/mongo-repository.js';
import { timeRangeCondition, timeRangeSchema, type TimeRangeInput } from '../../stores/mongo/time-range.js';
import type { StoreContext } from '../../stores/store-context.js';
import { createWorkoutLogInputSchema, patchWorkoutLogInputSchema, workoutLogSchema, type WorkoutLog } from './workout-log.schema.js';
import { WORKOUT_LOGS_COLLECTION } from './workout-log.collection.js';
import { trainingStatisticsPipeline, type TrainingStatisticsRows } from './training-statistics.pipeline.js';
import { trainingStatisticsQuerySchema } from './training-statistics.js';

const definition = WORKOUT_LOGS_COLLECTION;

/** The longest window {@link WorkoutLogRepository.listByUserBetween} reads in one go. */
export const MAX_STATISTICS_WINDOW_DAYS = 366;

const DAY_MS = 24 * 60 * 60 * 1_000;
const statisticsWindowSchema = z
  .strictObject({ from: instantSchema, to: instantSchema })
  .refine((w) => w.from.getTime() < w.to.getTime(), { error: M.endAfterStart.en, path: ['to'] })
  .refine((w) => w.to.getTime() - w.from.getTime() <= MAX_STATISTICS_WINDOW_DAYS * DAY_MS, {
    error: M.statisticsWindow.en,
    path: ['to'],
  });

const userIdSchema = workoutLogSchema.shape.userId;
const templateIdSchema = workoutLogSchema.shape.workoutTemplateId.unwrap();

/**
 * The `workout_logs` collection: a user's history newest first and the logs of a template,
 * as keyset pages, and a user's whole window for statistics (volume, streaks, records), all
 * on the collection's indexes (`userId + startTime`, `workoutTemplateId`).
 *
 * @example
 * ```ts
 * const logs = new WorkoutLogRepository(db, deps)
 * const week = await logs.listByUserBetween(userId, '2026-03-02', '2026-03-09')
 * ```
 */
export class WorkoutLogRepository extends MongoRepository<WorkoutLog, typeof createWorkoutLogInputSchema, typeof patchWorkoutLogInputSchema> {
  constructor(db: Db, deps: RepositoryDeps) {
    super(
      db,
      {
        entity: 'workout log',
        collection: definition.name,
        schemaVersion: definition.schemaVersion,
        upgrade: upgradeOnRead(definition.name, WORKOUT_DOCUMENT_MIGRATIONS),
        entitySchema: workoutLogSchema,
        idSchema: workoutLogSchema.shape.id,
        createSchema: createWorkoutLogInputSchema,
        patchSchema: patchWorkoutLogInputSchema,
        codec: createDocumentCodec<WorkoutLog>(definition.storedSchema),
        encryptedFields: definition.encryptedFields,
        plaintextUntilRotated: definition.plaintextUntilRotated,
        archiveCollection: definition.archiveCollection,
      },
      deps,
    );
  }

  /**
   * The user's archived workouts (moved by `archiveOlderThan({ target: 'workout_logs' })`),
   * newest first: read like hot ones, heart rate opened. Exports read them.
   */
  async listArchivedByUser(userId: UserId, page?: PageRequest, ctx?: StoreContext): Promise<Page<WorkoutLog>> {
    return this.pageArchivedWhere('listArchivedByUser', { userId: this.#userObjectId(userId) }, [['startTime', -1]], page, ctx);
  }

  /** Deletes every archived workout of the user (an erasure); returns how many. */
  async deleteArchivedByUser(userId: UserId, ctx?: StoreContext): Promise<number> {
    return this.deleteArchivedWhere('deleteArchivedByUser', { userId: this.#userObjectId(userId) }, ctx);
  }

  /** The user's workouts that started in `[from, to)`, newest first. */
  async listByUser(userId: UserId, range: TimeRangeInput = {}, page?: PageRequest, ctx?: StoreContext): Promise<Page<WorkoutLog>> {
    const filter: Document = { userId: this.#userObjectId(userId) };
    const window = timeRangeCondition(this.parse(timeRangeSchema, range));
    if (window) filter['startTime'] = window;
    return this.pageWhere('listByUser', filter, [['startTime', -1]], page, ctx);
  }

  /** The workouts logged from a template, newest first. */
  async listByTemplate(templateId: WorkoutTemplateId, page?: PageRequest, ctx?: StoreContext): Promise<Page<WorkoutLog>> {
    const template = this.config.codec.toStoredValue('workoutTemplateId', this.parse(templateIdSchema, templateId));
    return this.pageWhere('listByTemplate', { workoutTemplateId: template }, [['_id', -1]], page, ctx);
  }

  /**
   * Every workout of the user that started in `[from, to)`, oldest first, for statistics.
   * The window is bounded (at most 366 days) so the result is.
   */
  async listByUserBetween(userId: UserId, from: Date | string, to: Date | string, ctx?: StoreContext): Promise<WorkoutLog[]> {
    return this.run('listByUserBetween', async () => {
      const window = this.parse(statisticsWindowSchema, { from, to });
      const filter = { userId: this.#userObjectId(userId), startTime: { $gte: window.from, $lt: window.to } };
      return this.findAllWhere(filter, ctx, { sort: { startTime: 1, _id: 1 } });
    });
  }

  /**
   * The training statistics rows of the user's workouts started in `[from, to)` (at most 366
   * days), weeks in `timeZone`: one aggregation on the `userId_startTime` index (see
   * `trainingStatisticsPipeline`); the logs never leave the database.
   */
  async trainingStatisticsRows(
    userId: UserId,
    query: { from: Date; to: Date; timeZone: string; exerciseIds?: readonly ExerciseId[] | undefined },
    ctx?: StoreContext,
  ): Promise<TrainingStatisticsRows> {
    return this.run('trainingStatisticsRows', async () => {
      const q = this.parse(trainingStatisticsQuerySchema, query);
      const pipeline = trainingStatisticsPipeline({
        userId: this.#userObjectId(userId) as ObjectId,
        from: q.from,
        to: q.to,
        timeZone: q.timeZone,
        exerciseIds: q.exerciseIds?.map((id) => this.config.codec.toObjectId(id)),
      });
      const [rows] = await this.collection.aggregate<TrainingStatisticsRows>(pipeline, sessionOf(ctx)).toArray();
      return rows ?? { weeks: [], sessions: [], muscles: [] };
    });
  }

  #userObjectId(userId: unknown) {
    return this.config.codec.toStoredValue('userId', this.parse(userIdSchema, userId));
  }
}
