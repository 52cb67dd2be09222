import { Binary, BSONRegExp, BSONSymbol, Code, DBRef, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId, Timestamp } from 'mongodb';

/** A stored document: promoted JS values (numbers, Dates, ObjectIds, ...). */
export type Doc = Record<string, unknown>;

/**
 * Numbers are stored as JS numbers so that mingo can query them. The BSON type that a
 * plain JS number cannot express on its way back out (a double with an integral value,
 * a 64-bit integer) is remembered on the containing object or array under this symbol,
 * keyed by field name or index, so a round trip keeps Int32, Double and Long apart.
 */
export const NUMERIC_TYPES: unique symbol = Symbol('nexfit.numericTypes');

export type NumericType = 'double' | 'long';
type Annotated = { [NUMERIC_TYPES]?: Record<string, NumericType> };

function annotate(container: object, key: string, type: NumericType): void {
  const holder = container as Annotated;
  if (!holder[NUMERIC_TYPES]) {
    Object.defineProperty(holder, NUMERIC_TYPES, { value: {}, enumerable: false, writable: true, configurable: true });
  }
  holder[NUMERIC_TYPES]![key] = type;
}

/** The remembered numeric type of `container[key]`, if it differs from the natural one. */
export function numericTypeOf(container: object, key: string): NumericType | undefined {
  return (container as Annotated)[NUMERIC_TYPES]?.[key];
}

/** Records (or, with `undefined`, forgets) the numeric type of `container[key]`. */
export function setNumericType(container: object, key: string, type: NumericType | undefined): void {
  if (type) annotate(container, key, type);
  else if ((container as Annotated)[NUMERIC_TYPES]) delete (container as Annotated)[NUMERIC_TYPES]![key];
}

function isInt32(n: number): boolean {
  return Number.isInteger(n) && n >= -2147483648 && n <= 2147483647 && !Object.is(n, -0);
}

/** The BSON type a JS number is written as when nothing else is remembered. */
function naturalType(n: number): 'int' | 'double' {
  return isInt32(n) ? 'int' : 'double';
}

function promoteScalar(value: unknown, container: object, key: string): unknown {
  if (value instanceof Int32) return value.value;
  if (value instanceof Double) {
    const n = value.value;
    if (naturalType(n) !== 'double') annotate(container, key, 'double');
    return n;
  }
  if (value instanceof Long) {
    const n = value.toNumber();
    if (!Number.isSafeInteger(n)) return value; // kept exact; compares as a Long object
    annotate(container, key, 'long');
    return n;
  }
  return promote(value);
}

/**
 * Converts a document decoded with `promoteValues: false` into the stored form: plain
 * numbers with their BSON numeric type remembered where it is not the natural one.
 */
export function promote(value: unknown): unknown {
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = promoteScalar(value[i], out, String(i));
    return out;
  }
  if (isPlainObject(value)) {
    const out: Doc = {};
    for (const key of Object.keys(value)) out[key] = promoteScalar(value[key], out, key);
    return out;
  }
  return value;
}

function demoteScalar(value: unknown, type: NumericType | undefined): unknown {
  if (typeof value === 'number') {
    if (type === 'long' && Number.isInteger(value)) return Long.fromNumber(value);
    if (type === 'double' || !isInt32(value)) return new Double(value);
    return new Int32(value);
  }
  return demote(value);
}

/** The wire form of a stored value: numbers become Int32/Double/Long as remembered. */
export function demote(value: unknown): unknown {
  if (Array.isArray(value)) {
    const types = (value as Annotated)[NUMERIC_TYPES];
    return value.map((item, i) => demoteScalar(item, types?.[String(i)]));
  }
  if (isPlainObject(value)) {
    const types = (value as Annotated)[NUMERIC_TYPES];
    const out: Doc = {};
    for (const key of Object.keys(value)) {
      const item = value[key];
      if (item !== undefined) out[key] = demoteScalar(item, types?.[key]);
    }
    return out;
  }
  return value;
}

/** Deep copy of a stored value that keeps the remembered numeric types. */
export function cloneValue<T>(value: T): T {
  if (Array.isArray(value)) {
    const out = value.map((item) => cloneValue(item));
    copyTypes(value, out);
    return out as T;
  }
  if (isPlainObject(value)) {
    const out: Doc = {};
    for (const key of Object.keys(value)) out[key] = cloneValue(value[key]);
    copyTypes(value, out);
    return out as T;
  }
  if (value instanceof Date) return new Date(value.getTime()) as T;
  return value;
}

function copyTypes(from: object, to: object): void {
  const types = (from as Annotated)[NUMERIC_TYPES];
  if (types) for (const [key, type] of Object.entries(types)) annotate(to, key, type);
}

/** True for `{...}` documents (not arrays, Dates, ObjectIds or other BSON classes). */
export function isPlainObject(value: unknown): value is Doc {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** BSON type names, as `$type` and `bsonType` spell them, for a stored value. */
export function bsonTypeName(value: unknown, container?: object, key?: string): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'number') {
    const remembered = container && key !== undefined ? numericTypeOf(container, key) : undefined;
    return remembered ?? naturalType(value);
  }
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'bigint') return 'long';
  if (Array.isArray(value)) return 'array';
  if (value instanceof Date) return 'date';
  if (value instanceof ObjectId) return 'objectId';
  if (value instanceof Long) return 'long';
  if (value instanceof Int32) return 'int';
  if (value instanceof Double) return 'double';
  if (value instanceof Decimal128) return 'decimal';
  if (value instanceof Binary) return 'binData';
  if (value instanceof Timestamp) return 'timestamp';
  if (value instanceof RegExp || value instanceof BSONRegExp) return 'regex';
  if (value instanceof MinKey) return 'minKey';
  if (value instanceof MaxKey) return 'maxKey';
  if (value instanceof Code) return 'javascript';
  if (value instanceof BSONSymbol) return 'symbol';
  if (value instanceof DBRef) return 'object';
  return 'object';
}

