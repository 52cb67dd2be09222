import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { withoutNegativeZero } from './validation.js';

type SchemaDef = { readonly type: string } & Record<string, any>;
const defOf = (schema: unknown): SchemaDef => (schema as { _zod: { def: SchemaDef } })._zod.def;
const isOptionalOutput = (schema: unknown): boolean => (schema as { _zod: { optout?: string } })._zod.optout === 'optional';

/** One field of the entity schema, as a create fills it. */
interface PlannedField {
  readonly key: string;
  /** Assigned by the repository (id, versions, timestamps), validated on its own. */
  readonly assigned: z.ZodType | undefined;
  /** The last primitive assigned value that passed, and its output: constants (the versions) are validated once. */
  accepted?: { readonly value: unknown; readonly output: unknown };
  /** The create schema parses this field with the entity's own schema: its parsed value is valid as it is. */
  readonly covered: boolean;
  /** The create schema parses this field its own way: the entity's schema of the field parses its value again. */
  readonly reparse: z.ZodType | undefined;
  /** The entity requires it. */
  readonly required: boolean;
}

/**
 * How a repository makes a new entity of a parsed create input without parsing the whole
 * entity again. Built once per repository by {@link planNewEntity}; `assemble` is per call.
 */
export interface NewEntityPlan<E> {
  /**
   * The entity made of `parsed` (the output of the create schema) and the fields the
   * repository assigns, keys in the entity schema's order — or `undefined` when the plan
   * cannot vouch for it (a key the entity has no field for, a missing required field, an
   * assigned value, a field the create schema parses its own way, or an entity-wide rule that
   * fails): the caller then parses the whole entity, which reports what is wrong. A field the
   * create schema parses its own way is parsed again by the entity's field schema alone.
   */
  assemble(parsed: Readonly<Record<string, unknown>>, assigned: Readonly<Record<string, unknown>>): E | undefined;
}

/**
 * The field of a create schema parses exactly as the entity's does: the same schema, or the
 * same schema behind a default whose value that schema accepts unchanged (zod does not
 * validate defaults) or a prefault (which it does).
 */
function parsesAsEntity(createField: unknown, entityField: unknown): boolean {
  if (createField === entityField) return true;
  if (createField === undefined) return false;
  const def = defOf(createField);
  if (def.type === 'prefault') return def['innerType'] === entityField;
  if (def.type !== 'default' || def['innerType'] !== entityField) return false;
  const fallback: unknown = def['defaultValue'];
  const parsed = (entityField as z.ZodType).safeParse(fallback);
  return parsed.success && isDeepStrictEqual(parsed.data, fallback);
}

/**
 * The plan of the entities a create makes: which fields of `entitySchema` the create schema
 * already validated exactly as the entity schema would (the same field schemas, shared by
 * spreading one field list into both, as every module's schemas do), so a new entity needs
 * only its assigned fields validated, the fields the create schema parses its own way (a
 * workout's sets given in pounds) parsed by the entity's field schemas, and the entity-wide
 * rules (`.refine`) run — not a second parse of everything the input held. `undefined` when the schemas are not plain
 * objects, and then a create parses the whole entity.
 *
 * @example
 * ```ts
 * const plan = planNewEntity(userSchema, createUserInputSchema, ['id', 'schemaVersion', 'version', 'createdAt', 'updatedAt'])
 * plan?.assemble(createUserInputSchema.parse(input), { id, schemaVersion: 1, version: 1, createdAt: now, updatedAt: now })
 * ```
 */
export function planNewEntity<E>(entitySchema: z.ZodType, createSchema: z.ZodType, assignedKeys: readonly string[]): NewEntityPlan<E> | undefined {
  const entity = defOf(entitySchema);
  const create = defOf(createSchema);
  if (entity.type !== 'object' || create.type !== 'object') return undefined;
  const entityShape = entity['shape'] as Record<string, z.ZodType>;
  const createShape = create['shape'] as Record<string, unknown>;
  if (assignedKeys.some((key) => !Object.hasOwn(entityShape, key))) return undefined;
  const fields: PlannedField[] = Object.entries(entityShape).map(([key, schema]) => ({
    key,
    assigned: assignedKeys.includes(key) ? schema : undefined,
    covered: parsesAsEntity(createShape[key], schema),
    reparse: createShape[key] === undefined ? undefined : schema,
    required: !isOptionalOutput(schema),
  }));
  const checks = (entity['checks'] as z.core.$ZodCheck<unknown>[] | undefined) ?? [];
  // The entity-wide rules alone, run on the assembled entity as the entity schema runs them.
  const rules = checks.length ? z.unknown().check(...checks) : undefined;

  return {
    assemble(parsed, assigned) {
      const out: Record<string, unknown> = {};
      let taken = 0;
      // The previous assigned value and its output: `createdAt` and `updatedAt` are one instant.
      let previous: { readonly schema: z.ZodType; readonly value: unknown; readonly output: unknown } | undefined;
      for (const field of fields) {
        if (field.assigned) {
          const value = assigned[field.key];
          if (field.accepted && Object.is(field.accepted.value, value)) {
            out[field.key] = field.accepted.output;
          } else if (previous?.schema === field.assigned && Object.is(previous.value, value)) {
            out[field.key] = previous.output;
          } else {
            const result = field.assigned.safeParse(value);
            if (!result.success) return undefined;
            out[field.key] = result.data;
            previous = { schema: field.assigned, value, output: result.data };
            if (value === null || typeof value !== 'object') field.accepted = { value, output: result.data };
          }
          continue;
        }
        const value = parsed[field.key];
        if (value === undefined) {
          if (field.required) return undefined;
          if (!Object.hasOwn(parsed, field.key)) continue;
        } else if (!field.covered) {
          if (!field.reparse) return undefined;
          // Parsed by the create schema its own way (a load in the lifter's unit made kilograms):
          // this field alone goes through the entity's schema, as a parse of the whole entity would.
          const result = field.reparse.safeParse(value);
          if (!result.success) return undefined;
          out[field.key] = withoutNegativeZero(result.data);
          taken++;
          continue;
        }
        out[field.key] = value;
        taken++;
      }
      // A key the entity schema has no field for (or assigns itself) would be refused by it.
      let keys = 0;
      for (const key in parsed) if (Object.hasOwn(parsed, key)) keys++;
      if (keys !== taken) return undefined;
      if (rules && !rules.safeParse(out).success) return undefined;
      return out as E;
    },
  };
}
