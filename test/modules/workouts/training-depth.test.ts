import { ObjectId, type Db } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/core/errors.js';
import type { ExerciseId, UserId } from '../../../src/core/ids.js';
import { ExerciseRepository } from '../../../src/modules/catalog/exercise.repository.js';
import {
  createWorkoutsModule,
  fromKilograms,
  type CreateWorkoutProgramInput,
  type CreateWorkoutTemplateInput,
  type WorkoutLogService,
  type WorkoutService,
} from '../../../src/modules/workouts/index.js';
import { workoutLogsFormat2, workoutTemplatesFormat2 } from '../../../src/modules/workouts/workout.document-migrations.js';
import { migrateDocumentsDown, migrateDocumentsUp } from '../../../src/mongo-layout.js';
import { oid } from '../support/factories.js';
import { useTestNexfit } from '../../support/nexfit.js';

const t = useTestNexfit({ clock: '2026-03-16T09:00:00Z' });

let nextUser = 0x7a00;
const newUser = () => oid(++nextUser) as UserId;

/** The error a call throws, or a failure when it throws none. */
async function refusal(call: Promise<unknown>): Promise<ValidationError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

describe('training depth: set types, prescriptions, units and progression', () => {
  let workouts: WorkoutService;
  let logs: WorkoutLogService;
  let turkish: { workouts: WorkoutService; logs: WorkoutLogService };
  let squat: ExerciseId;
  let pullUp: ExerciseId;
  let db: Db;

  const template = (createdBy: UserId, sets: CreateWorkoutTemplateInput['exercises'][number]['defaultSets'], o: Partial<CreateWorkoutTemplateInput> = {}): CreateWorkoutTemplateInput => ({
    name: 'Strength A',
    createdBy,
    metadata: { difficulty: 'intermediate' },
    exercises: [{ exerciseId: squat, order: 1, defaultSets: sets }],
    ...o,
  });
  const templatesOf = async (author: UserId) => t.nexfit.mongo.db.collection('workout_templates').countDocuments({ createdBy: { $eq: ObjectId.createFromHexString(author) } });
  const programsOf = async (author: UserId) => t.nexfit.mongo.db.collection('workout_programs').countDocuments({ createdBy: { $eq: ObjectId.createFromHexString(author) } });

  beforeAll(async () => {
    db = t.nexfit.mongo.db;
    const exercises = new ExerciseRepository(db, t.deps);
    ({ service: workouts, logs } = createWorkoutsModule(db, t.deps, exercises));
    const tr = createWorkoutsModule(db, { ...t.deps, locale: 'tr' }, exercises);
    turkish = { workouts: tr.service, logs: tr.logs };
    const make = async (name: string) => (await exercises.create({ name, isPublic: true, metadata: { bodyAreas: ['quadriceps'], type: 'strength', difficultyLevel: 'beginner' } })).id;
    squat = await make('Back Squat');
    pullUp = await make('Pull-up');
  });

  describe('templates', () => {
    it('keeps set types, rep and RiR ranges, rest, supersets and a load entered in pounds (stored in kilograms)', async () => {
      const coach = newUser();
      const created = await workouts.createTemplate(
        template(coach, [], {
          exercises: [
            { exerciseId: squat, order: 1, supersetGroup: 'A', defaultSets: [{ type: 'warmup', reps: 5, weightIn: { value: 95, unit: 'lb' } }, { reps: { min: 8, max: 12 }, rir: { min: 1, max: 2 }, weightIn: { value: 225, unit: 'lb' }, restTime: 120 }] },
            { exerciseId: pullUp, order: 2, supersetGroup: 'A', defaultSets: [{ type: 'amrap', reps: 5, bodyweight: true, rpe: 8.5 }, { type: 'timed_hold', duration: 30 }] },
          ],
        }),
      );
      const read = await workouts.getTemplate(created.id);
      const [warm, work] = read.exercises[0]!.defaultSets;
      expect(work).toEqual({ reps: { min: 8, max: 12 }, rir: { min: 1, max: 2 }, weight: 102.05828325, weightUnit: 'lb', restTime: 120 });
      expect(fromKilograms(work!.weight!, work!.weightUnit!)).toBe(225);
      expect(warm).toMatchObject({ type: 'warmup', weight: 43.09127515, weightUnit: 'lb' });
      expect(read.exercises[1]).toMatchObject({ supersetGroup: 'A', defaultSets: [{ type: 'amrap', bodyweight: true, rpe: 8.5 }, { type: 'timed_hold', duration: 30 }] });
    });

    it.each([
      ['a rep range whose minimum is above its maximum', { reps: { min: 12, max: 8 } }, 'exercises.0.defaultSets.0.reps.min', 'The minimum of a range must not be above its maximum', 'Bir aralığın en küçük değeri en büyük değerinden büyük olamaz'],
      ['reps in reserve above 10', { reps: 5, rir: 11 }, 'exercises.0.defaultSets.0.rir', 'Too big: expected number to be <=10', 'Çok büyük: beklenen number <=10'],
      ['a RiR range reaching below 0', { reps: 5, rir: { min: -1, max: 2 } }, 'exercises.0.defaultSets.0.rir.min', 'Too small: expected number to be >=0', 'Çok küçük: beklenen number >=0'],
      ['RiR and RPE together', { reps: 5, rir: 2, rpe: 8 }, 'exercises.0.defaultSets.0.rpe', 'Give reps in reserve (RiR) or perceived exertion (RPE), not both', 'Yedekteki tekrar (RiR) veya algılanan zorluk (RPE) verin, ikisini birden değil'],
      ['a negative rest', { reps: 5, restTime: -30 }, 'exercises.0.defaultSets.0.restTime', 'Too small: expected number to be >=0', 'Çok küçük: beklenen number >=0'],
      ['an unknown unit', { reps: 5, weightIn: { value: 10, unit: 'stone' } }, 'exercises.0.defaultSets.0.weightIn.unit', 'Invalid option: expected one of "kg"|"lb"', 'Geçersiz seçenek: aşağıdakilerden biri olmalı: "kg"|"lb"'],
      ['a load given twice', { reps: 5, weight: 100, weightIn: { value: 220, unit: 'lb' } }, 'exercises.0.defaultSets.0.weightIn', 'Give the weight either in kilograms (weight) or with its unit (weightIn), not both', 'Ağırlığı ya kilogram olarak (weight) ya da birimiyle (weightIn) verin, ikisini birden değil'],
      ['an unknown set type', { reps: 5, type: 'cluster' }, 'exercises.0.defaultSets.0.type', 'Invalid option: expected one of "normal"|"warmup"|"drop"|"amrap"|"failure"|"timed_hold"', 'Geçersiz seçenek: aşağıdakilerden biri olmalı: "normal"|"warmup"|"drop"|"amrap"|"failure"|"timed_hold"'],
    ] as const)('refuses %s in English and Turkish, writing nothing', async (_, set, path, english, turkishText) => {
      const coach = newUser();
      const en = await refusal(workouts.createTemplate(template(coach, [set as never])));
      expect(en.code).toBe('VALIDATION_FAILED');
      expect(en.issues[0]).toMatchObject({ path: path.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)), message: english });
      const tr = await refusal(turkish.workouts.createTemplate(template(coach, [set as never])));
      expect(tr.issues[0]!.message).toBe(turkishText);
      expect(await templatesOf(coach)).toBe(0);
    });

    it('refuses a superset of one exercise, or of exercises that are not next to each other', async () => {
      const coach = newUser();
      const lone = await refusal(workouts.createTemplate(template(coach, [{ reps: 5 }], { exercises: [{ exerciseId: squat, order: 1, supersetGroup: 'A', defaultSets: [{ reps: 5 }] }] })));
      expect(lone.issues[0]).toMatchObject({ path: ['exercises', 0, 'supersetGroup'], message: 'A superset groups at least two exercises with consecutive orders' });
      const apart = await refusal(
        turkish.workouts.createTemplate(
          template(coach, [], {
            exercises: [
              { exerciseId: squat, order: 1, supersetGroup: 'B', defaultSets: [{ reps: 5 }] },
              { exerciseId: pullUp, order: 2, defaultSets: [{ reps: 5 }] },
              { exerciseId: squat, order: 3, supersetGroup: 'B', defaultSets: [{ reps: 5 }] },
            ],
          }),
        ),
      );
      expect(apart.issues[0]).toMatchObject({ path: ['exercises', 0, 'supersetGroup'], message: 'Bir süper set, sırası ardışık en az iki egzersizi gruplar' });
      expect(await templatesOf(coach)).toBe(0);
    });
  });

  describe('programmes with progression rules', () => {
    const programme = (createdBy: UserId, templateId: string, progression: CreateWorkoutProgramInput['progression']): CreateWorkoutProgramInput => ({
      name: '8 weeks',
      createdBy,
      metadata: { difficulty: 'intermediate', duration: 56 },
      schedule: Array.from({ length: 8 }, (_, w) => ({ day: w * 7 + 1, workoutTemplateId: templateId, isRestDay: false })),
      progression,
    });

    it.each([
      ['subtracts more than a working load (60 kg) weighs', [{ kind: 'load', every: 'week', change: 'subtract', amount: 65, unit: 'kg' }], 'progression.0.amount', 'This progression rule would make a load negative', 'Bu ilerleme kuralı bir ağırlığı negatife düşürür'],
      ['subtracts 140 lb (63.5 kg) from 60 kg', [{ kind: 'load', every: 'cycle', change: 'subtract', amount: 140, unit: 'lb' }], 'progression.0.amount', 'This progression rule would make a load negative', 'Bu ilerleme kuralı bir ağırlığı negatife düşürür'],
      ['subtracts more than 100 %', [{ kind: 'load', every: 'week', change: 'subtract', amount: 150, unit: 'percent' }], 'progression.0.amount', 'This progression rule would make a load negative', 'Bu ilerleme kuralı bir ağırlığı negatife düşürür'],
      ['replaces with a percentage', [{ kind: 'load', every: 'week', change: 'replace', amount: 90, unit: 'percent' }], 'progression.0.unit', 'A replace rule sets a load in kg or lb, not a percentage', 'Değiştirme kuralı ağırlığı yüzde ile değil kg veya lb ile belirler'],
      ['names an exercise the programme does not train', [{ kind: 'load', exerciseId: oid(0x7eee), every: 'week', change: 'add', amount: 2.5, unit: 'kg' }], 'progression.0.exerciseId', 'The rule names an exercise that no training day of the programme has', 'Kural, programın hiçbir antrenman gününde olmayan bir egzersizi gösteriyor'],
      ['uses an unknown unit', [{ kind: 'load', every: 'week', change: 'add', amount: 2.5, unit: 'stone' }], 'progression.0.unit', 'Invalid option: expected one of "kg"|"lb"|"percent"', 'Geçersiz seçenek: aşağıdakilerden biri olmalı: "kg"|"lb"|"percent"'],
    ] as const)('refuses a rule that %s, in English and Turkish, writing nothing', async (_, progression, path, english, turkishText) => {
      const coach = newUser();
      const strength = await workouts.createTemplate(template(coach, [{ type: 'warmup', reps: 5, weight: 20 }, { reps: 5, weight: 60 }]));
      const en = await refusal(workouts.createProgram(programme(coach, strength.id, progression as never)));
      expect(en.code).toBe('VALIDATION_FAILED');
      expect(en.issues[0]).toMatchObject({ path: path.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)), message: english });
      const tr = await refusal(turkish.workouts.createProgram(programme(coach, strength.id, progression as never)));
      expect(tr.issues[0]!.message).toBe(turkishText);
      expect(await programsOf(coach)).toBe(0);
    });

    it('accepts a subtraction as heavy as the lightest working load (a warm-up is not progressed)', async () => {
      const coach = newUser();
      const strength = await workouts.createTemplate(template(coach, [{ type: 'warmup', reps: 5, weight: 20 }, { reps: 5, weight: 60 }]));
      const created = await workouts.createProgram(programme(coach, strength.id, [{ kind: 'load', every: 'week', change: 'subtract', amount: 60, unit: 'kg' }]));
      expect(created.progression).toEqual([{ kind: 'load', every: 'week', change: 'subtract', amount: 60, unit: 'kg', onlyIfTargetMet: true }]);
    });

    it('tells a member what to lift today from the stored programme and logs, and refuses a day before the start', async () => {
      const coach = newUser();
      const member = newUser();
      const strength = await workouts.createTemplate(template(coach, [{ type: 'warmup', reps: 5, weight: 40 }, { reps: 5, weight: 100 }, { reps: 5, weight: 100 }]));
      const plan = await workouts.createProgram(programme(coach, strength.id, [{ kind: 'load', every: 'week', change: 'add', amount: 2.5, unit: 'kg' }]));
      const session = (date: string, weight: number, reps: number[]) =>
        logs.logWorkout({
          userId: member,
          workoutTemplateId: strength.id,
          startTime: `${date}T06:00:00Z`,
          exercises: [{ exerciseId: squat, sets: [{ type: 'warmup', reps: 5, weight: 40, completed: true }, ...reps.map((r) => ({ reps: r, weight, completed: true, target: { reps: 5, weight } }))] }],
        });
      await session('2026-03-02', 100, [5, 5]); // met
      await session('2026-03-09', 102.5, [5, 3]); // missed
      // The clock says 2026-03-16: week 3.
      const today = await logs.nextPrescription({ userId: member, programId: plan.id, startedOn: '2026-03-02' });
      expect(today).toMatchObject({ date: '2026-03-16', programDay: 15, week: 3, restDay: false, deload: false, workoutTemplateId: strength.id });
      expect(today.exercises[0]!.sets.map((s) => s.load)).toEqual([
        { value: 40, unit: 'kg' },
        { value: 102.5, unit: 'kg' },
        { value: 102.5, unit: 'kg' },
      ]);
      expect(today.exercises[0]!.explanation.map((s) => [s.period, s.fired, s.because])).toEqual([
        ['week 2', true, 'the last session, on 2026-03-02, met the target: 100/100 kg → 102.5/102.5 kg'],
        ['week 3', false, 'the last session, on 2026-03-09, missed the target: set 3 had 3 of 5 reps'],
      ]);
      expect((await logs.nextPrescription({ userId: member, programId: plan.id, startedOn: '2026-03-02', date: '2026-03-17' })).restDay).toBe(true);

      const early = await refusal(turkish.logs.nextPrescription({ userId: member, programId: plan.id, startedOn: '2026-03-02', date: '2026-03-01' }));
      expect(early.issues[0]).toMatchObject({ path: ['date'], message: 'Tarih, program başlangıcından önce olamaz' });
      const badUnit = await refusal(logs.nextPrescription({ userId: member, programId: plan.id, startedOn: '2026-03-02', unit: 'stone' as never }));
      expect(badUnit.issues[0]!.path).toEqual(['unit']);
    });
  });

  describe('logs and records', () => {
    it('keeps actual against target per set and shows a pound lifter pounds', async () => {
      const member = newUser();
      const log = await logs.logWorkout({
        userId: member,
        startTime: '2026-03-10T06:00:00Z',
        exercises: [{ exerciseId: squat, sets: [{ reps: 6, rir: 1, weightIn: { value: 225, unit: 'lb' }, completed: true, target: { reps: { min: 5, max: 8 }, rir: { min: 1, max: 2 }, weight: 102.05828325 } }] }],
      });
      const set = (await logs.getLog(log.id)).exercises[0]!.sets[0]!;
      expect(set).toEqual({ reps: 6, rir: 1, weight: 102.05828325, weightUnit: 'lb', completed: true, target: { reps: { min: 5, max: 8 }, rir: { min: 1, max: 2 }, weight: 102.05828325 } });
      const records = await logs.personalRecords(member, squat);
      expect(records.unit).toBe('lb');
      expect(records.heaviestWeight).toMatchObject({ value: 102.05828325, valueInUnit: 225 });
      // Epley: 225 × (1 + 6/30) = 270 lb; in kg 102.05828325 × 1.2 = 122.46994 → 122.47 kg (records round to 0.01 kg).
      expect(records.bestEstimatedOneRepMax).toMatchObject({ value: 122.47, valueInUnit: 270 });
    });

    it('never counts a warm-up or a body weight set as a record', async () => {
      const member = newUser();
      await logs.logWorkout({
        userId: member,
        startTime: '2026-03-10T06:00:00Z',
        exercises: [
          { exerciseId: squat, sets: [{ type: 'warmup', reps: 3, weight: 140, completed: true }, { type: 'amrap', reps: 8, weight: 100, completed: true }] },
          { exerciseId: pullUp, sets: [{ reps: 8, bodyweight: true, weight: 20, completed: true }] },
        ],
      });
      const records = await logs.personalRecords(member, squat);
      expect(records).toMatchObject({ unit: 'kg', heaviestWeight: { value: 100 }, bestSessionVolume: { value: 800 } });
      // Epley: 100 × (1 + 8/30) = 126.666… → 126.67
      expect(records.bestEstimatedOneRepMax!.value).toBe(126.67);
      expect(await logs.personalRecords(member, pullUp)).toEqual({ exerciseId: pullUp, unit: 'kg' });
    });
  });

  describe('documents of format 1', () => {
    it('reads a format 1 log as format 2 (every set normal) and writes it back in format 2', async () => {
      const member = newUser();
      const log = await logs.logWorkout({ userId: member, startTime: '2026-03-03T06:00:00Z', exercises: [{ exerciseId: squat, sets: [{ reps: 5, weight: 80, completed: true }] }] });
      const raw = db.collection('workout_logs');
      // As a format 1 SDK wrote it: no set type, schemaVersion 1 (the layout 7 validator accepts it).
      await raw.updateOne({ _id: ObjectId.createFromHexString(log.id) }, { $set: { schemaVersion: 1 }, $unset: { 'exercises.0.sets.0.type': '' } });
      const read = await logs.getLog(log.id);
      expect(read.schemaVersion).toBe(2);
      expect(read.exercises[0]!.sets[0]).toEqual({ type: 'normal', reps: 5, weight: 80, completed: true });
    });

    it('migrates templates down to format 1 (ranges to their minimum, new fields dropped) and up again', async () => {
      const coach = newUser();
      const created = await workouts.createTemplate(template(coach, [{ type: 'drop', reps: { min: 8, max: 10 }, rpe: 9, weightIn: { value: 135, unit: 'lb' } }]));
      const raw = db.collection('workout_templates');
      await migrateDocumentsDown(db, workoutTemplatesFormat2, { clock: t.clock });
      const down = await raw.findOne({ _id: ObjectId.createFromHexString(created.id) });
      expect(down).toMatchObject({ schemaVersion: 1 });
      expect(down!['exercises'][0].defaultSets).toEqual([{ reps: 8, weight: 61.23496995 }]);
      await migrateDocumentsUp(db, [workoutTemplatesFormat2], { clock: t.clock });
      const up = await workouts.getTemplate(created.id);
      expect(up).toMatchObject({ schemaVersion: 2 });
      expect(up.exercises[0]!.defaultSets).toEqual([{ type: 'normal', reps: 8, weight: 61.23496995 }]);
      expect(workoutLogsFormat2.down({ exercises: [{ sets: [{ type: 'warmup', reps: 5, weight: 1, weightUnit: 'lb', rir: 1, target: { reps: 5 }, completed: true }] }] })).toEqual({
        exercises: [{ sets: [{ reps: 5, weight: 1, completed: true }] }],
      });
    });
  });
});
