import type { z } from 'zod';
import * as s from '../../support/all-schemas.js';

/** Deterministic 24-hex ids: `oid(1)` -> `'000000000000000000000001'`. */
export const oid = (n: number): string => n.toString(16).padStart(24, '0');
export const uuid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

export const T0 = new Date('2026-03-01T07:00:00.000Z');
export const T1 = new Date('2026-03-01T08:00:00.000Z');

/** One valid create input per MongoDB collection, overridable field by field. */
export const createInputs = {
  users: (o: Partial<s.CreateUserInput> = {}): s.CreateUserInput => ({
    email: 'Ayse.Yilmaz@Example.com',
    firstName: 'Ayşe',
    lastName: 'Yılmaz',
    role: ['client', 'coach'],
    phoneNumber: '+90 555 123 45 67',
    roleSpecificData: {
      client: { fitnessLevel: 'beginner', fitnessGoals: ['kilo vermek'], assignedCoachId: oid(2), dateOfBirth: '1990-05-01' },
      coach: { specializations: ['yoga'], hourlyRate: 750_00, ratings: 4.5, reviewCount: 12 },
    },
    ...o,
  }),
  measurements: (o: Partial<s.CreateMeasurementInput> = {}): s.CreateMeasurementInput => ({
    userId: oid(1),
    date: '2026-03-01',
    measurements: { weight: 72.4, bodyFatPercentage: 18.5, waistCircumference: 80 },
    photos: [{ url: 'https://cdn.example.com/p/1.jpg', position: 'front', date: T0 }],
    ...o,
  }),
  exercises: (o: Partial<s.CreateExerciseInput> = {}): s.CreateExerciseInput => ({
    name: 'Şınav',
    instructions: ['Ellerini omuz genişliğinde aç', 'Göğsünü yere yaklaştır'],
    media: { imageUrls: ['https://cdn.example.com/e/1.jpg'] },
    metadata: { bodyAreas: ['chest', 'triceps'], type: 'strength', equipment: [], difficultyLevel: 'beginner', tags: ['bodyweight'] },
    createdBy: oid(2),
    alternateExercises: [oid(11)],
    ...o,
  }),
  workout_templates: (o: Partial<s.CreateWorkoutTemplateInput> = {}): s.CreateWorkoutTemplateInput => ({
    name: 'Push day',
    createdBy: oid(2),
    metadata: { difficulty: 'intermediate', estimatedDuration: 45, targetBodyAreas: ['chest'] },
    exercises: [{ exerciseId: oid(10), order: 1, defaultSets: [{ reps: 10, weight: 60, restTime: 90 }] }],
    ...o,
  }),
  workout_programs: (o: Partial<s.CreateWorkoutProgramInput> = {}): s.CreateWorkoutProgramInput => ({
    name: '4 haftalık başlangıç',
    createdBy: oid(2),
    metadata: { difficulty: 'beginner', duration: 28 },
    schedule: [
      { day: 1, workoutTemplateId: oid(20), isRestDay: false },
      { day: 2, isRestDay: true },
    ],
    pricing: { price: 299_90, discountPrice: 199_90, isDiscounted: true },
    ...o,
  }),
  workout_logs: (o: Partial<s.CreateWorkoutLogInput> = {}): s.CreateWorkoutLogInput => ({
    userId: oid(1),
    workoutTemplateId: oid(20),
    startTime: T0,
    endTime: T1,
    duration: 60,
    exercises: [{ exerciseId: oid(10), sets: [{ reps: 10, weight: 60, completed: true }] }],
    biometrics: { heartRate: { min: 70, average: 120, max: 165 } },
    location: { type: 'Point', coordinates: [29.03, 40.98] },
    ...o,
  }),
  nutrition_plans: (o: Partial<s.CreateNutritionPlanInput> = {}): s.CreateNutritionPlanInput => ({
    name: 'Kış planı',
    createdBy: oid(2),
    forUserId: oid(1),
    metadata: { calorieTarget: 2_000, macros: { protein: 150, carbs: 200, fat: 60 }, mealsPerDay: 3 },
    meals: [{ name: 'Kahvaltı', time: '08:30', foods: [{ foodId: oid(30), quantity: 40, unit: 'g', calories: 150, protein: 5, carbs: 27, fat: 3 }] }],
    ...o,
  }),
  foods: (o: Partial<s.CreateFoodInput> = {}): s.CreateFoodInput => ({
    name: 'Yulaf Ezmesi',
    category: 'grains',
    nutrients: { servingSize: 40, servingUnit: 'g', calories: 150, protein: 5, carbs: 27, fat: 3, fiber: 4 },
    ...o,
  }),
  facilities: (o: Partial<s.CreateFacilityInput> = {}): s.CreateFacilityInput => ({
    name: 'Moda Gym',
    type: 'gym',
    address: { street: 'Moda Cd. 1', city: 'İstanbul', country: 'TR', coordinates: { latitude: 40.98, longitude: 29.03 } },
    operatingHours: [{ day: 1, openTime: '06:00', closeTime: '23:00', isClosed: false }],
    ownerId: oid(3),
    staff: [{ userId: oid(2), role: 'coach', permissions: ['manage_classes'], joinedAt: T0 }],
    ...o,
  }),
  memberships: (o: Partial<s.CreateMembershipInput> = {}): s.CreateMembershipInput => ({
    facilityId: oid(40),
    name: 'Aylık',
    duration: { value: 1, unit: 'month' },
    price: 1_500_00,
    limitations: { maxClassBookingsPerWeek: 3, classesIncluded: true },
    ...o,
  }),
  member_subscriptions: (o: Partial<s.CreateMemberSubscriptionInput> = {}): s.CreateMemberSubscriptionInput => ({
    userId: oid(1),
    facilityId: oid(40),
    membershipId: oid(41),
    startDate: '2026-03-01',
    endDate: '2026-04-01',
    paymentHistory: [{ amount: 1_500_00, currency: 'TRY', date: T0, method: 'card', status: 'completed', transactionId: uuid(1) }],
    ...o,
  }),
  classes: (o: Partial<s.CreateClassInput> = {}): s.CreateClassInput => ({
    facilityId: oid(40),
    name: 'Sabah Yogası',
    instructor: { userId: oid(2), name: 'Elif' },
    schedule: { startTime: '2026-03-02T06:00:00Z', endTime: '2026-03-02T07:00:00Z', recurrence: { frequency: 'weekly', weekdays: [1, 3], maxOccurrences: 20 } },
    location: { room: 'A', capacity: 12 },
    category: 'yoga',
    difficulty: 'beginner',
    duration: 60,
    ...o,
  }),
  class_bookings: (o: Partial<s.CreateClassBookingInput> = {}): s.CreateClassBookingInput => ({
    classId: oid(50),
    userId: oid(1),
    date: '2026-03-02T06:00:00Z',
    bookedAt: T0,
    ...o,
  }),
  coach_clients: (o: Partial<s.CreateCoachClientInput> = {}): s.CreateCoachClientInput => ({
    coachId: oid(2),
    clientId: oid(1),
    package: { name: '10 seans', sessions: { total: 10, used: 2, remaining: 8 }, price: 5_000_00, startDate: T0 },
    goals: ['kilo vermek'],
    notes: { visible: [{ text: 'Hoş geldin', date: T0 }], private: [{ text: 'Diz sakatlığı var', date: T0 }] },
    ...o,
  }),
  pt_sessions: (o: Partial<s.CreatePtSessionInput> = {}): s.CreatePtSessionInput => ({
    coachId: oid(2),
    clientId: oid(1),
    coachClientId: oid(60),
    facilityId: oid(40),
    startTime: T0,
    endTime: T1,
    duration: 60,
    location: { type: 'facility', details: 'Salon B' },
    workout: { templateId: oid(20), exercises: [oid(10), oid(11)] },
    ...o,
  }),
} as const;

