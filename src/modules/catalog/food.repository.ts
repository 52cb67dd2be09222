import type { Db, Document } from 'mongodb';
import { z } from 'zod';
import type { Page, PageRequest } from '../../core/pagination.js';
import { labelSchema } from '../../core/schema-primitives.js';
import { createDocumentCodec } from '../../stores/mongo/document-codec.js';
import { MongoRepository, type RepositoryDeps } from '../../stores/mongo/mongo-repository.js';
import { searchNamePrefix } from '../../stores/mongo/search-prefix.js';
import type { StoreContext } from '../../stores/store-context.js';
import { createFoodInputSchema, foodSchema, patchFoodInputSchema, type Food } from './food.schema.js';
import { FOODS_COLLECTION } from './food.collection.js';

const definition = FOODS_COLLECTION;

/**
 * What a food search may filter on, combined with AND: a name prefix folded as the stored
 * `searchName` is, a category, and tags the food must all have.
 */
export const foodSearchSchema = z.strictObject({
  text: z.string().max(200).optional(),
  category: foodSchema.shape.category.optional(),
  tags: z.array(labelSchema).min(1).max(10).optional(),
});
/** Search criteria, typed as parsed: ids carry their brand, enums their value sets. */
export type FoodSearchCriteria = z.output<typeof foodSearchSchema>;

/**
 * The food catalogue (`foods`), searched through its indexes (`searchName`, `category`,
 * `tags`).
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
    return this.pageWhere('search', filter, [], page, ctx);
  }
}
