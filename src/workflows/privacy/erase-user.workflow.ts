import { ObjectId } from 'mongodb';
import type { JsonObject } from 'type-fest';
import { z } from 'zod';
import { ConflictError } from '../../core/errors.js';
import { idSchema, type UserId } from '../../core/ids.js';
import { parseOrThrow } from '../../core/validation.js';
import type { PtSession } from '../../modules/coaching/pt-session.schema.js';
import type { User } from '../../modules/users/user.schema.js';
import { USERS_COLLECTION } from '../../modules/users/user.collection.js';
import { sessionOf } from '../../stores/mongo/mongo-repository.js';
import type { UnitOfWork } from '../../uow/unit-of-work.js';
import { privacyRequestContext, privacyRequestContextSchema } from './export-user-data.workflow.js';
import { pseudonymiseFinancialRecords, type PseudonymisedCounts } from './financial-record-pseudonymiser.js';
import { PersonalStrings } from './personal-data-redaction.js';
import { allItems, everyItem, type PrivacyWorkflowDeps } from './privacy-workflow-deps.js';

const eraseOptionsSchema = z.strictObject({
  /** Why (a request number, "KVKK art. 7 request"): recorded in the audit row, so it must not itself be personal data. */
  reason: z.string().trim().min(1).max(500),
  requestedBy: idSchema('UserId').optional(),
  context: privacyRequestContextSchema.optional(),
});

/** Options of `eraseUser`. */
export type EraseUserOptions = z.input<typeof eraseOptionsSchema>;

/** The names a tombstone carries: required fields of a user, saying nothing about the person. */
export const ERASED_FIRST_NAME = 'Erased';
export const ERASED_LAST_NAME = 'User';
/** What replaces a class instructor's denormalised name. */
export const ERASED_DISPLAY_NAME = 'Erased user';
/**
 * The stored `passwordHash` of a tombstone: not in the KDF's format, so no password ever
 * verifies against it (the hasher treats an unreadable hash as a mismatch).
 */
export const ERASED_PASSWORD_HASH = 'erased';

/**
 * The tombstone's e-mail: unique per account (the unique index on `email` stays satisfied,
 * and the address can never be registered by a person: `.invalid` is reserved, RFC 2606),
 * derived from the id alone, so nothing of the erased address can be recovered from it.
 */
export function erasedEmailOf(userId: string): string {
  return `erased-${userId}@erased.invalid`;
}

/** What an erasure did, by collection or table: counts only, never data. */
export interface ErasureReport {
  readonly userId: string;
  readonly erasedAt: Date;
  /** True when the user had been erased before: nothing was changed and nothing audited. */
  readonly alreadyErased: boolean;
  readonly deleted: {
    readonly measurements: number;
    readonly workoutLogs: number;
    readonly nutritionPlans: number;
    readonly workoutTemplates: number;
    readonly workoutPrograms: number;
  };
  readonly anonymised: {
    readonly user: number;
    readonly classBookings: number;
    readonly memberSubscriptions: number;
    readonly coachingRelations: number;
    readonly ptSessions: number;
    readonly classesInstructed: number;
    readonly staffEntries: number;
    readonly auditLogs: number;
  };
  /** Financial rows kept for the legal retention period, pseudonymised. */
  readonly retained: Omit<PseudonymisedCounts, 'auditLogs'>;
}

/** Why an erasure was refused: each one must be resolved by the business first. */
export type ErasureBlocker =
  | { readonly reason: 'owns_facility_with_active_members'; readonly facilityId: string }
  | { readonly reason: 'coach_with_active_clients'; readonly coachClientId: string }
  | { readonly reason: 'coach_with_scheduled_sessions'; readonly ptSessionId: string }
  | { readonly reason: 'instructs_active_class'; readonly classId: string };

/**
 * Erases a user's personal data from both stores in ONE unit of work (KVKK art. 7 / GDPR
 * art. 17, right to erasure): everything commits together or nothing changes. What happens
 * to each collection and table is listed in docs/security/privacy.md; in short, data about
 * the person (measurements, workout logs, nutrition plans for them, private templates) is
 * deleted; records other people or the law depend on (bookings, memberships, coaching
 * relationships, PT sessions) stay with their personal fields removed; financial rows stay
 * for the retention period with amounts, numbers and dates intact and their personal text
 * removed; audit rows stay with the personal data inside their states redacted. The user
 * document becomes a tombstone: placeholder names and e-mail, an unusable password hash, no
 * phone, photo, push token or role data, inactive, with `erasedAt`.
 *
 * Refused with `ConflictError('erasure_blocked')` (every blocker in `details.blockers`)
 * while the user owns a facility that has active members, coaches active clients, has PT
 * sessions to give, or instructs an active class: those must be handed over or ended by the
 * business first, since erasing would strand other people's memberships and bookings.
 * Erasing an erased user changes nothing (`alreadyErased: true`). `NotFoundError` when there
 * is no such user. The erasure writes one `erase` audit row (actor: `requestedBy`) with the
 * reason and the counts, and no personal data.
 *
 * @example
 * ```ts
 * const report = await nexfit.privacy.eraseUser(userId, { reason: 'KVKK request 2026-118', requestedBy: operatorId });
 * report.retained.invoices // invoices kept, pseudonymised
 * ```
 */
