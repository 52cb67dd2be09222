import type { Db, Document } from 'mongodb';
import { z } from 'zod';
import { patchSchemaOf, pickFields } from '../../core/entity-schema.js';
import { ConflictError, NotFoundError } from '../../core/errors.js';
import type { FacilityId, UserId } from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { coordinatesSchema, toGeoPoint, type Coordinates } from '../../core/schema-primitives.js';
import { createDocumentCodec } from '../../stores/mongo/document-codec.js';
import { MongoRepository, sessionOf, writeOptionsSchema, type RepositoryDeps, type WriteOptions } from '../../stores/mongo/mongo-repository.js';
import type { StoreContext } from '../../stores/store-context.js';
import {
  createFacilityInputSchema,
  FACILITY_TYPES,
  facilitySchema,
  patchFacilityInputSchema,
  staffMemberSchema,
  type Facility,
  type StaffMember,
} from './facility.schema.js';
import { FACILITIES_COLLECTION } from './facility.collection.js';

const definition = FACILITIES_COLLECTION;

/** The stored GeoJSON point the 2dsphere index is built on, read from the index definition. */
const GEO_FIELD = (() => {
  for (const index of definition.indexes) {
    const field = Object.entries(index.key).find(([, type]) => type === '2dsphere')?.[0];
    if (field) return field;
  }
  throw new Error('facilities has no 2dsphere index');
})();

/** Half the Earth's circumference: no two points are farther apart. */
const MAX_DISTANCE_METERS = 20_037_509;

const nearOptionsSchema = z.strictObject({
  maxDistanceMeters: z.number().positive().max(MAX_DISTANCE_METERS),
  type: z.enum(FACILITY_TYPES).optional(),
  /** Facilities offering every one of these amenities. */
  amenities: facilitySchema.shape.amenities.min(1).optional(),
  limit: z.number().int().min(1).max(200).default(20),
});

/** Where and what to look for around a point. */
export type FindNearOptions = z.input<typeof nearOptionsSchema>;

/** A facility found by {@link FacilityRepository.findNear}, with its great-circle distance. */
export interface FacilityNearby {
  readonly facility: Facility;
  readonly distanceMeters: number;
}

/** A new staff member; `joinedAt` defaults to now. */
const newStaffMemberSchema = staffMemberSchema.partial({ joinedAt: true });
export type NewStaffMemberInput = z.input<typeof newStaffMemberSchema>;

/** What may change about a staff member: role and permissions. */
const staffChangesSchema = patchSchemaOf(pickFields(staffMemberSchema.shape, ['role', 'permissions']));
export type StaffChangesInput = z.input<typeof staffChangesSchema>;

const facilityIdSchema = facilitySchema.shape.id;
const userIdSchema = facilitySchema.shape.ownerId;
/** Where a distance is written by `$geoNear`; never a stored field (the validator refuses unknown fields). */
const DISTANCE_FIELD = 'distanceMeters';

/**
 * The `facilities` collection: CRUD, the owner's and a staff member's facilities, nearest
 * facilities around a point, and staff changes that are atomic and version-checked.
 *
 * @example
 * ```ts
 * const facilities = new FacilityRepository(db, { clock: systemClock, ids: defaultIdGenerator })
 * const near = await facilities.findNear({ latitude: 40.99, longitude: 29.02 }, { maxDistanceMeters: 2_000, type: 'gym' })
 * near[0]?.facility.name; near[0]?.distanceMeters
 * ```
 */
export class FacilityRepository extends MongoRepository<Facility, typeof createFacilityInputSchema, typeof patchFacilityInputSchema> {
  constructor(db: Db, deps: RepositoryDeps) {
    super(
      db,
      {
        entity: 'facility',
        collection: definition.name,
        schemaVersion: definition.schemaVersion,
        cached: true,
        entitySchema: facilitySchema,
        idSchema: facilityIdSchema,
        createSchema: createFacilityInputSchema,
        patchSchema: patchFacilityInputSchema,
        codec: createDocumentCodec<Facility>(definition.storedSchema),
        derive: definition.derive,
        hiddenFields: definition.hiddenFields,
      },
      deps,
    );
  }

