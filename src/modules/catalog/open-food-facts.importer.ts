import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { LIMITS } from '../../core/schema-primitives.js';
import { roundTo } from '../../core/rounding.js';
import type { StoreContext } from '../../stores/store-context.js';
import { isValidFoodBarcode } from './food-barcode.js';
import type { FoodRepository } from './food.repository.js';
import { createFoodInputSchema, type CreateFoodInput, type DietFlag, type Food, type FoodPortion, type NutriScoreGrade, type PatchFoodInput } from './food.schema.js';

/** The prefix of the `source` of every food this importer writes: `off:<barcode>`. */
export const OPEN_FOOD_FACTS_SOURCE_PREFIX = 'off:';

/** The category of an imported product without an English category tag. */
export const OPEN_FOOD_FACTS_DEFAULT_CATEGORY = 'uncategorized';

/**
 * Open Food Facts label tags onto our diet flags. A vegan product is vegetarian too, so
 * `en:vegan` sets both.
 */
export const OPEN_FOOD_FACTS_DIET_LABELS: Readonly<Record<string, readonly DietFlag[]>> = {
  'en:vegan': ['vegan', 'vegetarian'],
  'en:vegetarian': ['vegetarian'],
  'en:gluten-free': ['gluten_free'],
  'en:no-gluten': ['gluten_free'],
  'en:lactose-free': ['lactose_free'],
  'en:no-lactose': ['lactose_free'],
  'en:halal': ['halal'],
  'en:kosher': ['kosher'],
  'en:organic': ['organic'],
  'en:eu-organic': ['organic'],
  'en:palm-oil-free': ['palm_oil_free'],
  'en:no-palm-oil': ['palm_oil_free'],
};

/** Milligrams of sodium in a gram of salt (salt = sodium × 2.5, as EU labels compute it). */
const SODIUM_MG_PER_SALT_G = 400;
const KJ_PER_KCAL = 4.184;

/** One rejected line of an import: where, which product (when it could be read), and why. */
export interface OpenFoodFactsRejection {
  /** 1-based line number in the file. */
  readonly line: number;
  readonly code?: string;
  /** In English: the field and what is wrong with it. */
  readonly reason: string;
}

/** Progress of an import, reported after every batch. */
export interface OpenFoodFactsImportProgress {
  readonly lines: number;
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly kept: number;
  readonly rejected: number;
}

/** Options of {@link importOpenFoodFacts}. */
export interface OpenFoodFactsImportOptions {
  /** Products looked up and written per batch (default 200, at most 500). */
  readonly batchSize?: number;
  /** At most this many rejections are listed in the result (default 1 000); all are counted. */
  readonly maxReportedRejections?: number;
  /** Called after each batch. */
  readonly onProgress?: (progress: OpenFoodFactsImportProgress) => void;
  readonly ctx?: StoreContext;
}

/** What an import did. */
export interface OpenFoodFactsImportResult {
  /** Non-empty lines read. */
  readonly lines: number;
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
  /** Products whose barcode belongs to a food from another source, left as it is. */
  readonly kept: number;
  /** How many lines were rejected. */
  readonly rejectedCount: number;
  /** The first `maxReportedRejections` rejected lines, in file order. */
  readonly rejected: readonly OpenFoodFactsRejection[];
}

/** The repository methods an import uses. */
export type OpenFoodFactsTarget = Pick<FoodRepository, 'findManyByBarcodes' | 'create' | 'patch'>;

/** A product mapped onto our food fields, or why it cannot be. */
export type OpenFoodFactsMapping = { readonly food: CreateFoodInput } | { readonly reason: string; readonly code?: string };

