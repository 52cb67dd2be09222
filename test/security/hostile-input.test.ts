import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { NexfitError } from '../../src/core/errors.js';
import type { Nexfit } from '../../src/create-nexfit.js';
import { TestPaymentProvider } from '../../src/modules/billing/payment-provider.js';
import { workflowStepsOf } from '../../src/public-door.js';
import type { BulkCreateResult } from '../../src/stores/bulk.js';
import { createInputs } from '../modules/support/factories.js';
import { useTestNexfit } from '../support/nexfit.js';
import { addedExpiringIds, describeCase, hostileCases, storeSnapshot, type HostileCase, type Path } from './hostile-input-corpus.js';
import { hostileWorld, type HostileWorld } from './hostile-input-world.js';

/**
 * Every public method that writes — services, repositories and workflows of a live `Nexfit`
 * instance — receives hundreds of hostile inputs (operator objects, prototype-polluting keys,
 * oversized strings and lists, non-finite numbers, malformed ids, dates out of range, wrong
 * types). Each must be refused with the SDK's `ValidationError` (code `VALIDATION_FAILED`),
 * and neither store may change.
 */

const payments = new TestPaymentProvider();
const t = useTestNexfit({ clock: '2026-03-02T09:00:00Z', nexfit: { payments, keyring: 'ephemeral' } });

/** Members the TypeScript classes declare `protected`: not part of the public surface. */
const PROTECTED_MEMBERS = new Set([
  'countWhere', 'findOneWhere', 'findAllWhere', 'pageWhere', 'replaceWith', 'modify', 'updateAtomically', 'buildNew', 'prepareNew', 'toStored', 'fromStored', 'parse',
  'toObjectId', 'run', 'insertTimestamps', 'dbOf', 'keysetPage', 'updatedAtIs', 'refuseUpdate', 'inTransaction', 'blindIndexOf', 'encryptedValue', 'invalidateCached',
  'archiveStore', 'pageArchivedWhere', 'deleteArchivedWhere', 'prepareNew', 'createRows',
]);

/** Names of methods that only read (or compute) and write nothing; every other method needs a corpus entry. */
const READ_ONLY = /^(get|find|list|search|count|sum|is[A-Z]|has[A-Z]|assert|seatsTaken|verify|progress|trend|bmi|history|categoryHistory|personalRecords|weeklyVolume|trainingStatistics|streaks|compare|summarize|nutrientsFor|next[A-Z]|occurrence|timetable|report|refundedAmount|visitsIn|export|recompute)/;

/** One public entry point: how to call it, and a valid argument list to mutate. */
interface EntryPoint {
  /** `users.register`, `repositories.users.create` or `workflows.purchaseMembership`. */
  readonly target: string;
  readonly args: (w: HostileWorld) => unknown[];
  /** Paths of free-form JSON values and string records, where any safe key is legal. */
  readonly freeForm?: readonly Path[];
  /** Arguments for which `null` is a legal value (it clears something, or names the platform as the actor). */
  readonly nullable?: readonly Path[];
  /** The method takes a unit of work as its last argument and needs one. */
  readonly inUnit?: boolean;
  /**
   * Where the method takes a list of rows it reports bad rows of instead of throwing (a
   * `createMany`, up to `MAX_BULK_ROWS` rows). A hostile value inside a row must come back as
   * that row's `VALIDATION_FAILED` rejection with nothing created; anywhere else (the list
   * itself, the options) it must be thrown as a `ValidationError`.
   */
  readonly bulkRows?: Path;
}

const PAYMENT = (w: HostileWorld) => ({ amount: 1_500_00, currency: 'TRY', date: '2026-03-02T09:00:00Z', method: 'card', status: 'completed', transactionId: w.newUuid() });

