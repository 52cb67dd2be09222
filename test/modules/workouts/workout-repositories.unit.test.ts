import { describe, expectTypeOf, it } from 'vitest';
import type { FacilityId, UserId, WorkoutTemplateId } from '../../../src/core/ids.js';
import type { Page } from '../../../src/core/pagination.js';
import type { WorkoutLogRepository } from '../../../src/modules/workouts/workout-log.repository.js';
import type { WorkoutLog } from '../../../src/modules/workouts/workout-log.schema.js';
import type { WorkoutProgramRepository } from '../../../src/modules/workouts/workout-program.repository.js';
import type { WorkoutProgram } from '../../../src/modules/workouts/workout-program.schema.js';
import type { WorkoutTemplateRepository } from '../../../src/modules/workouts/workout-template.repository.js';
import type { WorkoutTemplate } from '../../../src/modules/workouts/workout-template.schema.js';

const templates = {} as unknown as WorkoutTemplateRepository;
const programs = {} as unknown as WorkoutProgramRepository;
const logs = {} as unknown as WorkoutLogRepository;
const userId = {} as unknown as UserId;
const templateId = {} as unknown as WorkoutTemplateId;
const facilityId = {} as unknown as FacilityId;

describe('workout repository types', () => {
  it('returns typed templates, programmes and logs', () => {
    expectTypeOf(templates.listPublic).returns.resolves.toEqualTypeOf<Page<WorkoutTemplate>>();
    expectTypeOf(templates.findManyByIds).returns.resolves.toEqualTypeOf<WorkoutTemplate[]>();
    expectTypeOf(programs.listByAuthor).returns.resolves.toEqualTypeOf<Page<WorkoutProgram>>();
    expectTypeOf(logs.listByUser).returns.resolves.toEqualTypeOf<Page<WorkoutLog>>();
    expectTypeOf(logs.listByUserBetween).returns.resolves.toEqualTypeOf<WorkoutLog[]>();
  });

  it('refuses a wrong field, a wrong enum value and another entity’s id at compile time', () => {
    const compileOnly = () => {
      // @ts-expect-error a FacilityId is not a UserId
      void templates.listByAuthor(facilityId);
      // @ts-expect-error a UserId is not a WorkoutTemplateId
      void logs.listByTemplate(userId);
      // @ts-expect-error a WorkoutTemplateId is not a UserId
      void logs.listByUser(templateId);
      // @ts-expect-error a FacilityId is not a UserId
      void logs.listByUserBetween(facilityId, '2026-03-01', '2026-03-08');
      // @ts-expect-error `expert` is not a difficulty level
      void programs.patch(templateId, { metadata: { difficulty: 'expert', duration: 7 } });
      // @ts-expect-error `reviews` are kept by the reviews service, not patched
      void templates.patch(templateId, { reviews: { averageRating: 5, count: 1 } });
      // @ts-expect-error `rating` is not a reviews field
      void templates.setReviews(templateId, { rating: 5, count: 1 });
    };
    expectTypeOf(compileOnly).toBeFunction();
  });
});
