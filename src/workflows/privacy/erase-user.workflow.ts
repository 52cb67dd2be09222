import type { JsonObject } from 'type-fest';
import { z } from 'zod';
import { ConflictError } from '../../core/errors.js';
import { idSchema, type UserId } from '../../core/ids.js';
import { PersonalStrings } from '../../core/personal-data-redaction.js';
import { parseOrThrow } from '../../core/validation.js';
import type { AnonymisedRecordCounts, ErasedRecordCounts, ErasureBlocker, ErasureCounts, RetainedRecordCounts } from '../../modules/personal-data.js';
import type { UnitOfWork } from '../../uow/unit-of-work.js';
import { privacyRequestContext, privacyRequestContextSchema } from './export-user-data.workflow.js';
import type { PrivacyWorkflowDeps } from './privacy-workflow-deps.js';

export type { ErasureBlocker } from '../../modules/personal-data.js';

const eraseOptionsSchema = z.strictObject({
  /** Why (a request number, "KVKK art. 7 request"): recorded in the audit row, so it must not itself be personal data. */
  reason: z.string().trim().min(1).max(500),
  requestedBy: idSchema('UserId').optional(),
  context: privacyRequestContextSchema.optional(),
});

/** Options of `eraseUser`. */
export type EraseUserOptions = z.input<typeof eraseOptionsSchema>;

/** What an erasure did, by collection or table: counts only, never data. */
export interface ErasureReport {
  readonly userId: string;
  readonly erasedAt: Date;
  /** True when the user had been erased before: nothing was changed and nothing audited. */
  readonly alreadyErased: boolean;
  readonly deleted: ErasedRecordCounts;
  readonly anonymised: AnonymisedRecordCounts;
  /** Financial rows kept for the legal retention period, pseudonymised. */
  readonly retained: RetainedRecordCounts;
}

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
  const current = await d.users.getById(id);
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

/** The order blockers are reported in, whichever module finds them. */
const BLOCKER_ORDER: readonly ErasureBlocker['reason'][] = ['owns_facility_with_active_members', 'coach_with_active_clients', 'coach_with_scheduled_sessions', 'instructs_active_class'];

async function eraseInUnit(d: PrivacyWorkflowDeps, uow: UnitOfWork, userId: UserId, reason: string): Promise<ErasureReport> {
  const now = d.deps.clock.now();
  const user = await d.users.getById(userId, uow.ctx);
  if (user.erasedAt) return alreadyErased(userId, user.erasedAt);

  const blockers: ErasureBlocker[] = [];
  for (const contributor of d.contributors) blockers.push(...((await contributor.erasureBlockers?.(userId, uow, now)) ?? []));
  if (blockers.length > 0) {
    blockers.sort((a, b) => BLOCKER_ORDER.indexOf(a.reason) - BLOCKER_ORDER.indexOf(b.reason));
    throw new ConflictError('erasure_blocked', `User ${userId} cannot be erased yet: ${blockers.map((b) => b.reason).join(', ')}`, { details: { userId, blockers } });
  }

  // Ids of every record about the user: their audit rows lose personal keys, not only matching strings.
  const erasure = { uow, now, personalStrings: [] as string[], subjectIds: new Set<string>([userId]) };
  const counts: ErasureCounts[] = [];
  for (const contributor of d.contributors) if (contributor.erase) counts.push(await contributor.erase(userId, erasure));
  // Records kept for others or the law, once every module has named the user's strings and records.
  const redaction = { ...erasure, known: new PersonalStrings(erasure.personalStrings) };
  for (const contributor of d.contributors) if (contributor.redactRetained) counts.push(await contributor.redactRetained(userId, redaction));

  const { deleted, anonymised, retained } = zeroCounts();
  const report: ErasureReport = {
    userId,
    erasedAt: now,
    alreadyErased: false,
    deleted: sumInto(deleted, counts.map((c) => c.deleted)),
    anonymised: sumInto(anonymised, counts.map((c) => c.anonymised)),
    retained: sumInto(retained, counts.map((c) => c.retained)),
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

/** Every count of a report at zero, its keys in report order. */
function zeroCounts(): { deleted: ErasedRecordCounts; anonymised: AnonymisedRecordCounts; retained: RetainedRecordCounts } {
  return {
    deleted: { measurements: 0, measurementCategories: 0, workoutLogs: 0, coachAvailabilities: 0, nutritionPlans: 0, foodDiaryEntries: 0, workoutTemplates: 0, workoutPrograms: 0, bookingStrikes: 0, bookingSuspensions: 0, bookingFees: 0, accountLinks: 0, promoRedemptions: 0 },
    anonymised: { user: 0, classBookings: 0, memberSubscriptions: 0, coachingRelations: 0, ptSessions: 0, classesInstructed: 0, staffEntries: 0, auditLogs: 0, waiverSignatures: 0 },
    retained: { transactions: 0, subscriptions: 0, invoices: 0 },
  };
}

/** Adds the contributors' counts to `base`, key by key. */
function sumInto<T extends object>(base: T, parts: readonly (Partial<T> | undefined)[]): T {
  const sum = base as Record<string, number>;
  for (const part of parts) for (const [key, value] of Object.entries(part ?? {})) sum[key] = (sum[key] ?? 0) + (value as number);
  return base;
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

/** The report of a repeated erasure: nothing done. */
function alreadyErased(userId: string, erasedAt: Date): ErasureReport {
  return { userId, erasedAt, alreadyErased: true, ...zeroCounts() };
}
