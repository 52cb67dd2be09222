import type { PersonalDataContributor, PersonalDataDeclaration } from '../personal-data.js';
import { EXERCISES_COLLECTION } from './exercise.collection.js';
import { FOODS_COLLECTION } from './food.collection.js';

const SHARED_CATALOGUE =
  'Exercises and foods a user adds are catalogue entries that templates, programs and plans (also of other users) refer to: they stay in the catalogue with their author id.';

/** The catalogue module's user-linked data: the author id of the exercises and foods a user added. */
export const CATALOG_PERSONAL_DATA = {
  module: 'catalog',
  holds: [
    { store: 'mongo', name: EXERCISES_COLLECTION.name, untouched: SHARED_CATALOGUE },
    { store: 'mongo', name: FOODS_COLLECTION.name, untouched: SHARED_CATALOGUE },
  ],
} as const satisfies PersonalDataDeclaration;

/**
 * The catalogue module's part in export and erasure: none, by declaration (see
 * {@link CATALOG_PERSONAL_DATA} for why its user-linked records stay as they are).
 *
 * @example
 * ```ts
 * const contributor = catalogPersonalData();
 * ```
 */
export function catalogPersonalData(): PersonalDataContributor {
  return { ...CATALOG_PERSONAL_DATA };
}
