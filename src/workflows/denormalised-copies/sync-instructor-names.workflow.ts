import { z } from 'zod';
import type { UserId } from '../../core/ids.js';
import { parseOrThrow, type ValidationLocale } from '../../core/validation.js';
import type { ClassRepository } from '../../modules/classes/index.js';
import type { UserRepository } from '../../modules/users/index.js';

/** What {@link syncInstructorNames} reads and writes. */
export interface SyncInstructorNamesDeps {
  /** Language of validation messages, from `createNexfit({ locale })`. */
  readonly locale?: ValidationLocale | undefined;
  readonly classes: Pick<ClassRepository, 'listInstructorIds' | 'renameInstructor'>;
  readonly users: Pick<UserRepository, 'findManyByIds'>;
}

/** What one run of `nexfit.workflows.syncInstructorNames()` did. */
export interface SyncInstructorNamesReport {
  /** Instructors looked at (every user some class names as its instructor). */
  readonly instructors: number;
  /** Classes whose `instructor.name` was rewritten. */
  readonly classesRenamed: number;
  /** Instructors with no user any more (erased): their classes keep the name they had. */
  readonly missingUsers: number;
}

/** How a user's name is copied into `classes.instructor.name`: first and last name. */
export function instructorNameOf(user: { readonly firstName: string; readonly lastName: string }): string {
  return `${user.firstName} ${user.lastName}`.trim();
}

const optionsSchema = z.strictObject({
  /** Instructors read per batch (default and most 500: the longest id list a read takes). */
  batchSize: z.number().int().min(1).max(500).optional(),
});
/**
 * Options of `nexfit.workflows.syncInstructorNames()`.
 *
 * @useDeclaredType
 */
export type SyncInstructorNamesOptions = z.input<typeof optionsSchema>;

/**
 * The job that keeps `classes.instructor.name` — the copy of the instructor's name the
 * design document keeps in every class for listings — in step with the user's name: every
 * class whose copy differs from `firstName lastName` is rewritten. Idempotent and safe to run
 * any time (nightly with the other jobs, or after a profile change); each class changes
 * atomically, and classes already in step are not written.
 *
 * @example
 * ```ts
 * const { classesRenamed } = await nexfit.workflows.syncInstructorNames();
 * ```
 */
export async function syncInstructorNames(deps: SyncInstructorNamesDeps, options: SyncInstructorNamesOptions = {}): Promise<SyncInstructorNamesReport> {
  const { batchSize = 500 } = parseOrThrow(optionsSchema, options, { entity: 'instructor name sync', locale: deps.locale });
  const ids = await deps.classes.listInstructorIds();
  let classesRenamed = 0;
  let missingUsers = 0;
  for (let i = 0; i < ids.length; i += batchSize) {
    const batch = ids.slice(i, i + batchSize);
    const users = await deps.users.findManyByIds(batch);
    missingUsers += batch.length - users.length;
    for (const user of users) classesRenamed += await deps.classes.renameInstructor(user.id as UserId, instructorNameOf(user));
  }
  return { instructors: ids.length, classesRenamed, missingUsers };
}
