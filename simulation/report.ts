import type { InvariantBreak } from './invariants.js';

/** Latency and throughput of one kind of operation. */
export interface OperationStats {
  readonly count: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** What a simulation run measured and found. */
export interface SimulationReport {
  readonly seed: number;
  /** `stoppedAfter`: the run ended after that many of its `days` (see `SimulateInput.stopAfter`). */
  readonly options: { readonly facilities: number; readonly members: number; readonly days: number; readonly faults: boolean; readonly stoppedAfter?: number };
  readonly stores: { readonly mongo: string; readonly postgres: string; readonly unitOfWork: string };
  readonly seconds: number;
  readonly daysPerSecond: number;
  readonly operations: Readonly<Record<string, OperationStats>>;
  /** How each kind of operation ended: `ok`, a refusal (`CONFLICT:class_full`), or `untyped:…` for an error that is not the SDK's. */
  readonly outcomes: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly providerFaults: { readonly failed: number; readonly timedOut: number; readonly declined: number };
  readonly storeSizes: Readonly<Record<string, number>>;
  /** Worker processes killed with SIGKILL (with faults), and how their payment intents stood at the kills (the nights' recovery closes the open ones). */
  readonly workers: { readonly killed: number; readonly recoveryWaits: number; readonly intents: Readonly<Record<string, number>>; readonly mongoTransactionLifetimeSeconds: number | null };
  readonly breaks: readonly InvariantBreak[];
}

/** Durations and outcomes by kind of operation. */
export class LatencyBook {
  readonly #durations = new Map<string, number[]>();
  readonly #outcomes = new Map<string, Map<string, number>>();

  /** Runs `work`, recording how long it took and the outcome it returned (a string), or `thrown:<name>`. */
  async time(kind: string, work: () => Promise<unknown>): Promise<void> {
    const started = performance.now();
    let outcome: string;
    try {
      const result = await work();
      outcome = typeof result === 'string' ? result : 'ok';
    } catch (error) {
      outcome = `thrown:${error instanceof Error ? (error as { code?: string }).code ?? error.name : typeof error}`;
    }
    const ms = performance.now() - started;
    let list = this.#durations.get(kind);
    if (!list) this.#durations.set(kind, (list = []));
    list.push(ms);
    let counts = this.#outcomes.get(kind);
    if (!counts) this.#outcomes.set(kind, (counts = new Map()));
    counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
  }

  summary(seconds: number): Record<string, OperationStats> {
    const out: Record<string, OperationStats> = {};
    for (const [kind, list] of [...this.#durations].sort(([a], [b]) => a.localeCompare(b))) {
      const sorted = [...list].sort((a, b) => a - b);
      const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
      out[kind] = { count: sorted.length, perSecond: sorted.length / seconds, p50Ms: round(at(0.5)), p99Ms: round(at(0.99)) };
    }
    return out;
  }

  outcomes(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [kind, counts] of [...this.#outcomes].sort(([a], [b]) => a.localeCompare(b))) out[kind] = Object.fromEntries([...counts].sort(([, a], [, b]) => b - a));
    return out;
  }
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/** The report as Markdown, for the README and the terminal. */
export function formatReport(report: SimulationReport): string {
  const o = report.options;
  const lines = [
    `Simulation: seed ${report.seed}, ${o.facilities} facilities, ${o.members.toLocaleString('en')} members, ${o.days} days${o.stoppedAfter === undefined ? '' : ` (stopped after day ${o.stoppedAfter})`}${o.faults ? ', with faults' : ''}`,
    `Stores: MongoDB ${report.stores.mongo}; PostgreSQL ${report.stores.postgres}; unit of work ${report.stores.unitOfWork}`,
    `Ran ${report.seconds.toFixed(1)} s: ${report.daysPerSecond.toFixed(2)} simulated days per second`,
    `Provider faults: ${report.providerFaults.declined} declined, ${report.providerFaults.failed} failed, ${report.providerFaults.timedOut} timed out after charging`,
    ...(report.workers.killed > 0 ? [`Worker processes killed with SIGKILL: ${report.workers.killed}; their payment intents at the kills: ${Object.entries(report.workers.intents).map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}; recovery waited ${report.workers.recoveryWaits} time(s) for a dead worker's MongoDB transaction to expire (MongoDB transaction lifetime ${report.workers.mongoTransactionLifetimeSeconds === null ? 'as the server has it' : `${report.workers.mongoTransactionLifetimeSeconds} s`})`] : []),
    '',
    '| operation | count | per second | p50 ms | p99 ms | outcomes |',
    '|---|---:|---:|---:|---:|---|',
    ...Object.entries(report.operations).map(([kind, s]) => `| ${kind} | ${s.count} | ${s.perSecond.toFixed(1)} | ${s.p50Ms} | ${s.p99Ms} | ${Object.entries(report.outcomes[kind] ?? {}).map(([k, n]) => `${k} ${n}`).join(', ')} |`),
    '',
    `Store sizes: ${Object.entries(report.storeSizes).map(([k, n]) => `${k} ${n}`).join(', ')}`,
    report.breaks.length === 0
      ? 'Invariants: none broken'
      : `Invariants broken (${report.breaks.length}); replay with --seed ${report.seed}:\n${report.breaks.slice(0, 20).map((b) => `- day ${b.day}: ${b.invariant}: ${b.detail}`).join('\n')}`,
  ];
  return lines.join('\n');
}
