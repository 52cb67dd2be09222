import { sql } from 'kysely';
import { ObjectId } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { AccessDeniedError } from '../../src/access/actor.js';
import type { fixedClock } from '../../src/core/clock.js';
import { ConflictError, ForbiddenError, ValidationError } from '../../src/core/errors.js';
import type { ClassId, FacilityId, UserId } from '../../src/core/ids.js';
import { TestPaymentProvider } from '../../src/modules/billing/index.js';
import { isMinorAt } from '../../src/modules/users/index.js';
import { runActingFor } from '../../src/uow/acting-for.js';
import { createInputs } from '../modules/support/factories.js';
import { useTestNexfit } from '../support/nexfit.js';

const payments = new TestPaymentProvider();
const t = useTestNexfit({ clock: '2026-03-02T09:00:00Z', nexfit: { payments } });
const clock = () => t.clock as ReturnType<typeof fixedClock>;
/** The Wednesday 09:00 Istanbul (06:00 UTC) occurrence of the world's class. */
const WEDNESDAY = new Date('2026-03-04T06:00:00Z');
const PASSWORD_HASH = 'scrypt$N=16384,r=8,p=1$c2FsdA$aGFzaA';

describe('isMinorAt (hand-computed)', () => {
  it.each([
    ['2010-06-15T00:00:00Z', '2028-06-14T23:59:59Z', true],
    ['2010-06-15T00:00:00Z', '2028-06-15T00:00:00Z', false],
    ['2008-03-02T00:00:00Z', '2026-03-02T09:00:00Z', false],
    ['2008-03-03T00:00:00Z', '2026-03-02T09:00:00Z', true],
    // a 29 February birthday comes of age on 1 March of a common year
    ['2008-02-29T00:00:00Z', '2026-02-28T23:59:59Z', true],
    ['2008-02-29T00:00:00Z', '2026-03-01T00:00:00Z', false],
  ] as const)('born %s, at %s: minor %s', (born, at, minor) => {
    expect(isMinorAt(new Date(born), new Date(at))).toBe(minor);
  });
});

