import { z } from 'zod';
import { ConflictError, ForbiddenError, ValidationError, type ValidationIssue } from '../../core/errors.js';
import type { BodyArea } from '../../core/fitness-vocabulary.js';
import type { ExerciseId, UserId, WorkoutProgramId, WorkoutTemplateId } from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { roundTo } from '../../core/rounding.js';
import { ratingSchema } from '../../core/schema-primitives.js';
import { parseOrThrow } from '../../core/validation.js';
import { VALIDATION_MESSAGES, type ValidationMessageKey } from '../../core/validation-messages.js';
import type { StoreContext } from '../../stores/store-context.js';
import type { UnitOfWork } from '../../uow/unit-of-work.js';
import type { ServiceDeps } from '../service-deps.js';
import type { WorkoutProgramRepository } from './workout-program.repository.js';
import {
  createWorkoutProgramInputSchema,
  patchWorkoutProgramInputSchema,
  workoutProgramSchema,
  type CreateWorkoutProgramInput,
  type PatchWorkoutProgramInput,
  type ProgramDay,
  type ProgressionRule,
  type WorkoutProgram,
} from './workout-program.schema.js';
import { toKilograms } from './units.js';
import { repsBounds, type WorkoutSet } from './workout-set.schema.js';
import type { WorkoutTemplateRepository } from './workout-template.repository.js';
import {
  createWorkoutTemplateInputSchema,
  patchWorkoutTemplateInputSchema,
  workoutTemplateSchema,
  type CreateWorkoutTemplateInput,
  type PatchWorkoutTemplateInput,
  type TemplateExercise,
  type WorkoutTemplate,
} from './workout-template.schema.js';

/** What the workouts module needs to know of a catalogue exercise. */
export interface ExerciseFacts {
  readonly id: ExerciseId;
  readonly isPublic: boolean;
  readonly createdBy?: UserId | undefined;
  readonly metadata: {
    readonly bodyAreas: readonly BodyArea[];
    /** kcal burned over `duration` minutes. */
    readonly calories?: number | undefined;
    readonly duration?: number | undefined;
  };
}

/**
 * The exercise catalogue as the workouts module sees it. Modules do not import each other:
 * the host passes the catalogue's `ExerciseRepository`, which satisfies this as is.
 */
export interface ExerciseCatalog {
  findManyByIds(ids: readonly ExerciseId[], ctx?: StoreContext): Promise<readonly ExerciseFacts[]>;
}

/** Seconds one repetition takes when a set gives reps but no duration. */
export const SECONDS_PER_REP = 3;
/** Speed assumed for a set that gives only a distance: 2.5 m/s (9 km/h, an easy run). */
export const METRES_PER_SECOND = 2.5;
/** The longest rest a planned set may prescribe (10 minutes). */
export const MAX_REST_SECONDS = 600;

/** Estimated time and energy of a template, derived from its sets and the catalogue. */
export interface TemplateEstimate {
  /** Whole minutes, rounded up. */
  readonly durationMinutes: number;
  /** Whole kcal, rounded half up. */
  readonly calories: number;
}

/**
 * Seconds of work in one set: its duration, else reps × {@link SECONDS_PER_REP} (the middle of
 * a rep range), else distance at {@link METRES_PER_SECOND}.
 */
export function workSecondsOf(set: Pick<WorkoutSet, 'duration' | 'reps' | 'distance'>): number {
  if (set.duration !== undefined) return set.duration;
  if (set.reps !== undefined) {
    const { min, max } = repsBounds(set.reps);
    return ((min + max) / 2) * SECONDS_PER_REP;
  }
  if (set.distance !== undefined) return set.distance / METRES_PER_SECOND;
  return 0;
}

/** kcal per minute of an exercise from its catalogue metadata (`calories` over `duration` minutes), 0 when unknown. */
export function caloriesPerMinuteOf(exercise: ExerciseFacts | undefined): number {
  const m = exercise?.metadata;
  return m?.calories !== undefined && m.duration !== undefined && m.duration > 0 ? m.calories / m.duration : 0;
}

