import type { JsonObject } from 'type-fest';
import { z } from 'zod';
import { idSchema, type UserId } from '../../core/ids.js';
import { parseOrThrow } from '../../core/validation.js';
import { ipAddressSchema, type AuditLog } from '../../modules/audit/audit-log.schema.js';
import { auditSnapshot } from '../../modules/audit/audit-trail.js';
import type { CoachClient } from '../../modules/coaching/coach-client.schema.js';
import type { Facility } from '../../modules/facilities/facility.schema.js';
import { currentRequestContext, requestOriginSchema, type RequestContext } from '../../uow/request-context.js';
import { allItems, everyItem, type PrivacyWorkflowDeps } from './privacy-workflow-deps.js';

/** The format name and version of an export: a host that archives exports can tell them apart. */
export const USER_DATA_EXPORT_FORMAT = 'nexfit.user-data-export';
export const USER_DATA_EXPORT_VERSION = 1;

/** Who asks for an operation and from where: recorded in its audit row. */
export const privacyRequestContextSchema = requestOriginSchema;

/**
 * The unit's request context of a privacy operation: the requester and origin given, else
 * those of the request being served (a scope's actor and origin), else the system.
 */
export function privacyRequestContext(requestedBy: string | undefined, context: z.output<typeof privacyRequestContextSchema> | undefined): RequestContext {
  const serving = currentRequestContext();
  const origin = { ...serving, ...Object.fromEntries(Object.entries(context ?? {}).filter(([, v]) => v !== undefined)) } as RequestContext;
  return {
    actorId: requestedBy ?? serving?.actorId ?? null,
    ...(origin.ipAddress === undefined ? {} : { ipAddress: origin.ipAddress }),
    ...(origin.userAgent === undefined ? {} : { userAgent: origin.userAgent }),
    ...(origin.requestId === undefined ? {} : { requestId: origin.requestId }),
  };
}

const exportOptionsSchema = z.strictObject({
  requestedBy: idSchema('UserId').optional(),
  context: privacyRequestContextSchema.optional(),
});

/** Options of `exportUserData`: who asked (the user themself, an operator) and from where. */
export type ExportUserDataOptions = z.input<typeof exportOptionsSchema>;

/**
 * Everything the SDK holds about one user (KVKK art. 11 / GDPR art. 15, right of access), as
 * plain JSON: dates are ISO strings, money is in minor units as everywhere in the SDK. Each
 * list holds the records *about* the user; where a record also holds someone else's data,
 * only the user's part is exported (see `withheld`).
 */
export interface UserDataExport {
  readonly format: typeof USER_DATA_EXPORT_FORMAT;
  readonly version: typeof USER_DATA_EXPORT_VERSION;
  readonly exportedAt: string;
  readonly userId: string;
  /** The profile, without `passwordHash` (never exported: it is a credential, not data about the person). */
  readonly user: JsonObject;
  readonly measurements: readonly JsonObject[];
  readonly workoutTemplates: readonly JsonObject[];
  readonly workoutPrograms: readonly JsonObject[];
  readonly workoutLogs: readonly JsonObject[];
  /** Plans written for the user (by anyone) and plans the user wrote. */
  readonly nutritionPlans: readonly JsonObject[];
  readonly memberSubscriptions: readonly JsonObject[];
  readonly classBookings: readonly JsonObject[];
  readonly classesInstructed: readonly JsonObject[];
  readonly coaching: {
    /** The user's coaches: relationship, package, goals and the notes shared with the client. */
    readonly asClient: readonly JsonObject[];
    /** The user's clients: relationship and package; the notes are about the clients and are not exported. */
    readonly asCoach: readonly JsonObject[];
  };
  readonly ptSessions: { readonly asClient: readonly JsonObject[]; readonly asCoach: readonly JsonObject[] };
  readonly transactions: readonly JsonObject[];
  readonly billingSubscriptions: readonly JsonObject[];
  readonly invoices: readonly JsonObject[];
  readonly auditLog: {
    /** Changes to the user's profile, with their before and after states. */
    readonly aboutUser: readonly JsonObject[];
    /** What the user did: action, entity, when, from which IP and user agent — not the other entity's states. */
    readonly byUser: readonly JsonObject[];
  };
  readonly facilities: {
    readonly owned: readonly JsonObject[];
    /** Facilities where the user is staff: the facility's name and the user's own staff entry. */
    readonly staffed: readonly JsonObject[];
  };
  /** What was left out and why, in English, for the person reading the export. */
  readonly withheld: readonly string[];
}

