import { fileURLToPath } from 'node:url';
import { ObjectId } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../../../src/core/errors.js';
import { importOpenFoodFacts, mapOpenFoodFactsProduct, type OpenFoodFactsImportResult } from '../../../src/modules/catalog/open-food-facts.importer.js';
import { useTestNexfit } from '../../support/nexfit.js';
import { createInputs } from '../support/factories.js';

const t = useTestNexfit({ clock: '2026-03-02T09:00:00Z' });
const SAMPLE = fileURLToPath(new URL('./fixtures/open-food-facts-sample.jsonl', import.meta.url));
const foods = () => t.nexfit.repositories.foods;

let first: OpenFoodFactsImportResult;
beforeAll(async () => {
  first = await importOpenFoodFacts(foods(), SAMPLE, { batchSize: 2 });
});

describe('importing the Open Food Facts JSON lines export', () => {
  it('creates the three sound products and reports every other line with its number and reason', () => {
    expect({ ...first, rejected: undefined }).toEqual({ lines: 11, inserted: 3, updated: 0, unchanged: 0, kept: 0, rejectedCount: 8, rejected: undefined });
    expect(first.rejected).toEqual([
      { line: 3, code: '8690000000036', reason: 'nutrients.saturatedFat: Saturated fat cannot exceed total fat' },
      { line: 4, code: '8690000000049', reason: 'code: not an EAN-8, UPC-A or EAN-13 barcode with a valid check digit' },
      { line: 5, reason: 'the line is not valid JSON' },
      { line: 7, code: '8690000000067', reason: 'nutriments.proteins_100g: missing or not a number' },
      { line: 8, code: '8690000000074', reason: expect.stringMatching(/^nutrients\.calories: The energy does not match the macronutrients/) },
      { line: 9, code: '8690000000081', reason: 'nutrients.sugar: Sugars cannot exceed total carbohydrates' },
      { line: 10, code: '8690000000098', reason: 'product_name: missing or empty' },
      { line: 12, code: '8690000000104', reason: 'nutrients.fat: Protein, carbohydrates and fat together cannot exceed 105 g per 100 g of food' },
    ]);
  });

  it('maps a product onto a food per 100 g: first brand, diet flags from labels, Nutri-Score, salt as sodium, the serving as a portion', async () => {
    const oats = await foods().findByBarcode('8690000000012');
    expect(oats).toMatchObject({
      name: 'Yulaf Ezmesi',
      brand: 'Tarla',
      category: 'cereals',
      barcode: '8690000000012',
      source: 'off:8690000000012',
      isVerified: false,
      nutriScore: 'a',
      dietFlags: ['organic', 'vegan', 'vegetarian'],
      portions: [{ name: '40 g', grams: 40 }],
      nutrients: { servingSize: 100, servingUnit: 'g', calories: 372, protein: 13.5, carbs: 58.7, sugar: 1.1, fat: 7, saturatedFat: 1.3, fiber: 10, sodium: 8 },
    });
    // Numeric strings read as numbers; energy from kJ (1100 / 4.184 = 262.9 kcal); 2.5 g salt = 1000 mg sodium; grade upper case.
    const cheese = await foods().findByBarcode('8690000000029');
    expect(cheese).toMatchObject({ brand: 'Köy', nutriScore: 'd', dietFlags: ['vegetarian'], portions: [], nutrients: { calories: 262.9, protein: 17, carbs: 1.5, fat: 21, saturatedFat: 14, sodium: 1000 } });
    const juice = await foods().findByBarcode('96385074');
    expect(juice).toMatchObject({ name: 'Elma Suyu', category: 'uncategorized', dietFlags: ['gluten_free'] });
    expect(juice).not.toHaveProperty('nutriScore');
  });

  it('is idempotent: the same file again changes nothing', async () => {
    const before = await t.nexfit.mongo.db.collection('foods').find({ source: /^off:/ }).sort({ _id: 1 }).toArray();
    const again = await importOpenFoodFacts(foods(), SAMPLE);
    expect({ inserted: again.inserted, updated: again.updated, unchanged: again.unchanged, rejectedCount: again.rejectedCount }).toEqual({ inserted: 0, updated: 0, unchanged: 3, rejectedCount: 8 });
    expect(await t.nexfit.mongo.db.collection('foods').find({ source: /^off:/ }).sort({ _id: 1 }).toArray()).toEqual(before);
  });

  it('updates the fields the export owns and keeps what curators added', async () => {
    const current = (await foods().findByBarcode('96385074'))!;
    await foods().patch(current.id, { tags: ['içecek'], isVerified: true, description: 'Soğuk sıkım' });
    const changed = JSON.stringify({ code: '96385074', product_name: 'Elma Suyu Berrak', brands: 'Bahçe', nutriscore_grade: 'c', nutriments: { 'energy-kcal_100g': 44, proteins_100g: 0.1, carbohydrates_100g: 10.5, sugars_100g: 10, fat_100g: 0.1 } });
    const report = await importOpenFoodFacts(foods(), ['', changed]);
    expect(report).toMatchObject({ lines: 1, updated: 1, inserted: 0 });
    expect(await foods().findByBarcode('96385074')).toMatchObject({
      name: 'Elma Suyu Berrak',
      nutriScore: 'c',
      dietFlags: [],
      nutrients: { calories: 44, carbs: 10.5 },
      tags: ['içecek'],
      isVerified: true,
      description: 'Soğuk sıkım',
    });
  });

  it('leaves a food of another source with the same barcode as it is', async () => {
    const own = await foods().create(createInputs.foods({ name: 'Ev yapımı yoğurt', barcode: '3017620422003', source: 'mutfak' }));
    const product = JSON.stringify({ code: '3017620422003', product_name: 'Fındık kreması', nutriments: { 'energy-kcal_100g': 539, proteins_100g: 6.3, carbohydrates_100g: 57.5, fat_100g: 30.9 } });
    expect(await importOpenFoodFacts(foods(), [product])).toMatchObject({ kept: 1, inserted: 0, updated: 0 });
    expect(await foods().getById(own.id)).toEqual(own);
  });

  it('lists at most the number of rejections asked for, and counts them all', async () => {
    const report = await importOpenFoodFacts(foods(), ['nope', '{}', '[]'], { maxReportedRejections: 1 });
    expect(report.rejectedCount).toBe(3);
    expect(report.rejected).toEqual([{ line: 1, reason: 'the line is not valid JSON' }]);
  });
});

