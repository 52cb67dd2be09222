import type { Kysely } from 'kysely';
import type { UserId } from '../../../../src/core/ids.js';
import type { Nexfit } from '../../../../src/create-nexfit.js';
import { workflowStepsOf } from '../../../../src/public-door.js';
import { BookingCounterRepository, occurrenceSeatKey } from '../../../../src/modules/classes/booking-counter.repository.js';
import type { User } from '../../../../src/modules/users/user.schema.js';
import { createInputs, oid } from '../../../modules/support/factories.js';
import type { TestNexfit } from '../../../support/nexfit.js';

/** The fixed "now" of the privacy suites: bookings and sessions after it are still to come. */
export const PRIVACY_NOW = '2026-03-10T09:00:00.000Z';
export const FUTURE_OCCURRENCE = new Date('2026-03-16T06:00:00.000Z');
export const PASSWORD = 'gizli-şifre-1';

/** Everything built around one data subject, and the strings that are theirs alone. */
export interface SubjectWorld {
  readonly subject: User;
  readonly coach: User;
  readonly owner: User;
  readonly other: User;
  readonly facilityId: string;
  readonly activeClassId: string;
  readonly instructedClassId: string;
  /** Ids by collection or table of the records about the subject. */
  readonly ids: Readonly<Record<string, readonly string[]>>;
  /** Strings that identify or describe the subject and appear nowhere else. */
  readonly personal: readonly string[];
  /** The IP address the subject acted from (an audit row). */
  readonly ip: string;
  /** The coach's private note about the subject: never in the subject's export. */
  readonly privateNote: string;
}

/**
 * A data subject with a record in every collection and table, next to a coach, a facility
 * owner and another member whose data must survive the subject's erasure untouched. `tag`
 * makes every personal string unique to this world, so several worlds share a database.
 */
