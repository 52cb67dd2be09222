import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { BodyArea, DifficultyLevel } from '../../core/fitness-vocabulary.js';
import { parseOrThrow } from '../../core/validation.js';
import type { StoreContext } from '../../stores/store-context.js';
import type { ExerciseRepository } from './exercise.repository.js';
import type { CreateExerciseInput, Exercise, ExerciseType, PatchExerciseInput } from './exercise.schema.js';

/** The `source` of every exercise this importer writes. */
export const FREE_EXERCISE_DB_SOURCE = 'free-exercise-db';

/** Where the project keeps its copy of the catalogue (relative to the working directory). */
export const FREE_EXERCISE_DB_FILE = 'data/free-exercise-db/exercises.json';

/** Where the dataset's image paths (`3_4_Sit-Up/0.jpg`) are served by its own repository. */
export const FREE_EXERCISE_DB_IMAGE_BASE_URL = 'https://raw.githubusercontent.com/yuhonas/free-exercise-db/main/exercises/';

/** The dataset's muscle names. */
export const FREE_EXERCISE_DB_MUSCLES = [
  'abdominals',
  'abductors',
  'adductors',
  'biceps',
  'calves',
  'chest',
  'forearms',
  'glutes',
  'hamstrings',
  'lats',
  'lower back',
  'middle back',
  'neck',
  'quadriceps',
  'shoulders',
  'traps',
  'triceps',
] as const;
type Muscle = (typeof FREE_EXERCISE_DB_MUSCLES)[number];

/**
 * Muscles onto our body areas. The vocabulary is coarser than the dataset: the back muscles
 * (lats, middle and lower back, traps) are `back`, the abdominals `core`, and the hip
 * abductors and adductors `hips`. The exact muscles are kept as `muscle:<name>` tags.
 */
export const MUSCLE_BODY_AREAS: Readonly<Record<Muscle, BodyArea>> = {
  abdominals: 'core',
  abductors: 'hips',
  adductors: 'hips',
  biceps: 'biceps',
  calves: 'calves',
  chest: 'chest',
  forearms: 'forearms',
  glutes: 'glutes',
  hamstrings: 'hamstrings',
  lats: 'back',
  'lower back': 'back',
  'middle back': 'back',
  neck: 'neck',
  quadriceps: 'quadriceps',
  shoulders: 'shoulders',
  traps: 'back',
  triceps: 'triceps',
};

const CATEGORY_TYPES = {
  strength: 'strength',
  powerlifting: 'strength',
  'olympic weightlifting': 'strength',
  strongman: 'strength',
  stretching: 'flexibility',
  plyometrics: 'plyometric',
  cardio: 'cardio',
} as const satisfies Record<string, ExerciseType>;

const LEVEL_DIFFICULTIES = { beginner: 'beginner', intermediate: 'intermediate', expert: 'advanced' } as const satisfies Record<string, DifficultyLevel>;

const muscleSchema = z.enum(FREE_EXERCISE_DB_MUSCLES);

/** One record of `exercises.json`, as the dataset publishes it. */
export const freeExerciseDbRecordSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/),
  name: z.string(),
  force: z.enum(['pull', 'push', 'static']).nullable(),
  level: z.enum(['beginner', 'intermediate', 'expert']),
  mechanic: z.enum(['compound', 'isolation']).nullable(),
  equipment: z.string().nullable(),
  primaryMuscles: z.array(muscleSchema),
  secondaryMuscles: z.array(muscleSchema),
  instructions: z.array(z.string()),
  category: z.enum(Object.keys(CATEGORY_TYPES) as [keyof typeof CATEGORY_TYPES, ...(keyof typeof CATEGORY_TYPES)[]]),
  images: z.array(z.string().regex(/^[A-Za-z0-9_./-]+$/).refine((p) => !p.includes('..'))),
});
export type FreeExerciseDbRecord = z.output<typeof freeExerciseDbRecordSchema>;

/**
 * The dataset copy shipped with the package: next to the sources (`src/modules/catalog/` ->
 * `data/`) or next to the bundle (`dist/` -> `data/`), whichever this module runs from.
 */
function packagedDatasetFile(): string {
  const candidates = ['../../../', '../'].map((up) => fileURLToPath(new URL(`${up}${FREE_EXERCISE_DB_FILE}`, import.meta.url)));
  return candidates.find((candidate) => existsSync(candidate)) ?? resolve(FREE_EXERCISE_DB_FILE);
}

/** Reads and validates the dataset file (the copy shipped with the package by default). */
export async function loadFreeExerciseDb(file?: string): Promise<FreeExerciseDbRecord[]> {
  const json: unknown = JSON.parse(await readFile(file ? resolve(file) : packagedDatasetFile(), 'utf8'));
  return parseOrThrow(z.array(freeExerciseDbRecordSchema), json, { entity: 'free-exercise-db file' });
}

