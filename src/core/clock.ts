/**
 * The SDK's only source of "now". Injected through `createNexfit({ clock })`, so tests use a
 * fixed or steppable clock instead of sleeping.
 */
export interface Clock {
  /** The current instant. */
  now(): Date;
}

/** Wall-clock time. */
export const systemClock: Clock = { now: () => new Date() };

/**
 * A clock that stands still until moved; for tests.
 *
 * @example
 * ```ts
 * const clock = fixedClock('2026-03-29T00:30:00Z'); clock.advance(60_000)
 * ```
 */
export function fixedClock(start: Date | string): Clock & { /** Moves the clock to `at`. */ set(at: Date | string): void; /** Moves the clock forward by `ms` milliseconds. */ advance(ms: number): void } {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    set: (at) => { current = new Date(at).getTime(); },
    advance: (ms) => { current += ms; },
  };
}
