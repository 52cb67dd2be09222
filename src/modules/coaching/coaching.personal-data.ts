import { auditSnapshot } from '../audit/audit-trail.js';
import { allItems, everyItem, isText, jsonOfAll, type ErasureBlocker, type PersonalDataContributor, type PersonalDataDeclaration } from '../personal-data.js';
import { COACH_AVAILABILITIES_COLLECTION } from './coach-availability.collection.js';
import type { CoachAvailabilityRepository } from './coach-availability.repository.js';
import { COACH_CLIENTS_COLLECTION } from './coach-client.collection.js';
import type { CoachClientRepository } from './coach-client.repository.js';
import type { CoachClient } from './coach-client.schema.js';
import type { CoachingService } from './coaching.service.js';
import { PT_SESSIONS_COLLECTION } from './pt-session.collection.js';
import type { PtSessionRepository } from './pt-session.repository.js';
import type { PtSession } from './pt-session.schema.js';

/** The coaching module's user-linked data: relationships and PT sessions, as client and as coach, and a coach's availability. */
export const COACHING_PERSONAL_DATA = {
  module: 'coaching',
  holds: [
    { store: 'mongo', name: COACH_CLIENTS_COLLECTION.name },
    { store: 'mongo', name: PT_SESSIONS_COLLECTION.name },
    { store: 'mongo', name: COACH_AVAILABILITIES_COLLECTION.name },
  ],
} as const satisfies PersonalDataDeclaration;

/**
 * The coaching module's part in export and erasure.
 *
 * Export: a client's export holds the notes the coach shared (`notes.visible`); the coach's
 * private notes are the coach's working notes, which the design keeps from the client (SPEC
 * §3 coaching), so they are withheld and only their number is given. A coach's export holds
 * its relationships without any notes: they are about the clients. PT sessions are exported
 * as client and as coach, and a coach's availability (weekly windows and exceptions) with them.
 *
 * Erasure is refused while the user coaches active clients or has PT sessions to give. As a
 * client, relationships stay (the package is what was sold and paid for) without goals and
 * notes, an open one ended; PT sessions stay without the client's free text (ratings stay:
 * the coach's average is made of them), a scheduled one still to come cancelled. As a coach,
 * pending requests are declined and the coach's availability is deleted (no slot is offered
 * any more).
 *
 * @example
 * ```ts
 * const contributor = coachingPersonalData({ relations: coaching.relations, sessions: coaching.sessions, service: coaching.service, availabilities: coaching.availabilities });
 * ```
 */
export function coachingPersonalData(parts: {
  readonly relations: CoachClientRepository;
  readonly sessions: PtSessionRepository;
  readonly service: CoachingService;
  readonly availabilities: CoachAvailabilityRepository;
}): PersonalDataContributor {
  const { relations, sessions, service, availabilities } = parts;
  return {
    ...COACHING_PERSONAL_DATA,
    async export(userId, { withhold }) {
      const asClient = await allItems((p) => relations.listByClient(userId, {}, p));
      const privateNotes = asClient.reduce((n, c) => n + c.notes.private.length, 0);
      if (privateNotes > 0) withhold(`${privateNotes} private coach note(s): a coach's private notes are the coach's working notes and are not shown to the client.`);
      const asCoach = await allItems((p) => relations.listByCoach(userId, {}, p));
      if (asCoach.some((c) => c.notes.visible.length + c.notes.private.length > 0)) withhold('Notes written as a coach: they are about the clients, not about you.');
      return {
        coaching: { asClient: asClient.map(clientView), asCoach: asCoach.map(coachView), availability: (await availabilities.listByCoach(userId)).map((a) => auditSnapshot(a)) },
        ptSessions: {
          asClient: await jsonOfAll((p) => sessions.listByClient(userId, {}, p)),
          asCoach: await jsonOfAll((p) => sessions.listByCoach(userId, {}, p)),
        },
      };
    },
    async erasureBlockers(userId, uow, now) {
      const ctx = uow.ctx;
      const blockers: ErasureBlocker[] = [];
      for (const relation of (await relations.listByCoach(userId, { status: 'active' }, { limit: 20 }, ctx)).items) {
        blockers.push({ reason: 'coach_with_active_clients', coachClientId: relation.id });
      }
      for await (const session of everyItem((p) => sessions.listByCoach(userId, { from: now }, p, ctx))) {
        if (session.status === 'scheduled') blockers.push({ reason: 'coach_with_scheduled_sessions', ptSessionId: session.id });
      }
      return blockers;
    },
    async erase(userId, { uow, now, personalStrings, subjectIds }) {
      const ctx = uow.ctx;
      let coachingRelations = 0;
      for (const relation of await allItems((p) => relations.listByClient(userId, {}, p, ctx))) {
        subjectIds.add(relation.id);
        personalStrings.push(...relation.notes.visible.map((n) => n.text), ...relation.notes.private.map((n) => n.text), ...relation.goals);
        const open = relation.relationship.status === 'pending' || relation.relationship.status === 'active';
        // The package (price, sessions used) stays: it is what was sold and paid for.
        await relations.patch(
          relation.id,
          { goals: [], notes: { visible: [], private: [] }, ...(open ? { relationship: { ...relation.relationship, status: 'ended', endDate: now } } : {}) },
          {},
          ctx,
        );
        coachingRelations++;
      }
      for (const relation of await allItems((p) => relations.listByCoach(userId, { status: 'pending' }, p, ctx))) {
        await service.declineRequest(relation.id, userId, uow);
        coachingRelations++;
      }
      let ptSessions = 0;
      for (const session of await allItems((p) => sessions.listByClient(userId, {}, p, ctx))) {
        subjectIds.add(session.id);
        let current = session;
        if (current.status === 'scheduled' && current.startTime.getTime() > now.getTime()) {
          current = await sessions.markCancelled(current.id, { by: userId, at: now }, ctx);
        }
        personalStrings.push(...ptSessionTexts(current));
        await sessions.patch(current.id, withoutPtSessionTexts(current), {}, ctx);
        ptSessions++;
      }
      let coachAvailabilities = 0;
      for (const availability of await availabilities.listByCoach(userId, ctx)) {
        await availabilities.delete(availability.id, {}, ctx);
        coachAvailabilities++;
      }
      return { deleted: { coachAvailabilities }, anonymised: { coachingRelations, ptSessions } };
    },
  };
}

function clientView(relation: CoachClient) {
  const { notes, ...rest } = relation;
  return auditSnapshot({ ...rest, notes: { visible: notes.visible }, privateNotesWithheld: notes.private.length });
}

function coachView(relation: CoachClient) {
  const { notes: _aboutTheClient, ...rest } = relation;
  return auditSnapshot(rest);
}

function ptSessionTexts(session: PtSession): string[] {
  return [
    session.notes.pre,
    session.notes.post,
    session.location.details,
    session.workout?.notes,
    session.feedback.client?.notes,
    session.feedback.coach?.notes,
    session.cancellationReason,
  ].filter(isText);
}

/** A PT session with the client's free text gone; ratings stay (the coach's average is made of them). */
function withoutPtSessionTexts(session: PtSession) {
  const { notes: _workoutNotes, ...workout } = session.workout ?? { exercises: [] };
  return {
    notes: {},
    location: { type: session.location.type },
    ...(session.workout ? { workout } : {}),
    feedback: {
      ...(session.feedback.coach ? { coach: { rating: session.feedback.coach.rating } } : {}),
      ...(session.feedback.client ? { client: { rating: session.feedback.client.rating } } : {}),
    },
    cancellationReason: null,
  };
}
