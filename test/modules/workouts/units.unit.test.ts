import { describe, expect, it } from 'vitest';
import { fromKilograms, fromMetres, loadableKilograms, roundLoad, toKilograms, toMetres, type LoadRounding, type WeightUnit } from '../../../src/modules/workouts/units.js';

describe('toKilograms and fromKilograms', () => {
  // value × 0.45359237, worked out by hand on the decimal digits.
  it.each([
    [1, 'lb', 0.45359237],
    [225, 'lb', 102.05828325],
    [45, 'lb', 20.41165665],
    [2.5, 'lb', 1.133980925],
    [135.5, 'lb', 61.461766135],
    [0, 'lb', 0],
    [100, 'kg', 100],
    [0.1, 'kg', 0.1],
  ] as [number, WeightUnit, number][])('%d %s is %d kg', (value, unit, kg) => {
    expect(toKilograms(value, unit)).toBe(kg);
  });

  it.each([1, 2.5, 45, 135.5, 225, 315, 405.25, 999.99])('reads %d lb back exactly after storing it in kilograms', (lb) => {
    expect(fromKilograms(toKilograms(lb, 'lb'), 'lb')).toBe(lb);
  });

  it('gives 0.1 + 0.2 kg as 0.3 exactly when rounding to decimals', () => {
    expect(roundLoad(0.1 + 0.2, { decimals: 2 })).toBe(0.3);
  });
});

describe('rounding to what the plates allow', () => {
  it.each([
    // kg → kg
    [101.2, 'kg', { increment: 2.5 }, 100], // 40.48 steps → 40
    [101.25, 'kg', { increment: 2.5 }, 102.5], // 40.5 steps: a half rounds up
    [101.25, 'kg', { increment: 2.5, mode: 'down' }, 100],
    [100.01, 'kg', { increment: 2.5, mode: 'up' }, 102.5],
    [92.25, 'kg', { increment: 0.5 }, 92.5], // 184.5 steps → 185
    [92.25, 'kg', { increment: 1 }, 92], // 92.25 → 92
    [92.25, 'kg', { decimals: 1 }, 92.3],
    // kg → lb: 100 kg = 220.462262… lb
    [100, 'lb', { increment: 5 }, 220],
    [100, 'lb', { increment: 2.5 }, 220],
    [100, 'lb', { increment: 1 }, 220],
    [100, 'lb', { decimals: 1 }, 220.5],
    [100, 'lb', { decimals: 2 }, 220.46],
    [100, 'lb', { increment: 5, mode: 'up' }, 225],
    // 60 kg = 132.277357… lb
    [60, 'lb', { increment: 5 }, 130],
    [60, 'lb', { increment: 2.5 }, 132.5],
  ] as [number, WeightUnit, LoadRounding, number][])('%d kg in %s with %o is %d', (kg, unit, rounding, expected) => {
    expect(fromKilograms(kg, unit, rounding)).toBe(expected);
  });

  it('loads a pound lifter\'s bar in whole plates and keeps the exact kilograms', () => {
    expect(loadableKilograms(100, 'lb', { increment: 5 })).toBe(99.7903214); // 220 × 0.45359237
    expect(loadableKilograms(100, 'kg', { increment: 2.5 })).toBe(100);
  });

  it('rounds a value exactly at a half step up, in either unit', () => {
    expect(roundLoad(2.5, { increment: 5 })).toBe(5);
    expect(roundLoad(7.5, { increment: 5, mode: 'down' })).toBe(5);
  });
});

describe('distances', () => {
  it.each([
    [1, 'mi', 1609.344],
    [26.2, 'mi', 42164.8128],
    [5, 'km', 5000],
    [0.4, 'km', 400],
    [400, 'm', 400],
  ] as const)('%d %s is %d m', (value, unit, metres) => {
    expect(toMetres(value, unit)).toBe(metres);
    expect(fromMetres(metres, unit)).toBe(value);
  });
});
