/**
 * A worker process of the simulated chain: walk-in customers register and buy memberships at
 * the desk, one after the other, until the simulation kills the process with SIGKILL. It shares
 * the stores and the provider's ledger folder with the simulation; whatever it leaves half done
 * (a charge without its purchase, a prepared transaction, an open intent) is for the next
 * night's recovery to finish or refund.
 *
 * It is started ahead of its moment: it connects, prints `ready`, and waits for a line
 * `go <ISO instant>` on stdin, the simulated time at which the desk opens. A closed stdin (the
 * simulation is gone) ends it.
 */
import { createNexfit, fixedClock } from '../src/index.js';
import { createTestKeyring } from '../src/core/keyring.js';
import { SimulatedPaymentProvider, type ProviderBehaviour } from './payment-provider.js';
import { SIMULATED_PASSWORD_HASHING } from './workload.js';

/** What the simulation passes to a worker, as JSON in `NEXFIT_SIM_WORKER`. */
export interface KillWorkerConfig {
  readonly mongoUri: string;
  readonly dbName: string;
  readonly pgUrl: string;
  readonly ledger: string;
  readonly seed: number;
  readonly behaviour: ProviderBehaviour;
  /** The simulated instant the worker's clock stands at until `go` moves it. */
  readonly now: string;
  /** A name unique in the run, part of every e-mail and idempotency key the worker makes. */
  readonly name: string;
  readonly plans: readonly string[];
}

const config = JSON.parse(process.env['NEXFIT_SIM_WORKER'] ?? '{}') as KillWorkerConfig;
const clock = fixedClock(new Date(config.now));
// A start-up the stores refused (a connection dropped while it connected) ends the process; its supervisor starts another.
const nexfit = await createNexfit({
  mongo: { uri: config.mongoUri, dbName: config.dbName },
  postgres: { connectionString: config.pgUrl, max: 4 },
  keyring: createTestKeyring(),
  clock,
  payments: new SimulatedPaymentProvider(config.seed, config.behaviour, { directory: config.ledger }),
  migrate: false,
  passwordHashing: SIMULATED_PASSWORD_HASHING,
}).catch((error: unknown) => {
  process.stderr.write(`walk-in worker ${config.name} could not start: ${String(error)}\n`);
  process.exit(1);
});
process.stdout.write('ready\n');
const go = await new Promise<string | undefined>((resolve) => {
  let input = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    input += chunk;
    if (input.includes('\n')) resolve(input.slice(0, input.indexOf('\n')));
  });
  process.stdin.once('end', () => resolve(undefined));
});
if (!go?.startsWith('go ')) process.exit(0);
clock.set(go.slice(3));

for (let n = 0; ; n++) {
  try {
    const user = await nexfit.users.register({
      email: `${config.name}-${n}@walk-in.sim.example`,
      password: 'simulation password',
      firstName: 'Misafir',
      lastName: `${config.name} ${n}`,
      role: ['client'],
      roleSpecificData: { client: { height: 170, weight: 70 } },
    });
    process.stdout.write(`buying ${n}\n`);
    await nexfit.workflows.purchaseMembership({ userId: user.id, membershipId: config.plans[n % config.plans.length]!, paymentMethod: 'card', autoRenew: n % 2 === 0, idempotencyKey: `${config.name}-${n}` });
  } catch (error) {
    // Declines and provider faults are the workload's; the kill is what this process is for.
    if (process.env['NEXFIT_SIM_WORKER_DEBUG']) process.stderr.write(`${String(error)}\n`);
  }
}
