import { ObjectId } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../../../src/core/errors.js';
import type { UserId } from '../../../src/core/ids.js';
import type { ErasureReport } from '../../../src/workflows/privacy/erase-user.workflow.js';
import { oid } from '../../modules/support/factories.js';
import { useTestNexfit } from '../../support/nexfit.js';
import { buildSubjectWorld, FUTURE_OCCURRENCE, PASSWORD, PRIVACY_NOW, readRawStores, whereFound, type SubjectWorld } from './support/privacy-fixtures.js';

const t = useTestNexfit({ clock: PRIVACY_NOW });
const REASON = 'KVKK request 2026-118';

describe('eraseUser', () => {
  let world: SubjectWorld;
  let operator: UserId;
  let report: ErasureReport;
  let before: Record<string, string[]>;
  let after: Record<string, string[]>;
  const financial: Record<string, unknown> = {};

  beforeAll(async () => {
    world = await buildSubjectWorld(t.nexfit, 'ER1');
    operator = (await t.nexfit.users.register({ email: 'dpo@example.com', password: PASSWORD, firstName: 'Veri', lastName: 'Sorumlusu', role: ['client'] })).id as UserId;
    const s = world.subject.id as UserId;
    financial['transactions'] = (await t.nexfit.repositories.transactions.listByUser(s)).items.map(({ transactionId, amount, currency, transactionType, status, createdAt }) => ({ transactionId, amount, currency, transactionType, status, createdAt }));
    financial['invoices'] = (await t.nexfit.repositories.invoices.listByUser(s)).items.map(({ invoiceId, invoiceNumber, totalAmount, taxAmount, currency, status, dueDate, paymentDate, transactionId }) => ({ invoiceId, invoiceNumber, totalAmount, taxAmount, currency, status, dueDate, paymentDate, transactionId }));
    before = await readRawStores(t);
    report = await t.nexfit.privacy.eraseUser(s, { reason: REASON, requestedBy: operator, context: { ipAddress: '198.51.100.9', userAgent: 'DpoConsole/2.0' } });
    after = await readRawStores(t);
  });

  it('leaves none of the personal strings anywhere in either store', () => {
    expect(whereFound(before, world.personal).length).toBeGreaterThan(world.personal.length);
    expect(whereFound(after, world.personal)).toEqual([]);
  });

  it('turns the profile into a tombstone that keeps the unique e-mail index and can never log in', async () => {
    const user = await t.nexfit.users.getById(world.subject.id as UserId);
    expect(user).toMatchObject({ email: `erased-${world.subject.id}@erased.invalid`, firstName: 'Erased', lastName: 'User', isActive: false, roleSpecificData: {}, erasedAt: new Date(PRIVACY_NOW) });
    for (const gone of ['phoneNumber', 'profileImage', 'fcmToken'] as const) expect(user).not.toHaveProperty(gone);
    expect(await t.nexfit.users.verifyCredentials(world.subject.email, PASSWORD)).toBeNull();
    expect(await t.nexfit.users.verifyCredentials(user.email, PASSWORD)).toBeNull();
    // Nothing derived from the erased fields (a search key, a blind index) stays on the stored document.
    const stored = await t.mongo.db.collection('users').findOne({ _id: new ObjectId(world.subject.id) });
    const allowed = ['_id', 'schemaVersion', 'version', 'createdAt', 'updatedAt', 'email', 'firstName', 'lastName', 'role', 'isActive', 'roleSpecificData', 'erasedAt', 'passwordHash'];
    expect(Object.keys(stored!).filter((key) => !allowed.includes(key))).toEqual([]);
    expect(stored!['passwordHash']).toBe('erased');
  });

  it('deletes the data about the person that nobody else relies on', async () => {
    const r = t.nexfit.repositories;
    const s = world.subject.id as UserId;
    expect((await r.measurements.listByUser(s)).items).toEqual([]);
    expect((await r.measurementCategories.listByUser(s)).items).toEqual([]);
    expect((await r.workoutLogs.listByUser(s)).items).toEqual([]);
    expect((await r.nutritionPlans.listForUser(s)).items).toEqual([]);
    expect((await r.nutritionPlans.listByAuthor(s)).items).toEqual([]);
    expect((await r.foodDiaryEntries.listByUser(s)).items).toEqual([]);
    // The published template stays (others may follow it), the private ones go.
    expect((await r.workoutTemplates.listByAuthor(s)).items.map((x) => x.id)).toEqual([world.ids['workoutTemplates']![1]]);
    expect((await r.workoutPrograms.listByAuthor(s)).items).toEqual([]);
    expect(report.deleted).toEqual({ measurements: 2, measurementCategories: 1, workoutLogs: 1, coachAvailabilities: 0, nutritionPlans: 2, foodDiaryEntries: 2, workoutTemplates: 1, workoutPrograms: 1, bookingStrikes: 0, bookingSuspensions: 0, bookingFees: 0, accountLinks: 0, promoRedemptions: 0 });
  });

  it('keeps bookings, memberships, coaching and sessions without their personal fields, and ends what was still running', async () => {
    const r = t.nexfit.repositories;
    const s = world.subject.id as UserId;
    const bookings = (await r.classBookings.listByUser(s)).items;
    expect(bookings).toHaveLength(2);
    for (const booking of bookings) expect(booking).not.toHaveProperty('notes');
    expect(bookings.find((b) => b.date.getTime() === FUTURE_OCCURRENCE.getTime())).toMatchObject({ status: 'cancelled' });
    expect(await t.nexfit.bookings.seatsTaken(world.activeClassId as never, FUTURE_OCCURRENCE)).toBe(0);

    const memberships = (await r.memberSubscriptions.listByUser(s)).items;
    expect(memberships.map((m) => m.status).sort()).toEqual(['cancelled', 'expired']);
    for (const membership of memberships) {
      expect(membership.autoRenew).toBe(false);
      expect(membership).not.toHaveProperty('cancellationReason');
    }

    const [relation] = (await r.coachClients.listByClient(s)).items;
    expect(relation).toMatchObject({ relationship: { status: 'ended' }, goals: [], notes: { visible: [], private: [] }, package: { sessions: { total: 10, used: 2, remaining: 8 }, price: 5_000_00 } });
    const [request] = (await r.coachClients.listByCoach(s)).items;
    expect(request!.relationship.status).toBe('declined');

    const sessions = (await r.ptSessions.listByClient(s)).items;
    expect(sessions.map((x) => x.status).sort()).toEqual(['cancelled', 'completed']);
    const completed = sessions.find((x) => x.status === 'completed')!;
    expect(completed.notes).toEqual({});
    expect(completed.location).toEqual({ type: 'client' });
    expect(completed.feedback).toEqual({ client: { rating: 5 }, coach: { rating: 4 } });

    const instructed = await r.classes.getById(world.instructedClassId);
    expect(instructed.instructor).toEqual({ userId: world.subject.id, name: 'Erased user' });
    const facility = await r.facilities.getById(world.facilityId);
    expect(facility.staff.map((m) => m.userId)).toEqual([world.coach.id]);
  });

  it('keeps the financial records with their amounts, numbers and dates, pseudonymised', async () => {
    const s = world.subject.id as UserId;
    const transactions = (await t.nexfit.repositories.transactions.listByUser(s)).items;
    expect(transactions.map(({ transactionId, amount, currency, transactionType, status, createdAt }) => ({ transactionId, amount, currency, transactionType, status, createdAt }))).toEqual(financial['transactions']);
    for (const tx of transactions) expect(tx.description).toBeNull();
    const purchase = transactions.find((tx) => tx.transactionType === 'purchase')!;
    expect(purchase.metadata).toEqual({ providerRef: 'prov-ER1', membershipId: expect.any(String), businessId: world.facilityId, payerPhone: '[erased]' });

    const invoices = (await t.nexfit.repositories.invoices.listByUser(s)).items;
    expect(invoices.map(({ invoiceId, invoiceNumber, totalAmount, taxAmount, currency, status, dueDate, paymentDate, transactionId }) => ({ invoiceId, invoiceNumber, totalAmount, taxAmount, currency, status, dueDate, paymentDate, transactionId }))).toEqual(financial['invoices']);
    const issued = invoices.find((i) => i.status === 'paid')!;
    expect(issued.invoiceData['lines']).toEqual([{ description: '[erased]', quantity: 1, net: '1250.00', tax: '250.00', gross: '1500.00' }]);

    const [billing] = (await t.nexfit.repositories.subscriptions.listByUser(s)).items;
    expect(billing).toMatchObject({ status: 'cancelled', autoRenew: false, amount: 1_500_00 });
    expect(report.retained).toEqual({ transactions: 2, subscriptions: 1, invoices: 2 });
  });

  it('keeps the audit rows, redacted, and adds one erase row without personal data', async () => {
    const rows = (await t.nexfit.repositories.auditLogs.listByEntity('users', world.subject.id)).items;
    const roleAdded = rows.find((row) => row.action === 'user.role_added')!;
    expect(roleAdded.newState).toEqual({ role: ['client', 'coach', 'studio_client'] });
    const erase = rows.filter((row) => row.action === 'erase');
    expect(erase).toHaveLength(1);
    expect(erase[0]).toMatchObject({ userId: operator, ipAddress: '198.51.100.9', userAgent: 'DpoConsole/2.0', previousState: null });
    expect(erase[0]!.newState).toMatchObject({ erasedAt: PRIVACY_NOW, reason: REASON, deleted: { measurements: 2 }, retained: { invoices: 2 } });
    const acted = (await t.nexfit.repositories.auditLogs.listByUser(world.subject.id as UserId)).items.find((row) => row.entityType === 'facilities')!;
    expect(acted).toMatchObject({ ipAddress: null, userAgent: null, newState: { note: '[erased]' } });
  });

  it("leaves other people's data untouched", () => {
    const others = [world.other.id, world.coach.id, world.owner.id, operator];
    const subjectIds = [world.subject.id, ...Object.values(world.ids).flat()];
    let compared = 0;
    for (const [place, rows] of Object.entries(before)) {
      if (place.includes('nexfit_') || place.includes('class_booking_counters')) continue;
      const afterRows = new Set(after[place] ?? []);
      for (const row of rows) {
        // A record of someone else's that held nothing of the subject's must be byte-for-byte the same.
        if (!others.some((id) => row.includes(id)) || subjectIds.some((id) => row.includes(id))) continue;
        expect(afterRows.has(row), `${place}: ${row}`).toBe(true);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(10);
  });

  it('is idempotent: a second erasure changes nothing and writes no second audit row', async () => {
    const again = await t.nexfit.privacy.eraseUser(world.subject.id, { reason: REASON, requestedBy: operator });
    expect(again).toMatchObject({ alreadyErased: true, erasedAt: new Date(PRIVACY_NOW) });
    expect(await readRawStores(t)).toEqual(after);
  });

  it('refuses an unknown user with NotFoundError and a missing reason with ValidationError', async () => {
    await expect(t.nexfit.privacy.eraseUser(oid(0xbeef), { reason: REASON })).rejects.toBeInstanceOf(NotFoundError);
    await expect(t.nexfit.privacy.eraseUser(world.other.id, { reason: ' ' })).rejects.toBeInstanceOf(ValidationError);
  });

  it('refuses a facility owner with active members and an active coach, naming every blocker, and changes nothing', async () => {
    const other = await buildSubjectWorld(t.nexfit, 'ER2');
    const snapshot = await readRawStores(t);
    const ownerRefusal = await t.nexfit.privacy.eraseUser(other.owner.id, { reason: REASON }).catch((e: unknown) => e);
    expect(ownerRefusal).toBeInstanceOf(ConflictError);
    expect(ownerRefusal).toMatchObject({ reason: 'erasure_blocked', details: { blockers: [{ reason: 'owns_facility_with_active_members', facilityId: other.facilityId }] } });
    const coachRefusal = await t.nexfit.privacy.eraseUser(other.coach.id, { reason: REASON }).catch((e: unknown) => e);
    expect(coachRefusal).toBeInstanceOf(ConflictError);
    const reasons = ((coachRefusal as ConflictError).details!['blockers'] as { reason: string }[]).map((b) => b.reason).sort();
    expect(reasons).toEqual(['coach_with_active_clients', 'coach_with_scheduled_sessions', 'instructs_active_class']);
    expect(await readRawStores(t)).toEqual(snapshot);
  });

  /** Rows of the subject's own records (their bookings, sessions…) carry the subject's id or one of their record ids. */
  function rowIsAboutSubject(row: string): boolean {
    return Object.values(world.ids).some((ids) => ids.some((id) => row.includes(id)));
  }
});
