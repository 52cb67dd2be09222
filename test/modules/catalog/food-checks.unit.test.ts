import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/core/errors.js';
import { parseOrThrow } from '../../../src/core/validation.js';
import { foodBarcodeSchema, isValidFoodBarcode } from '../../../src/modules/catalog/food-barcode.js';
import { foodNutrientIssues } from '../../../src/modules/catalog/food-nutrient-checks.js';
import { FOODS_0002_PACKAGE_DATA } from '../../../src/modules/catalog/food.migrations.js';
import { createFoodInputSchema, patchFoodInputSchema } from '../../../src/modules/catalog/food.schema.js';
import { createInputs } from '../support/factories.js';

describe('food barcodes', () => {
  // Check digits computed by hand: weights 3,1,3,… from the right over the other digits.
  it.each([
    ['4006381333931', true], // EAN-13 (the GS1 example)
    ['3017620422003', true], // EAN-13
    ['96385074', true], // EAN-8
    ['036000291452', true], // UPC-A
    ['4006381333932', false], // last digit changed
    ['96385075', false],
    ['036000291453', false],
    ['400638133393', false], // 12 digits, but not a valid UPC-A
    ['40063813339311', false], // 14 digits
    ['4006381333a31', false],
    ['', false],
  ])('%s is valid: %s', (code, valid) => {
    expect(isValidFoodBarcode(code)).toBe(valid);
  });

  it('trims a barcode and refuses a wrong check digit in English and Turkish', () => {
    expect(foodBarcodeSchema.parse(' 96385074 ')).toBe('96385074');
    const refusal = (locale: 'en' | 'tr') => {
      try {
        parseOrThrow(foodBarcodeSchema, '96385075', { locale });
      } catch (error) {
        return error as ValidationError;
      }
      throw new Error('accepted');
    };
    expect(refusal('en')).toBeInstanceOf(ValidationError);
    expect(refusal('en').issues[0]!.message).toBe('Expected an EAN-8, UPC-A or EAN-13 barcode (8, 12 or 13 digits) with a valid check digit');
    expect(refusal('tr').issues[0]!.message).toBe('Geçerli kontrol basamağı olan bir EAN-8, UPC-A veya EAN-13 barkodu bekleniyor (8, 12 veya 13 rakam)');
  });
});

