import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Bench } from 'tinybench';

/**
 * A ratio target. `max`: the measured row's median over its baseline's must not exceed it
 * (SDK / raw driver <= 1.15). `below`: the ratio must stay strictly under it (SDK / Drizzle < 1).
 */
export type RatioTarget = { readonly max: number } | { readonly below: number };

/** One measured operation: its median, spread and, when it has a baseline, the ratio to it. */
export interface BenchRow {
  readonly suite: string;
  readonly group: string;
  readonly name: string;
  readonly medianMs: number;
  /** Interquartile range of the samples (p75 - p25): how much the shared machine moved them. */
  readonly iqrMs?: number;
  readonly samples: number;
  /** Name of the row this one is compared with (same group, same run). */
  readonly baseline?: string;
  readonly ratio?: number;
  readonly target?: RatioTarget;
  readonly met?: boolean;
  readonly note?: string;
}

/** One task of a {@link BenchReport.measure} run. */
export interface BenchTask {
  readonly name: string;
  readonly fn: () => unknown;
  readonly baseline?: string;
  readonly target?: RatioTarget;
  readonly note?: string;
  /** Runs before this task's warm-up and samples, outside the timing (e.g. a VACUUM). */
  readonly beforeAll?: () => Promise<void>;
}

/** Median and spread of one task, as {@link BenchReport.measure} returns them. */
export interface TaskStats {
  readonly medianMs: number;
  readonly iqrMs?: number;
  readonly samples: number;
}

/** The machine the numbers were measured on. */
export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
  readonly loadAverage: readonly number[];
}

/**
 * Collects rows from every suite of a run, prints them as they come, and writes the run as
 * JSON and Markdown. Ratios are always of two medians measured in the same tinybench run.
 *
 * @example
 * ```ts
 * const report = new BenchReport();
 * report.suite = 'postgres';
 * await report.measure('transactions: get by id', [
 *   { name: 'raw pg', fn: () => pool.query(text, [id]) },
 *   { name: 'SDK', fn: () => repo.getByTransactionId(id), baseline: 'raw pg', target: { max: 1.15 } },
 * ]);
 * report.write('bench/results');
 * ```
 */
export class BenchReport {
  readonly rows: BenchRow[] = [];
  readonly stores: Record<string, string> = {};
  readonly notes: string[] = [];
  /** The suite the next rows belong to. */
  suite = '';

  /**
   * Runs `tasks` in one tinybench run (interleaved on the same stores) and records their
   * medians; rows with a `baseline` get the ratio of their median to the baseline's.
   */
  async measure(group: string, tasks: readonly BenchTask[], options: { time?: number; iterations?: number; warmupIterations?: number } = {}): Promise<Map<string, TaskStats>> {
    const bench = new Bench({
      name: group,
      time: options.time ?? 1500,
      iterations: options.iterations ?? 20,
      warmupIterations: options.warmupIterations ?? 10,
      retainSamples: true,
      throws: true,
    });
    // `async: true`: otherwise tinybench calls a plain arrow function once, unawaited, to find out
    // whether it returns a promise, and that call races the first measured one.
    for (const task of tasks) bench.add(task.name, task.fn as () => Promise<void>, { async: true, ...(task.beforeAll ? { beforeAll: task.beforeAll } : {}) });
    await bench.run();
    const stats = new Map<string, TaskStats>();
    for (const task of bench.tasks) {
      const result = task.result as unknown as { latency?: { p50: number; samplesCount?: number; samples?: ArrayLike<number> }; state?: string; error?: unknown };
      if (!result?.latency) throw new Error(`benchmark ${group} / ${task.name} failed: ${String(result?.error ?? result?.state)}`);
      const iqr = interquartileRange(result.latency.samples);
      stats.set(task.name, { medianMs: result.latency.p50, samples: result.latency.samplesCount ?? 0, ...(iqr === undefined ? {} : { iqrMs: iqr }) });
    }
    for (const task of tasks) {
      const own = stats.get(task.name)!;
      this.addComparison(group, task.name, own, task.baseline === undefined ? undefined : { name: task.baseline, stats: stats.get(task.baseline)! }, task.target, task.note);
    }
    return stats;
  }

