import { z } from 'zod';
import { ValidationError, type ValidationIssue } from './errors.js';
import { turkishMessageFor, VALIDATION_MESSAGES as M } from './validation-messages.js';

/** The languages validation messages are available in. */
export const VALIDATION_LOCALES = ['en', 'tr'] as const;
/** A language validation messages are available in: English or Turkish. */
export type ValidationLocale = (typeof VALIDATION_LOCALES)[number];

const localeErrors = {
  en: z.locales.en().localeError,
  tr: z.locales.tr().localeError,
} satisfies Record<ValidationLocale, unknown>;

/** Options of {@link parseOrThrow}: the message language and the entity named in the error. */
export interface ParseOptions {
  /** Language of the issue messages; English when omitted (there is no global default to change). */
  readonly locale?: ValidationLocale | undefined;
  /** What was being validated, for the error's message (`'user'`, `'class booking'`…). */
  readonly entity?: string;
}

/** zod's issues as the SDK's {@link ValidationIssue}s, with the SDK's own messages localised. */
export function toValidationIssues(error: z.ZodError, locale: ValidationLocale): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    code: issue.code,
    message: locale === 'tr' ? (turkishMessageFor(issue.message) ?? issue.message) : issue.message,
  }));
}

/** How deep an input may nest: far more than any SDK shape, and a bound for cyclic or hostile graphs. */
export const MAX_INPUT_DEPTH = 32;

const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The first value in `input` that no SDK schema may accept, whatever the schema: an
 * instance of a class other than `Date` (a `Map`, a `Buffer` or an `ObjectId` looks like an
 * empty object to zod), an own key `__proto__`, `constructor` or `prototype` (`JSON.parse`
 * makes them own properties; a merge would pollute a prototype), a string or key with the
 * NUL character (PostgreSQL refuses it in `TEXT` and `JSONB`, so it would fail as a driver
 * error after a MongoDB write), or nesting deeper than {@link MAX_INPUT_DEPTH}. Every object
 * is visited once, so a shared or cyclic graph costs no more than its size.
 *
 * @example
 * ```ts
 * findUnsafeInput(JSON.parse('{"__proto__": {"isAdmin": true}}')) // { path: ['__proto__'], code: 'unrecognized_keys', … }
 * ```
 */
export function findUnsafeInput(input: unknown): ValidationIssue | undefined {
  return unsafeIn(input, { path: [], seen: undefined });
}

/**
 * The walk of {@link findUnsafeInput}. The path is one stack, copied only into an issue: most
 * inputs are clean, and a path array per visited value was most of the walk's cost (as was a
 * closure per call).
 */
interface UnsafeWalk {
  readonly path: (string | number)[];
  /** A plain `Set`: it lives only as long as the walk, and a `WeakSet` costs the collector more. */
  seen: Set<object> | undefined;
}

function unsafeIn(value: unknown, walk: UnsafeWalk): ValidationIssue | undefined {
  const { path } = walk;
  if (typeof value === 'string') return value.includes('\u0000') ? { path: [...path], code: 'invalid_format', message: M.nulCharacter.en } : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  if (value instanceof Date) return undefined;
  if (path.length > MAX_INPUT_DEPTH) return { path: [...path], code: 'too_big', message: M.tooDeep.en };
  walk.seen ??= new Set<object>();
  if (walk.seen.has(value)) return undefined;
  walk.seen.add(value);
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) return { path: [...path], code: 'invalid_type', message: M.plainData.en };
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      const issue = unsafeIn(value[i], walk);
      path.pop();
      if (issue) return issue;
    }
    return undefined;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return { path: [...path], code: 'invalid_type', message: M.plainData.en };
  for (const key of Reflect.ownKeys(value)) {
    if (typeof key === 'symbol') continue;
    if (RESERVED_KEYS.has(key)) return { path: [...path, key], code: 'unrecognized_keys', message: M.reservedKey.en };
    if (key.includes('\u0000')) return { path: [...path, key], code: 'invalid_format', message: M.nulCharacter.en };
    path.push(key);
    const issue = unsafeIn((value as Record<string, unknown>)[key], walk);
    path.pop();
    if (issue) return issue;
  }
  return undefined;
}

type SchemaDef = { readonly type: string } & Record<string, any>;
const defOf = (schema: unknown): SchemaDef => (schema as { _zod: { def: SchemaDef } })._zod.def;
const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};
const WRAPPERS: ReadonlySet<string> = new Set(['optional', 'nullable', 'default', 'prefault', 'catch', 'readonly', 'nonoptional']);