const ENTRY_POINTS: readonly EntryPoint[] = [
  // users
  { target: 'users.register', args: (w) => [{ ...createInputs.users({ email: `new-${w.newUuid()}@example.com`, roleSpecificData: {} }), password: 'gizli-şifre-1' }] },
  { target: 'users.changePassword', args: (w) => [w.client, { currentPassword: 'gizli-şifre-1', newPassword: 'yeni-şifre-22' }] },
  { target: 'users.addRole', args: (w) => [w.client, 'coach', { specializations: ['yoga'], hourlyRate: 500_00 }, {}] },
  { target: 'users.removeRole', args: (w) => [w.coach, 'client', {}] },
  { target: 'users.deactivate', args: (w) => [w.spareUser, {}] },
  { target: 'users.reactivate', args: (w) => [w.spareUser, {}] },
  { target: 'users.updateProfile', args: (w) => [w.client, { firstName: 'Ayşe', roleSpecificData: { client: { fitnessLevel: 'intermediate', fitnessGoals: ['güç'] } } }, {}] },
  { target: 'users.setFcmToken', args: (w) => [w.client, 'fcm-token-123'], nullable: [[1]] },
  { target: 'repositories.users.create', args: () => [{ ...createInputs.users({ email: 'repo-user@example.com' }), passwordHash: 'scrypt$N=16384,r=8,p=1$c2FsdA$aGFzaA' }] },
  { target: 'repositories.users.createMany', args: () => [[{ ...createInputs.users({ email: 'repo-bulk-user@example.com' }), passwordHash: 'scrypt$N=16384,r=8,p=1$c2FsdA$aGFzaA' }], {}], bulkRows: [0] },
  { target: 'repositories.users.patch', args: (w) => [w.client, { firstName: 'Ayşe', lastName: 'Yılmaz' }, {}] },
  { target: 'repositories.users.delete', args: (w) => [w.spareUser, {}] },
  { target: 'repositories.users.setPasswordHash', args: (w) => [w.client, 'scrypt$N=16384,r=8,p=1$c2FsdA$aGFzaA', {}] },
  { target: 'repositories.users.recordCoachReview', args: (w) => [w.coach, 5] },
  // measurements
  { target: 'measurements.record', args: (w) => [{ userId: w.client, date: '2026-03-01', timeZone: 'Europe/Istanbul', measurements: { weight: 72.5 }, photos: [{ url: 'https://cdn.example.com/p.jpg', position: 'front' }], notes: 'sabah' }] },
  { target: 'measurements.addProgressPhoto', args: (w) => [w.client, { url: 'https://cdn.example.com/p2.jpg', position: 'left', date: '2026-03-01', timeZone: 'Europe/Istanbul' }] },
  { target: 'repositories.measurements.create', args: (w) => [createInputs.measurements({ userId: w.client, date: '2026-02-01' })] },
  { target: 'repositories.measurements.createMany', args: (w) => [[createInputs.measurements({ userId: w.client, date: '2026-02-03' })], {}], bulkRows: [0] },
  { target: 'repositories.measurements.patch', args: (w) => [w.measurement, { notes: 'yeni not', measurements: { weight: 71 } }, {}] },
  { target: 'repositories.measurements.delete', args: (w) => [w.spareMeasurement, {}] },
  { target: 'repositories.measurements.upsertForDate', args: (w) => [w.client, '2026-02-15', { measurements: { weight: 70 }, readings: [{ takenAt: '2026-02-15T07:00:00Z', measurements: { weight: 70 }, custom: [{ categoryId: w.measurementCategory, value: 36 }], notes: 'sabah' }], photos: [] }, {}] },
  {
    target: 'measurements.addReading',
    args: (w) => [w.client, { takenAt: '2026-03-02T06:30:00Z', timeZone: 'Europe/Istanbul', measurements: { weight: 72.5 }, custom: [{ categoryId: w.measurementCategory, value: 36.5 }], notes: 'sabah' }],
  },
  { target: 'measurements.removeReading', args: (w) => [w.client, { day: '2026-02-20', timeZone: 'Europe/Istanbul', takenAt: '2026-02-20T00:00:00Z' }] },
  { target: 'measurements.defineCategory', args: (w) => [w.client, { name: 'Bilek', unit: 'cm' }] },
  { target: 'measurements.renameCategory', args: (w) => [w.client, w.measurementCategory, { name: 'Boyun çevresi' }] },
  { target: 'measurements.deleteCategory', args: (w) => [w.client, w.spareMeasurementCategory] },
  { target: 'repositories.measurementCategories.create', args: (w) => [{ userId: w.client, name: 'Baldır', unit: 'cm' }] },
  { target: 'repositories.measurementCategories.createMany', args: (w) => [[{ userId: w.client, name: 'Ön kol', unit: 'cm' }], {}], bulkRows: [0] },
  { target: 'repositories.measurementCategories.patch', args: (w) => [w.measurementCategory, { name: 'Boyun (cm)', unit: 'cm' }, {}] },
  { target: 'repositories.measurementCategories.delete', args: (w) => [w.spareMeasurementCategory, {}] },
  // catalog
  { target: 'catalog.createExercise', args: (w) => [createInputs.exercises({ createdBy: w.coach, alternateExercises: [w.exercise2] })] },
  { target: 'catalog.updateExercise', args: (w) => [w.exercise, { name: 'Diz üstü şınav', instructions: ['Dizlerini yere koy'] }, w.coach, {}], nullable: [[2]] },
  { target: 'catalog.addAlternate', args: (w) => [w.exercise, w.exercise2, w.coach], nullable: [[2]] },
  { target: 'catalog.removeAlternate', args: (w) => [w.exercise, w.exercise2, w.coach], nullable: [[2]] },
  { target: 'catalog.deleteExercise', args: (w) => [w.spareExercise, w.coach], nullable: [[1]] },
  { target: 'catalog.createFood', args: () => [createInputs.foods({ name: 'Muz' })] },
  { target: 'catalog.updateFood', args: (w) => [w.food, { name: 'Yulaf', nutrients: { servingSize: 50, servingUnit: 'g', calories: 190, protein: 6, carbs: 33, fat: 4 } }, {}] },
  { target: 'repositories.exercises.create', args: (w) => [createInputs.exercises({ createdBy: w.coach })] },
  { target: 'repositories.exercises.createMany', args: (w) => [[createInputs.exercises({ createdBy: w.coach })], {}], bulkRows: [0] },
  { target: 'repositories.exercises.patch', args: (w) => [w.exercise, { name: 'Şınav', metadata: { bodyAreas: ['chest'], type: 'strength', equipment: [], difficultyLevel: 'beginner', tags: [] } }, {}] },
  { target: 'repositories.exercises.delete', args: (w) => [w.spareExercise, {}] },
  { target: 'repositories.foods.create', args: () => [createInputs.foods()] },
  { target: 'repositories.foods.createMany', args: () => [[createInputs.foods()], {}], bulkRows: [0] },
  { target: 'repositories.foods.patch', args: (w) => [w.food, { category: 'grains' }, {}] },
  { target: 'repositories.foods.delete', args: (w) => [w.spareFood, {}] },
  // workouts
  { target: 'workouts.createTemplate', args: (w) => [createInputs.workout_templates({ createdBy: w.coach, exercises: [{ exerciseId: w.exercise, order: 1, defaultSets: [{ reps: 10, weight: 60, restTime: 90 }] }] })] },
  { target: 'workouts.updateTemplate', args: (w) => [w.template, { name: 'Pull day', metadata: { difficulty: 'advanced', estimatedDuration: 50, targetBodyAreas: ['back'] } }, w.coach, {}] },
  { target: 'workouts.publishTemplate', args: (w) => [w.template, w.coach] },
  { target: 'workouts.rateTemplate', args: (w) => [w.template, w.client, 4] },
  { target: 'workouts.createProgram', args: (w) => [createInputs.workout_programs({ createdBy: w.coach, schedule: [{ day: 1, workoutTemplateId: w.template, isRestDay: false }] })] },
  { target: 'workouts.updateProgram', args: (w) => [w.program, { name: '8 haftalık', pricing: { price: 399_90, currency: 'TRY', isDiscounted: false } }, w.coach, {}] },
  { target: 'workouts.publishProgram', args: (w) => [w.program, w.coach] },
  { target: 'workouts.rateProgram', args: (w) => [w.program, w.client, 5] },
  { target: 'workoutLogs.logWorkout', args: (w) => [createInputs.workout_logs({ userId: w.client, workoutTemplateId: w.template, exercises: [{ exerciseId: w.exercise, sets: [{ reps: 10, weight: 60, completed: true }] }] })] },
  { target: 'repositories.workoutTemplates.create', args: (w) => [createInputs.workout_templates({ createdBy: w.coach })] },
  { target: 'repositories.workoutTemplates.createMany', args: (w) => [[createInputs.workout_templates({ createdBy: w.coach })], {}], bulkRows: [0] },
  { target: 'repositories.workoutTemplates.patch', args: (w) => [w.template, { description: 'itme günü', name: 'Push day 2' }, {}] },
  { target: 'repositories.workoutTemplates.delete', args: (w) => [w.spareTemplate, {}] },
  { target: 'repositories.workoutTemplates.setReviews', args: (w) => [w.template, { averageRating: 4, count: 3 }, {}] },
  { target: 'repositories.workoutTemplates.addRating', args: (w) => [w.template, 4] },
  { target: 'repositories.workoutPrograms.create', args: (w) => [createInputs.workout_programs({ createdBy: w.coach })] },
  { target: 'repositories.workoutPrograms.createMany', args: (w) => [[createInputs.workout_programs({ createdBy: w.coach })], {}], bulkRows: [0] },
  { target: 'repositories.workoutPrograms.patch', args: (w) => [w.program, { description: 'başlangıç', metadata: { difficulty: 'beginner', duration: 30 } }, {}] },
  { target: 'repositories.workoutPrograms.delete', args: (w) => [w.spareProgram, {}] },
  { target: 'repositories.workoutPrograms.setReviews', args: (w) => [w.program, { averageRating: 4, count: 3 }, {}] },
  { target: 'repositories.workoutPrograms.addRating', args: (w) => [w.program, 3] },
  { target: 'repositories.workoutLogs.create', args: (w) => [createInputs.workout_logs({ userId: w.client })] },
  { target: 'repositories.workoutLogs.createMany', args: (w) => [[createInputs.workout_logs({ userId: w.client })], {}], bulkRows: [0] },
  { target: 'repositories.workoutLogs.patch', args: (w) => [w.workoutLog, { notes: 'iyi geçti', duration: 55 }, {}] },
  { target: 'repositories.workoutLogs.delete', args: (w) => [w.spareWorkoutLog, {}] },
  { target: 'repositories.workoutLogs.deleteArchivedByUser', args: (w) => [w.client] },
  // nutrition
  { target: 'nutrition.createPlan', args: (w) => [{ ...createInputs.nutrition_plans({ createdBy: w.coach, forUserId: w.client }), meals: [{ name: 'Kahvaltı', time: '08:30', foods: [{ foodId: w.food, quantity: 40, unit: 'g' }] }] }] },
  { target: 'nutrition.updatePlan', args: (w) => [w.nutritionPlan, { name: 'Yaz planı', meals: [{ name: 'Öğle', time: '12:30', foods: [{ foodId: w.food, quantity: 80, unit: 'g' }] }] }, {}] },
  { target: 'nutrition.recalculatePlan', args: (w) => [w.nutritionPlan] },
  { target: 'nutrition.deletePlan', args: (w) => [w.spareNutritionPlan, {}] },
  { target: 'nutrition.copyTemplateToClient', args: (w) => [w.nutritionPlan, w.client, { createdBy: w.coach, name: 'Kopya' }] },
  { target: 'repositories.nutritionPlans.create', args: (w) => [createInputs.nutrition_plans({ createdBy: w.coach, forUserId: w.client })] },
  { target: 'repositories.nutritionPlans.createMany', args: (w) => [[createInputs.nutrition_plans({ createdBy: w.coach, forUserId: w.client })], {}], bulkRows: [0] },
  { target: 'repositories.nutritionPlans.patch', args: (w) => [w.nutritionPlan, { description: 'kış', isTemplate: true }, {}] },
  { target: 'repositories.nutritionPlans.delete', args: (w) => [w.spareNutritionPlan, {}] },
  { target: 'nutrition.estimateEnergy', args: (w) => [{ userId: w.client, sex: 'female', activityLevel: 'moderate', weightKg: 60, heightCm: 165, dateOfBirth: '1990-01-01T00:00:00Z', asOf: '2026-03-02T09:00:00Z' }] },

  // food diary
  { target: 'foodDiary.logFood', args: (w) => [{ userId: w.client, eatenAt: '2026-03-02T07:30:00Z', meal: 'breakfast', foodId: w.food, amount: 60, unit: 'g', planId: w.nutritionPlan }] },
  { target: 'foodDiary.updateEntry', args: (w) => [w.diaryEntry, { amount: 50, meal: 'lunch', eatenAt: '2026-03-02T08:00:00Z' }, {}] },
  { target: 'foodDiary.deleteEntry', args: (w) => [w.spareDiaryEntry, {}] },
  { target: 'foodDiary.dayTotals', args: (w) => [{ userId: w.client, date: '2026-03-02', timeZone: 'Europe/Istanbul', planId: w.nutritionPlan }] },
  {
    target: 'repositories.foodDiaryEntries.create',
    args: (w) => [{ userId: w.client, eatenAt: '2026-03-01T12:00:00Z', meal: 'lunch', foodId: w.food, foodName: 'Yulaf Ezmesi', amount: 40, unit: 'g', nutrients: { calories: 150, protein: 5, carbs: 27, fat: 3 } }],
  },
  {
    target: 'repositories.foodDiaryEntries.createMany',
    args: (w) => [[{ userId: w.client, eatenAt: '2026-03-01T13:00:00Z', meal: 'lunch', foodId: w.food, foodName: 'Yulaf Ezmesi', amount: 40, unit: 'g', nutrients: { calories: 150, protein: 5, carbs: 27, fat: 3 } }], {}],
    bulkRows: [0],
  },
  { target: 'repositories.foodDiaryEntries.patch', args: (w) => [w.diaryEntry, { amount: 45, meal: 'snack' }, {}] },
  { target: 'repositories.foodDiaryEntries.delete', args: (w) => [w.spareDiaryEntry, {}] },
  { target: 'repositories.foodDiaryEntries.deleteAllOfUser', args: (w) => [w.spareUser] },
  // facilities
  { target: 'facilities.create', args: (w) => [createInputs.facilities({ ownerId: w.owner, staff: [] })] },
  { target: 'facilities.update', args: (w) => [w.facility, { name: 'Moda Gym 2', amenities: ['havuz'], operatingHours: [{ day: 2, openTime: '07:00', closeTime: '22:00', isClosed: false }] }, {}] },
  { target: 'facilities.addStaff', args: (w) => [w.facility, { userId: w.spareUser, role: 'coach', permissions: ['manage_classes'] }] },
  { target: 'facilities.changeStaff', args: (w) => [w.facility, w.coach, { role: 'manager', permissions: ['manage_classes'] }] },
  { target: 'facilities.removeStaff', args: (w) => [w.facility, w.coach] },
  { target: 'repositories.facilities.create', args: (w) => [createInputs.facilities({ ownerId: w.owner })] },
  { target: 'repositories.facilities.createMany', args: (w) => [[createInputs.facilities({ ownerId: w.owner })], {}], bulkRows: [0] },
  { target: 'repositories.facilities.patch', args: (w) => [w.facility, { description: 'yeni', contact: { email: 'info@example.com', phoneNumber: '+90 212 555 00 00' } }, {}] },
  { target: 'repositories.facilities.delete', args: (w) => [w.spareFacility, {}] },
  { target: 'repositories.facilities.addStaff', args: (w) => [w.facility, { userId: w.spareUser, role: 'coach', permissions: ['manage_classes'], joinedAt: '2026-03-01T00:00:00Z' }, {}] },
  { target: 'repositories.facilities.updateStaff', args: (w) => [w.facility, w.coach, { role: 'manager', permissions: ['manage_classes'] }, {}] },
  { target: 'repositories.facilities.removeStaff', args: (w) => [w.facility, w.coach, {}] },
  // memberships
  { target: 'memberships.createPlan', args: (w) => [createInputs.memberships({ facilityId: w.facility })] },
  { target: 'memberships.updatePlan', args: (w) => [w.plan, { name: 'Aylık+', price: 1_600_00, features: ['havuz'] }, {}] },
  { target: 'memberships.deactivatePlan', args: (w) => [w.sparePlan] },
  { target: 'steps.memberships.startSubscription', args: (w) => [{ userId: w.client, membershipId: w.plan, startDate: '2026-03-02T09:00:00Z', timeZone: 'Europe/Istanbul', autoRenew: true, payment: PAYMENT(w) }] },
  { target: 'steps.memberships.extendSubscription', args: (w) => [w.memberSubscription, { expectedVersion: 1, timeZone: 'Europe/Istanbul', payment: PAYMENT(w) }] },
  { target: 'steps.memberships.recordPayment', args: (w) => [w.memberSubscription, PAYMENT(w)] },
  { target: 'steps.memberships.setPaymentStatus', args: (w) => [w.memberSubscription, w.paymentTransactionId, 'refunded'] },
  { target: 'memberships.stopAutoRenew', args: (w) => [w.memberSubscription, 'taşınıyorum'] },
  { target: 'memberships.cancelSubscription', args: (w) => [w.memberSubscription, { when: 'at_period_end', reason: 'taşınıyorum' }] },
  { target: 'steps.memberships.expireSubscription', args: (w) => [w.memberSubscription, '2026-05-01T00:00:00Z'] },
  { target: 'steps.memberships.recordVisit', args: (w) => [{ userId: w.client, facilityId: w.facility, at: '2026-03-02T09:00:00Z', isoWeek: '2026-W10' }] },
  { target: 'repositories.memberships.create', args: (w) => [createInputs.memberships({ facilityId: w.facility })] },
  { target: 'repositories.memberships.createMany', args: (w) => [[createInputs.memberships({ facilityId: w.facility })], {}], bulkRows: [0] },
  { target: 'repositories.memberships.patch', args: (w) => [w.plan, { description: 'aylık üyelik', features: ['sauna'] }, {}] },
  { target: 'repositories.memberships.delete', args: (w) => [w.sparePlan, {}] },
  { target: 'repositories.memberSubscriptions.create', args: (w) => [createInputs.member_subscriptions({ userId: w.client, facilityId: w.facility, membershipId: w.plan })] },
  { target: 'repositories.memberSubscriptions.createMany', args: (w) => [[createInputs.member_subscriptions({ userId: w.client, facilityId: w.facility, membershipId: w.plan })], {}], bulkRows: [0] },
  { target: 'repositories.memberSubscriptions.patch', args: (w) => [w.memberSubscription, { autoRenew: false, endDate: '2026-04-15' }, {}] },
  { target: 'repositories.memberSubscriptions.delete', args: (w) => [w.memberSubscription, {}] },
  { target: 'repositories.memberSubscriptions.appendPayment', args: (w) => [w.memberSubscription, PAYMENT(w)] },
  { target: 'repositories.memberSubscriptions.setPaymentStatus', args: (w) => [w.memberSubscription, w.paymentTransactionId, 'refunded'] },
  // billing
  { target: 'steps.billing.recordPayment', args: (w) => [{ userId: w.client, amount: 1_500_00, currency: 'TRY', paymentMethod: 'card', transactionType: 'purchase', providerRef: 'ch_1', description: 'Aylık', reference: { memberSubscriptionId: w.memberSubscription } }], freeForm: [[0, 'reference']] },
  { target: 'steps.billing.issuePaidInvoice', args: (w) => [{ userId: w.client, businessId: w.facility, gross: 1_800_00, currency: 'TRY', transactionId: w.transactionId, subscriptionId: null, line: { description: 'Aylık üyelik', quantity: 1 }, period: { start: '2026-03-02T00:00:00Z', end: '2026-04-02T00:00:00Z' } }] },
  { target: 'steps.billing.openBillingSubscription', args: (w) => [{ userId: w.client, planId: 'platform-monthly', start: '2026-03-02T00:00:00Z', end: '2026-04-02T00:00:00Z', billingCycle: 'monthly', amount: 1_500_00, currency: 'TRY', paymentMethod: 'card', memberSubscriptionId: w.memberSubscription }] },
  { target: 'steps.billing.updateBillingSubscription', args: (w) => [w.billingSubscriptionId, { endDate: new Date('2026-05-02T00:00:00Z'), status: 'active', autoRenew: false }] },
  { target: 'steps.billing.recordRefund', args: (w) => [{ originalTransactionId: w.transactionId, amount: 100_00, providerRef: 're_1', reason: 'kısmi iade' }] },
  { target: 'steps.billing.lockRefundable', args: (w) => [w.transactionId], inUnit: true },
  { target: 'steps.billing.claimIdempotencyKey', args: (w) => [`key-${w.newUuid()}`, 'purchase'], inUnit: true },
  { target: 'steps.billing.completeIdempotencyKey', args: (w) => [w.claimedKey, { ok: true, invoiceId: w.invoiceId }], inUnit: true, freeForm: [[1]] },
  { target: 'repositories.transactions.create', args: (w) => [{ transactionId: w.newUuid(), userId: w.client, amount: 10_00, currency: 'TRY', paymentMethod: 'card', transactionType: 'purchase', status: 'pending', description: 'deneme', metadata: { source: 'test', nested: { count: 1 } } }], freeForm: [[0, 'metadata']] },
  { target: 'repositories.transactions.lockForRefund', args: (w) => [w.transactionId], inUnit: true },
  { target: 'repositories.transactions.updateStatus', args: (w) => [w.transactionId, { status: 'completed', expectedUpdatedAt: '2026-03-02T09:00:00Z' }] },
  { target: 'repositories.subscriptions.create', args: (w) => [{ subscriptionId: w.newUuid(), userId: w.client, planId: 'platform-monthly', status: 'active', startDate: '2026-03-02', endDate: '2026-04-02', billingCycle: 'monthly', billingDay: 2, amount: 1_500_00, currency: 'TRY', paymentMethod: 'card', autoRenew: true, metadata: { source: 'test' } }], freeForm: [[0, 'metadata']] },
  { target: 'repositories.subscriptions.patch', args: (w) => [w.billingSubscriptionId, { status: 'past_due', endDate: '2026-05-02', metadata: { note: 'tatil' } }, { expectedUpdatedAt: '2026-03-02T09:00:00Z' }], freeForm: [[1, 'metadata']] },
  { target: 'repositories.invoices.create', args: (w) => [{ invoiceId: w.newUuid(), userId: w.client, businessId: w.facility, totalAmount: 1_800_00, taxAmount: 300_00, status: 'issued', dueDate: '2026-03-15', invoiceData: { lines: [{ description: 'Aylık', amount: 1_800_00 }] } }], freeForm: [[0, 'invoiceData']] },
  { target: 'repositories.invoices.markPaid', args: (w) => [w.invoiceId, '2026-03-02', { expectedUpdatedAt: '2026-03-02T09:00:00Z' }] },
  { target: 'repositories.invoices.setStatus', args: (w) => [w.invoiceId, 'overdue', { expectedUpdatedAt: '2026-03-02T09:00:00Z' }] },
  // classes and bookings
  { target: 'classes.createClass', args: (w) => [createInputs.classes({ facilityId: w.facility, instructor: { userId: w.coach, name: 'Elif' } })] },
  { target: 'classes.updateClass', args: (w) => [w.fitnessClass, { name: 'Akşam Yogası', location: { room: 'B', capacity: 10 } }, {}] },
  { target: 'classes.deactivateClass', args: (w) => [w.spareClass] },
  { target: 'steps.bookings.reserveSeat', args: (w) => [w.fitnessClass, '2026-03-04T06:00:00Z', 12] },
  { target: 'steps.bookings.releaseSeat', args: (w) => [w.fitnessClass, '2026-03-04T06:00:00Z'] },
  { target: 'steps.bookings.recordBooking', args: (w) => [{ classId: w.fitnessClass, userId: w.client, occurrenceStart: '2026-03-09T06:00:00Z' }], inUnit: true },
  { target: 'steps.bookings.lockMemberWeek', args: (w) => [w.client, w.facility, '2026-W10'], inUnit: true },
  {
    target: 'steps.bookings.recordGuestBooking',
    args: (w) => [{ classId: w.fitnessClass, userId: w.client, occurrenceStart: '2026-03-09T06:00:00Z', guest: { name: 'Misafir Üye', email: 'misafir@example.com' }, guestPass: { memberSubscriptionId: w.memberSubscription } }],
    inUnit: true,
  },
  { target: 'steps.bookings.reserveWaitlistTurn', args: (w) => [w.fitnessClass, '2026-03-04T06:00:00Z'] },
  { target: 'steps.bookings.releaseWaitlistTurn', args: (w) => [w.fitnessClass, '2026-03-04T06:00:00Z'] },
  { target: 'steps.bookings.recordWaitlistTurn', args: (w) => [{ classId: w.fitnessClass, userId: w.spareUser, occurrenceStart: '2026-03-18T06:00:00Z' }], inUnit: true },
  { target: 'bookings.cancelBooking', args: (w) => [w.booking] },
  { target: 'bookings.checkIn', args: (w) => [w.booking] },
  { target: 'bookings.markNoShows', args: (w) => [w.fitnessClass, '2026-03-02T06:00:00Z'] },
  { target: 'repositories.classes.create', args: (w) => [createInputs.classes({ facilityId: w.facility })] },
  { target: 'repositories.classes.createMany', args: (w) => [[createInputs.classes({ facilityId: w.facility })], {}], bulkRows: [0] },
  { target: 'repositories.classes.patch', args: (w) => [w.fitnessClass, { description: 'nefes', tags: ['yoga'] }, {}] },
  { target: 'repositories.classes.delete', args: (w) => [w.spareClass, {}] },
  { target: 'repositories.classes.renameInstructor', args: (w) => [w.coach, 'Elif Kaya'] },
  { target: 'repositories.classBookings.create', args: (w) => [createInputs.class_bookings({ classId: w.fitnessClass, userId: w.client, date: '2026-03-11T06:00:00Z' })] },
  { target: 'repositories.classBookings.createMany', args: (w) => [[createInputs.class_bookings({ classId: w.fitnessClass, userId: w.client, date: '2026-03-25T06:00:00Z' })], {}], bulkRows: [0] },
  { target: 'repositories.classBookings.patch', args: (w) => [w.booking, { notes: 'geç gelecek' }, {}] },
  { target: 'repositories.classBookings.delete', args: (w) => [w.spareBooking, {}] },
  { target: 'repositories.classBookings.clearArchivedNotesOfUser', args: (w) => [w.client] },
  { target: 'repositories.classBookings.eraseGuestsOfUser', args: (w) => [w.spareUser, 'Erased user'] },
  { target: 'repositories.classBookings.markCancelled', args: (w) => [w.booking, { at: '2026-03-02T09:00:00Z', late: false }] },
  { target: 'repositories.classBookings.markPromoted', args: (w) => [w.booking, { at: '2026-03-02T09:00:00Z' }] },
  { target: 'repositories.classBookings.markAttended', args: (w) => [w.booking, { at: '2026-03-02T09:00:00Z' }] },
  { target: 'repositories.classBookings.markNoShow', args: (w) => [w.booking, {}] },
  // coaching
  { target: 'coaching.requestCoaching', args: (w) => [{ coachId: w.coach, clientId: w.spareUser, goals: ['kilo vermek'], message: 'merhaba' }] },
  { target: 'coaching.acceptRequest', args: (w) => [w.relation, w.coach] },
  { target: 'coaching.declineRequest', args: (w) => [w.relation, w.coach] },
  { target: 'coaching.endRelationship', args: (w) => [w.relation, w.client] },
  { target: 'coaching.assignPackage', args: (w) => [w.relation, w.coach, { name: '10 seans', sessions: 10, price: 5_000_00, currency: 'TRY', startDate: '2026-03-02T00:00:00Z', endDate: '2026-06-02T00:00:00Z' }] },
  { target: 'coaching.addNote', args: (w) => [w.relation, w.coach, { text: 'iyi gidiyor', visibility: 'visible' }] },
  { target: 'steps.coaching.consumePackageSession', args: (w) => [w.relation] },
  { target: 'steps.coaching.returnPackageSession', args: (w) => [w.relation] },
  { target: 'coaching.scheduleSession', args: (w) => [createInputs.pt_sessions({ coachId: w.coach, clientId: w.client, coachClientId: w.relation, facilityId: w.facility, startTime: '2026-03-05T08:00:00Z', endTime: '2026-03-05T09:00:00Z', workout: { templateId: w.template, exercises: [w.exercise] } })] },
  { target: 'coaching.cancelSession', args: (w) => [w.ptSession, { by: w.client, reason: 'hasta' }] },
  { target: 'coaching.markNoShow', args: (w) => [w.ptSession, w.coach] },
  { target: 'steps.coaching.markSessionCompleted', args: (w) => [w.ptSession, w.coach], inUnit: true },
  { target: 'coaching.recordClientFeedback', args: (w) => [w.ptSession, w.client, { rating: 5, notes: 'harika' }] },
  { target: 'repositories.coachClients.create', args: (w) => [createInputs.coach_clients({ coachId: w.coach, clientId: w.spareUser })] },
  { target: 'repositories.coachClients.createMany', args: (w) => [[createInputs.coach_clients({ coachId: w.coach, clientId: w.owner })], {}], bulkRows: [0] },
  { target: 'repositories.coachClients.patch', args: (w) => [w.relation, { goals: ['güç'] }, {}] },
  { target: 'repositories.coachClients.delete', args: (w) => [w.spareRelation, {}] },
  { target: 'repositories.coachClients.consumeSession', args: (w) => [w.relation] },
  { target: 'repositories.coachClients.returnSession', args: (w) => [w.relation] },
  { target: 'repositories.coachClients.addNote', args: (w) => [w.relation, { text: 'not', visibility: 'private' }] },
  { target: 'repositories.ptSessions.create', args: (w) => [createInputs.pt_sessions({ coachId: w.coach, clientId: w.client, coachClientId: w.relation, facilityId: w.facility })] },
  { target: 'repositories.ptSessions.createMany', args: (w) => [[createInputs.pt_sessions({ coachId: w.coach, clientId: w.client, coachClientId: w.relation, facilityId: w.facility })], {}], bulkRows: [0] },
  { target: 'repositories.ptSessions.patch', args: (w) => [w.ptSession, { notes: { pre: 'ısınma', post: 'iyi' } }, {}] },
  { target: 'repositories.ptSessions.delete', args: (w) => [w.sparePtSession, {}] },
  { target: 'repositories.ptSessions.markCompleted', args: (w) => [w.ptSession, {}] },
  { target: 'repositories.ptSessions.markCancelled', args: (w) => [w.ptSession, { by: w.client, at: '2026-03-02T09:00:00Z', reason: 'hasta' }] },
  { target: 'repositories.ptSessions.markNoShow', args: (w) => [w.ptSession, {}] },
  // analytics and audit
  { target: 'analytics.rollupDay', args: (w) => [{ date: '2026-03-01', businessId: w.facility }] },
  { target: 'analytics.backfill', args: (w) => [{ from: '2026-03-01', to: '2026-03-01', businessId: w.facility }] },
  { target: 'repositories.analyticsDaily.upsert', args: (w) => [{ businessId: w.facility, date: '2026-03-01', newMembers: 1, activeMembers: 10, totalRevenue: 1_500_00, classAttendance: 4, subscriptionRenewals: 0, subscriptionCancellations: 0, metrics: { peakHour: 18 } }], freeForm: [[0, 'metrics']] },
  { target: 'repositories.transactions.createMany', args: (w) => [[{ transactionId: w.newUuid(), userId: w.client, amount: 10_00, currency: 'TRY', paymentMethod: 'card', transactionType: 'purchase', status: 'pending', description: 'deneme', metadata: { source: 'test' } }], { ordered: false }], freeForm: [[0, 0, 'metadata']], bulkRows: [0] },
  { target: 'repositories.subscriptions.createMany', args: (w) => [[{ subscriptionId: w.newUuid(), userId: w.client, planId: 'platform-monthly', status: 'active', startDate: '2026-03-02', endDate: '2026-04-02', billingCycle: 'monthly', billingDay: 2, amount: 1_500_00, currency: 'TRY', paymentMethod: 'card', autoRenew: true, metadata: { source: 'test' } }], { ordered: false }], freeForm: [[0, 0, 'metadata']], bulkRows: [0] },
  { target: 'repositories.invoices.createMany', args: (w) => [[{ invoiceId: w.newUuid(), userId: w.client, businessId: w.facility, totalAmount: 1_800_00, taxAmount: 300_00, status: 'issued', dueDate: '2026-03-15', invoiceData: { lines: [{ description: 'Aylık', amount: 1_800_00 }] } }], { ordered: false }], freeForm: [[0, 0, 'invoiceData']], bulkRows: [0] },
  { target: 'repositories.analyticsDaily.createMany', args: (w) => [[{ businessId: w.facility, date: '2026-02-27', newMembers: 1, activeMembers: 10, totalRevenue: 1_500_00, classAttendance: 4, subscriptionRenewals: 0, subscriptionCancellations: 0, metrics: { peakHour: 18 } }], { ordered: false }], freeForm: [[0, 0, 'metrics']], bulkRows: [0] },
  { target: 'repositories.auditLogs.createMany', args: (w) => [[{ entityType: 'users', entityId: 'user-42', userId: w.owner, action: 'update', previousState: { firstName: 'Ayse' }, newState: { firstName: 'Ayşe' }, ipAddress: '192.0.2.1', userAgent: 'test' }], { ordered: false }], freeForm: [[0, 0, 'previousState'], [0, 0, 'newState']], bulkRows: [0] },
  { target: 'repositories.auditLogs.record', args: (w) => [{ entityType: 'users', entityId: 'user-42', userId: w.owner, action: 'update', previousState: { firstName: 'Ayse' }, newState: { firstName: 'Ayşe' }, ipAddress: '192.0.2.1', userAgent: 'test' }], freeForm: [[0, 'previousState'], [0, 'newState']] },
  // workflows
  { target: 'workflows.purchaseMembership', args: (w) => [{ userId: w.client, payerUserId: w.client, membershipId: w.plan, paymentMethod: 'card', autoRenew: true, idempotencyKey: `purchase-${w.newUuid()}`, startDate: '2026-03-02T09:00:00Z', promoCode: w.promoCodeText }] },
  { target: 'workflows.renewDueSubscriptions', args: () => [{ asOf: '2026-03-02T09:00:00Z' }] },
  { target: 'workflows.retryOverdueRenewals', args: () => [{ asOf: '2026-03-02T09:00:00Z' }] },
  { target: 'workflows.payOverdueMembership', args: (w) => [{ memberSubscriptionId: w.memberSubscription, idempotencyKey: `pay-now-${w.newUuid()}` }] },
  { target: 'workflows.cancelMembership', args: (w) => [{ memberSubscriptionId: w.memberSubscription, when: 'at_period_end', reason: 'taşınıyorum' }] },
  { target: 'workflows.expireEnded', args: () => ['2026-03-02T09:00:00Z'] },
  { target: 'workflows.recoverPaymentIntents', args: () => [{ olderThanMs: 3_600_000, batchSize: 10 }] },
  { target: 'workflows.syncInstructorNames', args: () => [{ batchSize: 100 }] },
  { target: 'workflows.refundMembership', args: (w) => [{ memberSubscriptionId: w.memberSubscription, idempotencyKey: `refund-${w.newUuid()}`, transactionId: w.transactionId, amount: 100_00, reason: 'iade', cancel: false }] },
  { target: 'workflows.bookClass', args: (w) => [{ classId: w.fitnessClass, userId: w.client, occurrenceStart: '2026-03-16T06:00:00Z' }] },
  { target: 'workflows.bookGuest', args: (w) => [{ classId: w.fitnessClass, hostUserId: w.client, occurrenceStart: '2026-03-16T06:00:00Z', guest: { name: 'Misafir Üye', email: 'misafir@example.com' } }] },
  { target: 'workflows.completePtSession', args: (w) => [{ sessionId: w.ptSession, coachId: w.coach }] },
  { target: 'workflows.recordFacilityVisit', args: (w) => [{ userId: w.client, facilityId: w.facility, at: '2026-03-02T09:00:00Z' }] },
  { target: 'privacy.eraseUser', args: (w) => [w.spareUser, { reason: 'KVKK talebi 42', requestedBy: w.owner }] },
  { target: 'workflows.submitPtSessionFeedback', args: (w) => [{ sessionId: w.ptSession, clientId: w.client, rating: 5, notes: 'harika' }] },
  // coach availability and bookable PT slots
  { target: 'coaching.setAvailability', args: (w) => [{ coachId: w.coach, facilityId: w.facility, weekly: [{ day: 1, start: '09:00', end: '12:00' }, { day: 3, start: '14:00', end: '24:00' }], exceptions: [{ date: '2026-04-06', kind: 'off' }, { date: '2026-04-08', kind: 'extra', start: '08:00', end: '09:00' }] }] },
  { target: 'coaching.bookSlot', args: (w) => [{ coachId: w.coach, clientId: w.client, facilityId: w.facility, startTime: '2026-03-09T09:00:00Z', duration: 60, coachClientId: w.relation, notes: 'ilk seans' }] },
  // webhooks
  { target: 'webhooks.registerEndpoint', args: (w) => [{ facilityId: w.facility, url: 'https://hooks.example.com/new', events: ['membership.purchased', 'custom'], description: 'CRM' }] },
  { target: 'webhooks.updateEndpoint', args: (w) => [w.webhookEndpoint, { url: 'https://hooks.example.com/moved', events: ['*'], description: 'CRM', active: true }], nullable: [[1, 'description']] },
  { target: 'webhooks.rotateEndpointSecret', args: (w) => [w.webhookEndpoint] },
  { target: 'webhooks.disableEndpoint', args: (w) => [w.webhookEndpoint] },
  { target: 'webhooks.redeliver', args: (w) => [w.webhookDelivery] },
  { target: 'webhooks.dispatch', args: () => [{ limit: 10, concurrency: 2 }] },
  { target: 'webhooks.purgeDeliveries', args: () => [{ olderThanDays: 30, batchSize: 100 }] },
  { target: 'workflows.bulkCreate', args: (w) => [{ entity: 'foods', rows: [createInputs.foods({ name: 'Toplu muz' })], ordered: false, idempotencyKey: `bulk-${w.newUuid()}`, dryRun: false }], bulkRows: [0, 'rows'] },
  // plan changes
  { target: 'workflows.changeMembershipPlan', args: (w) => [{ memberSubscriptionId: w.memberSubscription, membershipId: w.plan, paymentMethod: 'card', idempotencyKey: `plan-change-${w.newUuid()}` }] },
  { target: 'steps.memberships.changeSubscriptionPlan', args: (w) => [w.memberSubscription, { membershipId: w.plan, expectedVersion: 1 }] },
  // class packs and session credits
  { target: 'memberships.grantCredits', args: (w) => [w.packSubscription, { amount: 2, reason: 'stüdyo kapalıydı' }] },
  { target: 'memberships.revokeCredits', args: (w) => [w.packSubscription, { amount: 1, reason: 'yanlış satış' }] },
  { target: 'memberships.expireCredits', args: () => ['2026-03-02T09:00:00Z'] },
  { target: 'steps.memberships.spendClassCredits', args: (w) => [w.packSubscription, { credits: 1, validAt: '2026-03-04T06:00:00Z', timeZone: 'Europe/Istanbul' }], inUnit: true },
  { target: 'steps.memberships.returnClassCredits', args: (w) => [w.packSubscription, 1], inUnit: true },
  { target: 'repositories.memberSubscriptions.spendCredits', args: (w) => [w.packSubscription, 1, '2026-03-04T06:00:00Z', { at: '2026-03-02T09:00:00Z', expiresAt: '2026-04-02T09:00:00Z' }], nullable: [[3]] },
  { target: 'repositories.memberSubscriptions.addCredits', args: (w) => [w.packSubscription, 1, true] },
  { target: 'repositories.memberSubscriptions.removeCredits', args: (w) => [w.packSubscription, 1] },
  { target: 'steps.memberships.spendGuestPass', args: (w) => [w.memberSubscription], inUnit: true },
  { target: 'steps.memberships.returnGuestPass', args: (w) => [w.memberSubscription], inUnit: true },
  { target: 'repositories.memberSubscriptions.spendGuestPass', args: (w) => [w.memberSubscription, 2] },
  { target: 'repositories.memberSubscriptions.returnGuestPass', args: (w) => [w.memberSubscription] },
  { target: 'repositories.memberSubscriptions.setGuestPasses', args: (w) => [w.memberSubscription, 2, 0], nullable: [[1]] },
  { target: 'repositories.memberSubscriptions.forfeitExpiredCredits', args: (w) => [w.packSubscription, '2026-03-02T09:00:00Z'] },
  { target: 'bookings.liftSuspension', args: (w) => [{ userId: w.client, facilityId: w.facility, reason: 'doktor raporu' }] },
  // liability waivers
  { target: 'waivers.publish', args: (w) => [{ facilityId: w.facility, title: 'Sorumluluk feragatnamesi', body: 'Derslere kendi sorumluluğumda katılıyorum.', requiresResign: true }] },
  { target: 'waivers.sign', args: (w) => [{ userId: w.client, facilityId: w.facility, version: 1, signedName: 'Ayşe Yılmaz', ipAddress: '203.0.113.7', userAgent: 'NexFit iOS 3.2' }] },
  // family and payer accounts
  { target: 'accountLinks.link', args: (w) => [{ accountUserId: w.coach, dependantUserId: w.client, relation: 'payer', facilityId: w.facility }] },
  { target: 'accountLinks.revoke', args: (w) => [w.accountLink] },
  { target: 'accountLinks.revokeComeOfAge', args: () => ['2026-03-02T09:00:00Z'] },
  { target: 'repositories.accountLinks.create', args: (w) => [{ accountUserId: w.coach, dependantUserId: w.spareUser, relation: 'payer', status: 'revoked', createdBy: w.owner }] },
  { target: 'repositories.accountLinks.createMany', args: (w) => [[{ accountUserId: w.coach, dependantUserId: w.owner, relation: 'payer', status: 'revoked' }], {}], bulkRows: [0] },
  { target: 'repositories.accountLinks.patch', args: (w) => [w.accountLink, { status: 'revoked', revokedAt: '2026-03-02T09:00:00Z', revokedBy: w.owner }, {}] },
  { target: 'repositories.accountLinks.delete', args: (w) => [w.spareAccountLink, {}] },
  { target: 'repositories.accountLinks.holdActive', args: (w) => [w.owner, w.client, '2026-03-02T09:00:00Z'] },
  { target: 'repositories.accountLinks.deleteAllOfUser', args: (w) => [w.spareUser] },
  // promo codes
  {
    target: 'promoCodes.create',
    args: (w) => [{ facilityId: w.facility, code: `bahar-${w.newUuid().slice(0, 8)}`, kind: 'fixed', value: 100_00, currency: 'TRY', cycles: 3, validFrom: '2026-03-01T00:00:00Z', validUntil: '2026-04-01T00:00:00Z', maxRedemptions: 100, maxRedemptionsPerUser: 1, planIds: [w.plan] }],
  },
  { target: 'promoCodes.deactivate', args: (w) => [w.facility, w.promoCode] },
  { target: 'repositories.memberSubscriptions.useDiscountCycle', args: (w) => [w.memberSubscription] },
  // membership freezes
  { target: 'workflows.freezeMembership', args: (w) => [{ memberSubscriptionId: w.memberSubscription, startDate: '2026-03-10', resumeDate: '2026-03-17', reason: 'seyahat', fee: { amount: 50_00, currency: 'TRY' }, idempotencyKey: `freeze-${w.newUuid()}` }] },
  { target: 'workflows.unfreezeMembership', args: (w) => [{ memberSubscriptionId: w.memberSubscription, freezeId: w.newUuid(), resumeDate: '2026-03-12' }] },
  { target: 'workflows.applyFreezes', args: () => [{ asOf: '2026-03-02T09:00:00Z' }] },
  // late-cancellation and no-show fees
  { target: 'workflows.waiveFee', args: (w) => [{ bookingId: w.booking, reason: 'doktor raporu' }] },
  { target: 'workflows.collectUnpaidFees', args: () => [{ asOf: '2026-03-02T09:00:00Z' }] },
  {
    target: 'steps.memberships.freezeSubscription',
    args: (w) => [w.memberSubscription, { startDate: '2026-03-10', resumeDate: '2026-03-17', reason: 'seyahat', timeZone: 'Europe/Istanbul', policy: { maxDaysPerFreeze: 90, maxDaysPerYear: 90 } }],
  },
  { target: 'steps.memberships.unfreezeSubscription', args: (w) => [w.memberSubscription, { freezeId: w.newUuid(), resumeDate: '2026-03-12', timeZone: 'Europe/Istanbul' }] },
  { target: 'steps.memberships.applySubscriptionFreezes', args: (w) => [w.memberSubscription, { asOf: '2026-03-02T09:00:00Z', timeZone: 'Europe/Istanbul' }] },
  {
    target: 'repositories.memberSubscriptions.writeFreezes',
    args: (w) => [
      w.memberSubscription,
      { freezes: [{ freezeId: w.newUuid(), startsAt: '2026-03-09T21:00:00Z', resumesAt: '2026-03-16T21:00:00Z', latestResumesAt: '2026-03-16T21:00:00Z', days: 7, status: 'scheduled', requestedAt: '2026-03-02T09:00:00Z' }], endDate: '2026-04-09T09:00:00Z' },
      { expectedVersion: 1 },
    ],
  },
  // failed renewals (dunning)
  {
    target: 'steps.memberships.writeDunning',
    args: (w) => [
      w.memberSubscription,
      { dunning: { periodEnd: '2026-04-02T09:00:00Z', since: '2026-04-02T03:00:00Z', attempts: [{ at: '2026-04-02T03:00:00Z', outcome: 'declined' }], nextRetryAt: '2026-04-02T21:00:00Z' }, writeOff: false },
      { expectedVersion: 1 },
    ],
    nullable: [[1, 'dunning']],
  },
  {
    target: 'repositories.memberSubscriptions.writeDunning',
    args: (w) => [
      w.memberSubscription,
      { dunning: { periodEnd: '2026-04-02T09:00:00Z', since: '2026-04-02T03:00:00Z', attempts: [{ at: '2026-04-02T03:00:00Z', outcome: 'declined' }], nextRetryAt: '2026-04-02T21:00:00Z' }, writeOff: false },
      { expectedVersion: 1 },
    ],
    nullable: [[1, 'dunning']],
  },
];

