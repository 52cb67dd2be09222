import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { sql, type Kysely } from 'kysely';
import { BSON, ObjectId, type Db } from 'mongodb';
import { MAX_BULK_ROWS } from '../../src/stores/bulk.js';

/**
 * The hostile-input corpus: mutations an attacker (or a careless caller) can put into any
 * argument of a public method, applied at random paths of a valid base input, and a
 * fingerprint of both stores to show that a refused call wrote nothing.
 */

export type Path = readonly (string | number)[];

/** What a leaf of a base input is, which decides the mutations that apply to it. */
export type LeafKind = 'objectId' | 'uuid' | 'calendarDate' | 'string' | 'number' | 'boolean' | 'date' | 'array' | 'object' | 'nullish';

export interface InputPath {
  readonly path: Path;
  readonly kind: LeafKind;
  /** Inside a free-form JSON value or a record, where any safe key and any JSON type is legal. */
  readonly freeForm: boolean;
}

/** One hostile change to a base input. */
export interface Mutation {
  readonly name: string;
  /** The hostile value that replaces what is at the path, given what was there. */
  readonly apply: (current: unknown) => unknown;
}

const OBJECT_ID = /^[0-9a-f]{24}$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}/;

/** More than any bounded string of the SDK takes (the largest bound is 50 000 characters of a JSON string). */
export const LONG_STRING_LENGTH = 50_001;
/** A multi-megabyte string: refused by a length check, never scanned by a regex first. */
export const HUGE_STRING_LENGTH = 3 * 1024 * 1024;
/** More items than any list of the SDK takes. */
export const LONG_ARRAY_LENGTH = 10_001;

function kindOf(value: unknown): LeafKind {
  if (value === null || value === undefined) return 'nullish';
  if (value instanceof Date) return 'date';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'string') {
    if (OBJECT_ID.test(value)) return 'objectId';
    if (UUID.test(value)) return 'uuid';
    if (CALENDAR_DATE.test(value)) return 'calendarDate';
    return 'string';
  }
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  return 'object';
}

/**
 * Every path of `args` (the argument list of a call) with the kind of value there. Paths
 * under a `freeForm` prefix (JSON columns, string records) are marked as such.
 */
export function inputPaths(args: readonly unknown[], freeForm: readonly Path[] = []): InputPath[] {
  const out: InputPath[] = [];
  const isFree = (path: Path) => freeForm.some((prefix) => path.length >= prefix.length && prefix.every((k, i) => path[i] === k));
  const walk = (value: unknown, path: Path) => {
    const kind = kindOf(value);
    if (kind === 'nullish') return;
    out.push({ path, kind, freeForm: isFree(path) });
    if (kind === 'array') (value as unknown[]).forEach((v, i) => walk(v, [...path, i]));
    if (kind === 'object') for (const [k, v] of Object.entries(value as object)) walk(v, [...path, k]);
  };
  args.forEach((a, i) => walk(a, [i]));
  return out;
}

/** A deep copy of plain data (objects, arrays, dates, primitives). */
function copy<T>(value: T): T {
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (Array.isArray(value)) return value.map(copy) as T;
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copy(v)])) as T;
  return value;
}

/** `args` with the value at `path` replaced by `replace(current)`; the base is left as it was. */
export function mutateAt(args: readonly unknown[], path: Path, replace: (current: unknown) => unknown): unknown[] {
  const root = copy(args) as unknown[];
  let parent: Record<string | number, unknown> = root as unknown as Record<number, unknown>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  parent[last] = replace(parent[last]);
  return root;
}

/** An object like `value` that also has `key` as an own enumerable property, as `JSON.parse` makes it. */
export function withOwnKey(value: object, key: string, hostile: unknown): object {
  const parsed = JSON.parse(`{${JSON.stringify(key)}: ${JSON.stringify(hostile)}}`) as object;
  return Object.assign(parsed, value);
}

