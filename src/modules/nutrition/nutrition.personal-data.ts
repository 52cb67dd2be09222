import type { JsonObject } from 'type-fest';
import { auditSnapshot } from '../audit/audit-trail.js';
import { allItems, everyItem, type PersonalDataContributor, type PersonalDataDeclaration } from '../personal-data.js';
import { FOOD_DIARY_ENTRIES_COLLECTION } from './food-diary-entry.collection.js';
import type { FoodDiaryEntryRepository } from './food-diary-entry.repository.js';
import { NUTRITION_PLANS_COLLECTION } from './nutrition-plan.collection.js';
import type { NutritionPlanRepository } from './nutrition-plan.repository.js';

/** The nutrition module's user-linked data: plans written for the user, plans the user wrote, and the user's food diary. */
export const NUTRITION_PERSONAL_DATA = {
  module: 'nutrition',
  holds: [
    { store: 'mongo', name: NUTRITION_PLANS_COLLECTION.name },
    { store: 'mongo', name: FOOD_DIARY_ENTRIES_COLLECTION.name },
  ],
} as const satisfies PersonalDataDeclaration;

/** The nutrition module's repositories a contributor reads and erases. */
export interface NutritionPersonalDataSources {
  readonly plans: NutritionPlanRepository;
  readonly diary: FoodDiaryEntryRepository;
}

/**
 * The nutrition module's part in export and erasure. Exported: plans written for the user
 * (by anyone), plans the user wrote, and every food diary entry. Erased: the plans for the
 * user, the private plans the user wrote for themself, and the whole food diary; a plan
 * the user wrote for another client is that client's, and a published one everyone's, so
 * those stay.
 *
 * @example
 * ```ts
 * const contributor = nutritionPersonalData({ plans: nutritionModule.repository, diary: nutritionModule.diaryEntries });
 * ```
 */
export function nutritionPersonalData({ plans, diary }: NutritionPersonalDataSources): PersonalDataContributor {
  return {
    ...NUTRITION_PERSONAL_DATA,
    async export(userId) {
      const nutrition = new Map<string, JsonObject>();
      for await (const plan of everyItem((p) => plans.listForUser(userId, p))) nutrition.set(plan.id, auditSnapshot(plan));
      for await (const plan of everyItem((p) => plans.listByAuthor(userId, p))) nutrition.set(plan.id, auditSnapshot(plan));
      const foodDiary: JsonObject[] = [];
      for await (const entry of everyItem((p) => diary.listByUser(userId, p))) foodDiary.push(auditSnapshot(entry));
      return { nutritionPlans: [...nutrition.values()], foodDiary };
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
      // Diary entries are never audited one by one, so no audit row names them: one statement deletes them all.
      const foodDiaryEntries = await diary.deleteAllOfUser(userId, ctx);
      return { deleted: { nutritionPlans: deleted, foodDiaryEntries } };
    },
  };
}