/**
 * The estimate of a template:
 * - duration = Σ over every set of (work seconds, see {@link workSecondsOf}) + its `restTime`,
 *   in minutes rounded up;
 * - calories = Σ over every set of work minutes × the exercise's kcal per minute
 *   (`metadata.calories / metadata.duration`); rest burns nothing here, and an exercise
 *   without both values contributes 0.
 */
export function estimateTemplate(exercises: readonly Pick<TemplateExercise, 'exerciseId' | 'defaultSets'>[], catalog: ReadonlyMap<string, ExerciseFacts>): TemplateEstimate {
  let seconds = 0;
  let calories = 0;
  for (const entry of exercises) {
    const rate = caloriesPerMinuteOf(catalog.get(entry.exerciseId));
    for (const set of entry.defaultSets) {
      const work = workSecondsOf(set);
      seconds += work + (set.restTime ?? 0);
      calories += (work / 60) * rate;
    }
  }
  return { durationMinutes: Math.ceil(seconds / 60), calories: roundTo(calories, 0) };
}

const templateIdSchema = workoutTemplateSchema.shape.id;
const programIdSchema = workoutProgramSchema.shape.id;
const userIdSchema = workoutTemplateSchema.shape.createdBy;
const versionOptionsSchema = z.strictObject({ expectedVersion: z.number().int().min(1).optional() });

/**
 * Workout templates and multi-day programmes: composed against the catalogue, estimated,
 * published and rated.
 *
 * Composition rules (checked on create and on every change of the exercises or schedule):
 * - every exercise exists and is visible to the author (public, or the author's own);
 * - `order` runs 1..n without gaps (the seed orders exercises by it);
 * - sets are sane: each exercise has at least one default set; each set measures work
 *   (reps ≥ 1, a duration or a distance); a weight needs reps or a duration; rest is at
 *   most 600 s;
 * - `estimatedDuration` and `estimatedCalories` are derived; what
 *   the caller sends is ignored. `targetBodyAreas` defaults to the exercises' body areas.
 * - a programme's schedule days are unique and within 1..`duration` (seed: 1-based days), a
 *   rest day has no template and a training day has one, and every template exists and is
 *   visible to the author.
 *
 * Only the author changes or publishes (`ForbiddenError`). Publishing needs every exercise
 * (template) or template (programme) to be public, or others could not follow it
 * (`ConflictError('private_exercises' | 'private_templates')`).
 *
 * Ratings: {@link rateTemplate} and {@link rateProgram} add one rating to the aggregate in one
 * atomic update, so concurrent reviews are all counted and the average is exact.
 *
 * @example
 * ```ts
 * const workouts = new WorkoutService(templates, programs, exercises, deps)
 * const push = await workouts.createTemplate({ name: 'Push', createdBy: coachId, metadata: { difficulty: 'beginner' }, exercises: [{ exerciseId, order: 1, defaultSets: [{ reps: 10, restTime: 60 }] }] })
 * await workouts.publishTemplate(push.id, coachId)
 * await workouts.rateTemplate(push.id, clientId, 5)
 * ```
 */
export class WorkoutService {
  readonly #templates: WorkoutTemplateRepository;
  readonly #programs: WorkoutProgramRepository;
  readonly #catalog: ExerciseCatalog;
  readonly #deps: ServiceDeps;

  constructor(templates: WorkoutTemplateRepository, programs: WorkoutProgramRepository, catalog: ExerciseCatalog, deps: ServiceDeps) {
    this.#templates = templates;
    this.#programs = programs;
    this.#catalog = catalog;
    this.#deps = deps;
  }

  // ── templates ──────────────────────────────────────────────────────────────