const m = (name: string, apply: (current: unknown) => unknown): Mutation => ({ name, apply });

/** Values no field of the SDK accepts, wherever they are put (free-form JSON included). */
const REFUSED_EVERYWHERE: readonly Mutation[] = [
  m('operator object $gt', () => ({ $gt: '' })),
  m('operator object $ne', () => ({ $ne: null })),
  m('operator object $where', () => ({ $where: 'function () { return true }' })),
  m('operator object $regex', () => ({ $regex: '.*' })),
  m('$set update document', () => ({ $set: { role: ['admin'], isActive: true } })),
  m('dotted key', () => ({ 'profile.role': 'admin' })),
  m('own __proto__ key (JSON.parse)', () => JSON.parse('{"__proto__": {"isAdmin": true}}')),
  m('own constructor key (JSON.parse)', () => JSON.parse('{"constructor": {"prototype": {"isAdmin": true}}}')),
  m('own prototype key', () => JSON.parse('{"prototype": {"isAdmin": true}}')),
  m('NaN', () => Number.NaN),
  m('Infinity', () => Number.POSITIVE_INFINITY),
  m('-Infinity', () => Number.NEGATIVE_INFINITY),
  m('BigInt', () => 10n),
  m('Symbol', () => Symbol('hostile')),
  m('function', () => () => 'hostile'),
  m('Invalid Date', () => new Date(Number.NaN)),
  m('Date in the year 10000', () => new Date('+010000-01-01T00:00:00.000Z')),
  m('string over every bound', () => 'a'.repeat(LONG_STRING_LENGTH)),
  m('multi-megabyte string', () => 'é'.repeat(HUGE_STRING_LENGTH)),
  m('ObjectId instance', () => new ObjectId()),
  m('Map', () => new Map([['$gt', '']])),
  m('Buffer', () => Buffer.from('hostile')),
];

/** Ids that are not a 24-hex string. */
const BAD_IDS: readonly Mutation[] = [
  m('id too short', (v) => String(v).slice(1)),
  m('id too long', (v) => `${String(v)}0`),
  m('id not hex', () => 'zzzzzzzzzzzzzzzzzzzzzzzz'),
  m('id with a NUL byte', (v) => `${String(v).slice(0, 23)}\u0000`),
  m('id as { $oid }', (v) => ({ $oid: v })),
  m('id as an object with toString', (v) => ({ toString: () => v })),
  m('id as a number', () => 123456789012),
  m('id as an empty string', () => ''),
  m('id as an array', (v) => [v]),
];

const BAD_UUIDS: readonly Mutation[] = [
  m('uuid not hex', () => 'zzzzzzzz-zzzz-4zzz-8zzz-zzzzzzzzzzzz'),
  m('uuid too short', (v) => String(v).slice(1)),
  m('uuid as an object', (v) => ({ $uuid: v })),
  m('uuid as SQL', () => "00000000-0000-4000-8000-000000000001' OR '1'='1"),
];

const BAD_DATES: readonly Mutation[] = [
  m('calendar date in the year 10000', () => '10000-01-01'),
  m('calendar date before 1900', () => '1899-12-31'),
  m('calendar date that does not exist', () => '2026-02-30'),
  m('not a date', () => 'yesterday'),
  m('date as a timestamp number', () => 1_767_225_600_000),
  m('Date before 1900', () => new Date('1899-12-31T23:59:59.999Z')),
];

