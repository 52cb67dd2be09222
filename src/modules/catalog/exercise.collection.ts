import { ascendingIndex as asc, type MongoCollectionDefinition } from '../../stores/mongo/collections.js';
import { exerciseDerivedFields, storedExerciseSchema } from './exercise.schema.js';

/**
 * The `exercises` collection: the exercise catalogue, searchable by name and imported from outside catalogues.
 *
 * @example
 * ```ts
 * EXERCISES_COLLECTION.indexes.map((index) => index.name)
 * ```
 */
export const EXERCISES_COLLECTION = {
  name: 'exercises',
  storedSchema: storedExerciseSchema,
  schemaVersion: 1,
  derive: exerciseDerivedFields,
  hiddenFields: ['searchName'],
  indexes: [
    asc('metadata.bodyAreas'),
    asc('metadata.equipment'),
    asc('metadata.difficultyLevel'),
    asc('metadata.tags'),
    asc('searchName'),
    asc('createdBy'),
    // An imported exercise is found by its key in the outside catalogue; re-imports update it.
    { key: { source: 1, sourceId: 1 }, name: 'source_sourceId_unique', unique: true, partialFilterExpression: { sourceId: { $exists: true } } },
  ],
} as const satisfies MongoCollectionDefinition;
