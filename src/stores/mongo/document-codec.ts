import { ObjectId, type Document } from 'mongodb';
import type { z } from 'zod';
import { objectIdBrandOf } from '../../core/ids.js';

/**
 * Where the ObjectIds of a document are, learnt once from its zod schema: every path built
 * with `idSchema` (`_id`, `userId`, `exercises[].exerciseId`, `staff[].userId`,
 * `roleSpecificData.client.assignedCoachId`, `alternateExercises[]`…).
 */
export type ObjectIdPlan =
  | { readonly kind: 'objectId'; readonly brand: string }
  | { readonly kind: 'object'; readonly fields: ReadonlyMap<string, ObjectIdPlan> }
  | { readonly kind: 'array'; readonly element: ObjectIdPlan }
  | { readonly kind: 'record'; readonly value: ObjectIdPlan };

/** Converts between the API shape of an entity and its stored MongoDB document. */
export interface DocumentCodec<TEntity> {
  /** API object -> stored document: `id` -> `_id`, id strings -> `ObjectId`. Other values are kept as they are. */
  toDocument(entity: TEntity): Document;
  /** Stored document -> API object: `_id` -> `id`, `ObjectId` -> lower-case hex string. */
  fromDocument(document: Document): TEntity;
  /** The `ObjectId` of an id string (as `_id` or any reference is stored). */
  toObjectId(id: string): ObjectId;
  /** Converts one id-typed value at a dotted field path (`'staff.userId'`), for filters and updates. */
  toStoredValue(path: string, value: unknown): unknown;
  /** The dotted paths holding ObjectIds, `[]` marking array elements (`'exercises[].exerciseId'`). */
  readonly objectIdPaths: readonly string[];
}

type Def = { type: string; [key: string]: unknown };
const defOf = (schema: z.core.$ZodType): Def => schema._zod.def as unknown as Def;

/** Builds the ObjectId plan of a zod schema, or `undefined` when it holds no ObjectId. */
export function planObjectIds(schema: z.core.$ZodType, seen: Set<z.core.$ZodType> = new Set()): ObjectIdPlan | undefined {
  const brand = objectIdBrandOf(schema);
  if (brand !== undefined) return { kind: 'objectId', brand };
  if (seen.has(schema)) return undefined;
  seen.add(schema);
  const def = defOf(schema);
  switch (def.type) {
    case 'object': {
      const fields = new Map<string, ObjectIdPlan>();
      for (const [key, field] of Object.entries(def['shape'] as Record<string, z.core.$ZodType>)) {
        const plan = planObjectIds(field, seen);
        if (plan) fields.set(key, plan);
      }
      return fields.size ? { kind: 'object', fields } : undefined;
    }
    case 'array': {
      const element = planObjectIds(def['element'] as z.core.$ZodType, seen);
      return element && { kind: 'array', element };
    }
    case 'record': {
      const value = planObjectIds(def['valueType'] as z.core.$ZodType, seen);
      return value && { kind: 'record', value };
    }
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return planObjectIds(def['innerType'] as z.core.$ZodType, seen);
    case 'pipe':
      return planObjectIds(def['out'] as z.core.$ZodType, seen) ?? planObjectIds(def['in'] as z.core.$ZodType, seen);
    case 'union':
      return mergePlans((def['options'] as z.core.$ZodType[]).map((o) => planObjectIds(o, seen)));
    case 'intersection':
      return mergePlans([planObjectIds(def['left'] as z.core.$ZodType, seen), planObjectIds(def['right'] as z.core.$ZodType, seen)]);
    default:
      return undefined;
  }
}

function mergePlans(plans: readonly (ObjectIdPlan | undefined)[]): ObjectIdPlan | undefined {
  const present = plans.filter((p): p is ObjectIdPlan => p !== undefined);
  if (present.length <= 1) return present[0];
  const objects = present.filter((p): p is Extract<ObjectIdPlan, { kind: 'object' }> => p.kind === 'object');
  if (objects.length === present.length) {
    const fields = new Map<string, ObjectIdPlan>();
    for (const o of objects) for (const [k, v] of o.fields) fields.set(k, mergePlans([fields.get(k), v]) ?? v);
    return { kind: 'object', fields };
  }
  return present[0];
}

function listPaths(plan: ObjectIdPlan, prefix: string, out: string[], brand?: string): void {
  switch (plan.kind) {
    case 'objectId':
      if (brand === undefined || plan.brand === brand) out.push(prefix);
      return;
    case 'object':
      for (const [k, v] of plan.fields) listPaths(v, prefix ? `${prefix}.${k}` : k, out, brand);
      return;
    case 'array':
      listPaths(plan.element, `${prefix}[]`, out, brand);
      return;
    case 'record':
      listPaths(plan.value, `${prefix}.*`, out, brand);
  }
}

/**
 * The dotted paths of a stored schema holding ids of one brand, `[]` marking array elements:
 * where a collection refers to a user (`'UserId'`), a facility, a class.
 *
 * @example
 * ```ts
 * brandedIdPaths(storedFacilitySchema, 'UserId') // ['ownerId', 'staff[].userId']
 * ```
 */
export function brandedIdPaths(schema: z.core.$ZodType, brand: string): string[] {
  const plan = planObjectIds(schema);
  const out: string[] = [];
  if (plan) listPaths(plan, '', out, brand);
  return out;
}

