import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../../src/core/errors.js';
import type { FacilityId, UserId } from '../../src/core/ids.js';
import { TestPaymentProvider } from '../../src/modules/billing/index.js';
import type { FitnessClass } from '../../src/modules/classes/index.js';
import type { CreateMembershipInput, Membership } from '../../src/modules/memberships/index.js';
import { createInputs } from '../modules/support/factories.js';
import { useTestNexfit } from '../support/nexfit.js';

const t = useTestNexfit({ clock: '2026-03-02T09:00:00Z', nexfit: { payments: new TestPaymentProvider() } });
const HOUR = 3_600_000;
/** Wednesday 2026-03-04 18:00 Istanbul. */
const WED_18 = new Date('2026-03-04T15:00:00Z');
/** Thursday 2026-03-05 18:00 Istanbul, the same ISO week. */
const THU_18 = new Date('2026-03-05T15:00:00Z');

const reasonOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof ConflictError ? e.reason : (e as Error).name));

describe('memberships valid at several facilities of one business', () => {
  let owner: UserId;
  let facilityA: FacilityId;
  let facilityB: FacilityId;
  let foreignFacility: FacilityId;
  let n = 0;

  const facility = async (ownerId: UserId) =>
    (await t.nexfit.repositories.facilities.create(createInputs.facilities({ ownerId, timezone: 'Europe/Istanbul', operatingHours: [{ day: 1, openTime: '06:00', closeTime: '23:00', isClosed: false }] }))).id;

  beforeAll(async () => {
    owner = t.nexfit.ids.newObjectId() as UserId;
    facilityA = await facility(owner);
    facilityB = await facility(owner);
    foreignFacility = await facility(t.nexfit.ids.newObjectId() as UserId);
  });

  async function plan(overrides: Partial<CreateMembershipInput> = {}): Promise<Membership> {
    n += 1;
    return t.nexfit.memberships.createPlan({ facilityId: facilityA, name: `Plan ${n}`, duration: { value: 1, unit: 'month' }, price: 1_200_00, limitations: { classesIncluded: true }, ...overrides });
  }

  async function member(of: Membership): Promise<UserId> {
    const userId = t.nexfit.ids.newObjectId() as UserId;
    await t.nexfit.workflows.purchaseMembership({ userId, membershipId: of.id, paymentMethod: 'card', autoRenew: false, idempotencyKey: `ml-${t.nexfit.ids.newUuid()}` });
    return userId;
  }

  const classAt = (facilityId: FacilityId, capacity = 10): Promise<FitnessClass> =>
    t.nexfit.classes.createClass(
      createInputs.classes({ facilityId, schedule: { startTime: WED_18, endTime: new Date(WED_18.getTime() + HOUR), recurrence: { frequency: 'daily' } }, location: { room: 'A', capacity } }),
    );
  const plansCount = () => t.nexfit.mongo.db.collection('memberships').countDocuments();

  it('copies the plan facilities onto the subscription at the purchase', async () => {
    const multi = await plan({ validAtFacilityIds: [facilityB] });
    expect(multi.validAtFacilityIds).toEqual([facilityB]);
    const userId = await member(multi);
    const { items } = await t.nexfit.memberships.listSubscriptionsByUser(userId);
    expect(items[0]!.validAtFacilityIds).toEqual([facilityB]);
  });

  it("lets a member of facility A's multi-location plan book a class at facility B", async () => {
    const userId = await member(await plan({ validAtFacilityIds: [facilityB] }));
    const atB = await classAt(facilityB);
    const booking = await t.nexfit.workflows.bookClass({ classId: atB.id, userId, occurrenceStart: WED_18 });
    expect(booking).toMatchObject({ classId: atB.id, userId, status: 'booked' });
  });

  it('lets a member of a multi-location plan check in at facility B', async () => {
    const userId = await member(await plan({ validAtFacilityIds: [facilityB], limitations: { classesIncluded: true, maxVisitsPerWeek: 3 } }));
    const visit = await t.nexfit.workflows.recordFacilityVisit({ userId, facilityId: facilityB });
    expect(visit).toMatchObject({ visitsThisWeek: 1, maxVisitsPerWeek: 3 });
  });

  it('refuses a member of a single-location plan at facility B', async () => {
    const userId = await member(await plan());
    const atB = await classAt(facilityB);
    expect(await reasonOf(t.nexfit.workflows.bookClass({ classId: atB.id, userId, occurrenceStart: WED_18 }))).toBe('membership_required');
    expect(await reasonOf(t.nexfit.workflows.recordFacilityVisit({ userId, facilityId: facilityB }))).toBe('membership_required');
    expect((await t.nexfit.repositories.classBookings.listByUser(userId)).items).toHaveLength(0);
  });

  it('counts the weekly visit limit per subscription across its facilities', async () => {
    const userId = await member(await plan({ validAtFacilityIds: [facilityB], limitations: { classesIncluded: true, maxVisitsPerWeek: 2 } }));
    expect((await t.nexfit.workflows.recordFacilityVisit({ userId, facilityId: facilityA })).visitsThisWeek).toBe(1);
    expect((await t.nexfit.workflows.recordFacilityVisit({ userId, facilityId: facilityB })).visitsThisWeek).toBe(2);
    expect(await reasonOf(t.nexfit.workflows.recordFacilityVisit({ userId, facilityId: facilityA }))).toBe('weekly_visit_limit_reached');
  });

  it('counts the weekly class-booking limit per subscription across its facilities', async () => {
    const userId = await member(await plan({ validAtFacilityIds: [facilityB], limitations: { classesIncluded: true, maxClassBookingsPerWeek: 1 } }));
    const atA = await classAt(facilityA);
    const atB = await classAt(facilityB);
    await t.nexfit.workflows.bookClass({ classId: atA.id, userId, occurrenceStart: WED_18 });
    expect(await reasonOf(t.nexfit.workflows.bookClass({ classId: atB.id, userId, occurrenceStart: THU_18 }))).toBe('weekly_limit_reached');
  });

  it('refuses a plan naming a facility of another owner, writing nothing', async () => {
    const before = await plansCount();
    const error = await t.nexfit.memberships.createPlan({ facilityId: facilityA, name: 'Şehir', duration: { value: 1, unit: 'month' }, price: 900_00, validAtFacilityIds: [facilityB, foreignFacility] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).reason).toBe('facility_not_in_business');
    expect((error as ConflictError).details).toMatchObject({ facilityId: facilityA, otherFacilityId: foreignFacility });
    expect(await plansCount()).toBe(before);
  });

  it('refuses a plan naming a missing facility, its own facility or a facility twice, writing nothing', async () => {
    const before = await plansCount();
    const base = { facilityId: facilityA, name: 'Şehir', duration: { value: 1, unit: 'month' as const }, price: 900_00 };
    await expect(t.nexfit.memberships.createPlan({ ...base, validAtFacilityIds: [t.nexfit.ids.newObjectId() as FacilityId] })).rejects.toBeInstanceOf(NotFoundError);
    await expect(t.nexfit.memberships.createPlan({ ...base, validAtFacilityIds: [facilityA] })).rejects.toBeInstanceOf(ValidationError);
    await expect(t.nexfit.memberships.createPlan({ ...base, validAtFacilityIds: [facilityB, facilityB] })).rejects.toBeInstanceOf(ValidationError);
    await expect(t.nexfit.memberships.createPlan({ ...base, validAtFacilityIds: ['nope' as FacilityId] })).rejects.toBeInstanceOf(ValidationError);
    expect(await plansCount()).toBe(before);
  });

  it('does not let a plan patch change the facilities it is valid at', async () => {
    const multi = await plan({ validAtFacilityIds: [facilityB] });
    await expect(t.nexfit.memberships.updatePlan(multi.id, { validAtFacilityIds: [] } as never)).rejects.toBeInstanceOf(ValidationError);
    expect((await t.nexfit.memberships.getPlan(multi.id)).validAtFacilityIds).toEqual([facilityB]);
  });
});
