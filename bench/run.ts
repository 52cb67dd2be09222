/**
 * `npm run bench`: every suite of bench/suites/ in one run; prints medians and ratios and
 * writes bench/results/latest.{json,md}. `npm run bench -- --only postgres,mongo` runs some
 * suites only, and then writes bench/results/partial.{json,md} instead, so a quick iteration
 * never replaces the full table.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { resolveTestPostgres } from '../src/embedded/test-stores.js';
import { resolveMongoBesideProcess } from './embedded-mongo-spawn.js';
import { BenchReport } from './bench-report.js';
import type { BenchSuite } from './suites/bench-suite.js';
import { bookingsSuite } from './suites/bookings.suite.js';
import { bulkMongoSuite } from './suites/bulk-mongo.suite.js';
import { bulkPostgresSuite } from './suites/bulk-postgres.suite.js';
import { cacheSuite } from './suites/cache.suite.js';
import { embeddedLookupSuite } from './suites/embedded-lookup.suite.js';
import { healthDataSuite } from './suites/health-data.suite.js';
import { importSuite } from './suites/import.suite.js';
import { mongoSuite } from './suites/mongo.suite.js';
import { postgresSuite } from './suites/postgres.suite.js';
import { purchasesSuite } from './suites/purchases.suite.js';
import { rollupSuite } from './suites/rollup.suite.js';
import { unitOfWorkSuite } from './suites/unit-of-work.suite.js';
import { trainingStatsSuite } from './suites/training-stats.suite.js';

const SUITES: readonly BenchSuite[] = [postgresSuite, mongoSuite, unitOfWorkSuite, bookingsSuite, purchasesSuite, rollupSuite, embeddedLookupSuite, cacheSuite, healthDataSuite, bulkMongoSuite, bulkPostgresSuite, importSuite, trainingStatsSuite];

const { values } = parseArgs({ options: { only: { type: 'string' } } });
const only = values.only?.split(',').map((s) => s.trim()).filter(Boolean);
const unknown = only?.filter((name) => !SUITES.some((s) => s.name === name)) ?? [];
if (unknown.length) {
  console.error(`unknown suite(s): ${unknown.join(', ')}; suites: ${SUITES.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
const selected = only ? SUITES.filter((s) => only.includes(s.name)) : SUITES;

const report = new BenchReport();
console.log(`[nexfit bench] ${BenchReport.machineLine()}`);
// Stores are chosen like the test suite's: MONGODB_URI / DATABASE_URL, else embedded ones.
const [mongo, postgres] = await Promise.all([resolveMongoBesideProcess(), resolveTestPostgres()]);
report.stores['MongoDB'] = mongo.description;
report.stores['PostgreSQL'] = postgres.description;
console.log(`[nexfit bench] MongoDB: ${mongo.description}\n[nexfit bench] PostgreSQL: ${postgres.description}`);
try {
  for (const suite of selected) {
    console.log(`\n[nexfit bench] ${suite.name}: ${suite.title}`);
    report.suite = suite.name;
    try {
      await suite.run({ report, mongoUri: mongo.uri, pgAdminUrl: postgres.uri });
    } catch (error) {
      // One failing suite is reported and the run goes on, so the table shows everything else.
      process.exitCode = 1;
      report.note(`${suite.name}: FAILED — ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
  }
} finally {
  await Promise.allSettled([mongo.stop(), postgres.stop()]);
}

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');
const name = only ? 'partial' : 'latest';
report.write(dir, name);
console.log(`\n${report.toMarkdown()}\nwritten to ${path.relative(process.cwd(), dir)}/${name}.{json,md}`);