  /** Composes a template (rules in the class doc) with derived estimates. */
  async createTemplate(input: CreateWorkoutTemplateInput, uow?: UnitOfWork): Promise<WorkoutTemplate> {
    const data = this.#parse(createWorkoutTemplateInputSchema, input);
    const catalog = await this.#checkExercises(data.exercises, data.createdBy, uow?.ctx);
    const metadata = this.#derivedMetadata(data.metadata, data.exercises, catalog);
    if (data.isPublic) this.#assertPublicExercises(data.exercises, catalog);
    return this.#templates.create({ ...input, metadata }, uow?.ctx);
  }

  /** One workout template; `NotFoundError` when there is none. */
  async getTemplate(templateId: WorkoutTemplateId, uow?: UnitOfWork): Promise<WorkoutTemplate> {
    return this.#templates.getById(this.#parse(templateIdSchema, templateId), uow?.ctx);
  }

  /** Changes a template (author only); exercises are checked and the estimates derived again. */
  async updateTemplate(
    templateId: WorkoutTemplateId,
    patch: PatchWorkoutTemplateInput,
    actorId: UserId,
    options: { expectedVersion?: number } = {},
    uow?: UnitOfWork,
  ): Promise<WorkoutTemplate> {
    const id = this.#parse(templateIdSchema, templateId);
    const actor = this.#parse(userIdSchema, actorId);
    const changes = this.#parse(patchWorkoutTemplateInputSchema, patch);
    const write = this.#parse(versionOptionsSchema, options);
    const current = await this.#templates.getById(id, uow?.ctx);
    this.#assertAuthor(current, actor, 'workout template');
    const exercises = changes.exercises ?? current.exercises;
    const catalog = await this.#checkExercises(exercises, current.createdBy, uow?.ctx);
    const isPublic = changes.isPublic ?? current.isPublic;
    if (isPublic) this.#assertPublicExercises(exercises, catalog);
    const metadata = this.#derivedMetadata(changes.metadata ?? current.metadata, exercises, catalog);
    return this.#templates.patch(id, { ...patch, metadata }, { expectedVersion: write.expectedVersion ?? current.version }, uow?.ctx);
  }

  /** Makes a template public; only its author may, and only when all its exercises are public. */
  async publishTemplate(templateId: WorkoutTemplateId, actorId: UserId, uow?: UnitOfWork): Promise<WorkoutTemplate> {
    const id = this.#parse(templateIdSchema, templateId);
    const actor = this.#parse(userIdSchema, actorId);
    const current = await this.#templates.getById(id, uow?.ctx);
    this.#assertAuthor(current, actor, 'workout template');
    if (current.isPublic) return current;
    this.#assertPublicExercises(current.exercises, await this.#catalogOf(current.exercises, uow?.ctx));
    return this.#templates.patch(id, { isPublic: true }, { expectedVersion: current.version }, uow?.ctx);
  }

  /** Public templates, best rated first. */
  async listPublicTemplates(page?: PageRequest, uow?: UnitOfWork): Promise<Page<WorkoutTemplate>> {
    return this.#templates.listPublic(page, uow?.ctx);
  }

  /**
   * Adds a rating (an integer 1-5) to a public template's aggregate, atomically. Authors do
   * not rate their own, and private templates are not rated (`ForbiddenError`). One rating
   * per call: there is no reviews collection in the design document to deduplicate on.
   */
  async rateTemplate(templateId: WorkoutTemplateId, reviewerId: UserId, rating: number, uow?: UnitOfWork): Promise<WorkoutTemplate> {
    const id = this.#parse(templateIdSchema, templateId);
    const reviewer = this.#parse(userIdSchema, reviewerId);
    const stars = this.#parse(ratingSchema, rating);
    this.#assertMayRate(await this.#templates.getById(id, uow?.ctx), reviewer, 'workout template');
    return this.#templates.addRating(id, stars, uow?.ctx);
  }

  // ── programmes ─────────────────────────────────────────────────────────────

