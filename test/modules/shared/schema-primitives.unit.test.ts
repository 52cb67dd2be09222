import { describe, expect, it } from 'vitest';
import {
  calendarDateSchema,
  emailSchema,
  instantSchema,
  jsonValueSchema,
  phoneSchema,
  urlSchema,
} from '../../../src/core/schema-primitives.js';

describe('emailSchema', () => {
  it('trims and lower-cases ASCII only, keeping Turkish letters as typed', () => {
    expect(emailSchema.parse('  Ayse.Yilmaz@Example.COM ')).toBe('ayse.yilmaz@example.com');
    // `'İ'.toLowerCase()` would give 'i̇' (i + U+0307); the dotted capital is kept instead.
    expect(emailSchema.parse('İLKER.Şahin@örnek.com.tr')).toBe('İlker.Şahin@örnek.com.tr');
    expect(emailSchema.parse('İLKER@x.com')).not.toContain('\u0307');
  });

  it('refuses what is not an address', () => {
    expect(emailSchema.safeParse('no-at-sign').success).toBe(false);
    expect(emailSchema.safeParse('a b@c.com').success).toBe(false);
  });
});

describe('phoneSchema', () => {
  it('strips separators and accepts E.164-like numbers', () => {
    expect(phoneSchema.parse('+90 (555) 123-45-67')).toBe('+905551234567');
    expect(phoneSchema.safeParse('+0555').success).toBe(false);
    expect(phoneSchema.safeParse('+90 555 abc').success).toBe(false);
  });
});

describe('dates', () => {
  it('accepts Date and ISO-8601 strings, refuses numbers and garbage', () => {
    expect(instantSchema.parse('2026-03-29T08:00:00+03:00').toISOString()).toBe('2026-03-29T05:00:00.000Z');
    expect(instantSchema.parse('2026-03-29').toISOString()).toBe('2026-03-29T00:00:00.000Z');
    expect(instantSchema.safeParse(1_700_000_000_000).success).toBe(false);
    expect(instantSchema.safeParse('yesterday').success).toBe(false);
    expect(instantSchema.safeParse(new Date('1899-12-31T00:00:00Z')).success).toBe(false);
  });

  it('accepts only real calendar dates', () => {
    expect(calendarDateSchema.parse('2024-02-29')).toBe('2024-02-29');
    expect(calendarDateSchema.safeParse('2026-02-29').success).toBe(false);
    expect(calendarDateSchema.safeParse('2026-3-1').success).toBe(false);
  });
});

describe('urlSchema', () => {
  it('accepts http(s) URLs only', () => {
    expect(urlSchema.safeParse('https://cdn.example.com/a.jpg').success).toBe(true);
    expect(urlSchema.safeParse('javascript:alert(1)').success).toBe(false);
    expect(urlSchema.safeParse(`https://x.com/${'a'.repeat(2_048)}`).success).toBe(false);
  });
});

describe('jsonValueSchema', () => {
  it('accepts plain JSON', () => {
    expect(jsonValueSchema.safeParse({ lines: [{ name: 'Aylık', amount: 150000 }], note: null }).success).toBe(true);
  });

  it('refuses operator-like keys, prototype keys, non-finite numbers and deep nesting', () => {
    expect(jsonValueSchema.safeParse({ a: { $gt: 1 } }).success).toBe(false);
    expect(jsonValueSchema.safeParse({ 'a.b': 1 }).success).toBe(false);
    expect(jsonValueSchema.safeParse(JSON.parse('{"__proto__": {"polluted": true}}')).success).toBe(false);
    expect(jsonValueSchema.safeParse({ constructor: 1 }).success).toBe(false);
    expect(jsonValueSchema.safeParse({ x: Number.NaN }).success).toBe(false);
    expect(jsonValueSchema.safeParse({ x: new Date() }).success).toBe(false);
    let deep: unknown = 1;
    for (let i = 0; i < 10; i++) deep = { d: deep };
    expect(jsonValueSchema.safeParse(deep).success).toBe(false);
  });
});
