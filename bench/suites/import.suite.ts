import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { bundleNexfitCli } from '../../test/support/cli-bundle.js';
import { withSuiteStores } from '../bench-stores.js';
import { secondsSince, type BenchSuite } from './bench-suite.js';

/** The rows of the file: 1,000,000, or `NEXFIT_BENCH_IMPORT_ROWS` for a quicker look. */
const ROWS = Number(process.env.NEXFIT_BENCH_IMPORT_ROWS ?? 1_000_000);
const TARGET_SECONDS = 60;
const TARGET_RSS_MB = 300;

/** An NDJSON file of transactions, written in chunks (never whole in memory). */
async function writeTransactionsFile(path: string): Promise<number> {
  const out = createWriteStream(path);
  let bytes = 0;
  for (let i = 0; i < ROWS; i += 10_000) {
    const lines: string[] = [];
    for (let j = i; j < Math.min(ROWS, i + 10_000); j++) {
      lines.push(JSON.stringify({
        transactionId: randomUUID(),
        userId: (j % 50_000).toString(16).padStart(24, '0'),
        amount: 1_000 + (j % 90_000),
        currency: 'TRY',
        paymentMethod: j % 3 === 0 ? 'cash' : 'card',
        transactionType: 'purchase',
        status: 'completed',
        description: `Aylık üyelik ${j}`,
        metadata: { source: 'bench', n: j },
      }));
    }
    const chunk = `${lines.join('\n')}\n`;
    bytes += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  // On disk before the import starts, as a file handed over for an import is: otherwise the
  // kernel writes its 264 MB back while PostgreSQL waits on the WAL flush of every batch.
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  return bytes;
}

/**
 * `nexfit import` of 1,000,000 NDJSON transactions (default batch of 1,000 rows, each one
 * `bulkCreate` unit of work), run as a child process of the bundled CLI so its peak RSS is
 * the import's own (read from its `--json` summary). Targets: under 60 s, under 300 MB.
 */
export const importSuite: BenchSuite = {
  name: 'import',
  title: 'nexfit import of a 1,000,000-line NDJSON file of transactions (child process)',
  async run({ report, mongoUri, pgAdminUrl }) {
    const dir = mkdtempSync(join(tmpdir(), 'nexfit-bench-import-'));
    const cli = await bundleNexfitCli('nexfit-bench-cli');
    try {
      const file = join(dir, 'transactions.ndjson');
      const written = performance.now();
      const bytes = await writeTransactionsFile(file);
      console.log(`  wrote ${ROWS.toLocaleString('en')} lines (${(bytes / 1024 / 1024).toFixed(0)} MB) in ${secondsSince(written).toFixed(1)} s`);
      await withSuiteStores({ mongoUri, pgAdminUrl }, 'import', async ({ nexfit, pgUrl, dbName }) => {
        const env = {
          ...process.env,
          MONGODB_URI: mongoUri,
          NEXFIT_MONGO_DB: dbName,
          DATABASE_URL: pgUrl,
          NEXFIT_ENCRYPTION_KEYS: `bench:${randomBytes(32).toString('base64')}`,
          NEXFIT_BLIND_INDEX_KEY: randomBytes(32).toString('base64'),
        };
        const started = performance.now();
        const child = spawn(process.execPath, [cli, 'import', 'transactions', file, '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        const [code] = (await once(child, 'exit')) as [number | null];
        const wall = secondsSince(started);
        if (code !== 0) throw new Error(`nexfit import exited ${code}: ${stdout}${stderr}`);
        const summary = JSON.parse(stdout) as { rows: number; created: number; elapsedMs: number; rowsPerSecond: number; peakRssMb: number };
        const stored = Number((await nexfit.pg.selectFrom('transactions').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
        if (summary.created !== ROWS || stored !== ROWS) throw new Error(`imported ${summary.created}, stored ${stored} of ${ROWS}`);
        const seconds = summary.elapsedMs / 1000;
        const met = seconds < TARGET_SECONDS && summary.peakRssMb < TARGET_RSS_MB;
        report.add({
          group: 'nexfit import (child process)',
          name: `${ROWS.toLocaleString('en')} NDJSON transactions, batches of 1,000`,
          medianMs: summary.elapsedMs,
          samples: 1,
          note: `${summary.rowsPerSecond.toLocaleString('en')} rows/s, peak RSS ${summary.peakRssMb} MB, ${wall.toFixed(1)} s with process start; target < ${TARGET_SECONDS} s and < ${TARGET_RSS_MB} MB: ${met ? 'met' : 'MISSED'}`,
        });
        console.log(`  imported in ${seconds.toFixed(1)} s (${summary.rowsPerSecond} rows/s), peak RSS ${summary.peakRssMb} MB`);
        if (!met) report.note(`import: ${seconds.toFixed(1)} s and ${summary.peakRssMb} MB against < ${TARGET_SECONDS} s and < ${TARGET_RSS_MB} MB.`);
      }, { pgPoolMax: 2 });
    } finally {
      rmSync(cli, { force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
