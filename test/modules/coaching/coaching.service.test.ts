import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, ValidationError } from '../../../src/core/errors.js';
import type { CoachClientId, FacilityId, UserId } from '../../../src/core/ids.js';
import { createCoachingModule, type CoachClient, type CoachingService, type CreatePtSessionInput } from '../../../src/modules/coaching/index.js';
import { FacilityRepository } from '../../../src/modules/facilities/facility.repository.js';
import { facilityOpeningHours } from '../../../src/workflows/schedule-pt-session/facility-opening-hours.js';
import { createInputs, oid } from '../support/factories.js';
import { useTestNexfit } from '../../support/nexfit.js';

const t = useTestNexfit({ clock: '2026-03-02T09:00:00Z' });
const HOUR = 3_600_000;

describe('CoachingService', () => {
  let coaching: CoachingService;
  let facilityId: FacilityId;
  let n = 2_000;
  const person = () => oid(n++) as UserId;
  const reasonOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof ConflictError ? e.reason : (e as Error).name));

  /** An active relationship between a new coach and a new client. */
  async function activePair(): Promise<CoachClient> {
    const coachId = person();
    const request = await coaching.requestCoaching({ coachId, clientId: person() });
    return coaching.acceptRequest(request.id, coachId);
  }

  /** An online one-hour session of the pair starting at `start`. */
  const sessionOf = (r: Pick<CoachClient, 'coachId' | 'clientId'> & { id?: CoachClientId }, start: string, o: Partial<CreatePtSessionInput> = {}): CreatePtSessionInput => {
    const startTime = new Date(start);
    return { coachId: r.coachId, clientId: r.clientId, ...(r.id ? { coachClientId: r.id } : {}), startTime, endTime: new Date(startTime.getTime() + HOUR), duration: 60, location: { type: 'online' }, ...o };
  };
  /** The same people without a relationship (a session not drawn from a package). */
  const noPackage = (r: Pick<CoachClient, 'coachId' | 'clientId'>) => ({ coachId: r.coachId, clientId: r.clientId });

  beforeAll(async () => {
    const facilities = new FacilityRepository(t.nexfit.mongo.db, t.deps);
    // Open Monday and Tuesday 06:00-22:00 Istanbul (03:00-19:00Z); closed otherwise.
    facilityId = (
      await facilities.create(
        createInputs.facilities({
          timezone: 'Europe/Istanbul',
          operatingHours: [
            { day: 1, openTime: '06:00', closeTime: '22:00', isClosed: false },
            { day: 2, openTime: '06:00', closeTime: '22:00', isClosed: false },
          ],
        }),
      )
    ).id;
    coaching = createCoachingModule(t.nexfit.mongo.db, t.nexfit.pg, t.deps, { openingHours: facilityOpeningHours(facilities) }).service;
  });

  describe('the relationship status machine', () => {
    it('goes pending -> active when the coach accepts, then ended by either side', async () => {
      const [coachId, clientId] = [person(), person()];
      const request = await coaching.requestCoaching({ coachId, clientId, goals: ['kilo vermek'] });
      expect(request.relationship).toEqual({ status: 'pending' });
      const active = await coaching.acceptRequest(request.id, coachId);
      expect(active.relationship).toEqual({ status: 'active', startDate: t.deps.clock.now() });
      const ended = await coaching.endRelationship(request.id, clientId);
      expect(ended.relationship).toMatchObject({ status: 'ended', endDate: t.deps.clock.now() });
    });

    it('goes pending -> declined when the coach declines, and a new request is then possible', async () => {
      const [coachId, clientId] = [person(), person()];
      const request = await coaching.requestCoaching({ coachId, clientId });
      expect((await coaching.declineRequest(request.id, coachId)).relationship.status).toBe('declined');
      await expect(coaching.requestCoaching({ coachId, clientId })).resolves.toMatchObject({ relationship: { status: 'pending' } });
    });

    it('refuses invalid transitions with invalid_transition', async () => {
      const r = await activePair();
      await expect(coaching.acceptRequest(r.id, r.coachId)).rejects.toMatchObject({ reason: 'invalid_transition' });
      await expect(coaching.declineRequest(r.id, r.coachId)).rejects.toMatchObject({ reason: 'invalid_transition' });
      await coaching.endRelationship(r.id, r.coachId);
      await expect(coaching.endRelationship(r.id, r.coachId)).rejects.toMatchObject({ reason: 'invalid_transition' });
      const pending = await coaching.requestCoaching({ coachId: person(), clientId: person() });
      await expect(coaching.endRelationship(pending.id, pending.clientId)).rejects.toMatchObject({ reason: 'invalid_transition' });
    });

    it('lets only the coach accept or decline, and only the two parties end', async () => {
      const request = await coaching.requestCoaching({ coachId: person(), clientId: person() });
      await expect(coaching.acceptRequest(request.id, request.clientId)).rejects.toBeInstanceOf(ForbiddenError);
      await expect(coaching.declineRequest(request.id, person())).rejects.toBeInstanceOf(ForbiddenError);
      const active = await coaching.acceptRequest(request.id, request.coachId);
      await expect(coaching.endRelationship(active.id, person())).rejects.toBeInstanceOf(ForbiddenError);
    });

    it('refuses a second open request of the same pair, even when both race', async () => {
      const [coachId, clientId] = [person(), person()];
      const outcomes = await Promise.all(Array.from({ length: 5 }, () => reasonOf(coaching.requestCoaching({ coachId, clientId }))));
      expect(outcomes.filter((o) => o === 'ok')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'relationship_exists')).toHaveLength(4);
    });

    it('refuses self-coaching and hostile ids', async () => {
      const me = person();
      await expect(coaching.requestCoaching({ coachId: me, clientId: me })).rejects.toMatchObject({ reason: 'self_coaching' });
      await expect(coaching.requestCoaching({ coachId: { $ne: null } as unknown as UserId, clientId: me })).rejects.toBeInstanceOf(ValidationError);
    });
  });

  describe('packages and notes', () => {
    it('sells a package with used 0 and remaining = total, and refuses a new one while sessions remain', async () => {
      const r = await activePair();
      const sold = await coaching.assignPackage(r.id, r.coachId, { name: '10 seans', sessions: 10, price: 5_000_00, startDate: '2026-03-01T00:00:00Z' });
      expect(sold.package).toMatchObject({ sessions: { total: 10, used: 0, remaining: 10 }, currency: 'TRY' });
      await expect(coaching.assignPackage(r.id, r.coachId, { name: 'again', sessions: 5, price: 1, startDate: '2026-03-01T00:00:00Z' })).rejects.toMatchObject({ reason: 'package_in_use' });
      await expect(coaching.assignPackage(r.id, r.clientId, { name: 'x', sessions: 5, price: 1, startDate: '2026-03-01T00:00:00Z' })).rejects.toBeInstanceOf(ForbiddenError);
    });

    it('keeps private notes for the coach: the client view strips them', async () => {
      const r = await activePair();
      await coaching.addNote(r.id, r.coachId, { visibility: 'visible', text: 'Haftada 3 gün' });
      await coaching.addNote(r.id, r.coachId, { visibility: 'private', text: 'Diz sakatlığı var' });
      const forCoach = await coaching.getRelationForCoach(r.id, r.coachId);
      expect(forCoach.notes.private.map((x) => x.text)).toEqual(['Diz sakatlığı var']);
      const forClient = await coaching.getRelationForClient(r.id, r.clientId);
      expect(forClient.notes).toEqual({ visible: [expect.objectContaining({ text: 'Haftada 3 gün' })] });
      expect(JSON.stringify(forClient)).not.toContain('Diz');
      await expect(coaching.getRelationForClient(r.id, r.coachId)).rejects.toBeInstanceOf(ForbiddenError);
      await expect(coaching.getRelationForCoach(r.id, r.clientId)).rejects.toBeInstanceOf(ForbiddenError);
      await expect(coaching.addNote(r.id, r.clientId, { visibility: 'private', text: 'x' })).rejects.toBeInstanceOf(ForbiddenError);
    });
  });

  describe('scheduling PT sessions', () => {
    it("refuses a slot overlapping the coach's or the client's other session; back-to-back is fine", async () => {
      const r = await activePair();
      await coaching.scheduleSession(sessionOf(r, '2026-03-03T10:00:00Z'));
      await expect(coaching.scheduleSession(sessionOf(r, '2026-03-03T10:30:00Z'))).rejects.toMatchObject({ reason: 'session_overlap' });
      const otherClient = noPackage({ coachId: r.coachId, clientId: person() });
      await expect(coaching.scheduleSession(sessionOf(otherClient, '2026-03-03T10:59:00Z'))).rejects.toMatchObject({ reason: 'session_overlap' });
      const otherCoach = noPackage({ coachId: person(), clientId: r.clientId });
      await expect(coaching.scheduleSession(sessionOf(otherCoach, '2026-03-03T09:30:00Z'))).rejects.toMatchObject({ reason: 'session_overlap' });
      await expect(coaching.scheduleSession(sessionOf(noPackage({ coachId: person(), clientId: person() }), '2026-03-03T10:30:00Z'))).resolves.toMatchObject({ status: 'scheduled' });
      await expect(coaching.scheduleSession(sessionOf(r, '2026-03-03T11:00:00Z'))).resolves.toMatchObject({ status: 'scheduled' });
    });

    it('books at most one of 10 racing sessions of one coach in the same slot, with different clients', async () => {
      const coachId = person();
      const slot = (clientId: UserId) => coaching.scheduleSession(sessionOf(noPackage({ coachId, clientId }), '2026-03-05T10:00:00Z'));
      const outcomes = await Promise.all(Array.from({ length: 10 }, () => reasonOf(slot(person()))));
      expect(outcomes.filter((o) => o === 'ok')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'session_overlap')).toHaveLength(9);
    });

    it('refuses a session linked to a relationship that is not active', async () => {
      const pending = await coaching.requestCoaching({ coachId: person(), clientId: person() });
      await expect(coaching.scheduleSession(sessionOf(pending, '2026-03-03T10:00:00Z'))).rejects.toMatchObject({ reason: 'relationship_not_active' });
    });

    it("respects the facility's opening hours in its time zone", async () => {
      const r = await activePair();
      const at = (start: string) => coaching.scheduleSession(sessionOf(r, start, { facilityId, location: { type: 'facility' } }));
      await expect(at('2026-03-03T03:00:00Z')).resolves.toMatchObject({ facilityId }); // Tue 06:00-07:00 local
      await expect(at('2026-03-03T18:30:00Z')).rejects.toMatchObject({ reason: 'facility_closed' }); // ends 22:30 local
      await expect(at('2026-03-04T10:00:00Z')).rejects.toMatchObject({ reason: 'facility_closed' }); // Wednesday: closed
      // Online sessions ignore the facility's hours.
      await expect(coaching.scheduleSession(sessionOf(r, '2026-03-04T12:00:00Z', { facilityId }))).resolves.toMatchObject({ status: 'scheduled' });
    });
  });

  describe('cancellation and no-shows', () => {
    it('records who cancelled and why, late within 24 hours of the start, only by the two parties', async () => {
      const r = await activePair();
      const early = await coaching.scheduleSession(sessionOf(r, '2026-03-04T10:00:00Z'));
      const soon = await coaching.scheduleSession(sessionOf(r, '2026-03-03T08:00:00Z'));
      await expect(coaching.cancelSession(early.id, { by: person() })).rejects.toBeInstanceOf(ForbiddenError);
      const a = await coaching.cancelSession(early.id, { by: r.clientId, reason: 'Hastayım' });
      expect(a).toMatchObject({ late: false, session: { status: 'cancelled', cancelledBy: r.clientId, cancellationReason: 'Hastayım', cancelledAt: t.deps.clock.now() } });
      expect((await coaching.cancelSession(soon.id, { by: r.coachId })).late).toBe(true);
      await expect(coaching.cancelSession(soon.id, { by: r.coachId })).rejects.toMatchObject({ reason: 'invalid_transition' });
    });

    it('lets the coach mark a no-show once the session has started', async () => {
      const r = await activePair();
      const future = await coaching.scheduleSession(sessionOf(r, '2026-03-02T10:00:00Z'));
      await expect(coaching.markNoShow(future.id, r.coachId)).rejects.toMatchObject({ reason: 'session_not_started' });
      (t.deps.clock as unknown as { set(at: string): void }).set('2026-03-02T10:05:00Z');
      try {
        await expect(coaching.markNoShow(future.id, r.clientId)).rejects.toBeInstanceOf(ForbiddenError);
        await expect(coaching.markNoShow(future.id, r.coachId)).resolves.toMatchObject({ status: 'no-show' });
      } finally {
        (t.deps.clock as unknown as { set(at: string): void }).set('2026-03-02T09:00:00Z');
      }
    });
  });
});
