import type { Db } from 'mongodb';
import type { FacilityId, UserId } from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { MONGO_COLLECTIONS } from '../../stores/mongo/collections.js';
import { createDocumentCodec } from '../../stores/mongo/document-codec.js';
import { MongoRepository, type KeysetSort, type RepositoryDeps } from '../../stores/mongo/mongo-repository.js';
import { timeRangeCondition, timeRangeSchema, type TimeRangeInput } from '../../stores/mongo/time-range.js';
import type { StoreContext } from '../../stores/store-context.js';
import { classSchema, createClassInputSchema, patchClassInputSchema, type FitnessClass } from './class.schema.js';

const definition = MONGO_COLLECTIONS.classes;

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
}
