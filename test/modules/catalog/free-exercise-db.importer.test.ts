import { beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/core/errors.js';
import { ExerciseRepository } from '../../../src/modules/catalog/exercise.repository.js';
import {
  FREE_EXERCISE_DB_SOURCE,
  importFreeExerciseDb,
  loadFreeExerciseDb,
  type FreeExerciseDbImportProgress,
  type FreeExerciseDbRecord,
} from '../../../src/modules/catalog/free-exercise-db.importer.js';
import { MONGO_COLLECTIONS } from '../../../src/modules/mongo-collections.js';
import { useTestNexfit } from '../../support/nexfit.js';

const t = useTestNexfit({ clock: '2026-03-02T09:00:00Z' });

describe('importFreeExerciseDb', () => {
  let exercises: ExerciseRepository;
  let records: FreeExerciseDbRecord[];
  const collection = () => t.nexfit.mongo.db.collection(MONGO_COLLECTIONS.exercises.name);
  const count = (filter: Record<string, unknown>) => collection().countDocuments({ source: FREE_EXERCISE_DB_SOURCE, ...filter });
  const first = { inserted: 0, updated: 0, unchanged: 0 };
  const progress: FreeExerciseDbImportProgress[] = [];

  beforeAll(async () => {
    exercises = new ExerciseRepository(t.nexfit.mongo.db, t.deps);
    records = await loadFreeExerciseDb();
    Object.assign(first, await importFreeExerciseDb(exercises, { onProgress: (p) => progress.push(p) }));
  }, 120_000);

  it('reads the project’s own copy of the 873-exercise catalogue', () => {
    expect(records).toHaveLength(873);
  });

  it('inserts every exercise on the first run and reports progress per batch', () => {
    expect(first).toEqual({ inserted: 873, updated: 0, unchanged: 0 });
    expect(progress.map((p) => p.processed)).toEqual([200, 400, 600, 800, 873]);
    expect(progress.at(-1)).toEqual({ processed: 873, total: 873, inserted: 873, updated: 0, unchanged: 0 });
  });

  it('inserts nothing on a second run: the same 873 exercises, all unchanged', async () => {
    expect(await importFreeExerciseDb(exercises)).toEqual({ inserted: 0, updated: 0, unchanged: 873 });
    expect(await count({})).toBe(873);
  });

  it('keeps the facts of the dataset: equipment, primary muscles and levels', async () => {
    expect(await count({ 'metadata.equipment': 'barbell' })).toBe(170);
    expect(await count({ 'metadata.equipment': 'dumbbell' })).toBe(123);
    expect(await count({ 'metadata.equipment': 'body only' })).toBe(111);
    expect(await count({ 'metadata.equipment': { $size: 0 } })).toBe(77);
    expect(await count({ 'metadata.tags': 'muscle:quadriceps' })).toBe(148);
    expect(await count({ 'metadata.difficultyLevel': 'beginner' })).toBe(523);
    expect(await count({ 'metadata.difficultyLevel': 'intermediate' })).toBe(293);
    expect(await count({ 'metadata.difficultyLevel': 'advanced' })).toBe(57);
  });

  it('maps one record field by field', async () => {
    const [sitUp] = await exercises.findBySourceIds(FREE_EXERCISE_DB_SOURCE, ['3_4_Sit-Up']);
    expect(sitUp).toMatchObject({
      name: '3/4 Sit-Up',
      isPublic: true,
      alternateExercises: [],
      media: {
        imageUrls: [
          'https://raw.githubusercontent.com/yuhonas/free-exercise-db/main/exercises/3_4_Sit-Up/0.jpg',
          'https://raw.githubusercontent.com/yuhonas/free-exercise-db/main/exercises/3_4_Sit-Up/1.jpg',
        ],
        thumbnailUrl: 'https://raw.githubusercontent.com/yuhonas/free-exercise-db/main/exercises/3_4_Sit-Up/0.jpg',
      },
      metadata: {
        bodyAreas: ['core'],
        type: 'strength',
        equipment: ['body only'],
        difficultyLevel: 'beginner',
        tags: ['category:strength', 'force:pull', 'mechanic:compound', 'muscle:abdominals'],
      },
    });
    expect(sitUp?.instructions).toHaveLength(5);
    expect(sitUp).not.toHaveProperty('createdBy');
  });

  it('maps primary muscles onto body areas and secondary ones onto secondary areas, without repeats', async () => {
    // Chin-Up: lats; biceps, forearms, middle back — the middle back folds into `back`, already a main area.
    const [chinUp] = await exercises.findBySourceIds(FREE_EXERCISE_DB_SOURCE, ['Chin-Up']);
    expect(chinUp?.metadata.bodyAreas).toEqual(['back']);
    expect(chinUp?.metadata.secondaryBodyAreas).toEqual(['biceps', 'forearms']);
    expect(chinUp?.metadata.tags).toContain('muscle:lats');
    // Adductor: adductors, no secondary muscles — no secondary areas stored.
    const [adductor] = await exercises.findBySourceIds(FREE_EXERCISE_DB_SOURCE, ['Adductor']);
    expect(adductor?.metadata.bodyAreas).toEqual(['hips']);
    expect(adductor?.metadata).not.toHaveProperty('secondaryBodyAreas');
  });

  it('folds every dataset category into our exercise types', async () => {
    expect(await count({ 'metadata.type': 'flexibility' })).toBe(123);
    expect(await count({ 'metadata.type': 'plyometric' })).toBe(61);
    expect(await count({ 'metadata.type': 'cardio' })).toBe(14);
    expect(await count({ 'metadata.type': 'strength' })).toBe(581 + 38 + 35 + 21);
  });

  it('drops the dataset’s empty instruction steps', async () => {
    const [clean] = await exercises.findBySourceIds(FREE_EXERCISE_DB_SOURCE, ['Clean']);
    expect(clean?.instructions.every((s) => s.length > 0)).toBe(true);
  });

  it('updates a record that changed and keeps what curators added', async () => {
    const [before] = await exercises.findBySourceIds(FREE_EXERCISE_DB_SOURCE, ['Clean']);
    await exercises.patch(before!.id, { description: 'Olimpik kaldırış', metadata: { ...before!.metadata, calories: 12, duration: 1 } });
    const changed = records.map((r) => (r.id === 'Clean' ? { ...r, name: 'Clean (renamed)', level: 'expert' as const } : r));
    expect(await importFreeExerciseDb(exercises, { records: changed })).toEqual({ inserted: 0, updated: 1, unchanged: 872 });
    const [after] = await exercises.findBySourceIds(FREE_EXERCISE_DB_SOURCE, ['Clean']);
    expect(after).toMatchObject({ id: before!.id, name: 'Clean (renamed)', description: 'Olimpik kaldırış', metadata: { difficultyLevel: 'advanced', calories: 12, duration: 1 } });
    expect(await importFreeExerciseDb(exercises, { records: changed })).toEqual({ inserted: 0, updated: 0, unchanged: 873 });
  });

  it('splits the secondary areas out of an exercise imported with every area in bodyAreas', async () => {
    const [chinUp] = await exercises.findBySourceIds(FREE_EXERCISE_DB_SOURCE, ['Chin-Up']);
    const { secondaryBodyAreas: _secondary, ...metadata } = chinUp!.metadata;
    await exercises.patch(chinUp!.id, { metadata: { ...metadata, bodyAreas: ['back', 'biceps', 'forearms'] } });
    const chinUpRecord = records.filter((r) => r.id === 'Chin-Up');
    expect(await importFreeExerciseDb(exercises, { records: chinUpRecord })).toEqual({ inserted: 0, updated: 1, unchanged: 0 });
    const [after] = await exercises.findBySourceIds(FREE_EXERCISE_DB_SOURCE, ['Chin-Up']);
    expect(after?.metadata).toMatchObject({ bodyAreas: ['back'], secondaryBodyAreas: ['biceps', 'forearms'] });
  });

  it('prefixes image paths with a configured base URL', async () => {
    const one = records.filter((r) => r.id === 'Clean').map((r) => ({ ...r, id: 'Clean_cdn_copy' }));
    await importFreeExerciseDb(exercises, { records: one, imageBaseUrl: 'https://cdn.nexfit.example/fedb' });
    const [copy] = await exercises.findBySourceIds(FREE_EXERCISE_DB_SOURCE, ['Clean_cdn_copy']);
    expect(copy?.media.imageUrls?.[0]).toBe('https://cdn.nexfit.example/fedb/Clean/0.jpg');
  });

  it('refuses a malformed record before writing anything', async () => {
    const before = await collection().countDocuments({});
    const bad = [{ ...records[0]!, id: 'New_one' }, { ...records[1]!, id: 'Bad', primaryMuscles: ['wings'] }] as never;
    await expect(importFreeExerciseDb(exercises, { records: bad })).rejects.toBeInstanceOf(ValidationError);
    await expect(importFreeExerciseDb(exercises, { records: [{ ...records[0]!, id: 'x', images: ['../../etc/passwd'] }] })).rejects.toBeInstanceOf(ValidationError);
    expect(await collection().countDocuments({})).toBe(before);
  });
});
