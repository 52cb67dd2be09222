import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FixedClock } from '../../support/clock-type.js';
import { AnalyticsDailyRepository } from '../../../src/modules/analytics/analytics-daily.repository.js';
import { AnalyticsService } from '../../../src/modules/analytics/analytics.service.js';
import { businessDay } from '../../../src/modules/analytics/business-day.js';
import { InvoiceRepository } from '../../../src/modules/billing/invoice.repository.js';
import { TransactionRepository } from '../../../src/modules/billing/transaction.repository.js';
import { ClassBookingRepository } from '../../../src/modules/classes/class-booking.repository.js';
import { ClassRepository } from '../../../src/modules/classes/class.repository.js';
import { FacilityRepository } from '../../../src/modules/facilities/facility.repository.js';
import { MemberSubscriptionRepository } from '../../../src/modules/memberships/member-subscription.repository.js';
import { createInputs, oid, uuid } from '../support/factories.js';
import { useTestNexfit } from '../../support/nexfit.js';

// One Istanbul day (UTC+3): 2026-03-02 runs from 2026-03-01T21:00Z to 2026-03-02T21:00Z.
const DAY = '2026-03-02';
const t = useTestNexfit({ clock: '2026-02-01T09:00:00Z' });
let analytics: AnalyticsService;
let facilityId: string;
let otherFacilityId: string;

beforeAll(async () => {
  const { db } = t.nexfit.mongo;
  const clock = t.deps.clock as FixedClock;
  const facilities = new FacilityRepository(db, t.deps);
  const subscriptions = new MemberSubscriptionRepository(db, t.deps);
  const classes = new ClassRepository(db, t.deps);
  const bookings = new ClassBookingRepository(db, t.deps);
  const transactions = new TransactionRepository(t.nexfit.pg, t.deps);
  const invoices = new InvoiceRepository(t.nexfit.pg, t.deps);
  analytics = new AnalyticsService(db, t.nexfit.pg, new AnalyticsDailyRepository(t.nexfit.pg, t.deps), t.deps);

  facilityId = (await facilities.create(createInputs.facilities({ timezone: 'Europe/Istanbul' }))).id;
  otherFacilityId = (await facilities.create(createInputs.facilities({ name: 'Other', timezone: 'Europe/Istanbul' }))).id;

  const subscribe = async (at: string, o: Parameters<typeof createInputs.member_subscriptions>[0]) => {
    clock.set(at);
    await subscriptions.create(createInputs.member_subscriptions({ facilityId, membershipId: oid(41), paymentHistory: [], ...o }));
  };
  // u1: first membership created 00:30 local on the day -> new, active.
  await subscribe('2026-03-01T21:30:00Z', { userId: oid(101), status: 'active', startDate: '2026-03-02', endDate: '2026-04-02' });
  // u2: first membership 23:30 local the day before -> active, not new; a second one on the day does not make them new.
  await subscribe('2026-03-01T20:30:00Z', { userId: oid(102), status: 'active', startDate: '2026-03-01', endDate: '2026-04-01' });
  await subscribe('2026-03-02T10:00:00Z', { userId: oid(102), status: 'active', startDate: '2026-04-01', endDate: '2026-05-01' });
  // u3: ended before the day began -> neither.
  await subscribe('2026-02-01T10:00:00Z', { userId: oid(103), status: 'expired', startDate: '2026-02-01', endDate: '2026-03-01T12:00:00Z' });
  // u4: pending -> not active.
  await subscribe('2026-02-20T10:00:00Z', { userId: oid(104), status: 'pending', startDate: '2026-02-20', endDate: '2026-03-20' });
  // u5: cancelled at 23:59 local on the day -> a cancellation, and still active that day.
  await subscribe('2026-02-15T10:00:00Z', { userId: oid(105), status: 'cancelled', cancelledAt: '2026-03-02T20:59:00Z', startDate: '2026-02-15', endDate: '2026-03-15' });

  clock.set('2026-02-01T09:00:00Z');
  const yoga = await classes.create(createInputs.classes({ facilityId }));
  const elsewhere = await classes.create(createInputs.classes({ facilityId: otherFacilityId }));
  const book = async (classId: string, userId: string, date: string) => bookings.create(createInputs.class_bookings({ classId, userId, date }));
  await bookings.markAttended((await book(yoga.id, oid(101), '2026-03-02T06:00:00Z')).id);
  await bookings.markNoShow((await book(yoga.id, oid(102), '2026-03-02T06:00:00Z')).id);
  await bookings.markAttended((await book(yoga.id, oid(101), '2026-03-01T20:00:00Z')).id); // 23:00 local, the day before
  await bookings.markAttended((await book(elsewhere.id, oid(101), '2026-03-02T06:00:00Z')).id); // another facility

  let n = 0;
  const pay = async (businessId: string, type: 'purchase' | 'renewal' | 'refund', amount: number, at: string) => {
    n += 1;
    const transactionId = uuid(1000 + n);
    await transactions.create({ transactionId, userId: oid(101), amount, paymentMethod: 'card', transactionType: type, status: 'completed' });
    await sql`UPDATE transactions SET created_at = ${new Date(at)} WHERE transaction_id = ${transactionId}`.execute(t.nexfit.pg);
    await invoices.create({
      invoiceId: uuid(2000 + n), transactionId, subscriptionId: null, userId: oid(101), businessId, totalAmount: amount, taxAmount: 0,
      currency: 'TRY', status: type === 'refund' ? 'credit_note' : 'paid', dueDate: '2026-03-02', paymentDate: '2026-03-02', invoiceData: {},
    });
  };
  await pay(facilityId, 'purchase', 150_00, '2026-03-01T21:10:00Z'); // 00:10 local: counts
  await pay(facilityId, 'renewal', 99_90, '2026-03-02T20:00:00Z'); // 23:00 local: counts, a renewal
  await pay(facilityId, 'purchase', 10_00, '2026-03-01T20:50:00Z'); // 23:50 local the day before
  await pay(facilityId, 'refund', 20_00, '2026-03-02T12:00:00Z'); // a refund, reported apart
  await pay(otherFacilityId, 'purchase', 500_00, '2026-03-02T12:00:00Z'); // another business
});