/**
 * Builds the export of one user from both stores and records an `export` audit row (entity
 * `users`, the user's id) naming only counts. Every list is read in keyset pages, never as one
 * unbounded query. The reads are not one snapshot: a record written while the export runs
 * may or may not be in it.
 *
 * Coach notes: a client's export holds the notes the coach shared (`notes.visible`); the
 * coach's private notes are the coach's working notes, which the design keeps from the client
 * (SPEC §3 coaching), so they are withheld and only their number is given. A coach's export
 * holds its relationships without any notes: they are about the clients.
 *
 * `NotFoundError` when there is no such user. An erased user's export is its tombstone and
 * the retained, pseudonymised financial records.
 *
 * @example
 * ```ts
 * const document = await nexfit.privacy.exportUserData(userId, { requestedBy: userId, context: { ipAddress: '203.0.113.7' } });
 * await writeFile('export.json', JSON.stringify(document));
 * ```
 */
export async function exportUserData(d: PrivacyWorkflowDeps, userId: string, options: ExportUserDataOptions = {}): Promise<UserDataExport> {
  const locale = d.deps.locale ? { locale: d.deps.locale } : {};
  const id = parseOrThrow(idSchema('UserId'), userId, { entity: 'user', ...locale }) as UserId;
  const { requestedBy, context } = parseOrThrow(exportOptionsSchema, options, { entity: 'export request', ...locale });
  const r = d.repositories;
  const user = await r.users.getById(id);
  const withheld: string[] = [];

  const asClient = await allItems((p) => r.coachClients.listByClient(id, {}, p));
  const privateNotes = asClient.reduce((n, c) => n + c.notes.private.length, 0);
  if (privateNotes > 0) withheld.push(`${privateNotes} private coach note(s): a coach's private notes are the coach's working notes and are not shown to the client.`);
  const asCoach = await allItems((p) => r.coachClients.listByCoach(id, {}, p));
  if (asCoach.some((c) => c.notes.visible.length + c.notes.private.length > 0)) withheld.push('Notes written as a coach: they are about the clients, not about you.');

  const aboutUser: JsonObject[] = [];
  for await (const row of everyItem((p) => r.auditLogs.listByEntity('users', id, p))) aboutUser.push(json(row));
  const byUser: JsonObject[] = [];
  for await (const row of everyItem((p) => r.auditLogs.listByUser(id, p))) byUser.push(actionOnly(row));

  const staffed = await allItems((p) => r.facilities.listByStaffMember(id, p));
  const nutrition = new Map<string, JsonObject>();
  for await (const plan of everyItem((p) => r.nutritionPlans.listForUser(id, p))) nutrition.set(plan.id, json(plan));
  for await (const plan of everyItem((p) => r.nutritionPlans.listByAuthor(id, p))) nutrition.set(plan.id, json(plan));

  const document: UserDataExport = {
    format: USER_DATA_EXPORT_FORMAT,
    version: USER_DATA_EXPORT_VERSION,
    exportedAt: d.deps.clock.now().toISOString(),
    userId: id,
    user: json(user),
    measurements: await jsonOfAll((p) => r.measurements.listByUser(id, {}, p)),
    workoutTemplates: await jsonOfAll((p) => r.workoutTemplates.listByAuthor(id, p)),
    workoutPrograms: await jsonOfAll((p) => r.workoutPrograms.listByAuthor(id, p)),
    workoutLogs: await jsonOfAll((p) => r.workoutLogs.listByUser(id, {}, p)),
    nutritionPlans: [...nutrition.values()],
    memberSubscriptions: await jsonOfAll((p) => r.memberSubscriptions.listByUser(id, {}, p)),
    classBookings: await jsonOfAll((p) => r.classBookings.listByUser(id, {}, p)),
    classesInstructed: await jsonOfAll((p) => r.classes.listByInstructor(id, p)),
    coaching: { asClient: asClient.map(clientView), asCoach: asCoach.map(coachView) },
    ptSessions: {
      asClient: await jsonOfAll((p) => r.ptSessions.listByClient(id, {}, p)),
      asCoach: await jsonOfAll((p) => r.ptSessions.listByCoach(id, {}, p)),
    },
    // Archived financial records are the user's too: the export holds the hot ones, then the archived ones.
    transactions: [...(await jsonOfAll((p) => r.transactions.listByUser(id, {}, p))), ...(await jsonOfAll((p) => r.transactions.listArchivedByUser(id, p)))],
    billingSubscriptions: await jsonOfAll((p) => r.subscriptions.listByUser(id, {}, p)),
    invoices: [...(await jsonOfAll((p) => r.invoices.listByUser(id, {}, p))), ...(await jsonOfAll((p) => r.invoices.listArchivedByUser(id, p)))],
    auditLog: { aboutUser, byUser },
    facilities: {
      owned: await jsonOfAll((p) => r.facilities.listByOwner(id, p)),
      staffed: staffed.map((f) => staffView(f, id)),
    },
    withheld,
  };

  await d.deps.units.run(
    (uow) =>
      d.audit.record(uow, {
        entityType: 'users',
        entityId: id,
        action: 'export',
        newState: { format: USER_DATA_EXPORT_FORMAT, version: USER_DATA_EXPORT_VERSION, records: countRecords(document) },
      }),
    { context: privacyRequestContext(requestedBy, context) },
  );
  return document;
}

