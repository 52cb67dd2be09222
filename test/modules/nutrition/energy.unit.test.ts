import { describe, expect, it } from 'vitest';
import { ACTIVITY_FACTORS, ageInYears, basalMetabolicRate, totalDailyEnergyExpenditure } from '../../../src/modules/nutrition/energy.js';

describe('basal metabolic rate (Mifflin-St Jeor)', () => {
  // 10·kg + 6.25·cm − 5·years, +5 for men, −161 for women, worked out by hand.
  it.each([
    ['male', 80, 180, 30, 800 + 1125 - 150 + 5], // 1780
    ['female', 60, 165, 30, 600 + 1031.25 - 150 - 161], // 1320.25 → 1320.3
    ['male', 100, 190, 50, 1000 + 1187.5 - 250 + 5], // 1942.5
    ['female', 52.5, 158, 67, 525 + 987.5 - 335 - 161], // 1016.5
    ['male', 45, 150, 16, 450 + 937.5 - 80 + 5], // 1312.5
  ] as const)('%s, %d kg, %d cm, %d years: %d kcal', (sex, weightKg, heightCm, ageYears, expected) => {
    expect(basalMetabolicRate({ sex, weightKg, heightCm, ageYears })).toBe(Math.round(expected * 10) / 10);
  });
});

describe('total daily energy expenditure', () => {
  it('has the documented activity factors', () => {
    expect(ACTIVITY_FACTORS).toEqual({ sedentary: 1.2, light: 1.375, moderate: 1.55, active: 1.725, very_active: 1.9 });
  });

  it.each([
    [1780, 'sedentary', 2136], // 1780 × 1.2
    [1780, 'light', 2448], // 2447.5 → 2448
    [1780, 'moderate', 2759], // 2759
    [1780, 'active', 3071], // 3070.5 → 3071
    [1780, 'very_active', 3382], // 3382
    [1320.3, 'moderate', 2046], // 2046.465
  ] as const)('%d kcal BMR, %s: %d kcal', (bmr, activity, expected) => {
    expect(totalDailyEnergyExpenditure(bmr, activity)).toBe(expected);
  });
});

describe('age in whole years', () => {
  it('counts a birthday from its calendar day', () => {
    expect(ageInYears(new Date('1990-03-02T00:00:00Z'), new Date('2026-03-01T23:59:59Z'))).toBe(35);
    expect(ageInYears(new Date('1990-03-02T00:00:00Z'), new Date('2026-03-02T00:00:00Z'))).toBe(36);
    expect(ageInYears(new Date('2000-02-29T00:00:00Z'), new Date('2026-02-28T12:00:00Z'))).toBe(25);
  });
});
