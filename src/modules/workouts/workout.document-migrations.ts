import type { Document } from 'mongodb';
import type { DocumentMigration } from '../../stores/mongo/document-migrations/document-migration.js';

/** The fields a set gained in format 2, which format 1 (and an SDK that reads only it) refuses. */
const SET_FIELDS_OF_FORMAT_2 = ['type', 'weightUnit', 'bodyweight', 'distanceUnit', 'rir', 'rpe', 'target'] as const;

const objects = (value: unknown): Document[] => (Array.isArray(value) ? (value as Document[]) : []);

/** Every set typed: a format 1 set was a working set. */
const typed = (set: Document): Document => ({ type: 'normal', ...set });

/** A set as format 1 holds it: the new fields dropped, a rep range read as its lower bound. */
function setOfFormat1(set: Document): Document {
  const out: Document = { ...set };
  for (const field of SET_FIELDS_OF_FORMAT_2) delete out[field];
  const reps: unknown = out['reps'];
  if (typeof reps === 'object' && reps !== null) out['reps'] = (reps as { min: number }).min;
  return out;
}

/**
 * `workout_templates` format 2: sets carry a `type` (a format 1 set is `normal`), reps and
 * reps in reserve may be ranges, RPE, load and distance units, and exercises a
 * `supersetGroup`. `down` drops what format 1 cannot hold (a rep range becomes its lower
 * bound; set types, units, effort and superset groups are lost), so an earlier SDK reads the
 * documents again.
 */
export const workoutTemplatesFormat2: DocumentMigration = {
  name: 'workout_templates-0002-set-types-and-ranges',
  collection: 'workout_templates',
  fromVersion: 1,
  toVersion: 2,
  up: (doc) => ({ ...doc, exercises: objects(doc['exercises']).map((e) => ({ ...e, defaultSets: objects(e['defaultSets']).map(typed) })) }),
  down: (doc) => ({
    ...doc,
    exercises: objects(doc['exercises']).map(({ supersetGroup: _group, ...e }) => ({ ...e, defaultSets: objects(e['defaultSets']).map(setOfFormat1) })),
  }),
};

/**
 * `workout_programs` format 2: an optional `progression` (load and deload rules). Format 1
 * documents need no change; `down` drops the rules.
 */
export const workoutProgramsFormat2: DocumentMigration = {
  name: 'workout_programs-0002-progression-rules',
  collection: 'workout_programs',
  fromVersion: 1,
  toVersion: 2,
  up: (doc) => doc,
  down: ({ progression: _rules, ...doc }) => doc,
};

/**
 * `workout_logs` format 2: sets carry a `type` (a format 1 set is `normal`), the units the
 * load and distance were entered in, RiR or RPE, and their `target`. `down` drops them.
 */
export const workoutLogsFormat2: DocumentMigration = {
  name: 'workout_logs-0002-set-types-units-targets',
  collection: 'workout_logs',
  fromVersion: 1,
  toVersion: 2,
  up: (doc) => ({ ...doc, exercises: objects(doc['exercises']).map((e) => ({ ...e, sets: objects(e['sets']).map(typed) })) }),
  down: (doc) => ({ ...doc, exercises: objects(doc['exercises']).map((e) => ({ ...e, sets: objects(e['sets']).map(setOfFormat1) })) }),
};

/**
 * The workouts module's document migrations, in order; repositories read older documents
 * through their `up` (see `upgradeOnRead`), and `migrateDocumentsUp` rewrites them.
 *
 * @example
 * ```ts
 * await migrateDocumentsUp(db, WORKOUT_DOCUMENT_MIGRATIONS)
 * ```
 */
export const WORKOUT_DOCUMENT_MIGRATIONS: readonly DocumentMigration[] = [workoutTemplatesFormat2, workoutProgramsFormat2, workoutLogsFormat2];
