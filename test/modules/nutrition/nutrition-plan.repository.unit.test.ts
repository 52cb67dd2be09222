import { describe, expectTypeOf, it } from 'vitest';
import type { FacilityId, NutritionPlanId, UserId } from '../../../src/core/ids.js';
import type { Page } from '../../../src/core/pagination.js';
import type { NutritionPlanRepository } from '../../../src/modules/nutrition/nutrition-plan.repository.js';
import type { NutritionPlan } from '../../../src/modules/nutrition/nutrition-plan.schema.js';

const plans = {} as unknown as NutritionPlanRepository;
const userId = {} as unknown as UserId;
const planId = {} as unknown as NutritionPlanId;
const facilityId = {} as unknown as FacilityId;

describe('NutritionPlanRepository types', () => {
  it('returns typed plans', () => {
    expectTypeOf(plans.listByAuthor).returns.resolves.toEqualTypeOf<Page<NutritionPlan>>();
    expectTypeOf(plans.listForUser).returns.resolves.toEqualTypeOf<Page<NutritionPlan>>();
    expectTypeOf<NutritionPlan['forUserId']>().toEqualTypeOf<UserId | undefined>();
  });

  it('refuses a wrong field, a wrong unit and another entity’s id at compile time', () => {
    const compileOnly = () => {
      // @ts-expect-error a FacilityId is not a UserId
      void plans.listForUser(facilityId);
      // @ts-expect-error a NutritionPlanId is not a UserId
      void plans.listByAuthor(planId);
      // @ts-expect-error the author never changes
      void plans.patch(planId, { createdBy: userId });
      // @ts-expect-error `bucket` is not a serving unit
      void plans.patch(planId, { meals: [{ name: 'x', time: '08:00', foods: [{ foodId: 'f', quantity: 1, unit: 'bucket', calories: 1, protein: 1, carbs: 1, fat: 1 }] }] });
    };
    expectTypeOf(compileOnly).toBeFunction();
  });
});