export type EntityCollection = keyof typeof createInputs;

/** The schemas of one MongoDB collection, by collection name. */
export const entitySchemas = {
  users: { create: s.createUserInputSchema, entity: s.userSchema, stored: s.storedUserSchema, patch: s.patchUserInputSchema, immutable: 'email' },
  measurements: { create: s.createMeasurementInputSchema, entity: s.measurementSchema, stored: s.storedMeasurementSchema, patch: s.patchMeasurementInputSchema, immutable: 'userId' },
  exercises: { create: s.createExerciseInputSchema, entity: s.exerciseSchema, stored: s.storedExerciseSchema, patch: s.patchExerciseInputSchema, immutable: 'createdBy' },
  workout_templates: { create: s.createWorkoutTemplateInputSchema, entity: s.workoutTemplateSchema, stored: s.storedWorkoutTemplateSchema, patch: s.patchWorkoutTemplateInputSchema, immutable: 'createdBy' },
  workout_programs: { create: s.createWorkoutProgramInputSchema, entity: s.workoutProgramSchema, stored: s.storedWorkoutProgramSchema, patch: s.patchWorkoutProgramInputSchema, immutable: 'createdBy' },
  workout_logs: { create: s.createWorkoutLogInputSchema, entity: s.workoutLogSchema, stored: s.storedWorkoutLogSchema, patch: s.patchWorkoutLogInputSchema, immutable: 'userId' },
  nutrition_plans: { create: s.createNutritionPlanInputSchema, entity: s.nutritionPlanSchema, stored: s.storedNutritionPlanSchema, patch: s.patchNutritionPlanInputSchema, immutable: 'createdBy' },
  foods: { create: s.createFoodInputSchema, entity: s.foodSchema, stored: s.storedFoodSchema, patch: s.patchFoodInputSchema, immutable: 'createdBy' },
  facilities: { create: s.createFacilityInputSchema, entity: s.facilitySchema, stored: s.storedFacilitySchema, patch: s.patchFacilityInputSchema, immutable: 'ownerId' },
  memberships: { create: s.createMembershipInputSchema, entity: s.membershipSchema, stored: s.storedMembershipSchema, patch: s.patchMembershipInputSchema, immutable: 'facilityId' },
  member_subscriptions: { create: s.createMemberSubscriptionInputSchema, entity: s.memberSubscriptionSchema, stored: s.storedMemberSubscriptionSchema, patch: s.patchMemberSubscriptionInputSchema, immutable: 'userId' },
  classes: { create: s.createClassInputSchema, entity: s.classSchema, stored: s.storedClassSchema, patch: s.patchClassInputSchema, immutable: 'facilityId' },
  class_bookings: { create: s.createClassBookingInputSchema, entity: s.classBookingSchema, stored: s.storedClassBookingSchema, patch: s.patchClassBookingInputSchema, immutable: 'classId' },
  coach_clients: { create: s.createCoachClientInputSchema, entity: s.coachClientSchema, stored: s.storedCoachClientSchema, patch: s.patchCoachClientInputSchema, immutable: 'coachId' },
  pt_sessions: { create: s.createPtSessionInputSchema, entity: s.ptSessionSchema, stored: s.storedPtSessionSchema, patch: s.patchPtSessionInputSchema, immutable: 'clientId' },
} satisfies Record<EntityCollection, { create: z.ZodType; entity: z.ZodType; stored: z.ZodType; patch: z.ZodType; immutable: string }>;