/** Checks one value against one schema node; `path` is the walk's shared stack. */
type DateCheck = (value: unknown, path: (string | number)[], depth: number) => ValidationIssue | undefined;

/**
 * The check of each schema, built once from its definition: walking the definition on every
 * parse cost as much as the parse. `null` marks a schema with no object inside (a string, an
 * enum…), which no value can fail.
 */
const dateChecks = new WeakMap<object, DateCheck | null>();

/**
 * The first `Date` in `input` where `schema` expects an object. zod reads any non-array
 * object as an object, so a `Date` (which has no own keys) would pass for an object whose
 * fields are all optional; {@link findUnsafeInput} already refuses every other class instance.
 */
export function findDateForObject(schema: z.ZodType, input: unknown): ValidationIssue | undefined {
  if (input === null || typeof input !== 'object') return undefined;
  return dateCheckOf(schema)?.(input, [], 0);
}

function dateCheckOf(schema: unknown): DateCheck | null {
  const known = dateChecks.get(schema as object);
  if (known !== undefined) return known;
  // A recursive schema meets itself while its check is built: it then forwards to the check
  // being built, and is never taken for one without objects.
  let built: DateCheck | null | undefined;
  dateChecks.set(schema as object, (value, path, depth) => built?.(value, path, depth));
  built = buildDateCheck(schema);
  dateChecks.set(schema as object, built);
  return built;
}

function buildDateCheck(schema: unknown): DateCheck | null {
  const def = defOf(schema);
  if (WRAPPERS.has(def.type)) return dateCheckOf(def['innerType']);
  switch (def.type) {
    case 'pipe':
      return dateCheckOf(def['in']);
    case 'lazy': {
      // The getter may build its schema on each call; its check is looked up when needed.
      const getter = def['getter'] as () => unknown;
      return (value, path, depth) => dateCheckOf(getter())?.(value, path, depth);
    }
    case 'union': {
      const options = (def['options'] as unknown[]).map(dateCheckOf);
      // An option without objects accepts any object as far as this check goes.
      if (options.some((option) => option === null)) return null;
      return (value, path, depth) => {
        if (value === null || typeof value !== 'object') return undefined;
        let first: ValidationIssue | undefined;
        for (const option of options) {
          const issue = option!(value, path, depth);
          if (!issue) return undefined;
          first ??= issue;
        }
        return first;
      };
    }
    case 'object': {
      const fields = Object.entries(def['shape'] as Record<string, unknown>)
        .map(([key, field]) => [key, dateCheckOf(field)] as const)
        .filter((entry): entry is readonly [string, DateCheck] => entry[1] !== null);
      return (value, path, depth) => {
        if (depth > MAX_INPUT_DEPTH || value === null || typeof value !== 'object') return undefined;
        if (value instanceof Date) return { path: [...path], code: 'invalid_type', message: M.plainData.en };
        if (!isPlainObject(value)) return undefined;
        for (const [key, check] of fields) {
          if (!Object.hasOwn(value, key)) continue;
          const item = value[key];
          if (item === null || typeof item !== 'object') continue;
          path.push(key);
          const issue = check(item, path, depth + 1);
          path.pop();
          if (issue) return issue;
        }
        return undefined;
      };
    }
    case 'array': {
      const element = dateCheckOf(def['element']);
      if (!element) return null;
      return (value, path, depth) => {
        if (depth > MAX_INPUT_DEPTH || !Array.isArray(value)) return undefined;
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (item === null || typeof item !== 'object') continue;
          path.push(i);
          const issue = element(item, path, depth + 1);
          path.pop();
          if (issue) return issue;
        }
        return undefined;
      };
    }
    case 'record': {
      const valueCheck = dateCheckOf(def['valueType']);
      if (!valueCheck) return null;
      return (value, path, depth) => {
        if (depth > MAX_INPUT_DEPTH || !isPlainObject(value)) return undefined;
        for (const [key, item] of Object.entries(value)) {
          if (item === null || typeof item !== 'object') continue;
          path.push(key);
          const issue = valueCheck(item, path, depth + 1);
          path.pop();
          if (issue) return issue;
        }
        return undefined;
      };
    }
    default:
      return null;
  }
}

const compiledSchemas = new WeakMap<z.ZodType, z.ZodType>();

/**
 * `schema` with zod's compiled fast path (`z.compile`), compiled once per schema and kept:
 * for the schemas parsed on every write. It parses to the same value; an input it refuses
 * is handed to the schema itself, so errors and messages are the schema's own. A schema zod
 * cannot compile (or a zod without `z.compile`) is returned as it is. Never for a schema built per call: compiling costs
 * milliseconds.
 *
 * @example
 * ```ts
 * const input = parseOrThrow(compiledSchema(createUserInputSchema), body, { entity: 'user' })
 * ```
 */
