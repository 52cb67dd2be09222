import { compareValues, isPlainObject, type Doc } from './bson-values.js';
import { CommandError, ErrorCode } from './errors.js';

/**
 * A collation as a command gives it. `locale: 'simple'` is MongoDB's binary comparison;
 * every other locale compares strings with `Intl.Collator` (ICU, as MongoDB uses).
 */
export interface Collation {
  readonly locale: string;
  readonly strength?: number;
  readonly caseLevel?: boolean;
  readonly caseFirst?: 'upper' | 'lower' | 'off';
  readonly numericOrdering?: boolean;
  readonly alternate?: 'non-ignorable' | 'shifted';
  readonly maxVariable?: 'punct' | 'space';
  readonly normalization?: boolean;
  readonly backwards?: boolean;
}

const FIELDS = new Set(['locale', 'strength', 'caseLevel', 'caseFirst', 'numericOrdering', 'alternate', 'maxVariable', 'normalization', 'backwards', 'version']);

function fail(code: number, message: string): never {
  throw new CommandError(code, message);
}

/** The `Intl` spelling of a MongoDB locale (`en_US` -> `en-US`, `de@collation=phonebook` -> `de-u-co-phonebk`). */
function intlLocale(locale: string): string {
  const [base, keyword] = locale.split('@');
  const tag = base!.replace(/_/g, '-');
  if (keyword === 'collation=phonebook') return `${tag}-u-co-phonebk`;
  if (keyword === 'collation=pinyin') return `${tag}-u-co-pinyin`;
  if (keyword) return tag;
  return tag;
}

/**
 * Parses and checks a `collation` argument as MongoDB does: 40414 without `locale`,
 * 40415 for an unknown field, 2 BadValue for an unknown locale or out-of-range option,
 * 238 NotImplemented for `backwards: true` (French secondary ordering). `undefined`
 * when absent.
 */
export function parseCollation(raw: unknown): Collation | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isPlainObject(raw)) fail(ErrorCode.TypeMismatch, "BSON field 'collation' is the wrong type, expected type 'object'");
  for (const key of Object.keys(raw)) if (!FIELDS.has(key)) fail(40415, `BSON field 'collation.${key}' is an unknown field.`);
  const locale = raw['locale'];
  if (locale === undefined) fail(40414, "BSON field 'collation.locale' is missing but a required field");
  if (typeof locale !== 'string') fail(ErrorCode.TypeMismatch, "BSON field 'collation.locale' is the wrong type, expected type 'string'");
  if (locale === 'simple') {
    if (Object.keys(raw).some((k) => k !== 'locale' && k !== 'version')) fail(ErrorCode.BadValue, 'If locale is \'simple\', no other collation fields may be specified');
    return SIMPLE;
  }
  let supported: string[];
  try {
    supported = Intl.Collator.supportedLocalesOf(intlLocale(locale));
  } catch {
    supported = [];
  }
  if (supported.length === 0 || locale === '') fail(ErrorCode.BadValue, `Field 'locale' is invalid in: { locale: "${locale}" }`);
  const strength = raw['strength'] ?? 3;
  if (typeof strength !== 'number' || !Number.isInteger(strength) || strength < 1 || strength > 5) {
    fail(ErrorCode.BadValue, `Field 'strength' must be an integer 1 through 5. Got: ${String(strength)}`);
  }
  const enumOf = (field: string, values: readonly string[]) => {
    const value = raw[field];
    if (value !== undefined && !values.includes(value as string)) fail(ErrorCode.BadValue, `Field '${field}' must be one of: ${values.join(', ')}. Got: ${String(value)}`);
  };
  enumOf('caseFirst', ['upper', 'lower', 'off']);
  enumOf('alternate', ['non-ignorable', 'shifted']);
  enumOf('maxVariable', ['punct', 'space']);
  for (const field of ['caseLevel', 'numericOrdering', 'normalization', 'backwards']) {
    if (raw[field] !== undefined && typeof raw[field] !== 'boolean') fail(ErrorCode.TypeMismatch, `BSON field 'collation.${field}' is the wrong type, expected type 'bool'`);
  }
  if (raw['backwards'] === true) fail(ErrorCode.NotImplemented, "collation option 'backwards' is not supported by the embedded server");
  return { ...(raw as unknown as Collation), locale, strength };
}

