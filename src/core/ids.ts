import type { Tagged } from 'type-fest';
import { z } from 'zod';

/**
 * Entity ids are 24-hex ObjectId strings in the public API, each with its own brand so a
 * `UserId` cannot be passed where a `FacilityId` is expected (SPEC decision 1).
 *
 * @example
 * ```ts
 * const id: UserId = parseId<'UserId'>('65f0c3a1e4b0a1b2c3d4e5f6')
 * ```
 */
export type EntityId<Brand extends string> = Tagged<string, Brand>;

/** The id of a user: a 24-hex ObjectId string, branded so that another entity's id is a compile error. */
export type UserId = EntityId<'UserId'>;
/** The id of a measurement: a 24-hex ObjectId string, branded so that another entity's id is a compile error. */
export type MeasurementId = EntityId<'MeasurementId'>;
/** The id of a user-defined measurement category: a 24-hex ObjectId string, branded so that another entity's id is a compile error. */
export type MeasurementCategoryId = EntityId<'MeasurementCategoryId'>;
/** The id of a exercise: a 24-hex ObjectId string, branded so that another entity's id is a compile error. */
export type ExerciseId = EntityId<'ExerciseId'>;
/** The id of a workout template: a 24-hex ObjectId string, branded so that another entity's id is a compile error. */
export type WorkoutTemplateId = EntityId<'WorkoutTemplateId'>;
/** The id of a workout programme: a 24-hex ObjectId string, branded so that another entity's id is a compile error. */
export type WorkoutProgramId = EntityId<'WorkoutProgramId'>;
/** The id of a workout log: a 24-hex ObjectId string, branded so that another entity's id is a compile error. */
export type WorkoutLogId = EntityId<'WorkoutLogId'>;
/** The id of a nutrition plan: a 24-hex ObjectId string, branded so that another entity's id is a compile error. */
export type NutritionPlanId = EntityId<'NutritionPlanId'>;
/** The id of a food: a 24-hex ObjectId string, branded so that another entity's id is a compile error. */
export type FoodId = EntityId<'FoodId'>;
/** The id of a food diary entry: a 24-hex ObjectId string, branded so that another entity's id is a compile error. */
export type FoodDiaryEntryId = EntityId<'FoodDiaryEntryId'>;
/** The id of a facility: a 24-hex ObjectId string, branded so that another entity's id is a compile error. */
export type FacilityId = EntityId<'FacilityId'>;
/** The id of a membership plan: a 24-hex ObjectId string, branded so that another entity's id is a compile error. */
export type MembershipId = EntityId<'MembershipId'>;
/** The id of a member subscription: a 24-hex ObjectId string, branded so that another entity's id is a compile error. */
export type MemberSubscriptionId = EntityId<'MemberSubscriptionId'>;
/** The id of a class: a 24-hex ObjectId string, branded so that another entity's id is a compile error. */
export type ClassId = EntityId<'ClassId'>;
/** The id of a class booking: a 24-hex ObjectId string, branded so that another entity's id is a compile error. */
export type ClassBookingId = EntityId<'ClassBookingId'>;
/** The id of a coach–client relationship: a 24-hex ObjectId string, branded so that another entity's id is a compile error. */
export type CoachClientId = EntityId<'CoachClientId'>;
/** The id of a PT session: a 24-hex ObjectId string, branded so that another entity's id is a compile error. */
export type PtSessionId = EntityId<'PtSessionId'>;
/** The id of a coach's availability at one facility: a 24-hex ObjectId string, branded so that another entity's id is a compile error. */
export type CoachAvailabilityId = EntityId<'CoachAvailabilityId'>;
/**
 * The business an invoice or an analytics row belongs to (`business_id` in the seed): a
 * facility, or a freelance coach selling packages. Made from either with
 * `businessIdOfFacility` / `businessIdOfCoach`.
 */
export type BusinessId = EntityId<'BusinessId'>;

/** The {@link BusinessId} of a gym or studio. */
export function businessIdOfFacility(id: FacilityId): BusinessId {
  return id as string as BusinessId;
}

/** The {@link BusinessId} of a freelance coach. */
export function businessIdOfCoach(id: UserId): BusinessId {
  return id as string as BusinessId;
}

const OBJECT_ID_HEX = /^[0-9a-f]{24}$/;

/** True when `value` is a canonical (lower-case) 24-hex ObjectId string. */
export function isObjectIdHex(value: unknown): value is string {
  return typeof value === 'string' && OBJECT_ID_HEX.test(value);
}

/** The message of a malformed id; {@link OBJECT_ID_MESSAGE} has a Turkish twin in the validation catalogue. */
export const OBJECT_ID_MESSAGE = 'Expected a 24-character hexadecimal ObjectId';

/**
 * Marks every schema built by {@link idSchema} with the entity it references. Generators
 * read it: the MongoDB `$jsonSchema` generator emits `bsonType: 'objectId'` and the document
 * codec converts these paths to and from `ObjectId`. A registry of its own (not
 * `.meta()`) keeps the mark out of JSON Schemas a host app generates for its API docs.
 */
export const objectIdReferences = z.registry<{ readonly brand: string }>();

/**
 * A zod schema for one entity's id: a 24-hex string (upper case is normalised to lower
 * case) carrying the entity's brand.
 */
export function idSchema<Brand extends string>(brand: Brand) {
  const schema = z
    .string()
    .trim()
    .toLowerCase()
    .regex(OBJECT_ID_HEX, { message: OBJECT_ID_MESSAGE })
    .transform((s) => s as EntityId<Brand>);
  objectIdReferences.add(schema, { brand });
  return schema;
}

/**
 * The brand when `schema` is (a clone of) an {@link idSchema}, else `undefined`.
 *
 * @example
 * ```ts
 * objectIdBrandOf(idSchema('UserId')) // 'UserId'
 * ```
 */
export function objectIdBrandOf(schema: z.core.$ZodType): string | undefined {
  return objectIdReferences.get(schema)?.brand;
}

let counter = Math.floor(Math.random() * 0xffffff);
const processUnique = (() => {
  const bytes = new Uint8Array(5);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
})();

/** A source of new ids; injectable through `createNexfit({ ids })` for deterministic tests. */
export interface IdGenerator {
  /** A new 24-hex ObjectId string (timestamp + process-unique + counter, as MongoDB builds them). */
  newObjectId(): string;
  /** A new UUID v4 for PostgreSQL business keys (`transaction_id`, `invoice_id`, …). */
  newUuid(): string;
}

/** The default id generator: MongoDB's ObjectId layout and `crypto.randomUUID`. */
export const defaultIdGenerator: IdGenerator = {
  newObjectId() {
    const seconds = Math.floor(Date.now() / 1000).toString(16).padStart(8, '0');
    counter = (counter + 1) % 0xffffff;
    return seconds + processUnique + counter.toString(16).padStart(6, '0');
  },
  newUuid() {
    return globalThis.crypto.randomUUID();
  },
};
