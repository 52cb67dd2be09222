import { describe, expectTypeOf, it } from 'vitest';
import type { FacilityId } from '../../../src/core/ids.js';
import type { Page } from '../../../src/core/pagination.js';
import type { ExerciseRepository } from '../../../src/modules/catalog/exercise.repository.js';
import type { Exercise } from '../../../src/modules/catalog/exercise.schema.js';
import type { FoodRepository } from '../../../src/modules/catalog/food.repository.js';
import type { Food } from '../../../src/modules/catalog/food.schema.js';

const exercises = {} as unknown as ExerciseRepository;
const foods = {} as unknown as FoodRepository;
const facilityId = {} as unknown as FacilityId;

describe('catalogue repository types', () => {
  it('returns typed entities without the stored search key', () => {
    expectTypeOf(exercises.search).returns.resolves.toEqualTypeOf<Page<Exercise>>();
    expectTypeOf(foods.search).returns.resolves.toEqualTypeOf<Page<Food>>();
    expectTypeOf(exercises.findManyByIds).returns.resolves.toEqualTypeOf<Exercise[]>();
    expectTypeOf<Exercise>().not.toHaveProperty('searchName');
    expectTypeOf<Food>().not.toHaveProperty('searchName');
  });

  it('refuses a wrong filter, a wrong enum value and another entity’s id at compile time', () => {
    const compileOnly = () => {
      // @ts-expect-error `wings` is not a body area
      void exercises.search({ bodyArea: 'wings' });
      // @ts-expect-error `expert` is not a difficulty level
      void exercises.search({ difficulty: 'expert' });
      // @ts-expect-error `isPublic` is not a search filter: visibility comes from `visibleTo`
      void exercises.search({ isPublic: false });
      // @ts-expect-error a FacilityId is not a UserId
      void exercises.search({ visibleTo: facilityId });
      // @ts-expect-error a FacilityId is not a UserId
      void exercises.search({ createdBy: facilityId });
      // @ts-expect-error `calories` is not a food filter
      void foods.search({ calories: 100 });
    };
    expectTypeOf(compileOnly).toBeFunction();
  });
});
