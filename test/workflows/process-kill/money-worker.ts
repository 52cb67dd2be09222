/**
 * A worker process of the process-kill test: it takes money in a loop (purchases, retries of
 * earlier purchase keys, cancellations, member refunds, renewal runs) until the test kills it with SIGKILL.
 * Everything it needs comes from the environment; everything it leaves behind is in the
 * stores and in the provider's on-disk ledger.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { createNexfit } from '../../../src/create-nexfit.js';
import { createTestKeyring } from '../../../src/core/keyring.js';
import { FileLedgerPaymentProvider } from '../../../src/modules/billing/file-ledger-payment-provider.js';
import type { UnitOfWorkMode } from '../../../src/uow/unit-of-work.js';

interface WorkerConfig {
  readonly mongoUri: string;
  readonly mongoDb: string;
  readonly pgUrl: string;
  readonly ledger: string;
  readonly attempts: string;
  readonly mode: UnitOfWorkMode;
  readonly users: readonly string[];
  readonly plans: readonly string[];
  readonly seed: number;
}

const config = JSON.parse(process.env['MONEY_WORKER'] ?? '{}') as WorkerConfig;
let state = config.seed >>> 0 || 1;
const random = () => {
  // xorshift32: each worker's choices follow its seed.
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 0x100000000;
};
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const nexfit = await createNexfit({
  mongo: { uri: config.mongoUri, dbName: config.mongoDb },
  postgres: { connectionString: config.pgUrl, max: 4 },
  keyring: createTestKeyring(),
  payments: new FileLedgerPaymentProvider(config.ledger, { declineRate: 0.1 }),
  unitOfWork: { mode: config.mode },
  migrate: false,
});
process.stdout.write('ready\n');

type Attempt = { key: string; userId: string; membershipId: string; autoRenew: boolean };
const earlierAttempts = (): Attempt[] => {
  try {
    return readFileSync(config.attempts, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Attempt);
  } catch {
    return [];
  }
};

for (let n = 0; ; n++) {
  const roll = random();
  try {
    if (roll < 0.55) {
      const attempt: Attempt = { key: `kill-${config.seed}-${n}-${Math.floor(random() * 1e9)}`, userId: pick(config.users), membershipId: pick(config.plans), autoRenew: random() < 0.5 };
      // Written before the call, so a later worker can retry a purchase this one died in.
      appendFileSync(config.attempts, `${JSON.stringify(attempt)}\n`);
      await nexfit.workflows.purchaseMembership({ userId: attempt.userId, membershipId: attempt.membershipId, paymentMethod: 'card', autoRenew: attempt.autoRenew, idempotencyKey: attempt.key });
    } else if (roll < 0.75) {
      const earlier = earlierAttempts();
      if (earlier.length) {
        const attempt = pick(earlier);
        await nexfit.workflows.purchaseMembership({ userId: attempt.userId, membershipId: attempt.membershipId, paymentMethod: 'card', autoRenew: attempt.autoRenew, idempotencyKey: attempt.key });
      }
    } else if (roll < 0.8) {
      // A member cancels: a renewal charged for the subscription and not yet stored must then be refunded.
      const active = await nexfit.mongo.db.collection('member_subscriptions').find({ status: 'active' }).limit(20).toArray();
      if (active.length) await nexfit.workflows.cancelMembership({ memberSubscriptionId: String(pick(active)['_id']), when: 'immediately' });
    } else if (roll < 0.9) {
      const active = await nexfit.mongo.db.collection('member_subscriptions').find({ status: 'active', 'paymentHistory.status': 'completed' }).limit(20).toArray();
      const subscription = active.length ? pick(active) : undefined;
      if (subscription) {
        await nexfit.workflows.refundMembership({ memberSubscriptionId: String(subscription['_id']), idempotencyKey: `refund-${config.seed}-${n}-${Math.floor(random() * 1e9)}` });
      }
    } else {
      // Renews what ends within the next two days (the short plans end the day they start).
      await nexfit.workflows.renewDueSubscriptions({ asOf: new Date(Date.now() + 2 * 86_400_000) });
    }
  } catch {
    // Declines, conflicts and refusals are answers; the test checks the money afterwards.
  }
}
