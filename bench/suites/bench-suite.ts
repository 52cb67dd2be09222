import type { BenchReport } from '../bench-report.js';

/** Where a suite runs: the stores the run resolved (a suite makes its own databases on them). */
export interface SuiteContext {
  readonly report: BenchReport;
  readonly mongoUri: string;
  /** Connection string of a database the suite may create its own databases from. */
  readonly pgAdminUrl: string;
}

/** One file of `bench/suites/`, run by `npm run bench` or alone with `npm run bench -- --only <name>`. */
export interface BenchSuite {
  readonly name: string;
  readonly title: string;
  run(ctx: SuiteContext): Promise<void>;
}

/** Seconds since `started` (a `performance.now()` value), for the one-shot measurements. */
export function secondsSince(started: number): number {
  return (performance.now() - started) / 1000;
}