describe('family and payer accounts', () => {
  let n = 0;
  let owner: UserId;
  let facilityId: FacilityId;
  let planId: string;
  let classId: ClassId;

  /** A user with a client profile born on `dateOfBirth` (none: no date of birth on record). */
  async function person(dateOfBirth?: string): Promise<UserId> {
    n += 1;
    const input = createInputs.users({ email: `family-${n}@example.com`, role: ['client'], roleSpecificData: { client: dateOfBirth ? { dateOfBirth } : {} } });
    return (await t.nexfit.repositories.users.create({ ...input, passwordHash: PASSWORD_HASH })).id as UserId;
  }
  const child = () => person('2014-09-01');
  const adult = () => person('1985-01-20');

  const links = () => t.nexfit.mongo.db.collection('account_links');
  const rawLinks = (filter: Record<string, unknown> = {}) => links().countDocuments(filter);
  const pair = (account: string, dependant: string) => ({ accountUserId: new ObjectId(account), dependantUserId: new ObjectId(dependant) });
  const pgCount = async (table: 'transactions' | 'invoices' | 'subscriptions', userId: string) =>
    Number((await t.nexfit.pg.selectFrom(table).select(sql<string>`count(*)`.as('n')).where('user_id', '=', userId).executeTakeFirstOrThrow()).n);
  const bookingsOf = (userId: string) => t.nexfit.mongo.db.collection('class_bookings').countDocuments({ userId: new ObjectId(userId) });
  const guardianLink = (accountUserId: UserId, dependantUserId: UserId) => t.nexfit.accountLinks.link({ accountUserId, dependantUserId, relation: 'guardian' });
  const buyFor = async (dependant: UserId, payer: UserId) =>
    (await t.nexfit.as(payer)).workflows.purchaseMembership({ userId: dependant, payerUserId: payer, membershipId: planId, paymentMethod: 'card', autoRenew: true, idempotencyKey: `key-${t.nexfit.ids.newUuid()}` });

  beforeAll(async () => {
    owner = await person('1980-01-01');
    await t.nexfit.users.addRole(owner, 'gym_owner', { businessName: 'Moda Spor' });
    facilityId = (await t.nexfit.facilities.create(createInputs.facilities({ ownerId: owner, timezone: 'Europe/Istanbul' }))).id as FacilityId;
    planId = (await t.nexfit.memberships.createPlan({ facilityId, name: 'Aylık', duration: { value: 1, unit: 'month' }, price: 1_500_00, limitations: { classesIncluded: true } })).id;
    classId = (await t.nexfit.classes.createClass(createInputs.classes({ facilityId, location: { room: 'A', capacity: 30 } }))).id as ClassId;
  });

  describe('linking', () => {
    it('lets the facility staff link a guardian to a minor, audited', async () => {
      const [parent, kid] = [await adult(), await child()];
      const asOwner = await t.nexfit.as(owner);
      const link = await asOwner.accountLinks.link({ accountUserId: parent, dependantUserId: kid, relation: 'guardian', facilityId });
      expect(link).toMatchObject({ accountUserId: parent, dependantUserId: kid, relation: 'guardian', status: 'active', facilityId, createdBy: owner });
      const audit = await t.nexfit.pg.selectFrom('audit_logs').select(['action', 'user_id']).where('entity_id', '=', link.id).execute();
      expect(audit).toEqual([{ action: 'account_link.created', user_id: owner }]);
      expect((await t.nexfit.accountLinks.listDependants(parent)).items.map((l) => l.dependantUserId)).toEqual([kid]);
      expect((await t.nexfit.accountLinks.listGuardiansAndPayers(kid)).items.map((l) => l.accountUserId)).toEqual([parent]);
    });

    it('refuses a guardian link for an adult or a user without a date of birth, writing nothing', async () => {
      const parent = await adult();
      const before = await rawLinks();
      for (const dependant of [await adult(), await person('2008-03-02'), await person()]) {
        await expect(guardianLink(parent, dependant)).rejects.toMatchObject({ reason: 'guardian_requires_minor' });
      }
      expect(await rawLinks()).toBe(before);
      // a payer link is for any dependant: the staff who create it take an adult's consent
      await expect(t.nexfit.accountLinks.link({ accountUserId: parent, dependantUserId: await adult(), relation: 'payer' })).resolves.toMatchObject({ relation: 'payer' });
    });

    it('refuses bad input, a link to oneself and a second active link of a pair, writing nothing', async () => {
      const [parent, kid] = [await adult(), await child()];
      await guardianLink(parent, kid);
      const before = await rawLinks();
      await expect(t.nexfit.accountLinks.link({ accountUserId: parent, dependantUserId: kid, relation: 'parent' as never })).rejects.toBeInstanceOf(ValidationError);
      await expect(t.nexfit.accountLinks.link({ accountUserId: 'nope', dependantUserId: kid, relation: 'payer' })).rejects.toBeInstanceOf(ValidationError);
      await expect(t.nexfit.accountLinks.link({ accountUserId: parent, dependantUserId: parent, relation: 'payer' })).rejects.toMatchObject({ reason: 'link_to_self' });
      await expect(t.nexfit.accountLinks.link({ accountUserId: parent, dependantUserId: kid, relation: 'payer' })).rejects.toMatchObject({ reason: 'account_link_exists' });
      await expect(t.nexfit.accountLinks.link({ accountUserId: parent, dependantUserId: t.nexfit.ids.newObjectId(), relation: 'payer' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await rawLinks()).toBe(before);
    });

    it('refuses staff of another facility and members linking themselves', async () => {
      const [parent, kid] = [await adult(), await child()];
      const asParent = await t.nexfit.as(parent);
      await expect(asParent.accountLinks.link({ accountUserId: parent, dependantUserId: kid, relation: 'guardian', facilityId })).rejects.toBeInstanceOf(AccessDeniedError);
      await expect(asParent.accountLinks.link({ accountUserId: parent, dependantUserId: kid, relation: 'guardian' })).rejects.toBeInstanceOf(AccessDeniedError);
      expect(await rawLinks(pair(parent, kid))).toBe(0);
    });

    it('holds at most 10 active dependants per account', async () => {
      const parent = await adult();
      for (let i = 0; i < 10; i++) await guardianLink(parent, await child());
      await expect(guardianLink(parent, await child())).rejects.toMatchObject({ reason: 'too_many_dependants' });
      expect(await rawLinks({ accountUserId: new ObjectId(parent), status: 'active' })).toBe(10);
    });

    it('creates one link when 6 creations for the same pair race', async () => {
      const [parent, kid] = [await adult(), await child()];
      const outcomes = await Promise.allSettled(Array.from({ length: 6 }, () => guardianLink(parent, kid)));
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      for (const o of outcomes.filter((x): x is PromiseRejectedResult => x.status === 'rejected')) {
        expect(o.reason).toBeInstanceOf(ConflictError);
        expect((o.reason as ConflictError).reason).toBe('account_link_exists');
      }
      expect(await rawLinks(pair(parent, kid))).toBe(1);
    });

    it('revokes a link once, audited, by either user', async () => {
      const [parent, kid] = [await adult(), await child()];
      const link = await guardianLink(parent, kid);
      const revoked = await (await t.nexfit.as(kid)).accountLinks.revoke(link.id);
      expect(revoked).toMatchObject({ status: 'revoked', revokedBy: kid, revokedAt: clock().now() });
      await expect(t.nexfit.accountLinks.revoke(link.id)).rejects.toMatchObject({ reason: 'invalid_transition' });
      const actions = await t.nexfit.pg.selectFrom('audit_logs').select('action').where('entity_id', '=', link.id).orderBy('id').execute();
      expect(actions.map((a) => a.action)).toEqual(['account_link.created', 'account_link.revoked']);
      // revoked, the pair may be linked again
      await expect(guardianLink(parent, kid)).resolves.toMatchObject({ status: 'active' });
    });
  });

  describe('paying for a dependant', () => {
    it('charges, records and invoices the payer; the membership is the dependant\'s', async () => {
      const [parent, kid] = [await adult(), await child()];
      await guardianLink(parent, kid);
      const { memberSubscription, transaction, invoice, billingSubscription } = await buyFor(kid, parent);
      expect(memberSubscription).toMatchObject({ userId: kid, payerUserId: parent, status: 'active' });
      expect(transaction).toMatchObject({ userId: parent, amount: 1_500_00 });
      expect(invoice.userId).toBe(parent);
      expect(billingSubscription?.userId).toBe(parent);
      expect(payments.charges.filter((c) => c.userId === parent).map((c) => c.amount)).toEqual([1_500_00]);
      expect(payments.charges.filter((c) => c.userId === kid)).toEqual([]);
      expect([await pgCount('transactions', parent), await pgCount('invoices', parent), await pgCount('subscriptions', parent)]).toEqual([1, 1, 1]);
      expect([await pgCount('transactions', kid), await pgCount('invoices', kid), await pgCount('subscriptions', kid)]).toEqual([0, 0, 0]);
    });

    it('renews on the payer while the link is active, and stops auto-renewal once it is revoked', async () => {
      clock().set('2026-03-02T09:00:00Z');
      const [payer, member] = [await adult(), await adult()];
      const link = await t.nexfit.accountLinks.link({ accountUserId: payer, dependantUserId: member, relation: 'payer' });
      const { memberSubscription } = await buyFor(member, payer);
      clock().set('2026-04-02T08:00:00Z');
      const first = await t.nexfit.workflows.renewDueSubscriptions({ asOf: clock().now() });
      expect(first.results.find((r) => r.memberSubscriptionId === memberSubscription.id)?.outcome).toBe('renewed');
      expect([await pgCount('transactions', payer), await pgCount('invoices', payer), await pgCount('transactions', member)]).toEqual([2, 2, 0]);
      expect(payments.charges.filter((c) => c.userId === payer).map((c) => c.amount)).toEqual([1_500_00, 1_500_00]);

      await t.nexfit.accountLinks.revoke(link.id);
      clock().set('2026-05-02T08:00:00Z');
      const second = await t.nexfit.workflows.renewDueSubscriptions({ asOf: clock().now() });
      expect(second.results.find((r) => r.memberSubscriptionId === memberSubscription.id)?.outcome).toBe('payer_unlinked');
      expect((await t.nexfit.memberships.getSubscription(memberSubscription.id)).autoRenew).toBe(false);
      expect(payments.charges.filter((c) => c.userId === payer)).toHaveLength(2);
      clock().set('2026-03-02T09:00:00Z');
    });

    it('refuses a payer without an active link, charging and writing nothing', async () => {
      const [stranger, kid] = [await adult(), await child()];
      const charges = payments.charges.length;
      const intents = async () => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM nexfit_payment_intents WHERE user_id = ${stranger}`.execute(t.nexfit.pg)).rows[0]!.n);
      await expect(
        t.nexfit.workflows.purchaseMembership({ userId: kid, payerUserId: stranger, membershipId: planId, paymentMethod: 'card', autoRenew: false, idempotencyKey: `key-${t.nexfit.ids.newUuid()}` }),
      ).rejects.toMatchObject({ reason: 'payer_not_linked' });
      // through a scope, the same call is refused before it runs
      await expect(buyFor(kid, stranger)).rejects.toBeInstanceOf(AccessDeniedError);
      expect(payments.charges.length).toBe(charges);
      expect([await intents(), await pgCount('transactions', stranger), await t.nexfit.mongo.db.collection('member_subscriptions').countDocuments({ userId: new ObjectId(kid) })]).toEqual([0, 0, 0]);
    });
  });

  describe('acting for a dependant', () => {
    it('lets an active guardian book, read and cancel for the dependant', async () => {
      const [parent, kid] = [await adult(), await child()];
      await guardianLink(parent, kid);
      await buyFor(kid, parent);
      const asParent = await t.nexfit.as(parent);
      const booking = await asParent.workflows.bookClass({ classId, userId: kid, occurrenceStart: WEDNESDAY });
      expect(booking).toMatchObject({ userId: kid, status: 'booked' });
      expect((await asParent.bookings.listMemberBookings(kid)).items.map((b) => b.booking.id)).toEqual([booking.id]);
      expect((await asParent.memberships.listSubscriptionsByUser(kid)).items.map((s) => s.userId)).toEqual([kid]);
      await expect(asParent.bookings.cancelBooking(booking.id)).resolves.toMatchObject({ status: 'cancelled' });
    });

    it('refuses a stranger, a payer and a revoked guardian, writing nothing', async () => {
      const [parent, payer, stranger, kid] = [await adult(), await adult(), await adult(), await child()];
      const link = await guardianLink(parent, kid);
      await t.nexfit.accountLinks.link({ accountUserId: payer, dependantUserId: kid, relation: 'payer' });
      await buyFor(kid, parent);
      await t.nexfit.accountLinks.revoke(link.id);
      for (const actor of [stranger, payer, parent]) {
        const scope = await t.nexfit.as(actor);
        await expect(scope.workflows.bookClass({ classId, userId: kid, occurrenceStart: WEDNESDAY })).rejects.toBeInstanceOf(AccessDeniedError);
        await expect(scope.bookings.listMemberBookings(kid)).rejects.toBeInstanceOf(AccessDeniedError);
      }
      expect(await bookingsOf(kid)).toBe(0);
    });

    it('refuses, inside the booking\'s unit, a guardian whose link was revoked after the access check', async () => {
      const [parent, kid] = [await adult(), await child()];
      const link = await guardianLink(parent, kid);
      await buyFor(kid, parent);
      await t.nexfit.accountLinks.revoke(link.id);
      const seats = async () => t.nexfit.bookings.seatsTaken(classId, WEDNESDAY);
      const before = await seats();
      await expect(runActingFor({ accountUserId: parent, dependantUserId: kid }, () => t.nexfit.workflows.bookClass({ classId, userId: kid, occurrenceStart: WEDNESDAY }))).rejects.toBeInstanceOf(ForbiddenError);
      expect(await bookingsOf(kid)).toBe(0);
      expect(await seats()).toBe(before);
    });

    it('books before a racing revocation or refuses the booking, never after it', async () => {
      const outcomes: string[] = [];
      for (let round = 0; round < 6; round++) {
        const [parent, kid] = [await adult(), await child()];
        const link = await guardianLink(parent, kid);
        await buyFor(kid, parent);
        const asParent = await t.nexfit.as(parent);
        // the revocation starts a little later each round, so it lands before, during and after the booking's unit
        const revokeLater = async () => {
          await new Promise((resolve) => setTimeout(resolve, round * round * 10));
          return t.nexfit.accountLinks.revoke(link.id);
        };
        const [booked, revoked] = await Promise.allSettled([asParent.workflows.bookClass({ classId, userId: kid, occurrenceStart: WEDNESDAY }), revokeLater()]);
        expect(revoked.status).toBe('fulfilled');
        const stored = await links().findOne({ _id: new ObjectId(link.id) });
        expect(stored?.['status']).toBe('revoked');
        if (booked.status === 'fulfilled') {
          // the booking held the link in its unit before the revocation committed
          expect(stored?.['lastActedAt']).toBeInstanceOf(Date);
          expect(await bookingsOf(kid)).toBe(1);
          outcomes.push('booked');
        } else {
          expect(booked.reason).toBeInstanceOf(ForbiddenError);
          expect(stored?.['lastActedAt']).toBeUndefined();
          expect(await bookingsOf(kid)).toBe(0);
          outcomes.push(booked.reason instanceof AccessDeniedError ? 'refused by the access check' : 'refused in the unit');
        }
      }
      expect(outcomes).toHaveLength(6);
    });
  });

  describe('the nightly coming-of-age run', () => {
    it('revokes the guardian links of dependants who turned 18, once, and keeps payer links', async () => {
      clock().set('2026-03-02T09:00:00Z');
      const parent = await adult();
      // 18 on 3 March 2026 (hand-computed), 18 on 4 March 2026, 18 in 2032; and an adult a payer pays for
      const [turning, later, young, grown] = [await person('2008-03-03'), await person('2008-03-04'), await child(), await adult()];
      const turningLink = await guardianLink(parent, turning);
      await guardianLink(parent, later);
      await guardianLink(parent, young);
      await t.nexfit.accountLinks.link({ accountUserId: parent, dependantUserId: grown, relation: 'payer' });
      const asOf = new Date('2026-03-03T00:00:00Z');
      const revoked = (await t.nexfit.accountLinks.revokeComeOfAge(asOf)).filter((l) => l.accountUserId === parent);
      expect(revoked.map((l) => l.id)).toEqual([turningLink.id]);
      expect(revoked[0]).toMatchObject({ status: 'revoked' });
      expect(revoked[0]!.revokedBy).toBeUndefined();
      expect((await t.nexfit.accountLinks.revokeComeOfAge(asOf)).filter((l) => l.accountUserId === parent)).toEqual([]);
      expect((await t.nexfit.accountLinks.listDependants(parent)).items.map((l) => l.dependantUserId).sort()).toEqual([later, young, grown].sort());
      const actions = await t.nexfit.pg.selectFrom('audit_logs').select('action').where('entity_id', '=', turningLink.id).orderBy('id').execute();
      expect(actions.map((x) => x.action)).toEqual(['account_link.created', 'account_link.revoked']);
    });
  });

  describe('personal data', () => {
    it('exports a link for both users and deletes it when either is erased', async () => {
      const [parent, kid] = [await adult(), await child()];
      const link = await guardianLink(parent, kid);
      const ofParent = await t.nexfit.privacy.exportUserData(parent);
      const ofKid = await t.nexfit.privacy.exportUserData(kid);
      expect(ofParent.accountLinks.asAccount.map((l) => l['id'])).toEqual([link.id]);
      expect(ofKid.accountLinks.asDependant.map((l) => l['id'])).toEqual([link.id]);
      const report = await t.nexfit.privacy.eraseUser(kid, { reason: 'KVKK talebi' });
      expect(report.deleted.accountLinks).toBe(1);
      expect(await rawLinks(pair(parent, kid))).toBe(0);
    });
  });
});