export async function buildSubjectWorld(nexfit: Nexfit, tag: string): Promise<SubjectWorld> {
  const r = nexfit.repositories;
  // Payments, invoices, billing rows and refunds are recorded by workflow steps, not on the instance.
  const steps = workflowStepsOf(nexfit);
  const firstName = `Ayşegül${tag}`;
  const lastName = `Yılmazoğlu${tag}`;
  const email = `ayse.${tag.toLowerCase()}@example.com`;
  const phone = `+90555${String(1_000_000 + hash(tag) % 8_999_999)}`;
  const medical = `astım hastalığı ${tag}`;
  const measurementNote = `sol dizimde ağrı var ${tag}`;
  const categoryName = `Diz ${tag}`.slice(0, 50);
  const logNote = `bugün çok yorgundum ${tag}`;
  const feedbackNote = `nefesim daraldı ${tag}`;
  const bookingNote = `bel fıtığım var ${tag}`;
  const visibleNote = `Hoş geldin ${firstName}`;
  const privateNote = `Panik atak geçmişi ${tag}`;
  const goal = `maraton koşmak ${tag}`;
  const sessionNote = `kalça esnekliği zayıf ${tag}`;
  const homeAddress = `Moda Cd. ${tag} daire 4`;
  const clientFeedback = `koç çok ilgiliydi ${tag}`;
  const cancellation = `Kadıköy'den taşınıyorum ${tag}`;
  const refundReason = `${firstName} ${lastName} taşındı`;
  const emergencyName = `Fatma${tag} Yılmazoğlu${tag}`;
  const bio = `Yoga eğitmeni ${firstName}`;
  // Addresses of the subject's own devices, unique to this world (documentation range, RFC 3849).
  const ip = `2001:db8::${(hash(tag) % 0xfff0).toString(16)}:77`;
  const archivedIp = `2001:db8::${(hash(tag) % 0xfff0).toString(16)}:78`;

  const owner = await nexfit.users.register({ email: `owner.${tag.toLowerCase()}@example.com`, password: PASSWORD, firstName: 'Oğuz', lastName: 'Sahip', role: ['gym_owner'], roleSpecificData: { gym_owner: { businessName: `Moda Spor ${tag}` } } });
  const coach = await nexfit.users.register({ email: `coach.${tag.toLowerCase()}@example.com`, password: PASSWORD, firstName: 'Elif', lastName: 'Koç', role: ['coach'] });
  const other = await nexfit.users.register({ email: `mehmet.${tag.toLowerCase()}@example.com`, password: PASSWORD, firstName: 'Mehmet', lastName: 'Demir', role: ['client'] });
  const subject = await nexfit.users.register({
    email,
    password: PASSWORD,
    firstName,
    lastName,
    phoneNumber: phone,
    profileImage: `https://cdn.example.com/u/${tag}.jpg`,
    fcmToken: `fcm-token-${tag}-device`,
    role: ['client', 'coach'],
    roleSpecificData: { client: { fitnessLevel: 'beginner', medicalConditions: [medical], fitnessGoals: [goal] }, coach: { bio } },
  });
  const s = subject.id as UserId;

  const facility = await r.facilities.create(
    createInputs.facilities({
      ownerId: owner.id,
      staff: [
        { userId: coach.id, role: 'coach', permissions: ['manage_classes'], joinedAt: '2026-01-01' },
        { userId: s, role: 'instructor', permissions: [], joinedAt: '2026-01-01' },
      ],
    }),
  );
  // A privileged change audited with the subject's role data (an emergency contact).
  await nexfit.users.addRole(s, 'studio_client', { facilityId: facility.id, emergencyContact: { name: emergencyName, phoneNumber: '+905551112233' } });

  const plan = await r.memberships.create(createInputs.memberships({ facilityId: facility.id }));
  const measurements = [
    await r.measurements.create(createInputs.measurements({ userId: s, date: '2026-03-01', notes: measurementNote })),
    await r.measurements.create(createInputs.measurements({ userId: s, date: '2026-03-08' })),
  ];
  // A category of the subject's own, with a value in a reading of 8 March.
  const category = await nexfit.measurements.defineCategory(s, { name: categoryName, unit: 'cm' });
  await nexfit.measurements.addReading(s, { takenAt: '2026-03-08T07:00:00Z', custom: [{ categoryId: category.id, value: 41.5 }] });
  const privateTemplate = await r.workoutTemplates.create(createInputs.workout_templates({ createdBy: s, name: 'Kendi programım', exercises: [{ exerciseId: oid(10), order: 1, defaultSets: [{ reps: 8 }], notes: `diz için hafif ${tag}` }] }));
  const publicTemplate = await r.workoutTemplates.create(createInputs.workout_templates({ createdBy: s, name: 'Herkese açık itiş', isPublic: true }));
  const privateProgram = await r.workoutPrograms.create(
    createInputs.workout_programs({ createdBy: s, schedule: [{ day: 1, workoutTemplateId: privateTemplate.id, isRestDay: false }, { day: 2, isRestDay: true }] }),
  );
  const log = await r.workoutLogs.create(createInputs.workout_logs({ userId: s, workoutTemplateId: privateTemplate.id, notes: logNote, feedback: { rating: 4, notes: feedbackNote } }));
  const planForSubject = await r.nutritionPlans.create(createInputs.nutrition_plans({ createdBy: coach.id, forUserId: s, description: `${firstName} için glutensiz` }));
  const { forUserId: _forSomeone, ...planTemplate } = createInputs.nutrition_plans({ createdBy: s, name: 'Benim planım' });
  const ownPlan = await r.nutritionPlans.create(planTemplate);
  const diaryEntry = (eatenAt: string, meal: string) =>
    r.foodDiaryEntries.create({ userId: s, eatenAt, meal, foodId: oid(30), foodName: 'Yulaf Ezmesi', amount: 40, unit: 'g', nutrients: { calories: 150, protein: 5, carbs: 27, fat: 3 } });
  const diary = [await diaryEntry('2026-03-01T06:30:00Z', 'breakfast'), await diaryEntry('2026-03-01T11:30:00Z', 'lunch')];

  const activeMembership = await r.memberSubscriptions.create(
    createInputs.member_subscriptions({ userId: s, facilityId: facility.id, membershipId: plan.id, status: 'active', startDate: '2026-03-01', endDate: '2026-04-01' }),
  );
  const pastMembership = await r.memberSubscriptions.create(
    createInputs.member_subscriptions({ userId: s, facilityId: facility.id, membershipId: plan.id, status: 'expired', startDate: '2026-01-01', endDate: '2026-02-01', cancellationReason: cancellation }),
  );

  const activeClass = await r.classes.create(createInputs.classes({ facilityId: facility.id, instructor: { userId: coach.id, name: 'Elif Koç' } }));
  const instructedClass = await r.classes.create(createInputs.classes({ facilityId: facility.id, name: 'Eski akşam yogası', instructor: { userId: s, name: `${firstName} ${lastName}` }, isActive: false }));
  // The seat the booking below holds, taken as the book-class workflow's step does.
  await new BookingCounterRepository(nexfit.mongo.db, { clock: nexfit.clock, ids: nexfit.ids }).claim(occurrenceSeatKey(activeClass.id, FUTURE_OCCURRENCE), 12);
  const futureBooking = await r.classBookings.create(createInputs.class_bookings({ classId: activeClass.id, userId: s, date: FUTURE_OCCURRENCE, bookedAt: '2026-03-09T10:00:00Z', notes: bookingNote }));
  const pastBooking = await r.classBookings.create(
    createInputs.class_bookings({ classId: activeClass.id, userId: s, date: '2026-03-02T06:00:00Z', bookedAt: '2026-03-01T10:00:00Z', status: 'attended', checkedInAt: '2026-03-02T05:55:00Z', notes: `ilk dersim ${tag}` }),
  );

  const relation = await r.coachClients.create(
    createInputs.coach_clients({
      coachId: coach.id,
      clientId: s,
      relationship: { status: 'active', startDate: '2026-02-01' },
      goals: [goal],
      notes: { visible: [{ text: visibleNote, date: '2026-02-02' }], private: [{ text: privateNote, date: '2026-02-02' }] },
    }),
  );
  const requestToSubject = await r.coachClients.create({ coachId: s, clientId: other.id });
  const pastSession = await r.ptSessions.create(
    createInputs.pt_sessions({
      coachId: coach.id,
      clientId: s,
      coachClientId: relation.id,
      facilityId: facility.id,
      startTime: '2026-03-03T07:00:00Z',
      endTime: '2026-03-03T08:00:00Z',
      status: 'completed',
      location: { type: 'client', details: homeAddress },
      notes: { pre: sessionNote, post: `ilerleme iyi ${tag}` },
      feedback: { client: { rating: 5, notes: clientFeedback }, coach: { rating: 4, notes: `${firstName} motive ${tag}` } },
    }),
  );
  const futureSession = await r.ptSessions.create(
    createInputs.pt_sessions({ coachId: coach.id, clientId: s, coachClientId: relation.id, facilityId: facility.id, startTime: '2026-03-20T07:00:00Z', endTime: '2026-03-20T08:00:00Z' }),
  );

  const payment = await steps.billing.recordPayment({
    userId: s,
    amount: 1_500_00,
    currency: 'TRY',
    paymentMethod: 'card',
    transactionType: 'purchase',
    providerRef: `prov-${tag}`,
    description: `${firstName} ${lastName} üyelik ödemesi`,
    reference: { membershipId: plan.id, businessId: facility.id, payerPhone: phone },
  });
  const invoice = await steps.billing.issuePaidInvoice({ userId: s, businessId: facility.id, gross: 1_500_00, currency: 'TRY', transactionId: payment.transactionId, line: { description: `Aylık üyelik — ${firstName} ${lastName}`, quantity: 1 } });
  const billing = await steps.billing.openBillingSubscription({
    userId: s,
    planId: plan.id,
    start: '2026-03-01T00:00:00Z',
    end: '2026-04-01T00:00:00Z',
    billingCycle: 'monthly',
    amount: 1_500_00,
    currency: 'TRY',
    paymentMethod: 'card',
    memberSubscriptionId: activeMembership.id,
  });
  const refund = await steps.billing.recordRefund({ originalTransactionId: payment.transactionId, amount: 500_00, providerRef: `refund-${tag}`, reason: refundReason });
  // The subject acting on someone else's entity, from their own device.
  await r.auditLogs.record({ entityType: 'facilities', entityId: facility.id, userId: s, action: 'update', newState: { note: `${firstName} changed the hours` }, ipAddress: ip, userAgent: `Browser-${tag}` });
  // An old audit row about the subject, already archived.
  await (nexfit.pg as unknown as Kysely<any>)
    .insertInto('audit_logs_archive')
    .values({ id: String(900_000 + (hash(tag) % 99_999)), entity_type: 'users', entity_id: s, user_id: s, action: 'update', previous_state: null, new_state: JSON.stringify({ phoneNumber: phone, firstName }), ip_address: archivedIp, user_agent: `Browser-${tag}`, created_at: new Date('2025-01-05T10:00:00Z') })
    .execute();

  // The other member's own data, which the subject's erasure must not touch.
  await r.measurements.create(createInputs.measurements({ userId: other.id, date: '2026-03-01', notes: 'Mehmet: sırt ağrısı' }));
  await r.workoutLogs.create(createInputs.workout_logs({ userId: other.id, notes: 'Mehmet: iyi antrenman' }));
  await r.memberSubscriptions.create(createInputs.member_subscriptions({ userId: other.id, facilityId: facility.id, membershipId: plan.id, status: 'active', startDate: '2026-03-01', endDate: '2026-04-01' }));
  await steps.billing.recordPayment({ userId: other.id, amount: 900_00, currency: 'TRY', paymentMethod: 'cash', transactionType: 'purchase', providerRef: `prov-other-${tag}`, description: 'Mehmet Demir ödemesi' });

  return {
    subject: await nexfit.users.getById(s),
    coach,
    owner,
    other,
    facilityId: facility.id,
    activeClassId: activeClass.id,
    instructedClassId: instructedClass.id,
    ids: {
      measurements: measurements.map((m) => m.id),
      measurementCategories: [category.id],
      workoutTemplates: [privateTemplate.id, publicTemplate.id],
      workoutPrograms: [privateProgram.id],
      workoutLogs: [log.id],
      nutritionPlans: [planForSubject.id, ownPlan.id],
      foodDiary: diary.map((entry) => entry.id),
      memberSubscriptions: [activeMembership.id, pastMembership.id],
      classBookings: [futureBooking.id, pastBooking.id],
      coachingAsClient: [relation.id],
      coachingAsCoach: [requestToSubject.id],
      ptSessions: [pastSession.id, futureSession.id],
      transactions: [payment.transactionId, refund.refund.transactionId],
      invoices: [invoice.invoiceId, refund.creditNote.invoiceId],
      billingSubscriptions: [billing.subscriptionId],
      classesInstructed: [instructedClass.id],
    },
    personal: [
      email,
      firstName,
      lastName,
      phone,
      medical,
      measurementNote,
      categoryName,
      logNote,
      feedbackNote,
      bookingNote,
      visibleNote,
      privateNote,
      goal,
      sessionNote,
      homeAddress,
      clientFeedback,
      cancellation,
      refundReason,
      emergencyName,
      bio,
      `fcm-token-${tag}-device`,
      `https://cdn.example.com/u/${tag}.jpg`,
      `Browser-${tag}`,
      `ilk dersim ${tag}`,
      `ilerleme iyi ${tag}`,
      `diz için hafif ${tag}`,
      ip,
      archivedIp,
    ],
    privateNote,
    ip,
  };
}

