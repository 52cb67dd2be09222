import { z } from 'zod';
import { idSchema } from './ids.js';
import { instantSchema } from './schema-primitives.js';
import { VALIDATION_MESSAGES as M } from './validation-messages.js';

/**
 * The fields every stored entity carries, whatever the seed lists:
 * - `id`: its own branded id (SPEC decision 1);
 * - `schemaVersion`: the document format version, so repositories can upgrade old
 *   documents on read (SPEC decision 10);
 * - `version`: the optimistic-concurrency revision, 1 on create, +1 on every write;
 * - `createdAt` / `updatedAt`.
 *
 * @example
 * ```ts
 * const roomSchema = z.strictObject({ ...entityFields('RoomId'), name: nameSchema });
 * ```
 */
export function entityFields<Brand extends string>(brand: Brand) {
  return {
    id: idSchema(brand),
    schemaVersion: z.number().int().min(1).max(1_000),
    version: z.number().int().min(1).max(2_147_483_647),
    createdAt: instantSchema,
    updatedAt: instantSchema,
  };
}

/** The names of {@link entityFields}: managed by repositories, never part of an input. */
export const ENTITY_MANAGED_FIELDS = ['id', 'schemaVersion', 'version', 'createdAt', 'updatedAt'] as const;

type AnyShape = Record<string, z.ZodType>;

/** Patch form of one field: optional, and `null` clears a field that is optional on the entity. */
export type PatchField<S> = S extends z.ZodOptional<infer Inner extends z.ZodType> ? z.ZodOptional<z.ZodNullable<Inner>> : S extends z.ZodType ? z.ZodOptional<S> : never;
/** The shape of a patch schema: every field of `S` optional, and `null` clears the optional ones. */
export type PatchShape<S extends AnyShape> = { [K in keyof S]: PatchField<S[K]> };

/**
 * The patch shape of some entity fields: every field becomes optional, and a field that is
 * optional on the entity also accepts `null`, meaning "remove it" (otherwise an optional
 * field, once set, could never be cleared).
 */
export function patchShapeOf<S extends AnyShape>(shape: S): PatchShape<S> {
  const out: Record<string, z.ZodType> = {};
  for (const [key, field] of Object.entries(shape)) {
    out[key] = field instanceof z.ZodOptional ? (field.unwrap() as z.ZodType).nullable().optional() : field.optional();
  }
  return out as PatchShape<S>;
}

/**
 * A strict patch schema over `shape`: only these keys (unknown keys, ids and ownership
 * fields are refused) and at least one of them.
 *
 * @example
 * ```ts
 * const patchRoomInputSchema = patchSchemaOf({ name: nameSchema, notes: longTextSchema.optional() });
 * patchRoomInputSchema.parse({ notes: null }) // clears the notes
 * ```
 */
export function patchSchemaOf<S extends AnyShape>(shape: S) {
  return z
    .strictObject(patchShapeOf(shape))
    .refine((patch) => Object.values(patch).some((v) => v !== undefined), { error: M.emptyPatch.en });
}

/** Picks some fields of a shape (typed), to build a patch from the editable ones. */
export function pickFields<S extends AnyShape, const K extends keyof S & string>(shape: S, keys: readonly K[]): Pick<S, K> {
  const out = {} as Pick<S, K>;
  for (const key of keys) out[key] = shape[key];
  return out;
}
