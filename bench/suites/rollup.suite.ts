import { sql } from 'kysely';
import { ObjectId, type Document } from 'mongodb';
import { startEmbeddedPostgres } from '../../src/embedded/embedded-postgres.js';
import { withSuiteStores } from '../bench-stores.js';
import { secondsSince, type BenchSuite } from './bench-suite.js';

const FACILITIES = 10;
const DAYS = 30;
/** 500k transactions and 500k invoices, each invoice paying one transaction. */
const PAYMENTS = 500_000;
const SUBSCRIPTIONS = 50_000;
const CLASSES_PER_FACILITY = 10;
const BOOKINGS = 50_000 - FACILITIES * CLASSES_PER_FACILITY - FACILITIES;
const FIRST_DAY = Date.UTC(2026, 1, 1);
const DAY = 86_400_000;
const ROLLED_UP = '2026-02-15';
const TARGET_SECONDS = 10;

/**
 * The daily analytics roll-up (`nexfit.analytics.rollupDay`, every facility) over 1,000,000
 * PostgreSQL rows (500k transactions + 500k invoices over 30 days) and 100,000 documents
 * (subscriptions, classes, bookings), on an embedded PostgreSQL started for this suite as the
 * target states. Seeding is set-based: `INSERT … SELECT generate_series` and batched `insertMany`.
 */
export const rollupSuite: BenchSuite = {
  name: 'rollup',
  title: 'daily analytics roll-up over 1M PostgreSQL rows and 100k documents (embedded PostgreSQL)',
  async run({ report, mongoUri }) {
    const embedded = await startEmbeddedPostgres();
    report.stores['PostgreSQL (rollup suite)'] = `embedded-postgres on 127.0.0.1:${embedded.port}, started for this suite`;
    try {
      await withSuiteStores({ mongoUri, pgAdminUrl: embedded.url }, 'rollup', async ({ nexfit }) => {
        const seeded = performance.now();
        const facilityIds = Array.from({ length: FACILITIES }, () => new ObjectId());
        const db = nexfit.mongo.db;
        const insert = async (name: string, docs: Document[]) => {
          for (let i = 0; i < docs.length; i += 5_000) await db.collection(name).insertMany(docs.slice(i, i + 5_000), { ordered: false, bypassDocumentValidation: true });
        };
        await insert('facilities', facilityIds.map((_id, i) => ({ _id, name: `Gym ${i}`, timezone: 'Europe/Istanbul' })));
        const classIds = facilityIds.flatMap((facilityId) => Array.from({ length: CLASSES_PER_FACILITY }, () => ({ _id: new ObjectId(), facilityId })));
        await insert('classes', classIds.map((c) => ({ ...c, name: 'Yoga', isActive: true })));
        await insert('member_subscriptions', Array.from({ length: SUBSCRIPTIONS }, (_, i) => {
          const created = new Date(FIRST_DAY + (i % DAYS) * DAY + (i % 1440) * 60_000);
          return { userId: new ObjectId(), facilityId: facilityIds[i % FACILITIES], membershipId: new ObjectId(), status: i % 7 === 0 ? 'cancelled' : 'active', startDate: created, endDate: new Date(created.getTime() + 30 * DAY), createdAt: created, updatedAt: created, ...(i % 7 === 0 ? { cancelledAt: new Date(created.getTime() + DAY) } : {}) };
        }));
        await insert('class_bookings', Array.from({ length: BOOKINGS }, (_, i) => {
          const date = new Date(FIRST_DAY + (i % DAYS) * DAY + 15 * 3_600_000);
          return { classId: classIds[i % classIds.length]!._id, userId: new ObjectId(), date, status: ['booked', 'attended', 'no-show'][i % 3], createdAt: date, updatedAt: date };
        }));
        const business = `ARRAY[${facilityIds.map((id) => `'${id.toHexString()}'`).join(', ')}]`;
        await sql.raw(`INSERT INTO transactions (transaction_id, user_id, amount, payment_method, transaction_type, status, created_at, updated_at)
                SELECT 'bench-' || g, lpad(to_hex(g % 50000), 24, '0'), (g % 900 + 100)::numeric(10,2), 'card',
                       (ARRAY['purchase', 'renewal', 'package_purchase', 'refund'])[g % 4 + 1], 'completed',
                       timestamptz '2026-02-01 00:00:00+00' + (g % ${DAYS}) * interval '1 day' + (g % 1440) * interval '1 minute',
                       timestamptz '2026-02-01 00:00:00+00' + (g % ${DAYS}) * interval '1 day'
                FROM generate_series(1, ${PAYMENTS}) AS g`).execute(nexfit.pg);
        await sql.raw(`INSERT INTO invoices (invoice_id, transaction_id, user_id, business_id, total_amount, tax_amount, status, due_date, invoice_number, invoice_data, created_at, updated_at)
                SELECT 'inv-' || g, 'bench-' || g, lpad(to_hex(g % 50000), 24, '0'), (${business})[g % ${FACILITIES} + 1], (g % 900 + 100)::numeric(10,2), 0, 'paid',
                       date '2026-03-01', 'B-' || g, '{}', timestamptz '2026-02-01 00:00:00+00' + (g % ${DAYS}) * interval '1 day', timestamptz '2026-02-01 00:00:00+00' + (g % ${DAYS}) * interval '1 day'
                FROM generate_series(1, ${PAYMENTS}) AS g`).execute(nexfit.pg);
        await sql`ANALYZE`.execute(nexfit.pg);
        const seconds = secondsSince(seeded);
        console.log(`  seeded ${(PAYMENTS * 2).toLocaleString('en')} rows and ${(FACILITIES + classIds.length + SUBSCRIPTIONS + BOOKINGS).toLocaleString('en')} documents in ${seconds.toFixed(1)} s`);

        const started = performance.now();
        const rows = await nexfit.analytics.rollupDay({ date: ROLLED_UP });
        const took = secondsSince(started);
        const revenue = rows.reduce((sum, r) => sum + r.totalRevenue, 0);
        if (rows.length !== FACILITIES || revenue <= 0) throw new Error(`roll-up produced ${rows.length} rows, revenue ${revenue}`);
        report.add({
          group: 'analytics roll-up (embedded PostgreSQL)',
          name: `rollupDay, ${FACILITIES} facilities, over 1,000,000 rows + 100,000 documents`,
          medianMs: took * 1000,
          samples: 1,
          note: `target < ${TARGET_SECONDS} s: ${took < TARGET_SECONDS ? 'met' : 'MISSED'}`,
        });
        if (took >= TARGET_SECONDS) report.note(`rollup: ${took.toFixed(1)} s, ${(took - TARGET_SECONDS).toFixed(1)} s over the ${TARGET_SECONDS} s target.`);
      });
    } finally {
      await embedded.stop();
    }
  },
};
