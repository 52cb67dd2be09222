import { describe, expect, it } from 'vitest';
import { roundTo } from '../../src/core/rounding.js';

describe('roundTo', () => {
  it('rounds halves away from zero after dropping binary noise', () => {
    expect(roundTo(80 / 1.6 ** 2, 1)).toBe(31.3);
    expect(roundTo(72.4 - 70.1, 2)).toBe(2.3);
    expect(roundTo(70.1 - 72.4, 2)).toBe(-2.3);
    expect(roundTo(-0.25, 1)).toBe(-0.3);
    expect(roundTo(1.005, 2)).toBe(1.01);
  });

  it('never returns negative zero', () => {
    expect(Object.is(roundTo(-0.0001, 2), 0)).toBe(true);
  });
});
