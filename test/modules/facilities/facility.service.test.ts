import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../../../src/core/errors.js';
import type { FacilityId, UserId } from '../../../src/core/ids.js';
import type { Coordinates } from '../../../src/core/schema-primitives.js';
import { AuditLogRepository } from '../../../src/modules/audit/audit-log.repository.js';
import { createFacilitiesModule, type CreateFacilityInput, type FacilityService, type OperatingHours } from '../../../src/modules/facilities/index.js';
import { useTestNexfit } from '../../support/nexfit.js';

const t = useTestNexfit({ clock: '2026-03-02T09:00:00Z' });

let seq = 0;
const newUser = () => t.nexfit.ids.newObjectId() as UserId;
const MODA: Coordinates = { latitude: 40.9849, longitude: 29.0257 };

function facilityInput(overrides: Partial<CreateFacilityInput> = {}): CreateFacilityInput {
  seq += 1;
  return {
    name: `Facility ${seq}`,
    type: 'gym',
    ownerId: newUser(),
    address: { street: 'Moda Cd. 1', city: 'İstanbul', country: 'TR', coordinates: MODA },
    ...overrides,
  };
}

const open = (day: number, openTime: string, closeTime: string): OperatingHours => ({ day: day as OperatingHours['day'], openTime, closeTime, isClosed: false });
const at = (iso: string) => new Date(iso);

