import { sql, type Kysely } from 'kysely';
import { ObjectId, type Db, type Document } from 'mongodb';
import type { Database } from '../../stores/postgres/database.js';
import type { StoreContext } from '../../stores/store-context.js';
import type { BusinessDay } from './business-day.js';

/**
 * The read side of the daily roll-up: set-based aggregations over the collections and tables
 * the other modules write. Analytics is a read model, so it reads their stores by name
 * instead of importing their modules; every count is computed in the database.
 */

/** What the document store knows about a facility's day. */
export interface DocumentDayFacts {
  /** Users whose first membership at the facility was created that day. */
  readonly newMembers: number;
  /** Distinct users with a (non-pending) membership covering part of the day. */
  readonly activeMembers: number;
  readonly cancellations: number;
  readonly classAttendance: number;
  readonly noShows: number;
  readonly bookings: number;
}

/** Facts of one facility's day from MongoDB, in three aggregations. */
export async function documentDayFacts(db: Db, facilityId: string, day: BusinessDay, ctx?: StoreContext): Promise<DocumentDayFacts> {
  const session = ctx?.mongo ? { session: ctx.mongo } : {};
  const facility = new ObjectId(facilityId);
  const window = { $gte: day.start, $lt: day.end };
  const count = (name: string, match: Document = {}) => [{ $match: match }, { $count: name }];
  const [members] = await db
    .collection('member_subscriptions')
    .aggregate<Record<string, { n?: number }[]>>(
      [
        { $match: { facilityId: facility } },
        {
          $facet: {
            newMembers: [{ $group: { _id: '$userId', first: { $min: '$createdAt' } } }, ...count('n', { first: window })],
            activeMembers: [
              { $match: { status: { $ne: 'pending' }, startDate: { $lt: day.end }, endDate: { $gt: day.start } } },
              { $group: { _id: '$userId' } },
              { $count: 'n' },
            ],
            cancellations: count('n', { cancelledAt: window }),
          },
        },
      ],
      session,
    )
    .toArray();
  const classIds = await db.collection('classes').distinct('_id', { facilityId: facility }, session);
  const [bookings] = await db
    .collection('class_bookings')
    .aggregate<{ attended: number; noShows: number; bookings: number }>(
      [
        { $match: { classId: { $in: classIds }, date: window } },
        {
          $group: {
            _id: null,
            bookings: { $sum: 1 },
            attended: { $sum: { $cond: [{ $eq: ['$status', 'attended'] }, 1, 0] } },
            noShows: { $sum: { $cond: [{ $eq: ['$status', 'no-show'] }, 1, 0] } },
          },
        },
      ],
      session,
    )
    .toArray();
  const first = (facet: string) => Number(members?.[facet]?.[0]?.n ?? 0);
  return {
    newMembers: first('newMembers'),
    activeMembers: first('activeMembers'),
    cancellations: first('cancellations'),
    classAttendance: Number(bookings?.attended ?? 0),
    noShows: Number(bookings?.noShows ?? 0),
    bookings: Number(bookings?.bookings ?? 0),
  };
}

/** What PostgreSQL knows about a business's day: money, exact, as decimal strings. */
export interface PaymentDayFacts {
  readonly businessId: string;
  /** Completed payments (purchases, renewals, packages, programmes), before refunds. */
  readonly grossRevenue: string;
  readonly refunds: string;
  readonly renewals: number;
  readonly payments: number;
}

/**
 * Payment facts of many businesses' days in ONE query: each business's own day window is a
 * row of a `VALUES` list joined to its invoices and their transactions.
 */
export async function paymentDayFacts(pg: Kysely<Database>, windows: readonly { businessId: string; day: BusinessDay }[]): Promise<PaymentDayFacts[]> {
  if (windows.length === 0) return [];
  const values = sql.join(windows.map((w) => sql`(${w.businessId}::varchar, ${w.day.start}::timestamptz, ${w.day.end}::timestamptz)`));
  const { rows } = await sql<{ business_id: string; gross: string; refunds: string; renewals: string; payments: string }>`
    SELECT w.business_id,
      COALESCE(SUM(t.amount) FILTER (WHERE t.transaction_type IN ('purchase', 'renewal', 'package_purchase', 'program_purchase')), 0)::numeric(12,2)::text AS gross,
      COALESCE(SUM(t.amount) FILTER (WHERE t.transaction_type = 'refund'), 0)::numeric(12,2)::text AS refunds,
      COUNT(t.id) FILTER (WHERE t.transaction_type = 'renewal')::text AS renewals,
      COUNT(t.id) FILTER (WHERE t.transaction_type <> 'refund')::text AS payments
    FROM (VALUES ${values}) AS w(business_id, starts, ends)
    LEFT JOIN invoices i ON i.business_id = w.business_id AND i.transaction_id IS NOT NULL
    LEFT JOIN transactions t ON t.transaction_id = i.transaction_id
      AND t.created_at >= w.starts AND t.created_at < w.ends
      AND t.status IN ('completed', 'refunded', 'partially_refunded')
    GROUP BY w.business_id`.execute(pg);
  return rows.map((r) => ({ businessId: r.business_id, grossRevenue: r.gross, refunds: r.refunds, renewals: Number(r.renewals), payments: Number(r.payments) }));
}

/** Every facility with its time zone (the roll-up's businesses), in id order. */
export async function facilitiesWithTimeZones(db: Db, onlyId?: string): Promise<{ id: string; timeZone: string }[]> {
  const filter = onlyId ? { _id: new ObjectId(onlyId) } : {};
  const docs = await db.collection('facilities').find(filter, { projection: { timezone: 1 } }).sort({ _id: 1 }).toArray();
  return docs.map((d) => ({ id: String(d['_id']), timeZone: String(d['timezone'] ?? 'Europe/Istanbul') }));
}
