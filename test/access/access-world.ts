import type { Nexfit } from '../../src/create-nexfit.js';
import { workflowStepsOf } from '../../src/public-door.js';
import { FACILITY_PERMISSIONS, type FacilityPermission } from '../../src/modules/facilities/facility.schema.js';
import { USER_ROLES, type UserRole } from '../../src/modules/users/user.schema.js';
import { createInputs } from '../modules/support/factories.js';

/** The barcode of the world's platform food. */
export const PLATFORM_FOOD_BARCODE = '4006381333931';

/** A stand-in KDF hash: these users never log in, and scrypt per user would only slow the world down. */
const PASSWORD_HASH = 'scrypt$N=16384,r=8,p=1$c2FsdA$aGFzaA';
const JOINED = new Date('2026-01-05T00:00:00Z');
const WEEK_MS = 7 * 24 * 3_600_000;

/** Who the permission matrix runs as: one user per role, and facility staff with and without each permission. */
export interface MatrixActor {
  /** `client`, `coach`, … or `staff+manage_classes` (only that permission) / `staff-manage_classes` (all but it). */
  readonly label: string;
  /** The column of the policy table: a role, or `staff`. */
  readonly column: UserRole | 'staff';
  readonly id: string;
  /** The permissions of a staff actor at the staff facility. */
  readonly permissions?: readonly FacilityPermission[];
}

export const COACHING_ROLES: readonly UserRole[] = ['coach', 'gym_coach', 'studio_coach'];

/**
 * The world of the permission matrix, on a real `Nexfit` instance. Two owned facilities (a
 * gym with staff, a studio), a third facility of a stranger ("other"), each role as a user,
 * every coach with an active and a pending client, every actor the active client of a helper
 * coach, and lazily created records (memoised per owner, or fresh for destructive calls).
 * Everything is written through the unscoped (system) instance.
 */
