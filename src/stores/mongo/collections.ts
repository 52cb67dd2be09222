import type { Document, IndexDirection } from 'mongodb';
import type { z } from 'zod';
import { exerciseDerivedFields, storedExerciseSchema } from '../../modules/catalog/exercise.schema.js';
import { foodDerivedFields, storedFoodSchema } from '../../modules/catalog/food.schema.js';
import { classBookingDerivedFields, storedClassBookingSchema } from '../../modules/classes/class-booking.schema.js';
import { storedClassSchema } from '../../modules/classes/class.schema.js';
import { coachClientDerivedFields, storedCoachClientSchema } from '../../modules/coaching/coach-client.schema.js';
import { storedPtSessionSchema } from '../../modules/coaching/pt-session.schema.js';
import { facilityDerivedFields, storedFacilitySchema } from '../../modules/facilities/facility.schema.js';
import { storedMeasurementSchema } from '../../modules/measurements/measurement.schema.js';
import { storedMemberSubscriptionSchema } from '../../modules/memberships/member-subscription.schema.js';
import { storedMembershipSchema } from '../../modules/memberships/membership.schema.js';
import { storedNutritionPlanSchema } from '../../modules/nutrition/nutrition-plan.schema.js';
import { storedUserSchema } from '../../modules/users/user.schema.js';
import { storedWorkoutLogSchema } from '../../modules/workouts/workout-log.schema.js';
import { storedWorkoutProgramSchema } from '../../modules/workouts/workout-program.schema.js';
import { storedWorkoutTemplateSchema } from '../../modules/workouts/workout-template.schema.js';
import type { BlindIndexDefinition } from './encrypted-fields.js';

/** One index of a collection, in the shape `createIndexes` takes. */
export interface MongoIndexDefinition {
  readonly key: Readonly<Record<string, IndexDirection>>;
  readonly name: string;
  readonly unique?: boolean;
  readonly partialFilterExpression?: Document;
  readonly expireAfterSeconds?: number;
  readonly '2dsphereIndexVersion'?: number;
}

/**
 * One collection: its name, the stored-document schema its `$jsonSchema` validator is
 * generated from (none for the SDK's internal bookkeeping collections), the document format
 * version, the indexes, and how stored-only fields derive from the entity.
 */
export interface MongoCollectionDefinition {
  readonly name: string;
  readonly storedSchema?: z.ZodType;
  /** The current `schemaVersion` of its documents. */
  readonly schemaVersion: number;
  readonly indexes: readonly MongoIndexDefinition[];
  /**
   * The stored-only fields derived from the API entity (`searchName`, `address`
   * with its `location`, `holdsSeat`, `isOpen`), as top-level fields free of ids, to merge
   * over the encoded document.
   */
  readonly derive?: (entity: never) => Document;
  /** Stored fields reads leave out (a projection): secrets and derived fields. */
  readonly hiddenFields?: readonly string[];
  /**
   * Paths encrypted at rest (AES-256-GCM, see `EncryptedFields`), `[]` marking array
   * elements. The validator accepts only the encrypted envelope there.
   */
  readonly encryptedFields?: readonly string[];
  /** Encrypted fields searchable by equality through a keyed hash in a hidden field of their own. */
  readonly blindIndexes?: readonly BlindIndexDefinition[];
  /**
   * Encrypted paths that earlier layouts stored in clear: reads and the validator accept
   * their plaintext until `nexfit keys rotate` has sealed it; every write seals them.
   */
  readonly plaintextUntilRotated?: readonly string[];
}

/**
 * The personal data of a user encrypted at rest: contact numbers, health data (medical
 * conditions, dietary restrictions, date of birth, height, weight), tax ids and emergency contacts. The owner blocks are listed for both business roles.
 */
/** A client's body data, stored in clear before layout 6 (see `plaintextUntilRotated`). */
const USER_BODY_FIELDS = ['roleSpecificData.client.dateOfBirth', 'roleSpecificData.client.height', 'roleSpecificData.client.weight'];