/** Cases per entry point: about 10 000 in all, so the corpus runs in well under a minute on two cores. */
const RUNS_PER_ENTRY_POINT = Number(process.env["NEXFIT_HOSTILE_RUNS"] ?? 60);

function resolve(nexfit: Nexfit, target: string): { owner: object; method: (...args: unknown[]) => Promise<unknown> } {
  const parts = target.split('.');
  const name = parts.pop()!;
  // `steps.<service>.<step>`: a workflow step, not on the instance but still validating its input.
  const root = parts[0] === 'steps' ? { steps: workflowStepsOf(nexfit) } : nexfit;
  const owner = parts.reduce<any>((o, key) => o[key], root) as Record<string, unknown>;
  const method = owner[name];
  if (typeof method !== 'function') throw new Error(`${target} is not a method of the instance`);
  return { owner, method: method as (...args: unknown[]) => Promise<unknown> };
}

/** The index of the row a mutation at `path` changed, when it is inside one of the rows at `rows`. */
function rowOfPath(rows: Path, path: Path): number | undefined {
  if (path.length <= rows.length || !rows.every((key, i) => path[i] === key)) return undefined;
  return path[rows.length] as number;
}

function call(nexfit: Nexfit, entry: EntryPoint, args: unknown[]): Promise<unknown> {
  const { owner, method } = resolve(nexfit, entry.target);
  if (entry.inUnit) return nexfit.unitOfWork((uow) => method.apply(owner, [...args, uow]));
  return Promise.resolve().then(() => method.apply(owner, args));
}

