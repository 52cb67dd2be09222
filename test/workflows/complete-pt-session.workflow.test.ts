import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError } from '../../src/core/errors.js';
import type { UserId } from '../../src/core/ids.js';
import { createCoachingModule, type CoachClient, type CoachingModule } from '../../src/modules/coaching/index.js';
import { completePtSession } from '../../src/workflows/complete-pt-session/complete-pt-session.workflow.js';
import { oid } from '../modules/support/factories.js';
import { useTestNexfit } from '../support/nexfit.js';

const t = useTestNexfit({ clock: '2026-03-02T09:00:00Z' });
const HOUR = 3_600_000;

describe('completePtSession', () => {
  let m: CoachingModule;
  let n = 3_000;
  const person = () => oid(n++) as UserId;
  const reasonOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof ConflictError ? e.reason : (e as Error).name));
  const complete = (sessionId: string, coachId: UserId) => completePtSession({ coaching: m.service, deps: t.deps }, { sessionId, coachId });

  /** An active relationship with a package of `sessions` sessions. */
  async function withPackage(sessions: number): Promise<CoachClient> {
    const coachId = person();
    const request = await m.service.requestCoaching({ coachId, clientId: person() });
    await m.service.acceptRequest(request.id, coachId);
    return m.service.assignPackage(request.id, coachId, { name: `${sessions} seans`, sessions, price: 1_000_00, startDate: '2026-03-01T00:00:00Z' });
  }

  /** `count` one-hour sessions of the relationship, back to back from Tuesday 08:00Z. */
  async function sessionsOf(r: CoachClient, count: number) {
    const first = new Date('2026-03-03T08:00:00Z').getTime();
    const out = [];
    for (let i = 0; i < count; i++) {
      const startTime = new Date(first + i * HOUR);
      out.push(await m.service.scheduleSession({ coachId: r.coachId, clientId: r.clientId, coachClientId: r.id, startTime, endTime: new Date(startTime.getTime() + HOUR), duration: 60, location: { type: 'online' } }));
    }
    return out;
  }

  beforeAll(() => {
    m = createCoachingModule(t.nexfit.mongo.db, t.nexfit.pg, t.deps, { openingHours: { isOpenThroughout: async () => true } });
  });

  it('completes 10 of 30 simultaneous completions on a 10-session package; 20 get package_exhausted', async () => {
    const r = await withPackage(10);
    const sessions = await sessionsOf(r, 30);
    const outcomes = await Promise.all(sessions.map((s) => reasonOf(complete(s.id, r.coachId))));
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(10);
    expect(outcomes.filter((o) => o === 'package_exhausted')).toHaveLength(20);
    const after = await m.relations.getById(r.id);
    expect(after.package?.sessions).toEqual({ total: 10, used: 10, remaining: 0 });
    const { items } = await m.sessions.listByCoach(r.coachId, {}, { limit: 100 });
    expect(items.filter((s) => s.status === 'completed')).toHaveLength(10);
    expect(items.filter((s) => s.status === 'scheduled')).toHaveLength(20);
  });

  it('debits the package and marks the session completed together, emitting pt_session.completed', async () => {
    const r = await withPackage(3);
    const [session] = await sessionsOf(r, 1);
    const done = await complete(session!.id, r.coachId);
    expect(done.status).toBe('completed');
    expect((await m.relations.getById(r.id)).package?.sessions).toEqual({ total: 3, used: 1, remaining: 2 });
    const rows = await t.nexfit.pg.selectFrom('nexfit_outbox').select(['type', 'payload']).where(sql<boolean>`payload->>'ptSessionId' = ${done.id}`).execute();
    expect(rows.map((row) => row.type)).toEqual(['pt_session.completed']);
  });

  it('gives the package session back when the completion is refused (compensation)', async () => {
    const r = await withPackage(3);
    const [session] = await sessionsOf(r, 1);
    await m.service.cancelSession(session!.id, { by: r.clientId });
    await expect(complete(session!.id, r.coachId)).rejects.toMatchObject({ reason: 'invalid_transition' });
    await expect(complete(session!.id, r.clientId)).rejects.toBeInstanceOf(ForbiddenError);
    expect((await m.relations.getById(r.id)).package?.sessions).toEqual({ total: 3, used: 0, remaining: 3 });
  });

  it('completes a session without a package without debiting anything', async () => {
    const coachId = person();
    const startTime = new Date('2026-03-06T08:00:00Z');
    const session = await m.service.scheduleSession({ coachId, clientId: person(), startTime, endTime: new Date(startTime.getTime() + HOUR), duration: 60, location: { type: 'online' } });
    await expect(complete(session.id, coachId)).resolves.toMatchObject({ status: 'completed' });
  });

  it('runs inside a caller unit: debit and completion roll back together', async () => {
    const r = await withPackage(2);
    const [session] = await sessionsOf(r, 1);
    await expect(
      t.nexfit.unitOfWork(async (uow) => {
        await completePtSession({ coaching: m.service, deps: t.deps }, { sessionId: session!.id, coachId: r.coachId }, uow);
        throw new Error('host changed its mind');
      }),
    ).rejects.toThrow();
    expect((await m.relations.getById(r.id)).package?.sessions).toEqual({ total: 2, used: 0, remaining: 2 });
    expect((await m.service.getSession(session!.id)).status).toBe('scheduled');
  });
});
