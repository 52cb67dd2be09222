import { z } from 'zod';
import { idSchema, type CoachClientId } from '../../core/ids.js';
import { parseOrThrow } from '../../core/validation.js';
import type { CoachingService } from '../../modules/coaching/index.js';
import type { PtSession } from '../../modules/coaching/index.js';
import type { ServiceDeps } from '../../modules/service-deps.js';
import { inUnitOfWork } from '../../uow/unit-runner.js';
import type { UnitOfWork } from '../../uow/unit-of-work.js';
import { createStep, runWorkflow, stepResponse } from '../workflow.js';

export interface CompletePtSessionDeps {
  readonly coaching: CoachingService;
  readonly deps: ServiceDeps;
}

const inputSchema = z.strictObject({ sessionId: idSchema('PtSessionId'), coachId: idSchema('UserId') });
/**
 * Input of `nexfit.workflows.completePtSession`: the session and its coach.
 *
 * @useDeclaredType
 */
export type CompletePtSessionInput = z.input<typeof inputSchema>;

/**
 * The coach marks a scheduled session completed; when it belongs to a relationship
 * (`coachClientId`), it consumes one session of that relationship's package (SPEC §3
 * coaching: `used + remaining = total`, never negative). Emits `pt_session.completed`.
 *
 * The package is debited by one conditional update (`remaining > 0`), so of 30 racing
 * completions on a 10-session package exactly 10 succeed and 20 get
 * `ConflictError('package_exhausted')`. Without a caller's unit the debit commits on its own
 * (a hot counter inside transactions would make racing units abort each other) and is
 * returned as the step's compensation if marking the session completed fails; with a
 * caller's `uow` both are part of that unit.
 *
 * @example
 * ```ts
 * const done = await completePtSession({ coaching, deps }, { sessionId, coachId })
 * ```
 */
export async function completePtSession(d: CompletePtSessionDeps, input: CompletePtSessionInput, uow?: UnitOfWork): Promise<PtSession> {
  const { sessionId, coachId } = parseOrThrow(inputSchema, input, { entity: 'pt session', ...(d.deps.locale ? { locale: d.deps.locale } : {}) });
  const session = await d.coaching.getSession(sessionId, uow);
  const packageId = session.coachClientId;
  if (uow) {
    if (packageId) await d.coaching.consumePackageSession(packageId, uow);
    return d.coaching.markSessionCompleted(sessionId, coachId, uow);
  }
  return runWorkflow('complete-pt-session', async (run) => {
    if (packageId) await run(consumeSessionStep(d.coaching), packageId);
    return inUnitOfWork(d.deps.units, undefined, (u) => d.coaching.markSessionCompleted(sessionId, coachId, u));
  });
}

function consumeSessionStep(coaching: CoachingService) {
  return createStep(
    'consume-package-session',
    async (relationId: CoachClientId) => {
      await coaching.consumePackageSession(relationId);
      return stepResponse(relationId);
    },
    async (relationId) => {
      await coaching.returnPackageSession(relationId);
    },
  );
}
