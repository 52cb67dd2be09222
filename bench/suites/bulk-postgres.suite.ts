import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { UserId } from '../../src/core/ids.js';
import type { Nexfit } from '../../src/create-nexfit.js';
import { BULK_CHUNK_ROWS } from '../../src/stores/postgres/bulk-insert.js';
import { contestant, measureAlternating, type Rounds } from '../alternating.js';
import type { BenchReport, TaskStats } from '../bench-report.js';
import { withSuiteStores } from '../bench-stores.js';
import type { BenchSuite } from './bench-suite.js';

/** The SDK's `createMany` against the fastest of the raw bulk paths. */
const BULK = { max: 1.1 } as const;
const SIZES = [1_000, 100_000] as const;
/** Turns of the 1,000-row batch. */
const SMALL_ROUNDS: Rounds = { warmup: 3, measured: 20 };
/** Turns of the 100,000-row batch: each writes 100,000 rows per contestant, so a few say enough. */
const LARGE_ROUNDS: Rounds = { warmup: 1, measured: 3 };
const USER = 'e'.repeat(24) as UserId;

const COLUMNS = ['transaction_id', 'user_id', 'amount', 'currency', 'payment_method', 'transaction_type', 'status', 'description', 'metadata', 'created_at', 'updated_at'] as const;
const TYPES = ['text', 'text', 'numeric', 'text', 'text', 'text', 'text', 'text', 'jsonb', 'timestamptz', 'timestamptz'] as const;
const NAMES = COLUMNS.map((c) => `"${c}"`).join(', ');
const UNNEST = `insert into "transactions" (${NAMES}) select * from unnest(${TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ')}) on conflict do nothing`;
/** `unnest` handing every written row back. */
const UNNEST_INSERT = `${UNNEST} returning *`;
/** The statement the SDK sends, written by hand: only the generated id and the key come back. */
const UNNEST_INSERT_KEYS = `${UNNEST} returning "id", "transaction_id"`;
/** Rows per multi-row VALUES statement: as many as the 65,535 bind parameters allow. */
const VALUES_CHUNK = Math.floor(65_535 / COLUMNS.length);

/**
 * `createMany` of 1,000 and 100,000 `transactions` rows against three raw `pg` bulk paths
 * writing the same rows in one transaction: one `unnest` statement per chunk of
 * `BULK_CHUNK_ROWS` returning the rows (`RETURNING *`), the same returning only the generated
 * id and the key (the SQL the SDK sends: it builds the entities from the values it sent), and
 * multi-row `VALUES` in chunks as large as the parameter limit allows. The contestants take
 * turns (see `measureAlternating`), each on an emptied table with its rows made before the
 * clock starts, and the SDK's ratio is taken against the fastest of them.
 */
export const bulkPostgresSuite: BenchSuite = {
  name: 'bulk-postgres',
  title: 'PostgreSQL createMany vs raw pg bulk inserts',
  async run({ report, mongoUri, pgAdminUrl }) {
    await withSuiteStores({ mongoUri, pgAdminUrl }, 'bulk_pg', async ({ nexfit, pgUrl }) => {
      const pool = new pg.Pool({ connectionString: pgUrl, max: 4 });
      try {
        // Each turn starts on an empty, vacuumed table, so no contestant inherits a bigger index.
        const reset = async () => { await pool.query('TRUNCATE transactions CASCADE'); await pool.query('VACUUM ANALYZE transactions'); };
        for (const size of SIZES) await compareSize(report, nexfit, pool, size, reset);
      } finally {
        await pool.end();
      }
    });
  },
};

async function compareSize(report: BenchReport, nexfit: Nexfit, pool: pg.Pool, size: number, reset: () => Promise<void>): Promise<void> {
  const group = `transactions: createMany ${size.toLocaleString('en')}`;
  const sdkInputs = () =>
    Array.from({ length: size }, (_, i) => ({ transactionId: randomUUID(), userId: USER, amount: 150_00 + i, paymentMethod: 'card' as const, transactionType: 'purchase' as const, status: 'completed' as const, metadata: { i } }));
  const rawRows = () => {
    const now = new Date();
    return Array.from({ length: size }, (_, i) => [randomUUID(), USER, decimal(150_00 + i), 'TRY', 'card', 'purchase', 'completed', null, JSON.stringify({ i }), now, now]);
  };
  const raws = [
    contestant('raw pg (unnest)', rawRows, (rows) => inRawTransaction(pool, (client) => rawUnnest(client, rows, UNNEST_INSERT))),
    contestant('raw pg (unnest, returning the keys)', rawRows, (rows) => inRawTransaction(pool, (client) => rawUnnest(client, rows, UNNEST_INSERT_KEYS))),
    contestant('raw pg (multi-row VALUES)', rawRows, (rows) => inRawTransaction(pool, (client) => rawValues(client, rows))),
  ];
  const sdk = contestant('SDK', sdkInputs, (inputs) => nexfit.repositories.transactions.createMany(inputs));
  const rounds = size > 10_000 ? LARGE_ROUNDS : SMALL_ROUNDS;
  const stats = await measureAlternating([...raws, sdk], reset, rounds);
  for (const { name } of raws) report.addComparison(group, name, stats.get(name)!);
  const [fasterName, faster] = raws.map(({ name }): [string, TaskStats] => [name, stats.get(name)!]).reduce((best, next) => (next[1].medianMs < best[1].medianMs ? next : best));
  report.addComparison(group, 'SDK (vs fastest raw)', stats.get('SDK')!, { name: fasterName, stats: faster }, BULK, `${rounds.measured} alternating rounds`);
  report.addComparison(group, 'multi-row VALUES (vs unnest)', stats.get('raw pg (multi-row VALUES)')!, { name: 'raw pg (unnest)', stats: stats.get('raw pg (unnest)')! });
}

async function rawUnnest(client: pg.PoolClient, rows: readonly unknown[][], statement: string): Promise<void> {
  for (let start = 0; start < rows.length; start += BULK_CHUNK_ROWS) {
    const chunk = rows.slice(start, start + BULK_CHUNK_ROWS);
    await client.query(statement, COLUMNS.map((_, c) => chunk.map((row) => row[c])));
  }
}

async function rawValues(client: pg.PoolClient, rows: readonly unknown[][]): Promise<void> {
  for (let start = 0; start < rows.length; start += VALUES_CHUNK) {
    const chunk = rows.slice(start, start + VALUES_CHUNK);
    const tuples = chunk.map((_, r) => `(${COLUMNS.map((__, c) => `$${r * COLUMNS.length + c + 1}`).join(', ')})`).join(', ');
    await client.query(`insert into "transactions" (${NAMES}) values ${tuples} on conflict do nothing returning *`, chunk.flat());
  }
}

async function inRawTransaction(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<void>): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await work(client);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

const decimal = (minor: number) => `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;
