import { randomUUID } from 'node:crypto';
import { withSuiteStores } from '../bench-stores.js';
import type { BenchSuite } from './bench-suite.js';

const USER = 'a'.repeat(24);

/**
 * One cross-store unit of work (a document and a row, committed atomically) against the same
 * two writes committed independently, each in its own local transaction (target: <= 2x).
 */
export const unitOfWorkSuite: BenchSuite = {
  name: 'uow',
  title: 'cross-store unit of work vs two independent local commits',
  async run({ report, mongoUri, pgAdminUrl }) {
    await withSuiteStores({ mongoUri, pgAdminUrl }, 'uow', async ({ nexfit }) => {
      const probes = nexfit.mongo.db.collection('bench_probes');
      const row = () => ({ transaction_id: randomUUID(), user_id: USER, amount: '10.00', payment_method: 'card' as const, transaction_type: 'purchase' as const, status: 'completed' as const });
      await report.measure(`one document + one row (${nexfit.unitOfWorkMode})`, [
        {
          name: 'two independent local commits',
          fn: async () => {
            const session = nexfit.mongo.client.startSession();
            try {
              await session.withTransaction(async () => { await probes.insertOne({ at: new Date() }, { session }); });
            } finally {
              await session.endSession();
            }
            await nexfit.pg.transaction().execute((trx) => trx.insertInto('transactions').values(row()).execute());
          },
        },
        {
          name: 'one unit of work across both stores',
          baseline: 'two independent local commits',
          target: { max: 2 },
          fn: () => nexfit.unitOfWork(async (uow) => {
            await probes.insertOne({ at: new Date() }, { session: uow.ctx.mongo });
            await uow.ctx.pg.insertInto('transactions').values(row()).execute();
          }),
        },
      ], { time: 2000, iterations: 100 });
    });
  },
};