export function compiledSchema<S extends z.ZodType>(schema: S): S {
  let compiled = compiledSchemas.get(schema);
  if (!compiled) {
    compiled = compileOrKeep(schema);
    compiledSchemas.set(schema, compiled);
  }
  return compiled as S;
}

/** `z.compile` came with zod 4.6; an older zod 4 (the peer range starts at 4.1), or a host that forbids generated code, parses with the schema itself. */
function compileOrKeep(schema: z.ZodType): z.ZodType {
  const compile = (z as { compile?: (s: z.ZodType) => z.ZodType }).compile;
  if (typeof compile !== 'function') return schema;
  try {
    return compile(schema);
  } catch {
    return schema;
  }
}

/**
 * Parses `input` with `schema` and returns the parsed value, or throws a
 * {@link ValidationError} whose issues carry paths and messages in the chosen locale.
 * The locale is passed per parse, never through zod's global configuration.
 *
 * @example
 * ```ts
 * const input = parseOrThrow(createUserInputSchema, body, { locale: 'tr', entity: 'user' })
 * ```
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, options: ParseOptions = {}): z.output<S> {
  const locale = options.locale ?? 'en';
  const unsafe = findUnsafeInput(input) ?? findDateForObject(schema, input);
  if (unsafe) throw validationError([localised(unsafe, locale)], locale, options);
  // Parsed without a context first: any context object takes zod off its fast path (a clean
  // parse measured 10-20x slower), and only a failing parse needs the locale and
  // `reportInput`. zod parses deterministically, so the second parse fails the same way.
  const fast = schema.safeParse(input);
  if (fast.success) return withoutNegativeZero(fast.data) as z.output<S>;
  const result = schema.safeParse(input, { error: localeErrors[locale], reportInput: false });
  if (result.success) return withoutNegativeZero(result.data) as z.output<S>;
  throw validationError(toValidationIssues(result.error, locale), locale, options, result.error);
}

/**
 * `value` with every `-0` inside plain objects and arrays made `0`, copying only what
 * changes. `-0 === 0`, but the MongoDB driver stores `-0` as a double to keep its sign, which
 * an integer field's validator then refuses (and `Math.round(-0.4)` is `-0`).
 *
 * @example
 * ```ts
 * withoutNegativeZero({ limit: -0 }) // { limit: 0 }
 * ```
 */
export function withoutNegativeZero<T>(value: T): T {
  // Almost no input holds a -0: look first without allocating, copy only when one is there.
  if (!hasNegativeZero(value, 0)) return value;
  return replaceNegativeZero(value);
}

function hasNegativeZero(value: unknown, depth: number): boolean {
  if (typeof value === 'number') return value === 0 && 1 / value < 0;
  if (value === null || typeof value !== 'object' || depth > MAX_INPUT_DEPTH + 1) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (hasNegativeZero(value[i], depth + 1)) return true;
    return false;
  }
  if (!isPlainObject(value)) return false;
  for (const key in value) if (Object.hasOwn(value, key) && hasNegativeZero(value[key], depth + 1)) return true;
  return false;
}

function replaceNegativeZero<T>(value: T): T {
  if (typeof value === 'number') return (Object.is(value, -0) ? 0 : value) as T;
  if (Array.isArray(value)) {
    const items = value.map((item) => replaceNegativeZero(item));
    return (items.some((item, i) => !Object.is(item, value[i])) ? items : value) as T;
  }
  if (!isPlainObject(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const normalised = replaceNegativeZero(item);
    if (!Object.is(normalised, item)) (copy ??= { ...value })[key] = normalised;
  }
  return (copy ?? value) as T;
}

function localised(issue: ValidationIssue, locale: ValidationLocale): ValidationIssue {
  return locale === 'tr' ? { ...issue, message: turkishMessageFor(issue.message) ?? issue.message } : issue;
}

function validationError(issues: readonly ValidationIssue[], locale: ValidationLocale, options: ParseOptions, cause?: z.ZodError): ValidationError {
  const subject = options.entity ?? 'input';
  const headline = locale === 'tr' ? `Geçersiz ${subject}` : `Invalid ${subject}`;
  const first = issues[0];
  const detail = first ? `: ${first.path.length ? `${first.path.join('.')}: ` : ''}${first.message}` : '';
  const more = issues.length > 1 ? ` (+${issues.length - 1})` : '';
  return new ValidationError(`${headline}${detail}${more}`, issues, cause ? { cause } : undefined);
}
