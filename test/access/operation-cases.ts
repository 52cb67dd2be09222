import { createInputs } from '../modules/support/factories.js';
import { COACHING_ROLES, PLATFORM_FOOD_BARCODE, type AccessWorld, type MatrixActor } from './access-world.js';

/**
 * How the target of a call relates to the actor — the vocabulary of the policy table's cells:
 * - `self`: the actor's own record (their data, their catalogue entry, the relationship or
 *   session where they are the client, their own business);
 * - `active client`: a record of a user the actor coaches in an active relationship (for
 *   relationships and sessions: the actor is the coach of an active one);
 * - `other client`: the same with a pending relationship;
 * - `own facility`: a record of a facility the actor owns or is on the staff of;
 * - `public`: someone else's public catalogue entry (or the coach directory);
 * - `other`: someone else's record at someone else's facility.
 */
export type Kind = 'self' | 'active client' | 'other client' | 'own facility' | 'public' | 'other';
export const KINDS: readonly Kind[] = ['self', 'active client', 'other client', 'own facility', 'public', 'other'];

/** What an operation is about, which decides the kinds of target it is tried on. */
export type SubjectType = 'none' | 'user' | 'catalogue' | 'facility' | 'member' | 'relation' | 'business' | 'role';
export const KINDS_BY_SUBJECT: Readonly<Record<SubjectType, readonly Kind[]>> = {
  none: ['other'],
  user: ['self', 'active client', 'other client', 'other'],
  catalogue: ['self', 'public', 'other'],
  facility: ['own facility', 'other'],
  member: ['self', 'own facility', 'other'],
  relation: ['self', 'active client', 'other client', 'other'],
  business: ['self', 'own facility', 'other'],
  role: ['public', 'other'],
};

/** One concrete target of one call. */
export interface Target {
  readonly kind: Kind;
  readonly actor: string;
  /** Whose record it is (the client side of a relationship or session). */
  readonly user: string;
  /** The coach side of a relationship or session. */
  readonly coach: string;
  readonly status: 'active' | 'pending';
  readonly facility: string;
  /** `analytics.report`'s business: the actor themself, or a facility. */
  readonly business: string;
  readonly isPublic: boolean;
  /** Records made for this call only (destructive calls). */
  readonly fresh: boolean;
  readonly w: AccessWorld;
}

/** The target of `kind` for `actor`, or `null` when the world gives this actor none (a client has no clients). */
export async function targetFor(w: AccessWorld, actor: MatrixActor, kind: Kind, fresh: boolean): Promise<Target | null> {
  const coaches = COACHING_ROLES.includes(actor.column as never);
  const ownFacility = w.ownFacilities.get(actor.id);
  const base = { kind, actor: actor.id, fresh, w, isPublic: false, status: 'active' as const, coach: fresh ? await w.newUser() : w.helperCoach };
  switch (kind) {
    case 'self':
      return { ...base, user: actor.id, facility: w.otherFacility, business: actor.id };
    case 'active client':
      if (!coaches) return null;
      return { ...base, coach: actor.id, user: fresh ? await w.newUser() : w.activeClients.get(actor.id)!, facility: w.otherFacility, business: w.otherFacility };
    case 'other client':
      if (!coaches) return null;
      return { ...base, coach: actor.id, status: 'pending', user: fresh ? await w.newUser() : w.pendingClients.get(actor.id)!, facility: w.otherFacility, business: w.otherFacility };
    case 'own facility':
      if (!ownFacility) return null;
      return { ...base, user: fresh ? await w.newUser() : w.stranger, facility: ownFacility, business: ownFacility };
    case 'public':
      return { ...base, user: w.stranger, facility: w.otherFacility, business: w.otherFacility, isPublic: true };
    case 'other':
      return { ...base, user: fresh ? await w.newUser() : w.stranger, facility: w.otherFacility, business: w.otherFacility };
  }
}

export type AnyScope = Record<string, Record<string, (...args: any[]) => unknown>>;

export interface OperationCase {
  readonly subject: SubjectType;
  /** Build the records of each call afresh (the call deletes, ends or otherwise uses them up). */
  readonly fresh?: boolean;
  /** Prepares the call's records (as the system) and returns the call. */
  readonly call: (t: Target) => Promise<(s: AnyScope) => unknown>;
  /** Puts the world back after the allowed calls (e.g. reactivates users). */
  readonly after?: (w: AccessWorld) => Promise<void>;
}

const DAY = { from: '2026-01-01', to: '2026-03-31' };
const OCCURRENCE = new Date('2026-03-02T06:00:00Z');
const PAYMENT = (t: Target) => ({ amount: 1_500_00, currency: 'TRY', date: '2026-03-02T09:00:00Z', method: 'card', status: 'completed', transactionId: t.w.newUuid() });
const c = (subject: SubjectType, call: OperationCase['call'], extra: Partial<OperationCase> = {}): OperationCase => ({ subject, call, ...extra });
const r = (t: Target) => t.w.records;
const relationOf = (t: Target) => r(t).relation(t.coach, t.user, t.status);
const sessionOf = async (t: Target) => {
  await relationOf(t);
  return r(t).ptSession(t.coach, t.user, t.fresh);
};

