import type { JsonObject } from 'type-fest';
import { auditSnapshot } from '../audit/audit-trail.js';
import { allItems, everyItem, type PersonalDataContributor, type PersonalDataDeclaration } from '../personal-data.js';
import { NUTRITION_PLANS_COLLECTION } from './nutrition-plan.collection.js';
import type { NutritionPlanRepository } from './nutrition-plan.repository.js';

/** The nutrition module's user-linked data: plans written for the user and plans the user wrote. */
export const NUTRITION_PLAN_PERSONAL_DATA = {
  module: 'nutrition',
  holds: [{ store: 'mongo', name: NUTRITION_PLANS_COLLECTION.name }],
} as const satisfies PersonalDataDeclaration;

/**
 * The nutrition module's part in export and erasure: plans written for the user (by anyone)
 * and plans the user wrote are exported. Erasure deletes the plans for the user and the
 * private plans the user wrote for themself; a plan the user wrote for another client is
 * that client's, and a published one everyone's, so those stay.
 *
 * @example
 * ```ts
 * const contributor = nutritionPlanPersonalData(nutritionModule.repository);
 * ```
 */
export function nutritionPlanPersonalData(plans: NutritionPlanRepository): PersonalDataContributor {
  return {
    ...NUTRITION_PLAN_PERSONAL_DATA,
    async export(userId) {
      const nutrition = new Map<string, JsonObject>();
      for await (const plan of everyItem((p) => plans.listForUser(userId, p))) nutrition.set(plan.id, auditSnapshot(plan));
      for await (const plan of everyItem((p) => plans.listByAuthor(userId, p))) nutrition.set(plan.id, auditSnapshot(plan));
      return { nutritionPlans: [...nutrition.values()] };
    },
    async erase(userId, { uow, subjectIds }) {
      const ctx = uow.ctx;
      const erasable = new Map((await allItems((p) => plans.listForUser(userId, p, ctx))).map((plan) => [plan.id, plan]));
      for (const plan of await allItems((p) => plans.listByAuthor(userId, p, ctx))) {
        if (!plan.isPublic && (plan.forUserId === undefined || plan.forUserId === userId)) erasable.set(plan.id, plan);
      }
      let deleted = 0;
      for (const plan of erasable.values()) {
        subjectIds.add(plan.id);
        await plans.delete(plan.id, {}, ctx);
        deleted++;
      }
      return { deleted: { nutritionPlans: deleted } };
    },
  };
}
