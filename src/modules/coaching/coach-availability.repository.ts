import type { Db } from 'mongodb';
import type { FacilityId, UserId } from '../../core/ids.js';
import { createDocumentCodec } from '../../stores/mongo/document-codec.js';
import { MongoRepository, type RepositoryDeps } from '../../stores/mongo/mongo-repository.js';
import type { StoreContext } from '../../stores/store-context.js';
import { COACH_AVAILABILITIES_COLLECTION } from './coach-availability.collection.js';
import {
  coachAvailabilitySchema,
  createCoachAvailabilityInputSchema,
  patchCoachAvailabilityInputSchema,
  type CoachAvailability,
} from './coach-availability.schema.js';

const definition = COACH_AVAILABILITIES_COLLECTION;
const { coachId: coachIdSchema, facilityId: facilityIdSchema } = coachAvailabilitySchema.shape;

/** A coach works at a handful of facilities; more is not a coach's availability. */
const FACILITIES_PER_COACH = 50;

/**
 * The `coach_availabilities` collection: CRUD, and a coach's availability at one facility or
 * at all of theirs, on the unique `coachId + facilityId` index.
 *
 * @example
 * ```ts
 * const availabilities = new CoachAvailabilityRepository(db, deps)
 * await availabilities.create({ coachId, facilityId, weekly: [{ day: 1, start: '09:00', end: '12:00' }] })
 * const atGym = await availabilities.findByCoachAndFacility(coachId, facilityId)
 * ```
 */
export class CoachAvailabilityRepository extends MongoRepository<CoachAvailability, typeof createCoachAvailabilityInputSchema, typeof patchCoachAvailabilityInputSchema> {
  constructor(db: Db, deps: RepositoryDeps) {
    super(
      db,
      {
        entity: 'coach availability',
        collection: definition.name,
        schemaVersion: definition.schemaVersion,
        entitySchema: coachAvailabilitySchema,
        idSchema: coachAvailabilitySchema.shape.id,
        createSchema: createCoachAvailabilityInputSchema,
        patchSchema: patchCoachAvailabilityInputSchema,
        codec: createDocumentCodec<CoachAvailability>(definition.storedSchema),
      },
      deps,
    );
  }

  /** The coach's availability at the facility, or `null`. */
  async findByCoachAndFacility(coachId: UserId, facilityId: FacilityId, ctx?: StoreContext): Promise<CoachAvailability | null> {
    return this.run('findByCoachAndFacility', async () =>
      this.findOneWhere({ coachId: this.#coach(coachId), facilityId: this.config.codec.toStoredValue('facilityId', this.parse(facilityIdSchema, facilityId)) }, ctx),
    );
  }

  /** The coach's availabilities at every facility, in the order they were first set. */
  async listByCoach(coachId: UserId, ctx?: StoreContext): Promise<CoachAvailability[]> {
    return this.run('listByCoach', async () => this.findAllWhere({ coachId: this.#coach(coachId) }, ctx, { sort: { _id: 1 }, limit: FACILITIES_PER_COACH }));
  }

  #coach(coachId: unknown) {
    return this.config.codec.toStoredValue('coachId', this.parse(coachIdSchema, coachId));
  }
}
