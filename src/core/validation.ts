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

let defaultLocale: ValidationLocale = 'en';

/**
 * Sets the locale {@link parseOrThrow} uses when a call names none. Only the SDK's own
 * default changes: zod's global configuration (`z.config`) of the host app is left alone.
 *
 * @example
 * ```ts
 * setDefaultValidationLocale('tr')
 * ```
 */
export function setDefaultValidationLocale(locale: ValidationLocale): void {
  if (!VALIDATION_LOCALES.includes(locale)) throw new RangeError(`Unsupported validation locale: ${String(locale)}`);
  defaultLocale = locale;
}

/** The locale {@link parseOrThrow} uses by default. */
export function getDefaultValidationLocale(): ValidationLocale {
  return defaultLocale;
}

/** Options of {@link parseOrThrow}: the message language and the entity named in the error. */
export interface ParseOptions {
  /** Language of the issue messages; the SDK default (`en`) when omitted. */
  readonly locale?: ValidationLocale;
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
  const seen = new WeakSet<object>();
  const visit = (value: unknown, path: (string | number)[]): ValidationIssue | undefined => {
    if (typeof value === 'string') return value.includes('\u0000') ? { path, code: 'invalid_format', message: M.nulCharacter.en } : undefined;
    if (value === null || typeof value !== 'object') return undefined;
    if (value instanceof Date) return undefined;
    if (path.length > MAX_INPUT_DEPTH) return { path, code: 'too_big', message: M.tooDeep.en };
    if (seen.has(value)) return undefined;
    seen.add(value);
    if (Array.isArray(value)) {
      if (Object.getPrototypeOf(value) !== Array.prototype) return { path, code: 'invalid_type', message: M.plainData.en };
      for (let i = 0; i < value.length; i++) {
        const issue = visit(value[i], [...path, i]);
        if (issue) return issue;
      }
      return undefined;
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return { path, code: 'invalid_type', message: M.plainData.en };
    for (const key of Reflect.ownKeys(value)) {
      if (typeof key === 'symbol') continue;
      if (RESERVED_KEYS.has(key)) return { path: [...path, key], code: 'unrecognized_keys', message: M.reservedKey.en };
      if (key.includes('\u0000')) return { path: [...path, key], code: 'invalid_format', message: M.nulCharacter.en };
      const issue = visit((value as Record<string, unknown>)[key], [...path, key]);
      if (issue) return issue;
    }
    return undefined;
  };
  return visit(input, []);
}

type SchemaDef = { readonly type: string } & Record<string, any>;
const defOf = (schema: unknown): SchemaDef => (schema as { _zod: { def: SchemaDef } })._zod.def;
const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && [Object.prototype, null].includes(Object.getPrototypeOf(value));
const WRAPPERS: ReadonlySet<string> = new Set(['optional', 'nullable', 'default', 'prefault', 'catch', 'readonly', 'nonoptional']);

/**
 * The first `Date` in `input` where `schema` expects an object. zod reads any non-array
 * object as an object, so a `Date` (which has no own keys) would pass for an object whose
 * fields are all optional; {@link findUnsafeInput} already refuses every other class instance.
 */
export function findDateForObject(schema: z.ZodType, input: unknown): ValidationIssue | undefined {
  const visit = (s: unknown, value: unknown, path: (string | number)[], depth: number): ValidationIssue | undefined => {
    if (depth > MAX_INPUT_DEPTH || value === null || typeof value !== 'object') return undefined;
    const def = defOf(s);
    if (WRAPPERS.has(def.type)) return visit(def['innerType'], value, path, depth);
    switch (def.type) {
      case 'pipe':
        return visit(def['in'], value, path, depth);
      case 'lazy':
        return visit(def['getter'](), value, path, depth);
      case 'union': {
        const issues = (def['options'] as unknown[]).map((option) => visit(option, value, path, depth));
        return issues.every(Boolean) ? issues[0] : undefined;
      }
      case 'object':
        if (value instanceof Date) return { path, code: 'invalid_type', message: M.plainData.en };
        if (!isPlainObject(value)) return undefined;
        for (const [key, field] of Object.entries(def['shape'] as Record<string, unknown>)) {
          const issue = Object.hasOwn(value, key) ? visit(field, value[key], [...path, key], depth + 1) : undefined;
          if (issue) return issue;
        }
        return undefined;
      case 'array':
        if (!Array.isArray(value)) return undefined;
        for (let i = 0; i < value.length; i++) {
          const issue = visit(def['element'], value[i], [...path, i], depth + 1);
          if (issue) return issue;
        }
        return undefined;
      case 'record':
        if (!isPlainObject(value)) return undefined;
        for (const [key, item] of Object.entries(value)) {
          const issue = visit(def['valueType'], item, [...path, key], depth + 1);
          if (issue) return issue;
        }
        return undefined;
      default:
        return undefined;
    }
  };
  return visit(schema, input, [], 0);
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
  const locale = options.locale ?? defaultLocale;
  const unsafe = findUnsafeInput(input) ?? findDateForObject(schema, input);
  if (unsafe) throw validationError([localised(unsafe, locale)], locale, options);
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
  if (typeof value === 'number') return (Object.is(value, -0) ? 0 : value) as T;
  if (Array.isArray(value)) {
    const items = value.map(withoutNegativeZero);
    return (items.some((item, i) => !Object.is(item, value[i])) ? items : value) as T;
  }
  if (!isPlainObject(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const normalised = withoutNegativeZero(item);
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