export async function eraseUser(d: PrivacyWorkflowDeps, userId: string, options: EraseUserOptions): Promise<ErasureReport> {
  const locale = d.deps.locale ? { locale: d.deps.locale } : {};
  const id = parseOrThrow(idSchema('UserId'), userId, { entity: 'user', ...locale }) as UserId;
  const { reason, requestedBy, context } = parseOrThrow(eraseOptionsSchema, options, { entity: 'erasure request', ...locale });
  const current = await d.repositories.users.getById(id);
  // Already a tombstone: answer without opening a unit, so a repeated request leaves no trace at all.
  if (current.erasedAt) return alreadyErased(id, current.erasedAt);
  const attempts: string[] = [];
  let mode: UnitOfWork['mode'] | undefined;
  try {
    return await d.deps.units.run(
      async (uow) => {
        attempts.push(uow.id);
        mode = uow.mode;
        return eraseInUnit(d, uow, id, reason);
      },
      { context: privacyRequestContext(requestedBy, context) },
    );
  } finally {
    if (mode === 'ordered') await closeCompensationLog(d, attempts);
  }
}

async function eraseInUnit(d: PrivacyWorkflowDeps, uow: UnitOfWork, userId: UserId, reason: string): Promise<ErasureReport> {
  const r = d.repositories;
  const ctx = uow.ctx;
  const now = d.deps.clock.now();
  const user = await r.users.getById(userId, ctx);
  if (user.erasedAt) return alreadyErased(userId, user.erasedAt);

  const blockers = await blockersOf(d, uow, userId, now);
  if (blockers.length > 0) {
    throw new ConflictError('erasure_blocked', `User ${userId} cannot be erased yet: ${blockers.map((b) => b.reason).join(', ')}`, { details: { userId, blockers } });
  }

  const personal = personalStringsOf(user);
  // Ids of every record about the user: their audit rows lose personal keys, not only matching strings.
  const subjects = new Set<string>([userId]);

  // Deleted: data about the person that nobody else relies on.
  let measurements = 0;
  for (const m of await allItems((p) => r.measurements.listByUser(userId, {}, p, ctx))) {
    if (m.notes) personal.push(m.notes);
    subjects.add(m.id);
    await r.measurements.delete(m.id, {}, ctx);
    measurements++;
  }
  let workoutLogs = 0;
  for (const log of await allItems((p) => r.workoutLogs.listByUser(userId, {}, p, ctx))) {
    personal.push(...[log.notes, log.feedback?.notes, ...log.exercises.map((e) => e.notes)].filter(isText));
    subjects.add(log.id);
    await r.workoutLogs.delete(log.id, {}, ctx);
    workoutLogs++;
  }
  let nutritionPlans = 0;
  const plans = new Map((await allItems((p) => r.nutritionPlans.listForUser(userId, p, ctx))).map((plan) => [plan.id, plan]));
  for (const plan of await allItems((p) => r.nutritionPlans.listByAuthor(userId, p, ctx))) {
    // A plan the user wrote for another client is that client's; a published one, everyone's.
    if (!plan.isPublic && (plan.forUserId === undefined || plan.forUserId === userId)) plans.set(plan.id, plan);
  }
  for (const plan of plans.values()) {
    subjects.add(plan.id);
    await r.nutritionPlans.delete(plan.id, {}, ctx);
    nutritionPlans++;
  }
  let workoutTemplates = 0;
  for (const template of await allItems((p) => r.workoutTemplates.listByAuthor(userId, p, ctx))) {
    if (template.isPublic) continue;
    subjects.add(template.id);
    await r.workoutTemplates.delete(template.id, {}, ctx);
    workoutTemplates++;
  }
  let workoutPrograms = 0;
  for (const program of await allItems((p) => r.workoutPrograms.listByAuthor(userId, p, ctx))) {
    if (program.isPublic) continue;
    subjects.add(program.id);
    await r.workoutPrograms.delete(program.id, {}, ctx);
    workoutPrograms++;
  }

  // Kept, personal fields removed: other people (a facility, a coach) and the law rely on them.
  let classBookings = 0;
  for (const booking of await allItems((p) => r.classBookings.listByUser(userId, {}, p, ctx))) {
    subjects.add(booking.id);
    let current = booking;
    // A seat in a class still to come goes back to the class (and to the first on its waitlist).
    if ((current.status === 'booked' || current.status === 'waitlisted') && current.date.getTime() > now.getTime()) {
      current = await d.bookings.cancelBooking(current.id, uow);
    }
    if (current.notes) {
      personal.push(current.notes);
      current = await r.classBookings.patch(current.id, { notes: null }, {}, ctx);
    }
    if (current !== booking) classBookings++;
  }
  let memberSubscriptions = 0;
  for (const subscription of await allItems((p) => r.memberSubscriptions.listByUser(userId, {}, p, ctx))) {
    subjects.add(subscription.id);
    let changed = false;
    if (subscription.cancellationReason) {
      personal.push(subscription.cancellationReason);
      await r.memberSubscriptions.patch(subscription.id, { cancellationReason: null }, {}, ctx);
      changed = true;
    }
    // An erased account is never charged again: no renewal, no period left running.
    if (subscription.status === 'active' || subscription.status === 'pending') {
      await d.memberships.cancelSubscription(subscription.id, { when: 'immediately' }, uow);
      changed = true;
    } else if (subscription.autoRenew) {
      await r.memberSubscriptions.patch(subscription.id, { autoRenew: false }, {}, ctx);
      changed = true;
    }
    if (changed) memberSubscriptions++;
  }
  let coachingRelations = 0;
  for (const relation of await allItems((p) => r.coachClients.listByClient(userId, {}, p, ctx))) {
    subjects.add(relation.id);
    personal.push(...relation.notes.visible.map((n) => n.text), ...relation.notes.private.map((n) => n.text), ...relation.goals);
    const open = relation.relationship.status === 'pending' || relation.relationship.status === 'active';
    // The package (price, sessions used) stays: it is what was sold and paid for.
    await r.coachClients.patch(
      relation.id,
      { goals: [], notes: { visible: [], private: [] }, ...(open ? { relationship: { ...relation.relationship, status: 'ended', endDate: now } } : {}) },
      {},
      ctx,
    );
    coachingRelations++;
  }
  for (const relation of await allItems((p) => r.coachClients.listByCoach(userId, { status: 'pending' }, p, ctx))) {
    await d.coaching.declineRequest(relation.id, userId, uow);
    coachingRelations++;
  }
  let ptSessions = 0;
  for (const session of await allItems((p) => r.ptSessions.listByClient(userId, {}, p, ctx))) {
    subjects.add(session.id);
    let current = session;
    if (current.status === 'scheduled' && current.startTime.getTime() > now.getTime()) {
      current = await r.ptSessions.markCancelled(current.id, { by: userId, at: now }, ctx);
    }
    personal.push(...ptSessionTexts(current));
    await r.ptSessions.patch(current.id, withoutPtSessionTexts(current), {}, ctx);
    ptSessions++;
  }
  let classesInstructed = 0;
  for (const fitnessClass of await allItems((p) => r.classes.listByInstructor(userId, p, ctx))) {
    // Only inactive classes get here: an active one blocks the erasure.
    await r.classes.patch(fitnessClass.id, { instructor: { userId: fitnessClass.instructor.userId, name: ERASED_DISPLAY_NAME } }, {}, ctx);
    classesInstructed++;
  }
  let staffEntries = 0;
  for (const facility of await allItems((p) => r.facilities.listByStaffMember(userId, p, ctx))) {
    await r.facilities.removeStaff(facility.id, userId, {}, ctx);
    staffEntries++;
  }

  // The tombstone. The repository's patch writes what it can (and keeps any field encryption
  // transparent); the e-mail, password hash and marker have no patch path by design, so they
  // are set here directly, in the unit's session.
  await r.users.patch(
    userId,
    { firstName: ERASED_FIRST_NAME, lastName: ERASED_LAST_NAME, profileImage: null, phoneNumber: null, fcmToken: null, isActive: false, roleSpecificData: {} },
    {},
    ctx,
  );
  await d.db
    .collection(USERS_COLLECTION.name)
    .updateOne({ _id: new ObjectId(userId) }, { $set: { email: erasedEmailOf(userId), passwordHash: ERASED_PASSWORD_HASH, erasedAt: now } }, sessionOf(ctx));

  const known = new PersonalStrings(personal);
  const pseudonymised = await pseudonymiseFinancialRecords(uow, userId, known, { subjectEntityIds: subjects });

  const report: ErasureReport = {
    userId,
    erasedAt: now,
    alreadyErased: false,
    deleted: { measurements, workoutLogs, nutritionPlans, workoutTemplates, workoutPrograms },
    anonymised: { user: 1, classBookings, memberSubscriptions, coachingRelations, ptSessions, classesInstructed, staffEntries, auditLogs: pseudonymised.auditLogs },
    retained: { transactions: pseudonymised.transactions, subscriptions: pseudonymised.subscriptions, invoices: pseudonymised.invoices },
  };
  // Written after the redaction pass, so this row is never redacted itself; it holds counts and the operator's reason only.
  await d.audit.record(uow, {
    entityType: 'users',
    entityId: userId,
    action: 'erase',
    newState: { erasedAt: now.toISOString(), reason, deleted: { ...report.deleted }, anonymised: { ...report.anonymised }, retained: { ...report.retained } } satisfies JsonObject,
  });
  return report;
}