/** Wrong types for each kind of leaf (not applied inside free-form JSON, where any JSON type is legal). */
const WRONG_TYPES: Record<Exclude<LeafKind, 'nullish'>, readonly Mutation[]> = {
  objectId: [...BAD_IDS, m('number for an id', () => 42)],
  uuid: BAD_UUIDS,
  calendarDate: [...BAD_DATES, m('number for a date string', () => 20260301)],
  string: [m('NUL byte in a string', (v) => `${String(v)}\u0000`), m('number for a string', () => 42), m('array for a string', (v) => [v]), m('object for a string', (v) => ({ value: v })), m('boolean for a string', () => true)],
  number: [m('string for a number', (v) => String(v)), m('boolean for a number', () => true), m('array for a number', (v) => [v]), m('object for a number', (v) => ({ value: v }))],
  boolean: [m('string for a boolean', () => 'true'), m('number for a boolean', () => 1), m('object for a boolean', () => ({ $ne: false }))],
  date: [...BAD_DATES],
  array: [m('object for an array', (v) => ({ ...(v as unknown[]) })), m('string for an array', () => 'a,b'), m('oversized array', (v) => oversized(v as unknown[]))],
  object: [
    m('array for an object', (v) => [v]),
    m('string for an object', () => '[object Object]'),
    m('unknown extra key', (v) => ({ ...(v as object), hostileExtra: 1 })),
    m('own __proto__ key next to valid fields', (v) => withOwnKey(v as object, '__proto__', { isAdmin: true })),
    m('own constructor key next to valid fields', (v) => withOwnKey(v as object, 'constructor', { prototype: { isAdmin: true } })),
    m('$set key next to valid fields', (v) => ({ ...(v as object), $set: { isAdmin: true } })),
    m('dotted key next to valid fields', (v) => ({ ...(v as object), 'a.b': 1 })),
  ],
};

/** Mutations that stay hostile inside free-form JSON (any key that is safe, any JSON type, is legal there). */
const FREE_FORM: Record<Exclude<LeafKind, 'nullish'>, readonly Mutation[]> = {
  objectId: [],
  uuid: [],
  calendarDate: [],
  string: [],
  number: [],
  boolean: [],
  date: [],
  array: [m('oversized array', (v) => oversized(v as unknown[]))],
  object: [
    m('own __proto__ key next to valid fields', (v) => withOwnKey(v as object, '__proto__', { isAdmin: true })),
    m('own constructor key next to valid fields', (v) => withOwnKey(v as object, 'constructor', { prototype: { isAdmin: true } })),
    m('$set key next to valid fields', (v) => ({ ...(v as object), $set: { isAdmin: true } })),
    m('dotted key next to valid fields', (v) => ({ ...(v as object), 'a.b': 1 })),
  ],
};

function oversized(items: readonly unknown[]): unknown[] {
  const item = items.length > 0 ? items[0] : 'x';
  return Array.from({ length: LONG_ARRAY_LENGTH }, () => item);
}

/** `null` is refused for a whole argument and for a list item (nullable fields differ per entity). */
const NULL_MUTATION = m('null', () => null);

/** At a list of rows a bulk method takes (`createMany`), more rows than it takes at all. */
const OVERSIZED_ROW_LIST = m('oversized array', (v) => Array.from({ length: MAX_BULK_ROWS + 1 }, () => (v as unknown[])[0]));

/**
 * The mutations that apply at one path of a base input. At `bulkRows` (a bulk method's list
 * of rows, which takes far more than any other list) an oversized list exceeds `MAX_BULK_ROWS`.
 */
export function mutationsFor(at: InputPath, nullable: readonly Path[] = [], bulkRows?: Path): readonly Mutation[] {
  if (at.kind === 'nullish') return [];
  const forKind = at.freeForm ? FREE_FORM[at.kind] : WRONG_TYPES[at.kind];
  const specific = bulkRows && samePath(bulkRows, at.path) ? forKind.map((mutation) => (mutation.name === OVERSIZED_ROW_LIST.name ? OVERSIZED_ROW_LIST : mutation)) : forKind;
  const nullRefused = !at.freeForm && (at.path.length === 1 || typeof at.path.at(-1) === 'number') && !nullable.some((p) => samePath(p, at.path));
  return [...REFUSED_EVERYWHERE, ...specific, ...(nullRefused ? [NULL_MUTATION] : [])];
}

