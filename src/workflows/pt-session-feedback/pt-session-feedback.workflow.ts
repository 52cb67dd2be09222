import { z } from 'zod';
import { idSchema, type UserId } from '../../core/ids.js';
import { parseOrThrow } from '../../core/validation.js';
import type { CoachingService, PtFeedbackInput } from '../../modules/coaching/index.js';
import type { PtSession } from '../../modules/coaching/index.js';
import type { ServiceDeps } from '../../modules/service-deps.js';
import type { StoreContext } from '../../stores/store-context.js';
import { inUnitOfWork } from '../../uow/unit-runner.js';
import type { UnitOfWork } from '../../uow/unit-of-work.js';

/** What the workflow needs of the users module. `UserRepository` fits. */
export interface CoachReviewSink {
  recordCoachReview(coachId: UserId, rating: number, ctx?: StoreContext): Promise<unknown>;
}

export interface PtSessionFeedbackDeps {
  readonly coaching: CoachingService;
  readonly users: CoachReviewSink;
  readonly deps: ServiceDeps;
}

const inputSchema = z.strictObject({ sessionId: idSchema('PtSessionId'), clientId: idSchema('UserId') });
/**
 * Input of `nexfit.workflows.submitPtSessionFeedback`: the session, its client, and the rating and notes.
 *
 * @useDeclaredType
 */
export type PtSessionFeedbackInput = z.input<typeof inputSchema> & PtFeedbackInput;

/**
 * Attempts for the feedback unit: reviews of one coach write the same user document, so
 * racing units abort each other with write conflicts and re-run; each round commits one.
 */
const FEEDBACK_ATTEMPTS = 25;

/**
 * The client rates a completed session (coaching) and the rating is added to the coach's
 * `ratings` average and `reviewCount` (users), in one unit of work: both or neither. The
 * coach's figures change by a server-side pipeline update of the stored values, never by a
 * value computed from an earlier read, so concurrent feedback is all counted.
 *
 * @example
 * ```ts
 * await submitPtSessionFeedback({ coaching, users: userRepository, deps }, { sessionId, clientId, rating: 5, notes: 'Harika' })
 * ```
 */
export async function submitPtSessionFeedback(d: PtSessionFeedbackDeps, input: PtSessionFeedbackInput, uow?: UnitOfWork): Promise<PtSession> {
  // An object before anything is destructured; the feedback itself is validated by the coaching service.
  const locale = d.deps.locale ? { locale: d.deps.locale } : {};
  const { rating, notes, ...ids } = parseOrThrow(z.looseObject({}), input, { entity: 'pt session feedback', ...locale }) as PtSessionFeedbackInput;
  const { sessionId, clientId } = parseOrThrow(inputSchema, ids, { entity: 'pt session', ...locale });
  return inUnitOfWork(
    d.deps.units,
    uow,
    async (u) => {
      const session = await d.coaching.recordClientFeedback(sessionId, clientId, { rating, ...(notes === undefined ? {} : { notes }) }, u);
      await d.users.recordCoachReview(session.coachId, rating, u.ctx);
      return session;
    },
    { maxAttempts: FEEDBACK_ATTEMPTS },
  );
}