describe('FacilityService', () => {
  let service: FacilityService;
  let audit: AuditLogRepository;

  beforeAll(() => {
    service = createFacilitiesModule(t.nexfit.mongo.db, t.nexfit.pg, t.deps).service;
    audit = new AuditLogRepository(t.nexfit.pg, t.deps);
  });

  describe('create and update', () => {
    it('creates a facility in Europe/Istanbul by default and records an audit row', async () => {
      const facility = await service.create(facilityInput());
      expect(facility.timezone).toBe('Europe/Istanbul');
      const rows = await audit.listByEntity('facilities', facility.id);
      expect(rows.items.map((r) => r.action)).toEqual(['create']);
    });

    it('refuses hostile input without writing anything', async () => {
      const owner = newUser();
      await expect(service.create(facilityInput({ ownerId: owner, timezone: 'Mars/Olympus' }))).rejects.toBeInstanceOf(ValidationError);
      await expect(service.create({ ...facilityInput({ ownerId: owner }), $where: 'x' } as never)).rejects.toBeInstanceOf(ValidationError);
      expect((await service.listByOwner(owner)).items).toEqual([]);
    });

    it('updates fields and audits before and after, but refuses staff through a patch', async () => {
      const facility = await service.create(facilityInput());
      const updated = await service.update(facility.id, { name: 'Moda Gym & Spa', amenities: ['sauna'] }, { expectedVersion: facility.version });
      expect(updated.name).toBe('Moda Gym & Spa');
      await expect(service.update(facility.id, { staff: [] })).rejects.toMatchObject({ reason: 'staff_via_staff_operations' });
      const rows = (await audit.listByEntity('facilities', facility.id)).items;
      const update = rows.find((r) => r.action === 'update');
      expect(update?.previousState).toMatchObject({ name: facility.name });
      expect(update?.newState).toMatchObject({ name: 'Moda Gym & Spa' });
    });
  });

  describe('staff and permissions', () => {
    it('gives the owner every permission and strangers none', async () => {
      const facility = await service.create(facilityInput());
      expect(await service.hasPermission(facility.id, facility.ownerId, 'manage_billing')).toBe(true);
      expect(await service.hasPermission(facility.id, newUser(), 'view_members')).toBe(false);
    });

    it("adds a staff member with the role's default permissions and audits it", async () => {
      const facility = await service.create(facilityInput());
      const receptionist = newUser();
      await service.addStaff(facility.id, { userId: receptionist, role: 'receptionist' });
      expect(await service.hasPermission(facility.id, receptionist, 'check_in_members')).toBe(true);
      expect(await service.hasPermission(facility.id, receptionist, 'manage_billing')).toBe(false);
      const rows = (await audit.listByEntity('facilities', facility.id)).items;
      expect(rows.find((r) => r.action === 'staff.add')?.newState).toMatchObject({ userId: receptionist, role: 'receptionist' });
    });

    it('changes permissions and removes staff, after which nothing is allowed', async () => {
      const facility = await service.create(facilityInput());
      const coach = newUser();
      await service.addStaff(facility.id, { userId: coach, role: 'coach', permissions: ['view_members'] });
      expect(await service.hasPermission(facility.id, coach, 'manage_classes')).toBe(false);
      await service.changeStaff(facility.id, coach, { permissions: ['view_members', 'manage_classes'] });
      expect(await service.hasPermission(facility.id, coach, 'manage_classes')).toBe(true);
      await service.removeStaff(facility.id, coach);
      expect(await service.hasPermission(facility.id, coach, 'view_members')).toBe(false);
      await expect(service.removeStaff(facility.id, coach)).rejects.toBeInstanceOf(NotFoundError);
    });

    it('refuses the owner as staff and a duplicate staff member', async () => {
      const facility = await service.create(facilityInput());
      await expect(service.addStaff(facility.id, { userId: facility.ownerId, role: 'manager' })).rejects.toMatchObject({ reason: 'owner_is_not_staff' });
      const coach = newUser();
      await service.addStaff(facility.id, { userId: coach, role: 'coach' });
      await expect(service.addStaff(facility.id, { userId: coach, role: 'coach' })).rejects.toBeInstanceOf(ConflictError);
    });

    it('adds concurrent hires exactly once each', async () => {
      const facility = await service.create(facilityInput());
      const hires = Array.from({ length: 10 }, newUser);
      await Promise.all(hires.map((userId) => service.addStaff(facility.id, { userId, role: 'instructor' })));
      const after = await service.getById(facility.id);
      expect(after.staff.map((s) => s.userId).sort()).toEqual([...hires].sort());
    });

    it('refuses an unknown permission name', async () => {
      const facility = await service.create(facilityInput());
      await expect(service.hasPermission(facility.id, facility.ownerId, 'launch_rockets' as never)).rejects.toBeInstanceOf(ValidationError);
    });
  });

  describe('opening hours in the facility time zone', () => {
    // Europe/Berlin: CET (UTC+1) until 2026-03-29 02:00, CEST (UTC+2) until 2026-10-25 03:00.
    const berlin = (hours: OperatingHours[]) => service.create(facilityInput({ timezone: 'Europe/Berlin', operatingHours: hours }));

    it('reads 06:00 on Sunday as 05:00Z before the March change and 04:00Z on the change day', async () => {
      const gym = await berlin([open(6, '06:00', '22:00'), open(0, '06:00', '22:00')]);
      expect(await service.isOpenAt(gym, at('2026-03-28T04:59:00Z'))).toBe(false);
      expect(await service.isOpenAt(gym, at('2026-03-28T05:00:00Z'))).toBe(true);
      expect(await service.isOpenAt(gym, at('2026-03-29T03:59:00Z'))).toBe(false);
      expect(await service.isOpenAt(gym.id, at('2026-03-29T04:00:00Z'))).toBe(true);
      expect(await service.isOpenAt(gym.id, at('2026-03-29T19:59:00Z'))).toBe(true); // 21:59 CEST
      expect(await service.isOpenAt(gym.id, at('2026-03-29T20:00:00Z'))).toBe(false); // 22:00 CEST
    });

    it('reads 06:00 on the October change day as 05:00Z (back on CET)', async () => {
      const gym = await berlin([open(6, '06:00', '22:00'), open(0, '06:00', '22:00')]);
      expect(await service.isOpenAt(gym, at('2026-10-24T04:00:00Z'))).toBe(true); // 06:00 CEST
      expect(await service.isOpenAt(gym, at('2026-10-25T04:30:00Z'))).toBe(false); // 05:30 CET
      expect(await service.isOpenAt(gym, at('2026-10-25T05:00:00Z'))).toBe(true); // 06:00 CET
      expect(await service.isOpenAt(gym, at('2026-10-25T20:59:00Z'))).toBe(true); // 21:59 CET
      expect(await service.isOpenAt(gym, at('2026-10-25T21:00:00Z'))).toBe(false);
    });

    it('keeps a Saturday night opening past midnight open into Sunday, across both changes', async () => {
      const club = await berlin([open(6, '22:00', '02:00')]);
      // Spring: 02:00 does not exist on 29 March, so the night closes at 03:00 CEST = 01:00Z.
      expect(await service.isOpenAt(club, at('2026-03-28T20:59:00Z'))).toBe(false);
      expect(await service.isOpenAt(club, at('2026-03-28T21:00:00Z'))).toBe(true);
      expect(await service.isOpenAt(club, at('2026-03-29T00:59:00Z'))).toBe(true);
      expect(await service.isOpenAt(club, at('2026-03-29T01:00:00Z'))).toBe(false);
      // Autumn: 02:00 happens twice on 25 October; the night ends at the first one (00:00Z).
      expect(await service.isOpenAt(club, at('2026-10-24T20:00:00Z'))).toBe(true); // 22:00 CEST
      expect(await service.isOpenAt(club, at('2026-10-24T23:59:00Z'))).toBe(true); // 01:59 CEST
      expect(await service.isOpenAt(club, at('2026-10-25T00:30:00Z'))).toBe(false); // 02:30 CEST
      // Sunday has no hours of its own.
      expect(await service.isOpenAt(club, at('2026-10-25T21:00:00Z'))).toBe(false);
    });

    it('treats equal opening and closing times as open around the clock', async () => {
      const gym = await berlin([open(1, '00:00', '00:00')]);
      expect(await service.isOpenAt(gym, at('2026-03-30T00:00:00Z'))).toBe(true); // Monday 02:00 CEST
      expect(await service.isOpenAt(gym, at('2026-03-30T21:59:00Z'))).toBe(true); // Monday 23:59 CEST
      expect(await service.isOpenAt(gym, at('2026-03-30T22:00:00Z'))).toBe(false); // Tuesday 00:00
    });

    it('keeps Europe/Istanbul on UTC+3 all year (no DST since 2016)', async () => {
      const gym = await service.create(facilityInput({ operatingHours: [open(0, '06:00', '23:00')] }));
      for (const sunday of ['2026-03-29', '2026-10-25', '2026-07-05', '2026-12-27']) {
        expect(await service.isOpenAt(gym, at(`${sunday}T02:59:00Z`))).toBe(false);
        expect(await service.isOpenAt(gym, at(`${sunday}T03:00:00Z`))).toBe(true);
        expect(await service.isOpenAt(gym, at(`${sunday}T19:59:00Z`))).toBe(true);
        expect(await service.isOpenAt(gym, at(`${sunday}T20:00:00Z`))).toBe(false);
      }
    });

    it('follows the historical Istanbul change of 8 November 2015 (04:00 EEST back to 03:00 EET)', async () => {
      const gym = await service.create(facilityInput({ operatingHours: [open(0, '06:00', '23:00'), open(6, '06:00', '23:00')] }));
      expect(await service.isOpenAt(gym, at('2015-11-07T03:00:00Z'))).toBe(true); // 06:00 EEST (UTC+3)
      expect(await service.isOpenAt(gym, at('2015-11-08T03:30:00Z'))).toBe(false); // 05:30 EET (UTC+2)
      expect(await service.isOpenAt(gym, at('2015-11-08T04:00:00Z'))).toBe(true); // 06:00 EET
    });

    it('finds the next opening across the March and October changes', async () => {
      const gym = await berlin([open(0, '06:00', '22:00')]);
      expect(await service.nextOpening(gym, at('2026-03-28T12:00:00Z'))).toEqual({ opensAt: at('2026-03-29T04:00:00Z'), closesAt: at('2026-03-29T20:00:00Z') });
      expect(await service.nextOpening(gym, at('2026-10-24T12:00:00Z'))).toEqual({ opensAt: at('2026-10-25T05:00:00Z'), closesAt: at('2026-10-25T21:00:00Z') });
      // After Sunday's closing the next one is a week later.
      expect((await service.nextOpening(gym.id, at('2026-03-29T20:00:00Z')))?.opensAt).toEqual(at('2026-04-05T04:00:00Z'));
    });

    it('returns the opening in progress, and null for a facility that never opens', async () => {
      const club = await berlin([open(6, '22:00', '02:00')]);
      expect(await service.nextOpening(club, at('2026-03-29T00:30:00Z'))).toEqual({ opensAt: at('2026-03-28T21:00:00Z'), closesAt: at('2026-03-29T01:00:00Z') });
      const closed = await berlin([{ day: 1, openTime: '06:00', closeTime: '22:00', isClosed: true }]);
      expect(await service.nextOpening(closed, at('2026-03-29T00:30:00Z'))).toBeNull();
      expect(await service.isOpenAt(closed, at('2026-03-30T08:00:00Z'))).toBe(false);
    });

    it('refuses an invalid instant', async () => {
      const gym = await berlin([open(0, '06:00', '22:00')]);
      await expect(service.isOpenAt(gym, new Date('nope'))).rejects.toBeInstanceOf(ValidationError);
    });
  });

  describe('nearest facilities', () => {
    it('lists facilities within the radius, nearest first, filtered by type and amenities', async () => {
      // A remote spot so other tests' facilities (at Moda) stay out of range.
      const origin: Coordinates = { latitude: 39.9, longitude: 32.85 };
      const near = await service.create(facilityInput({ name: 'Near', address: { street: 'a', city: 'Ankara', country: 'TR', coordinates: { latitude: 39.901, longitude: 32.85 } }, amenities: ['sauna', 'pool'] }));
      const mid = await service.create(facilityInput({ name: 'Mid', type: 'studio', address: { street: 'b', city: 'Ankara', country: 'TR', coordinates: { latitude: 39.91, longitude: 32.85 } }, amenities: ['sauna'] }));
      const far = await service.create(facilityInput({ name: 'Far', address: { street: 'c', city: 'Ankara', country: 'TR', coordinates: { latitude: 39.95, longitude: 32.85 } }, amenities: ['sauna', 'pool'] }));
      const all = await service.findNear(origin, { maxDistanceMeters: 2_000 });
      expect(all.map((n) => n.facility.id)).toEqual([near.id, mid.id]);
      expect(all[0]!.distanceMeters).toBeLessThan(all[1]!.distanceMeters);
      expect((await service.findNear(origin, { maxDistanceMeters: 10_000, type: 'gym' })).map((n) => n.facility.id)).toEqual([near.id, far.id]);
      expect((await service.findNear(origin, { maxDistanceMeters: 10_000, amenities: ['pool'] })).map((n) => n.facility.id)).toEqual([near.id, far.id]);
      expect((await service.findNear(origin, { maxDistanceMeters: 10_000, type: 'studio', amenities: ['pool'] }))).toEqual([]);
    });

    it('refuses an invalid point', async () => {
      await expect(service.findNear({ latitude: 91, longitude: 0 }, { maxDistanceMeters: 1_000 })).rejects.toBeInstanceOf(ValidationError);
    });
  });

  it('reports a missing facility as NotFoundError', async () => {
    await expect(service.isOpenAt('0000000000000000000000ff' as FacilityId, new Date())).rejects.toBeInstanceOf(NotFoundError);
  });
});
