import { describe, expectTypeOf, it } from 'vitest';
import type { CoachClientId, FacilityId, PtSessionId, UserId } from '../../../src/core/ids.js';
import type { CoachClientRepository } from '../../../src/modules/coaching/coach-client.repository.js';
import type { CoachClient } from '../../../src/modules/coaching/coach-client.schema.js';
import type { PtSessionRepository } from '../../../src/modules/coaching/pt-session.repository.js';
import type { PtSession } from '../../../src/modules/coaching/pt-session.schema.js';

const userId = '65f0c3a1e4b0a1b2c3d4e5f6' as UserId;
const facilityId = '65f0c3a1e4b0a1b2c3d4e5f7' as FacilityId;
const relationId = '65f0c3a1e4b0a1b2c3d4e5f8' as CoachClientId;
const sessionId = '65f0c3a1e4b0a1b2c3d4e5f9' as PtSessionId;
const start = new Date('2026-03-02T10:00:00Z');
const end = new Date('2026-03-02T11:00:00Z');

/** Compiled, never run: each marked line must fail to type-check. */
function misuses(relations: CoachClientRepository, sessions: PtSessionRepository): void {
  // @ts-expect-error a UserId is not a CoachClientId
  void relations.consumeSession(userId);
  // @ts-expect-error a PtSessionId is not a CoachClientId
  void relations.addNote(sessionId, { visibility: 'private', text: 'x' });
  // @ts-expect-error a note is visible or private
  void relations.addNote(relationId, { visibility: 'public', text: 'x' });
  // @ts-expect-error not a relationship status
  void relations.listByCoach(userId, { status: 'paused' });
  // @ts-expect-error a FacilityId is not a UserId
  void relations.findByPair(facilityId, userId);
  // @ts-expect-error a coach is a UserId
  void sessions.findOverlapping({ coachId: facilityId, start, end });
  // @ts-expect-error the slot is { start, end }
  void sessions.findOverlapping({ coachId: userId, from: start, to: end });
  // @ts-expect-error a CoachClientId is not a PtSessionId
  void sessions.markCompleted(relationId);
  // @ts-expect-error not a PT location type
  void sessions.patch(sessionId, { location: { type: 'moon' } });
}

describe('coaching repositories types', () => {
  it('take branded ids and typed inputs', () => {
    expectTypeOf(misuses).toBeFunction();
    expectTypeOf<ReturnType<CoachClientRepository['consumeSession']>>().toEqualTypeOf<Promise<CoachClient>>();
    expectTypeOf<ReturnType<CoachClientRepository['findByPair']>>().toEqualTypeOf<Promise<CoachClient | null>>();
    expectTypeOf<ReturnType<PtSessionRepository['findOverlapping']>>().toEqualTypeOf<Promise<PtSession[]>>();
    expectTypeOf<CoachClient>().not.toHaveProperty('isOpen');
  });
});
