import type { Nexfit } from '../../src/create-nexfit.js';
import { workflowStepsOf } from '../../src/public-door.js';
import { createInputs } from '../modules/support/factories.js';

/**
 * The entities the hostile-input corpus aims at: one of each kind, so a hostile patch or
 * status change meets a real target (a refusal then comes from validation, not from a
 * missing entity), and spares for the deletes.
 */
export async function hostileWorld(nexfit: Nexfit) {
  const newUuid = () => nexfit.ids.newUuid();
  // Payments, invoices, billing rows and idempotency keys are recorded by workflow steps, not on the instance.
  const steps = workflowStepsOf(nexfit);
  const register = async (name: string, role: ('client' | 'coach' | 'gym_owner')[]) =>
    (await nexfit.users.register({ ...createInputs.users({ email: `${name}@example.com`, role, roleSpecificData: {} }), password: 'gizli-şifre-1' })).id;
  const owner = await register('owner', ['gym_owner']);
  const coach = await register('coach', ['coach', 'client']);
  const client = await register('client', ['client']);
  const spareUser = await register('spare', ['client']);

  const facilityInput = () => createInputs.facilities({ ownerId: owner, staff: [{ userId: coach, role: 'coach', permissions: ['manage_classes'], joinedAt: new Date('2026-03-01T00:00:00Z') }] });
  const facility = (await nexfit.facilities.create(facilityInput())).id;
  const spareFacility = (await nexfit.facilities.create(facilityInput())).id;
  const plan = (await nexfit.memberships.createPlan(createInputs.memberships({ facilityId: facility }))).id;
  const sparePlan = (await nexfit.memberships.createPlan(createInputs.memberships({ facilityId: facility, name: 'Yedek' }))).id;

  const payment = await steps.billing.recordPayment({ userId: client, amount: 1_500_00, currency: 'TRY', paymentMethod: 'card', transactionType: 'purchase', providerRef: 'ch_seed' });
  const transactionId = payment.transactionId;
  const paymentTransactionId = newUuid();
  // Starting a subscription is a step of purchaseMembership, not on the instance: the world writes it directly.
  const subscription = await nexfit.repositories.memberSubscriptions.create(
    createInputs.member_subscriptions({
      userId: client,
      facilityId: facility,
      membershipId: plan,
      status: 'active',
      autoRenew: true,
      paymentHistory: [{ amount: 1_500_00, currency: 'TRY', date: '2026-03-01T09:00:00Z', method: 'card', status: 'completed', transactionId: paymentTransactionId }],
    }),
  );
  const packSubscription = await nexfit.repositories.memberSubscriptions.create(
    createInputs.member_subscriptions({
      userId: client,
      facilityId: facility,
      membershipId: plan,
      status: 'active',
      autoRenew: false,
      credits: { total: 10, remaining: 10, activatedAt: '2026-03-01T09:00:00Z', expiresAt: '2026-06-01T09:00:00Z' },
    }),
  );
  const invoice = await steps.billing.issuePaidInvoice({ userId: client, businessId: facility, gross: 1_500_00, currency: 'TRY', transactionId, line: { description: 'Aylık üyelik', quantity: 1 } });
  const billingSubscription = await steps.billing.openBillingSubscription({
    userId: client, planId: plan, start: '2026-03-01T00:00:00Z', end: '2026-04-01T00:00:00Z', billingCycle: 'monthly', amount: 1_500_00, currency: 'TRY', paymentMethod: 'card', memberSubscriptionId: subscription.id,
  });
  const promoCode = await nexfit.promoCodes.create({ facilityId: facility, code: 'HOSGELDIN', kind: 'percent', value: 10, cycles: 3 });
  const claimedKey = `key-${newUuid()}`;
  await nexfit.unitOfWork((uow) => steps.billing.claimIdempotencyKey(claimedKey, 'purchase', uow));

  const exerciseInput = (name: string) => createInputs.exercises({ name, createdBy: coach, alternateExercises: [], isPublic: true });
  const exercise = (await nexfit.catalog.createExercise(exerciseInput('Şınav'))).id;
  const exercise2 = (await nexfit.catalog.createExercise(exerciseInput('Mekik'))).id;
  const spareExercise = (await nexfit.catalog.createExercise(exerciseInput('Plank'))).id;
  const food = (await nexfit.catalog.createFood(createInputs.foods())).id;
  const spareFood = (await nexfit.catalog.createFood(createInputs.foods({ name: 'Elma' }))).id;

  const templateInput = () => createInputs.workout_templates({ createdBy: coach, exercises: [{ exerciseId: exercise, order: 1, defaultSets: [{ reps: 10, weight: 60, restTime: 90 }] }] });
  const template = (await nexfit.workouts.createTemplate(templateInput())).id;
  const spareTemplate = (await nexfit.workouts.createTemplate(templateInput())).id;
  const programInput = () => createInputs.workout_programs({ createdBy: coach, schedule: [{ day: 1, workoutTemplateId: template, isRestDay: false }] });
  const program = (await nexfit.workouts.createProgram(programInput())).id;
  const spareProgram = (await nexfit.workouts.createProgram(programInput())).id;
  const logInput = () => createInputs.workout_logs({ userId: client, workoutTemplateId: template, exercises: [{ exerciseId: exercise, sets: [{ reps: 10, weight: 60, completed: true }] }] });
  const workoutLog = (await nexfit.workoutLogs.logWorkout(logInput())).id;
  const spareWorkoutLog = (await nexfit.workoutLogs.logWorkout(logInput())).id;

  const planInput = () => ({ ...createInputs.nutrition_plans({ createdBy: coach, forUserId: client }), isTemplate: true, meals: [{ name: 'Kahvaltı', time: '08:30', foods: [{ foodId: food, quantity: 40, unit: 'g' as const }] }] });
  const nutritionPlan = (await nexfit.nutrition.createPlan(planInput())).id;
  const spareNutritionPlan = (await nexfit.nutrition.createPlan(planInput())).id;

  const diaryInput = () => ({ userId: client, eatenAt: '2026-03-02T06:30:00Z', meal: 'breakfast', foodId: food, amount: 40, unit: 'g' as const });
  const diaryEntry = (await nexfit.foodDiary.logFood(diaryInput())).id;
  const spareDiaryEntry = (await nexfit.foodDiary.logFood(diaryInput())).id;

  const measurement = (await nexfit.measurements.record({ userId: client, date: '2026-02-20', measurements: { weight: 73 } })).id;
  const spareMeasurement = (await nexfit.measurements.record({ userId: client, date: '2026-02-21', measurements: { weight: 73 } })).id;
  const measurementCategory = (await nexfit.measurements.defineCategory(client, { name: 'Boyun', unit: 'cm' })).id;
  const spareMeasurementCategory = (await nexfit.measurements.defineCategory(client, { name: 'Tansiyon', unit: 'mmHg' })).id;

  const classInput = () => createInputs.classes({ facilityId: facility, instructor: { userId: coach, name: 'Elif' } });
  const fitnessClass = (await nexfit.classes.createClass(classInput())).id;
  const spareClass = (await nexfit.classes.createClass(classInput())).id;
  const bookingInput = (date: string) => createInputs.class_bookings({ classId: fitnessClass, userId: client, date });
  const booking = (await nexfit.repositories.classBookings.create(bookingInput('2026-03-02T06:00:00Z'))).id;
  const spareBooking = (await nexfit.repositories.classBookings.create(bookingInput('2026-03-04T06:00:00Z'))).id;

  const relation = (await nexfit.coaching.requestCoaching({ coachId: coach, clientId: client, goals: ['kilo vermek'] })).id;
  const spareRelation = (await nexfit.repositories.coachClients.create(createInputs.coach_clients({ coachId: coach, clientId: spareUser }))).id;
  const sessionInput = () => createInputs.pt_sessions({ coachId: coach, clientId: client, coachClientId: relation, facilityId: facility, workout: { templateId: template, exercises: [exercise] } });
  const ptSession = (await nexfit.repositories.ptSessions.create(sessionInput())).id;
  const sparePtSession = (await nexfit.repositories.ptSessions.create(sessionInput())).id;

  const accountLink = (await nexfit.accountLinks.link({ accountUserId: owner, dependantUserId: client, relation: 'payer' })).id;
  const spareAccountLink = (await nexfit.accountLinks.link({ accountUserId: owner, dependantUserId: spareUser, relation: 'payer' })).id;

  const webhookEndpoint = (await nexfit.webhooks.registerEndpoint({ facilityId: facility, url: 'https://hooks.example.com/nexfit', events: ['custom'] })).endpoint.endpointId;
  await nexfit.unitOfWork(async (uow) => uow.emit('custom', { facilityId: facility }));
  const webhookDelivery = (await nexfit.repositories.webhooks.listDeliveriesByEndpoint(webhookEndpoint))[0]!.deliveryId;

  return {
    newUuid,
    owner, coach, client, spareUser,
    facility, spareFacility, plan, sparePlan,
    memberSubscription: subscription.id, paymentTransactionId, transactionId, packSubscription: packSubscription.id,
    invoiceId: invoice.invoiceId, billingSubscriptionId: billingSubscription.subscriptionId, claimedKey,
    exercise, exercise2, spareExercise, food, spareFood,
    template, spareTemplate, program, spareProgram, workoutLog, spareWorkoutLog,
    nutritionPlan, spareNutritionPlan, diaryEntry, spareDiaryEntry, measurement, spareMeasurement, measurementCategory, spareMeasurementCategory,
    fitnessClass, spareClass, booking, spareBooking,
    relation, spareRelation, ptSession, sparePtSession, accountLink, spareAccountLink,
    webhookEndpoint, webhookDelivery,
    promoCode: promoCode.id, promoCodeText: promoCode.code,
  };
}

export type HostileWorld = Awaited<ReturnType<typeof hostileWorld>>;
