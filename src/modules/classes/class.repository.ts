import type { Db } from 'mongodb';
import type { FacilityId, UserId } from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { createDocumentCodec } from '../../stores/mongo/document-codec.js';
import { MongoRepository, sessionOf, type KeysetSort, type RepositoryDeps } from '../../stores/mongo/mongo-repository.js';
import { timeRangeCondition, timeRangeSchema, type TimeRangeInput } from '../../stores/mongo/time-range.js';
import type { StoreContext } from '../../stores/store-context.js';
import { classSchema, createClassInputSchema, patchClassInputSchema, type FitnessClass } from './class.schema.js';
import { CLASSES_COLLECTION } from './class.collection.js';

const definition = CLASSES_COLLECTION;

const BY_START: KeysetSort = [['schedule.startTime', 1]];

/**
 * The `classes` collection: a facility's timetable and an instructor's classes, ordered by
 * the first occurrence (`schedule.startTime`); expanding recurrences is the class service's job.
 *
 * @example
 * ```ts
 * const classes = new ClassRepository(db, { clock: systemClock, ids: defaultIdGenerator })
 * const { items } = await classes.listByFacility(facilityId, { from: weekStart, to: weekEnd })
 * ```
 */
export class ClassRepository extends MongoRepository<FitnessClass, typeof createClassInputSchema, typeof patchClassInputSchema> {
  constructor(db: Db, deps: RepositoryDeps) {
    super(
      db,
      {
        entity: 'class',
        collection: definition.name,
        schemaVersion: definition.schemaVersion,
        cached: true,
        entitySchema: classSchema,
        idSchema: classSchema.shape.id,
        createSchema: createClassInputSchema,
        patchSchema: patchClassInputSchema,
        codec: createDocumentCodec<FitnessClass>(definition.storedSchema),
      },
      deps,
    );
  }

  /**
   * A facility's classes whose first occurrence starts in `[from, to)`, earliest first
   * (index `facilityId_schedule_startTime`).
   */
  async listByFacility(facilityId: FacilityId, range: TimeRangeInput = {}, page?: PageRequest, ctx?: StoreContext): Promise<Page<FitnessClass>> {
    const id = this.config.codec.toStoredValue('facilityId', this.parse(classSchema.shape.facilityId, facilityId));
    const starts = timeRangeCondition(this.parse(timeRangeSchema, range));
    return this.pageWhere('listByFacility', { facilityId: id, ...(starts ? { 'schedule.startTime': starts } : {}) }, BY_START, page, ctx);
  }

  /** The classes `userId` teaches, earliest first (index `instructor.userId`). */
  async listByInstructor(userId: UserId, page?: PageRequest, ctx?: StoreContext): Promise<Page<FitnessClass>> {
    const id = this.config.codec.toStoredValue('instructor.userId', this.parse(classSchema.shape.instructor.shape.userId, userId));
    return this.pageWhere('listByInstructor', { 'instructor.userId': id }, BY_START, page, ctx);
  }

  /**
   * The user ids of every class's instructor (the `instructor.userId` index answers it),
   * for the job that keeps the instructors' names in step.
   */
  async listInstructorIds(ctx?: StoreContext): Promise<UserId[]> {
    return this.run('listInstructorIds', async () => {
      const ids = await this.collection.distinct('instructor.userId', {}, sessionOf(ctx));
      return ids.map((id) => String(id) as UserId);
    });
  }

  /**
   * Sets `instructor.name` to `name` on every class `userId` teaches under another name (the
   * copy of the user's name the timetable shows), bumping each class's version; returns how
   * many changed. Cached copies are dropped after commit.
   */
  async renameInstructor(userId: UserId, name: string, ctx?: StoreContext): Promise<number> {
    return this.run('renameInstructor', async () => {
      const id = this.config.codec.toStoredValue('instructor.userId', this.parse(classSchema.shape.instructor.shape.userId, userId));
      const newName = this.parse(classSchema.shape.instructor.shape.name, name);
      const filter = { 'instructor.userId': id, 'instructor.name': { $ne: newName } };
      const stale = await this.collection.find(filter, { ...sessionOf(ctx), projection: { _id: 1 } }).toArray();
      if (stale.length === 0) return 0;
      const result = await this.collection.updateMany(
        { _id: { $in: stale.map((d) => d['_id']) }, 'instructor.name': { $ne: newName } },
        { $set: { 'instructor.name': newName, updatedAt: this.deps.clock.now() }, $inc: { version: 1 } },
        sessionOf(ctx),
      );
      await this.invalidateCached(stale.map((d) => String(d['_id'])), ctx);
      return result.modifiedCount;
    });
  }
}
