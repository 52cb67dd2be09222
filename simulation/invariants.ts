import { ObjectId, type Db } from 'mongodb';
import { Temporal } from 'temporal-polyfill';
import type pg from 'pg';
import type { SimulatedPaymentProvider } from './payment-provider.js';

/** One invariant found broken on a simulated day. */
export interface InvariantBreak {
  readonly day: number;
  /** `typed-errors`: an operation or job failed with an error that is not one of the SDK's typed errors. */
  readonly invariant: 'money' | 'capacity' | 'agenda' | 'invoice-series' | 'subscription-billing' | 'erasure' | 'in-doubt' | 'analytics' | 'typed-errors';
  readonly detail: string;
}

export interface InvariantInput {
  readonly db: Db;
  readonly pg: pg.Pool;
  readonly provider: SimulatedPaymentProvider;
  readonly erased: ReadonlySet<string>;
  readonly now: Date;
  readonly day: number;
  /** The calendar date the night's roll-up wrote `analytics_daily` rows for (`YYYY-MM-DD`). */
  readonly rolledUp?: string;
  /** Runs each invariant's check (named as in {@link InvariantBreak}), e.g. to time it; it must rethrow what the check throws. */
  readonly timed?: (invariant: string, check: () => Promise<void>) => Promise<void>;
}

/** How long a prepared transaction may stay before it counts as left behind (wall-clock time). */
const PREPARED_GRACE_SECONDS = 300;

/**
 * The invariants of the simulated chain, read with the raw drivers only (never through the
 * SDK), after the nightly jobs of a day:
 * - money: every successful charge at the provider is a completed purchase or renewal of the
 *   same amount, with the provider's refunds of it recorded as refund transactions, or was
 *   refunded in full; every completed purchase or renewal has its charge;
 * - capacity: no class occurrence holds more seats than the class's capacity;
 * - agenda: no coach and no client has two scheduled PT sessions that overlap;
 * - invoice series: each business's numbers of a year run 1..n without a gap or a repeat;
 * - subscription-billing: every payment in a member subscription's history is a completed
 *   transaction of the same amount;
 * - erasure: an erased user's health and activity data (and the nutrition plans written for them) is gone and the account a tombstone;
 * - in-doubt: no payment intent is left open after recovery, and no prepared transaction
 *   older than the grace period;
 * - analytics: each facility's `analytics_daily` row of the night's roll-up equals a
 *   recomputation from the source documents and rows, counted here document by document.
 */
export async function checkInvariants(input: InvariantInput): Promise<InvariantBreak[]> {
  const breaks: InvariantBreak[] = [];
  const broke = (invariant: InvariantBreak['invariant'], detail: string) => breaks.push({ day: input.day, invariant, detail });
  const timed = input.timed ?? ((_: string, check: () => Promise<void>) => check());
  await timed('money', () => money(input, broke));
  await timed('capacity', () => capacity(input, broke));
  await timed('agenda', () => agenda(input, broke));
  await timed('invoice-series', () => invoiceSeries(input, broke));
  await timed('subscription-billing', () => subscriptionBilling(input, broke));
  await timed('erasure', () => erasure(input, broke));
  await timed('in-doubt', () => inDoubt(input, broke));
  const rolledUp = input.rolledUp;
  if (rolledUp) await timed('analytics', () => analytics(input, rolledUp, broke));
  return breaks;
}

type Broke = (invariant: InvariantBreak['invariant'], detail: string) => void;

const minor = (decimal: string) => Math.round(Number(decimal) * 100);

async function money({ pg: pool, provider }: InvariantInput, broke: Broke): Promise<void> {
  const { rows } = await pool.query<{ transaction_id: string; amount: string; transaction_type: string; provider_ref: string | null; refund_of: string | null }>(
    "select transaction_id, amount::text, transaction_type, metadata->>'providerRef' as provider_ref, metadata->>'refundOf' as refund_of from transactions where status = 'completed'",
  );
  const payments = rows.filter((r) => r.transaction_type === 'purchase' || r.transaction_type === 'renewal');
  const refundsOf = new Map<string, number>();
  for (const r of rows) if (r.transaction_type === 'refund' && r.refund_of) refundsOf.set(r.refund_of, (refundsOf.get(r.refund_of) ?? 0) + minor(r.amount));
  const charges = provider.netByCharge();
  const paidRefs = new Set<string>();
  for (const payment of payments) {
    const ref = payment.provider_ref;
    const charge = ref ? charges.get(ref) : undefined;
    if (!ref || !charge) {
      broke('money', `transaction ${payment.transaction_id} (${payment.transaction_type}) has no successful charge at the provider (ref ${ref})`);
      continue;
    }
    if (paidRefs.has(ref)) broke('money', `charge ${ref} is recorded by more than one transaction`);
    paidRefs.add(ref);
    if (charge.charge.amount !== minor(payment.amount)) broke('money', `transaction ${payment.transaction_id} records ${minor(payment.amount)} for a charge of ${charge.charge.amount}`);
    const providerRefunded = charge.charge.amount - charge.net;
    const storeRefunded = refundsOf.get(payment.transaction_id) ?? 0;
    if (providerRefunded !== storeRefunded) broke('money', `charge ${ref}: provider refunded ${providerRefunded}, the stores record ${storeRefunded}`);
  }
  for (const [ref, { charge, net }] of charges) {
    if (!paidRefs.has(ref) && net !== 0) broke('money', `charge ${ref} (${charge.idempotencyKey}) of ${charge.amount} is neither a purchase nor refunded (net ${net})`);
  }
}

