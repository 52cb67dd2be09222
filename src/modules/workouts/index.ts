/**
 * The workouts module's only door: templates and programmes (composition against the
 * catalogue, estimates, publishing, ratings) and workout logs (records, weekly volume,
 * streaks, plan comparison, training statistics computed in the database).
 *
 * @example
 * ```ts
 * const { service, logs } = createWorkoutsModule(db, deps, exerciseRepository)
 * await service.publishTemplate(templateId, coachId)
 * await logs.weeklyVolume(userId, { from: '2026-02-02', to: '2026-03-02' })
 * ```
 */
import type { Db } from 'mongodb';
import type { ServiceDeps } from '../service-deps.js';
import { WorkoutLogRepository } from './workout-log.repository.js';
import { WorkoutLogService } from './workout-log.service.js';
import { WorkoutProgramRepository } from './workout-program.repository.js';
import { WorkoutTemplateRepository } from './workout-template.repository.js';
import { WorkoutService, type ExerciseCatalog } from './workout.service.js';

export * from './reviews.schema.js';
export * from './workout-set.schema.js';
export * from './workout-template.schema.js';
export * from './workout-program.schema.js';
export * from './workout-log.schema.js';
export { PublishedWorkoutRepository, type PublishedWorkout } from './published-workout.repository.js';
export { WorkoutTemplateRepository } from './workout-template.repository.js';
export { WorkoutProgramRepository } from './workout-program.repository.js';
export { WorkoutLogRepository, MAX_STATISTICS_WINDOW_DAYS } from './workout-log.repository.js';
export {
  WorkoutService,
  estimateTemplate,
  workSecondsOf,
  caloriesPerMinuteOf,
  SECONDS_PER_REP,
  METRES_PER_SECOND,
  MAX_REST_SECONDS,
  type ExerciseCatalog,
  type ExerciseFacts,
  type TemplateEstimate,
} from './workout.service.js';
export * from './workout-log.service.js';
export * from './training-statistics.js';
export { trainingStatisticsPipeline, SECONDARY_MUSCLE_SHARE, type TrainingStatisticsPipelineInput, type TrainingStatisticsRows, type TrainingWeekRow, type TrainingSessionRow, type TrainingMuscleRow } from './training-statistics.pipeline.js';
export * from './units.js';
export * from './prescription.schema.js';
export { computePrescription, type Prescription, type PrescriptionContext, type ExercisePrescription, type PrescribedSet, type ProgressionStep } from './progression.js';
export { WORKOUT_DOCUMENT_MIGRATIONS } from './workout.document-migrations.js';

/**
 * The workouts repositories and services. `catalog` is the catalogue's `ExerciseRepository`
 * (modules do not import each other: the host wires them). The template repository also
 * serves the catalogue's deletion guard (`countExerciseReferences`).
 */
export function createWorkoutsModule(
  db: Db,
  deps: ServiceDeps,
  catalog: ExerciseCatalog,
): {
  readonly templates: WorkoutTemplateRepository;
  readonly programs: WorkoutProgramRepository;
  readonly workoutLogs: WorkoutLogRepository;
  readonly service: WorkoutService;
  readonly logs: WorkoutLogService;
} {
  const templates = new WorkoutTemplateRepository(db, deps);
  const programs = new WorkoutProgramRepository(db, deps);
  const workoutLogs = new WorkoutLogRepository(db, deps);
  return {
    templates,
    programs,
    workoutLogs,
    service: new WorkoutService(templates, programs, catalog, deps),
    logs: new WorkoutLogService(workoutLogs, templates, programs, catalog, deps),
  };
}