/**
 * Maps one product of the Open Food Facts JSON lines export onto a food, applying the
 * sanity checks wger applies before importing one:
 * - `code` must be an EAN-8, UPC-A or EAN-13 with a valid check digit (the food's `barcode`;
 *   `source` is `off:<code>`);
 * - `product_name` must be non-empty (cut to 200 characters); the first of `brands` is the brand;
 * - `nutriments` per 100 g: `energy-kcal_100g` (or `energy_100g` in kJ), `proteins_100g`,
 *   `carbohydrates_100g` and `fat_100g` are required; `saturated-fat_100g`, `sugars_100g`,
 *   `fiber_100g` and `salt_100g` (as sodium, 400 mg per g of salt) are taken when present.
 *   Numbers may be given as numeric strings, as the export sometimes does;
 * - every food check of the catalogue then applies (saturated fat within fat, sugars
 *   within carbohydrates, nothing above 100 g per 100 g, energy roughly that of the macros);
 * - `nutriscore_grade` a–e, `labels_tags` through {@link OPEN_FOOD_FACTS_DIET_LABELS}, the
 *   first English `categories_tags` entry as the category, and `serving_quantity` grams
 *   (named by `serving_size`) as a household portion.
 *
 * @example
 * ```ts
 * mapOpenFoodFactsProduct({ code: '4006381333931', product_name: 'Yulaf', nutriments: { 'energy-kcal_100g': 370, proteins_100g: 13, carbohydrates_100g: 59, fat_100g: 7 } })
 * // { food: { name: 'Yulaf', barcode: '4006381333931', source: 'off:4006381333931', nutrients: { servingSize: 100, servingUnit: 'g', calories: 370, ... }, ... } }
 * ```
 */
