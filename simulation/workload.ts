import { Temporal } from 'temporal-polyfill';
import { seeded, type Random } from './random.js';

/** What to simulate: one seed decides everything else. */
export interface SimulationOptions {
  readonly seed: number;
  readonly facilities: number;
  readonly members: number;
  readonly days: number;
  /** Provider failures and time-outs, and PostgreSQL connections dropped mid-day. */
  readonly faults: boolean;
  /**
   * The first simulated day. Default 2030-01-07: the simulated clock must stay ahead of the
   * database server's own clock, whose timestamps (a prepared transaction's, a unit's intent)
   * recovery compares with it.
   */
  readonly start?: string;
}

const TIME_ZONES = ['Europe/Istanbul', 'Europe/London', 'America/New_York', 'Asia/Tokyo', 'Australia/Sydney', 'America/Sao_Paulo', 'Europe/Berlin', 'Asia/Kolkata', 'America/Los_Angeles', 'Africa/Cairo'] as const;
const CLASS_NAMES = ['Sabah Yogası', 'Spinning', 'Pilates', 'HIIT', 'Boks', 'Zumba', 'Mobility', 'Kettlebell'] as const;

export interface PlanSpec {
  readonly name: string;
  readonly price: number;
  readonly classesIncluded: boolean;
  readonly maxClassBookingsPerWeek?: number;
  readonly maxVisitsPerWeek?: number;
}

export interface ClassSpec {
  readonly name: string;
  /** 0 = Sunday, as the class schema counts. */
  readonly weekdays: readonly number[];
  readonly hour: number;
  readonly capacity: number;
}

export interface FacilitySpec {
  readonly index: number;
  readonly name: string;
  readonly timezone: string;
  readonly plans: readonly PlanSpec[];
  readonly classes: readonly ClassSpec[];
}

/** A member's life in the simulation, drawn once from the seed. */
export interface MemberSpec {
  readonly index: number;
  readonly facility: number;
  readonly joinDay: number;
  readonly plan: number;
  readonly autoRenew: boolean;
  /** Visits a week, 0–6. */
  readonly visitsPerWeek: number;
  /** Bookings a week, 0–4. */
  readonly bookingsPerWeek: number;
  readonly logsWorkouts: boolean;
  readonly measures: boolean;
  /**
   * The day the member stops renewing (cancels at period end), if they do. They keep coming
   * until their last period has surely ended ({@link LAST_PERIOD_DAYS} later), then stop.
   */
  readonly quitDay?: number;
  /** The day the member asks for erasure, if they do; nothing of theirs happens after it. */
  readonly eraseDay?: number;
  readonly exportDay?: number;
  /** The day the member freezes their membership, if they do, and for how many days. */
  readonly freeze?: { readonly day: number; readonly days: number };
  /** Follows a nutrition plan their facility's coach writes, logging what they eat. */
  readonly eats: boolean;
  /** Books a personal training session with their facility's coach once a week. */
  readonly trainsWithCoach: boolean;
}

/** The meals a member following a nutrition plan logs. */
export type Meal = 'breakfast' | 'lunch' | 'dinner';

export interface World {
  readonly options: SimulationOptions;
  readonly start: Temporal.PlainDate;
  readonly facilities: readonly FacilitySpec[];
  readonly members: readonly MemberSpec[];
}

/** What a member does to a booking after making it. */
export type BookingFate = 'attend' | 'no-show' | 'cancel-early' | 'cancel-late';

