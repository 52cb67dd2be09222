import { sql } from 'kysely';
import type { FacilityId, UserId } from '../../src/core/ids.js';
import { createBillingModule, TestPaymentProvider } from '../../src/modules/billing/index.js';
import { createFacilitiesModule, type Facility } from '../../src/modules/facilities/index.js';
import { createMembershipsModule, type CreateMembershipInput, type Membership } from '../../src/modules/memberships/index.js';
import { createUsersModule } from '../../src/modules/users/index.js';
import type { MembershipWorkflowDeps } from '../../src/workflows/purchase-membership/membership-workflow-deps.js';
import type { TestNexfit } from '../support/nexfit.js';

/** Services, a test provider and small factories for the membership workflow tests. */
export function membershipWorld(t: TestNexfit) {
  const facilitiesModule = createFacilitiesModule(t.nexfit.mongo.db, t.nexfit.pg, t.deps);
  const membershipsModule = createMembershipsModule(t.nexfit.mongo.db, t.nexfit.pg, t.deps, facilitiesModule.facilities);
  const billingModule = createBillingModule(t.nexfit.pg, t.deps);
  const payments = new TestPaymentProvider();
  const deps: MembershipWorkflowDeps = {
    memberships: membershipsModule.service,
    promoCodes: membershipsModule.promoCodeService,
    billing: billingModule.service,
    facilities: facilitiesModule.service,
    users: createUsersModule(t.nexfit.mongo.db, t.nexfit.pg, t.deps).repository,
    payments,
    intents: billingModule.paymentIntents,
    units: t.deps.units,
    clock: t.deps.clock,
    ids: t.deps.ids,
  };
  let n = 0;
  const newUser = () => t.nexfit.ids.newObjectId() as UserId;
  const newKey = () => `key-${t.nexfit.ids.newUuid()}`;

  async function facility(overrides: Partial<Facility> = {}): Promise<Facility> {
    n += 1;
    return facilitiesModule.service.create({
      name: `Gym ${n}`,
      type: 'gym',
      ownerId: newUser(),
      address: { street: 'Moda Cd. 1', city: 'İstanbul', country: 'TR', coordinates: { latitude: 40.98, longitude: 29.03 } },
      ...overrides,
    });
  }

  async function plan(overrides: Partial<CreateMembershipInput> = {}): Promise<Membership> {
    const facilityId = overrides.facilityId ?? (await facility()).id;
    return membershipsModule.service.createPlan({ facilityId, name: 'Aylık', duration: { value: 1, unit: 'month' }, price: 1_500_00, ...overrides });
  }

  /** Counts rows of a user in the PostgreSQL tables a purchase writes. */
  async function pgRowsOf(userId: string) {
    const count = async (table: 'transactions' | 'invoices' | 'subscriptions') =>
      Number((await t.nexfit.pg.selectFrom(table).select(sql<string>`count(*)`.as('n')).where('user_id', '=', userId).executeTakeFirstOrThrow()).n);
    return { transactions: await count('transactions'), invoices: await count('invoices'), subscriptions: await count('subscriptions') };
  }

  return { deps, payments, newUser, newKey, facility, plan, pgRowsOf, memberships: membershipsModule, billing: billingModule, facilities: facilitiesModule };
}

export type FacilityIdOf = FacilityId;