  /** Composes a programme: schedule within the duration, rest days without templates, templates visible to the author. */
  async createProgram(input: CreateWorkoutProgramInput, uow?: UnitOfWork): Promise<WorkoutProgram> {
    const data = this.#parse(createWorkoutProgramInputSchema, input);
    const templates = await this.#checkSchedule(data.schedule, data.createdBy, uow?.ctx);
    this.#checkProgression(data.progression, templates);
    if (data.isPublic) this.#assertPublicTemplates(templates);
    return this.#programs.create(input, uow?.ctx);
  }

  /** One workout program; `NotFoundError` when there is none. */
  async getProgram(programId: WorkoutProgramId, uow?: UnitOfWork): Promise<WorkoutProgram> {
    return this.#programs.getById(this.#parse(programIdSchema, programId), uow?.ctx);
  }

  /** Changes a programme (author only); the schedule is checked again against the (new) duration. */
  async updateProgram(
    programId: WorkoutProgramId,
    patch: PatchWorkoutProgramInput,
    actorId: UserId,
    options: { expectedVersion?: number } = {},
    uow?: UnitOfWork,
  ): Promise<WorkoutProgram> {
    const id = this.#parse(programIdSchema, programId);
    const actor = this.#parse(userIdSchema, actorId);
    const changes = this.#parse(patchWorkoutProgramInputSchema, patch);
    const write = this.#parse(versionOptionsSchema, options);
    const current = await this.#programs.getById(id, uow?.ctx);
    this.#assertAuthor(current, actor, 'workout program');
    const templates = await this.#checkSchedule(changes.schedule ?? current.schedule, current.createdBy, uow?.ctx);
    this.#checkProgression(changes.progression === undefined ? current.progression : (changes.progression ?? undefined), templates);
    if (changes.isPublic ?? current.isPublic) this.#assertPublicTemplates(templates);
    return this.#programs.patch(id, patch, { expectedVersion: write.expectedVersion ?? current.version }, uow?.ctx);
  }

  /** Makes a programme public; only its author may, and only when all its templates are public. */
  async publishProgram(programId: WorkoutProgramId, actorId: UserId, uow?: UnitOfWork): Promise<WorkoutProgram> {
    const id = this.#parse(programIdSchema, programId);
    const actor = this.#parse(userIdSchema, actorId);
    const current = await this.#programs.getById(id, uow?.ctx);
    this.#assertAuthor(current, actor, 'workout program');
    if (current.isPublic) return current;
    this.#assertPublicTemplates(await this.#checkSchedule(current.schedule, current.createdBy, uow?.ctx));
    return this.#programs.patch(id, { isPublic: true }, { expectedVersion: current.version }, uow?.ctx);
  }

  /** The public workout programs, a page at a time. */
  async listPublicPrograms(page?: PageRequest, uow?: UnitOfWork): Promise<Page<WorkoutProgram>> {
    return this.#programs.listPublic(page, uow?.ctx);
  }

  /** Adds a rating (1-5) to a programme's aggregate, atomically; same rules as {@link rateTemplate}. */
  async rateProgram(programId: WorkoutProgramId, reviewerId: UserId, rating: number, uow?: UnitOfWork): Promise<WorkoutProgram> {
    const id = this.#parse(programIdSchema, programId);
    const reviewer = this.#parse(userIdSchema, reviewerId);
    const stars = this.#parse(ratingSchema, rating);
    this.#assertMayRate(await this.#programs.getById(id, uow?.ctx), reviewer, 'workout program');
    return this.#programs.addRating(id, stars, uow?.ctx);
  }

  // ── internals ──────────────────────────────────────────────────────────────