/** One operation of the workload. `at` is an instant; operations of a day run in `at` order. */
export type Operation =
  | { readonly kind: 'join'; readonly at: number; readonly member: number }
  | { readonly kind: 'repurchase'; readonly at: number; readonly member: number; readonly period: number }
  | { readonly kind: 'visit'; readonly at: number; readonly member: number }
  | { readonly kind: 'book'; readonly at: number; readonly member: number; readonly classIndex: number; readonly day: number; readonly fate: BookingFate }
  | { readonly kind: 'log-workout'; readonly at: number; readonly member: number }
  | { readonly kind: 'measure'; readonly at: number; readonly member: number; readonly weight: number }
  | { readonly kind: 'quit'; readonly at: number; readonly member: number }
  | { readonly kind: 'pt'; readonly at: number; readonly member: number; readonly day: number; readonly hour: number }
  | { readonly kind: 'freeze'; readonly at: number; readonly member: number; readonly days: number }
  | { readonly kind: 'eat'; readonly at: number; readonly member: number; readonly meal: Meal; readonly grams: number }
  | { readonly kind: 'export'; readonly at: number; readonly member: number }
  | { readonly kind: 'erase'; readonly at: number; readonly member: number };

export type OperationKind = Operation['kind'];

const PERIOD_DAYS = 30;
/** The longest a period (one month) can last: a member who quit comes no more after it. */
export const LAST_PERIOD_DAYS = 31;

/** Simulated members never log in: their passwords are hashed at a cost a 2-core machine can pay for 20,000 registrations. */
export const SIMULATED_PASSWORD_HASHING = { N: 1024 } as const;

/** The businesses, their plans and classes, and every member's life, from the seed alone. */
export function generateWorld(options: SimulationOptions): World {
  const random = seeded(options.seed).fork('world');
  const start = Temporal.PlainDate.from(options.start ?? '2030-01-07');
  const facilities = Array.from({ length: options.facilities }, (_, index): FacilitySpec => {
    const r = random.fork('facility', index);
    const classes = Array.from({ length: r.int(3, 6) }, (__, c): ClassSpec => ({
      name: `${CLASS_NAMES[(index + c) % CLASS_NAMES.length]} ${c + 1}`,
      weekdays: [...new Set([r.int(0, 6), r.int(0, 6), r.int(0, 6)])].sort(),
      hour: r.pick([7, 9, 12, 18, 19, 20]),
      capacity: r.int(6, 20),
    }));
    return {
      index,
      name: `Sim Gym ${index + 1}`,
      timezone: TIME_ZONES[index % TIME_ZONES.length]!,
      plans: [
        { name: 'Aylık Sınırsız', price: r.int(900, 2_000) * 100, classesIncluded: true, maxClassBookingsPerWeek: 3 },
        { name: 'Aylık Fitness', price: r.int(500, 900) * 100, classesIncluded: false, maxVisitsPerWeek: 4 },
      ],
      classes,
    };
  });
  const members = Array.from({ length: options.members }, (_, index): MemberSpec => {
    const r = random.fork('member', index);
    const joinDay = r.chance(0.3) ? 0 : r.int(0, Math.max(0, options.days - 1));
    const quits = r.chance(0.15);
    const erases = r.chance(0.01);
    const exports = r.chance(0.01);
    return {
      index,
      facility: r.int(0, options.facilities - 1),
      joinDay,
      plan: r.chance(0.7) ? 0 : 1,
      autoRenew: r.chance(0.75),
      visitsPerWeek: r.int(0, 6),
      bookingsPerWeek: r.int(0, 4),
      logsWorkouts: r.chance(0.5),
      measures: r.chance(0.3),
      ...(quits ? { quitDay: r.int(joinDay, options.days + 30) } : {}),
      ...(erases ? { eraseDay: r.int(joinDay + 1, options.days + 30) } : {}),
      ...(exports ? { exportDay: r.int(joinDay, options.days + 30) } : {}),
      ...(r.chance(0.05) ? { freeze: { day: r.int(joinDay + 3, options.days + 30), days: r.int(7, 14) } } : {}),
      eats: r.chance(0.2),
      trainsWithCoach: r.chance(0.1),
    };
  });
  return { options, start, facilities, members };
}

/** The instant of local `hour:minute` on simulated day `day` in `timezone`. */
export function localInstant(world: World, day: number, timezone: string, hour: number, minute = 0): number {
  const date = world.start.add({ days: day });
  return date.toPlainDateTime({ hour, minute }).toZonedDateTime(timezone).epochMilliseconds;
}