describe('food nutrient consistency', () => {
  const per100g = { servingSize: 100, servingUnit: 'g' } as const;
  const paths = (n: Parameters<typeof foodNutrientIssues>[0]) => foodNutrientIssues(n).map((i) => i.path.join('.'));

  it('accepts real labels: oats, cheese, a piece of egg, water', () => {
    expect(paths({ ...per100g, calories: 372, protein: 13.5, carbs: 58.7, sugar: 1.1, fat: 7, saturatedFat: 1.3, fiber: 10 })).toEqual([]);
    expect(paths({ ...per100g, calories: 263, protein: 17, carbs: 1.5, fat: 21, saturatedFat: 14 })).toEqual([]);
    expect(paths({ servingSize: 1, servingUnit: 'piece', calories: 78, protein: 6.3, carbs: 0.6, fat: 5.3 })).toEqual([]);
    expect(paths({ servingSize: 250, servingUnit: 'ml', calories: 0, protein: 0, carbs: 0, fat: 0 })).toEqual([]);
  });

  it('refuses saturated fat above fat and sugars above carbohydrates', () => {
    expect(paths({ ...per100g, calories: 460, protein: 1, carbs: 0, fat: 51, saturatedFat: 52 })).toEqual(['saturatedFat']);
    expect(paths({ ...per100g, calories: 257, protein: 1, carbs: 60, sugar: 61, fat: 1 })).toEqual(['sugar']);
  });

  it('refuses more than 100 g of a nutrient per 100 g, scaled from the serving', () => {
    // 45 g of protein in a 40 g serving is 112.5 g per 100 g.
    expect(paths({ servingSize: 40, servingUnit: 'g', calories: 180, protein: 45, carbs: 0, fat: 0 })).toContain('protein');
    // 40 + 40 + 40 = 120 g per 100 g: every macro alone is fine, together they are not.
    expect(paths({ ...per100g, calories: 680, protein: 40, carbs: 40, fat: 40 })).toEqual(['fat']);
    // 35 + 35 + 34 = 104: within the 105 g of labelling tolerance.
    expect(paths({ ...per100g, calories: 586, protein: 35, carbs: 35, fat: 34 })).toEqual([]);
  });

  it('refuses energy outside 20 % + 15 kcal per 100 g of 4/4/9/2 kcal per gram', () => {
    // Macros give 4·10 + 4·10 + 9·5 = 125 kcal.
    const macros = { protein: 10, carbs: 10, fat: 5 };
    expect(paths({ ...per100g, ...macros, calories: 125 })).toEqual([]);
    // Band around 110 kcal: 110·0.8 − 15 = 73 .. 110·1.2 + 15 = 147, so 125 is in.
    expect(paths({ ...per100g, ...macros, calories: 110 })).toEqual([]);
    // Around 90: 57 .. 123, so 125 is out.
    expect(paths({ ...per100g, ...macros, calories: 90 })).toEqual(['calories']);
    expect(paths({ ...per100g, ...macros, calories: 900 })).toEqual(['calories']);
    // A 200 g serving doubles the absolute allowance: around 220 kcal, 220·0.8 − 30 = 146 .. 294; macros ×2 give 250.
    expect(paths({ servingSize: 200, servingUnit: 'g', protein: 20, carbs: 20, fat: 10, calories: 220 })).toEqual([]);
  });

  it('is skipped for near-zero energy, where rounding dominates', () => {
    expect(paths({ ...per100g, calories: 2, protein: 0.5, carbs: 1, fat: 0 })).toEqual([]);
  });

  it('runs on created and patched foods with the path of the field, in English and Turkish', () => {
    const bad = createInputs.foods({ nutrients: { servingSize: 100, servingUnit: 'g', calories: 460, protein: 1, carbs: 0, fat: 51, saturatedFat: 52 } });
    const issuesOf = (schema: typeof createFoodInputSchema | typeof patchFoodInputSchema, input: unknown, locale: 'en' | 'tr') => {
      try {
        parseOrThrow(schema, input, { locale });
      } catch (error) {
        return (error as ValidationError).issues.map((i) => `${i.path.join('.')}: ${i.message}`);
      }
      return [];
    };
    expect(issuesOf(createFoodInputSchema, bad, 'en')).toEqual(['nutrients.saturatedFat: Saturated fat cannot exceed total fat']);
    expect(issuesOf(createFoodInputSchema, bad, 'tr')).toEqual(['nutrients.saturatedFat: Doymuş yağ, toplam yağı aşamaz']);
    expect(issuesOf(patchFoodInputSchema, { nutrients: bad.nutrients }, 'en')).toEqual(['nutrients.saturatedFat: Saturated fat cannot exceed total fat']);
  });
});

describe('the foods version 2 migration', () => {
  it('gives a version 1 document empty diet flags and portions, and takes every version 2 field away on the way down', () => {
    const v1 = { name: 'Yulaf', nutrients: { servingSize: 40, servingUnit: 'g', calories: 150, protein: 5, carbs: 27, fat: 3 } };
    expect(FOODS_0002_PACKAGE_DATA.up(v1)).toEqual({ ...v1, dietFlags: [], portions: [] });
    const v2 = { ...v1, barcode: '96385074', brand: 'Tarla', dietFlags: ['vegan'], nutriScore: 'a', portions: [{ name: '1 kase', grams: 40 }], nutrients: { ...v1.nutrients, saturatedFat: 0.5 } };
    expect(FOODS_0002_PACKAGE_DATA.down(v2)).toEqual(v1);
  });
});
