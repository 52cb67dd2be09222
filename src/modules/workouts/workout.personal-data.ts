import { allItems, isText, jsonOfAll, type PersonalDataContributor, type PersonalDataDeclaration } from '../personal-data.js';
import { WORKOUT_LOGS_COLLECTION } from './workout-log.collection.js';
import type { WorkoutLogRepository } from './workout-log.repository.js';
import { WORKOUT_PROGRAMS_COLLECTION } from './workout-program.collection.js';
import type { WorkoutProgramRepository } from './workout-program.repository.js';
import { WORKOUT_TEMPLATES_COLLECTION } from './workout-template.collection.js';
import type { WorkoutTemplateRepository } from './workout-template.repository.js';

/** The workouts module's user-linked data: the user's workout logs and the templates and programs they wrote. */
export const WORKOUT_PERSONAL_DATA = {
  module: 'workouts',
  holds: [
    { store: 'mongo', name: WORKOUT_LOGS_COLLECTION.name },
    { store: 'mongo', name: WORKOUT_LOGS_COLLECTION.archiveCollection },
    { store: 'mongo', name: WORKOUT_TEMPLATES_COLLECTION.name },
    { store: 'mongo', name: WORKOUT_PROGRAMS_COLLECTION.name },
  ],
} as const satisfies PersonalDataDeclaration;

/**
 * The workouts module's part in export and erasure: the user's logs (archived ones too) and
 * the templates and programs they wrote are exported. Erasure deletes the logs, archived
 * ones included, and the private templates and
 * programs; published ones stay, since other users follow them.
 *
 * @example
 * ```ts
 * const contributor = workoutPersonalData({ logs: workouts.workoutLogs, templates: workouts.templates, programs: workouts.programs });
 * ```
 */
export function workoutPersonalData(repositories: {
  readonly logs: WorkoutLogRepository;
  readonly templates: WorkoutTemplateRepository;
  readonly programs: WorkoutProgramRepository;
}): PersonalDataContributor {
  const { logs, templates, programs } = repositories;
  return {
    ...WORKOUT_PERSONAL_DATA,
    async export(userId) {
      return {
        workoutTemplates: await jsonOfAll((p) => templates.listByAuthor(userId, p)),
        workoutPrograms: await jsonOfAll((p) => programs.listByAuthor(userId, p)),
        // Archived logs are the user's too: the hot ones, then the archived ones.
        workoutLogs: [...(await jsonOfAll((p) => logs.listByUser(userId, {}, p))), ...(await jsonOfAll((p) => logs.listArchivedByUser(userId, p)))],
      };
    },
    async erase(userId, { uow, personalStrings, subjectIds }) {
      const ctx = uow.ctx;
      let workoutLogs = 0;
      for (const log of await allItems((p) => logs.listByUser(userId, {}, p, ctx))) {
        personalStrings.push(...[log.notes, log.feedback?.notes, ...log.exercises.map((e) => e.notes)].filter(isText));
        subjectIds.add(log.id);
        await logs.delete(log.id, {}, ctx);
        workoutLogs++;
      }
      for (const log of await allItems((p) => logs.listArchivedByUser(userId, p, ctx))) {
        personalStrings.push(...[log.notes, log.feedback?.notes, ...log.exercises.map((e) => e.notes)].filter(isText));
        subjectIds.add(log.id);
      }
      workoutLogs += await logs.deleteArchivedByUser(userId, ctx);
      let workoutTemplates = 0;
      for (const template of await allItems((p) => templates.listByAuthor(userId, p, ctx))) {
        if (template.isPublic) continue;
        subjectIds.add(template.id);
        await templates.delete(template.id, {}, ctx);
        workoutTemplates++;
      }
      let workoutPrograms = 0;
      for (const program of await allItems((p) => programs.listByAuthor(userId, p, ctx))) {
        if (program.isPublic) continue;
        subjectIds.add(program.id);
        await programs.delete(program.id, {}, ctx);
        workoutPrograms++;
      }
      return { deleted: { workoutLogs, workoutTemplates, workoutPrograms } };
    },
  };
}
