import type { Db } from 'mongodb';
import type { UserId } from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { createDocumentCodec } from '../../stores/mongo/document-codec.js';
import { MongoRepository, type RepositoryDeps } from '../../stores/mongo/mongo-repository.js';
import type { StoreContext } from '../../stores/store-context.js';
import { createNutritionPlanInputSchema, nutritionPlanSchema, patchNutritionPlanInputSchema, type NutritionPlan } from './nutrition-plan.schema.js';
import { NUTRITION_PLANS_COLLECTION } from './nutrition-plan.collection.js';

const definition = NUTRITION_PLANS_COLLECTION;
const userIdSchema = nutritionPlanSchema.shape.createdBy;

/**
 * The `nutrition_plans` collection: CRUD, the plans an author wrote and the plans written for
 * a client, newest first (indexes `createdBy` and `forUserId`).
 *
 * @example
 * ```ts
 * const plans = new NutritionPlanRepository(db, deps)
 * const forMe = await plans.listForUser(clientId, { limit: 10 })
 * ```
 */
export class NutritionPlanRepository extends MongoRepository<NutritionPlan, typeof createNutritionPlanInputSchema, typeof patchNutritionPlanInputSchema> {
  constructor(db: Db, deps: RepositoryDeps) {
    super(
      db,
      {
        entity: 'nutrition plan',
        collection: definition.name,
        schemaVersion: definition.schemaVersion,
        entitySchema: nutritionPlanSchema,
        idSchema: nutritionPlanSchema.shape.id,
        createSchema: createNutritionPlanInputSchema,
        patchSchema: patchNutritionPlanInputSchema,
        codec: createDocumentCodec<NutritionPlan>(definition.storedSchema),
      },
      deps,
    );
  }

  /** The plans `createdBy` wrote, newest first. */
  async listByAuthor(createdBy: UserId, page?: PageRequest, ctx?: StoreContext): Promise<Page<NutritionPlan>> {
    const author = this.config.codec.toStoredValue('createdBy', this.parse(userIdSchema, createdBy));
    return this.pageWhere('listByAuthor', { createdBy: author }, [['_id', -1]], page, ctx);
  }

  /** The plans written for the client `forUserId`, newest first. */
  async listForUser(forUserId: UserId, page?: PageRequest, ctx?: StoreContext): Promise<Page<NutritionPlan>> {
    const client = this.config.codec.toStoredValue('forUserId', this.parse(userIdSchema, forUserId));
    return this.pageWhere('listForUser', { forUserId: client }, [['_id', -1]], page, ctx);
  }
}
