import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNexfit, type Nexfit } from '../../src/create-nexfit.js';
import { ValidationError } from '../../src/core/errors.js';
import { createTestKeyring } from '../../src/core/keyring.js';
import { TestPaymentProvider } from '../../src/modules/billing/payment-provider.js';
import { useTestNexfit } from '../support/nexfit.js';

const t = useTestNexfit({ nexfit: { locale: 'tr', payments: new TestPaymentProvider() } });
let english: Nexfit;

beforeAll(async () => {
  english = await createNexfit({
    mongo: { uri: t.mongo.uri, dbName: t.mongo.dbName },
    postgres: { connectionString: t.pg.url },
    keyring: createTestKeyring(),
    payments: new TestPaymentProvider(),
  });
});
afterAll(async () => {
  await english?.close();
});

/** Every workflow on the instance, called with input its validation refuses. */
const invalidCalls: Record<string, (nexfit: Nexfit) => Promise<unknown>> = {
  purchaseMembership: (n) => n.workflows.purchaseMembership({} as never),
  renewDueSubscriptions: (n) => n.workflows.renewDueSubscriptions({ asOf: 'not a date' as never }),
  retryOverdueRenewals: (n) => n.workflows.retryOverdueRenewals({ asOf: 'not a date' as never }),
  payOverdueMembership: (n) => n.workflows.payOverdueMembership({} as never),
  cancelMembership: (n) => n.workflows.cancelMembership({} as never),
  expireEnded: (n) => n.workflows.expireEnded('not a date' as never),
  recoverPaymentIntents: (n) => n.workflows.recoverPaymentIntents({ olderThanMs: -1 }),
  syncInstructorNames: (n) => n.workflows.syncInstructorNames({ batchSize: -1 }),
  refundMembership: (n) => n.workflows.refundMembership({} as never),
  bookClass: (n) => n.workflows.bookClass({} as never),
  bookGuest: (n) => n.workflows.bookGuest({} as never),
  recordFacilityVisit: (n) => n.workflows.recordFacilityVisit({} as never),
  completePtSession: (n) => n.workflows.completePtSession({} as never),
  submitPtSessionFeedback: (n) => n.workflows.submitPtSessionFeedback({} as never),
  bulkCreate: (n) => n.workflows.bulkCreate({} as never),
  freezeMembership: (n) => n.workflows.freezeMembership({} as never),
  unfreezeMembership: (n) => n.workflows.unfreezeMembership({} as never),
  applyFreezes: (n) => n.workflows.applyFreezes({ asOf: 'not a date' as never }),
  collectUnpaidFees: (n) => n.workflows.collectUnpaidFees({ asOf: 'not a date' as never }),
  waiveFee: (n) => n.workflows.waiveFee({} as never),
  exportUserData: (n) => n.privacy.exportUserData('not an id'),
  eraseUser: (n) => n.privacy.eraseUser('not an id', {} as never),
  changeMembershipPlan: (n) => n.workflows.changeMembershipPlan({} as never),
};

async function validationFailure(call: Promise<unknown>): Promise<ValidationError> {
  const error = await call.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

describe('createNexfit({ locale })', () => {
  it('covers every workflow on the instance', () => {
    expect(Object.keys(invalidCalls).sort()).toEqual([...Object.keys(t.nexfit.workflows), ...Object.keys(t.nexfit.privacy)].sort());
  });

  it.each(Object.keys(invalidCalls))('reports a validation failure of %s in Turkish', async (name) => {
    const turkish = await validationFailure(invalidCalls[name]!(t.nexfit));
    const inEnglish = await validationFailure(invalidCalls[name]!(english));
    expect(turkish.message).toMatch(/^Geçersiz /);
    expect(inEnglish.message).toMatch(/^Invalid /);
    expect(turkish.issues.map((i) => i.path)).toEqual(inEnglish.issues.map((i) => i.path));
    turkish.issues.forEach((issue, i) => expect(issue.message).not.toBe(inEnglish.issues[i]!.message));
  });
});
