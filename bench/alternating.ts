import type { TaskStats } from './bench-report.js';

/** One contestant of an alternating measurement: makes its input untimed, then does the timed work. */
export interface Contestant {
  readonly name: string;
  /** The contestant's input for one turn (rows to write), made before the clock starts, and the timed work on it. */
  readonly turn: () => Promise<() => Promise<unknown>>;
}

/**
 * A contestant whose `prepare` makes the input of a turn (untimed) and `run` does the timed work.
 *
 * @example
 * ```ts
 * const raw = contestant('raw driver', () => rows(1_000), (docs) => collection.insertMany(docs))
 * ```
 */
export function contestant<T>(name: string, prepare: () => T | Promise<T>, run: (input: T) => Promise<unknown>): Contestant {
  return {
    name,
    turn: async () => {
      const input = await prepare();
      return () => run(input);
    },
  };
}

/** Turns of an alternating measurement: unmeasured ones first, then the measured ones. */
export interface Rounds {
  readonly warmup: number;
  readonly measured: number;
}

/**
 * Measures contestants that take turns, so that drift of the machine hits all of them alike:
 * in each round every contestant makes its input, the store is `reset` (both outside the
 * timing), and only its work is timed. The contestant that goes first moves by one each
 * round. Returns each contestant's median (and interquartile range) over the measured rounds.
 *
 * @example
 * ```ts
 * const stats = await measureAlternating([raw, sdk], () => collection.deleteMany({}), { warmup: 5, measured: 25 })
 * ```
 */
export async function measureAlternating(contestants: readonly Contestant[], reset: () => Promise<unknown>, rounds: Rounds): Promise<Map<string, TaskStats>> {
  const samples = new Map<string, number[]>(contestants.map((c) => [c.name, []]));
  for (let round = 0; round < rounds.warmup + rounds.measured; round++) {
    for (let slot = 0; slot < contestants.length; slot++) {
      const contestant = contestants[(round + slot) % contestants.length]!;
      const work = await contestant.turn();
      await reset();
      const started = performance.now();
      await work();
      const elapsed = performance.now() - started;
      if (round >= rounds.warmup) samples.get(contestant.name)!.push(elapsed);
    }
  }
  return new Map([...samples].map(([name, times]) => [name, statsOf(times)]));
}

/** Median and interquartile range of timings in milliseconds. */
export function statsOf(samples: readonly number[]): TaskStats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => {
    const position = (sorted.length - 1) * q;
    const low = Math.floor(position);
    const high = Math.ceil(position);
    return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
  };
  return { medianMs: at(0.5), iqrMs: at(0.75) - at(0.25), samples: sorted.length };
}