  async #catalogOf(exercises: readonly Pick<TemplateExercise, 'exerciseId'>[], ctx?: StoreContext): Promise<Map<string, ExerciseFacts>> {
    const found = await this.#catalog.findManyByIds([...new Set(exercises.map((e) => e.exerciseId))], ctx);
    return new Map(found.map((e) => [e.id as string, e]));
  }

  /** Applies the composition rules; returns the catalogue facts of the exercises. */
  async #checkExercises(exercises: readonly TemplateExercise[], author: UserId, ctx?: StoreContext): Promise<Map<string, ExerciseFacts>> {
    const issues: ValidationIssue[] = [];
    const orders = exercises.map((e) => e.order).sort((a, b) => a - b);
    if (orders.some((order, i) => order !== i + 1)) {
      issues.push({ path: ['exercises'], code: 'custom', message: 'Exercise orders must run 1..n without gaps' });
    }
    const groups = new Map<string, number[]>();
    exercises.forEach((entry, i) => {
      if (entry.supersetGroup !== undefined) groups.set(entry.supersetGroup, [...(groups.get(entry.supersetGroup) ?? []), i]);
    });
    for (const members of groups.values()) {
      const sorted = members.map((i) => exercises[i]!.order).sort((a, b) => a - b);
      if (sorted.length < 2 || sorted.some((order, k) => k > 0 && order !== sorted[k - 1]! + 1)) {
        issues.push({ path: ['exercises', members[0]!, 'supersetGroup'], code: 'custom', message: this.#message('supersetGroup') });
      }
    }
    exercises.forEach((entry, i) => {
      if (entry.defaultSets.length === 0) issues.push({ path: ['exercises', i, 'defaultSets'], code: 'custom', message: 'An exercise needs at least one set' });
      entry.defaultSets.forEach((set, j) => {
        const path = ['exercises', i, 'defaultSets', j];
        const measured = (set.reps === undefined ? 0 : repsBounds(set.reps).min) >= 1 || (set.duration ?? 0) >= 1 || (set.distance ?? 0) > 0;
        if (!measured) issues.push({ path, code: 'custom', message: 'A set needs reps, a duration or a distance' });
        if (set.weight !== undefined && set.reps === undefined && set.duration === undefined) {
          issues.push({ path: [...path, 'weight'], code: 'custom', message: 'A weight needs reps or a duration' });
        }
        if ((set.restTime ?? 0) > MAX_REST_SECONDS) issues.push({ path: [...path, 'restTime'], code: 'custom', message: `Rest is at most ${MAX_REST_SECONDS} seconds` });
      });
    });
    const catalog = await this.#catalogOf(exercises, ctx);
    exercises.forEach((entry, i) => {
      const exercise = catalog.get(entry.exerciseId);
      if (!exercise || !(exercise.isPublic || exercise.createdBy === author)) {
        issues.push({ path: ['exercises', i, 'exerciseId'], code: 'custom', message: 'No such exercise visible to the author' });
      }
    });
    if (issues.length > 0) throw new ValidationError(`Invalid workout template: ${issues[0]!.path.join('.')}: ${issues[0]!.message}`, issues);
    return catalog;
  }

  /** The schedule's templates, checked to exist and be visible to the author. */
  async #checkSchedule(schedule: readonly ProgramDay[], author: UserId, ctx?: StoreContext): Promise<WorkoutTemplate[]> {
    const ids = [...new Set(schedule.flatMap((d) => (d.workoutTemplateId === undefined ? [] : [d.workoutTemplateId])))];
    const templates = await this.#templates.findManyByIds(ids, ctx);
    const byId = new Map(templates.map((t) => [t.id as string, t]));
    const issues: ValidationIssue[] = [];
    schedule.forEach((day, i) => {
      if (day.workoutTemplateId === undefined) return;
      const template = byId.get(day.workoutTemplateId);
      if (!template || !(template.isPublic || template.createdBy === author)) {
        issues.push({ path: ['schedule', i, 'workoutTemplateId'], code: 'custom', message: 'No such workout template visible to the author' });
      }
    });
    if (issues.length > 0) throw new ValidationError(`Invalid workout program: ${issues[0]!.path.join('.')}: ${issues[0]!.message}`, issues);
    return templates;
  }

  /**
   * A programme's load rules against its templates: a rule naming an exercise names one the
   * schedule trains, and an absolute `subtract` is no heavier than any working load it applies
   * to (it would make that load negative the first time it fired).
   */
  #checkProgression(progression: readonly ProgressionRule[] | undefined, templates: readonly WorkoutTemplate[]): void {
    const issues: ValidationIssue[] = [];
    const exercises = templates.flatMap((t) => t.exercises);
    (progression ?? []).forEach((rule, i) => {
      if (rule.kind !== 'load') return;
      const applies = exercises.filter((e) => rule.exerciseId === undefined || e.exerciseId === rule.exerciseId);
      if (rule.exerciseId !== undefined && applies.length === 0) {
        issues.push({ path: ['progression', i, 'exerciseId'], code: 'custom', message: this.#message('ruleExercise') });
        return;
      }
      if (rule.change !== 'subtract' || rule.unit === 'percent') return;
      const amount = toKilograms(rule.amount, rule.unit);
      const loads = applies.flatMap((e) => e.defaultSets.filter((set) => set.type !== 'warmup' && set.weight !== undefined).map((set) => set.weight!));
      if (loads.some((kg) => kg < amount)) issues.push({ path: ['progression', i, 'amount'], code: 'custom', message: this.#message('negativeLoad') });
    });
    if (issues.length > 0) throw new ValidationError(`Invalid workout program: ${issues[0]!.path.join('.')}: ${issues[0]!.message}`, issues);
  }

  #derivedMetadata<M extends { targetBodyAreas?: readonly BodyArea[] | undefined }>(metadata: M, exercises: readonly TemplateExercise[], catalog: ReadonlyMap<string, ExerciseFacts>) {
    const estimate = estimateTemplate(exercises, catalog);
    const targetBodyAreas =
      metadata.targetBodyAreas && metadata.targetBodyAreas.length > 0
        ? [...metadata.targetBodyAreas]
        : [...new Set(exercises.flatMap((e) => catalog.get(e.exerciseId)?.metadata.bodyAreas ?? []))];
    return { ...metadata, targetBodyAreas, estimatedDuration: estimate.durationMinutes, estimatedCalories: estimate.calories };
  }

  #assertPublicExercises(exercises: readonly Pick<TemplateExercise, 'exerciseId'>[], catalog: ReadonlyMap<string, ExerciseFacts>): void {
    const hidden = exercises.filter((e) => catalog.get(e.exerciseId)?.isPublic !== true).map((e) => e.exerciseId);
    if (hidden.length > 0) throw new ConflictError('private_exercises', 'A public template may use public exercises only', { details: { exerciseIds: hidden } });
  }

  #assertPublicTemplates(templates: readonly WorkoutTemplate[]): void {
    const hidden = templates.filter((t) => !t.isPublic).map((t) => t.id);
    if (hidden.length > 0) throw new ConflictError('private_templates', 'A public programme may use public templates only', { details: { templateIds: hidden } });
  }

  #assertAuthor(entity: { id: string; createdBy: UserId }, actor: UserId, kind: string): void {
    if (entity.createdBy !== actor) throw new ForbiddenError(`Only the author may change ${kind} ${entity.id}`, { details: { id: entity.id } });
  }

  #assertMayRate(entity: { id: string; createdBy: UserId; isPublic: boolean }, reviewer: UserId, kind: string): void {
    if (entity.createdBy === reviewer) throw new ForbiddenError(`Authors do not rate their own ${kind}`, { details: { id: entity.id } });
    if (!entity.isPublic) throw new ForbiddenError(`${kind} ${entity.id} is not public`, { details: { id: entity.id } });
  }

  #message(key: ValidationMessageKey): string {
    return VALIDATION_MESSAGES[key][this.#deps.locale ?? 'en'];
  }

  #parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
    return parseOrThrow(schema, input, { entity: 'workout input', ...(this.#deps.locale ? { locale: this.#deps.locale } : {}) });
  }
}
