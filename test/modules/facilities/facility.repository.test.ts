import { ObjectId } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/core/clock.js';
import { ConcurrencyError, ConflictError, NotFoundError, ValidationError } from '../../../src/core/errors.js';
import { defaultIdGenerator, type FacilityId, type UserId } from '../../../src/core/ids.js';
import type { Coordinates } from '../../../src/core/schema-primitives.js';
import { FacilityRepository } from '../../../src/modules/facilities/facility.repository.js';
import { facilitySchema, type CreateFacilityInput } from '../../../src/modules/facilities/facility.schema.js';
import { MONGO_COLLECTIONS } from '../../../src/modules/mongo-collections.js';
import { ensureMongoCollections } from '../../../src/mongo-layout.js';
import { createInputs, oid, T0 } from '../support/factories.js';
import { describeMongoRepositoryContract, HOSTILE_IDS, MISSING_ID } from '../../support/mongo-repository-contract.js';
import { indexesUsed, winningPlanStages } from '../../support/mongo-explain.js';
import { useTestMongo } from '../../support/stores.js';

const mongo = useTestMongo();

const user = (n: number) => oid(n) as UserId;
const CONTRACT_OWNER = user(900);

/** A facility at `coordinates`. */
function facilityAt(coordinates: Coordinates, overrides: Partial<CreateFacilityInput> = {}): CreateFacilityInput {
  const base = createInputs.facilities();
  return createInputs.facilities({ address: { ...base.address, coordinates }, ...overrides });
}

/** Great-circle distance on MongoDB's sphere (radius 6 378.1 km), in metres. */
function sphereDistance(a: Coordinates, b: Coordinates): number {
  const rad = (d: number) => (d * Math.PI) / 180;
  const h = Math.sin(rad(b.latitude - a.latitude) / 2) ** 2 + Math.cos(rad(a.latitude)) * Math.cos(rad(b.latitude)) * Math.sin(rad(b.longitude - a.longitude) / 2) ** 2;
  return 2 * 6_378_100 * Math.asin(Math.sqrt(h));
}

describeMongoRepositoryContract({
  entity: 'facility',
  collection: 'facilities',
  mongo,
  createRepository: (db, deps) => new FacilityRepository(db, deps),
  validInput: (n) => createInputs.facilities({ name: `Gym ${n}`, ownerId: CONTRACT_OWNER }),
  invalidInput: createInputs.facilities({ type: 'spa' as never }),
  validPatch: { name: 'Moda Gym & Spa' },
  list: (repository, page) => repository.listByOwner(CONTRACT_OWNER, page),
  entitySchema: facilitySchema,
});