/** Every public method of a service or repository object, read from its prototype chain. */
function publicMethods(object: object): string[] {
  const names = new Set<string>(Object.keys(object).filter((name) => typeof (object as Record<string, unknown>)[name] === 'function'));
  for (let proto = Object.getPrototypeOf(object); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name !== 'constructor' && !PROTECTED_MEMBERS.has(name) && typeof (object as Record<string, unknown>)[name] === 'function') names.add(name);
    }
  }
  return [...names];
}

/** Every method of the instance that can write: services, repositories and workflows. */
function writeEntryPoints(nexfit: Nexfit): string[] {
  const out: string[] = [];
  const { repositories, workflows, ...rest } = nexfit as unknown as Record<string, Record<string, unknown>> & { repositories: Record<string, object>; workflows: Record<string, unknown> };
  for (const [name, value] of Object.entries(rest)) {
    if (['mongo', 'pg', 'events', 'stores', 'clock', 'ids'].includes(name) || value === null || typeof value !== 'object') continue;
    for (const method of publicMethods(value)) if (!READ_ONLY.test(method)) out.push(`${name}.${method}`);
  }
  for (const [name, repository] of Object.entries(repositories)) {
    for (const method of publicMethods(repository)) if (!READ_ONLY.test(method)) out.push(`repositories.${name}.${method}`);
  }
  for (const name of Object.keys(workflows)) if (!READ_ONLY.test(name)) out.push(`workflows.${name}`);
  const steps = workflowStepsOf(nexfit) as unknown as Record<string, object>;
  for (const [name, service] of Object.entries(steps)) {
    const onTheInstance = new Set(publicMethods((nexfit as unknown as Record<string, object>)[name]!));
    for (const method of publicMethods(service)) if (!onTheInstance.has(method) && !READ_ONLY.test(method)) out.push(`steps.${name}.${method}`);
  }
  return out.sort();
}