const samePath = (a: Path, b: Path) => a.length === b.length && a.every((k, i) => b[i] === k);

export interface HostileCase {
  readonly path: Path;
  readonly mutation: string;
  readonly args: unknown[];
}

/**
 * fast-check arbitrary of hostile versions of `base`: one mutation at one random path (`null`
 * is not tried at the `nullable` paths; `bulkRows` is a bulk method's list of rows).
 */
export function hostileCases(base: readonly unknown[], freeForm: readonly Path[] = [], nullable: readonly Path[] = [], bulkRows?: Path): fc.Arbitrary<HostileCase> {
  const paths = inputPaths(base, freeForm).filter((p) => mutationsFor(p, nullable, bulkRows).length > 0);
  return fc
    .constantFrom(...paths)
    .chain((at) => fc.constantFrom(...mutationsFor(at, nullable, bulkRows)).map((mutation) => ({ at, mutation })))
    .map(({ at, mutation }) => ({ path: at.path, mutation: mutation.name, args: mutateAt(base, at.path, mutation.apply) }));
}

/** A short, printable description of a case for fast-check's counterexample report. */
export function describeCase(c: HostileCase): string {
  return `${c.mutation} at ${c.path.length ? c.path.join('.') : '(arguments)'}`;
}

/** What both stores hold, to compare before and after a corpus run. */
export interface StoreSnapshot {
  /** Per MongoDB collection and PostgreSQL table: its count and a hash of its contents. */
  readonly fingerprints: Readonly<Record<string, string>>;
  /**
   * Per collection with a TTL index (the unit-of-work decision log): the ids it holds. The
   * TTL monitor removes expired documents at any moment, so such a collection may shrink
   * between two snapshots; it must never gain a document.
   */
  readonly expiringIds: Readonly<Record<string, readonly string[]>>;
}

/**
 * A snapshot of everything both stores hold: two equal snapshots (give or take documents a
 * TTL index removed) mean nothing was written in between.
 */
export async function storeSnapshot(db: Db, pg: Kysely<any>): Promise<StoreSnapshot> {
  const fingerprints: Record<string, string> = {};
  const expiringIds: Record<string, string[]> = {};
  const collections = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).filter((n) => !n.startsWith('system.')).sort();
  for (const name of collections) {
    const docs = await db.collection(name).find({}).sort({ _id: 1 }).toArray();
    const indexes = await db.collection(name).listIndexes().toArray();
    if (indexes.some((index) => index['expireAfterSeconds'] !== undefined)) {
      expiringIds[name] = docs.map((d) => String(d._id));
      continue;
    }
    fingerprints[`mongo:${name}`] = `${docs.length}:${createHash('sha256').update(BSON.EJSON.stringify(docs, { relaxed: false })).digest('hex')}`;
  }
  const { rows: tables } = await sql<{ schema: string; name: string }>`
    SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
    WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
    ORDER BY 1, 2`.execute(pg);
  for (const { schema, name } of tables) {
    const { rows } = await sql<{ n: string; h: string }>`
      SELECT count(*)::text AS n, md5(coalesce(string_agg(t::text, E'\n' ORDER BY t::text), '')) AS h FROM ${sql.table(`${schema}.${name}`)} AS t`.execute(pg);
    fingerprints[`pg:${schema}.${name}`] = `${rows[0]!.n}:${rows[0]!.h}`;
  }
  return { fingerprints, expiringIds };
}

/** Documents of TTL collections in `after` that were not in `before`: what a run added. */
export function addedExpiringIds(before: StoreSnapshot, after: StoreSnapshot): Record<string, string[]> {
  const added: Record<string, string[]> = {};
  for (const [name, ids] of Object.entries(after.expiringIds)) {
    const known = new Set(before.expiringIds[name] ?? []);
    const fresh = ids.filter((id) => !known.has(id));
    if (fresh.length > 0) added[name] = fresh;
  }
  return added;
}