export function mapOpenFoodFactsProduct(product: unknown): OpenFoodFactsMapping {
  if (product === null || typeof product !== 'object' || Array.isArray(product)) return { reason: 'the line is not a JSON object' };
  const p = product as Record<string, unknown>;
  const code = typeof p['code'] === 'string' ? p['code'].trim() : typeof p['code'] === 'number' ? String(p['code']) : undefined;
  if (code === undefined || !isValidFoodBarcode(code)) return { reason: 'code: not an EAN-8, UPC-A or EAN-13 barcode with a valid check digit', ...(code ? { code: code.slice(0, 32) } : {}) };
  const name = typeof p['product_name'] === 'string' ? p['product_name'].trim().slice(0, LIMITS.name).trim() : '';
  if (name === '') return { code, reason: 'product_name: missing or empty' };
  const nutriments = p['nutriments'];
  if (nutriments === null || typeof nutriments !== 'object' || Array.isArray(nutriments)) return { code, reason: 'nutriments: missing' };
  const n = nutriments as Record<string, unknown>;

  const required = { proteins_100g: 'protein', carbohydrates_100g: 'carbs', fat_100g: 'fat' } as const;
  const values: Record<string, number> = {};
  for (const [field, key] of Object.entries(required)) {
    const value = numberOf(n[field]);
    if (value === undefined) return { code, reason: `nutriments.${field}: missing or not a number` };
    values[key] = value;
  }
  const kcal = numberOf(n['energy-kcal_100g']);
  const kj = numberOf(n['energy_100g']);
  const calories = kcal ?? (kj === undefined ? undefined : roundTo(kj / KJ_PER_KCAL, 1));
  if (calories === undefined) return { code, reason: 'nutriments.energy-kcal_100g: missing or not a number' };
  const optional = { 'saturated-fat_100g': 'saturatedFat', sugars_100g: 'sugar', fiber_100g: 'fiber' } as const;
  for (const [field, key] of Object.entries(optional)) {
    if (n[field] === undefined || n[field] === null || n[field] === '') continue;
    const value = numberOf(n[field]);
    if (value === undefined) return { code, reason: `nutriments.${field}: not a number` };
    values[key] = value;
  }
  const salt = n['salt_100g'] === undefined || n['salt_100g'] === null || n['salt_100g'] === '' ? undefined : numberOf(n['salt_100g']);
  if (n['salt_100g'] !== undefined && n['salt_100g'] !== null && n['salt_100g'] !== '' && salt === undefined) return { code, reason: 'nutriments.salt_100g: not a number' };

  const brand = typeof p['brands'] === 'string' ? p['brands'].split(',')[0]!.trim().slice(0, LIMITS.name).trim() : '';
  const grade = typeof p['nutriscore_grade'] === 'string' ? p['nutriscore_grade'].trim().toLowerCase() : '';
  const labels = Array.isArray(p['labels_tags']) ? p['labels_tags'].filter((t): t is string => typeof t === 'string') : [];
  const dietFlags = [...new Set(labels.flatMap((tag) => OPEN_FOOD_FACTS_DIET_LABELS[tag] ?? []))].sort();
  const categories = Array.isArray(p['categories_tags']) ? p['categories_tags'].filter((t): t is string => typeof t === 'string' && t.startsWith('en:')) : [];
  const category = (categories[0]?.slice(3).trim().slice(0, LIMITS.label) || OPEN_FOOD_FACTS_DEFAULT_CATEGORY).trim();
  const servingGrams = numberOf(p['serving_quantity']);
  const servingName = typeof p['serving_size'] === 'string' && p['serving_size'].trim() !== '' ? p['serving_size'].trim().slice(0, LIMITS.label).trim() : '1 serving';
  const portions: FoodPortion[] = servingGrams !== undefined && servingGrams > 0 && servingGrams <= 10_000 ? [{ name: servingName, grams: servingGrams }] : [];

  const food: CreateFoodInput = {
    name,
    category,
    barcode: code,
    ...(brand ? { brand } : {}),
    ...(isNutriScore(grade) ? { nutriScore: grade } : {}),
    dietFlags,
    portions,
    nutrients: {
      servingSize: 100,
      servingUnit: 'g',
      calories,
      protein: values['protein']!,
      carbs: values['carbs']!,
      fat: values['fat']!,
      ...(values['fiber'] === undefined ? {} : { fiber: values['fiber'] }),
      ...(values['sugar'] === undefined ? {} : { sugar: values['sugar'] }),
      ...(values['saturatedFat'] === undefined ? {} : { saturatedFat: values['saturatedFat'] }),
      ...(salt === undefined ? {} : { sodium: roundTo(salt * SODIUM_MG_PER_SALT_G, 1) }),
    },
    isVerified: false,
    source: `${OPEN_FOOD_FACTS_SOURCE_PREFIX}${code}`,
    tags: [],
  };
  const checked = createFoodInputSchema.safeParse(food);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    return { code, reason: `${issue.path.map(String).join('.') || 'product'}: ${issue.message}` };
  }
  return { food };
}

function numberOf(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : undefined;
  return n !== undefined && Number.isFinite(n) ? n : undefined;
}

function isNutriScore(grade: string): grade is NutriScoreGrade {
  return ['a', 'b', 'c', 'd', 'e'].includes(grade);
}

/** The fields an import owns: what it writes, and compares to tell "unchanged". */
function importedFieldsOf(food: CreateFoodInput | Food) {
  return {
    name: food.name,
    category: food.category,
    brand: food.brand,
    nutriScore: food.nutriScore,
    dietFlags: [...(food.dietFlags ?? [])].sort(),
    portions: food.portions ?? [],
    nutrients: { ...food.nutrients },
  };
}

const sameImportedFields = (current: Food, next: CreateFoodInput) => JSON.stringify(sortedKeys(importedFieldsOf(current))) === JSON.stringify(sortedKeys(importedFieldsOf(next)));

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, sortedKeys(v)]));
  return value;
}

function patchOf(next: CreateFoodInput): PatchFoodInput {
  return {
    name: next.name,
    category: next.category,
    brand: next.brand ?? null,
    nutriScore: next.nutriScore ?? null,
    dietFlags: next.dietFlags ?? [],
    portions: next.portions ?? [],
    nutrients: next.nutrients,
  };
}