const USER_ENCRYPTED_FIELDS = [
  'phoneNumber',
  'roleSpecificData.client.dietaryRestrictions',
  'roleSpecificData.client.medicalConditions',
  ...USER_BODY_FIELDS,
  ...(['gym_owner', 'studio_owner'] as const).flatMap((role) => [`roleSpecificData.${role}.taxId`, `roleSpecificData.${role}.businessPhoneNumber`]),
  ...(['gym_member', 'studio_client'] as const).map((role) => `roleSpecificData.${role}.emergencyContact`),
];

const asc = (field: string, name = field.replace(/\./g, '_')): MongoIndexDefinition => ({ key: { [field]: 1 }, name });

/**
 * Every MongoDB collection of the SDK with its indexes: each index the design document lists
 * (SPEC decision 8), plus the ones the repositories' queries need, plus the SDK's own
 * bookkeeping collections with their TTL indexes (SPEC decision 11).
 *
 * @example
 * ```ts
 * for (const def of Object.values(MONGO_COLLECTIONS)) console.log(def.name, def.indexes.map((i) => i.name))
 * ```
 */
export const MONGO_COLLECTIONS = {
  users: {
    name: 'users',
    storedSchema: storedUserSchema,
    schemaVersion: 1,
    // Returned only when the auth service asks for it (SPEC decision 3); the blind index is stored-only.
    hiddenFields: ['passwordHash', 'phoneNumberBlindIndex'],
    encryptedFields: USER_ENCRYPTED_FIELDS,
    plaintextUntilRotated: USER_BODY_FIELDS,
    blindIndexes: [{ field: 'phoneNumber', storedAs: 'phoneNumberBlindIndex' }],
    indexes: [
      { key: { email: 1 }, name: 'email_unique', unique: true }, // seed
      asc('role'), // seed
      // Looking a user up by phone number: equality on the keyed hash of the normalised number.
      asc('phoneNumberBlindIndex'),
    ],
  },
  measurements: {
    name: 'measurements',
    storedSchema: storedMeasurementSchema,
    schemaVersion: 1,
    // Body metrics and notes are health data (stored in clear before layout 6).
    encryptedFields: ['measurements', 'notes'],
    plaintextUntilRotated: ['measurements', 'notes'],
    // Seed: userId + date; unique, one measurement per user per date. Descending serves "latest first".
    indexes: [{ key: { userId: 1, date: -1 }, name: 'userId_date_unique', unique: true }],
  },
  exercises: {
    name: 'exercises',
    storedSchema: storedExerciseSchema,
    schemaVersion: 1,
    derive: exerciseDerivedFields,
    hiddenFields: ['searchName'],
    indexes: [
      asc('metadata.bodyAreas'),
      asc('metadata.equipment'),
      asc('metadata.difficultyLevel'),
      asc('metadata.tags'),
      asc('searchName'),
      asc('createdBy'),
      // An imported exercise is found by its key in the outside catalogue; re-imports update it.
      { key: { source: 1, sourceId: 1 }, name: 'source_sourceId_unique', unique: true, partialFilterExpression: { sourceId: { $exists: true } } },
    ],
  },
  workout_templates: {
    name: 'workout_templates',
    storedSchema: storedWorkoutTemplateSchema,
    schemaVersion: 1,
    indexes: [
      asc('createdBy'),
      { key: { isPublic: 1, 'reviews.averageRating': -1 }, name: 'isPublic_averageRating' },
      // The templates using an exercise: the catalogue refuses to delete an exercise in use.
      asc('exercises.exerciseId'),
    ],
  },
  workout_programs: {
    name: 'workout_programs',
    storedSchema: storedWorkoutProgramSchema,
    schemaVersion: 1,
    indexes: [asc('createdBy'), { key: { isPublic: 1, 'reviews.averageRating': -1 }, name: 'isPublic_averageRating' }],
  },
  workout_logs: {
    name: 'workout_logs',
    storedSchema: storedWorkoutLogSchema,
    schemaVersion: 1,
    // Heart rate is health data (stored in clear before layout 6).
    encryptedFields: ['biometrics'],
    plaintextUntilRotated: ['biometrics'],
    indexes: [
      asc('userId'), // seed
      asc('startTime'), // seed
      asc('workoutTemplateId'), // seed
      // A user's history, newest first: the hot query.
      { key: { userId: 1, startTime: -1 }, name: 'userId_startTime' },
    ],
  },
  nutrition_plans: {
    name: 'nutrition_plans',
    storedSchema: storedNutritionPlanSchema,
    schemaVersion: 1,
    indexes: [asc('createdBy'), asc('forUserId')],
  },
  foods: {
    name: 'foods',
    storedSchema: storedFoodSchema,
    schemaVersion: 1,
    derive: foodDerivedFields,
    hiddenFields: ['searchName'],
    indexes: [asc('searchName'), asc('category'), asc('tags')],
  },
  facilities: {
    name: 'facilities',
    storedSchema: storedFacilitySchema,
    schemaVersion: 1,
    derive: facilityDerivedFields,
    hiddenFields: ['address.location'],
    indexes: [
      // Seed lists "address.coordinates"; the GeoJSON point derived from it carries the index (SPEC decision 4).
      { key: { 'address.location': '2dsphere' }, name: 'address_location_2dsphere' },
      asc('ownerId'), // seed
      asc('staff.userId'),
    ],
  },
  memberships: {
    name: 'memberships',
    storedSchema: storedMembershipSchema,
    schemaVersion: 1,
    indexes: [{ key: { facilityId: 1, isActive: 1 }, name: 'facilityId_isActive' }],
  },
  member_subscriptions: {
    name: 'member_subscriptions',
    storedSchema: storedMemberSubscriptionSchema,
    schemaVersion: 1,
    indexes: [
      { key: { userId: 1, status: 1 }, name: 'userId_status' },
      { key: { facilityId: 1, status: 1 }, name: 'facilityId_status' },
      // The nightly renewal/expiry job: active subscriptions ending before a date.
      { key: { endDate: 1, status: 1 }, name: 'endDate_status' },
      // Reconciliation finds the member subscription of a PostgreSQL payment.
      { key: { 'paymentHistory.transactionId': 1 }, name: 'paymentHistory_transactionId' },
    ],
  },
  classes: {
    name: 'classes',
    storedSchema: storedClassSchema,
    schemaVersion: 1,
    indexes: [
      asc('facilityId'), // seed
      asc('schedule.startTime'), // seed
      { key: { facilityId: 1, 'schedule.startTime': 1 }, name: 'facilityId_schedule_startTime' },
      asc('instructor.userId'),
    ],
  },
  class_bookings: {
    name: 'class_bookings',
    storedSchema: storedClassBookingSchema,
    schemaVersion: 1,
    derive: classBookingDerivedFields,
    hiddenFields: ['holdsSeat'],
    indexes: [
      // One seat per user per occurrence while the booking holds it (booked or attended).
      {
        key: { classId: 1, date: 1, userId: 1 },
        name: 'classId_date_userId_seat_unique',
        unique: true,
        partialFilterExpression: { holdsSeat: { $eq: true } },
      },
      // One turn per user on an occurrence's waitlist.
      {
        key: { classId: 1, date: 1, userId: 1 },
        name: 'classId_date_userId_waitlist_unique',
        unique: true,
        partialFilterExpression: { status: { $eq: 'waitlisted' } },
      },
      // Counting the seats of an occurrence under the capacity rule; its waitlist.
      { key: { classId: 1, date: 1, status: 1 }, name: 'classId_date_status' },
      { key: { userId: 1, date: -1 }, name: 'userId_date' },
    ],
  },
  coach_clients: {
    name: 'coach_clients',
    storedSchema: storedCoachClientSchema,
    schemaVersion: 1,
    derive: coachClientDerivedFields,
    hiddenFields: ['isOpen'],
    // The coach's private notes; each note's date stays plain so the notes keep their order.
    encryptedFields: ['notes.private[].text'],
    indexes: [
      { key: { coachId: 1, 'relationship.status': 1 }, name: 'coachId_status' },
      { key: { clientId: 1, 'relationship.status': 1 }, name: 'clientId_status' },
      // At most one pending-or-active relationship per coach and client.
      { key: { coachId: 1, clientId: 1 }, name: 'coachId_clientId_open_unique', unique: true, partialFilterExpression: { isOpen: { $eq: true } } },
    ],
  },
  pt_sessions: {
    name: 'pt_sessions',
    storedSchema: storedPtSessionSchema,
    schemaVersion: 1,
    indexes: [
      // Conflict detection and agendas: a coach's or a client's sessions by time.
      { key: { coachId: 1, startTime: 1 }, name: 'coachId_startTime' },
      { key: { clientId: 1, startTime: 1 }, name: 'clientId_startTime' },
      asc('coachClientId'),
    ],
  },
  class_booking_counters: {
    name: 'class_booking_counters',
    schemaVersion: 1,
    // Seats taken per class occurrence and bookings per member-week, keyed by `_id`: claimed and
    // released with conditional $inc so capacity and weekly limits hold under concurrency.
    // Housekeeping removes the counters of past occurrences (found by `updatedAt`).
    indexes: [{ key: { updatedAt: 1 }, name: 'updatedAt' }],
  },
  membership_visit_counters: {
    name: 'membership_visit_counters',
    schemaVersion: 1,
    // Facility visits per member subscription and ISO week, keyed by `_id`: claimed with a
    // conditional $inc so a plan's maxVisitsPerWeek holds under concurrent check-ins.
    // Housekeeping removes the counters of past weeks.
    indexes: [{ key: { updatedAt: 1 }, name: 'updatedAt' }],
  },
  nexfit_locks: {
    name: 'nexfit_locks',
    schemaVersion: 1,
    // Lock documents written inside units of work to serialise a check-then-write across
    // documents (a coach's agenda, a member's weekly bookings): see DocumentLocks.
    // Housekeeping removes the locks of past weeks and long-idle agendas.
    indexes: [{ key: { updatedAt: 1 }, name: 'updatedAt' }],
  },
  nexfit_uow_decisions: {
    name: 'nexfit_uow_decisions',
    schemaVersion: 1,
    // A decision record is kept for its recovery window, then removed by the TTL monitor.
    indexes: [{ key: { expiresAt: 1 }, name: 'expiresAt_ttl', expireAfterSeconds: 0 }],
  },
  nexfit_meta: {
    name: 'nexfit_meta',
    schemaVersion: 1,
    indexes: [],
  },
} as const satisfies Record<string, MongoCollectionDefinition>;

export type MongoCollectionName = keyof typeof MONGO_COLLECTIONS;

/** The collections holding the 15 entity types of the design document. */
export const ENTITY_COLLECTION_NAMES = [
  'users',
  'measurements',
  'exercises',
  'workout_templates',
  'workout_programs',
  'workout_logs',
  'nutrition_plans',
  'foods',
  'facilities',
  'memberships',
  'member_subscriptions',
  'classes',
  'class_bookings',
  'coach_clients',
  'pt_sessions',
] as const satisfies readonly MongoCollectionName[];

/**
 * The version of the whole MongoDB layout (validators and indexes), recorded in
 * `nexfit_meta` by `ensureMongoCollections`. Raise it with any change above.
 */
export const MONGO_SCHEMA_VERSION = 6;

/**
 * Collections earlier layouts created and nothing writes any more (idempotency records live
 * in PostgreSQL, in the unit of work of the operation they belong to): `migrate` drops them.
 */
export const RETIRED_MONGO_COLLECTIONS: readonly string[] = ['nexfit_idempotency'];