  /** Records a row whose ratio is `own` over `baseline` (both measured in one run). */
  addComparison(group: string, name: string, own: TaskStats, baseline?: { name: string; stats: TaskStats }, target?: RatioTarget, note?: string): void {
    const ratio = baseline ? own.medianMs / baseline.stats.medianMs : undefined;
    this.add({
      suite: this.suite,
      group,
      name,
      medianMs: own.medianMs,
      samples: own.samples,
      ...(own.iqrMs === undefined ? {} : { iqrMs: own.iqrMs }),
      ...(baseline ? { baseline: baseline.name } : {}),
      ...(ratio === undefined ? {} : { ratio }),
      ...(target === undefined ? {} : { target }),
      ...(target !== undefined && ratio !== undefined ? { met: meets(ratio, target) } : {}),
      ...(note ? { note } : {}),
    });
  }

  add(row: Omit<BenchRow, 'suite'> & { suite?: string }): void {
    const full: BenchRow = { ...row, suite: row.suite ?? this.suite };
    this.rows.push(full);
    const ratio = full.ratio === undefined ? '' : `  ratio ${full.ratio.toFixed(2)}${full.target ? ` (target ${targetText(full.target)}: ${full.met ? 'met' : 'MISSED'})` : ''}`;
    const iqr = full.iqrMs === undefined ? '' : ` ±${formatMs(full.iqrMs / 2)}`;
    console.log(`  ${full.group} | ${full.name}: median ${formatMs(full.medianMs)}${iqr}${ratio}${full.note ? `  ${full.note}` : ''}`);
  }

  /** A line for the closing notes (a missed target: by how much and why). */
  note(text: string): void {
    this.notes.push(text);
    console.log(`  note: ${text}`);
  }

  static machine(): MachineInfo {
    const cpus = os.cpus();
    return {
      cpu: cpus[0]?.model.trim() ?? 'unknown',
      cores: cpus.length,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
    };
  }

  static machineLine(m: MachineInfo = BenchReport.machine()): string {
    return `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform} (load average ${m.loadAverage.join(' / ')})`;
  }

  toMarkdown(machine: MachineInfo = BenchReport.machine()): string {
    const lines = [
      `Measured ${new Date().toISOString().slice(0, 10)} on ${BenchReport.machineLine(machine)}.`,
      '',
      'Stores:',
      ...Object.entries(this.stores).map(([k, v]) => `- ${k}: ${v}`),
      '',
      '| suite | group | operation | median | IQR | samples | vs | ratio | target |',
      '|---|---|---|---:|---:|---:|---|---:|---|',
      ...this.rows.map(
        (r) =>
          `| ${r.suite} | ${r.group} | ${r.name}${r.note ? ` (${r.note})` : ''} | ${formatMs(r.medianMs)} | ${r.iqrMs === undefined ? '' : formatMs(r.iqrMs)} | ${r.samples} | ${r.baseline ?? ''} | ${r.ratio === undefined ? '' : r.ratio.toFixed(2)} | ${r.target === undefined ? '' : `${targetText(r.target)} ${r.met ? 'met' : '**missed**'}`} |`,
      ),
    ];
    if (this.notes.length) lines.push('', ...this.notes.map((n) => `- ${n}`));
    return `${lines.join('\n')}\n`;
  }

  /** Writes `<name>.json` and `<name>.md` into `dir`. */
  write(dir: string, name = 'latest'): void {
    const machine = BenchReport.machine();
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify({ measuredAt: new Date().toISOString(), machine, stores: this.stores, rows: this.rows, notes: this.notes }, null, 2)}\n`);
    writeFileSync(path.join(dir, `${name}.md`), this.toMarkdown(machine));
  }
}

export function meets(ratio: number, target: RatioTarget): boolean {
  return 'max' in target ? ratio <= target.max : ratio < target.below;
}

export function targetText(target: RatioTarget): string {
  return 'max' in target ? `<= ${target.max}` : `< ${target.below}`;
}

export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  return `${(ms * 1000).toFixed(1)} µs`;
}

/** p75 - p25 of sorted samples (tinybench reports p50 and p75 but not p25). */
function interquartileRange(samples: ArrayLike<number> | undefined): number | undefined {
  if (!samples || samples.length < 4) return undefined;
  const sorted = Array.from(samples).sort((a, b) => a - b);
  const at = (q: number) => {
    const pos = (sorted.length - 1) * q;
    const lo = Math.floor(pos);
    return sorted[lo]! + (sorted[Math.min(lo + 1, sorted.length - 1)]! - sorted[lo]!) * (pos - lo);
  };
  return at(0.75) - at(0.25);
}