let world: HostileWorld;
beforeAll(async () => {
  world = await hostileWorld(t.nexfit);
});

describe('the hostile-input corpus', () => {
  it('has an entry for every method of the instance that can write, and for nothing else', () => {
    const covered = ENTRY_POINTS.map((e) => e.target).sort();
    expect(new Set(covered).size).toBe(covered.length);
    expect(covered).toEqual(writeEntryPoints(t.nexfit));
  });

  it('reaches every kind of hostile value in hundreds of cases', () => {
    const mutations = new Set<string>();
    let paths = 0;
    for (const entry of ENTRY_POINTS) {
      const samples = fc.sample(hostileCases(entry.args(world), entry.freeForm, entry.nullable, entry.bulkRows), { numRuns: 50, seed: 1 });
      for (const s of samples) mutations.add(s.mutation);
      paths += new Set(samples.map((s) => s.path.join('.'))).size;
    }
    expect(ENTRY_POINTS.length * RUNS_PER_ENTRY_POINT).toBeGreaterThanOrEqual(1_000);
    expect(paths).toBeGreaterThan(1_000);
    for (const kind of ['operator object $gt', 'own __proto__ key (JSON.parse)', 'own constructor key next to valid fields', 'multi-megabyte string', 'oversized array', 'NaN', 'Infinity', 'id not hex', 'calendar date in the year 10000', 'Date before 1900', 'BigInt', 'Symbol', 'function', 'null', 'unknown extra key']) {
      expect(mutations, kind).toContain(kind);
    }
  });
});