/** Everything that must be resolved before the user can be erased. */
async function blockersOf(d: PrivacyWorkflowDeps, uow: UnitOfWork, userId: UserId, now: Date): Promise<ErasureBlocker[]> {
  const r = d.repositories;
  const ctx = uow.ctx;
  const blockers: ErasureBlocker[] = [];
  for await (const facility of everyItem((p) => r.facilities.listByOwner(userId, p, ctx))) {
    const members = await r.memberSubscriptions.listByFacility(facility.id, { status: 'active' }, { limit: 1 }, ctx);
    if (members.items.length > 0) blockers.push({ reason: 'owns_facility_with_active_members', facilityId: facility.id });
  }
  for (const relation of (await r.coachClients.listByCoach(userId, { status: 'active' }, { limit: 20 }, ctx)).items) {
    blockers.push({ reason: 'coach_with_active_clients', coachClientId: relation.id });
  }
  for await (const session of everyItem((p) => r.ptSessions.listByCoach(userId, { from: now }, p, ctx))) {
    if (session.status === 'scheduled') blockers.push({ reason: 'coach_with_scheduled_sessions', ptSessionId: session.id });
  }
  for await (const fitnessClass of everyItem((p) => r.classes.listByInstructor(userId, p, ctx))) {
    if (fitnessClass.isActive) blockers.push({ reason: 'instructs_active_class', classId: fitnessClass.id });
  }
  return blockers;
}