/** The fields the dataset owns: what an import writes, and compares to tell "unchanged". */
interface ImportedFields {
  readonly name: string;
  readonly instructions: readonly string[];
  readonly imageUrls: readonly string[];
  readonly thumbnailUrl: string | undefined;
  readonly bodyAreas: readonly BodyArea[];
  readonly secondaryBodyAreas: readonly BodyArea[];
  readonly type: ExerciseType;
  readonly equipment: readonly string[];
  readonly difficultyLevel: DifficultyLevel;
  readonly tags: readonly string[];
}

/**
 * Maps one dataset record onto our exercise fields:
 * - `bodyAreas`: the primary muscles through {@link MUSCLE_BODY_AREAS}, deduplicated;
 * - `secondaryBodyAreas`: the secondary muscles likewise, without the areas already in
 *   `bodyAreas` (the middle back of a lats exercise is still the back);
 * - `type` from `category` (strength, powerlifting, olympic weightlifting, strongman →
 *   `strength`; stretching → `flexibility`; plyometrics → `plyometric`; cardio → `cardio`);
 * - `difficultyLevel` from `level` (`expert` → `advanced`);
 * - `equipment`: the dataset's label as is (`body only`, `e-z curl bar`), none when null;
 * - `tags`: `category:<category>`, `force:<force>`, `mechanic:<mechanic>` and
 *   `muscle:<name>` per primary muscle, so nothing the vocabulary folds away is lost;
 * - `instructions` trimmed, empty steps dropped; images prefixed by `imageBaseUrl`, the
 *   first one also the thumbnail.
 */
export function mapFreeExerciseDbRecord(record: FreeExerciseDbRecord, imageBaseUrl: string = FREE_EXERCISE_DB_IMAGE_BASE_URL): ImportedFields {
  const base = imageBaseUrl.endsWith('/') ? imageBaseUrl : `${imageBaseUrl}/`;
  const imageUrls = record.images.map((path) => base + path);
  const tags = [
    `category:${record.category}`,
    ...(record.force ? [`force:${record.force}`] : []),
    ...(record.mechanic ? [`mechanic:${record.mechanic}`] : []),
    ...record.primaryMuscles.map((m) => `muscle:${m}`),
  ];
  const bodyAreas = [...new Set(record.primaryMuscles.map((m) => MUSCLE_BODY_AREAS[m]))];
  return {
    name: record.name.trim(),
    instructions: record.instructions.map((s) => s.trim()).filter((s) => s.length > 0),
    imageUrls,
    thumbnailUrl: imageUrls[0],
    bodyAreas,
    secondaryBodyAreas: [...new Set(record.secondaryMuscles.map((m) => MUSCLE_BODY_AREAS[m]))].filter((area) => !bodyAreas.includes(area)),
    type: CATEGORY_TYPES[record.category],
    equipment: record.equipment === null ? [] : [record.equipment.trim()],
    difficultyLevel: LEVEL_DIFFICULTIES[record.level],
    tags: [...new Set(tags)],
  };
}

function importedFieldsOf(exercise: Exercise): ImportedFields {
  return {
    name: exercise.name,
    instructions: exercise.instructions,
    imageUrls: exercise.media.imageUrls ?? [],
    thumbnailUrl: exercise.media.thumbnailUrl,
    bodyAreas: exercise.metadata.bodyAreas,
    secondaryBodyAreas: exercise.metadata.secondaryBodyAreas ?? [],
    type: exercise.metadata.type,
    equipment: exercise.metadata.equipment,
    difficultyLevel: exercise.metadata.difficultyLevel,
    tags: exercise.metadata.tags,
  };
}

const sameFields = (a: ImportedFields, b: ImportedFields) => JSON.stringify(a) === JSON.stringify(b);

/** Progress of an import, reported after every batch. */
export interface FreeExerciseDbImportProgress {
  readonly processed: number;
  readonly total: number;
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
}

/** Options of {@link importFreeExerciseDb}. */
export interface FreeExerciseDbImportOptions {
  /** The records to import; read from the bundled `data/free-exercise-db/exercises.json` when omitted. */
  readonly records?: readonly FreeExerciseDbRecord[];
  /** Prefix of the dataset's relative image paths; the dataset's GitHub raw folder by default. */
  readonly imageBaseUrl?: string;
  /** Records looked up and written per batch (default 200, at most 500). */
  readonly batchSize?: number;
  /** Called after each batch with the records done so far. */
  readonly onProgress?: (progress: FreeExerciseDbImportProgress) => void;
  readonly ctx?: StoreContext;
}

/** What an import changed. */
export interface FreeExerciseDbImportResult {
  readonly inserted: number;
  readonly updated: number;
  readonly unchanged: number;
}

