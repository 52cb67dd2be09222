import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Bench } from 'tinybench';

/** One measured operation: its median latency and, when it has a baseline, the ratio to it. */
export interface BenchRow {
  readonly group: string;
  readonly name: string;
  readonly medianMs: number;
  readonly samples: number;
  /** Name of the row this one is compared with (same group). */
  readonly baseline?: string;
  readonly ratio?: number;
  readonly target?: number;
  readonly note?: string;
}

/** Collects rows from several benches, then prints and writes them (JSON and Markdown). */
export class BenchReport {
  readonly rows: BenchRow[] = [];
  readonly stores: Record<string, string> = {};

  /**
   * Runs `tasks` in one tinybench run and records their medians; rows with a `baseline`
   * get the ratio of their median to the baseline's, measured in the same run.
   */
  async measure(
    group: string,
    tasks: readonly { name: string; fn: () => unknown; baseline?: string; target?: number; note?: string }[],
    options: { time?: number; iterations?: number; warmup?: boolean } = {},
  ): Promise<void> {
    const bench = new Bench({ name: group, time: options.time ?? 1500, iterations: options.iterations ?? 20, warmup: options.warmup ?? true, throws: true });
    for (const task of tasks) bench.add(task.name, task.fn as () => Promise<void>);
    await bench.run();
    const medians = new Map<string, { median: number; samples: number }>();
    for (const task of bench.tasks) {
      const result = task.result as unknown as { latency?: { p50: number; samplesCount?: number }; state?: string; error?: unknown };
      if (!result?.latency) throw new Error(`benchmark ${group} / ${task.name} failed: ${String(result?.error ?? result?.state)}`);
      medians.set(task.name, { median: result.latency.p50, samples: result.latency.samplesCount ?? 0 });
    }
    for (const task of tasks) {
      const m = medians.get(task.name)!;
      const base = task.baseline ? medians.get(task.baseline) : undefined;
      this.add({
        group,
        name: task.name,
        medianMs: m.median,
        samples: m.samples,
        ...(task.baseline ? { baseline: task.baseline } : {}),
        ...(base ? { ratio: m.median / base.median } : {}),
        ...(task.target === undefined ? {} : { target: task.target }),
        ...(task.note ? { note: task.note } : {}),
      });
    }
  }

  add(row: BenchRow): void {
    this.rows.push(row);
    const ratio = row.ratio === undefined ? '' : `  ratio ${row.ratio.toFixed(2)}${row.target ? ` (target <= ${row.target})` : ''}`;
    console.log(`  ${row.group} | ${row.name}: median ${formatMs(row.medianMs)}${ratio}${row.note ? `  ${row.note}` : ''}`);
  }

  /** The machine the numbers were measured on. */
  static machine() {
    const cpus = os.cpus();
    return { cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${process.platform}-${process.arch}` };
  }

  toMarkdown(): string {
    const m = BenchReport.machine();
    const lines = [
      `Measured ${new Date().toISOString().slice(0, 10)} on ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}.`,
      `Stores: ${Object.entries(this.stores).map(([k, v]) => `${k}: ${v}`).join('; ')}.`,
      '',
      '| group | operation | median | vs | ratio | target |',
      '|---|---|---:|---|---:|---:|',
      ...this.rows.map((r) => `| ${r.group} | ${r.name} | ${formatMs(r.medianMs)} | ${r.baseline ?? ''} | ${r.ratio === undefined ? '' : r.ratio.toFixed(2)} | ${r.target === undefined ? '' : `<= ${r.target}`}${r.ratio !== undefined && r.target !== undefined && r.ratio > r.target ? ' (missed)' : ''} |`),
    ];
    return `${lines.join('\n')}\n`;
  }

  write(dir: string): void {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'latest.json'), `${JSON.stringify({ machine: BenchReport.machine(), stores: this.stores, rows: this.rows }, null, 2)}\n`);
    writeFileSync(path.join(dir, 'latest.md'), this.toMarkdown());
  }
}

export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 1) return `${ms.toFixed(2)} ms`;
  return `${(ms * 1000).toFixed(1)} µs`;
}
