/**
 * A day at a gym on the embedded stores — `npm run demo`.
 *
 * A coach and two clients register, a facility opens with a membership plan, a client buys
 * the membership (charge, member subscription, transaction, invoice and audit rows in one
 * cross-store unit of work), books the morning class and checks in, logs a workout from the
 * real exercise catalogue, and the nightly roll-up writes the day into `analytics_daily`.
 */
import { createNexfit, fixedClock, importFreeExerciseDb, type UserId } from '../src/index.js';
import { TestPaymentProvider } from '../src/testing.js';

const clock = fixedClock('2026-03-02T05:00:00Z'); // 08:00 in Istanbul
const payments = new TestPaymentProvider();
const log = (line: string) => console.log(line);

const nexfit = await createNexfit({ stores: 'embedded', clock, payments });
try {
  log(`NexFit quick start — stores: MongoDB ${nexfit.stores.mongo.kind}, PostgreSQL ${nexfit.stores.postgres.kind}; unit of work: ${nexfit.unitOfWorkMode}`);
  const events: string[] = [];
  nexfit.events.on('membership.purchased', (e) => { events.push(`${e.type} (invoice ${e.payload.invoiceId.slice(0, 8)}…)`); });
  nexfit.events.on('booking.created', (e) => { events.push(`${e.type} (${e.payload.occurrence})`); });

  const imported = await importFreeExerciseDb(nexfit.repositories.exercises);
  log(`Exercise catalogue: ${imported.inserted} exercises imported from free-exercise-db`);

  const owner = await nexfit.users.register({ email: 'Selin@ModaGym.example', password: 'correct horse battery', firstName: 'Selin', lastName: 'Aydın', role: ['gym_owner'], roleSpecificData: { gym_owner: { businessName: 'Moda Gym' } } });
  const coach = await nexfit.users.register({ email: 'elif.coach@example.com', password: 'correct horse battery', firstName: 'Elif', lastName: 'Şahin', role: ['coach'], roleSpecificData: { coach: { specializations: ['yoga'], isFreelance: false } } });
  const ayse = await nexfit.users.register({ email: 'AYSE@example.com', password: 'correct horse battery', firstName: 'Ayşe', lastName: 'Yılmaz', role: ['client'], roleSpecificData: { client: { height: 168, weight: 61 } } });
  const ilker = await nexfit.users.register({ email: 'ilker@example.com', password: 'correct horse battery', firstName: 'İlker', lastName: 'Öztürk', role: ['client'] });
  log(`Registered: ${[owner, coach, ayse, ilker].map((u) => `${u.firstName} <${u.email}>`).join(', ')}`);
  log(`Login as AYSE@example.com: ${(await nexfit.users.verifyCredentials('AYSE@example.com', 'correct horse battery')) ? 'ok' : 'refused'}`);

  const gym = await nexfit.facilities.create({
    name: 'Moda Gym', type: 'gym', ownerId: owner.id, timezone: 'Europe/Istanbul',
    address: { street: 'Moda Cd. 1', city: 'İstanbul', country: 'TR', coordinates: { latitude: 40.9833, longitude: 29.0275 } },
    operatingHours: ([0, 1, 2, 3, 4, 5, 6] as const).map((day) => ({ day, openTime: '06:00', closeTime: '23:00', isClosed: false })),
  });
  log(`Facility "${gym.name}" opened; open now (08:00 local)? ${await nexfit.facilities.isOpenAt(gym, clock.now())}`);

  const plan = await nexfit.memberships.createPlan({ facilityId: gym.id, name: 'Aylık Sınırsız', duration: { value: 1, unit: 'month' }, price: 1_500_00, limitations: { maxClassBookingsPerWeek: 3, classesIncluded: true } });
  const purchase = await nexfit.workflows.purchaseMembership({ userId: ayse.id, membershipId: plan.id, paymentMethod: 'card', autoRenew: true, idempotencyKey: 'demo-ayse-march' });
  const retried = await nexfit.workflows.purchaseMembership({ userId: ayse.id, membershipId: plan.id, paymentMethod: 'card', autoRenew: true, idempotencyKey: 'demo-ayse-march' });
  log(`Membership bought: invoice ${purchase.invoice.invoiceNumber}, total ${formatTry(purchase.invoice.totalAmount)} incl. VAT ${formatTry(purchase.invoice.taxAmount)}; a retried purchase replayed: ${retried.replayed}, charges at the provider: ${payments.charges.length}`);

  const yoga = await nexfit.classes.createClass({
    facilityId: gym.id, name: 'Sabah Yogası', instructor: { userId: coach.id, name: 'Elif Şahin' },
    schedule: { startTime: '2026-03-02T06:30:00Z', endTime: '2026-03-02T07:30:00Z', recurrence: { frequency: 'weekly', weekdays: [1, 3, 5], maxOccurrences: 24 } },
    location: { room: 'Stüdyo A', capacity: 12 }, category: 'yoga', difficulty: 'beginner', duration: 60,
  });
  const booking = await nexfit.workflows.bookClass({ classId: yoga.id, userId: ayse.id, occurrenceStart: '2026-03-02T06:30:00Z' });
  clock.set('2026-03-02T06:20:00Z');
  const attended = await nexfit.bookings.checkIn(booking.id);
  log(`Class "${yoga.name}" booked for 09:30 local and checked in: ${attended.status}`);
  try {
    await nexfit.workflows.bookClass({ classId: yoga.id, userId: ilker.id, occurrenceStart: '2026-03-02T06:30:00Z' });
  } catch (error) {
    log(`İlker (no membership) tried to book: ${(error as { code?: string }).code} — ${(error as Error).message}`);
  }

  const squat = (await nexfit.catalog.searchExercises({ text: 'barbell squat' })).items[0];
  if (!squat) throw new Error('the catalogue has no barbell squat');
  clock.set('2026-03-02T16:00:00Z');
  const workout = await nexfit.workoutLogs.logWorkout({
    userId: ayse.id, startTime: '2026-03-02T15:00:00Z', endTime: '2026-03-02T15:50:00Z',
    exercises: [{ exerciseId: squat.id, sets: [{ reps: 8, weight: 40, completed: true }, { reps: 6, weight: 45, completed: true }, { reps: 5, weight: 47.5, completed: true }] }],
  });
  const records = await nexfit.workoutLogs.personalRecords(ayse.id as UserId, squat.id);
  log(`Workout logged: ${workout.duration} min; ${squat.name}: heaviest ${records.heaviestWeight?.value ?? '-'} kg, best estimated 1RM ${records.bestEstimatedOneRepMax?.value?.toFixed(1) ?? '-'} kg`);

  clock.set('2026-03-03T00:30:00Z');
  const [day] = await nexfit.analytics.rollupDay({ date: '2026-03-02', businessId: gym.id });
  log(`Nightly roll-up for 2026-03-02: new members ${day?.newMembers}, active ${day?.activeMembers}, revenue ${formatTry(day?.totalRevenue ?? 0)}, class attendance ${day?.classAttendance}`);
  log(`Events delivered after commit: ${events.join('; ')}`);
  const audit = await nexfit.repositories.auditLogs.listByEntity('invoices', purchase.invoice.invoiceId);
  log(`Audit trail of the invoice: ${audit.items.map((a) => a.action).join(', ')}`);
} finally {
  await nexfit.close();
}

function formatTry(minor: number): string {
  return `${(minor / 100).toLocaleString('tr-TR', { minimumFractionDigits: 2 })} TL`;
}