/** MongoDB's binary comparison. */
export const SIMPLE: Collation = Object.freeze({ locale: 'simple' });

/** Whether a collation compares strings other than bytewise. */
export function isCollated(collation: Collation | undefined): collation is Collation {
  return collation !== undefined && collation.locale !== 'simple';
}

/** A collation in the shape listCollections / listIndexes report it (every field filled in). */
export function describeCollation(collation: Collation): Doc {
  return {
    locale: collation.locale,
    caseLevel: collation.caseLevel ?? false,
    caseFirst: collation.caseFirst ?? 'off',
    strength: collation.strength ?? 3,
    numericOrdering: collation.numericOrdering ?? false,
    alternate: collation.alternate ?? 'non-ignorable',
    maxVariable: collation.maxVariable ?? 'punct',
    normalization: collation.normalization ?? false,
    backwards: false,
    version: '57.1',
  };
}

const collators = new Map<string, Intl.Collator>();

function collatorFor(collation: Collation): Intl.Collator {
  const key = JSON.stringify([collation.locale, collation.strength, collation.caseLevel, collation.caseFirst, collation.numericOrdering, collation.alternate]);
  let collator = collators.get(key);
  if (!collator) {
    const strength = collation.strength ?? 3;
    // ICU strength 1 ignores accents and case, 2 ignores case; caseLevel adds case back.
    const sensitivity = strength === 1 ? (collation.caseLevel ? 'case' : 'base') : strength === 2 ? (collation.caseLevel ? 'variant' : 'accent') : 'variant';
    collator = new Intl.Collator(intlLocale(collation.locale), {
      sensitivity,
      numeric: collation.numericOrdering === true,
      caseFirst: collation.caseFirst === 'upper' ? 'upper' : collation.caseFirst === 'lower' ? 'lower' : 'false',
      ignorePunctuation: collation.alternate === 'shifted',
      usage: 'sort',
    });
    collators.set(key, collator);
  }
  return collator;
}

/** Compares two strings under a collation (bytewise order for `simple`). */
export function compareStrings(collation: Collation | undefined, a: string, b: string): number {
  if (!isCollated(collation)) return a < b ? -1 : a > b ? 1 : 0;
  return collatorFor(collation).compare(a, b);
}

/** BSON order with strings (also inside documents and arrays) compared under the collation. */
export function collatedComparator(collation: Collation | undefined): (a: unknown, b: unknown) => number {
  if (!isCollated(collation)) return compareValues;
  const collator = collatorFor(collation);
  const compare = (a: unknown, b: unknown): number => {
    if (typeof a === 'string' && typeof b === 'string') return collator.compare(a, b);
    if (Array.isArray(a) && Array.isArray(b)) {
      for (let i = 0; i < Math.min(a.length, b.length); i++) {
        const c = compare(a[i], b[i]);
        if (c !== 0) return c;
      }
      return a.length - b.length;
    }
    if (isPlainObject(a) && isPlainObject(b)) {
      const ka = Object.keys(a);
      const kb = Object.keys(b);
      for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
        const kc = compareValues(ka[i], kb[i]);
        if (kc !== 0) return kc;
        const c = compare(a[ka[i]!], b[kb[i]!]);
        if (c !== 0) return c;
      }
      return ka.length - kb.length;
    }
    return compareValues(a, b);
  };
  return compare;
}

/** mingo's collation spec for `$sort` inside a pipeline. */
export function mingoCollation(collation: Collation | undefined): Doc | undefined {
  if (!isCollated(collation)) return undefined;
  return {
    locale: intlLocale(collation.locale),
    strength: Math.min(3, collation.strength ?? 3),
    ...(collation.caseLevel !== undefined ? { caseLevel: collation.caseLevel } : {}),
    ...(collation.caseFirst !== undefined ? { caseFirst: collation.caseFirst } : {}),
    ...(collation.numericOrdering !== undefined ? { numericOrdering: collation.numericOrdering } : {}),
    ...(collation.alternate !== undefined ? { alternate: collation.alternate } : {}),
  };
}

/** The collation of a command, else the collection's (or view's) default. */
export function effectiveCollation(requested: Collation | undefined, collectionDefault: unknown): Collation | undefined {
  if (requested) return requested;
  return isPlainObject(collectionDefault) ? (collectionDefault as unknown as Collation) : undefined;
}