/** A JSON-safe copy (dates as ISO strings). */
function json(value: unknown): JsonObject {
  return auditSnapshot(value);
}

async function jsonOfAll<T>(list: Parameters<typeof allItems<T>>[0]): Promise<JsonObject[]> {
  const out: JsonObject[] = [];
  for await (const item of everyItem(list)) out.push(json(item));
  return out;
}

function clientView(relation: CoachClient): JsonObject {
  const { notes, ...rest } = relation;
  return json({ ...rest, notes: { visible: notes.visible }, privateNotesWithheld: notes.private.length });
}

function coachView(relation: CoachClient): JsonObject {
  const { notes: _aboutTheClient, ...rest } = relation;
  return json(rest);
}

function staffView(facility: Facility, userId: string): JsonObject {
  return json({ facilityId: facility.id, name: facility.name, type: facility.type, staffEntry: facility.staff.find((s) => s.userId === userId) ?? null });
}

/** An audit row in which the user acted on some entity: the act, not the entity's states. */
function actionOnly(row: AuditLog): JsonObject {
  const { previousState: _before, newState: _after, ...act } = row;
  return json(act);
}

function countRecords(document: UserDataExport): JsonObject {
  return {
    measurements: document.measurements.length,
    workoutTemplates: document.workoutTemplates.length,
    workoutPrograms: document.workoutPrograms.length,
    workoutLogs: document.workoutLogs.length,
    nutritionPlans: document.nutritionPlans.length,
    memberSubscriptions: document.memberSubscriptions.length,
    classBookings: document.classBookings.length,
    coachingRelations: document.coaching.asClient.length + document.coaching.asCoach.length,
    ptSessions: document.ptSessions.asClient.length + document.ptSessions.asCoach.length,
    transactions: document.transactions.length,
    billingSubscriptions: document.billingSubscriptions.length,
    invoices: document.invoices.length,
    auditRows: document.auditLog.aboutUser.length + document.auditLog.byUser.length,
  };
}