describe('the daily roll-up', () => {
  it('takes each business\'s day in its own time zone', () => {
    const day = businessDay(DAY, 'Europe/Istanbul');
    expect(day.start.toISOString()).toBe('2026-03-01T21:00:00.000Z');
    expect(day.end.toISOString()).toBe('2026-03-02T21:00:00.000Z');
    const berlinSpring = businessDay('2026-03-29', 'Europe/Berlin');
    expect((berlinSpring.end.getTime() - berlinSpring.start.getTime()) / 3_600_000).toBe(23);
  });

  it('counts members, revenue, attendance, renewals and cancellations of the day, matching the hand-computed fixture', async () => {
    const rows = await analytics.rollupDay({ date: DAY, businessId: facilityId });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      businessId: facilityId,
      date: DAY,
      newMembers: 1,
      activeMembers: 3,
      totalRevenue: 249_90,
      classAttendance: 1,
      subscriptionRenewals: 1,
      subscriptionCancellations: 1,
      metrics: { refundsMinor: 20_00, payments: 2, bookings: 2, noShows: 1 },
    });
  });

  it('is idempotent: running the day again leaves one identical row', async () => {
    const first = await analytics.rollupDay({ date: DAY });
    const again = await analytics.rollupDay({ date: DAY });
    const strip = (r: (typeof first)[number]) => ({ ...r, createdAt: undefined, updatedAt: undefined });
    expect(again.map(strip)).toEqual(first.map(strip));
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM analytics_daily WHERE date = ${DAY}`.execute(t.nexfit.pg);
    expect(rows[0]?.n).toBe(2);
    expect(again.find((r) => r.businessId === otherFacilityId)).toMatchObject({ totalRevenue: 500_00, classAttendance: 1, activeMembers: 0 });
  });

  it('backfills a range with progress and reports it by week and month', async () => {
    const progress: string[] = [];
    const result = await analytics.backfill({ from: '2026-02-28', to: '2026-03-03', businessId: facilityId }, (done, total, date) => progress.push(`${done}/${total} ${date}`));
    expect(result).toEqual({ days: 4, rows: 4 });
    expect(progress).toEqual(['1/4 2026-02-28', '2/4 2026-03-01', '3/4 2026-03-02', '4/4 2026-03-03']);
    const months = await analytics.report({ businessId: facilityId, from: '2026-02-01', to: '2026-03-31', groupBy: 'month' });
    expect(months.map((m) => [m.period, m.days])).toEqual([['2026-02-01', 1], ['2026-03-01', 3]]);
    // 2026-03-01 local: the 10.00 purchase at 23:50; 2026-03-02: 249.90.
    expect(months[1]?.totalRevenue).toBe(10_00 + 249_90);
    const weeks = await analytics.report({ businessId: facilityId, from: '2026-02-28', to: '2026-03-03', groupBy: 'week' });
    expect(weeks.map((w) => w.period)).toEqual(['2026-02-23', '2026-03-02']);
  });

  it('refuses a malformed date or business id with a ValidationError', async () => {
    await expect(analytics.rollupDay({ date: '2026-02-30' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(analytics.rollupDay({ date: DAY, businessId: { $gt: '' } as never })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});
