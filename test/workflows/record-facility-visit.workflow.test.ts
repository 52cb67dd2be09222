import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, ValidationError } from '../../src/core/errors.js';
import type { FacilityId, UserId } from '../../src/core/ids.js';
import type { CreateMembershipInput } from '../../src/modules/memberships/membership.schema.js';
import { createInputs } from '../modules/support/factories.js';
import { useTestNexfit } from '../support/nexfit.js';

/** Wednesday 4 March 2026, 12:00 in Istanbul (UTC+3). */
const t = useTestNexfit({ clock: '2026-03-04T09:00:00Z' });
const DAY = 24 * 3_600_000;
const EVERY_DAY_6_TO_23 = ([0, 1, 2, 3, 4, 5, 6] as const).map((day) => ({ day, openTime: '06:00', closeTime: '23:00', isClosed: false }));

describe('recordFacilityVisit', () => {
  let facilityId: FacilityId;

  /** A new member with an active March subscription at the facility, on a plan with `limitations`. */
  async function member(limitations: Partial<NonNullable<CreateMembershipInput['limitations']>> = {}): Promise<UserId> {
    const userId = t.nexfit.ids.newObjectId() as UserId;
    const plan = await t.nexfit.repositories.memberships.create(createInputs.memberships({ facilityId, limitations: { classesIncluded: false, ...limitations } }));
    await t.nexfit.repositories.memberSubscriptions.create(
      createInputs.member_subscriptions({ userId, facilityId, membershipId: plan.id, status: 'active', startDate: '2026-03-01T00:00:00Z', endDate: '2026-04-01T00:00:00Z' }),
    );
    return userId;
  }

  const visit = (userId: UserId, at?: Date) => t.nexfit.workflows.recordFacilityVisit({ userId, facilityId, ...(at ? { at } : {}) });
  const reasonOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof ConflictError ? e.reason : (e as Error).name));

  beforeAll(async () => {
    facilityId = (await t.nexfit.repositories.facilities.create(createInputs.facilities({ timezone: 'Europe/Istanbul', operatingHours: EVERY_DAY_6_TO_23 }))).id;
  });

  it('counts visits against the plan and reports the week', async () => {
    const userId = await member({ maxVisitsPerWeek: 3 });
    expect(await visit(userId)).toMatchObject({ isoWeek: '2026-W10', visitsThisWeek: 1, maxVisitsPerWeek: 3 });
    expect(await visit(userId)).toMatchObject({ visitsThisWeek: 2 });
  });

  it('refuses a visit beyond maxVisitsPerWeek within the ISO week in the facility zone, and allows it the next week', async () => {
    const userId = await member({ maxVisitsPerWeek: 2 });
    await visit(userId);
    await visit(userId, new Date(Date.parse('2026-03-04T09:00:00Z') + DAY));
    // Sunday 8 March 22:00 Istanbul is still week 10…
    await expect(visit(userId, new Date('2026-03-08T19:00:00Z'))).rejects.toMatchObject({ reason: 'weekly_visit_limit_reached' });
    // …and Monday 9 March 07:00 Istanbul (Monday 04:00 UTC) is week 11.
    await expect(visit(userId, new Date('2026-03-09T04:00:00Z'))).resolves.toMatchObject({ isoWeek: '2026-W11', visitsThisWeek: 1 });
  });

  it('never lets concurrent check-ins exceed the limit', async () => {
    const userId = await member({ maxVisitsPerWeek: 3 });
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => reasonOf(visit(userId))));
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(3);
    expect(outcomes.filter((o) => o === 'weekly_visit_limit_reached')).toHaveLength(5);
    const [subscription] = (await t.nexfit.memberships.listSubscriptionsByUser(userId)).items;
    expect(await t.nexfit.memberships.visitsInWeek(subscription!.id, '2026-W10')).toBe(3);
  });

  it('counts without a limit when the plan sets none', async () => {
    const userId = await member();
    for (let i = 1; i <= 5; i += 1) expect(await visit(userId)).toMatchObject({ visitsThisWeek: i, maxVisitsPerWeek: null });
  });

  it('refuses a member without an active subscription covering the visit, and a closed facility', async () => {
    await expect(visit(t.nexfit.ids.newObjectId() as UserId)).rejects.toMatchObject({ reason: 'membership_required' });
    const userId = await member();
    await expect(visit(userId, new Date('2026-04-02T09:00:00Z'))).rejects.toMatchObject({ reason: 'membership_required' });
    // 02:00 in Istanbul: closed.
    await expect(visit(userId, new Date('2026-03-04T23:00:00Z'))).rejects.toMatchObject({ reason: 'facility_closed' });
  });

  it('refuses malformed input before reading anything', async () => {
    await expect(t.nexfit.workflows.recordFacilityVisit({ userId: { $gt: '' } as unknown as UserId, facilityId })).rejects.toBeInstanceOf(ValidationError);
  });

  it('emits membership.visit_recorded through the outbox', async () => {
    const userId = await member();
    const recorded = await visit(userId);
    const rows = await t.nexfit.pg.selectFrom('nexfit_outbox').select(['payload']).where('type', '=', 'membership.visit_recorded').where(sql<boolean>`payload->>'userId' = ${userId}`).execute();
    expect(rows.map((r) => (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload))).toEqual([
      { memberSubscriptionId: recorded.memberSubscriptionId, userId, facilityId, at: '2026-03-04T09:00:00.000Z', week: '2026-W10' },
    ]);
  });
});
