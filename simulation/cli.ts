/**
 * `npm run simulate -- --seed <n> --facilities <f> --members <m> --days <d> [--faults] [--start YYYY-MM-DD] [--stop-after <days>] [--json]`
 *
 * Runs a seeded simulation of a gym chain on the stores of the environment (`MONGODB_URI`,
 * `DATABASE_URL`; the embedded ones otherwise) in fresh databases it drops afterwards, and
 * prints the report. Exits with 1 when an invariant broke. `--stop-after` ends the run after
 * that many days of the `--days` world (the first weeks of a long run).
 */
import { parseArgs } from 'node:util';
import { formatReport } from './report.js';
import { simulate } from './simulate.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    facilities: { type: 'string', default: '2' },
    members: { type: 'string', default: '300' },
    days: { type: 'string', default: '60' },
    faults: { type: 'boolean', default: false },
    start: { type: 'string' },
    'stop-after': { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const number = (name: string, text: string, min: number) => {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer of at least ${min}, got ${text}`);
  return value;
};
const started = performance.now();
const report = await simulate({
  seed: number('seed', values.seed, 0),
  facilities: number('facilities', values.facilities, 1),
  members: number('members', values.members, 1),
  days: number('days', values.days, 1),
  faults: values.faults,
  ...(values.start ? { start: values.start } : {}),
  ...(values['stop-after'] ? { stopAfter: number('stop-after', values['stop-after'], 1) } : {}),
  onDay: (day, breaks) => {
    const elapsed = ((performance.now() - started) / 1000).toFixed(1);
    if (!values.json && (day % 10 === 9 || breaks.length > 0)) process.stderr.write(`day ${day + 1}: ${breaks.length === 0 ? 'invariants hold' : `${breaks.length} broken`} (${elapsed} s)\n`);
  },
});
console.log(values.json ? JSON.stringify(report, null, 2) : formatReport(report));
process.exitCode = report.breaks.length > 0 ? 1 : 0;