describe.each(ENTRY_POINTS.map((e) => [e.target, e] as const))('%s', (_target, entry) => {
  it('refuses every hostile input with a ValidationError and leaves both stores unchanged', async () => {
    const base = entry.args(world);
    const before = await storeSnapshot(t.nexfit.mongo.db, t.nexfit.pg);
    const chargesBefore = payments.charges.length + payments.refunds.length;
    await fc.assert(
      fc.asyncProperty(hostileCases(base, entry.freeForm, entry.nullable, entry.bulkRows), async (hostile: HostileCase) => {
        let thrown: unknown = undefined;
        let result: unknown = undefined;
        try {
          result = await call(t.nexfit, entry, hostile.args);
        } catch (error) {
          thrown = error;
        }
        const summary = thrown instanceof Error ? `${thrown.name} ${(thrown as NexfitError).code ?? ''}: ${thrown.message.slice(0, 300)}` : `resolved ${JSON.stringify(result)?.slice(0, 200)}`;
        const row = entry.bulkRows ? rowOfPath(entry.bulkRows, hostile.path) : undefined;
        if (row !== undefined) {
          // A hostile row is that row's rejection, and nothing of the batch is created.
          expect(thrown, `${describeCase(hostile)} → ${summary}`).toBeUndefined();
          // A repository's `createMany` returns the entities; the `bulkCreate` workflow their ids.
          const { created, createdIds, rejected } = result as Partial<BulkCreateResult<unknown>> & { createdIds?: unknown[]; rejected: BulkCreateResult<unknown>['rejected'] };
          expect(created ?? createdIds, `${describeCase(hostile)} → ${summary}`).toEqual([]);
          expect(rejected.map((r) => [r.index, r.code]), `${describeCase(hostile)} → ${summary}`).toEqual([[row, 'VALIDATION_FAILED']]);
          return;
        }
        expect(thrown, `${describeCase(hostile)} → ${summary}`).toBeInstanceOf(NexfitError);
        expect((thrown as NexfitError).code, `${describeCase(hostile)} → ${summary}`).toBe('VALIDATION_FAILED');
      }),
      { numRuns: RUNS_PER_ENTRY_POINT, endOnFailure: true },
    );
    const after = await storeSnapshot(t.nexfit.mongo.db, t.nexfit.pg);
    expect(after.fingerprints).toEqual(before.fingerprints);
    expect(addedExpiringIds(before, after)).toEqual({});
    expect(payments.charges.length + payments.refunds.length).toBe(chargesBefore);
    expect(({} as Record<string, unknown>)['isAdmin']).toBeUndefined();
  });
});

