import { describe, expect, it } from 'vitest';
import { dayValuesOf, measurementCategoryNameKey, measurementsFormat2, readingsOutsideDay } from '../../../src/modules/measurements/index.js';

const at = (iso: string) => new Date(iso);

describe('dayValuesOf', () => {
  it('takes each metric from the latest reading that has it, whatever the order given', () => {
    const morning = { takenAt: at('2026-03-02T05:00:00Z'), measurements: { weight: 72.4, bodyFatPercentage: 18 } };
    const noon = { takenAt: at('2026-03-02T11:00:00Z'), measurements: { waistCircumference: 80 } };
    const evening = { takenAt: at('2026-03-02T19:00:00Z'), measurements: { weight: 73.1 } };
    const expected = { weight: 73.1, bodyFatPercentage: 18, waistCircumference: 80 };
    expect(dayValuesOf([morning, noon, evening])).toEqual(expected);
    expect(dayValuesOf([evening, morning, noon])).toEqual(expected);
    expect(dayValuesOf([])).toEqual({});
  });
});

describe('readingsOutsideDay', () => {
  const day = at('2026-03-02T00:00:00Z');
  it('accepts from 14 hours before the day’s midnight up to, not including, 36 hours after it', () => {
    const takenAt = ['2026-03-01T10:00:00Z', '2026-03-01T09:59:59.999Z', '2026-03-03T11:59:59.999Z', '2026-03-03T12:00:00Z'].map((iso) => ({ takenAt: at(iso) }));
    expect(readingsOutsideDay(day, takenAt)).toEqual([1, 3]);
  });
});

describe('measurements format 2', () => {
  it('needs no rewrite going up, and going down keeps the day’s values and drops readings and category ids', () => {
    const formatOne = { _id: 'x', userId: 'u', date: at('2026-03-02T00:00:00Z'), measurements: { sealed: true }, photos: [] };
    expect(measurementsFormat2.up(formatOne)).toEqual(formatOne);
    expect(measurementsFormat2.down({ ...formatOne, readings: { sealed: true }, customCategoryIds: ['c'] })).toEqual(formatOne);
  });
});

describe('measurementCategoryNameKey', () => {
  it('compares names ignoring case, surrounding spaces and compatibility forms', () => {
    expect(measurementCategoryNameKey(' NECK ')).toBe(measurementCategoryNameKey('neck'));
    // The full-width letters of an East Asian keyboard are the same name (NFKC).
    expect(measurementCategoryNameKey('Ｎｅｃｋ')).toBe('neck');
    expect(measurementCategoryNameKey('Neck')).not.toBe(measurementCategoryNameKey('Neck 2'));
  });
});