  /** The facilities `ownerId` owns, in creation order (index `ownerId`). */
  async listByOwner(ownerId: UserId, page?: PageRequest, ctx?: StoreContext): Promise<Page<Facility>> {
    return this.pageWhere('listByOwner', { ownerId: this.#userId('ownerId', ownerId) }, [], page, ctx);
  }

  /** The facilities where `userId` is on the staff, in creation order (index `staff.userId`). */
  async listByStaffMember(userId: UserId, page?: PageRequest, ctx?: StoreContext): Promise<Page<Facility>> {
    return this.pageWhere('listByStaffMember', { 'staff.userId': this.#userId('staff.userId', userId) }, [], page, ctx);
  }

  /**
   * The facilities within `maxDistanceMeters` of `point`, nearest first, with their
   * great-circle distance in metres (`$geoNear` on the 2dsphere index of the derived
   * GeoJSON point, SPEC decision 4). `amenities` keeps facilities offering all of them.
   */
  async findNear(point: Coordinates, options: FindNearOptions, ctx?: StoreContext): Promise<FacilityNearby[]> {
    return this.run('findNear', async () => {
      const origin = this.parse(coordinatesSchema, point);
      const { maxDistanceMeters, type, amenities, limit } = this.parse(nearOptionsSchema, options);
      const query: Document = {
        ...(type ? { type } : {}),
        ...(amenities ? { amenities: { $all: amenities } } : {}),
      };
      const hidden = definition.hiddenFields.map((field) => [field, 0] as const);
      const docs = await this.collection
        .aggregate(
          [
            { $geoNear: { near: toGeoPoint(origin), key: GEO_FIELD, distanceField: DISTANCE_FIELD, maxDistance: maxDistanceMeters, spherical: true, query } },
            { $limit: limit },
            { $project: Object.fromEntries(hidden) },
          ],
          sessionOf(ctx),
        )
        .toArray();
      return docs.map((doc) => {
        const { [DISTANCE_FIELD]: distance, ...stored } = doc;
        return { facility: this.fromStored(stored), distanceMeters: Number(distance) };
      });
    });
  }

  /**
   * Adds a staff member in one atomic update (bumping `version`); `ConflictError('duplicate_staff')`
   * when the user is already on the staff, `ConcurrencyError` on a stale `expectedVersion`.
   */
  async addStaff(facilityId: FacilityId, member: NewStaffMemberInput, options: WriteOptions = {}, ctx?: StoreContext): Promise<Facility> {
    return this.run('addStaff', async () => {
      const parsed = this.parse(newStaffMemberSchema, member);
      const staffMember: StaffMember = { ...parsed, joinedAt: parsed.joinedAt ?? this.deps.clock.now() };
      const stored = this.config.codec.toStoredValue('staff.$', staffMember) as Document;
      const userId = stored['userId'];
      const write = this.#writeOptions(options);
      const updated = await this.updateAtomically(facilityId, { 'staff.userId': { $ne: userId } }, { $push: { staff: stored } }, write, ctx);
      if (updated) return updated;
      throw new ConflictError('duplicate_staff', `User ${staffMember.userId} is already on the staff of facility ${String(facilityId)}`, {
        details: { facilityId: String(facilityId), userId: staffMember.userId },
      });
    });
  }

  /**
   * Changes a staff member's role or permissions in one atomic update; `NotFoundError` when
   * the user is not on the staff.
   */
  async updateStaff(facilityId: FacilityId, userId: UserId, changes: StaffChangesInput, options: WriteOptions = {}, ctx?: StoreContext): Promise<Facility> {
    return this.run('updateStaff', async () => {
      const member = this.#userId('staff.userId', userId);
      const parsed = this.parse(staffChangesSchema, changes);
      const $set = Object.fromEntries(Object.entries(parsed).filter(([, v]) => v !== undefined).map(([k, v]) => [`staff.$[member].${k}`, v]));
      const write = this.#writeOptions(options);
      const updated = await this.updateAtomically(facilityId, { 'staff.userId': member }, { $set }, { ...write, arrayFilters: [{ 'member.userId': member }] }, ctx);
      if (updated) return updated;
      throw this.#notOnStaff(facilityId, userId);
    });
  }

  /** Removes a staff member in one atomic update; `NotFoundError` when the user is not on the staff. */
  async removeStaff(facilityId: FacilityId, userId: UserId, options: WriteOptions = {}, ctx?: StoreContext): Promise<Facility> {
    return this.run('removeStaff', async () => {
      const member = this.#userId('staff.userId', userId);
      const write = this.#writeOptions(options);
      const updated = await this.updateAtomically(facilityId, { 'staff.userId': member }, { $pull: { staff: { userId: member } } }, write, ctx);
      if (updated) return updated;
      throw this.#notOnStaff(facilityId, userId);
    });
  }

  #userId(path: string, value: unknown): unknown {
    return this.config.codec.toStoredValue(path, this.parse(userIdSchema, value));
  }

  /** The caller's write options, strictly: nothing else (no `arrayFilters`) reaches the driver. */
  #writeOptions(options: WriteOptions): WriteOptions {
    const { expectedVersion } = this.parse(writeOptionsSchema, options);
    return expectedVersion === undefined ? {} : { expectedVersion };
  }

  #notOnStaff(facilityId: FacilityId, userId: UserId): NotFoundError {
    return new NotFoundError('staff member', `${String(userId)} of facility ${String(facilityId)}`);
  }
}