describe('negative zero', () => {
  it('is stored as the integer 0, so the collection validator never sees a double -0', async () => {
    const plan = await t.nexfit.memberships.createPlan(createInputs.memberships({ facilityId: world.facility, name: 'Sıfır', limitations: { maxClassBookingsPerWeek: -0, classesIncluded: true } }));
    expect(Object.is(plan.limitations.maxClassBookingsPerWeek, 0)).toBe(true);
    const stored = await t.nexfit.mongo.db.collection('memberships').findOne({ name: 'Sıfır' }, { promoteValues: false });
    expect(stored?.['limitations']?.['maxClassBookingsPerWeek']?._bsontype).toBe('Int32');
  });
});

/** The id of an existing entity of each repository, for the reads by id. */
const EXISTING_IDS: Record<string, (w: HostileWorld) => string> = {
  users: (w) => w.client, measurements: (w) => w.measurement, measurementCategories: (w) => w.measurementCategory, exercises: (w) => w.exercise, foods: (w) => w.food,
  workoutTemplates: (w) => w.template, workoutPrograms: (w) => w.program, workoutLogs: (w) => w.workoutLog, nutritionPlans: (w) => w.nutritionPlan, foodDiaryEntries: (w) => w.diaryEntry,
  facilities: (w) => w.facility, memberships: (w) => w.plan, memberSubscriptions: (w) => w.memberSubscription, classes: (w) => w.fitnessClass,
  classBookings: (w) => w.booking, coachClients: (w) => w.relation, ptSessions: (w) => w.ptSession,
  transactions: (w) => w.transactionId, subscriptions: (w) => w.billingSubscriptionId, invoices: (w) => w.invoiceId,
  accountLinks: (w) => w.accountLink,
};

