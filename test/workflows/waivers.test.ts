import { ObjectId } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { fixedClock } from '../../src/core/clock.js';
import { ConflictError, NexfitError, NotFoundError, ValidationError } from '../../src/core/errors.js';
import type { FacilityId, UserId } from '../../src/core/ids.js';
import { ERASED_SIGNER_NAME, WaiverSignatureRepository, waiverPersonalData } from '../../src/modules/facilities/index.js';
import type { FitnessClass } from '../../src/modules/classes/index.js';
import { createInputs } from '../modules/support/factories.js';
import { useTestNexfit } from '../support/nexfit.js';

/** Monday 2 March 2026, 12:00 in Istanbul (UTC+3). */
const t = useTestNexfit({ clock: '2026-03-02T09:00:00Z' });
const clock = () => t.clock as ReturnType<typeof fixedClock>;
const EVERY_DAY_6_TO_23 = ([0, 1, 2, 3, 4, 5, 6] as const).map((day) => ({ day, openTime: '06:00', closeTime: '23:00', isClosed: false }));
/** 09:00 Istanbul on Tuesday 3 March 2026. */
const TUESDAY_0900 = new Date('2026-03-03T06:00:00Z');
const BODY = 'Derslere ve salona kendi sorumluluğumda katılıyorum; sağlık durumumu eğitmene bildiririm.';

const outcome = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof ConflictError ? e.reason : e instanceof NexfitError ? e.code : (e as Error).name));

