import { randomUUID } from 'node:crypto';
import { desc, eq, sql as dsql } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import type { BusinessId, UserId } from '../../src/core/ids.js';
import type { Nexfit } from '../../src/create-nexfit.js';
import type { BenchReport, BenchTask } from '../bench-report.js';
import { withSuiteStores } from '../bench-stores.js';
import type { BenchSuite } from './bench-suite.js';
import * as tables from './drizzle-tables.js';

const SINGLE_ROW = { max: 1.15 } as const;
const BATCH = { max: 1.05 } as const;
const FASTER_THAN_DRIZZLE = { below: 1 } as const;
const BATCH_SIZE = 1_000;
/** Rows of the user whose first page is listed: enough that the page is a real index range. */
const LISTED_ROWS = 2_000;

const INSERT_USER = 'b'.repeat(24) as UserId;
const LIST_USER = 'c'.repeat(24) as UserId;
const BUSINESS = 'd'.repeat(24) as BusinessId;

type Contestant = 'raw pg' | 'SDK' | 'Drizzle';
type Operation = Record<Contestant, () => Promise<unknown>>;

/**
 * Five operations on `transactions` and `invoices` (insert one, insert 1,000 in one
 * transaction, get by id, the first page of an indexed list, patch) through the raw `pg`
 * client with the SQL the SDK sends, through the SDK's repositories, and through Drizzle
 * mapping the same tables, measured side by side in one tinybench run per operation.
 */
export const postgresSuite: BenchSuite = {
  name: 'postgres',
  title: 'PostgreSQL: SDK vs raw pg vs Drizzle',
  async run({ report, mongoUri, pgAdminUrl }) {
    await withSuiteStores({ mongoUri, pgAdminUrl }, 'pg', async ({ nexfit, pgUrl }) => {
      // One pool for the raw client and Drizzle (as a Drizzle user would pass theirs), sized like the SDK's.
      const pool = new pg.Pool({ connectionString: pgUrl, max: 4 });
      const db = drizzle({ client: pool });
      try {
        await seed(pool);
        // Every contestant starts on vacuumed, analysed tables (as autovacuum keeps them), so rows
        // updated or inserted by the contestant before it do not tax the one after it.
        const vacuum = async () => { await pool.query('VACUUM ANALYZE transactions, invoices, nexfit_invoice_sequences'); };
        await compare(report, 'transactions', transactionOperations(nexfit, pool, db), vacuum);
        await compare(report, 'invoices', await invoiceOperations(nexfit, pool, db), vacuum);
      } finally {
        await pool.end();
      }
    });
  },
};

async function compare(report: BenchReport, table: string, operations: Record<string, Operation & { batch?: boolean }>, beforeAll: () => Promise<void>): Promise<void> {
  for (const [operation, run] of Object.entries(operations)) {
    const group = `${table}: ${operation}`;
    const tasks: BenchTask[] = [
      { name: 'raw pg', fn: run['raw pg'], beforeAll },
      { name: 'SDK', fn: run.SDK, baseline: 'raw pg', target: run.batch ? BATCH : SINGLE_ROW, beforeAll },
      { name: 'Drizzle', fn: run.Drizzle, beforeAll },
    ];
    const stats = await report.measure(group, tasks, run.batch ? { time: 3000, iterations: 10, warmupIterations: 2 } : { time: 2000, iterations: 200, warmupIterations: 50 });
    report.addComparison(group, 'SDK (vs Drizzle)', stats.get('SDK')!, { name: 'Drizzle', stats: stats.get('Drizzle')! }, FASTER_THAN_DRIZZLE);
  }
}

/**
 * The listed user's history, set-based: one statement per table. Its rows are dated a day
 * ahead, newer than anything the insert tasks write, so the page is the newest rows of the
 * table too: the plan is then the same whether PostgreSQL walks the user's index or the
 * `created_at` one, and no contestant meets a plan the one before it did not.
 */
async function seed(pool: pg.Pool): Promise<void> {
  await pool.query(
    `INSERT INTO transactions (transaction_id, user_id, amount, payment_method, transaction_type, status, created_at, updated_at)
     SELECT gen_random_uuid()::text, $1, (g % 500 + 1)::numeric(10,2), 'card', 'purchase', 'completed', now() + interval '1 day' - g * interval '1 minute', now() + interval '1 day' - g * interval '1 minute'
     FROM generate_series(1, $2::int) AS g`,
    [LIST_USER, LISTED_ROWS],
  );
  await pool.query(
    `INSERT INTO invoices (invoice_id, user_id, business_id, total_amount, tax_amount, status, due_date, invoice_number, invoice_data, created_at, updated_at)
     SELECT gen_random_uuid()::text, $1, $2, 120.00, 20.00, 'issued', current_date + 30, 'SEED-' || g, '{"lines":[]}', now() + interval '1 day' - g * interval '1 minute', now() + interval '1 day' - g * interval '1 minute'
     FROM generate_series(1, $3::int) AS g`,
    [LIST_USER, BUSINESS, LISTED_ROWS],
  );
}

