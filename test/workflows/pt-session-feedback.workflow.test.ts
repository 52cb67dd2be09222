import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, ValidationError } from '../../src/core/errors.js';
import type { PtSessionId, UserId } from '../../src/core/ids.js';
import { createCoachingModule, type CoachingModule, type PtSession } from '../../src/modules/coaching/index.js';
import { UserRepository } from '../../src/modules/users/user.repository.js';
import { completePtSession } from '../../src/workflows/complete-pt-session/complete-pt-session.workflow.js';
import { submitPtSessionFeedback } from '../../src/workflows/pt-session-feedback/pt-session-feedback.workflow.js';
import { createInputs } from '../modules/support/factories.js';
import { useTestNexfit } from '../support/nexfit.js';

const t = useTestNexfit({ clock: '2026-03-02T09:00:00Z' });
const HOUR = 3_600_000;

describe('submitPtSessionFeedback', () => {
  let m: CoachingModule;
  let users: UserRepository;
  let n = 0;
  const flow = () => ({ coaching: m.service, users, deps: t.deps });
  const reasonOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof ConflictError ? e.reason : (e as Error).name));

  async function newUser(coach: { ratings?: number; reviewCount?: number } | null): Promise<UserId> {
    n += 1;
    const input = createInputs.users({ email: `fb${n}@example.com`, role: coach ? ['coach'] : ['client'], roleSpecificData: coach ? { coach } : {} });
    return (await users.create({ ...input, passwordHash: 'scrypt$N=16384,r=8,p=1$c2FsdA$aGFzaA' })).id;
  }

  /** `count` completed sessions of the coach, each with a new client. */
  async function completedSessions(coachId: UserId, count: number): Promise<PtSession[]> {
    const out: PtSession[] = [];
    for (let i = 0; i < count; i++) {
      const startTime = new Date(Date.UTC(2026, 2, 3, 6) + i * HOUR);
      const s = await m.service.scheduleSession({ coachId, clientId: await newUser(null), startTime, endTime: new Date(startTime.getTime() + HOUR), duration: 60, location: { type: 'online' } });
      out.push(await completePtSession({ coaching: m.service, deps: t.deps }, { sessionId: s.id, coachId }));
    }
    return out;
  }

  beforeAll(() => {
    m = createCoachingModule(t.nexfit.mongo.db, t.nexfit.pg, t.deps, { openingHours: { isOpenThroughout: async () => true } });
    users = new UserRepository(t.nexfit.mongo.db, t.deps);
  });

  it("stores the client's rating and folds it into the coach's average and count", async () => {
    const coachId = await newUser({ ratings: 4, reviewCount: 1 });
    const [session] = await completedSessions(coachId, 1);
    const rated = await submitPtSessionFeedback(flow(), { sessionId: session!.id, clientId: session!.clientId, rating: 2, notes: 'Biraz hızlıydı' });
    expect(rated.feedback.client).toEqual({ rating: 2, notes: 'Biraz hızlıydı' });
    expect((await users.getById(coachId)).roleSpecificData.coach).toMatchObject({ ratings: 3, reviewCount: 2 });
  });

  it('keeps the coach figures exact under 12 simultaneous feedbacks', async () => {
    const coachId = await newUser({});
    const sessions = await completedSessions(coachId, 12);
    const ratings = sessions.map((_, i) => (i % 5) + 1);
    const outcomes = await Promise.all(sessions.map((s, i) => reasonOf(submitPtSessionFeedback(flow(), { sessionId: s.id, clientId: s.clientId, rating: ratings[i]! }))));
    expect(outcomes).toEqual(Array.from({ length: 12 }, () => 'ok'));
    const coach = (await users.getById(coachId)).roleSpecificData.coach;
    expect(coach?.reviewCount).toBe(12);
    expect(coach?.ratings).toBeCloseTo(ratings.reduce((a, b) => a + b, 0) / 12, 9);
  });

  it('takes one feedback per session, only from its client, only once completed — the coach figures untouched when refused', async () => {
    const coachId = await newUser({ ratings: 5, reviewCount: 1 });
    const [session] = await completedSessions(coachId, 1);
    await expect(submitPtSessionFeedback(flow(), { sessionId: session!.id, clientId: coachId, rating: 1 })).rejects.toBeInstanceOf(ForbiddenError);
    const racing = await Promise.all([1, 1, 1].map((rating) => reasonOf(submitPtSessionFeedback(flow(), { sessionId: session!.id, clientId: session!.clientId, rating }))));
    expect(racing.filter((o) => o === 'ok')).toHaveLength(1);
    await expect(submitPtSessionFeedback(flow(), { sessionId: session!.id, clientId: session!.clientId, rating: 3 })).rejects.toMatchObject({ reason: 'feedback_exists' });
    expect((await users.getById(coachId)).roleSpecificData.coach).toMatchObject({ ratings: 3, reviewCount: 2 });

    const startTime = new Date('2026-03-09T06:00:00Z');
    const open = await m.service.scheduleSession({ coachId, clientId: session!.clientId, startTime, endTime: new Date(startTime.getTime() + HOUR), duration: 60, location: { type: 'online' } });
    await expect(submitPtSessionFeedback(flow(), { sessionId: open.id, clientId: open.clientId, rating: 5 })).rejects.toMatchObject({ reason: 'session_not_completed' });
    await expect(submitPtSessionFeedback(flow(), { sessionId: open.id, clientId: open.clientId, rating: 0 })).rejects.toBeInstanceOf(ValidationError);
    await expect(submitPtSessionFeedback(flow(), { sessionId: { $ne: null } as unknown as PtSessionId, clientId: open.clientId, rating: 5 })).rejects.toBeInstanceOf(ValidationError);
  });

  it('rolls the session feedback back when the coach cannot be rated', async () => {
    const notCoach = await newUser(null);
    const [session] = await completedSessions(notCoach, 1);
    await expect(submitPtSessionFeedback(flow(), { sessionId: session!.id, clientId: session!.clientId, rating: 4 })).rejects.toMatchObject({ reason: 'not_a_coach' });
    expect((await m.service.getSession(session!.id)).feedback.client).toBeUndefined();
  });
});
