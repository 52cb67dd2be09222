import type { fixedClock } from '../../src/core/clock.js';

/** The steppable clock `useTestNexfit({ clock })` installs. */
export type FixedClock = ReturnType<typeof fixedClock>;