/** Fields a repository adds on create beyond id, versions and timestamps. */
const managedOnCreate: Partial<Record<EntityCollection, Record<string, unknown>>> = {
  workout_templates: { reviews: { averageRating: 0, count: 0 } },
  workout_programs: { reviews: { averageRating: 4.5, count: 2 } },
  // Created without readings: the day's values are one reading at the day's start.
  measurements: { readings: [{ takenAt: new Date('2026-03-01T00:00:00Z'), measurements: { weight: 72.4, bodyFatPercentage: 18.5, waistCircumference: 80 }, custom: [] }] },
};

/** Stored-only fields, as the repositories derive them. */
const storedExtras: Record<EntityCollection, (entity: any) => Record<string, unknown>> = {
  users: () => ({ passwordHash: 'scrypt$N=16384,r=8,p=1$c2FsdA$aGFzaA' }),
  measurements: () => ({}),
  exercises: s.exerciseDerivedFields,
  workout_templates: () => ({}),
  workout_programs: () => ({}),
  workout_logs: () => ({}),
  nutrition_plans: () => ({}),
  foods: s.foodDerivedFields,
  facilities: s.facilityDerivedFields,
  memberships: () => ({}),
  member_subscriptions: () => ({}),
  classes: () => ({}),
  class_bookings: s.classBookingDerivedFields,
  coach_clients: s.coachClientDerivedFields,
  pt_sessions: () => ({}),
};

/** A valid API entity of a collection, as a repository would build it from the create input. */
export function buildEntity(collection: EntityCollection, n = 1): Record<string, unknown> {
  const schemas = entitySchemas[collection];
  const data = schemas.create.parse(createInputs[collection]()) as Record<string, unknown>;
  return schemas.entity.parse({
    ...data,
    ...managedOnCreate[collection],
    id: oid(0xabc000 + n),
    schemaVersion: 1,
    version: 1,
    createdAt: T0,
    updatedAt: T0,
  }) as Record<string, unknown>;
}

/** A valid stored document (API naming, before the codec) of a collection. */
export function buildStored(collection: EntityCollection, n = 1): Record<string, unknown> {
  const entity = buildEntity(collection, n);
  return entitySchemas[collection].stored.parse({ ...entity, ...storedExtras[collection](entity) }) as Record<string, unknown>;
}

export const ENTITY_COLLECTIONS = Object.keys(createInputs) as EntityCollection[];