describe('mapping one product', () => {
  it('refuses a product without nutriments and non-numeric values', () => {
    expect(mapOpenFoodFactsProduct({ code: '96385074', product_name: 'x' })).toEqual({ code: '96385074', reason: 'nutriments: missing' });
    expect(mapOpenFoodFactsProduct({ code: '96385074', product_name: 'x', nutriments: { 'energy-kcal_100g': 10, proteins_100g: 'çok', carbohydrates_100g: 1, fat_100g: 1 } })).toEqual({
      code: '96385074',
      reason: 'nutriments.proteins_100g: missing or not a number',
    });
  });
});

describe('barcodes in the catalogue', () => {
  it('are unique among the foods that have one, and a food may have none', async () => {
    await foods().create(createInputs.foods({ name: 'Barkodsuz 1' }));
    await foods().create(createInputs.foods({ name: 'Barkodsuz 2' }));
    await expect(foods().create(createInputs.foods({ name: 'İkinci yulaf', barcode: '8690000000012' }))).rejects.toBeInstanceOf(ConflictError);
  });

  it('are found through the catalogue service, and a malformed one is a validation error', async () => {
    expect((await t.nexfit.catalog.findFoodByBarcode('8690000000012')).name).toBe('Yulaf Ezmesi');
    await expect(t.nexfit.catalog.findFoodByBarcode('4006381333931')).rejects.toBeInstanceOf(NotFoundError);
    await expect(t.nexfit.catalog.findFoodByBarcode('8690000000013')).rejects.toBeInstanceOf(ValidationError);
  });

  it('filter a search by diet flag', async () => {
    const page = await t.nexfit.catalog.searchFoods({ dietFlags: ['vegan'] });
    expect(page.items.map((f) => f.barcode)).toEqual(['8690000000012']);
  });
});

describe('foods written before version 2', () => {
  it('read with empty diet flags and portions, and are stored whole as version 2 at their next write', async () => {
    const _id = new ObjectId();
    const at = new Date('2025-06-01T00:00:00Z');
    // Written as the version 1 layout stored foods: no package data, no portions.
    await t.nexfit.mongo.db.collection('foods').insertOne(
      { _id, schemaVersion: 1, version: 1, createdAt: at, updatedAt: at, name: 'Eski mercimek', category: 'legumes', searchName: 'eski mercimek', isVerified: true, tags: [], nutrients: { servingSize: 100, servingUnit: 'g', calories: 116, protein: 9, carbs: 20, fat: 0.4 } },
      { bypassDocumentValidation: true },
    );
    const food = await foods().getById(_id.toHexString());
    expect(food).toMatchObject({ schemaVersion: 2, dietFlags: [], portions: [], name: 'Eski mercimek' });
    await foods().patch(food.id, { brand: 'Ova' });
    const stored = await t.nexfit.mongo.db.collection('foods').findOne({ _id });
    expect(stored).toMatchObject({ schemaVersion: 2, dietFlags: [], portions: [], brand: 'Ova' });
  });
});