/** One case per public operation of the services and workflows. */
export const OPERATION_CASES: Readonly<Record<string, OperationCase>> = {
  // users
  'users.register': c('none', async (t) => (s) => s.users!.register!({ ...createInputs.users({ email: `new-${t.w.next()}@example.com`, roleSpecificData: {} }), password: 'gizli-şifre-1' })),
  'users.verifyCredentials': c('none', async () => (s) => s.users!.verifyCredentials!('user-1@example.com', 'yanlış-şifre-1')),
  'users.changePassword': c('user', async (t) => (s) => s.users!.changePassword!(t.user, { currentPassword: 'yanlış-şifre-1', newPassword: 'yeni-şifre-22' })),
  'users.getById': c('user', async (t) => (s) => s.users!.getById!(t.user)),
  'users.findByEmail': c('none', async () => (s) => s.users!.findByEmail!('user-1@example.com')),
  'users.listByRole': c('role', async (t) => (s) => s.users!.listByRole!(t.isPublic ? 'coach' : 'client')),
  'users.addRole': c('user', async (t) => (s) => s.users!.addRole!(t.user, 'coach', { specializations: ['yoga'] })),
  'users.removeRole': c('user', async (t) => (s) => s.users!.removeRole!(t.user, 'coach')),
  'users.deactivate': c('user', async (t) => (s) => s.users!.deactivate!(t.user), { after: reactivateEveryone }),
  'users.reactivate': c('user', async (t) => (s) => s.users!.reactivate!(t.user)),
  'users.updateProfile': c('user', async (t) => (s) => s.users!.updateProfile!(t.user, { firstName: 'Yeni' })),
  'users.setFcmToken': c('user', async (t) => (s) => s.users!.setFcmToken!(t.user, `fcm-${t.w.next()}`)),

  // measurements
  'measurements.record': c('user', async (t) => (s) => s.measurements!.record!({ userId: t.user, date: `2026-01-${String(1 + (t.w.next() % 28)).padStart(2, '0')}`, measurements: { weight: 71 } })),
  'measurements.getForDay': c('user', async (t) => (s) => s.measurements!.getForDay!(t.user, '2026-02-01')),
  'measurements.addProgressPhoto': c('user', async (t) => (s) => s.measurements!.addProgressPhoto!(t.user, { url: 'https://cdn.example.com/p.jpg', position: 'front', date: '2026-03-01' })),
  'measurements.progressPhotos': c('user', async (t) => (s) => s.measurements!.progressPhotos!(t.user, DAY)),
  'measurements.history': c('user', async (t) => (s) => s.measurements!.history!(t.user, DAY)),
  'measurements.progress': c('user', async (t) => (s) => s.measurements!.progress!(t.user, DAY)),
  'measurements.trend': c('user', async (t) => (s) => s.measurements!.trend!(t.user, DAY)),
  'measurements.bmi': c('user', async (t) => (s) => s.measurements!.bmi!(t.user)),
  'measurements.addReading': c('user', async (t) => (s) =>
    s.measurements!.addReading!(t.user, { takenAt: `2026-02-10T${String(t.w.next() % 24).padStart(2, '0')}:${String(t.w.next() % 60).padStart(2, '0')}:00Z`, measurements: { weight: 70 } })),
  'measurements.removeReading': c('user', async (t) => {
    const takenAt = `2026-01-${String(1 + (t.w.next() % 28)).padStart(2, '0')}T07:00:00Z`;
    await t.w.nexfit.measurements.addReading(t.user as never, { takenAt, measurements: { weight: 70 } });
    return (s) => s.measurements!.removeReading!(t.user, { day: takenAt.slice(0, 10), takenAt });
  }, { fresh: true }),
  'measurements.defineCategory': c('user', async (t) => (s) => s.measurements!.defineCategory!(t.user, { name: `Ölçü ${t.w.next()}`, unit: 'cm' })),
  'measurements.renameCategory': c('user', async (t) => {
    const id = await r(t).measurementCategory(t.user);
    return (s) => s.measurements!.renameCategory!(t.user, id, { name: `Ölçü ${t.w.next()}` });
  }),
  'measurements.deleteCategory': c('user', async (t) => {
    const id = await r(t).measurementCategory(t.user, true);
    return (s) => s.measurements!.deleteCategory!(t.user, id);
  }, { fresh: true }),
  'measurements.listCategories': c('user', async (t) => (s) => s.measurements!.listCategories!(t.user)),
  'measurements.categoryHistory': c('user', async (t) => {
    const id = await r(t).measurementCategory(t.user);
    return (s) => s.measurements!.categoryHistory!(t.user, id, DAY);
  }),

  // catalogue
  'catalog.createExercise': c('user', async (t) => (s) => s.catalog!.createExercise!(createInputs.exercises({ name: `Yeni ${t.w.next()}`, createdBy: t.user, alternateExercises: [] }))),
  'catalog.getExercise': c('catalogue', async (t) => {
    const id = await r(t).exercise(t.user, t.isPublic);
    return (s) => s.catalog!.getExercise!(id, t.actor);
  }),
  'catalog.getWithAlternates': c('catalogue', async (t) => {
    const id = await r(t).exercise(t.user, t.isPublic);
    return (s) => s.catalog!.getWithAlternates!(id, t.actor);
  }),
  'catalog.searchExercises': c('user', async (t) => (s) => s.catalog!.searchExercises!({ visibleTo: t.user })),
  'catalog.updateExercise': c('catalogue', async (t) => {
    const id = await r(t).exercise(t.user, t.isPublic);
    return (s) => s.catalog!.updateExercise!(id, { description: `güncel ${t.w.next()}` }, t.actor);
  }),
  'catalog.addAlternate': c('catalogue', async (t) => {
    const id = await r(t).exercise(t.user, t.isPublic);
    return (s) => s.catalog!.addAlternate!(id, t.w.platformExercise, t.actor);
  }),
  'catalog.removeAlternate': c('catalogue', async (t) => {
    const id = await r(t).exercise(t.user, t.isPublic);
    return (s) => s.catalog!.removeAlternate!(id, t.w.platformExercise, t.actor);
  }),
  'catalog.deleteExercise': c('catalogue', async (t) => {
    const id = await r(t).exercise(t.user, t.isPublic, true);
    return (s) => s.catalog!.deleteExercise!(id, t.actor);
  }, { fresh: true }),
  'catalog.createFood': c('user', async (t) => (s) => s.catalog!.createFood!(createInputs.foods({ name: `Yeni ${t.w.next()}`, createdBy: t.user }))),
  'catalog.getFood': c('none', async (t) => (s) => s.catalog!.getFood!(t.w.platformFood)),
  'catalog.updateFood': c('user', async (t) => {
    const id = await r(t).food(t.user);
    return (s) => s.catalog!.updateFood!(id, { category: 'grains' });
  }),
  'catalog.findFoodByBarcode': c('none', async () => (s) => s.catalog!.findFoodByBarcode!(PLATFORM_FOOD_BARCODE)),
  'catalog.searchFoods': c('none', async () => (s) => s.catalog!.searchFoods!({ text: 'yulaf' })),
  'catalog.nutrientsFor': c('none', async (t) => (s) => s.catalog!.nutrientsFor!(t.w.platformFood, 80, 'g')),

  // workouts
  'workouts.createTemplate': c('user', async (t) => (s) => s.workouts!.createTemplate!(createInputs.workout_templates({ createdBy: t.user, exercises: [{ exerciseId: t.w.platformExercise, order: 1, defaultSets: [{ reps: 8 }] }] }))),
  'workouts.getTemplate': c('catalogue', async (t) => {
    const id = await r(t).template(t.user, t.isPublic);
    return (s) => s.workouts!.getTemplate!(id);
  }),
  'workouts.updateTemplate': c('catalogue', async (t) => {
    const id = await r(t).template(t.user, t.isPublic);
    return (s) => s.workouts!.updateTemplate!(id, { description: 'güncel' }, t.actor);
  }),
  'workouts.publishTemplate': c('catalogue', async (t) => {
    const id = await r(t).template(t.user, t.isPublic);
    return (s) => s.workouts!.publishTemplate!(id, t.actor);
  }),
  'workouts.listPublicTemplates': c('none', async () => (s) => s.workouts!.listPublicTemplates!()),
  'workouts.rateTemplate': c('catalogue', async (t) => {
    const id = await r(t).template(t.user, t.isPublic);
    return (s) => s.workouts!.rateTemplate!(id, t.actor, 4);
  }),
  'workouts.createProgram': c('user', async (t) => (s) => s.workouts!.createProgram!(createInputs.workout_programs({ createdBy: t.user, schedule: [{ day: 1, workoutTemplateId: t.w.platformTemplate, isRestDay: false }] }))),
  'workouts.getProgram': c('catalogue', async (t) => {
    const id = await r(t).program(t.user, t.isPublic);
    return (s) => s.workouts!.getProgram!(id);
  }),
  'workouts.updateProgram': c('catalogue', async (t) => {
    const id = await r(t).program(t.user, t.isPublic);
    return (s) => s.workouts!.updateProgram!(id, { description: 'güncel' }, t.actor);
  }),
  'workouts.publishProgram': c('catalogue', async (t) => {
    const id = await r(t).program(t.user, t.isPublic);
    return (s) => s.workouts!.publishProgram!(id, t.actor);
  }),
  'workouts.listPublicPrograms': c('none', async () => (s) => s.workouts!.listPublicPrograms!()),
  'workouts.rateProgram': c('catalogue', async (t) => {
    const id = await r(t).program(t.user, t.isPublic);
    return (s) => s.workouts!.rateProgram!(id, t.actor, 5);
  }),

  // workout logs
  'workoutLogs.logWorkout': c('user', async (t) => (s) => s.workoutLogs!.logWorkout!(createInputs.workout_logs({ userId: t.user, workoutTemplateId: t.w.platformTemplate, exercises: [{ exerciseId: t.w.platformExercise, sets: [{ reps: 10, weight: 60, completed: true }] }] }))),
  'workoutLogs.nextPrescription': c('user', async (t) => {
    const programId = await r(t).program(t.w.helperCoach, true);
    return (s) => s.workoutLogs!.nextPrescription!({ userId: t.user, programId, startedOn: '2026-03-02', date: '2026-03-09' });
  }),
  'workoutLogs.getLog': c('user', async (t) => {
    const id = await r(t).workoutLog(t.user);
    return (s) => s.workoutLogs!.getLog!(id);
  }),
  'workoutLogs.listLogs': c('user', async (t) => (s) => s.workoutLogs!.listLogs!(t.user, { from: '2026-01-01' }, { limit: 5 })),
  'workoutLogs.personalRecords': c('user', async (t) => (s) => s.workoutLogs!.personalRecords!(t.user, t.w.platformExercise)),
  'workoutLogs.weeklyVolume': c('user', async (t) => (s) => s.workoutLogs!.weeklyVolume!(t.user, DAY)),
  'workoutLogs.trainingStatistics': c('user', async (t) => (s) => s.workoutLogs!.trainingStatistics!(t.user, DAY)),
  'workoutLogs.streaks': c('user', async (t) => (s) => s.workoutLogs!.streaks!(t.user, { asOf: '2026-03-01' })),
  'workoutLogs.compareWithPlan': c('user', async (t) => {
    const id = await r(t).workoutLog(t.user);
    return (s) => s.workoutLogs!.compareWithPlan!(id);
  }),

  // nutrition
  'nutrition.createPlan': c('user', async (t) => (s) =>
    s.nutrition!.createPlan!({ ...createInputs.nutrition_plans({ createdBy: t.actor, forUserId: t.user }), meals: [{ name: 'Kahvaltı', time: '08:30', foods: [{ foodId: t.w.platformFood, quantity: 40, unit: 'g' }] }] })),
  'nutrition.updatePlan': c('catalogue', async (t) => {
    const id = await r(t).nutritionPlan(t.user, t.isPublic);
    return (s) => s.nutrition!.updatePlan!(id, { description: 'güncel' });
  }),
  'nutrition.recalculatePlan': c('catalogue', async (t) => {
    const id = await r(t).nutritionPlan(t.user, t.isPublic);
    return (s) => s.nutrition!.recalculatePlan!(id);
  }),
  'nutrition.getPlan': c('catalogue', async (t) => {
    const id = await r(t).nutritionPlan(t.user, t.isPublic);
    return (s) => s.nutrition!.getPlan!(id);
  }),
  'nutrition.listByAuthor': c('user', async (t) => (s) => s.nutrition!.listByAuthor!(t.user)),
  'nutrition.listForClient': c('user', async (t) => (s) => s.nutrition!.listForClient!(t.user)),
  'nutrition.deletePlan': c('catalogue', async (t) => {
    const id = await r(t).nutritionPlan(t.user, t.isPublic, true);
    return (s) => s.nutrition!.deletePlan!(id);
  }, { fresh: true }),
  'nutrition.estimateEnergy': c('user', async (t) => (s) => s.nutrition!.estimateEnergy!({ userId: t.user, sex: 'female', activityLevel: 'moderate', weightKg: 60, heightCm: 165, dateOfBirth: '1990-01-01' })),
  'nutrition.summarizePlan': c('catalogue', async (t) => {
    const id = await r(t).nutritionPlan(t.user, t.isPublic);
    return (s) => s.nutrition!.summarizePlan!(id);
  }),
  // Copies the actor's own template to the target user.
  'nutrition.copyTemplateToClient': c('user', async (t) => {
    const id = await r(t).nutritionPlan(t.actor, false);
    return (s) => s.nutrition!.copyTemplateToClient!(id, t.user, { createdBy: t.actor });
  }),

  // food diary
  'foodDiary.logFood': c('user', async (t) => (s) => s.foodDiary!.logFood!({ userId: t.user, eatenAt: '2026-02-11T12:30:00Z', meal: 'lunch', foodId: t.w.platformFood, amount: 80, unit: 'g' })),
  'foodDiary.updateEntry': c('user', async (t) => {
    const id = await r(t).diaryEntry(t.user);
    return (s) => s.foodDiary!.updateEntry!(id, { amount: 40 + (t.w.next() % 20) });
  }),
  'foodDiary.deleteEntry': c('user', async (t) => {
    const id = await r(t).diaryEntry(t.user, true);
    return (s) => s.foodDiary!.deleteEntry!(id);
  }, { fresh: true }),
  'foodDiary.getEntry': c('user', async (t) => {
    const id = await r(t).diaryEntry(t.user);
    return (s) => s.foodDiary!.getEntry!(id);
  }),
  'foodDiary.listDay': c('user', async (t) => (s) => s.foodDiary!.listDay!({ userId: t.user, date: '2026-02-10' })),
  'foodDiary.dayTotals': c('user', async (t) => (s) => s.foodDiary!.dayTotals!({ userId: t.user, date: '2026-02-10' })),

  // facilities
  'facilities.create': c('user', async (t) => (s) => s.facilities!.create!(createInputs.facilities({ ownerId: t.user, staff: [], name: `Yeni ${t.w.next()}` }))),
  'facilities.getById': c('facility', async (t) => (s) => s.facilities!.getById!(t.facility)),
  'facilities.update': c('facility', async (t) => (s) => s.facilities!.update!(t.facility, { description: `güncel ${t.w.next()}` })),
  'facilities.listByOwner': c('none', async (t) => (s) => s.facilities!.listByOwner!(t.w.byRole.gym_owner)),
  'facilities.addStaff': c('facility', async (t) => {
    const hire = await t.w.newUser();
    return (s) => s.facilities!.addStaff!(t.facility, { userId: hire, role: 'other', permissions: [] });
  }),
  'facilities.changeStaff': c('facility', async (t) => (s) => s.facilities!.changeStaff!(t.facility, t.w.spareStaff, { permissions: [] })),
  'facilities.removeStaff': c('facility', async (t) => (s) => s.facilities!.removeStaff!(t.facility, t.w.spareStaff)),
  'facilities.hasPermission': c('facility', async (t) => (s) => s.facilities!.hasPermission!(t.facility, t.w.spareStaff, 'manage_classes')),
  'facilities.isOpenAt': c('facility', async (t) => (s) => s.facilities!.isOpenAt!(t.facility, OCCURRENCE)),
  'facilities.nextOpening': c('facility', async (t) => (s) => s.facilities!.nextOpening!(t.facility, OCCURRENCE)),
  'facilities.findNear': c('none', async () => (s) => s.facilities!.findNear!({ latitude: 40.98, longitude: 29.03 }, { maxDistanceMeters: 5_000 })),

  // memberships
  'memberships.createPlan': c('facility', async (t) => (s) => s.memberships!.createPlan!(createInputs.memberships({ facilityId: t.facility, name: `Plan ${t.w.next()}` }))),
  'memberships.getPlan': c('facility', async (t) => {
    const id = await r(t).membershipPlan(t.facility);
    return (s) => s.memberships!.getPlan!(id);
  }),
  'memberships.updatePlan': c('facility', async (t) => {
    const id = await r(t).membershipPlan(t.facility);
    return (s) => s.memberships!.updatePlan!(id, { description: 'güncel' });
  }),
  'memberships.deactivatePlan': c('facility', async (t) => {
    const id = (await t.w.nexfit.repositories.memberships.create(createInputs.memberships({ facilityId: t.facility }) as never)).id;
    return (s) => s.memberships!.deactivatePlan!(id);
  }),
  'memberships.listPlans': c('facility', async (t) => (s) => s.memberships!.listPlans!(t.facility)),
  'memberships.getSubscription': c('member', async (t) => {
    const id = await r(t).memberSubscription(t.user, t.facility);
    return (s) => s.memberships!.getSubscription!(id);
  }),
  'memberships.listSubscriptionsByUser': c('user', async (t) => (s) => s.memberships!.listSubscriptionsByUser!(t.user)),
  'memberships.listDueForRenewal': c('none', async () => (s) => s.memberships!.listDueForRenewal!(OCCURRENCE)),
  'memberships.listExpiring': c('none', async () => (s) => s.memberships!.listExpiring!(OCCURRENCE)),
  'memberships.stopAutoRenew': c('member', async (t) => {
    const id = await r(t).memberSubscription(t.user, t.facility);
    return (s) => s.memberships!.stopAutoRenew!(id, 'taşınıyorum');
  }),
  'memberships.cancelSubscription': c('member', async (t) => {
    const id = await r(t).memberSubscription(t.user, t.facility, true);
    return (s) => s.memberships!.cancelSubscription!(id, { when: 'at_period_end', reason: 'taşınıyorum' });
  }, { fresh: true }),
  'memberships.visitsInWeek': c('member', async (t) => {
    const id = await r(t).memberSubscription(t.user, t.facility);
    return (s) => s.memberships!.visitsInWeek!(id, '2026-W10');
  }),

  // billing
  'billing.findBillingSubscription': c('user', async (t) => (s) => s.billing!.findBillingSubscription!(t.user, t.w.newId())),
  'billing.refundedAmount': c('member', async (t) => {
    const transactionId = await r(t).transaction(t.user, t.facility);
    return (s) => s.billing!.refundedAmount!(transactionId);
  }),
  'billing.getTransaction': c('member', async (t) => {
    const transactionId = await r(t).transaction(t.user, t.facility);
    return (s) => s.billing!.getTransaction!(transactionId);
  }),
  'billing.getInvoice': c('member', async (t) => {
    const invoiceId = await r(t).invoice(t.user, t.facility);
    return (s) => s.billing!.getInvoice!(invoiceId);
  }),
  'billing.listUserInvoices': c('user', async (t) => (s) => s.billing!.listUserInvoices!(t.user, {}, { limit: 5 })),
  'billing.listUserTransactions': c('user', async (t) => (s) => s.billing!.listUserTransactions!(t.user, {}, { limit: 5 })),
  'billing.getBillingSubscription': c('user', async (t) => {
    const id = await r(t).billingSubscription(t.user);
    return (s) => s.billing!.getBillingSubscription!(id);
  }),

  // classes
  'classes.createClass': c('facility', async (t) => (s) => s.classes!.createClass!(createInputs.classes({ facilityId: t.facility, instructor: { userId: t.w.helperCoach, name: 'Elif' } }))),
  'classes.getClass': c('facility', async (t) => {
    const id = await r(t).fitnessClass(t.facility);
    return (s) => s.classes!.getClass!(id);
  }),
  'classes.updateClass': c('facility', async (t) => {
    const id = await r(t).fitnessClass(t.facility);
    return (s) => s.classes!.updateClass!(id, { description: `güncel ${t.w.next()}` });
  }),
  'classes.deactivateClass': c('facility', async (t) => {
    const id = (await t.w.nexfit.repositories.classes.create(createInputs.classes({ facilityId: t.facility }) as never)).id;
    return (s) => s.classes!.deactivateClass!(id);
  }),
  'classes.listFacilityClasses': c('facility', async (t) => (s) => s.classes!.listFacilityClasses!(t.facility)),
  'classes.occurrencesBetween': c('facility', async (t) => {
    const fitnessClass = await t.w.nexfit.classes.getClass(await r(t).fitnessClass(t.facility) as never);
    return (s) => s.classes!.occurrencesBetween!(fitnessClass, 'Europe/Istanbul', OCCURRENCE, new Date('2026-03-09T06:00:00Z'));
  }),
  'classes.occurrenceAt': c('facility', async (t) => {
    const fitnessClass = await t.w.nexfit.classes.getClass(await r(t).fitnessClass(t.facility) as never);
    return (s) => s.classes!.occurrenceAt!(fitnessClass, 'Europe/Istanbul', OCCURRENCE);
  }),
  'classes.timetable': c('facility', async (t) => (s) => s.classes!.timetable!(t.facility, 'Europe/Istanbul', OCCURRENCE, new Date('2026-03-09T06:00:00Z'))),

  // bookings
  'bookings.seatsTaken': c('facility', async (t) => {
    const id = await r(t).fitnessClass(t.facility);
    return (s) => s.bookings!.seatsTaken!(id, OCCURRENCE);
  }),
  'bookings.countMemberBookingsAtFacility': c('member', async (t) => (s) => s.bookings!.countMemberBookingsAtFacility!(t.user, t.facility, OCCURRENCE, new Date('2026-03-09T06:00:00Z'))),
  'bookings.getBooking': c('member', async (t) => {
    const id = await r(t).booking(t.user, t.facility);
    return (s) => s.bookings!.getBooking!(id);
  }),
  'bookings.listMemberBookings': c('user', async (t) => (s) => s.bookings!.listMemberBookings!(t.user, {}, { limit: 5 })),
  'bookings.listOccurrenceBookings': c('facility', async (t) => {
    const id = await r(t).fitnessClass(t.facility);
    return (s) => s.bookings!.listOccurrenceBookings!(id, OCCURRENCE);
  }),
  'bookings.cancelBooking': c('member', async (t) => {
    const id = await r(t).booking(t.user, t.facility, true);
    return (s) => s.bookings!.cancelBooking!(id);
  }, { fresh: true }),
  'bookings.checkIn': c('member', async (t) => {
    const id = await r(t).booking(t.user, t.facility, true);
    return (s) => s.bookings!.checkIn!(id);
  }, { fresh: true }),
  'bookings.markNoShows': c('facility', async (t) => {
    const id = await r(t).fitnessClass(t.facility);
    return (s) => s.bookings!.markNoShows!(id, OCCURRENCE);
  }),

  // coaching: `self` is the client side, `active client`/`other client` the coach side
  'coaching.requestCoaching': c('user', async (t) => {
    const coach = await t.w.newUser();
    return (s) => s.coaching!.requestCoaching!({ coachId: coach, clientId: t.user, goals: ['güç'] });
  }),
  'coaching.acceptRequest': c('relation', async (t) => {
    const id = await relationOf(t);
    return (s) => s.coaching!.acceptRequest!(id, t.actor);
  }, { fresh: true }),
  'coaching.declineRequest': c('relation', async (t) => {
    const id = await relationOf(t);
    return (s) => s.coaching!.declineRequest!(id, t.actor);
  }, { fresh: true }),
  'coaching.endRelationship': c('relation', async (t) => {
    const id = await relationOf(t);
    return (s) => s.coaching!.endRelationship!(id, t.actor);
  }, { fresh: true }),
  'coaching.assignPackage': c('relation', async (t) => {
    const id = await relationOf(t);
    return (s) => s.coaching!.assignPackage!(id, t.actor, { name: '10 seans', sessions: 10, price: 5_000_00, currency: 'TRY', startDate: '2026-03-02T00:00:00Z' });
  }),
  'coaching.addNote': c('relation', async (t) => {
    const id = await relationOf(t);
    return (s) => s.coaching!.addNote!(id, t.actor, { text: 'iyi gidiyor', visibility: 'private' });
  }),
  'coaching.getRelationForCoach': c('relation', async (t) => {
    const id = await relationOf(t);
    return (s) => s.coaching!.getRelationForCoach!(id, t.actor);
  }),
  'coaching.getRelationForClient': c('relation', async (t) => {
    const id = await relationOf(t);
    return (s) => s.coaching!.getRelationForClient!(id, t.actor);
  }),
  'coaching.scheduleSession': c('relation', async (t) => {
    const start = Date.parse('2026-04-01T06:00:00Z') + t.w.next() * 7_200_000;
    return (s) => s.coaching!.scheduleSession!(createInputs.pt_sessions({ coachId: t.coach, clientId: t.user, coachClientId: undefined, facilityId: undefined, location: { type: 'online' }, startTime: new Date(start), endTime: new Date(start + 3_600_000), workout: undefined }));
  }),
  'coaching.getSession': c('relation', async (t) => {
    const id = await sessionOf(t);
    return (s) => s.coaching!.getSession!(id);
  }),
  'coaching.listClientSessions': c('user', async (t) => (s) => s.coaching!.listClientSessions!(t.user, {}, { limit: 5 })),
  'coaching.listCoachSessions': c('user', async (t) => (s) => s.coaching!.listCoachSessions!(t.user, {}, { limit: 5 })),
  'coaching.cancelSession': c('relation', async (t) => {
    const id = await sessionOf(t);
    return (s) => s.coaching!.cancelSession!(id, { by: t.actor, reason: 'hasta' });
  }, { fresh: true }),
  'coaching.isLateCancellation': c('none', async () => (s) => s.coaching!.isLateCancellation!({ startTime: OCCURRENCE, cancelledAt: new Date('2026-03-02T05:00:00Z') })),
  'coaching.markNoShow': c('relation', async (t) => {
    const id = await sessionOf(t);
    return (s) => s.coaching!.markNoShow!(id, t.actor);
  }, { fresh: true }),
  'coaching.recordClientFeedback': c('relation', async (t) => {
    const id = await sessionOf(t);
    return (s) => s.coaching!.recordClientFeedback!(id, t.actor, { rating: 5 });
  }),

  // analytics
  'analytics.rollupDay': c('business', async (t) => (s) => s.analytics!.rollupDay!({ date: '2026-03-01', businessId: t.business })),
  'analytics.backfill': c('business', async (t) => (s) => s.analytics!.backfill!({ from: '2026-03-01', to: '2026-03-01', businessId: t.business })),
  'analytics.recompute': c('business', async (t) => (s) => s.analytics!.recompute!({ date: '2026-03-01', businessId: t.business })),
  'analytics.report': c('business', async (t) => (s) => s.analytics!.report!({ businessId: t.business, from: '2026-03-01', to: '2026-03-31' })),

  // workflows
  'workflows.purchaseMembership': c('member', async (t) => {
    const membershipId = await r(t).membershipPlan(t.facility);
    return (s) => s.workflows!.purchaseMembership!({ userId: t.user, membershipId, paymentMethod: 'card', autoRenew: false, idempotencyKey: `key-${t.w.newUuid()}` });
  }),
  'workflows.renewDueSubscriptions': c('none', async () => (s) => s.workflows!.renewDueSubscriptions!({ asOf: OCCURRENCE })),
  'workflows.retryOverdueRenewals': c('none', async () => (s) => s.workflows!.retryOverdueRenewals!({ asOf: OCCURRENCE })),
  'workflows.payOverdueMembership': c('member', async (t) => {
    const id = await r(t).memberSubscription(t.user, t.facility, true);
    return (s) => s.workflows!.payOverdueMembership!({ memberSubscriptionId: id, idempotencyKey: `pay-now-${t.w.next()}` });
  }, { fresh: true }),
  'workflows.recoverPaymentIntents': c('none', async () => (s) => s.workflows!.recoverPaymentIntents!({ olderThanMs: 3_600_000 })),
  'workflows.cancelMembership': c('member', async (t) => {
    const id = await r(t).memberSubscription(t.user, t.facility, true);
    return (s) => s.workflows!.cancelMembership!({ memberSubscriptionId: id, when: 'at_period_end' });
  }, { fresh: true }),
  'workflows.expireEnded': c('none', async () => (s) => s.workflows!.expireEnded!(OCCURRENCE)),
  'workflows.syncInstructorNames': c('none', async () => (s) => s.workflows!.syncInstructorNames!()),
  'workflows.bulkCreate': c('none', async (t) => (s) => s.workflows!.bulkCreate!({ entity: 'foods', rows: [createInputs.foods({ name: `Toplu ${t.w.newUuid()}` })] })),
  'workflows.refundMembership': c('member', async (t) => {
    const id = await r(t).memberSubscription(t.user, t.facility);
    return (s) => s.workflows!.refundMembership!({ memberSubscriptionId: id, amount: 1_00, reason: 'kısmi iade', idempotencyKey: `key-${t.w.newUuid()}` });
  }),
  'workflows.bookClass': c('member', async (t) => {
    const classId = await r(t).fitnessClass(t.facility);
    return (s) => s.workflows!.bookClass!({ classId, userId: t.user, occurrenceStart: OCCURRENCE });
  }),
  'workflows.bookGuest': c('member', async (t) => {
    const classId = await r(t).fitnessClass(t.facility);
    return (s) => s.workflows!.bookGuest!({ classId, hostUserId: t.user, occurrenceStart: OCCURRENCE, guest: { name: 'Misafir Üye', email: 'misafir@example.com' } });
  }),
  'workflows.recordFacilityVisit': c('member', async (t) => (s) => s.workflows!.recordFacilityVisit!({ userId: t.user, facilityId: t.facility, at: '2026-03-02T09:00:00Z' })),
  'workflows.completePtSession': c('relation', async (t) => {
    const id = await sessionOf(t);
    return (s) => s.workflows!.completePtSession!({ sessionId: id, coachId: t.actor });
  }, { fresh: true }),
  'workflows.submitPtSessionFeedback': c('relation', async (t) => {
    const id = await sessionOf(t);
    return (s) => s.workflows!.submitPtSessionFeedback!({ sessionId: id, clientId: t.actor, rating: 5 });
  }),
  'workflows.freezeMembership': c('member', async (t) => {
    const id = await r(t).memberSubscription(t.user, t.facility, true);
    return (s) => s.workflows!.freezeMembership!({ memberSubscriptionId: id, startDate: '2026-03-10', resumeDate: '2026-03-17' });
  }, { fresh: true }),
  'workflows.unfreezeMembership': c('member', async (t) => {
    const id = await r(t).memberSubscription(t.user, t.facility, true);
    return (s) => s.workflows!.unfreezeMembership!({ memberSubscriptionId: id });
  }, { fresh: true }),
  'workflows.applyFreezes': c('none', async () => (s) => s.workflows!.applyFreezes!({ asOf: OCCURRENCE })),

  // privacy
  'privacy.exportUserData': c('user', async (t) => (s) => s.privacy!.exportUserData!(t.user)),
  'privacy.eraseUser': c('user', async (t) => (s) => s.privacy!.eraseUser!(t.user, { reason: 'kullanıcı talebi' })),

  // coach availability and bookable PT slots
  'coaching.setAvailability': c('user', async (t) => (s) => s.coaching!.setAvailability!({ coachId: t.user, facilityId: t.facility, weekly: [{ day: 1, start: '09:00', end: '12:00' }] })),
  'coaching.listCoachAvailability': c('user', async (t) => (s) => s.coaching!.listCoachAvailability!(t.user)),
  'coaching.findFreeSlots': c('user', async (t) => (s) => s.coaching!.findFreeSlots!(t.user, { from: '2026-04-06T00:00:00Z', to: '2026-04-13T00:00:00Z', duration: 60 })),
  'coaching.bookSlot': c('relation', async (t) => {
    const start = Date.parse('2026-05-04T06:00:00Z') + t.w.next() * 7_200_000;
    return (s) => s.coaching!.bookSlot!({ coachId: t.coach, clientId: t.user, facilityId: t.facility, startTime: new Date(start), duration: 60 });
  }),
  // webhooks
  'webhooks.registerEndpoint': c('facility', async (t) => (s) => s.webhooks!.registerEndpoint!({ facilityId: t.facility, url: 'https://hooks.example.com/nexfit', events: ['*'] })),
  'webhooks.updateEndpoint': c('facility', async (t) => {
    const endpointId = await webhookEndpointOf(t);
    return (s) => s.webhooks!.updateEndpoint!(endpointId, { description: `güncel ${t.w.next()}` });
  }),
  'webhooks.rotateEndpointSecret': c('facility', async (t) => {
    const endpointId = await webhookEndpointOf(t);
    return (s) => s.webhooks!.rotateEndpointSecret!(endpointId);
  }),
  'webhooks.disableEndpoint': c(
    'facility',
    async (t) => {
      const endpointId = await webhookEndpointOf(t);
      return (s) => s.webhooks!.disableEndpoint!(endpointId);
    },
    { fresh: true },
  ),
  'webhooks.getEndpoint': c('facility', async (t) => {
    const endpointId = await webhookEndpointOf(t);
    return (s) => s.webhooks!.getEndpoint!(endpointId);
  }),
  'webhooks.listEndpoints': c('facility', async (t) => (s) => s.webhooks!.listEndpoints!(t.facility)),
  'webhooks.listDeliveries': c('facility', async (t) => {
    const endpointId = await webhookEndpointOf(t);
    return (s) => s.webhooks!.listDeliveries!(endpointId);
  }),
  'webhooks.listDeliveryAttempts': c('facility', async (t) => {
    const deliveryId = await webhookDeliveryOf(t);
    return (s) => s.webhooks!.listDeliveryAttempts!(deliveryId);
  }),
  'webhooks.redeliver': c('facility', async (t) => {
    const deliveryId = await webhookDeliveryOf(t);
    return (s) => s.webhooks!.redeliver!(deliveryId);
  }),
  'webhooks.dispatch': c('none', async () => (s) => s.webhooks!.dispatch!({ limit: 1 })),
  'webhooks.purgeDeliveries': c('none', async () => (s) => s.webhooks!.purgeDeliveries!({ olderThanDays: 3650 })),
  // plan changes
  'workflows.changeMembershipPlan': c('member', async (t) => {
    const id = await r(t).memberSubscription(t.user, t.facility);
    const membershipId = await r(t).membershipPlan(t.facility);
    return (s) => s.workflows!.changeMembershipPlan!({ memberSubscriptionId: id, membershipId, paymentMethod: 'card', idempotencyKey: `key-${t.w.newUuid()}` });
  }),
  // class packs and session credits
  'memberships.grantCredits': c('member', async (t) => {
    const id = await packOf(t);
    return (s) => s.memberships!.grantCredits!(id, { amount: 1, reason: 'telafi' });
  }),
  'memberships.revokeCredits': c('member', async (t) => {
    const id = await packOf(t);
    return (s) => s.memberships!.revokeCredits!(id, { amount: 1, reason: 'yanlış satış' });
  }),
  'memberships.expireCredits': c('none', async () => (s) => s.memberships!.expireCredits!(OCCURRENCE)),
  // booking strikes and suspensions
  'bookings.findActiveSuspension': c('member', async (t) => (s) => s.bookings!.findActiveSuspension!(t.user, t.facility)),
  'bookings.listMemberStrikes': c('user', async (t) => (s) => s.bookings!.listMemberStrikes!(t.user, { limit: 5 })),
  'bookings.liftSuspension': c('member', async (t) => (s) => s.bookings!.liftSuspension!({ userId: t.user, facilityId: t.facility, reason: 'doktor raporu' })),
  // liability waivers
  'waivers.publish': c('facility', async (t) => (s) => s.waivers!.publish!({ facilityId: t.facility, title: `Feragatname ${t.w.next()}`, body: 'Derslere kendi sorumluluğumda katılıyorum.' })),
  'waivers.findCurrent': c('facility', async (t) => (s) => s.waivers!.findCurrent!(t.facility)),
  'waivers.getVersion': c('facility', async (t) => {
    const waiver = await waiverOf(t);
    return (s) => s.waivers!.getVersion!(t.facility, waiver.waiverVersion);
  }),
  'waivers.listVersions': c('facility', async (t) => (s) => s.waivers!.listVersions!(t.facility, { limit: 5 })),
  'waivers.sign': c('member', async (t) => {
    const waiver = await waiverOf(t);
    return (s) => s.waivers!.sign!({ userId: t.user, facilityId: t.facility, version: waiver.waiverVersion, signedName: 'Ayşe Yılmaz' });
  }),
  'waivers.listSignatures': c('user', async (t) => (s) => s.waivers!.listSignatures!(t.user, { limit: 5 })),
  'waivers.getClearance': c('member', async (t) => (s) => s.waivers!.getClearance!(t.user, t.facility)),
  // late-cancellation and no-show fees
  'bookings.findBookingFee': c('member', async (t) => {
    const id = await r(t).booking(t.user, t.facility);
    return (s) => s.bookings!.findBookingFee!(id);
  }),
  'workflows.waiveFee': c('member', async (t) => {
    const id = await r(t).booking(t.user, t.facility);
    return (s) => s.workflows!.waiveFee!({ bookingId: id, reason: 'doktor raporu' });
  }),
  'workflows.collectUnpaidFees': c('none', async () => (s) => s.workflows!.collectUnpaidFees!({ asOf: OCCURRENCE })),

  // family and payer accounts (the target user is the dependant of a fresh payer account)
  'accountLinks.link': c('facility', async (t) => {
    const [accountUserId, dependantUserId] = [await t.w.newUser(), await t.w.newUser()];
    return (s) => s.accountLinks!.link!({ accountUserId, dependantUserId, relation: 'payer', facilityId: t.facility });
  }),
  'accountLinks.revoke': c('user', async (t) => {
    const link = await t.w.nexfit.accountLinks.link({ accountUserId: await t.w.newUser(), dependantUserId: t.user, relation: 'payer' });
    return (s) => s.accountLinks!.revoke!(link.id);
  }, { fresh: true }),
  'accountLinks.getLink': c('user', async (t) => {
    const link = await t.w.nexfit.accountLinks.link({ accountUserId: await t.w.newUser(), dependantUserId: t.user, relation: 'payer' });
    return (s) => s.accountLinks!.getLink!(link.id);
  }),
  'accountLinks.listDependants': c('user', async (t) => (s) => s.accountLinks!.listDependants!(t.user, { limit: 5 })),
  'accountLinks.listGuardiansAndPayers': c('user', async (t) => (s) => s.accountLinks!.listGuardiansAndPayers!(t.user, { limit: 5 })),
  'accountLinks.revokeComeOfAge': c('none', async () => (s) => s.accountLinks!.revokeComeOfAge!(OCCURRENCE)),
  // promo codes
  'promoCodes.create': c('facility', async (t) => (s) => s.promoCodes!.create!({ facilityId: t.facility, code: `KOD${t.w.next()}`, kind: 'percent', value: 10 })),
  'promoCodes.deactivate': c('facility', async (t) => {
    const code = await t.w.nexfit.promoCodes.create({ facilityId: t.facility, code: `KOD${t.w.next()}`, kind: 'percent', value: 10 });
    return (s) => s.promoCodes!.deactivate!(t.facility, code.id);
  }),
  'promoCodes.list': c('facility', async (t) => (s) => s.promoCodes!.list!(t.facility)),
};