/** Every document of every MongoDB collection and every row of every PostgreSQL table, as stored (unit-of-work decision records aside). */
export async function readRawStores(
  t: TestNexfit,
  options: { readonly exclude?: readonly string[]; readonly withoutUpdatedAt?: boolean } = {},
): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  // Decision records hold unit ids only, and the TTL monitor removes them on its own schedule.
  const exclude = new Set(['nexfit_uow_decisions', ...(options.exclude ?? [])]);
  // A compensating UPDATE restores every value but `updated_at`, which the table's trigger sets.
  const row = (value: Record<string, unknown>) => JSON.stringify(options.withoutUpdatedAt ? { ...value, updated_at: undefined } : value);
  for (const { name } of await t.mongo.db.listCollections({}, { nameOnly: true }).toArray()) {
    if (exclude.has(name)) continue;
    out[`mongo.${name}`] = (await t.mongo.db.collection(name).find({}).toArray()).map((d) => JSON.stringify(d)).sort();
  }
  const tables = await t.pg.kysely
    .selectFrom('information_schema.tables')
    .select('table_name')
    .where('table_schema', '=', 'public')
    .where('table_type', '=', 'BASE TABLE')
    .execute();
  for (const { table_name: table } of tables as { table_name: string }[]) {
    if (exclude.has(table) || table === 'kysely_migration' || table === 'kysely_migration_lock') continue;
    out[`pg.${table}`] = (await t.pg.kysely.selectFrom(table).selectAll().execute()).map((r: Record<string, unknown>) => row(r)).sort();
  }
  return out;
}

/** The places in the raw stores where any of `strings` still appears (case-insensitively). */
export function whereFound(raw: Record<string, string[]>, strings: readonly string[]): string[] {
  const needles = strings.map((s) => s.toLocaleLowerCase('tr'));
  const found: string[] = [];
  for (const [place, rows] of Object.entries(raw)) {
    for (const row of rows) {
      const haystack = row.toLocaleLowerCase('tr');
      for (const needle of needles) if (haystack.includes(needle)) found.push(`${place}: ${needle}`);
    }
  }
  return found;
}

function hash(text: string): number {
  let h = 7;
  for (const c of text) h = (h * 31 + c.charCodeAt(0)) % 1_000_003;
  return h;
}
