/**
 * `npm run bench`: measures the SDK against the raw drivers (and the embedded server's
 * scaling) in one run, prints the medians and ratios, and writes bench/results/latest.{json,md}.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchReport } from './bench-report.js';
import { benchEmbeddedMongoLookup } from './embedded-mongo.bench.js';
import { benchSdkAgainstDrivers, benchUnitOfWork } from './sdk-vs-driver.bench.js';
import { resolveTestMongo, resolveTestPostgres } from '../src/embedded/test-stores.js';

const report = new BenchReport();
const machine = BenchReport.machine();
console.log(`[nexfit bench] ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}`);

// Stores are chosen like the test suite's: MONGODB_URI / DATABASE_URL, else embedded ones.
const [mongo, postgres] = await Promise.all([resolveTestMongo(), resolveTestPostgres()]);
report.stores['MongoDB'] = mongo.description;
report.stores['PostgreSQL'] = postgres.description;
console.log(`[nexfit bench] MongoDB: ${mongo.description}\n[nexfit bench] PostgreSQL: ${postgres.description}`);
try {
  await benchSdkAgainstDrivers(report, { mongoUri: mongo.uri, pgUrl: postgres.uri });
  await benchUnitOfWork(report, { mongoUri: mongo.uri, pgUrl: postgres.uri });
  report.stores['embedded MongoDB'] = 'the SDK\'s embedded MongoDB-wire-compatible server';
  await benchEmbeddedMongoLookup(report);
} finally {
  await Promise.allSettled([mongo.stop(), postgres.stop()]);
}

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');
report.write(dir);
console.log(`\n${report.toMarkdown()}\nwritten to ${path.relative(process.cwd(), dir)}/latest.{json,md}`);