/**
 * The user's own strings to look for in records that are kept (invoice lines, audit states):
 * identifying profile fields and free text about their health, goals and business. Labels
 * from fixed vocabularies (a fitness level, a specialisation) are left out on purpose: they
 * identify no one and also appear in other people's records.
 */
function personalStringsOf(user: User): string[] {
  const roles = user.roleSpecificData;
  const owners = [roles.gym_owner, roles.studio_owner].flatMap((o) => (o ? [o.businessName, o.businessAddress, o.businessPhoneNumber, o.businessEmail, o.taxId] : []));
  const contacts = [roles.gym_member?.emergencyContact, roles.studio_client?.emergencyContact].flatMap((c) => (c ? [c.name, c.phoneNumber] : []));
  return [
    user.email,
    user.firstName,
    user.lastName,
    user.phoneNumber,
    user.profileImage,
    user.fcmToken,
    ...(roles.client?.medicalConditions ?? []),
    ...(roles.client?.dietaryRestrictions ?? []),
    ...(roles.client?.fitnessGoals ?? []),
    roles.coach?.bio,
    roles.studio_coach?.bio,
    roles.gym_member?.membershipNumber,
    ...owners,
    ...contacts,
  ].filter(isText);
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

/**
 * In `ordered` mode a unit stores, with its intent, the SQL that would undo its PostgreSQL
 * writes — for an erasure, the personal data it removed. Once the unit is decided (committed,
 * or compensated and so the data is back in its rows) that SQL is never needed again, so it
 * is emptied. Best effort: a unit still `pending` (left to recovery) keeps it until decided.
 */
async function closeCompensationLog(d: PrivacyWorkflowDeps, unitIds: readonly string[]): Promise<void> {
  if (unitIds.length === 0) return;
  await d.pg
    .updateTable('nexfit_uow_intents')
    .set({ compensation: '[]' })
    .where('unit_id', 'in', [...unitIds])
    .where('status', '<>', 'pending')
    .execute()
    .catch(() => {});
}

function isText(value: string | undefined | null): value is string {
  return typeof value === 'string' && value.trim().length > 0;
}

/** The report of a repeated erasure: nothing done. */
function alreadyErased(userId: string, erasedAt: Date): ErasureReport {
  return {
    userId,
    erasedAt,
    alreadyErased: true,
    deleted: { measurements: 0, workoutLogs: 0, nutritionPlans: 0, workoutTemplates: 0, workoutPrograms: 0 },
    anonymised: { user: 0, classBookings: 0, memberSubscriptions: 0, coachingRelations: 0, ptSessions: 0, classesInstructed: 0, staffEntries: 0, auditLogs: 0 },
    retained: { transactions: 0, subscriptions: 0, invoices: 0 },
  };
}
