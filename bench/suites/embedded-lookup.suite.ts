import { MongoClient, type Document } from 'mongodb';
import { startEmbeddedMongo } from '../../src/embedded/mongo/server.js';
import type { BenchSuite } from './bench-suite.js';

const SIZES = [1_000, 10_000, 100_000] as const;
const SMALLEST = `findOne by email, ${SIZES[0].toLocaleString('en')} docs`;

/**
 * The embedded MongoDB-compatible server's indexed lookup at 1k, 10k and 100k documents:
 * an index-backed equality lookup should stay flat as the collection grows (target: the
 * 100k lookup within 2x of the 1k one). Always on a server of its own, whatever MongoDB
 * the rest of the run uses.
 */
export const embeddedLookupSuite: BenchSuite = {
  name: 'embedded-lookup',
  title: 'embedded MongoDB-compatible server: indexed lookup at 1k / 10k / 100k documents',
  async run({ report }) {
    report.stores['embedded MongoDB (embedded-lookup)'] = "the SDK's embedded MongoDB-wire-compatible server, started for this suite";
    const server = await startEmbeddedMongo();
    const client = new MongoClient(server.uri);
    try {
      const db = client.db('bench_embedded');
      for (const size of SIZES) {
        const collection = db.collection<Document>(`users_${size}`);
        await collection.createIndex({ email: 1 }, { unique: true });
        for (let start = 0; start < size; start += 5_000) {
          const batch = Array.from({ length: Math.min(5_000, size - start) }, (_, i) => ({ email: `user${start + i}@example.com`, n: start + i, role: ['client'] }));
          await collection.insertMany(batch, { ordered: false });
        }
      }
      let i = 0;
      await report.measure(
        'indexed lookup',
        SIZES.map((size) => ({
          name: `findOne by email, ${size.toLocaleString('en')} docs`,
          fn: async () => {
            const n = (i = (i * 7919 + 13) % size);
            const doc = await db.collection(`users_${size}`).findOne({ email: `user${n}@example.com` });
            if (!doc) throw new Error('lookup missed');
          },
          ...(size === SIZES[0] ? {} : { baseline: SMALLEST, target: { max: 2 } }),
        })),
        { time: 2000, iterations: 200 },
      );
    } finally {
      await client.close();
      await server.stop();
    }
  },
};
