import type { JsonObject } from 'type-fest';
import type { UserId } from '../core/ids.js';
import type { Page, PageRequest } from '../core/pagination.js';
import type { PersonalStrings } from '../core/personal-data-redaction.js';
import type { UnitOfWork } from '../uow/unit-of-work.js';
import { auditSnapshot } from './audit/audit-trail.js';

/**
 * One collection or table where a module keeps records linked to a user. `untouched` says why
 * export and erasure leave its records as they are; without it the module's contributor
 * exports and erases them.
 */
export interface PersonalDataHolding {
  readonly store: 'mongo' | 'postgres';
  /** The collection or table name. */
  readonly name: string;
  /** Why the records stay out of export and erasure, for the reader of the privacy documentation. */
  readonly untouched?: string;
}

/** What a module declares about the user-linked data it stores: the module and its collections and tables. */
export interface PersonalDataDeclaration {
  readonly module: string;
  readonly holds: readonly PersonalDataHolding[];
}

/**
 * The sections of a user's data export, each filled by the module that holds the records
 * (see `UserDataExport` for the whole document). Written out, not inferred, so the document a
 * host archives cannot change shape by accident.
 */
export interface UserDataExportSections {
  /** The profile, without `passwordHash` (never exported: it is a credential, not data about the person). */
  readonly user: JsonObject;
  readonly measurements: readonly JsonObject[];
  /** The measurement categories the user defined (name and unit). */
  readonly measurementCategories: readonly JsonObject[];
  readonly workoutTemplates: readonly JsonObject[];
  readonly workoutPrograms: readonly JsonObject[];
  readonly workoutLogs: readonly JsonObject[];
  /** Plans written for the user (by anyone) and plans the user wrote. */
  readonly nutritionPlans: readonly JsonObject[];
  /** Every entry of the user's food diary, newest first. */
  readonly foodDiary: readonly JsonObject[];
  readonly memberSubscriptions: readonly JsonObject[];
  readonly classBookings: readonly JsonObject[];
  readonly classesInstructed: readonly JsonObject[];
  readonly coaching: {
    /** The user's coaches: relationship, package, goals and the notes shared with the client. */
    readonly asClient: readonly JsonObject[];
    /** The user's clients: relationship and package; the notes are about the clients and are not exported. */
    readonly asCoach: readonly JsonObject[];
    /** The user's availability as a coach: weekly windows and exceptions, per facility. */
    readonly availability: readonly JsonObject[];
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
  /** Strikes the user got for no-shows and late cancellations. */
  readonly bookingStrikes: readonly JsonObject[];
  /** The user's booking suspensions (with who lifted one, and why). */
  readonly bookingSuspensions: readonly JsonObject[];
  /** The waivers the user signed: facility, version, when, the name signed, and from which address. */
  readonly waiverSignatures: readonly JsonObject[];
  /** The user's late-cancellation and no-show fees (paid, unpaid or waived). */
  readonly bookingFees: readonly JsonObject[];
  /** Family and payer links: those the user holds for dependants, and those that stand for the user. */
  readonly accountLinks: { readonly asAccount: readonly JsonObject[]; readonly asDependant: readonly JsonObject[] };
  /** The promo codes the user redeemed: which purchase, and the discount it gave. */
  readonly promoRedemptions: readonly JsonObject[];
  readonly facilities: {
    readonly owned: readonly JsonObject[];
    /** Facilities where the user is staff: the facility's name and the user's own staff entry. */
    readonly staffed: readonly JsonObject[];
  };
}

/** What a contributor's export may add besides its sections. */
export interface PersonalDataExportRequest {
  /** Records a note, in English, for the person reading the export: what was left out and why. */
  withhold(note: string): void;
}

/** Records an erasure deleted, by kind. */
export interface ErasedRecordCounts {
  readonly measurements: number;
  readonly measurementCategories: number;
  readonly workoutLogs: number;
  readonly coachAvailabilities: number;
  readonly nutritionPlans: number;
  readonly foodDiaryEntries: number;
  readonly workoutTemplates: number;
  readonly workoutPrograms: number;
  readonly bookingStrikes: number;
  readonly bookingSuspensions: number;
  readonly bookingFees: number;
  /** Family and payer links the user was part of, on either side. */
  readonly accountLinks: number;
  readonly promoRedemptions: number;
}

/** Records an erasure kept with the personal fields removed, by kind. */
export interface AnonymisedRecordCounts {
  readonly user: number;
  readonly classBookings: number;
  readonly memberSubscriptions: number;
  readonly coachingRelations: number;
  readonly ptSessions: number;
  readonly classesInstructed: number;
  readonly staffEntries: number;
  readonly auditLogs: number;
  /** Waiver signatures kept as the facility's legal record, without the signed name, address and browser. */
  readonly waiverSignatures: number;
}

/** Financial rows an erasure kept for the legal retention period, pseudonymised. */
export interface RetainedRecordCounts {
  readonly transactions: number;
  readonly subscriptions: number;
  readonly invoices: number;
}

/** A contributor's part of an erasure report: the counts of the records it changed. */
export interface ErasureCounts {
  readonly deleted?: Partial<ErasedRecordCounts>;
  readonly anonymised?: Partial<AnonymisedRecordCounts>;
  readonly retained?: Partial<RetainedRecordCounts>;
}

/** Why an erasure was refused: each one must be resolved by the business first. */
export type ErasureBlocker =
  | { readonly reason: 'owns_facility_with_active_members'; readonly facilityId: string }
  | { readonly reason: 'coach_with_active_clients'; readonly coachClientId: string }
  | { readonly reason: 'coach_with_scheduled_sessions'; readonly ptSessionId: string }
  | { readonly reason: 'instructs_active_class'; readonly classId: string };

/** The erasure unit a contributor writes in, and what it reports back for the records that are kept. */
export interface PersonalDataErasure {
  readonly uow: UnitOfWork;
  /** The erasure's instant (a class still to come is one after it). */
  readonly now: Date;
  /** Collects the user's strings found in what is deleted or anonymised, to find them again in kept records. */
  readonly personalStrings: string[];
  /** Collects the ids of every record about the user: their audit rows lose every personal key. */
  readonly subjectIds: Set<string>;
}

/** The second pass of an erasure, over records kept for others or the law, once every personal string is known. */
export interface RetainedRecordRedaction extends PersonalDataErasure {
  readonly known: PersonalStrings;
}

/**
 * A module's part in the privacy workflows: the user-linked collections and tables it holds
 * (its {@link PersonalDataDeclaration}), its sections of the export, and how its records are
 * erased. `exportUserData` and `eraseUser` only iterate the registered contributors, so a
 * module that stores personal data declares here how it is exported and erased (a test fails
 * for a collection or table that refers to a user and no contributor holds).
 *
 * An erasure runs in one unit of work: every contributor's `erasureBlockers` first (any
 * blocker refuses the whole erasure), then every `erase` in registry order (deleting or
 * anonymising, collecting personal strings and subject ids), then every `redactRetained`
 * (rewriting the records kept for others or the law).
 *
 * @example
 * ```ts
 * const contributor: PersonalDataContributor = {
 *   module: 'measurements',
 *   holds: [{ store: 'mongo', name: 'measurements' }],
 *   export: async (userId) => ({ measurements: await jsonOfAll((p) => repository.listByUser(userId, {}, p)) }),
 *   erase: async (userId, { uow }) => ({ deleted: { measurements: await deleteAllOf(userId, uow) } }),
 * };
 * ```
 */
export interface PersonalDataContributor extends PersonalDataDeclaration {
  /** The contributor's sections of the user's export. */
  export?(userId: UserId, request: PersonalDataExportRequest): Promise<Partial<UserDataExportSections>>;
  /** What in this module must be resolved by the business before the user can be erased. */
  erasureBlockers?(userId: UserId, uow: UnitOfWork, now: Date): Promise<readonly ErasureBlocker[]>;
  /** Deletes or anonymises the user's records of this module. */
  erase?(userId: UserId, erasure: PersonalDataErasure): Promise<ErasureCounts>;
  /** Rewrites records kept for others or the law, removing the user's personal strings. */
  redactRetained?(userId: UserId, redaction: RetainedRecordRedaction): Promise<ErasureCounts>;
}

/** Page size of every keyset walk of the privacy contributors (the repositories' maximum). */
export const PRIVACY_PAGE_SIZE = 200;

/**
 * Walks a keyset-paged list to its end, one page of {@link PRIVACY_PAGE_SIZE} at a time, so
 * no single read loads an unbounded result.
 *
 * @example
 * ```ts
 * for await (const log of everyItem((page) => workoutLogs.listByUser(userId, {}, page))) count++;
 * ```
 */
export async function* everyItem<T>(list: (page: PageRequest) => Promise<Page<T>>): AsyncGenerator<T> {
  let page: PageRequest = { limit: PRIVACY_PAGE_SIZE };
  for (;;) {
    const { items, nextCursor } = await list(page);
    yield* items;
    if (!nextCursor) return;
    page = { limit: PRIVACY_PAGE_SIZE, after: nextCursor };
  }
}

/** Every item of a keyset-paged list, collected page by page. */
export async function allItems<T>(list: (page: PageRequest) => Promise<Page<T>>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of everyItem(list)) out.push(item);
  return out;
}

/** Every item of a keyset-paged list as JSON-safe copies (dates as ISO strings), for an export section. */
export async function jsonOfAll<T>(list: (page: PageRequest) => Promise<Page<T>>): Promise<JsonObject[]> {
  const out: JsonObject[] = [];
  for await (const item of everyItem(list)) out.push(auditSnapshot(item));
  return out;
}

/** True for a string with something in it: the personal strings worth looking for in kept records. */
export function isText(value: string | undefined | null): value is string {
  return typeof value === 'string' && value.trim().length > 0;
}