export async function accessWorld(nexfit: Nexfit) {
  let n = 0;
  const next = () => ++n;
  const repos = nexfit.repositories;
  // Payments, invoices and billing rows are recorded by workflow steps, not on the instance.
  const steps = workflowStepsOf(nexfit);
  const memo = new Map<string, Promise<string>>();
  const once = (key: string, fresh: boolean, make: () => Promise<string>): Promise<string> => {
    if (fresh) return make();
    if (!memo.has(key)) memo.set(key, make());
    return memo.get(key)!;
  };

  async function user(role: UserRole, roleData: Record<string, unknown> = {}): Promise<string> {
    const i = next();
    const created = await repos.users.create({
      ...createInputs.users({ email: `user-${i}@example.com`, firstName: `Kişi ${i}`, role: [role], roleSpecificData: roleData }),
      passwordHash: PASSWORD_HASH,
    } as never);
    return created.id;
  }
  const businessData = (name: string) => ({ businessName: name, taxId: '1234567890' });
  const clientData = { client: { fitnessLevel: 'beginner', dateOfBirth: '1990-05-01', height: 170, weight: 70, medicalConditions: ['astım'], dietaryRestrictions: ['gluten'] } };

  const gymOwner = await user('gym_owner', { gym_owner: businessData('Moda Gym') });
  const studioOwner = await user('studio_owner', { studio_owner: businessData('Kadıköy Studio') });
  const strangerOwner = await user('gym_owner', { gym_owner: businessData('Başka Gym') });
  const facility = async (ownerId: string, type: 'gym' | 'studio') =>
    (await nexfit.facilities.create(createInputs.facilities({ ownerId, type, staff: [], name: `Tesis ${next()}` }) as never)).id as string;
  const gym = await facility(gymOwner, 'gym');
  const studio = await facility(studioOwner, 'studio');
  const otherFacility = await facility(strangerOwner, 'gym');

  const roleData = (role: UserRole): Record<string, unknown> => {
    switch (role) {
      case 'client': return clientData;
      case 'coach': return { coach: { specializations: ['yoga'] } };
      case 'gym_owner': return {};
      case 'studio_owner': return {};
      case 'gym_member': return { gym_member: { facilityId: gym, memberSince: JOINED, emergencyContact: { name: 'Ali', phoneNumber: '+90 555 000 00 00' } } };
      case 'gym_coach': return { gym_coach: { facilityId: gym } };
      case 'studio_coach': return { studio_coach: { facilityId: studio } };
      case 'studio_client': return { studio_client: { facilityId: studio } };
    }
  };
  const byRole = {} as Record<UserRole, string>;
  for (const role of USER_ROLES) {
    byRole[role] = role === 'gym_owner' ? gymOwner : role === 'studio_owner' ? studioOwner : await user(role, roleData(role));
  }
  const stranger = await user('client', clientData);
  const helperCoach = await user('coach', { coach: {} });

  const actors: MatrixActor[] = USER_ROLES.map((role) => ({ label: role, column: role, id: byRole[role] }));
  for (const permission of FACILITY_PERMISSIONS) {
    for (const variant of ['+', '-'] as const) {
      const permissions = variant === '+' ? [permission] : FACILITY_PERMISSIONS.filter((p) => p !== permission);
      const id = await user('gym_coach', { gym_coach: { facilityId: gym } });
      await nexfit.facilities.addStaff(gym as never, { userId: id, role: 'other', permissions } as never);
      actors.push({ label: `staff${variant}${permission}`, column: 'staff', id, permissions });
    }
  }
  // Staff changes in the matrix act on this member of every facility, never on an actor.
  const spareStaff = await user('gym_coach', { gym_coach: { facilityId: gym } });
  for (const f of [gym, studio, otherFacility]) await nexfit.facilities.addStaff(f as never, { userId: spareStaff, role: 'other', permissions: [] } as never);

  const relationKey = (coach: string, client: string) => `relation:${coach}:${client}`;
  function relation(coachId: string, clientId: string, status: 'active' | 'pending' = 'active'): Promise<string> {
    return once(relationKey(coachId, clientId), false, async () =>
      (await repos.coachClients.create(createInputs.coach_clients({ coachId, clientId, relationship: { status, ...(status === 'active' ? { startDate: JOINED } : {}) } } as never))).id,
    );
  }
  const activeClients = new Map<string, string>();
  const pendingClients = new Map<string, string>();
  for (const role of COACHING_ROLES) {
    const coach = byRole[role];
    const active = await user('client', clientData);
    const pending = await user('client', clientData);
    activeClients.set(coach, active);
    pendingClients.set(coach, pending);
    await relation(coach, active, 'active');
    await relation(coach, pending, 'pending');
  }
  for (const actor of actors) await relation(helperCoach, actor.id, 'active');
  await relation(helperCoach, stranger, 'active');

  const ownFacilities = new Map<string, string>([[gymOwner, gym], [studioOwner, studio]]);
  for (const a of actors) if (a.column === 'staff') ownFacilities.set(a.id, gym);

  const platformExercise = (await repos.exercises.create(createInputs.exercises({ createdBy: undefined, isPublic: true, alternateExercises: [] } as never))).id as string;
  const platformFood = (await repos.foods.create(createInputs.foods({ barcode: PLATFORM_FOOD_BARCODE }) as never)).id as string;
  const platformTemplate = (await repos.workoutTemplates.create(createInputs.workout_templates({ createdBy: helperCoach, isPublic: true, exercises: [{ exerciseId: platformExercise, order: 1, defaultSets: [{ reps: 10 }] }] } as never))).id as string;

  const records = {
    measurement: (userId: string, fresh = false) =>
      once(`measurement:${userId}`, fresh, async () => (await repos.measurements.create(createInputs.measurements({ userId, date: `2026-02-${String(1 + (next() % 27)).padStart(2, '0')}` } as never))).id),
    workoutLog: (userId: string, fresh = false) =>
      once(`log:${userId}`, fresh, async () =>
        (await repos.workoutLogs.create(createInputs.workout_logs({ userId, workoutTemplateId: platformTemplate, exercises: [{ exerciseId: platformExercise, sets: [{ reps: 10, weight: 60, completed: true }] }] } as never))).id),
    exercise: (createdBy: string, isPublic: boolean, fresh = false) =>
      once(`exercise:${createdBy}:${isPublic}`, fresh, async () => (await repos.exercises.create(createInputs.exercises({ name: `Hareket ${next()}`, createdBy, isPublic, alternateExercises: [] } as never))).id),
    measurementCategory: (userId: string, fresh = false) =>
      once(`measurementCategory:${userId}`, fresh, async () => (await repos.measurementCategories.create({ userId, name: `Kategori ${next()}`, unit: 'cm' } as never)).id),
    diaryEntry: (userId: string, fresh = false) =>
      once(`diary:${userId}`, fresh, async () =>
        (await repos.foodDiaryEntries.create({ userId, eatenAt: '2026-02-10T07:30:00Z', meal: 'breakfast', foodId: platformFood, foodName: 'Yulaf Ezmesi', amount: 40, unit: 'g', nutrients: { calories: 150, protein: 5, carbs: 27, fat: 3 } } as never)).id),
    food: (createdBy: string, fresh = false) => once(`food:${createdBy}`, fresh, async () => (await repos.foods.create(createInputs.foods({ name: `Yiyecek ${next()}`, createdBy } as never))).id),
    template: (createdBy: string, isPublic: boolean, fresh = false) =>
      once(`template:${createdBy}:${isPublic}`, fresh, async () =>
        (await repos.workoutTemplates.create(createInputs.workout_templates({ createdBy, isPublic, exercises: [{ exerciseId: platformExercise, order: 1, defaultSets: [{ reps: 10 }] }] } as never))).id),
    program: (createdBy: string, isPublic: boolean, fresh = false) =>
      once(`program:${createdBy}:${isPublic}`, fresh, async () =>
        (await repos.workoutPrograms.create(createInputs.workout_programs({ createdBy, isPublic, schedule: [{ day: 1, workoutTemplateId: platformTemplate, isRestDay: false }] } as never))).id),
    nutritionPlan: (createdBy: string, isPublic: boolean, fresh = false) =>
      once(`nutrition:${createdBy}:${isPublic}`, fresh, async () =>
        (await repos.nutritionPlans.create({
          ...createInputs.nutrition_plans({ createdBy, forUserId: undefined, isPublic } as never),
          isTemplate: true,
          meals: [{ name: 'Kahvaltı', time: '08:30', foods: [{ foodId: platformFood, quantity: 40, unit: 'g', calories: 150, protein: 5, carbs: 27, fat: 3 }] }],
        } as never)).id),
    membershipPlan: (facilityId: string) => once(`plan:${facilityId}`, false, async () => (await repos.memberships.create(createInputs.memberships({ facilityId, limitations: { classesIncluded: true } } as never))).id),
    memberSubscription: async (userId: string, facilityId: string, fresh = false) => {
      const membershipId = await records.membershipPlan(facilityId);
      return once(`subscription:${userId}:${facilityId}`, fresh, async () =>
        (await repos.memberSubscriptions.create(createInputs.member_subscriptions({ userId, facilityId, membershipId, startDate: '2026-03-01', endDate: '2026-04-01', paymentHistory: [] } as never))).id);
    },
    fitnessClass: (facilityId: string) =>
      once(`class:${facilityId}`, false, async () => (await repos.classes.create(createInputs.classes({ facilityId, instructor: { userId: helperCoach, name: 'Elif' } } as never))).id),
    booking: async (userId: string, facilityId: string, fresh = false) => {
      const classId = await records.fitnessClass(facilityId);
      return once(`booking:${userId}:${facilityId}`, fresh, async () =>
        (await repos.classBookings.create(createInputs.class_bookings({ classId, userId, date: new Date(Date.parse('2026-03-02T06:00:00Z') + next() * WEEK_MS) } as never))).id);
    },
    relation,
    ptSession: async (coachId: string, clientId: string, fresh = false) => {
      const coachClientId = await relation(coachId, clientId);
      return once(`session:${coachId}:${clientId}`, fresh, async () => {
        const start = Date.parse('2026-03-10T06:00:00Z') + next() * 3_600_000 * 2;
        return (await repos.ptSessions.create(createInputs.pt_sessions({ coachId, clientId, coachClientId, facilityId: otherFacility, startTime: new Date(start), endTime: new Date(start + 3_600_000), workout: { templateId: platformTemplate, exercises: [platformExercise] } } as never))).id;
      });
    },
    transaction: (userId: string, businessId: string) =>
      once(`transaction:${userId}:${businessId}`, false, async () =>
        (await steps.billing.recordPayment({ userId, amount: 1_500_00, currency: 'TRY', paymentMethod: 'card', transactionType: 'purchase', providerRef: `ch_${next()}`, reference: { businessId } } as never)).transactionId),
    invoice: async (userId: string, businessId: string) => {
      const transactionId = await records.transaction(userId, businessId);
      return once(`invoice:${userId}:${businessId}`, false, async () =>
        (await steps.billing.issuePaidInvoice({ userId, businessId, gross: 1_500_00, currency: 'TRY', transactionId, line: { description: 'Aylık üyelik', quantity: 1 } } as never)).invoiceId);
    },
    billingSubscription: (userId: string) =>
      once(`billing-subscription:${userId}`, false, async () =>
        (await steps.billing.openBillingSubscription({ userId, planId: 'platform-monthly', start: '2026-03-01T00:00:00Z', end: '2026-04-01T00:00:00Z', billingCycle: 'monthly', amount: 1_500_00, currency: 'TRY', paymentMethod: 'card', memberSubscriptionId: nexfit.ids.newObjectId() } as never)).subscriptionId),
  };

  return {
    nexfit, actors, byRole, gym, studio, otherFacility, stranger, helperCoach, spareStaff, activeClients, pendingClients, ownFacilities,
    platformExercise, platformFood, platformTemplate, records,
    /** A new user, for calls that must not touch a shared record. */
    newUser: () => user('client', clientData),
    newId: () => nexfit.ids.newObjectId() as string,
    newUuid: () => nexfit.ids.newUuid(),
    next,
  };
}

export type AccessWorld = Awaited<ReturnType<typeof accessWorld>>;