async function capacity({ db }: InvariantInput, broke: Broke): Promise<void> {
  const classes = new Map<string, number>();
  for await (const c of db.collection('classes').find({}, { projection: { 'location.capacity': 1 } })) classes.set(String(c['_id']), Number((c['location'] as { capacity: number }).capacity));
  const seats = db.collection('class_bookings').aggregate<{ _id: { classId: unknown; date: Date }; n: number }>([
    { $match: { status: { $in: ['booked', 'attended'] } } },
    { $group: { _id: { classId: '$classId', date: '$date' }, n: { $sum: 1 } } },
  ]);
  for await (const s of seats) {
    const limit = classes.get(String(s._id.classId));
    if (limit !== undefined && s.n > limit) broke('capacity', `class ${String(s._id.classId)} at ${s._id.date.toISOString()} holds ${s.n} of ${limit} seats`);
  }
}

async function agenda({ db }: InvariantInput, broke: Broke): Promise<void> {
  const sessions = await db.collection('pt_sessions').find({ status: 'scheduled' }, { projection: { coachId: 1, clientId: 1, startTime: 1, endTime: 1 } }).sort({ startTime: 1 }).toArray();
  for (const role of ['coachId', 'clientId'] as const) {
    // Sorted by start: a session overlaps an earlier one of the same person when it starts before the latest end seen.
    const latestEnd = new Map<string, { end: number; id: unknown }>();
    for (const s of sessions) {
      const person = String(s[role]);
      const seen = latestEnd.get(person);
      const start = (s['startTime'] as Date).getTime();
      const end = (s['endTime'] as Date).getTime();
      if (seen && start < seen.end) broke('agenda', `${role === 'coachId' ? 'coach' : 'client'} ${person} has overlapping sessions ${String(seen.id)} and ${String(s['_id'])}`);
      if (!seen || end > seen.end) latestEnd.set(person, { end, id: s['_id'] });
    }
  }
}

async function invoiceSeries({ pg: pool }: InvariantInput, broke: Broke): Promise<void> {
  const { rows } = await pool.query<{ series: string; n: string; low: number; high: number; distinct_numbers: string }>(
    `select split_part(invoice_number, '-', 1) || '-' || split_part(invoice_number, '-', 2) as series, count(*)::text as n,
            min(split_part(invoice_number, '-', 3)::int) as low, max(split_part(invoice_number, '-', 3)::int) as high,
            count(distinct invoice_number)::text as distinct_numbers
       from invoices group by 1`,
  );
  for (const r of rows) {
    if (r.low !== 1 || r.high !== Number(r.n) || r.distinct_numbers !== r.n) broke('invoice-series', `series ${r.series}: ${r.n} invoices numbered ${r.low}..${r.high} (${r.distinct_numbers} distinct)`);
  }
}

async function subscriptionBilling({ db, pg: pool }: InvariantInput, broke: Broke): Promise<void> {
  const { rows } = await pool.query<{ transaction_id: string; amount: string }>("select transaction_id, amount::text from transactions where status = 'completed'");
  const amounts = new Map(rows.map((r) => [r.transaction_id, minor(r.amount)]));
  const cursor = db.collection('member_subscriptions').find({}, { projection: { paymentHistory: 1 } });
  for await (const s of cursor) {
    for (const p of (s['paymentHistory'] as { transactionId: string; amount: number; status: string }[] | undefined) ?? []) {
      if (p.status !== 'completed') continue;
      const stored = amounts.get(p.transactionId);
      if (stored === undefined) broke('subscription-billing', `member subscription ${String(s['_id'])} lists payment ${p.transactionId}, which is not a completed transaction`);
      else if (stored !== p.amount) broke('subscription-billing', `member subscription ${String(s['_id'])} lists ${p.amount} for transaction ${p.transactionId} of ${stored}`);
    }
  }
}

async function erasure({ db, erased }: InvariantInput, broke: Broke): Promise<void> {
  if (erased.size === 0) return;
  const ids = [...erased];
  const forms = ids.flatMap((id) => [id, new ObjectId(id)]);
  for (const name of ['measurements', 'workout_logs', 'measurement_categories', 'food_diary_entries']) {
    const left = await db.collection(name).countDocuments({ userId: { $in: forms } });
    if (left > 0) broke('erasure', `${left} ${name} documents of erased users remain`);
  }
  const plans = await db.collection('nutrition_plans').countDocuments({ forUserId: { $in: forms } });
  if (plans > 0) broke('erasure', `${plans} nutrition plans written for erased users remain`);
  const users = await db.collection('users').find({ _id: { $in: ids.map((id) => new ObjectId(id)) } }, { projection: { email: 1, firstName: 1, erasedAt: 1 } }).toArray();
  for (const u of users) {
    if (!u['erasedAt'] || !String(u['email']).endsWith('@erased.invalid')) broke('erasure', `user ${String(u['_id'])} was erased but is not a tombstone`);
  }
}

