import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ValidationError } from '../../src/core/errors.js';
import { findUnsafeInput, MAX_INPUT_DEPTH, parseOrThrow } from '../../src/core/validation.js';
import * as schemas from '../support/all-schemas.js';
import { createInputs, ENTITY_COLLECTIONS, entitySchemas } from '../modules/support/factories.js';
import { describeCase, hostileCases } from './hostile-input-corpus.js';

/**
 * The schema half of the hostile-input rules: every schema the SDK exports bounds its
 * strings and lists and refuses unknown keys, and the create and patch schema of every
 * collection refuses the whole hostile corpus through `parseOrThrow`.
 */

type Def = { readonly type: string } & Record<string, any>;
const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;
const checksOf = (schema: unknown): Def[] => ((defOf(schema)['checks'] ?? []) as unknown[]).map(defOf);

/** An anchored pattern with no unbounded repetition (`*`, `+`, `{n,}`) matches strings of bounded length only. */
function isBoundedPattern(pattern: RegExp): boolean {
  const source = pattern.source;
  return source.startsWith('^') && source.endsWith('$') && !/[*+]|\{\d+,\}/.test(source.replace(/\\./g, ''));
}

/** Every place in a schema that breaks a hostile-input rule, with its path. */
function unboundedParts(schema: unknown, path: string, seen = new Set<unknown>()): string[] {
  if (seen.has(schema)) return [];
  seen.add(schema);
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
    case 'nonoptional':
      return unboundedParts(def['innerType'], path, seen);
    case 'pipe':
      return [...unboundedParts(def['in'], path, seen), ...unboundedParts(def['out'], path, seen)];
    case 'lazy':
      return unboundedParts(def['getter'](), path, seen);
    case 'union':
      return (def['options'] as unknown[]).flatMap((option, i) => unboundedParts(option, `${path}|${i}`, seen));
    case 'object': {
      const strict = defOf(def['catchall'] ?? z.never()).type === 'never';
      const fields = Object.entries(def['shape'] as Record<string, unknown>).flatMap(([key, field]) => unboundedParts(field, `${path}.${key}`, seen));
      return strict ? fields : [`${path}: accepts unknown keys`, ...fields];
    }
    case 'array': {
      const bounded = checksOf(schema).some((c) => c['check'] === 'max_length');
      return [...(bounded ? [] : [`${path}: list without a maximum size`]), ...unboundedParts(def['element'], `${path}[]`, seen)];
    }
    case 'tuple':
      return (def['items'] as unknown[]).flatMap((item, i) => unboundedParts(item, `${path}[${i}]`, seen));
    case 'record':
      return [...unboundedParts(def['keyType'], `${path}{key}`, seen), ...unboundedParts(def['valueType'], `${path}{}`, seen)];
    case 'string': {
      const checks = checksOf(schema);
      const bounded = checks.some((c) => c['check'] === 'max_length' || c['check'] === 'length_equals' || (c['check'] === 'string_format' && c['pattern'] instanceof RegExp && isBoundedPattern(c['pattern'])));
      return bounded ? [] : [`${path}: string without a maximum length`];
    }
    default:
      return [];
  }
}

const exportedSchemas = Object.entries(schemas).filter(([name, value]) => name.endsWith('Schema') && typeof value === 'object' && value !== null && '_zod' in value);

describe('every exported schema', () => {
  it('is found (the check below covers the whole ./schemas entry point)', () => {
    expect(exportedSchemas.length).toBeGreaterThan(60);
  });

  it.each(exportedSchemas)('%s bounds every string and list and refuses unknown keys', (name, schema) => {
    expect(unboundedParts(schema, name)).toEqual([]);
  });
});

describe('the create and patch schema of every collection', () => {
  for (const collection of ENTITY_COLLECTIONS) {
    const create = createInputs[collection]() as Record<string, unknown>;
    const patchSchema = entitySchemas[collection].patch;
    const patchKeys = new Set(Object.keys((patchSchema as unknown as { shape: Record<string, unknown> }).shape));
    // The parsed create input has the defaults filled in, which a patch of a nested object must state.
    const parsed = entitySchemas[collection].create.parse(create) as Record<string, unknown>;
    const patch = Object.fromEntries(Object.entries(parsed).filter(([key]) => patchKeys.has(key)));

    it(`${collection}: accept the factories' valid input (the refusals below come from the hostile values)`, () => {
      expect(() => parseOrThrow(entitySchemas[collection].create, create)).not.toThrow();
      expect(() => parseOrThrow(patchSchema, patch)).not.toThrow();
    });

    it(`${collection}: refuse every hostile create input with a ValidationError`, () => {
      fc.assert(
        fc.property(hostileCases([create]), (hostile) => {
          const attempt = () => parseOrThrow(entitySchemas[collection].create, hostile.args[0]);
          expect(attempt, describeCase(hostile)).toThrow(ValidationError);
        }),
        { numRuns: 300 },
      );
    });

    it(`${collection}: refuse every hostile patch with a ValidationError`, () => {
      fc.assert(
        fc.property(hostileCases([patch]), (hostile) => {
          const attempt = () => parseOrThrow(patchSchema, hostile.args[0]);
          expect(attempt, describeCase(hostile)).toThrow(ValidationError);
        }),
        { numRuns: 300 },
      );
    });
  }
});