/** Repository methods that read one entity by its id: `getById`, `findById`, `getByInvoiceId`… */
const READ_BY_ID = /^(get|find)By\w*Id$/;

describe('reads by id', () => {
  it('refuse a malformed id with a ValidationError, never a NotFoundError or a driver error', async () => {
    const reads = Object.entries(t.nexfit.repositories).flatMap(([name, repository]) =>
      publicMethods(repository).filter((method) => READ_BY_ID.test(method)).map((method) => ({ name, method })),
    );
    expect(reads.length).toBeGreaterThanOrEqual(2 * 15 + 6);
    for (const { name, method } of reads) {
      const existing = EXISTING_IDS[name];
      expect(existing, `an existing id for repositories.${name}`).toBeDefined();
      const entry: EntryPoint = { target: `repositories.${name}.${method}`, args: (w) => [existing!(w)] };
      await expect(call(t.nexfit, entry, entry.args(world)), `${entry.target} with a valid id`).resolves.toBeTruthy();
      await fc.assert(
        fc.asyncProperty(hostileCases(entry.args(world)), async (hostile) => {
          const outcome = await call(t.nexfit, entry, hostile.args).then(
            () => 'resolved',
            (error: unknown) => (error instanceof NexfitError ? error.code : `untyped ${String(error)}`),
          );
          expect(outcome, `${entry.target}: ${describeCase(hostile)}`).toBe('VALIDATION_FAILED');
        }),
        { numRuns: 40 },
      );
    }
  });
});

describe.each(ENTRY_POINTS.map((e) => [e.target, e] as const))('%s with its valid base input', (_target, entry) => {
  it('passes validation with the unmutated input, so the refusals come from the hostile values', async () => {
    const outcome = await call(t.nexfit, entry, entry.args(world)).then(
      // A bulk call reports refused rows instead of throwing: its base rows must all be written.
      (result) => (entry.bulkRows && (result as BulkCreateResult<unknown>).rejected.length > 0 ? `rows refused: ${JSON.stringify((result as BulkCreateResult<unknown>).rejected)}` : 'accepted'),
      (error: unknown) => (error instanceof NexfitError ? `${error.code}: ${error.message}` : `untyped ${String(error)}`),
    );
    expect(outcome.startsWith('VALIDATION_FAILED') || outcome.startsWith('untyped') || outcome.startsWith('rows refused'), outcome).toBe(false);
  });
});