/** Rank of a value's type in MongoDB's comparison/sort order. */
export function typeRank(value: unknown): number {
  if (value instanceof TypeBoundary) return value.rank;
  if (value === undefined || value === null) return 2;
  if (value instanceof MinKey) return 1;
  if (value instanceof MaxKey) return 14;
  if (typeof value === 'number' || typeof value === 'bigint') return 3;
  if (value instanceof Long || value instanceof Int32 || value instanceof Double || value instanceof Decimal128) return 3;
  if (typeof value === 'string' || value instanceof BSONSymbol) return 4;
  if (Array.isArray(value)) return 6;
  if (value instanceof Binary) return 7;
  if (value instanceof ObjectId) return 8;
  if (typeof value === 'boolean') return 9;
  if (value instanceof Date) return 10;
  if (value instanceof Timestamp) return 11;
  if (value instanceof RegExp || value instanceof BSONRegExp) return 12;
  return 5;
}

/**
 * A bound that sorts before (`end: false`) or after (`end: true`) every value of a type
 * rank: how range scans stay inside one BSON type as MongoDB's type bracketing does.
 */
export class TypeBoundary {
  constructor(readonly rank: number, readonly end: boolean) {}
}

function numericValue(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Long) return value.toNumber();
  if (value instanceof Int32 || value instanceof Double) return value.value;
  if (value instanceof Decimal128) return Number.parseFloat(value.toString());
  return Number.NaN;
}

function cmp(a: number | string, b: number | string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compares two values in MongoDB's BSON order (type rank first, then value). */
export function compareValues(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (a instanceof TypeBoundary || b instanceof TypeBoundary) {
    if (ra !== rb) return ra - rb;
    if (a instanceof TypeBoundary && b instanceof TypeBoundary) return Number(a.end) - Number(b.end);
    if (a instanceof TypeBoundary) return a.end ? 1 : -1;
    return (b as TypeBoundary).end ? -1 : 1;
  }
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 3: {
      const x = numericValue(a);
      const y = numericValue(b);
      if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : -1) : 1;
      return cmp(x, y);
    }
    case 4:
      return cmp(String(a), String(b));
    case 5:
      return compareObjects(a as Doc, b as Doc);
    case 6:
      return compareArrays(a as unknown[], b as unknown[]);
    case 7: {
      const x = a as Binary;
      const y = b as Binary;
      return x.length() - y.length() || x.sub_type - y.sub_type || Buffer.compare(Buffer.from(x.buffer), Buffer.from(y.buffer));
    }
    case 8:
      return cmp((a as ObjectId).toHexString(), (b as ObjectId).toHexString());
    case 9:
      return Number(a) - Number(b);
    case 10:
      return cmp((a as Date).getTime(), (b as Date).getTime());
    case 11:
      return (a as Timestamp).compare(b as Timestamp);
    case 12:
      return cmp(String(a), String(b));
    default:
      return 0;
  }
}

function compareObjects(a: Doc, b: Doc): number {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
    const x = ka[i]!;
    const y = kb[i]!;
    const byType = typeRank(a[x]) - typeRank(b[y]);
    if (byType !== 0) return byType;
    const byName = cmp(x, y);
    if (byName !== 0) return byName;
    const byValue = compareValues(a[x], b[y]);
    if (byValue !== 0) return byValue;
  }
  return ka.length - kb.length;
}

function compareArrays(a: unknown[], b: unknown[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareValues(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/**
 * A string that is equal for two values exactly when MongoDB considers them equal
 * (1, 1.0 and NumberLong(1) share a key): used as the key of `_id` maps and hash sets.
 */
export function valueKey(value: unknown): string {
  if (value === undefined || value === null) return 'z';
  if (typeof value === 'string') return `s${value}`;
  if (typeof value === 'boolean') return value ? 'bt' : 'bf';
  const rank = typeRank(value);
  if (rank === 3) return `n${numericValue(value)}`;
  if (value instanceof ObjectId) return `o${value.toHexString()}`;
  if (value instanceof Date) return `d${value.getTime()}`;
  if (Array.isArray(value)) return `a[${value.map(valueKey).join(',')}]`;
  if (isPlainObject(value)) return `{${Object.keys(value).map((k) => `${JSON.stringify(k)}:${valueKey(value[k])}`).join(',')}}`;
  if (value instanceof Binary) return `x${value.sub_type}:${Buffer.from(value.buffer).toString('hex')}`;
  if (value instanceof Timestamp) return `t${value.toString()}`;
  if (value instanceof MinKey) return 'min';
  if (value instanceof MaxKey) return 'max';
  return `?${rank}:${String(value)}`;
}

/** Renders a value the way MongoDB prints it in error messages (`dup key: { email: "a@b" }`). */
export function formatValue(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return String(value);
  if (value instanceof ObjectId) return `ObjectId('${value.toHexString()}')`;
  if (value instanceof Date) return `new Date(${value.getTime()})`;
  if (Array.isArray(value)) return `[ ${value.map(formatValue).join(', ')} ]`;
  if (isPlainObject(value)) {
    const parts = Object.keys(value).map((k) => `${k}: ${formatValue(value[k])}`);
    return parts.length ? `{ ${parts.join(', ')} }` : '{}';
  }
  return String(value);
}