describe('findUnsafeInput', () => {
  const open = z.strictObject({ note: z.string().max(10).optional() });

  it('refuses an own __proto__ key made by JSON.parse, and leaves Object.prototype alone', () => {
    const input = JSON.parse('{"note": "a", "__proto__": {"isAdmin": true}}') as unknown;
    expect(findUnsafeInput(input)).toMatchObject({ path: ['__proto__'], code: 'unrecognized_keys' });
    expect(() => parseOrThrow(open, input)).toThrow(ValidationError);
    expect(({} as Record<string, unknown>)['isAdmin']).toBeUndefined();
  });

  it('refuses constructor and prototype keys at any depth', () => {
    expect(findUnsafeInput({ a: [{ b: { constructor: { prototype: {} } } }] })?.path).toEqual(['a', 0, 'b', 'constructor']);
    expect(findUnsafeInput({ prototype: 1 })?.path).toEqual(['prototype']);
  });

  it('refuses instances of classes, which zod would read as objects with no fields', () => {
    for (const instance of [new Map([['$gt', '']]), new Set([1]), Buffer.from('x'), new (class Shape {})(), Promise.resolve()]) {
      expect(() => parseOrThrow(open, instance)).toThrow(ValidationError);
    }
  });

  it('refuses a Date where an object is expected and accepts it where an instant is', () => {
    expect(() => parseOrThrow(open, new Date())).toThrow(ValidationError);
    expect(parseOrThrow(z.strictObject({ at: schemas.instantSchema }), { at: new Date('2026-03-01T00:00:00Z') }).at).toEqual(new Date('2026-03-01T00:00:00Z'));
  });

  it('refuses nesting deeper than the limit and survives a cycle', () => {
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i <= MAX_INPUT_DEPTH; i++) deep = (deep['next'] = {}) as Record<string, unknown>;
    expect(findUnsafeInput(root)).toMatchObject({ code: 'too_big' });
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => parseOrThrow(open, cyclic)).toThrow(ValidationError);
  });

  it('walks a shared graph once per object and finds the first issue past a large clean prefix', () => {
    // 30 levels, each object holding the next twice: 2^30 paths, 31 objects.
    let level: Record<string, unknown> = { notes: 'a\u0000b' };
    for (let i = 0; i < 30; i++) level = { left: level, right: level };
    expect(findUnsafeInput(level)).toMatchObject({ path: [...Array<string>(30).fill('left'), 'notes'], code: 'invalid_format' });
    const rows: unknown[] = Array.from({ length: 300 }, (_, i) => ({ name: `row ${i}`, tags: ['a'] }));
    rows.push({ name: 'bad', tags: ['a', 'b\u0000'] });
    expect(findUnsafeInput({ rows })).toMatchObject({ path: ['rows', 300, 'tags', 1], code: 'invalid_format' });
    expect(findUnsafeInput({ rows: rows.slice(0, 300) })).toBeUndefined();
  });

  it('refuses the NUL character in any string or key, which PostgreSQL cannot store', () => {
    expect(findUnsafeInput({ notes: ['ok', 'a\u0000b'] })).toMatchObject({ path: ['notes', 1], code: 'invalid_format' });
    expect(findUnsafeInput({ metadata: { 'k\u0000': 1 } })?.path).toEqual(['metadata', 'k\u0000']);
    expect(findUnsafeInput({ notes: 'satır\nsonu\tsekme' })).toBeUndefined();
  });

  it('says so in Turkish when asked', () => {
    const error = (() => {
      try {
        parseOrThrow(open, new Map(), { locale: 'tr' });
      } catch (e) {
        return e as ValidationError;
      }
      return undefined;
    })();
    expect(error?.issues[0]?.message).toBe(schemas.VALIDATION_MESSAGES.plainData.tr);
  });
});

describe('negative zero', () => {
  it('comes out of parseOrThrow as 0, everywhere, without touching the input', () => {
    const schema = z.strictObject({ limit: z.number().int().min(0), sets: z.array(z.strictObject({ weight: z.number() })).max(5) });
    const input = { limit: -0, sets: [{ weight: 60 }, { weight: Math.round(-0.4) }] };
    const parsed = parseOrThrow(schema, input);
    expect(Object.is(parsed.limit, 0)).toBe(true);
    expect(Object.is(parsed.sets[1]!.weight, 0)).toBe(true);
    expect(Object.is(input.sets[1]!.weight, -0)).toBe(true);
  });
});

describe('instants', () => {
  it('refuse a day that does not exist instead of rolling it over', () => {
    expect(schemas.instantSchema.safeParse('2026-02-30T10:00:00Z').success).toBe(false);
    expect(schemas.instantSchema.safeParse('2026-13-01').success).toBe(false);
    expect(schemas.instantSchema.safeParse('2028-02-29T10:00:00Z').success).toBe(true);
  });
});