describe('waivers signed before the first booking', () => {
  const waivers = () => t.nexfit.waivers;
  const signatureCount = (filter: Record<string, unknown> = {}) => t.nexfit.mongo.db.collection('waiver_signatures').countDocuments(filter);
  const waiverCount = () => t.nexfit.mongo.db.collection('waivers').countDocuments();
  const newUser = () => t.nexfit.ids.newObjectId() as UserId;

  async function facility(): Promise<FacilityId> {
    return (await t.nexfit.repositories.facilities.create(createInputs.facilities({ timezone: 'Europe/Istanbul', operatingHours: EVERY_DAY_6_TO_23 }))).id;
  }

  /** A new member with an active March subscription at the facility that includes classes. */
  async function member(facilityId: FacilityId): Promise<UserId> {
    const userId = newUser();
    const plan = await t.nexfit.repositories.memberships.create(createInputs.memberships({ facilityId, limitations: { classesIncluded: true } }));
    await t.nexfit.repositories.memberSubscriptions.create(
      createInputs.member_subscriptions({ userId, facilityId, membershipId: plan.id, status: 'active', startDate: '2026-03-01T00:00:00Z', endDate: '2026-04-01T00:00:00Z' }),
    );
    return userId;
  }

  /** A daily one-hour class at 09:00 Istanbul from 3 March. */
  async function dailyClass(facilityId: FacilityId): Promise<FitnessClass> {
    return t.nexfit.classes.createClass(
      createInputs.classes({ facilityId, schedule: { startTime: TUESDAY_0900, endTime: new Date(TUESDAY_0900.getTime() + 3_600_000), recurrence: { frequency: 'daily' } }, location: { room: 'A', capacity: 20 } }),
    );
  }

  const publish = (facilityId: FacilityId, requiresResign = false, title = 'Sorumluluk feragatnamesi') => waivers().publish({ facilityId, title, body: BODY, requiresResign });
  const sign = (userId: UserId, facilityId: FacilityId, version: number) => waivers().sign({ userId, facilityId, version, signedName: 'Ayşe Yılmaz' });
  const visit = (userId: UserId, facilityId: FacilityId) => t.nexfit.workflows.recordFacilityVisit({ userId, facilityId });

  beforeAll(() => clock().set('2026-03-02T09:00:00Z'));

  describe('publishing', () => {
    it('numbers a facility\'s versions 1, 2, 3 and derives the lowest version a signature must have', async () => {
      const gym = await facility();
      const v1 = await publish(gym, false);
      const v2 = await publish(gym, false, 'Feragatname, yeni adres');
      const v3 = await publish(gym, true, 'Feragatname 2026');
      const v4 = await publish(gym, false, 'Feragatname 2026, yazım düzeltmesi');
      expect([v1, v2, v3, v4].map((w) => [w.waiverVersion, w.requiresResign, w.minimumSignedVersion])).toEqual([
        [1, false, 1],
        [2, false, 1],
        [3, true, 3],
        [4, false, 3],
      ]);
      expect(await waivers().findCurrent(gym)).toMatchObject({ id: v4.id, waiverVersion: 4 });
      expect((await waivers().getVersion(gym, 2)).title).toBe('Feragatname, yeni adres');
      expect((await waivers().listVersions(gym, { limit: 10 })).items.map((w) => w.waiverVersion)).toEqual([4, 3, 2, 1]);
      // Another facility's numbering starts again at 1.
      expect((await publish(await facility())).waiverVersion).toBe(1);
    });

    it('writes an audit row per published version', async () => {
      const gym = await facility();
      const v1 = await publish(gym);
      const rows = await t.nexfit.pg.selectFrom('audit_logs').select(['action', 'entity_type']).where('entity_id', '=', v1.id).execute();
      expect(rows).toEqual([{ action: 'waiver.published', entity_type: 'waivers' }]);
    });

    it('gives two concurrent publications versions 1 and 2, never two version 1s', async () => {
      const gym = await facility();
      const outcomes = await Promise.allSettled([publish(gym, false, 'A'), publish(gym, true, 'B')]);
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled']);
      const stored = await t.nexfit.mongo.db.collection('waivers').find({ title: { $in: ['A', 'B'] } }).toArray();
      expect(stored.filter((w) => String(w['facilityId']) === gym).map((w) => w['waiverVersion']).sort()).toEqual([1, 2]);
    });

    it('refuses an unknown facility and bad input, writing nothing', async () => {
      const before = await waiverCount();
      await expect(publish(t.nexfit.ids.newObjectId() as FacilityId)).rejects.toBeInstanceOf(NotFoundError);
      const gym = await facility();
      await expect(waivers().publish({ facilityId: gym, title: '', body: BODY })).rejects.toBeInstanceOf(ValidationError);
      await expect(waivers().publish({ facilityId: gym, title: 'Uzun', body: 'x'.repeat(50_001) })).rejects.toBeInstanceOf(ValidationError);
      await expect(waivers().publish({ facilityId: gym, title: 'Sürüm', body: BODY, version: 7 } as never)).rejects.toBeInstanceOf(ValidationError);
      expect(await waiverCount()).toBe(before);
      expect(await waivers().findCurrent(gym)).toBeNull();
      await expect(waivers().getVersion(gym, 1)).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('signing', () => {
    it('signs once: signing the same version again returns the same signature', async () => {
      const gym = await facility();
      await publish(gym);
      const userId = newUser();
      clock().set('2026-03-02T09:00:00Z');
      const first = await waivers().sign({ userId, facilityId: gym, version: 1, signedName: 'Ayşe Yılmaz', ipAddress: '203.0.113.7', userAgent: 'NexFit iOS 3.2' });
      clock().set('2026-03-02T10:00:00Z');
      const again = await sign(userId, gym, 1);
      expect(again).toEqual(first);
      expect(first).toMatchObject({ userId, facilityId: gym, waiverVersion: 1, signedName: 'Ayşe Yılmaz', ipAddress: '203.0.113.7', userAgent: 'NexFit iOS 3.2', signedAt: new Date('2026-03-02T09:00:00Z') });
      expect(await signatureCount({ userId: new ObjectId(userId) })).toBe(1);
      expect((await waivers().listSignatures(userId)).items.map((s) => s.id)).toEqual([first.id]);
      clock().set('2026-03-02T09:00:00Z');
    });

    it('makes one signature when the same member signs the same version six times at once', async () => {
      const gym = await facility();
      await publish(gym);
      const userId = newUser();
      const outcomes = await Promise.allSettled(Array.from({ length: 6 }, () => sign(userId, gym, 1)));
      expect(outcomes.map((o) => o.status)).toEqual(Array(6).fill('fulfilled'));
      const ids = new Set(outcomes.map((o) => (o as PromiseFulfilledResult<{ id: string }>).value.id));
      expect(ids.size).toBe(1);
      expect(await signatureCount({ userId: new ObjectId(userId) })).toBe(1);
    });

    it('refuses a version never published, a superseded one and bad input, writing nothing', async () => {
      const gym = await facility();
      await publish(gym);
      await publish(gym, true);
      const userId = newUser();
      const before = await signatureCount();
      await expect(sign(userId, gym, 3)).rejects.toBeInstanceOf(NotFoundError);
      const superseded = await sign(userId, gym, 1).catch((e: unknown) => e);
      expect(superseded).toBeInstanceOf(ConflictError);
      expect(superseded).toMatchObject({ reason: 'waiver_version_superseded', details: { version: 2, signedVersion: 1 } });
      await expect(waivers().sign({ userId, facilityId: gym, version: 2, signedName: '' })).rejects.toBeInstanceOf(ValidationError);
      await expect(waivers().sign({ userId, facilityId: gym, version: 0, signedName: 'Ayşe' })).rejects.toBeInstanceOf(ValidationError);
      await expect(waivers().sign({ userId, facilityId: gym, version: 2, signedName: 'Ayşe', ipAddress: 'not-an-ip' })).rejects.toBeInstanceOf(ValidationError);
      await expect(waivers().sign({ userId, facilityId: gym, version: 2, signedName: 'Ayşe', waiverId: 'x' } as never)).rejects.toBeInstanceOf(ValidationError);
      expect(await signatureCount()).toBe(before);
    });

    it('accepts an earlier version that a later one did not supersede', async () => {
      const gym = await facility();
      await publish(gym);
      await publish(gym, false);
      const userId = newUser();
      await expect(sign(userId, gym, 1)).resolves.toMatchObject({ waiverVersion: 1 });
      expect(await waivers().getClearance(userId, gym)).toMatchObject({ cleared: true, required: null });
    });
  });

  describe('clearance and enforcement', () => {
    it('clears everyone at a facility without a waiver', async () => {
      const gym = await facility();
      const userId = await member(gym);
      expect(await waivers().getClearance(userId, gym)).toEqual({ cleared: true, required: null, signature: null });
      await expect(visit(userId, gym)).resolves.toMatchObject({ visitsThisWeek: 1 });
    });

    it('asks a member who never signed for the current version; a re-sign version asks again, another does not', async () => {
      const gym = await facility();
      const v1 = await publish(gym);
      const early = newUser();
      expect(await waivers().getClearance(early, gym)).toEqual({ cleared: false, required: { waiverId: v1.id, version: 1 }, signature: null });
      await sign(early, gym, 1);
      expect(await waivers().getClearance(early, gym)).toMatchObject({ cleared: true });

      const v2 = await publish(gym, false);
      expect(await waivers().getClearance(early, gym)).toMatchObject({ cleared: true, signature: { waiverVersion: 1 } });
      const newcomer = newUser();
      expect(await waivers().getClearance(newcomer, gym)).toMatchObject({ cleared: false, required: { waiverId: v2.id, version: 2 } });

      const v3 = await publish(gym, true);
      expect(await waivers().getClearance(early, gym)).toMatchObject({ cleared: false, required: { waiverId: v3.id, version: 3 }, signature: { waiverVersion: 1 } });
      await sign(early, gym, 3);
      expect(await waivers().getClearance(early, gym)).toMatchObject({ cleared: true, signature: { waiverVersion: 3 } });
    });

    it('refuses check-in with waiver_required until the member signs', async () => {
      const gym = await facility();
      const userId = await member(gym);
      const v1 = await publish(gym);
      const refusal = await visit(userId, gym).catch((e: unknown) => e);
      expect(refusal).toBeInstanceOf(ConflictError);
      expect(refusal).toMatchObject({ reason: 'waiver_required', details: { waiverId: v1.id, version: 1, facilityId: gym } });
      const [subscription] = (await t.nexfit.memberships.listSubscriptionsByUser(userId)).items;
      expect(await t.nexfit.memberships.visitsInWeek(subscription!.id, '2026-W10')).toBe(0);
      await sign(userId, gym, 1);
      await expect(visit(userId, gym)).resolves.toMatchObject({ visitsThisWeek: 1 });
      expect(await t.nexfit.memberships.visitsInWeek(subscription!.id, '2026-W10')).toBe(1);
    });

    it('refuses a class booking with waiver_required until the member signs, and again after a re-sign version', async () => {
      const gym = await facility();
      const yoga = await dailyClass(gym);
      const userId = await member(gym);
      const v1 = await publish(gym);
      const book = (day: number) => t.nexfit.workflows.bookClass({ classId: yoga.id, userId, occurrenceStart: new Date(TUESDAY_0900.getTime() + day * 86_400_000) });
      await expect(book(0)).rejects.toMatchObject({ reason: 'waiver_required', details: { waiverId: v1.id, version: 1 } });
      expect(await t.nexfit.mongo.db.collection('class_bookings').countDocuments({ classId: new ObjectId(yoga.id) })).toBe(0);
      await sign(userId, gym, 1);
      await expect(book(0)).resolves.toMatchObject({ status: 'booked' });
      expect(await t.nexfit.mongo.db.collection('class_bookings').countDocuments({ classId: new ObjectId(yoga.id) })).toBe(1);
      const v2 = await publish(gym, true);
      await expect(book(1)).rejects.toMatchObject({ reason: 'waiver_required', details: { waiverId: v2.id, version: 2 } });
      await sign(userId, gym, 2);
      await expect(book(1)).resolves.toMatchObject({ status: 'booked' });
    });

    it('refuses a PT slot booking with waiver_required until the client signs', async () => {
      const gym = await facility();
      const coachId = newUser();
      const clientId = newUser();
      await t.nexfit.coaching.setAvailability({ coachId, facilityId: gym, weekly: [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day: day as 0, start: '09:00', end: '12:00' })) });
      await publish(gym);
      // Tuesday 3 March 10:00 Istanbul.
      const slot = { coachId, clientId, facilityId: gym, startTime: '2026-03-03T07:00:00Z', duration: 60 };
      expect(await outcome(t.nexfit.coaching.bookSlot(slot))).toBe('waiver_required');
      expect((await t.nexfit.coaching.listCoachSessions(coachId, {}, { limit: 10 })).items).toEqual([]);
      await sign(clientId, gym, 1);
      await expect(t.nexfit.coaching.bookSlot(slot)).resolves.toMatchObject({ clientId, status: 'scheduled' });
    });
  });

  describe('personal data', () => {
    it('exports a member\'s signatures and keeps them on erasure without the name, address and browser', async () => {
      const gym = await facility();
      await publish(gym);
      const userId = newUser();
      const signature = await waivers().sign({ userId, facilityId: gym, version: 1, signedName: 'Zeynep Kaya', ipAddress: '198.51.100.4', userAgent: 'NexFit Android 2.1' });
      const signatures = new WaiverSignatureRepository(t.nexfit.mongo.db, t.deps);
      const contributor = waiverPersonalData(signatures);
      const exported = await contributor.export!(userId, { withhold: () => {} });
      expect(exported.waiverSignatures).toEqual([expect.objectContaining({ id: signature.id, signedName: 'Zeynep Kaya', waiverVersion: 1 })]);

      const personalStrings: string[] = [];
      const subjectIds = new Set<string>();
      const counts = await t.nexfit.unitOfWork((uow) => contributor.erase!(userId, { uow, now: clock().now(), personalStrings, subjectIds }));
      expect(counts).toEqual({ anonymised: { waiverSignatures: 1 } });
      expect(personalStrings).toEqual(['Zeynep Kaya']);
      expect([...subjectIds]).toEqual([signature.id]);
      const kept = await signatures.findByWaiver(userId, signature.waiverId);
      expect(kept).toMatchObject({ id: signature.id, signedName: ERASED_SIGNER_NAME, waiverVersion: 1, signedAt: signature.signedAt });
      expect(kept).not.toHaveProperty('ipAddress');
      expect(kept).not.toHaveProperty('userAgent');
      // The member stays cleared: the legal record of the signature is kept.
      expect(await waivers().getClearance(userId, gym)).toMatchObject({ cleared: true });
    });
  });
});
