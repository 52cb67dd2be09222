import { z } from 'zod';
import { instantSchema } from '../../core/schema-primitives.js';
import { parseOrThrow } from '../../core/validation.js';
import { freezeAt, type MemberSubscription } from '../../modules/memberships/index.js';
import { chargeRenewal, renewalKey, type RenewalOutcome } from '../renew-memberships/renew-memberships.workflow.js';
import { recordRetryDecline, type DeclineOutcome, type DunningDeps } from './dunning-steps.js';

/**
 * What happened to one overdue subscription in a dunning run: `renewed` (the retry was paid:
 * the period renewed from the old end, dunning cleared), `declined` (the next retry is
 * scheduled), `written_off` (the last retry was declined), `already_renewed` (a racing run
 * renewed it), `plan_inactive` (auto-renewal stopped; the expiry run ends it), `frozen` (not
 * charged while frozen; retried by a later run) or `failed` (see `error`; retried by a later run).
 */
export type DunningRetryOutcome = RenewalOutcome | DeclineOutcome;

/** What a dunning run did: one result per subscription whose retry was due. */
export interface DunningRetryReport {
  readonly results: readonly { readonly memberSubscriptionId: string; readonly outcome: DunningRetryOutcome; readonly error?: unknown }[];
}

/**
 * The nightly dunning run (Glofox's failed-payment retries): every active, auto-renewing
 * subscription in dunning whose next retry is due by `asOf` is charged the plan's price again.
 * A paid retry renews the period from the old period end (no gap, one invoice), clears the
 * dunning and sets the billing row back to `active`; a decline records the attempt and
 * schedules the next retry (`DunningPolicy`); the last retry declined writes the membership
 * off (`expired`, billing row `cancelled`, `membership.written_off`), after which nothing is
 * charged. Each retry is charged under a key of its own (`renewal:<subscription>:<period
 * end>:retry-<n>`), opened as a payment intent first, so two runs racing charge retry n once,
 * record its decline once, and a retry whose process dies is finished or refunded by
 * `recoverInDoubt()`. A later retry is only charged after the decline of the one before it is
 * recorded, so a period is paid at most once.
 *
 * @example
 * ```ts
 * const report = await retryOverdueRenewals(deps, { asOf: new Date() });
 * report.results.filter((r) => r.outcome === 'written_off');
 * ```
 */
export async function retryOverdueRenewals(deps: DunningDeps, input: { readonly asOf: Date }): Promise<DunningRetryReport> {
  const { asOf } = parseOrThrow(z.strictObject({ asOf: instantSchema }), input, { entity: 'dunning run', locale: deps.locale });
  const due: MemberSubscription[] = [];
  let after: string | undefined;
  do {
    const page = await deps.memberships.listRetriesDue(asOf, { limit: 200, ...(after ? { after } : {}) });
    due.push(...page.items);
    after = page.nextCursor ?? undefined;
  } while (after);
  const results: DunningRetryReport['results'][number][] = [];
  for (const subscription of due) {
    if (freezeAt(subscription, asOf)) {
      results.push({ memberSubscriptionId: subscription.id, outcome: 'frozen' });
      continue;
    }
    try {
      results.push({ memberSubscriptionId: subscription.id, outcome: await retryOne(deps, subscription, asOf) });
    } catch (error) {
      results.push({ memberSubscriptionId: subscription.id, outcome: 'failed', error });
    }
  }
  return { results };
}

async function retryOne(deps: DunningDeps, subscription: MemberSubscription, asOf: Date): Promise<DunningRetryOutcome> {
  const dunning = subscription.dunning!;
  const retry = dunning.attempts.length;
  return chargeRenewal(deps, subscription, {
    idempotencyKey: renewalKey(subscription.id, dunning.periodEnd, retry),
    request: { retry },
    declined: () => recordRetryDecline(deps, subscription, retry, asOf),
  });
}
