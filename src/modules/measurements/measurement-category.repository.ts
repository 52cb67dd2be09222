import type { Db } from 'mongodb';
import type { UserId } from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { createDocumentCodec } from '../../stores/mongo/document-codec.js';
import { MongoRepository, type RepositoryDeps } from '../../stores/mongo/mongo-repository.js';
import type { StoreContext } from '../../stores/store-context.js';
import { MEASUREMENT_CATEGORIES_COLLECTION } from './measurement-category.collection.js';
import {
  createMeasurementCategoryInputSchema,
  measurementCategoryNameKey,
  measurementCategorySchema,
  patchMeasurementCategoryInputSchema,
  type MeasurementCategory,
} from './measurement-category.schema.js';

const definition = MEASUREMENT_CATEGORIES_COLLECTION;
const userIdSchema = measurementCategorySchema.shape.userId;
const nameSchema = measurementCategorySchema.shape.name;

/**
 * The `measurement_categories` collection: CRUD, a user's categories by name, and the
 * category of a name (ignoring case) — on the unique `userId + nameKey` index.
 *
 * @example
 * ```ts
 * const categories = new MeasurementCategoryRepository(db, deps)
 * await categories.create({ userId, name: 'Neck', unit: 'cm' })
 * const neck = await categories.findByUserAndName(userId, 'NECK')
 * ```
 */
export class MeasurementCategoryRepository extends MongoRepository<MeasurementCategory, typeof createMeasurementCategoryInputSchema, typeof patchMeasurementCategoryInputSchema> {
  constructor(db: Db, deps: RepositoryDeps) {
    super(
      db,
      {
        entity: 'measurement category',
        collection: definition.name,
        schemaVersion: definition.schemaVersion,
        entitySchema: measurementCategorySchema,
        idSchema: measurementCategorySchema.shape.id,
        createSchema: createMeasurementCategoryInputSchema,
        patchSchema: patchMeasurementCategoryInputSchema,
        codec: createDocumentCodec<MeasurementCategory>(definition.storedSchema),
        derive: definition.derive,
        hiddenFields: definition.hiddenFields,
      },
      deps,
    );
  }

  /** The user's category of `name`, compared ignoring case, or `null`. */
  async findByUserAndName(userId: UserId, name: string, ctx?: StoreContext): Promise<MeasurementCategory | null> {
    return this.run('findByUserAndName', async () =>
      this.findOneWhere({ userId: this.#user(userId), nameKey: measurementCategoryNameKey(this.parse(nameSchema, name)) }, ctx),
    );
  }

  /** The user's categories in the order they were defined. */
  async listByUser(userId: UserId, page?: PageRequest, ctx?: StoreContext): Promise<Page<MeasurementCategory>> {
    return this.pageWhere('listByUser', { userId: this.#user(userId) }, [['_id', 1]], page, ctx);
  }

  #user(userId: unknown) {
    return this.config.codec.toStoredValue('userId', this.parse(userIdSchema, userId));
  }
}
