import { beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_POLICY } from '../../src/access/access-policy.js';
import { AccessDeniedError } from '../../src/access/actor.js';
import { TestPaymentProvider } from '../../src/modules/billing/payment-provider.js';
import { addedExpiringIds, storeSnapshot, type StoreSnapshot } from '../security/hostile-input-corpus.js';
import { useTestNexfit } from '../support/nexfit.js';
import { accessWorld, type AccessWorld, type MatrixActor } from './access-world.js';
import { KINDS_BY_SUBJECT, OPERATION_CASES, targetFor, type AnyScope, type Kind } from './operation-cases.js';
import { documentedAllows, readPolicyTable } from './policy-table.js';

/**
 * The permission matrix: every operation of the scoped SDK, run as every role and as facility
 * staff with and without each permission, against targets of every kind (their own, an active
 * client's, a pending client's, their facility's, someone else's public entry, someone
 * else's), must be allowed exactly where docs/security/access-control.md says so; a refused
 * call must leave both stores unchanged.
 */

const payments = new TestPaymentProvider();
const t = useTestNexfit({ clock: '2026-03-02T09:00:00Z', nexfit: { payments } });
const table = readPolicyTable();

/** The services and workflows a scope exposes, as the instance has them. */
const SCOPED_SERVICES = ['users', 'measurements', 'catalog', 'workouts', 'workoutLogs', 'nutrition', 'foodDiary', 'facilities', 'memberships', 'billing', 'classes', 'bookings', 'coaching', 'analytics', 'workflows', 'privacy', 'webhooks', 'waivers', 'accountLinks', 'promoCodes'];

/** Every callable member of an object or class instance, found on its prototype chain. */
function methodsOf(service: object): string[] {
  const names = new Set<string>();
  for (let p: object | null = service; p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const name of Object.getOwnPropertyNames(p)) {
      if (name !== 'constructor' && typeof Object.getOwnPropertyDescriptor(p, name)?.value === 'function') names.add(name);
    }
  }
  return [...names];
}

let w: AccessWorld;
const scopes = new Map<string, AnyScope>();

beforeAll(async () => {
  w = await accessWorld(t.nexfit);
  for (const actor of w.actors) scopes.set(actor.label, (await t.nexfit.as(actor.id as never)) as unknown as AnyScope);
}, 120_000);

describe('the access policy', () => {
  it('has an entry for every public method of every service and workflow, and none for a method that does not exist', () => {
    const instance = t.nexfit as unknown as Record<string, object>;
    const services = Object.keys(instance).filter((k) => k !== 'repositories' && SCOPED_SERVICES.includes(k));
    const unknownServices = Object.keys(instance).filter((k) => !SCOPED_SERVICES.includes(k) && typeof instance[k] === 'object' && instance[k] !== null && methodsOf(instance[k]!).length > 0);
    expect(unknownServices.filter((k) => !['repositories', 'mongo', 'pg', 'clock', 'ids', 'events', 'stores'].includes(k))).toEqual([]);
    const operations = services.flatMap((name) => methodsOf(instance[name]!).map((m) => `${name}.${m}`)).sort();
    expect(Object.keys(ACCESS_POLICY).sort()).toEqual(operations);
  });

  it('is documented row by row in docs/security/access-control.md', () => {
    expect([...table.keys()].sort()).toEqual(Object.keys(ACCESS_POLICY).sort());
  });

  it('has a matrix case for every operation', () => {
    expect(Object.keys(OPERATION_CASES).sort()).toEqual(Object.keys(ACCESS_POLICY).sort());
  });
});

interface Outcome {
  readonly actor: string;
  readonly kind: Kind;
  readonly documented: 'allowed' | 'denied';
  readonly observed: 'allowed' | 'denied';
  readonly detail?: string;
}

async function observe(call: (s: AnyScope) => unknown, scope: AnyScope): Promise<{ observed: 'allowed' | 'denied'; detail?: string }> {
  try {
    await call(scope);
    return { observed: 'allowed' };
  } catch (error) {
    if (error instanceof AccessDeniedError) {
      expect(error.code).toBe('FORBIDDEN');
      return { observed: 'denied' };
    }
    // Refused by a business rule after the access check passed: the operation was allowed.
    return { observed: 'allowed', detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

/** Two equal snapshots in a row: writes an earlier call left to run after its commit have landed. */
async function settledSnapshot(): Promise<StoreSnapshot> {
  let previous = await storeSnapshot(t.nexfit.mongo.db, t.nexfit.pg);
  for (;;) {
    const current = await storeSnapshot(t.nexfit.mongo.db, t.nexfit.pg);
    if (JSON.stringify(current.fingerprints) === JSON.stringify(previous.fingerprints)) return current;
    previous = current;
  }
}

describe('the permission matrix', () => {
  for (const operation of Object.keys(OPERATION_CASES).sort()) {
    it(`${operation}: allowed exactly as documented, and a refusal writes nothing`, async () => {
      const kase = OPERATION_CASES[operation]!;
      const row = table.get(operation);
      expect(row, `${operation} is missing from the policy table`).toBeDefined();
      const planned: { actor: MatrixActor; kind: Kind; allowed: boolean; call: (s: AnyScope) => unknown }[] = [];
      for (const actor of w.actors) {
        for (const kind of KINDS_BY_SUBJECT[kase.subject]) {
          const target = await targetFor(w, actor, kind, kase.fresh ?? false);
          if (!target) continue;
          planned.push({ actor, kind, allowed: documentedAllows(row!, actor, kind), call: await kase.call(target) });
        }
      }
      const outcomes: Outcome[] = [];
      const before = await settledSnapshot();
      for (const p of planned.filter((x) => !x.allowed)) {
        outcomes.push({ actor: p.actor.label, kind: p.kind, documented: 'denied', ...(await observe(p.call, scopes.get(p.actor.label)!)) });
      }
      const after = await storeSnapshot(t.nexfit.mongo.db, t.nexfit.pg);
      for (const p of planned.filter((x) => x.allowed)) {
        outcomes.push({ actor: p.actor.label, kind: p.kind, documented: 'allowed', ...(await observe(p.call, scopes.get(p.actor.label)!)) });
      }
      await kase.after?.(w);

      expect(outcomes.filter((o) => o.documented !== o.observed)).toEqual([]);
      const changed = Object.keys({ ...before.fingerprints, ...after.fingerprints }).filter((k) => before.fingerprints[k] !== after.fingerprints[k]);
      expect(changed, 'refused calls changed the stores').toEqual([]);
      expect(addedExpiringIds(before, after), 'refused calls opened units of work').toEqual({});
      // Every documented outcome of the row was exercised at least once where the world has such a target.
      expect(planned.length).toBeGreaterThan(0);
    }, 120_000);
  }
});
