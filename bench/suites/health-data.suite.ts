import { ObjectId, type Document } from 'mongodb';
import { withSuiteStores } from '../bench-stores.js';
import type { BenchSuite } from './bench-suite.js';

const DAY_MS = 86_400_000;
const YEAR_IN_CLEAR = 'trend over a year, values in clear';

/**
 * What encrypting body measurements at rest costs where it is felt most: a member's trend and
 * progress over a year of daily measurements (365 documents read and opened), against the
 * same year stored in clear (documents written as earlier layouts did, which reads still
 * accept until `nexfit keys rotate` seals them); and recording one measurement.
 */
export const healthDataSuite: BenchSuite = {
  name: 'health-data',
  title: 'health data at rest: a year of measurements sealed vs in clear',
  async run(ctx) {
    await withSuiteStores(ctx, 'health_data', async ({ nexfit }) => {
      const register = (n: number) =>
        nexfit.users.register({ email: `bench-health-${n}@example.com`, firstName: 'Bench', lastName: 'Member', role: ['client'], password: 'correct horse battery' });
      const [sealed, clear, writer] = await Promise.all([register(1), register(2), register(3)]);
      const start = Date.UTC(2025, 0, 1);
      const values = (day: number) => ({ weight: 80 - day * 0.02, bodyFatPercentage: 22 - day * 0.01, waistCircumference: 90 - day * 0.03 });
      for (let day = 0; day < 365; day++) {
        await nexfit.measurements.record({ userId: sealed.id, date: new Date(start + day * DAY_MS).toISOString().slice(0, 10), measurements: values(day), notes: `gün ${day}` });
      }
      // The same year as earlier layouts stored it: the values in clear.
      const stored = await nexfit.mongo.db.collection('measurements').find({ userId: { $exists: true } }).toArray();
      const inClear: Document[] = stored.map(({ _id, ...doc }, day) => ({ ...doc, _id: new ObjectId(), userId: new ObjectId(clear.id), measurements: values(day), notes: `gün ${day}` }));
      await nexfit.mongo.db.collection('measurements').insertMany(inClear);
      const year = { from: '2025-01-01', to: '2025-12-31' };
      let recorded = 0;
      await ctx.report.measure(
        'health data',
        [
          { name: YEAR_IN_CLEAR, fn: async () => void (await nexfit.measurements.trend(clear.id, year)) },
          { name: 'trend over a year, values sealed', fn: async () => void (await nexfit.measurements.trend(sealed.id, year)), baseline: YEAR_IN_CLEAR },
          { name: 'progress over a year, values sealed', fn: async () => void (await nexfit.measurements.progress(sealed.id, year)), baseline: YEAR_IN_CLEAR },
          {
            name: 'record one measurement (sealed)',
            fn: async () => {
              recorded += 1;
              await nexfit.measurements.record({ userId: writer.id, date: new Date(start + recorded * DAY_MS).toISOString().slice(0, 10), measurements: values(recorded % 365) });
            },
          },
        ],
        { time: 2000, iterations: 40 },
      );
    });
  },
};