describe('FacilityRepository', () => {
  let facilities: FacilityRepository;
  const collection = () => mongo.db.collection(MONGO_COLLECTIONS.facilities.name);
  const clock = fixedClock('2026-03-01T09:00:00Z');

  beforeAll(async () => {
    await ensureMongoCollections(mongo.db, { collections: [MONGO_COLLECTIONS.facilities] });
    facilities = new FacilityRepository(mongo.db, { clock, ids: defaultIdGenerator });
  });

  describe('owner and staff lists', () => {
    it("lists an owner's facilities, and only theirs", async () => {
      const mine = [await facilities.create(createInputs.facilities({ ownerId: user(100), name: 'A' })), await facilities.create(createInputs.facilities({ ownerId: user(100), name: 'B' }))];
      await facilities.create(createInputs.facilities({ ownerId: user(101) }));
      expect((await facilities.listByOwner(user(100))).items).toEqual(mine);
      expect((await facilities.listByOwner(user(102))).items).toEqual([]);
    });

    it('lists the facilities where a user is on the staff', async () => {
      const joined = { userId: user(110), role: 'receptionist' as const, permissions: ['check_in_members' as const], joinedAt: T0 };
      const withStaff = await facilities.create(createInputs.facilities({ ownerId: user(111), staff: [joined] }));
      await facilities.create(createInputs.facilities({ ownerId: user(111), staff: [] }));
      expect((await facilities.listByStaffMember(user(110))).items).toEqual([withStaff]);
    });

    it.each(HOSTILE_IDS.map((v) => [JSON.stringify(v), v]))('refuses %s as an owner or staff id', async (_label, id) => {
      await expect(facilities.listByOwner(id as UserId)).rejects.toBeInstanceOf(ValidationError);
      await expect(facilities.listByStaffMember(id as UserId)).rejects.toBeInstanceOf(ValidationError);
    });

    it('serves the owner list from the ownerId index', async () => {
      expect(await indexesUsed(collection(), { ownerId: new ObjectId(user(100)) }, { _id: 1 })).toContain('ownerId');
    });

    it('serves the staff list from the staff.userId index', async () => {
      expect(await indexesUsed(collection(), { 'staff.userId': new ObjectId(user(110)) }, { _id: 1 })).toContain('staff_userId');
    });
  });

  describe('nearest facilities', () => {
    const origin: Coordinates = { latitude: 41.5, longitude: 30.5 };
    const points = {
      north500: { latitude: 41.5045, longitude: 30.5 },
      east800: { latitude: 41.5, longitude: 30.5096 },
      north1500: { latitude: 41.5135, longitude: 30.5 },
      far10k: { latitude: 41.59, longitude: 30.5 },
    };
    let ids: Record<keyof typeof points, string>;

    beforeAll(async () => {
      const owner = user(120);
      ids = {
        north500: (await facilities.create(facilityAt(points.north500, { ownerId: owner, name: 'North 500', amenities: ['sauna', 'pool'] }))).id,
        east800: (await facilities.create(facilityAt(points.east800, { ownerId: owner, name: 'East 800', type: 'studio', amenities: ['sauna'] }))).id,
        north1500: (await facilities.create(facilityAt(points.north1500, { ownerId: owner, name: 'North 1500', amenities: ['pool', 'sauna', 'parking'] }))).id,
        far10k: (await facilities.create(facilityAt(points.far10k, { ownerId: owner, name: 'Far', amenities: ['sauna', 'pool'] }))).id,
      };
    });

    it('returns the facilities within the radius, nearest first, with distances in metres', async () => {
      const near = await facilities.findNear(origin, { maxDistanceMeters: 2_000 });
      expect(near.map((n) => n.facility.id)).toEqual([ids.north500, ids.east800, ids.north1500]);
      for (const { facility, distanceMeters } of near) {
        const expected = sphereDistance(origin, facility.address.coordinates);
        expect(Math.abs(distanceMeters - expected)).toBeLessThan(expected * 0.005);
      }
      expect(near[0]!.distanceMeters).toBeGreaterThan(490);
      expect(near[0]!.distanceMeters).toBeLessThan(510);
    });

    it('returns API facilities without the stored GeoJSON point', async () => {
      const [first] = await facilities.findNear(origin, { maxDistanceMeters: 1_000, limit: 1 });
      expect(first!.facility).toEqual(await facilities.getById(ids.north500));
      expect(first!.facility.address).not.toHaveProperty('location');
      expect(() => facilitySchema.parse(first!.facility)).not.toThrow();
    });

    it('filters by type and by amenities (all of them), and honours the limit', async () => {
      expect((await facilities.findNear(origin, { maxDistanceMeters: 20_000, type: 'studio' })).map((n) => n.facility.id)).toEqual([ids.east800]);
      const withPool = await facilities.findNear(origin, { maxDistanceMeters: 20_000, amenities: ['pool', 'sauna'] });
      expect(withPool.map((n) => n.facility.id)).toEqual([ids.north500, ids.north1500, ids.far10k]);
      expect((await facilities.findNear(origin, { maxDistanceMeters: 20_000, limit: 2 })).map((n) => n.facility.id)).toEqual([ids.north500, ids.east800]);
    });

    it('finds nothing where there is nothing', async () => {
      expect(await facilities.findNear({ latitude: -41.5, longitude: -30.5 }, { maxDistanceMeters: 50_000 })).toEqual([]);
    });

    it('refuses impossible coordinates and malformed options', async () => {
      const refused: [Coordinates, unknown][] = [
        [{ latitude: 95, longitude: 30 }, { maxDistanceMeters: 1_000 }],
        [{ latitude: { $gt: 0 } as unknown as number, longitude: 30 }, { maxDistanceMeters: 1_000 }],
        [origin, { maxDistanceMeters: 0 }],
        [origin, { maxDistanceMeters: { $gt: 0 } }],
        [origin, { maxDistanceMeters: 1_000, type: { $ne: 'gym' } }],
        [origin, { maxDistanceMeters: 1_000, amenities: { $all: [] } }],
        [origin, { maxDistanceMeters: 1_000, limit: 10_000 }],
        [origin, { maxDistanceMeters: 1_000, $where: 'true' }],
      ];
      for (const [point, options] of refused) {
        await expect(facilities.findNear(point, options as never)).rejects.toBeInstanceOf(ValidationError);
      }
    });

    it('is served by the 2dsphere index of the derived GeoJSON point', async () => {
      const filter = { 'address.location': { $nearSphere: { $geometry: { type: 'Point', coordinates: [origin.longitude, origin.latitude] }, $maxDistance: 2_000 } } };
      const stages = await winningPlanStages(collection(), filter);
      expect(stages.map((s) => s.stage)).toContain('GEO_NEAR_2DSPHERE');
      expect(stages.map((s) => s.stage)).not.toContain('COLLSCAN');
    });
  });

  describe('staff', () => {
    const member = (n: number) => ({ userId: user(n), role: 'coach' as const, permissions: ['manage_classes' as const] });

    it('adds a staff member atomically, bumping the version and dating the join now', async () => {
      clock.set('2026-03-05T10:00:00Z');
      const created = await facilities.create(createInputs.facilities({ staff: [] }));
      const updated = await facilities.addStaff(created.id, member(130));
      expect(updated.version).toBe(2);
      expect(updated.updatedAt).toEqual(new Date('2026-03-05T10:00:00Z'));
      expect(updated.staff).toEqual([{ ...member(130), joinedAt: new Date('2026-03-05T10:00:00Z') }]);
      expect(await facilities.getById(created.id)).toEqual(updated);
      expect((await facilities.listByStaffMember(user(130))).items.map((f) => f.id)).toEqual([created.id]);
    });

    it('refuses a user already on the staff, changing nothing', async () => {
      const created = await facilities.create(createInputs.facilities({ staff: [{ ...member(131), joinedAt: T0 }] }));
      const error = await facilities.addStaff(created.id, member(131)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect(error).toMatchObject({ reason: 'duplicate_staff' });
      expect(await facilities.getById(created.id)).toEqual(created);
    });

    it('keeps every one of several concurrent additions', async () => {
      const created = await facilities.create(createInputs.facilities({ staff: [] }));
      await Promise.all([140, 141, 142, 143, 144].map((n) => facilities.addStaff(created.id, member(n))));
      const after = await facilities.getById(created.id);
      expect(after.version).toBe(6);
      expect(after.staff.map((s) => s.userId).sort()).toEqual([140, 141, 142, 143, 144].map(user));
    });

    it('changes the role and permissions of one staff member only', async () => {
      const created = await facilities.create(createInputs.facilities({ staff: [{ ...member(150), joinedAt: T0 }, { ...member(151), joinedAt: T0 }] }));
      const updated = await facilities.updateStaff(created.id, user(151), { role: 'manager', permissions: ['manage_staff', 'view_reports'] });
      expect(updated.staff).toEqual([
        { ...member(150), joinedAt: T0 },
        { userId: user(151), role: 'manager', permissions: ['manage_staff', 'view_reports'], joinedAt: T0 },
      ]);
      expect(updated.version).toBe(2);
      expect(await facilities.getById(created.id)).toEqual(updated);
    });

    it('removes a staff member', async () => {
      const created = await facilities.create(createInputs.facilities({ staff: [{ ...member(160), joinedAt: T0 }, { ...member(161), joinedAt: T0 }] }));
      const updated = await facilities.removeStaff(created.id, user(160));
      expect(updated.staff.map((s) => s.userId)).toEqual([user(161)]);
      expect(updated.version).toBe(2);
    });

    it('answers NotFoundError for an unknown staff member or facility', async () => {
      const created = await facilities.create(createInputs.facilities({ staff: [] }));
      await expect(facilities.updateStaff(created.id, user(170), { role: 'manager' })).rejects.toBeInstanceOf(NotFoundError);
      await expect(facilities.removeStaff(created.id, user(170))).rejects.toBeInstanceOf(NotFoundError);
      await expect(facilities.addStaff(MISSING_ID as FacilityId, member(170))).rejects.toBeInstanceOf(NotFoundError);
      expect(await facilities.getById(created.id)).toEqual(created);
    });

    it('refuses a stale expectedVersion with a ConcurrencyError, changing nothing', async () => {
      const created = await facilities.create(createInputs.facilities({ staff: [{ ...member(180), joinedAt: T0 }] }));
      const patched = await facilities.patch(created.id, { name: 'Renamed' });
      await expect(facilities.addStaff(created.id, member(181), { expectedVersion: 1 })).rejects.toBeInstanceOf(ConcurrencyError);
      await expect(facilities.updateStaff(created.id, user(180), { role: 'manager' }, { expectedVersion: 1 })).rejects.toBeInstanceOf(ConcurrencyError);
      await expect(facilities.removeStaff(created.id, user(180), { expectedVersion: 1 })).rejects.toBeInstanceOf(ConcurrencyError);
      expect(await facilities.getById(created.id)).toEqual(patched);
      expect((await facilities.addStaff(created.id, member(181), { expectedVersion: 2 })).version).toBe(3);
    });

    it('refuses invalid staff input, changing nothing', async () => {
      const created = await facilities.create(createInputs.facilities({ staff: [{ ...member(190), joinedAt: T0 }] }));
      const refusals = [
        facilities.addStaff(created.id, { ...member(191), permissions: ['fly'] } as never),
        facilities.addStaff(created.id, { ...member(191), userId: { $gt: '' } } as never),
        facilities.addStaff(created.id, { ...member(191), extra: 1 } as never),
        facilities.updateStaff(created.id, user(190), {}),
        facilities.updateStaff(created.id, user(190), { userId: user(199) } as never),
        facilities.updateStaff(created.id, { $ne: null } as unknown as UserId, { role: 'manager' }),
        facilities.removeStaff(created.id, { $ne: null } as unknown as UserId),
        facilities.addStaff(created.id, member(191), { expectedVersion: { $gt: 0 } } as never),
        facilities.removeStaff(created.id, user(190), { arrayFilters: [{ 'x.userId': { $exists: true } }] } as never),
      ];
      for (const refusal of refusals) await expect(refusal).rejects.toBeInstanceOf(ValidationError);
      expect(await facilities.getById(created.id)).toEqual(created);
    });
  });

  it("runs its staff updates in the caller's session: an aborted transaction changes nothing", async () => {
    const created = await facilities.create(createInputs.facilities({ staff: [] }));
    const session = mongo.client.startSession();
    try {
      session.startTransaction();
      const ctx = { mongo: session };
      await facilities.addStaff(created.id, { userId: user(600), role: 'manager', permissions: ['manage_staff'] }, {}, ctx);
      expect((await facilities.listByStaffMember(user(600), {}, ctx)).items.map((f) => f.id)).toEqual([created.id]);
      await facilities.removeStaff(created.id, user(600), {}, ctx);
      await session.abortTransaction();
    } finally {
      await session.endSession();
    }
    expect(await facilities.getById(created.id)).toEqual(created);
  });
});
