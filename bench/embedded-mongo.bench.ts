import { MongoClient, type Document } from 'mongodb';
import { startEmbeddedMongo } from '../src/embedded/mongo/server.js';
import type { BenchReport } from './bench-report.js';

/**
 * The embedded MongoDB-compatible server's indexed lookup at 1k, 10k and 100k documents:
 * an index-backed equality lookup should stay flat as the collection grows (target: the
 * 100k lookup within 2x of the 1k one).
 */
export async function benchEmbeddedMongoLookup(report: BenchReport): Promise<void> {
  const server = await startEmbeddedMongo();
  const client = new MongoClient(server.uri);
  try {
    const db = client.db('bench_embedded');
    const sizes = [1_000, 10_000, 100_000] as const;
    for (const size of sizes) {
      const collection = db.collection<Document>(`users_${size}`);
      await collection.createIndex({ email: 1 }, { unique: true });
      for (let start = 0; start < size; start += 5_000) {
        const batch = Array.from({ length: Math.min(5_000, size - start) }, (_, i) => ({ email: `user${start + i}@example.com`, n: start + i, role: ['client'] }));
        await collection.insertMany(batch, { ordered: false });
      }
    }
    let i = 0;
    await report.measure(
      'embedded MongoDB: indexed lookup',
      sizes.map((size) => ({
        name: `findOne by email, ${size.toLocaleString('en')} docs`,
        fn: async () => {
          const n = (i = (i * 7919 + 13) % size);
          const doc = await db.collection(`users_${size}`).findOne({ email: `user${n}@example.com` });
          if (!doc) throw new Error('lookup missed');
        },
        ...(size === 1_000 ? {} : { baseline: 'findOne by email, 1,000 docs', target: 2 }),
      })),
    );
  } finally {
    await client.close();
    await server.stop();
  }
}