/** The repository methods an import uses. */
export type FreeExerciseDbTarget = Pick<ExerciseRepository, 'findBySourceIds' | 'create' | 'patch'>;

/**
 * Imports the public-domain free-exercise-db catalogue (yuhonas/free-exercise-db, Unlicense)
 * as public platform exercises (no `createdBy`), keyed by `source: 'free-exercise-db'` and the
 * dataset's `id` in `sourceId`. Idempotent: a record already imported is updated only when
 * the fields the dataset owns (`mapFreeExerciseDbRecord`) differ, and otherwise counted
 * as unchanged; what curators added (description, video, calories, duration, alternates,
 * visibility) is kept. Each exercise is one single-document write, so an interrupted import
 * is finished by running it again; the unique `source + sourceId` index keeps concurrent
 * runs from duplicating (the loser fails with `ConflictError`).
 *
 * @example
 * ```ts
 * const counts = await importFreeExerciseDb(exercises, { onProgress: (p) => bar.update(p.processed, { total: p.total }) })
 * // first run: { inserted: 873, updated: 0, unchanged: 0 }; again: { inserted: 0, updated: 0, unchanged: 873 }
 * ```
 */
export async function importFreeExerciseDb(target: FreeExerciseDbTarget, options: FreeExerciseDbImportOptions = {}): Promise<FreeExerciseDbImportResult> {
  const records = options.records ? parseOrThrow(z.array(freeExerciseDbRecordSchema), options.records, { entity: 'free-exercise-db record' }) : await loadFreeExerciseDb();
  const batchSize = Math.min(500, Math.max(1, options.batchSize ?? 200));
  const counts = { inserted: 0, updated: 0, unchanged: 0 };
  for (let start = 0; start < records.length; start += batchSize) {
    const batch = records.slice(start, start + batchSize);
    const existing = await target.findBySourceIds(
      FREE_EXERCISE_DB_SOURCE,
      batch.map((r) => r.id),
      options.ctx,
    );
    const bySourceId = new Map(existing.map((e) => [e.sourceId, e]));
    for (const record of batch) {
      const fields = mapFreeExerciseDbRecord(record, options.imageBaseUrl);
      const current = bySourceId.get(record.id);
      if (!current) {
        await target.create(createInputOf(record.id, fields), options.ctx);
        counts.inserted++;
      } else if (sameFields(importedFieldsOf(current), fields)) {
        counts.unchanged++;
      } else {
        await target.patch(current.id, patchOf(current, fields), { expectedVersion: current.version }, options.ctx);
        counts.updated++;
      }
    }
    options.onProgress?.({ processed: start + batch.length, total: records.length, ...counts });
  }
  return counts;
}

function mediaOf(fields: ImportedFields, videoUrl?: string) {
  return {
    ...(videoUrl === undefined ? {} : { videoUrl }),
    imageUrls: [...fields.imageUrls],
    ...(fields.thumbnailUrl === undefined ? {} : { thumbnailUrl: fields.thumbnailUrl }),
  };
}

/** `secondaryBodyAreas` when the record has any: an exercise without them stores none. */
function secondaryOf(fields: ImportedFields): { secondaryBodyAreas?: BodyArea[] } {
  return fields.secondaryBodyAreas.length === 0 ? {} : { secondaryBodyAreas: [...fields.secondaryBodyAreas] };
}

function withoutSecondary(metadata: Exercise['metadata']): Omit<Exercise['metadata'], 'secondaryBodyAreas'> {
  const { secondaryBodyAreas: _dropped, ...rest } = metadata;
  return rest;
}

function createInputOf(sourceId: string, fields: ImportedFields): CreateExerciseInput {
  return {
    name: fields.name,
    instructions: [...fields.instructions],
    media: mediaOf(fields),
    metadata: {
      bodyAreas: [...fields.bodyAreas],
      ...secondaryOf(fields),
      type: fields.type,
      equipment: [...fields.equipment],
      difficultyLevel: fields.difficultyLevel,
      tags: [...fields.tags],
    },
    isPublic: true,
    alternateExercises: [],
    source: FREE_EXERCISE_DB_SOURCE,
    sourceId,
  };
}

function patchOf(current: Exercise, fields: ImportedFields): PatchExerciseInput {
  return {
    name: fields.name,
    instructions: [...fields.instructions],
    media: mediaOf(fields, current.media.videoUrl),
    metadata: {
      ...withoutSecondary(current.metadata),
      bodyAreas: [...fields.bodyAreas],
      ...secondaryOf(fields),
      type: fields.type,
      equipment: [...fields.equipment],
      difficultyLevel: fields.difficultyLevel,
      tags: [...fields.tags],
    },
  };
}
