import { randomUUID } from 'node:crypto';
import { MongoClient, ObjectId } from 'mongodb';
import pg from 'pg';
import { createNexfit } from '../src/create-nexfit.js';
import type { UserId } from '../src/core/ids.js';
import type { BenchReport } from './bench-report.js';

const USER = 'a'.repeat(24) as UserId;

/**
 * Single-row operations through the SDK's repositories against the raw drivers doing the same
 * work (same SQL, same documents), measured side by side in one run.
 */
export async function benchSdkAgainstDrivers(report: BenchReport, stores: { mongoUri: string; pgUrl: string }): Promise<void> {
  const dbName = `bench_${Date.now().toString(36)}`;
  const nexfit = await createNexfit({ mongo: { uri: stores.mongoUri, dbName }, postgres: { connectionString: stores.pgUrl }, migrate: true });
  const rawPg = new pg.Pool({ connectionString: stores.pgUrl, max: 4 });
  const rawMongo = new MongoClient(stores.mongoUri);
  try {
    const transactions = nexfit.repositories.transactions;
    const known = await transactions.create({ transactionId: randomUUID(), userId: USER, amount: 150_00, paymentMethod: 'card', transactionType: 'purchase', status: 'completed' });
    await report.measure('PostgreSQL transactions: SDK vs raw pg', [
      { name: 'raw pg: insert one', fn: () => rawPg.query('INSERT INTO transactions (transaction_id, user_id, amount, currency, payment_method, transaction_type, status, description, metadata) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *', [randomUUID(), USER, '150.00', 'TRY', 'card', 'purchase', 'completed', null, null]) },
      { name: 'SDK: insert one', baseline: 'raw pg: insert one', target: 1.15, fn: () => transactions.create({ transactionId: randomUUID(), userId: USER, amount: 150_00, paymentMethod: 'card', transactionType: 'purchase', status: 'completed' }) },
      { name: 'raw pg: get by id', fn: () => rawPg.query('SELECT * FROM transactions WHERE transaction_id = $1', [known.transactionId]) },
      { name: 'SDK: get by id', baseline: 'raw pg: get by id', target: 1.15, fn: () => transactions.getByTransactionId(known.transactionId) },
      { name: 'raw pg: list page', fn: () => rawPg.query('SELECT * FROM transactions WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT 21', [USER]) },
      { name: 'SDK: list page', baseline: 'raw pg: list page', target: 1.15, fn: () => transactions.listByUser(USER, {}, { limit: 20 }) },
    ]);

    await rawMongo.connect();
    const rawUsers = rawMongo.db(dbName).collection('users');
    const users = nexfit.repositories.users;
    let n = 0;
    const newUser = () => ({ email: `bench${n++}@example.com`, firstName: 'Bench', lastName: 'User', role: ['client' as const], passwordHash: 'scrypt$N=16384,r=8,p=1$c2FsdA$a2V5' });
    const someone = await users.create(newUser());
    const rawDoc = () => {
      const now = new Date();
      return { _id: new ObjectId(), email: `raw${n++}@example.com`, firstName: 'Bench', lastName: 'User', role: ['client'], isActive: true, roleSpecificData: {}, passwordHash: 'x', schemaVersion: 1, version: 1, createdAt: now, updatedAt: now };
    };
    await report.measure(`MongoDB users: SDK vs raw driver (${nexfit.stores.mongo.kind})`, [
      { name: 'raw driver: insert one', fn: () => rawUsers.insertOne(rawDoc(), { bypassDocumentValidation: false }) },
      { name: 'SDK: insert one', baseline: 'raw driver: insert one', target: 1.15, fn: () => users.create(newUser()) },
      { name: 'raw driver: get by id', fn: () => rawUsers.findOne({ _id: new ObjectId(someone.id) }, { projection: { passwordHash: 0 } }) },
      { name: 'SDK: get by id', baseline: 'raw driver: get by id', target: 1.15, fn: () => users.getById(someone.id) },
    ]);
  } finally {
    await rawMongo.close();
    await rawPg.end();
    await nexfit.mongo.db.dropDatabase().catch(() => {});
    await nexfit.close();
  }
}

/**
 * One cross-store unit of work (a document and a row, committed atomically) against the same
 * two writes committed independently, each in its own local transaction.
 */
export async function benchUnitOfWork(report: BenchReport, stores: { mongoUri: string; pgUrl: string }): Promise<void> {
  const dbName = `bench_uow_${Date.now().toString(36)}`;
  const nexfit = await createNexfit({ mongo: { uri: stores.mongoUri, dbName }, postgres: { connectionString: stores.pgUrl }, migrate: true });
  try {
    const probes = nexfit.mongo.db.collection('bench_probes');
    const row = () => ({ transaction_id: randomUUID(), user_id: USER, amount: '10.00', payment_method: 'card' as const, transaction_type: 'purchase' as const, status: 'completed' as const });
    await report.measure(`cross-store unit of work (${nexfit.unitOfWorkMode})`, [
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
        target: 2,
        fn: () => nexfit.unitOfWork(async (uow) => {
          await probes.insertOne({ at: new Date() }, { session: uow.ctx.mongo });
          await uow.ctx.pg.insertInto('transactions').values(row()).execute();
        }),
      },
    ]);
  } finally {
    await nexfit.mongo.db.dropDatabase().catch(() => {});
    await nexfit.close();
  }
}