async function inDoubt({ pg: pool }: InvariantInput, broke: Broke): Promise<void> {
  const intents = await pool.query<{ n: string }>("select count(*)::text as n from nexfit_payment_intents where status in ('open', 'refunding')");
  if (intents.rows[0]!.n !== '0') broke('in-doubt', `${intents.rows[0]!.n} payment intents still open after the nightly recovery`);
  const prepared = await pool.query<{ n: string }>(`select count(*)::text as n from pg_prepared_xacts where database = current_database() and prepared < now() - interval '${PREPARED_GRACE_SECONDS} seconds'`);
  if (prepared.rows[0]!.n !== '0') broke('in-doubt', `${prepared.rows[0]!.n} prepared transactions older than ${PREPARED_GRACE_SECONDS} s`);
}

/** The instants of calendar day `date` in `timeZone`: local midnight to the next local midnight. */
function localDay(date: string, timeZone: string): { start: Date; end: Date } {
  const day = Temporal.PlainDate.from(date);
  const at = (d: Temporal.PlainDate) => new Date(d.toZonedDateTime({ timeZone }).epochMilliseconds);
  return { start: at(day), end: at(day.add({ days: 1 })) };
}

async function analytics({ db, pg: pool }: InvariantInput, date: string, broke: Broke): Promise<void> {
  const { rows: stored } = await pool.query<{ business_id: string; new_members: number; active_members: number; total_revenue: string; class_attendance: number; subscription_renewals: number; subscription_cancellations: number }>(
    'select business_id, new_members, active_members, total_revenue::text, class_attendance, subscription_renewals, subscription_cancellations from analytics_daily where date = $1',
    [date],
  );
  const byBusiness = new Map(stored.map((r) => [r.business_id, r]));
  for await (const facility of db.collection('facilities').find({}, { projection: { timezone: 1 } })) {
    const id = String(facility['_id']);
    const { start, end } = localDay(date, String(facility['timezone']));
    const inDay = (at: unknown) => at instanceof Date && at >= start && at < end;
    const firstJoined = new Map<string, Date>();
    const active = new Set<string>();
    let cancellations = 0;
    for await (const s of db.collection('member_subscriptions').find({ facilityId: facility['_id'] }, { projection: { userId: 1, createdAt: 1, status: 1, startDate: 1, endDate: 1, cancelledAt: 1 } })) {
      const user = String(s['userId']);
      const created = s['createdAt'] as Date;
      const first = firstJoined.get(user);
      if (!first || created < first) firstJoined.set(user, created);
      if (s['status'] !== 'pending' && (s['startDate'] as Date) < end && (s['endDate'] as Date) > start) active.add(user);
      if (inDay(s['cancelledAt'])) cancellations++;
    }
    const newMembers = [...firstJoined.values()].filter(inDay).length;
    const classIds = (await db.collection('classes').find({ facilityId: facility['_id'] }, { projection: { _id: 1 } }).toArray()).map((c) => c['_id']);
    const attended = await db.collection('class_bookings').countDocuments({ classId: { $in: classIds }, date: { $gte: start, $lt: end }, status: 'attended' });
    const { rows: money } = await pool.query<{ amount: string; transaction_type: string }>(
      `select t.amount::text, t.transaction_type from transactions t
        where t.created_at >= $2 and t.created_at < $3 and t.status in ('completed', 'refunded', 'partially_refunded')
          and exists (select 1 from invoices i where i.transaction_id = t.transaction_id and i.business_id = $1)`,
      [id, start, end],
    );
    // Revenue is what was paid for memberships, renewals, packages and programmes, before refunds.
    const revenue = money.filter((m) => ['purchase', 'renewal', 'package_purchase', 'program_purchase'].includes(m.transaction_type)).reduce((sum, m) => sum + minor(m.amount), 0);
    const renewals = money.filter((m) => m.transaction_type === 'renewal').length;
    const expected = { new_members: newMembers, active_members: active.size, total_revenue: revenue, class_attendance: attended, subscription_renewals: renewals, subscription_cancellations: cancellations };
    const row = byBusiness.get(id);
    if (!row) {
      broke('analytics', `facility ${id} has no analytics_daily row for ${date}`);
      continue;
    }
    const actual = { ...row, total_revenue: minor(row.total_revenue) };
    for (const [field, value] of Object.entries(expected)) {
      if (actual[field as keyof typeof expected] !== value) broke('analytics', `facility ${id} on ${date}: analytics_daily.${field} is ${String(actual[field as keyof typeof expected])}, the sources give ${value}`);
    }
  }
}