/** Runs `work` on one connection inside BEGIN/COMMIT, as the raw client's batches and invoices do. */
async function inRawTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

const TRANSACTION_INSERT =
  'insert into "transactions" ("transaction_id", "user_id", "amount", "currency", "payment_method", "transaction_type", "status", "description", "metadata", "created_at", "updated_at") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning *';

function transactionOperations(nexfit: Nexfit, pool: pg.Pool, db: NodePgDatabase): Record<string, Operation & { batch?: boolean }> {
  const repo = nexfit.repositories.transactions;
  const rawValues = () => {
    const now = new Date();
    return [randomUUID(), INSERT_USER, '150.00', 'TRY', 'card', 'purchase', 'completed', null, null, now, now];
  };
  const sdkInput = () => ({ transactionId: randomUUID(), userId: INSERT_USER, amount: 150_00, paymentMethod: 'card' as const, transactionType: 'purchase' as const, status: 'completed' as const });
  const drizzleRow = () => {
    const now = new Date();
    return { transactionId: randomUUID(), userId: INSERT_USER, amount: '150.00', currency: 'TRY', paymentMethod: 'card', transactionType: 'purchase', status: 'completed', description: null, metadata: null, createdAt: now, updatedAt: now };
  };
  const known = randomUUID();
  const ready = pool.query(TRANSACTION_INSERT, [known, INSERT_USER, '150.00', 'TRY', 'card', 'purchase', 'completed', null, null, new Date(), new Date()]);
  let flip = false;
  const nextStatus = () => ((flip = !flip) ? 'pending' : 'completed');
  return {
    'insert one': {
      'raw pg': () => pool.query(TRANSACTION_INSERT, rawValues()),
      SDK: () => repo.create(sdkInput()),
      Drizzle: () => db.insert(tables.transactions).values(drizzleRow()).returning(),
    },
    [`insert ${BATCH_SIZE.toLocaleString('en')} (one transaction)`]: {
      batch: true,
      'raw pg': () => inRawTransaction(pool, async (client) => {
        for (let i = 0; i < BATCH_SIZE; i++) await client.query(TRANSACTION_INSERT, rawValues());
      }),
      SDK: () => nexfit.pg.transaction().execute(async (trx) => {
        for (let i = 0; i < BATCH_SIZE; i++) await repo.create(sdkInput(), { pg: trx });
      }),
      Drizzle: () => db.transaction(async (tx) => {
        for (let i = 0; i < BATCH_SIZE; i++) await tx.insert(tables.transactions).values(drizzleRow()).returning();
      }),
    },
    'get by id': {
      'raw pg': async () => (await ready, pool.query('select * from "transactions" where "transaction_id" = $1', [known])),
      SDK: async () => (await ready, repo.getByTransactionId(known)),
      Drizzle: async () => (await ready, db.select().from(tables.transactions).where(eq(tables.transactions.transactionId, known))),
    },
    'list page (20, newest first)': {
      'raw pg': () => pool.query('select * from "transactions" where "user_id" = $1 order by "created_at" desc, "id" desc limit $2', [LIST_USER, 21]),
      SDK: () => repo.listByUser(LIST_USER, {}, { limit: 20 }),
      Drizzle: () => db.select().from(tables.transactions).where(eq(tables.transactions.userId, LIST_USER)).orderBy(desc(tables.transactions.createdAt), desc(tables.transactions.id)).limit(21),
    },
    'patch (status)': {
      'raw pg': async () => (await ready, pool.query('update "transactions" set "status" = $1 where "transaction_id" = $2 returning *', [nextStatus(), known])),
      SDK: async () => (await ready, repo.updateStatus(known, { status: nextStatus() })),
      Drizzle: async () => (await ready, db.update(tables.transactions).set({ status: nextStatus() }).where(eq(tables.transactions.transactionId, known)).returning()),
    },
  };
}

/** The SDK's numbering statement: the issuer code and the next number of the series in one round trip. */
const CODE_AND_NEXT = `with code as (
      select last_value from nexfit_invoice_sequences where business_id = $1 and year = 0
    ), next as (
      insert into nexfit_invoice_sequences (business_id, year, last_value)
      select $1, $2, 1 where exists (select 1 from code)
      on conflict (business_id, year) do update set last_value = nexfit_invoice_sequences.last_value + 1
      returning last_value
    )
    select (select last_value from code) as code, (select last_value from next) as sequence`;
const INVOICE_INSERT =
  'insert into "invoices" ("invoice_id", "transaction_id", "subscription_id", "user_id", "business_id", "total_amount", "tax_amount", "currency", "status", "due_date", "payment_date", "invoice_number", "invoice_data", "created_at", "updated_at") values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) returning *';