function encode(plan: ObjectIdPlan, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  switch (plan.kind) {
    case 'objectId':
      return typeof value === 'string' && ObjectId.isValid(value) ? ObjectId.createFromHexString(value.toLowerCase()) : value;
    case 'array':
      return Array.isArray(value) ? value.map((v) => encode(plan.element, v)) : value;
    case 'object':
      return mapObject(value, (k, v) => {
        const field = plan.fields.get(k);
        return field ? encode(field, v) : v;
      });
    case 'record':
      return mapObject(value, (_k, v) => encode(plan.value, v));
  }
}

function decode(plan: ObjectIdPlan, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  switch (plan.kind) {
    case 'objectId':
      return value instanceof ObjectId ? value.toHexString() : value;
    case 'array':
      return Array.isArray(value) ? value.map((v) => decode(plan.element, v)) : value;
    case 'object':
      return mapObject(value, (k, v) => {
        const field = plan.fields.get(k);
        return field ? decode(field, v) : v;
      });
    case 'record':
      return mapObject(value, (_k, v) => decode(plan.value, v));
  }
}

function mapObject(value: unknown, fn: (key: string, value: unknown) => unknown): unknown {
  if (typeof value !== 'object' || value === null || value instanceof Date || value instanceof ObjectId || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = fn(k, v);
  return out;
}

function planAt(root: ObjectIdPlan | undefined, path: string): ObjectIdPlan | undefined {
  let plan = root;
  for (const segment of path.split('.')) {
    while (plan?.kind === 'array') plan = plan.element;
    if (plan === undefined) return undefined;
    if (/^\d+$/.test(segment) || segment === '$' || segment.startsWith('$[')) continue;
    if (plan.kind === 'record') plan = plan.value;
    else if (plan.kind === 'object') plan = plan.fields.get(segment);
    else return undefined;
  }
  return plan;
}

/**
 * Drops `undefined` members of plain objects (deeply): the driver would store them as `null`
 * (unless the host's client sets `ignoreUndefined`), which the validators rightly refuse for
 * optional fields. An optional field left `undefined` is absent from the document.
 */
function withoutUndefined(value: unknown): unknown {
  return storedForm(undefined, value);
}

/**
 * `withoutUndefined(encode(plan, value))` in one walk: the stored form of a value, ids as
 * `ObjectId`s where `plan` has them, `undefined` members of objects left out. Every object
 * and array is copied, so the document never shares a mutable part with the entity.
 */
function storedForm(plan: ObjectIdPlan | undefined, value: unknown): unknown {
  if (plan?.kind === 'objectId') return typeof value === 'string' && ObjectId.isValid(value) ? ObjectId.createFromHexString(value.toLowerCase()) : withoutUndefined(value);
  if (Array.isArray(value)) {
    const element = plan?.kind === 'array' ? plan.element : undefined;
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = storedForm(element, value[i]);
    return out;
  }
  if (value === null || typeof value !== 'object' || value instanceof Date || value instanceof ObjectId) return value;
  const fields = plan?.kind === 'object' ? plan.fields : undefined;
  const each = plan?.kind === 'record' ? plan.value : undefined;
  // Without ids to convert, only plain objects are walked (`encode` maps any object it has a plan for).
  if (!fields && !each && Object.getPrototypeOf(value) !== Object.prototype) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const member = (value as Record<string, unknown>)[key];
    if (member !== undefined) out[key] = storedForm(fields ? fields.get(key) : each, member);
  }
  return out;
}

/**
 * A codec for one collection, built from its stored zod schema. The schema is walked once,
 * through the ids' registry marks, so no id path is ever listed by hand.
 *
 * @example
 * ```ts
 * const codec = createDocumentCodec<StoredUser>(storedUserSchema)
 * await db.collection('users').insertOne(codec.toDocument(user))
 * const again = codec.fromDocument(await db.collection('users').findOne({ _id: new ObjectId(user.id) }))
 * ```
 */
export function createDocumentCodec<TEntity>(storedSchema: z.core.$ZodType): DocumentCodec<TEntity> {
  const plan = planObjectIds(storedSchema);
  const rootFields = plan?.kind === 'object' ? new Map(plan.fields) : new Map<string, ObjectIdPlan>();
  const idPlan = rootFields.get('id');
  rootFields.delete('id');
  const bodyPlan: ObjectIdPlan = { kind: 'object', fields: rootFields };
  const objectIdPaths: string[] = [];
  if (idPlan) objectIdPaths.push('_id');
  listPaths(bodyPlan, '', objectIdPaths);

  return {
    objectIdPaths,
    // Both directions build the result in one pass over the top-level keys: these run on
    // every write and read, and a copy per step (rest, encode, strip, spread) was most of it.
    toDocument(entity) {
      const source = entity as Record<string, unknown>;
      const out: Document = {};
      const id = source['id'];
      if (id !== undefined) out['_id'] = idPlan ? encode(idPlan, id) : id;
      for (const key of Object.keys(source)) {
        const member = source[key];
        if (key !== 'id' && member !== undefined) out[key] = storedForm(rootFields.get(key), member);
      }
      return out;
    },
    fromDocument(document) {
      const out: Record<string, unknown> = {};
      const _id: unknown = document['_id'];
      if (_id !== undefined) out['id'] = idPlan ? decode(idPlan, _id) : _id;
      for (const key of Object.keys(document)) {
        if (key === '_id') continue;
        const field = rootFields.get(key);
        out[key] = field ? decode(field, document[key]) : document[key];
      }
      return out as TEntity;
    },
    toObjectId(id) {
      return ObjectId.createFromHexString(id.toLowerCase());
    },
    toStoredValue(path, value) {
      const target = path === '_id' || path === 'id' ? idPlan : planAt(bodyPlan, path);
      return target ? encode(target, value) : value;
    },
  };
}
