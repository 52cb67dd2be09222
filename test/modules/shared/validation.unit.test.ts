import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ValidationError } from '../../../src/core/errors.js';
import { idSchema } from '../../../src/core/ids.js';
import { timeOfDaySchema } from '../../../src/core/schema-primitives.js';
import { parseOrThrow } from '../../../src/core/validation.js';
import { createClassBookingInputSchema } from '../../../src/modules/classes/class-booking.schema.js';

function failure(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
  throw new Error('expected a ValidationError');
}

describe('parseOrThrow', () => {
  const schema = z.strictObject({ capacity: z.number().int().min(1) });

  it('returns the parsed value', () => {
    expect(parseOrThrow(schema, { capacity: 3 })).toEqual({ capacity: 3 });
  });

  it('reports the same failure in English and in Turkish', () => {
    const en = failure(() => parseOrThrow(schema, { capacity: 0 }, { locale: 'en', entity: 'class' }));
    const tr = failure(() => parseOrThrow(schema, { capacity: 0 }, { locale: 'tr', entity: 'ders' }));
    expect(en.issues).toEqual([{ path: ['capacity'], code: 'too_small', message: 'Too small: expected number to be >=1' }]);
    expect(tr.issues).toEqual([{ path: ['capacity'], code: 'too_small', message: 'Çok küçük: beklenen number >=1' }]);
    expect(en.message).toBe('Invalid class: capacity: Too small: expected number to be >=1');
    expect(tr.message).toMatch(/^Geçersiz ders: capacity: /);
    expect(en.code).toBe('VALIDATION_FAILED');
  });

  it("translates the SDK's own messages too", () => {
    expect(failure(() => parseOrThrow(idSchema('UserId'), 'xyz', { locale: 'tr' })).issues[0]?.message).toBe('24 karakterli onaltılık bir ObjectId bekleniyor');
    expect(failure(() => parseOrThrow(timeOfDaySchema, '25:00', { locale: 'tr' })).issues[0]?.message).toMatch(/^SS:dd/);
    expect(failure(() => parseOrThrow(timeOfDaySchema, '25:00')).issues[0]?.message).toMatch(/^Expected a time of day/);
  });

  it('speaks English when no locale is given, and never touches zod globally', () => {
    expect(failure(() => parseOrThrow(schema, {})).issues[0]?.message).toMatch(/^Invalid input/);
    expect(failure(() => parseOrThrow(schema, {}, { locale: 'tr' })).issues[0]?.message).toMatch(/^Geçersiz değer/);
    expect(schema.safeParse({}).error?.issues[0]?.message).toMatch(/^Invalid input/);
  });

  it('reports every issue with its path', () => {
    const e = failure(() => parseOrThrow(createClassBookingInputSchema, { classId: 'x', userId: 'y', date: 'z', bookedAt: 1 }));
    expect(e.issues.map((i) => i.path.join('.'))).toEqual(['classId', 'userId', 'date', 'bookedAt']);
  });
});