/** The weekday of simulated day `day`, 0 = Sunday. */
export function weekdayOf(world: World, day: number): number {
  return world.start.add({ days: day }).dayOfWeek % 7;
}

/**
 * The operations of simulated day `day`, in time order: a pure function of the world and the
 * day, so the same seed gives the same workload whatever the stores answered.
 */
export function operationsOfDay(world: World, day: number): Operation[] {
  const ops: Operation[] = [];
  const random = seeded(world.options.seed).fork('day', day);
  for (const member of world.members) {
    if (day < member.joinDay) continue;
    if (member.eraseDay !== undefined && day > member.eraseDay) continue;
    const r = random.fork('member', member.index);
    const facility = world.facilities[member.facility]!;
    const at = (hour: number, minute = r.int(0, 59)) => localInstant(world, day, facility.timezone, hour, minute);
    if (day === member.joinDay) ops.push({ kind: 'join', at: at(r.int(8, 11)), member: member.index });
    const sinceJoin = day - member.joinDay;
    if (member.exportDay === day) ops.push({ kind: 'export', at: at(15), member: member.index });
    if (member.eraseDay === day) ops.push({ kind: 'erase', at: at(23, 30), member: member.index });
    // A member who quit has left once their last period is over; they may still ask for their data or its erasure.
    if (member.quitDay !== undefined && day > member.quitDay + LAST_PERIOD_DAYS) continue;
    if (!member.autoRenew && sinceJoin > 0 && sinceJoin % PERIOD_DAYS === 0 && (member.quitDay === undefined || day < member.quitDay)) {
      ops.push({ kind: 'repurchase', at: at(r.int(8, 11)), member: member.index, period: sinceJoin / PERIOD_DAYS });
    }
    if (member.quitDay === day && member.autoRenew) ops.push({ kind: 'quit', at: at(12), member: member.index });
    if (day > member.joinDay) {
      if (r.chance(member.visitsPerWeek / 7)) {
        const hour = r.int(7, 20);
        ops.push({ kind: 'visit', at: at(hour), member: member.index });
        if (member.logsWorkouts) ops.push({ kind: 'log-workout', at: at(hour + 2), member: member.index });
      }
      if (member.measures && (day + member.index) % 7 === 0) ops.push({ kind: 'measure', at: at(21), member: member.index, weight: 55 + (member.index % 40) + r.int(-10, 10) / 10 });
      if (facility.plans[member.plan]!.classesIncluded && r.chance(member.bookingsPerWeek / 7)) {
        const target = day + r.int(1, 2);
        const weekday = weekdayOf(world, target);
        const candidates = facility.classes.map((c, i) => ({ c, i })).filter(({ c }) => c.weekdays.includes(weekday));
        if (candidates.length > 0) {
          const roll = r.next();
          const fate: BookingFate = roll < 0.7 ? 'attend' : roll < 0.8 ? 'no-show' : roll < 0.93 ? 'cancel-early' : 'cancel-late';
          ops.push({ kind: 'book', at: at(r.int(6, 22)), member: member.index, classIndex: r.pick(candidates).i, day: target, fate });
        }
      }
    }
    if (day > member.joinDay && member.eats && r.chance(3 / 7)) {
      const meal = r.pick(['breakfast', 'lunch', 'dinner'] as const);
      ops.push({ kind: 'eat', at: at(meal === 'breakfast' ? 8 : meal === 'lunch' ? 13 : 19), member: member.index, meal, grams: r.int(40, 120) });
    }
    if (day > member.joinDay && member.trainsWithCoach && (day + member.index) % 7 === 3) {
      ops.push({ kind: 'pt', at: at(r.int(8, 21)), member: member.index, day: day + r.int(1, 3), hour: r.int(7, 20) });
    }
    if (member.freeze?.day === day) ops.push({ kind: 'freeze', at: at(10), member: member.index, days: member.freeze.days });
  }
  return ops.sort((a, b) => a.at - b.at || a.member - b.member);
}
