import type { Db, Document } from 'mongodb';
import { z } from 'zod';
import type { Page, PageRequest } from '../../core/pagination.js';
import { labelSchema } from '../../core/schema-primitives.js';
import { createDocumentCodec } from '../../stores/mongo/document-codec.js';
import { MongoRepository, type RepositoryDeps } from '../../stores/mongo/mongo-repository.js';
import { searchNamePrefix } from '../../stores/mongo/search-prefix.js';
import type { StoreContext } from '../../stores/store-context.js';
import { createExerciseInputSchema, exerciseMetadataSchema, exerciseSchema, patchExerciseInputSchema, type Exercise } from './exercise.schema.js';
import { EXERCISES_COLLECTION } from './exercise.collection.js';

const definition = EXERCISES_COLLECTION;
const metadata = exerciseMetadataSchema.shape;
const userIdSchema = exerciseSchema.shape.createdBy.unwrap();

/**
 * What a catalogue search may filter on; every filter is optional and they combine with AND.
 * `tags` match when the exercise has all of them; `text` is a prefix of the name, folded
 * (case, Turkish letters, diacritics) as the stored `searchName` is.
 */
export const exerciseSearchSchema = z.strictObject({
  bodyArea: metadata.bodyAreas.element.optional(),
  equipment: labelSchema.optional(),
  type: metadata.type.optional(),
  difficulty: metadata.difficultyLevel.optional(),
  tags: z.array(labelSchema).min(1).max(10).optional(),
  text: z.string().max(200).optional(),
  /** Only the exercises of this author. */
  createdBy: userIdSchema.optional(),
  /** Also the private exercises of this user; without it, public exercises only. */
  visibleTo: userIdSchema.optional(),
});
/** Search criteria, typed as parsed: ids carry their brand, enums their value sets. */
export type ExerciseSearchCriteria = z.output<typeof exerciseSearchSchema>;

/**
 * The exercise catalogue (`exercises`). Searches are built only from indexed fields (body
 * area, equipment, difficulty, tags, the folded `searchName`, author) and honour visibility:
 * an exercise is seen when it is public or when the viewer created it.
 *
 * @example
 * ```ts
 * const exercises = new ExerciseRepository(db, deps)
 * const page = await exercises.search({ bodyArea: 'chest', text: 'şın', visibleTo: userId }, { limit: 20 })
 * ```
 */
export class ExerciseRepository extends MongoRepository<Exercise, typeof createExerciseInputSchema, typeof patchExerciseInputSchema> {
  constructor(db: Db, deps: RepositoryDeps) {
    super(
      db,
      {
        entity: 'exercise',
        collection: definition.name,
        schemaVersion: definition.schemaVersion,
        cached: true,
        entitySchema: exerciseSchema,
        idSchema: exerciseSchema.shape.id,
        createSchema: createExerciseInputSchema,
        patchSchema: patchExerciseInputSchema,
        codec: createDocumentCodec<Exercise>(definition.storedSchema),
        derive: definition.derive,
        hiddenFields: definition.hiddenFields,
      },
      deps,
    );
  }

  /** The exercises matching every given filter and visible to `visibleTo`, in catalogue order. */
  async search(criteria: ExerciseSearchCriteria = {}, page?: PageRequest, ctx?: StoreContext): Promise<Page<Exercise>> {
    const c = this.parse(exerciseSearchSchema, criteria);
    const filter: Document = {};
    if (c.bodyArea !== undefined) filter['metadata.bodyAreas'] = c.bodyArea;
    if (c.equipment !== undefined) filter['metadata.equipment'] = c.equipment;
    if (c.type !== undefined) filter['metadata.type'] = c.type;
    if (c.difficulty !== undefined) filter['metadata.difficultyLevel'] = c.difficulty;
    if (c.tags !== undefined) filter['metadata.tags'] = { $all: c.tags };
    const prefix = c.text === undefined ? undefined : searchNamePrefix(c.text);
    if (prefix) filter['searchName'] = prefix;
    if (c.createdBy !== undefined) filter['createdBy'] = this.config.codec.toStoredValue('createdBy', c.createdBy);
    if (c.visibleTo === undefined) filter['isPublic'] = true;
    else filter['$or'] = [{ isPublic: true }, { createdBy: this.config.codec.toStoredValue('createdBy', c.visibleTo) }];
    return this.pageWhere('search', filter, [], page, ctx);
  }

  /**
   * The exercises imported from `source` under these keys (index `source + sourceId`), in
   * no particular order; keys with no exercise are left out. At most 500 keys per call.
   */
  async findBySourceIds(source: string, sourceIds: readonly string[], ctx?: StoreContext): Promise<Exercise[]> {
    return this.run('findBySourceIds', async () => {
      const s = this.parse(exerciseSchema.shape.source.unwrap(), source);
      const ids = this.parse(z.array(exerciseSchema.shape.sourceId.unwrap()).max(500), sourceIds);
      if (ids.length === 0) return [];
      // `$exists` states the partial index's condition, so MongoDB's planner can choose it.
      return this.findAllWhere({ source: s, sourceId: { $exists: true, $in: ids } }, ctx);
    });
  }
}
