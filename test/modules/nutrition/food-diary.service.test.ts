import { beforeAll, describe, expect, it } from 'vitest';
import { ConcurrencyError, NotFoundError, ValidationError } from '../../../src/core/errors.js';
import type { FoodId, NutritionPlanId, UserId } from '../../../src/core/ids.js';
import { createNutritionModule, type FoodDiaryService, type LogFoodInput } from '../../../src/modules/nutrition/index.js';
import { useTestNexfit } from '../../support/nexfit.js';
import { createInputs } from '../support/factories.js';

const t = useTestNexfit({ clock: '2026-03-02T09:00:00Z' });
const diary = () => t.nexfit.foodDiary;

let member: UserId; // a gym member at a New York facility, with body data
let other: UserId;
let oats: FoodId; // 40 g: 150 kcal, 5 / 27 / 3 g, a "1 kase" portion of 50 g
let milk: FoodId; // 200 ml: 122 kcal
let plan: NutritionPlanId; // Kahvaltı: 60 g oats (225 kcal); targets 2 000 kcal, 150 / 200 / 60 g
let sequence = 0;

async function aUser(roleSpecificData: Record<string, unknown>, role: string[]): Promise<UserId> {
  sequence++;
  return (await t.nexfit.repositories.users.create({ ...createInputs.users({ email: `diary-${sequence}@example.com`, role, roleSpecificData } as never), passwordHash: 'scrypt$N=16384,r=8,p=1$c2FsdA$aGFzaA' })).id as UserId;
}

const entry = (o: Partial<LogFoodInput> = {}): LogFoodInput => ({ userId: member, eatenAt: '2026-03-02T12:00:00Z', foodId: oats, amount: 60, unit: 'g', ...o });

async function refusal(call: Promise<unknown>): Promise<ValidationError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

beforeAll(async () => {
  const facility = await t.nexfit.repositories.facilities.create(createInputs.facilities({ timezone: 'America/New_York' }));
  member = await aUser({ client: { dateOfBirth: '1990-03-02T00:00:00Z', height: 165, weight: 60 }, gym_member: { facilityId: facility.id, memberSince: '2026-01-01' } }, ['client', 'gym_member']);
  other = await aUser({}, ['client']);
  const foods = t.nexfit.repositories.foods;
  oats = (await foods.create(createInputs.foods({ portions: [{ name: '1 kase', grams: 50 }] }))).id as FoodId;
  milk = (await foods.create(createInputs.foods({ name: 'Süt', nutrients: { servingSize: 200, servingUnit: 'ml', calories: 122, protein: 6.4, carbs: 9.6, fat: 6.6 } }))).id as FoodId;
  plan = (
    await t.nexfit.nutrition.createPlan({
      name: 'Bahar planı',
      createdBy: other,
      forUserId: member,
      metadata: { calorieTarget: 2_000, macros: { protein: 150, carbs: 200, fat: 60 }, mealsPerDay: 2 },
      meals: [{ name: 'Kahvaltı', time: '08:00', foods: [{ foodId: oats, quantity: 60, unit: 'g' }] }],
    })
  ).id as NutritionPlanId;
});