/** The lines of a file, read as a stream. */
async function* linesOfFile(file: string): AsyncIterable<string> {
  const lines = createInterface({ input: createReadStream(resolve(file), { encoding: 'utf8' }), crlfDelay: Infinity });
  try {
    yield* lines;
  } finally {
    lines.close();
  }
}

/**
 * Imports products of the Open Food Facts JSON lines export (one product per line, as in
 * `openfoodfacts-products.jsonl`) into the food catalogue, streaming: lines are read one
 * by one and written in batches, so a file of millions of products never sits in memory.
 *
 * Idempotent, keyed by barcode: a product whose barcode is new is created (as a platform
 * food, unverified, `source: 'off:<code>'`); one already imported is updated only when the
 * fields the export owns (name, category, brand, Nutri-Score, diet flags, portions,
 * nutrients) differ, and otherwise counted unchanged; what curators added (description,
 * image, tags, verification) is kept. A food with that barcode from another source
 * (entered by hand, another table) is left as it is and counted as `kept`. A product that
 * fails {@link mapOpenFoodFactsProduct}'s checks, or a line that is not JSON, is rejected
 * with its line number and reason, and the import goes on.
 *
 * `source` is a file path or any iterable of lines.
 *
 * @example
 * ```ts
 * const report = await importOpenFoodFacts(nexfit.repositories.foods, 'openfoodfacts-products.jsonl')
 * for (const r of report.rejected) console.log(`line ${r.line}: ${r.reason}`)
 * ```
 */
export async function importOpenFoodFacts(
  target: OpenFoodFactsTarget,
  source: string | AsyncIterable<string> | Iterable<string>,
  options: OpenFoodFactsImportOptions = {},
): Promise<OpenFoodFactsImportResult> {
  const batchSize = Math.min(500, Math.max(1, Math.floor(options.batchSize ?? 200)));
  const maxReported = Math.max(0, Math.floor(options.maxReportedRejections ?? 1_000));
  const counts = { lines: 0, inserted: 0, updated: 0, unchanged: 0, kept: 0, rejected: 0 };
  const rejected: OpenFoodFactsRejection[] = [];
  const reject = (rejection: OpenFoodFactsRejection) => {
    counts.rejected++;
    if (rejected.length < maxReported) rejected.push(rejection);
  };

  let batch: { line: number; food: CreateFoodInput }[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const existing = await target.findManyByBarcodes([...new Set(batch.map((b) => b.food.barcode!))], options.ctx);
    const byBarcode = new Map(existing.map((food) => [food.barcode!, food]));
    for (const { food } of batch) {
      const current = byBarcode.get(food.barcode!);
      if (!current) {
        byBarcode.set(food.barcode!, await target.create(food, options.ctx));
        counts.inserted++;
      } else if (current.source !== food.source) {
        counts.kept++;
      } else if (sameImportedFields(current, food)) {
        counts.unchanged++;
      } else {
        byBarcode.set(food.barcode!, await target.patch(current.id, patchOf(food), { expectedVersion: current.version }, options.ctx));
        counts.updated++;
      }
    }
    batch = [];
    options.onProgress?.({ ...counts });
  };

  let lineNumber = 0;
  for await (const raw of typeof source === 'string' ? linesOfFile(source) : source) {
    lineNumber++;
    const text = raw.trim();
    if (text === '') continue;
    counts.lines++;
    let product: unknown;
    try {
      product = JSON.parse(text);
    } catch {
      reject({ line: lineNumber, reason: 'the line is not valid JSON' });
      continue;
    }
    const mapped = mapOpenFoodFactsProduct(product);
    if ('reason' in mapped) {
      reject({ line: lineNumber, ...(mapped.code === undefined ? {} : { code: mapped.code }), reason: mapped.reason });
      continue;
    }
    batch.push({ line: lineNumber, food: mapped.food });
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  const { rejected: rejectedCount, ...rest } = counts;
  return { ...rest, rejectedCount, rejected };
}
