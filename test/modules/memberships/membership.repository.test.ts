import { ObjectId } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/core/clock.js';
import { ValidationError } from '../../../src/core/errors.js';
import { defaultIdGenerator, type FacilityId } from '../../../src/core/ids.js';
import { MembershipRepository } from '../../../src/modules/memberships/membership.repository.js';
import { membershipSchema } from '../../../src/modules/memberships/membership.schema.js';
import { MONGO_COLLECTIONS } from '../../../src/modules/mongo-collections.js';
import { ensureMongoCollections } from '../../../src/mongo-layout.js';
import { createInputs, oid } from '../support/factories.js';
import { describeMongoRepositoryContract, HOSTILE_IDS } from '../../support/mongo-repository-contract.js';
import { indexesUsed } from '../../support/mongo-explain.js';
import { useTestMongo } from '../../support/stores.js';

const mongo = useTestMongo();

const facility = (n: number) => oid(n) as FacilityId;
const CONTRACT_FACILITY = facility(900);

describeMongoRepositoryContract({
  entity: 'membership',
  collection: 'memberships',
  mongo,
  createRepository: (db, deps) => new MembershipRepository(db, deps),
  validInput: (n) => createInputs.memberships({ facilityId: CONTRACT_FACILITY, name: `Plan ${n}` }),
  invalidInput: createInputs.memberships({ price: -1 }),
  validPatch: { price: 1_750_00, isActive: false },
  list: (repository, page) => repository.listByFacility(CONTRACT_FACILITY, {}, page),
  entitySchema: membershipSchema,
});

describe('MembershipRepository', () => {
  let plans: MembershipRepository;
  const collection = () => mongo.db.collection(MONGO_COLLECTIONS.memberships.name);

  beforeAll(async () => {
    await ensureMongoCollections(mongo.db, { collections: [MONGO_COLLECTIONS.memberships] });
    plans = new MembershipRepository(mongo.db, { clock: fixedClock('2026-03-01T09:00:00Z'), ids: defaultIdGenerator });
  });

  it("lists a facility's plans in creation order, and only its own", async () => {
    const monthly = await plans.create(createInputs.memberships({ facilityId: facility(100), name: 'Aylık' }));
    const yearly = await plans.create(createInputs.memberships({ facilityId: facility(100), name: 'Yıllık', duration: { value: 1, unit: 'year' } }));
    await plans.create(createInputs.memberships({ facilityId: facility(101) }));
    expect((await plans.listByFacility(facility(100))).items).toEqual([monthly, yearly]);
  });

  it('leaves out the plans no longer sold when asked for active ones', async () => {
    const sold = await plans.create(createInputs.memberships({ facilityId: facility(110), name: 'Sold' }));
    const retired = await plans.create(createInputs.memberships({ facilityId: facility(110), name: 'Retired', isActive: false }));
    expect((await plans.listByFacility(facility(110), { activeOnly: true })).items).toEqual([sold]);
    expect((await plans.listByFacility(facility(110), { activeOnly: false })).items).toEqual([sold, retired]);
  });

  it.each(HOSTILE_IDS.map((v) => [JSON.stringify(v), v]))('refuses %s as a facility id', async (_label, id) => {
    await expect(plans.listByFacility(id as FacilityId)).rejects.toBeInstanceOf(ValidationError);
  });

  it('refuses unknown or operator-valued filters', async () => {
    await expect(plans.listByFacility(facility(110), { activeOnly: { $ne: false } } as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(plans.listByFacility(facility(110), { isActive: true } as never)).rejects.toBeInstanceOf(ValidationError);
  });

  it('serves the list from the facilityId_isActive index', async () => {
    expect(await indexesUsed(collection(), { facilityId: new ObjectId(facility(110)), isActive: true }, { _id: 1 })).toContain('facilityId_isActive');
  });
});