describe('logging what a member ate', () => {
  it('stores the nutrients of the amount, computed from the catalogue', async () => {
    const logged = await diary().logFood(entry({ meal: 'breakfast' }));
    // 60 g of a 40 g serving: 1.5 × (150 kcal, 5, 27, 3 g, fibre 4).
    expect(logged).toMatchObject({ userId: member, foodId: oats, foodName: 'Yulaf Ezmesi', amount: 60, unit: 'g', meal: 'breakfast', nutrients: { calories: 225, protein: 7.5, carbs: 40.5, fat: 4.5, fiber: 6 } });
    expect(await diary().getEntry(logged.id)).toEqual(logged);
  });

  it('takes servings and household portions', async () => {
    expect((await diary().logFood(entry({ amount: 2, unit: 'serving' }))).nutrients.calories).toBe(300);
    // 2 bowls of 50 g = 100 g = 2.5 servings of 40 g.
    expect((await diary().logFood(entry({ amount: 2, unit: 'portion', portion: '1 kase' }))).nutrients).toMatchObject({ calories: 375, protein: 12.5 });
    expect((await diary().logFood(entry({ foodId: milk, amount: 300, unit: 'ml' }))).nutrients.calories).toBe(183);
  });

  it('refuses an entry more than a day ahead, in English and Turkish, and writes nothing', async () => {
    const before = await t.nexfit.mongo.db.collection('food_diary_entries').countDocuments();
    const error = await refusal(diary().logFood(entry({ eatenAt: '2026-03-03T09:00:01Z' })));
    expect(error.issues).toEqual([{ path: ['eatenAt'], code: 'custom', message: 'A diary entry cannot be more than 1 day in the future' }]);
    const turkish = createNutritionModule(t.nexfit.mongo.db, t.nexfit.pg, { ...t.deps, locale: 'tr' }, { foods: t.nexfit.repositories.foods }).diary as FoodDiaryService;
    const tr = await refusal(turkish.logFood(entry({ eatenAt: '2026-03-10T00:00:00Z' })));
    expect(tr.issues[0]!.message).toBe('Bir günlük kaydı 1 günden daha ileri bir tarihe girilemez');
    expect(await t.nexfit.mongo.db.collection('food_diary_entries').countDocuments()).toBe(before);
    // Exactly a day ahead is still allowed: tomorrow's breakfast may be logged tonight.
    await expect(diary().logFood(entry({ eatenAt: '2026-03-03T09:00:00Z' }))).resolves.toMatchObject({ amount: 60 });
  });

  it('refuses a unit that does not fit the food, an unknown portion, an unknown food, a meal not in the plan and a plan not the member\'s', async () => {
    expect((await refusal(diary().logFood(entry({ unit: 'ml' })))).issues[0]!.path).toEqual(['unit']);
    expect((await refusal(diary().logFood(entry({ foodId: milk, unit: 'portion', portion: '1 kase', amount: 1 })))).issues[0]!.path).toEqual(['portion']);
    expect((await refusal(diary().logFood(entry({ unit: 'portion', portion: '1 tabak', amount: 1 })))).issues[0]!.message).toBe('The food has no portion of this name');
    expect((await refusal(diary().logFood(entry({ unit: 'portion', amount: 1 })))).issues[0]!.path).toEqual(['portion']);
    expect((await refusal(diary().logFood(entry({ foodId: '0123456789abcdef01234567' as FoodId })))).issues[0]!.path).toEqual(['foodId']);
    expect((await refusal(diary().logFood(entry({ meal: 'Kahvaltı' })))).issues[0]!.path).toEqual(['meal']);
    expect((await refusal(diary().logFood(entry({ userId: other, planId: plan })))).issues[0]!.path).toEqual(['planId']);
    // With the plan, its meal names are meals too.
    await expect(diary().logFood(entry({ meal: 'Kahvaltı', planId: plan, eatenAt: '2026-02-20T06:00:00Z' }))).resolves.toMatchObject({ meal: 'Kahvaltı' });
  });
});

