import { beforeAll, describe, expect, it } from 'vitest';
import { ConcurrencyError, ConflictError, ValidationError } from '../../../src/core/errors.js';
import type { FacilityId, MembershipId, UserId } from '../../../src/core/ids.js';
import { AuditLogRepository } from '../../../src/modules/audit/audit-log.repository.js';
import { addMembershipPeriod, createMembershipsModule, type CreateMembershipInput, type MembershipService } from '../../../src/modules/memberships/index.js';
import { useTestNexfit } from '../../support/nexfit.js';

const t = useTestNexfit({ clock: '2026-03-02T09:00:00Z' });

describe('MembershipService', () => {
  let service: MembershipService;
  let audit: AuditLogRepository;
  const facility = () => t.nexfit.ids.newObjectId() as FacilityId;
  const plan = (facilityId: FacilityId, overrides: Partial<CreateMembershipInput> = {}): CreateMembershipInput => ({
    facilityId,
    name: 'Aylık',
    duration: { value: 1, unit: 'month' },
    price: 1_500_00,
    ...overrides,
  });

  beforeAll(() => {
    service = createMembershipsModule(t.nexfit.mongo.db, t.nexfit.pg, t.deps).service;
    audit = new AuditLogRepository(t.nexfit.pg, t.deps);
  });

  describe('plan catalogue', () => {
    it('creates plans with defaults and lists them by facility', async () => {
      const gym = facility();
      const monthly = await service.createPlan(plan(gym));
      const yearly = await service.createPlan(plan(gym, { name: 'Yıllık', duration: { value: 1, unit: 'year' }, price: 15_000_00 }));
      await service.createPlan(plan(facility()));
      expect(monthly).toMatchObject({ currency: 'TRY', isActive: true, limitations: { classesIncluded: false, ptSessionsIncluded: 0 } });
      expect((await service.listPlans(gym)).items.map((p) => p.id)).toEqual([monthly.id, yearly.id]);
    });

    it('updates a plan with a version check and audits the price change', async () => {
      const created = await service.createPlan(plan(facility()));
      const updated = await service.updatePlan(created.id, { price: 1_750_00 }, { expectedVersion: created.version });
      expect(updated.price).toBe(1_750_00);
      await expect(service.updatePlan(created.id, { price: 1_800_00 }, { expectedVersion: created.version })).rejects.toBeInstanceOf(ConcurrencyError);
      const rows = (await audit.listByEntity('memberships', created.id)).items;
      expect(rows.find((r) => r.action === 'update')).toMatchObject({ previousState: expect.objectContaining({ price: 1_500_00 }), newState: expect.objectContaining({ price: 1_750_00 }) });
    });

    it('deactivates a plan so it leaves the active list but stays listed in full', async () => {
      const gym = facility();
      const old = await service.createPlan(plan(gym));
      const current = await service.createPlan(plan(gym, { name: 'Yeni' }));
      await service.deactivatePlan(old.id);
      expect((await service.listPlans(gym, { activeOnly: true })).items.map((p) => p.id)).toEqual([current.id]);
      expect((await service.listPlans(gym)).items).toHaveLength(2);
    });

    it('refuses hostile and invalid plans without writing', async () => {
      const gym = facility();
      await expect(service.createPlan(plan(gym, { price: -1 }))).rejects.toBeInstanceOf(ValidationError);
      await expect(service.createPlan(plan(gym, { price: 12.5 }))).rejects.toBeInstanceOf(ValidationError);
      await expect(service.createPlan({ ...plan(gym), isActive: { $ne: false } } as never)).rejects.toBeInstanceOf(ValidationError);
      await expect(service.updatePlan({ $gt: '' } as unknown as MembershipId, { price: 1 })).rejects.toBeInstanceOf(ValidationError);
      expect((await service.listPlans(gym)).items).toEqual([]);
    });

    it('refuses to start a subscription on an inactive plan', async () => {
      const created = await service.createPlan(plan(facility(), { isActive: false }));
      const payment = { amount: 1_500_00, currency: 'TRY', date: new Date(), method: 'card' as const, status: 'completed' as const, transactionId: t.nexfit.ids.newUuid() };
      const start = service.startSubscription({ userId: t.nexfit.ids.newObjectId() as UserId, membershipId: created.id, startDate: new Date(), timeZone: 'Europe/Istanbul', autoRenew: false, payment });
      await expect(start).rejects.toBeInstanceOf(ConflictError);
    });
  });

  describe('addMembershipPeriod', () => {
    it('adds calendar months in the facility zone, clamping to the month end', () => {
      expect(addMembershipPeriod(new Date('2026-01-31T09:00:00Z'), { value: 1, unit: 'month' }, 'Europe/Istanbul')).toEqual(new Date('2026-02-28T09:00:00Z'));
      expect(addMembershipPeriod(new Date('2026-03-02T09:00:00Z'), { value: 1, unit: 'year' }, 'Europe/Istanbul')).toEqual(new Date('2027-03-02T09:00:00Z'));
    });

    it('keeps the wall-clock time across a DST change (a Berlin month over the March change is an hour shorter)', () => {
      expect(addMembershipPeriod(new Date('2026-03-02T08:00:00Z'), { value: 1, unit: 'month' }, 'Europe/Berlin')).toEqual(new Date('2026-04-02T07:00:00Z'));
      expect(addMembershipPeriod(new Date('2026-03-28T08:00:00Z'), { value: 1, unit: 'day' }, 'Europe/Berlin')).toEqual(new Date('2026-03-29T07:00:00Z'));
    });
  });
});