/** A webhook endpoint of the target's facility, made as the system (fresh for calls that disable it). */
async function webhookEndpointOf(t: Target): Promise<string> {
  const registered = await t.w.nexfit.webhooks.registerEndpoint({ facilityId: t.facility, url: 'https://hooks.example.com/nexfit', events: ['custom'] });
  return registered.endpoint.endpointId;
}

/** A delivery to a fresh endpoint of the target's facility: an event emitted in a committed unit. */
async function webhookDeliveryOf(t: Target): Promise<string> {
  const endpointId = await webhookEndpointOf(t);
  await t.w.nexfit.unitOfWork(async (uow) => uow.emit('custom', { facilityId: t.facility }));
  const [delivery] = await t.w.nexfit.repositories.webhooks.listDeliveriesByEndpoint(endpointId);
  return delivery!.deliveryId;
}

/** A fresh class-pack subscription of the target's member at the target's facility, with credits to spare. */
async function packOf(t: Target): Promise<string> {
  const membershipId = await r(t).membershipPlan(t.facility);
  const input = createInputs.member_subscriptions({
    userId: t.user,
    facilityId: t.facility,
    membershipId,
    startDate: '2026-03-01',
    endDate: '2026-04-01',
    paymentHistory: [],
    credits: { total: 100, remaining: 100, activatedAt: '2026-03-01T00:00:00Z' },
  } as never);
  return (await t.w.nexfit.repositories.memberSubscriptions.create(input)).id;
}

async function reactivateEveryone(w: AccessWorld): Promise<void> {
  for (const a of w.actors) await w.nexfit.users.reactivate(a.id as never);
}

/** The current waiver of the target's facility, published as the system when it has none. */
async function waiverOf(t: Target): Promise<{ readonly waiverVersion: number }> {
  const current = await t.w.nexfit.waivers.findCurrent(t.facility as never);
  return current ?? t.w.nexfit.waivers.publish({ facilityId: t.facility, title: 'Sorumluluk feragatnamesi', body: 'Derslere kendi sorumluluğumda katılıyorum.' });
}