describe('changing and deleting entries', () => {
  it('recomputes the nutrients of a new amount and keeps them for a new meal', async () => {
    const logged = await diary().logFood(entry({ eatenAt: '2026-02-21T07:00:00Z', meal: 'breakfast' }));
    const moved = await diary().updateEntry(logged.id, { meal: 'snack' });
    expect(moved).toMatchObject({ meal: 'snack', nutrients: logged.nutrients, version: 2 });
    const more = await diary().updateEntry(logged.id, { amount: 80 }, { expectedVersion: 2 });
    expect(more.nutrients).toMatchObject({ calories: 300, protein: 10, carbs: 54, fat: 6 });
    const bowls = await diary().updateEntry(logged.id, { unit: 'portion', portion: '1 kase', amount: 1 });
    expect(bowls).toMatchObject({ portion: '1 kase', nutrients: { calories: 187.5 } });
    const grams = await diary().updateEntry(logged.id, { unit: 'g', amount: 40 });
    expect(grams.portion).toBeUndefined();
    expect(grams.nutrients.calories).toBe(150);
    await expect(diary().updateEntry(logged.id, { amount: 10 }, { expectedVersion: 1 })).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(diary().updateEntry(logged.id, { eatenAt: '2026-03-05T00:00:00Z' })).rejects.toBeInstanceOf(ValidationError);
    await diary().deleteEntry(logged.id);
    await expect(diary().getEntry(logged.id)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("a day's totals", () => {
  it("are counted over the member's local day, in their facility's time zone unless another is given", async () => {
    // 03:00Z on 25 February is 22:00 on the 24th in New York and 06:00 on the 25th in Istanbul.
    const late = await diary().logFood(entry({ eatenAt: '2026-02-25T03:00:00Z', amount: 40 }));
    const morning = await diary().logFood(entry({ eatenAt: '2026-02-25T14:00:00Z', amount: 80 }));
    const newYork = await diary().listDay({ userId: member, date: '2026-02-25' });
    expect(newYork).toMatchObject({ timeZone: 'America/New_York', from: new Date('2026-02-25T05:00:00Z'), to: new Date('2026-02-26T05:00:00Z') });
    expect(newYork.entries.map((e) => e.id)).toEqual([morning.id]);
    expect((await diary().listDay({ userId: member, date: '2026-02-24' })).entries.map((e) => e.id)).toEqual([late.id]);
    const istanbul = await diary().dayTotals({ userId: member, date: '2026-02-25', timeZone: 'Europe/Istanbul' });
    expect(istanbul).toMatchObject({ timeZone: 'Europe/Istanbul', entries: 2, totals: { calories: 450, protein: 15, carbs: 81, fat: 9 } });
    // A member without a facility counts in Europe/Istanbul.
    expect((await diary().listDay({ userId: other, date: '2026-02-25' })).timeZone).toBe('Europe/Istanbul');
  });

  it("compare each meal and the day with the plan's goals", async () => {
    // 1 March in New York: Kahvaltı 60 g (225 kcal) against the plan's 225, a 300 ml milk snack, one entry without a meal.
    await diary().logFood(entry({ eatenAt: '2026-03-01T13:00:00Z', meal: 'Kahvaltı', planId: plan, amount: 60 }));
    await diary().logFood(entry({ eatenAt: '2026-03-01T13:05:00Z', meal: 'Kahvaltı', planId: plan, amount: 20 }));
    await diary().logFood(entry({ eatenAt: '2026-03-01T20:00:00Z', meal: 'snack', foodId: milk, amount: 300, unit: 'ml' }));
    await diary().logFood(entry({ eatenAt: '2026-03-01T22:00:00Z', amount: 40 }));
    const day = await diary().dayTotals({ userId: member, date: '2026-03-01' });
    // 225 + 75 + 183 + 150 = 633 kcal; protein 7.5 + 2.5 + 9.6 + 5 = 24.6; carbs 40.5 + 13.5 + 14.4 + 27 = 95.4; fat 4.5 + 1.5 + 9.9 + 3 = 18.9.
    expect(day.totals).toEqual({ calories: 633, protein: 24.6, carbs: 95.4, fat: 18.9 });
    expect(day.meals).toEqual([
      { meal: 'Kahvaltı', entries: 2, totals: { calories: 300, protein: 10, carbs: 54, fat: 6 }, target: { calories: 225, protein: 7.5, carbs: 40.5, fat: 4.5 }, difference: { calories: 75, protein: 2.5, carbs: 13.5, fat: 1.5 } },
      { meal: 'snack', entries: 1, totals: { calories: 183, protein: 9.6, carbs: 14.4, fat: 9.9 }, target: null, difference: null },
      { meal: null, entries: 1, totals: { calories: 150, protein: 5, carbs: 27, fat: 3 }, target: null, difference: null },
    ]);
    expect(day.plan).toMatchObject({
      planId: plan,
      planName: 'Bahar planı',
      target: { calories: 2_000, protein: 150, carbs: 200, fat: 60 },
      difference: { calories: -1_367, protein: -125.4, carbs: -104.6, fat: -41.1 },
      calorieTargetReached: 31.7, // 633 / 2000
    });
  });

  it("fall back to the newest plan written for the member, and to none", async () => {
    expect((await diary().dayTotals({ userId: member, date: '2026-02-10' })).plan?.planId).toBe(plan);
    const empty = await diary().dayTotals({ userId: other, date: '2026-02-10' });
    expect(empty).toMatchObject({ entries: 0, totals: { calories: 0, protein: 0, carbs: 0, fat: 0 }, meals: [], plan: null });
  });
});

describe('energy estimates', () => {
  it("use the member's stored date of birth, height and weight when not given", async () => {
    const estimate = await t.nexfit.nutrition.estimateEnergy({ userId: member, sex: 'female', activityLevel: 'moderate' });
    // 36 on 2 March 2026: 10·60 + 6.25·165 − 5·36 − 161 = 1290.25 → 1290.3; × 1.55 = 1999.9.
    expect(estimate).toEqual({
      bmr: 1290.3,
      tdee: 2000,
      activityLevel: 'moderate',
      activityFactor: 1.55,
      sex: 'female',
      weightKg: 60,
      heightCm: 165,
      ageYears: 36,
      sources: { weightKg: 'profile', heightCm: 'profile', ageYears: 'profile' },
    });
    const given = await t.nexfit.nutrition.estimateEnergy({ userId: member, sex: 'male', activityLevel: 'sedentary', weightKg: 80, heightCm: 180, dateOfBirth: '1996-01-01T00:00:00Z' });
    // 30 years: 800 + 1125 − 150 + 5 = 1780; × 1.2 = 2136.
    expect(given).toMatchObject({ bmr: 1780, tdee: 2136, ageYears: 30, sources: { weightKg: 'given', heightCm: 'given', ageYears: 'given' } });
  });

  it('refuse a member whose profile lacks a value, naming each missing one', async () => {
    const error = await refusal(t.nexfit.nutrition.estimateEnergy({ userId: other, sex: 'male', activityLevel: 'light', weightKg: 70 }));
    expect(error.issues.map((i) => i.path.join('.'))).toEqual(['heightCm', 'dateOfBirth']);
  });
});
