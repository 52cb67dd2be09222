import type { Db, Document } from 'mongodb';
import { z } from 'zod';
import type { Page, PageRequest } from '../../core/pagination.js';
import { labelSchema } from '../../core/schema-primitives.js';
import { createDocumentCodec } from '../../stores/mongo/document-codec.js';
import { upgradeOnRead } from '../../stores/mongo/document-migrations/upgrade-on-read.js';
import { MongoRepository, type RepositoryDeps } from '../../stores/mongo/mongo-repository.js';
import { searchNamePrefix } from '../../stores/mongo/search-prefix.js';
import type { StoreContext } from '../../stores/store-context.js';
import { foodBarcodeSchema } from './food-barcode.js';
import { FOODS_COLLECTION } from './food.collection.js';
import { FOOD_DOCUMENT_MIGRATIONS } from './food.migrations.js';
import { DIET_FLAGS, createFoodInputSchema, foodSchema, patchFoodInputSchema, type Food } from './food.schema.js';

const definition = FOODS_COLLECTION;

/**
 * What a food search may filter on, combined with AND: a name prefix folded as the stored
 * `searchName` is, a category, tags and diet flags the food must all have.
 */
export const foodSearchSchema = z.strictObject({
  text: z.string().max(200).optional(),
  category: foodSchema.shape.category.optional(),
  tags: z.array(labelSchema).min(1).max(10).optional(),
  dietFlags: z.array(z.enum(DIET_FLAGS)).min(1).max(DIET_FLAGS.length).optional(),
});
/** Search criteria, typed as parsed: ids carry their brand, enums their value sets. */
export type FoodSearchCriteria = z.output<typeof foodSearchSchema>;

/**
 * The food catalogue (`foods`), searched through its indexes (`searchName`, `category`,
 * `tags`, `dietFlags`) and found by barcode (`barcode_unique`). Version 1 documents are read
 * as version 2 through the collection's document migrations.
 *
 * @example
 * ```ts
 * const foods = new FoodRepository(db, deps)
 * const page = await foods.search({ text: 'yulaf', category: 'grains' })
 * ```
 */
export class FoodRepository extends MongoRepository<Food, typeof createFoodInputSchema, typeof patchFoodInputSchema> {
  constructor(db: Db, deps: RepositoryDeps) {
    super(
      db,
      {
        entity: 'food',
        collection: definition.name,
        schemaVersion: definition.schemaVersion,
        cached: true,
        entitySchema: foodSchema,
        idSchema: foodSchema.shape.id,
        createSchema: createFoodInputSchema,
        patchSchema: patchFoodInputSchema,
        codec: createDocumentCodec<Food>(definition.storedSchema),
        derive: definition.derive,
        hiddenFields: definition.hiddenFields,
        upgrade: upgradeOnRead(definition.name, FOOD_DOCUMENT_MIGRATIONS),
      },
      deps,
    );
  }

  /** The foods matching every given filter, in catalogue order. */
  async search(criteria: FoodSearchCriteria = {}, page?: PageRequest, ctx?: StoreContext): Promise<Page<Food>> {
    const c = this.parse(foodSearchSchema, criteria);
    const filter: Document = {};
    const prefix = c.text === undefined ? undefined : searchNamePrefix(c.text);
    if (prefix) filter['searchName'] = prefix;
    if (c.category !== undefined) filter['category'] = c.category;
    if (c.tags !== undefined) filter['tags'] = { $all: c.tags };
    if (c.dietFlags !== undefined) filter['dietFlags'] = { $all: c.dietFlags };
    return this.pageWhere('search', filter, [], page, ctx);
  }

  /** The food with this barcode (EAN-8, UPC-A or EAN-13, check digit validated), or `null`. */
  async findByBarcode(barcode: string, ctx?: StoreContext): Promise<Food | null> {
    return this.run('findByBarcode', async () => this.findOneWhere({ barcode: this.parse(foodBarcodeSchema, barcode) }, ctx));
  }

  /** The foods with these barcodes (at most 500), in no particular order; barcodes with no food are left out. */
  async findManyByBarcodes(barcodes: readonly string[], ctx?: StoreContext): Promise<Food[]> {
    return this.run('findManyByBarcodes', async () => {
      const valid = this.parse(z.array(foodBarcodeSchema).max(500), barcodes);
      return valid.length === 0 ? [] : this.findAllWhere({ barcode: { $in: [...new Set(valid)] } }, ctx);
    });
  }
}