/** The invoice number the SDK's sequence formats: year, issuer code and sequence, zero-padded. */
const invoiceNumber = (year: number, code: number, sequence: number) => `${year}-${String(code).padStart(6, '0')}-${String(sequence).padStart(6, '0')}`;

async function invoiceOperations(nexfit: Nexfit, pool: pg.Pool, db: NodePgDatabase): Promise<Record<string, Operation & { batch?: boolean }>> {
  const repo = nexfit.repositories.invoices;
  const sdkInput = () => ({ invoiceId: randomUUID(), userId: INSERT_USER, businessId: BUSINESS, totalAmount: 1_800_00, taxAmount: 300_00, status: 'issued' as const, dueDate: '2026-12-31', invoiceData: { lines: [] } });
  // The first invoice registers the business's issuer code; every contestant then takes numbers from the same series.
  const first = await repo.create(sdkInput());
  const year = Number(first.invoiceNumber.slice(0, 4));
  const rawIssue = async (client: pg.PoolClient) => {
    const { code, sequence } = (await client.query<{ code: number; sequence: number }>(CODE_AND_NEXT, [BUSINESS, year])).rows[0]!;
    const now = new Date();
    return client.query(INVOICE_INSERT, [randomUUID(), null, null, INSERT_USER, BUSINESS, '1800.00', '300.00', 'TRY', 'issued', '2026-12-31', null, invoiceNumber(year, code, sequence), '{"lines":[]}', now, now]);
  };
  type Tx = Parameters<Parameters<NodePgDatabase['transaction']>[0]>[0];
  const drizzleIssue = async (tx: Tx) => {
    const { rows } = await tx.execute<{ code: number; sequence: number }>(dsql`with code as (
        select last_value from nexfit_invoice_sequences where business_id = ${BUSINESS} and year = 0
      ), next as (
        insert into nexfit_invoice_sequences (business_id, year, last_value)
        select ${BUSINESS}, ${year}, 1 where exists (select 1 from code)
        on conflict (business_id, year) do update set last_value = nexfit_invoice_sequences.last_value + 1
        returning last_value
      )
      select (select last_value from code) as code, (select last_value from next) as sequence`);
    const { code, sequence } = rows[0]!;
    const now = new Date();
    return tx
      .insert(tables.invoices)
      .values({ invoiceId: randomUUID(), userId: INSERT_USER, businessId: BUSINESS, totalAmount: '1800.00', taxAmount: '300.00', currency: 'TRY', status: 'issued', dueDate: '2026-12-31', invoiceNumber: invoiceNumber(year, code, sequence), invoiceData: { lines: [] }, createdAt: now, updatedAt: now })
      .returning();
  };
  const known = first.invoiceId;
  let flip = false;
  const nextStatus = () => ((flip = !flip) ? 'overdue' : 'issued');
  return {
    'insert one (numbered, own transaction)': {
      'raw pg': () => inRawTransaction(pool, rawIssue),
      SDK: () => repo.create(sdkInput()),
      Drizzle: () => db.transaction(drizzleIssue),
    },
    [`insert ${BATCH_SIZE.toLocaleString('en')} (one transaction)`]: {
      batch: true,
      'raw pg': () => inRawTransaction(pool, async (client) => {
        for (let i = 0; i < BATCH_SIZE; i++) await rawIssue(client);
      }),
      SDK: () => nexfit.pg.transaction().execute(async (trx) => {
        for (let i = 0; i < BATCH_SIZE; i++) await repo.create(sdkInput(), { pg: trx });
      }),
      Drizzle: () => db.transaction(async (tx) => {
        for (let i = 0; i < BATCH_SIZE; i++) await drizzleIssue(tx);
      }),
    },
    'get by id': {
      'raw pg': () => pool.query('select * from "invoices" where "invoice_id" = $1', [known]),
      SDK: () => repo.getByInvoiceId(known),
      Drizzle: () => db.select().from(tables.invoices).where(eq(tables.invoices.invoiceId, known)),
    },
    'list page (20, newest first)': {
      'raw pg': () => pool.query('select * from "invoices" where "user_id" = $1 order by "created_at" desc, "id" desc limit $2', [LIST_USER, 21]),
      SDK: () => repo.listByUser(LIST_USER, {}, { limit: 20 }),
      Drizzle: () => db.select().from(tables.invoices).where(eq(tables.invoices.userId, LIST_USER)).orderBy(desc(tables.invoices.createdAt), desc(tables.invoices.id)).limit(21),
    },
    'patch (status)': {
      'raw pg': () => pool.query('update "invoices" set "status" = $1 where "invoice_id" = $2 returning *', [nextStatus(), known]),
      SDK: () => repo.setStatus(known, nextStatus()),
      Drizzle: () => db.update(tables.invoices).set({ status: nextStatus() }).where(eq(tables.invoices.invoiceId, known)).returning(),
    },
  };
}
