import type { JsonObject } from 'type-fest';
import { z } from 'zod';
import { idSchema, type UserId } from '../../core/ids.js';
import { parseOrThrow } from '../../core/validation.js';
import { ConfigurationError } from '../../core/errors.js';
import type { UserDataExportSections } from '../../modules/personal-data.js';
import { currentRequestContext, requestOriginSchema, type RequestContext } from '../../uow/request-context.js';
import type { PrivacyWorkflowDeps } from './privacy-workflow-deps.js';

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
 * only the user's part is exported (see `withheld`). Each section is filled by the module that
 * holds the records (its `PersonalDataContributor`).
 */
export interface UserDataExport extends UserDataExportSections {
  readonly format: typeof USER_DATA_EXPORT_FORMAT;
  readonly version: typeof USER_DATA_EXPORT_VERSION;
  readonly exportedAt: string;
  readonly userId: string;
  /** What was left out and why, in English, for the person reading the export. */
  readonly withheld: readonly string[];
}

/**
 * The sections of an export in the order the document lists them. A record of every section,
 * so a section added to `UserDataExportSections` and not listed here fails to compile.
 */
const SECTION_ORDER: Readonly<Record<keyof UserDataExportSections, true>> = {
  user: true,
  measurements: true,
  measurementCategories: true,
  workoutTemplates: true,
  workoutPrograms: true,
  workoutLogs: true,
  nutritionPlans: true,
  foodDiary: true,
  memberSubscriptions: true,
  classBookings: true,
  classesInstructed: true,
  coaching: true,
  ptSessions: true,
  transactions: true,
  billingSubscriptions: true,
  invoices: true,
  auditLog: true,
  bookingStrikes: true,
  bookingSuspensions: true,
  waiverSignatures: true,
  bookingFees: true,
  accountLinks: true,
  promoRedemptions: true,
  facilities: true,
};
const EXPORT_SECTIONS = Object.keys(SECTION_ORDER) as (keyof UserDataExportSections)[];

/**
 * Builds the export of one user from the sections of every registered module and records an
 * `export` audit row (entity `users`, the user's id) naming only counts. Every list is read in
 * keyset pages, never as one unbounded query. The reads are not one snapshot: a record written
 * while the export runs may or may not be in it.
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
  // No such user: refused before any module reads.
  await d.users.getById(id);
  const withheld: string[] = [];
  const sections: Partial<Record<keyof UserDataExportSections, unknown>> = {};
  for (const contributor of d.contributors) {
    Object.assign(sections, await contributor.export?.(id, { withhold: (note) => void withheld.push(note) }));
  }
  const missing = EXPORT_SECTIONS.filter((section) => sections[section] === undefined);
  if (missing.length > 0) throw new ConfigurationError(`No registered module exports the section(s) ${missing.join(', ')} of a user's data`);

  // Every section is present (checked above); listed in the document's order.
  const ordered = Object.fromEntries(EXPORT_SECTIONS.map((section) => [section, sections[section]])) as unknown as UserDataExportSections;
  const document: UserDataExport = {
    format: USER_DATA_EXPORT_FORMAT,
    version: USER_DATA_EXPORT_VERSION,
    exportedAt: d.deps.clock.now().toISOString(),
    userId: id,
    ...ordered,
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

function countRecords(document: UserDataExport): JsonObject {
  return {
    measurements: document.measurements.length,
    measurementCategories: document.measurementCategories.length,
    workoutTemplates: document.workoutTemplates.length,
    workoutPrograms: document.workoutPrograms.length,
    workoutLogs: document.workoutLogs.length,
    nutritionPlans: document.nutritionPlans.length,
    foodDiaryEntries: document.foodDiary.length,
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
