import { beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '../../../src/core/errors.js';
import type { UserDataExport } from '../../../src/workflows/privacy/export-user-data.workflow.js';
import { oid } from '../../modules/support/factories.js';
import { useTestNexfit } from '../../support/nexfit.js';
import { buildSubjectWorld, PRIVACY_NOW, type SubjectWorld } from './support/privacy-fixtures.js';

const t = useTestNexfit({ clock: PRIVACY_NOW });

const idsOf = (items: readonly Record<string, unknown>[], key = 'id') => items.map((item) => item[key]).sort();

describe('exportUserData', () => {
  let world: SubjectWorld;
  let document: UserDataExport;

  beforeAll(async () => {
    world = await buildSubjectWorld(t.nexfit, 'EX1');
    document = await t.nexfit.privacy.exportUserData(world.subject.id, { requestedBy: world.subject.id, context: { ipAddress: '198.51.100.4', userAgent: 'ExportTest/1.0' } });
  });

  it('is a versioned document that survives a JSON round trip unchanged', () => {
    expect(document).toMatchObject({ format: 'nexfit.user-data-export', version: 1, userId: world.subject.id, exportedAt: PRIVACY_NOW });
    expect(JSON.parse(JSON.stringify(document))).toEqual(document);
  });

  it('holds the profile and never a password hash', () => {
    expect(document.user).toMatchObject({ id: world.subject.id, email: world.subject.email, firstName: world.subject.firstName, phoneNumber: world.subject.phoneNumber });
    expect(JSON.stringify(document)).not.toMatch(/passwordHash|scrypt\$/);
  });

  it('holds every record about the user from both stores', () => {
    const ids = world.ids;
    expect(idsOf(document.measurements)).toEqual([...ids['measurements']!].sort());
    expect(idsOf(document.measurementCategories)).toEqual([...ids['measurementCategories']!].sort());
    expect(idsOf(document.workoutTemplates)).toEqual([...ids['workoutTemplates']!].sort());
    expect(idsOf(document.workoutPrograms)).toEqual([...ids['workoutPrograms']!].sort());
    expect(idsOf(document.workoutLogs)).toEqual([...ids['workoutLogs']!].sort());
    expect(idsOf(document.nutritionPlans)).toEqual([...ids['nutritionPlans']!].sort());
    expect(idsOf(document.foodDiary)).toEqual([...ids['foodDiary']!].sort());
    expect(idsOf(document.memberSubscriptions)).toEqual([...ids['memberSubscriptions']!].sort());
    expect(idsOf(document.classBookings)).toEqual([...ids['classBookings']!].sort());
    expect(idsOf(document.classesInstructed)).toEqual([...ids['classesInstructed']!].sort());
    expect(idsOf(document.coaching.asClient)).toEqual([...ids['coachingAsClient']!].sort());
    expect(idsOf(document.coaching.asCoach)).toEqual([...ids['coachingAsCoach']!].sort());
    expect(idsOf(document.ptSessions.asClient)).toEqual([...ids['ptSessions']!].sort());
    expect(document.ptSessions.asCoach).toEqual([]);
    expect(idsOf(document.transactions, 'transactionId')).toEqual([...ids['transactions']!].sort());
    expect(idsOf(document.invoices, 'invoiceId')).toEqual([...ids['invoices']!].sort());
    expect(idsOf(document.billingSubscriptions, 'subscriptionId')).toEqual([...ids['billingSubscriptions']!].sort());
    expect(document.facilities.owned).toEqual([]);
    expect(document.facilities.staffed).toEqual([
      { facilityId: world.facilityId, name: 'Moda Gym', type: 'gym', staffEntry: { userId: world.subject.id, role: 'instructor', permissions: [], joinedAt: '2026-01-01T00:00:00.000Z' } },
    ]);
  });

  it('keeps amounts exact in minor units', () => {
    const purchase = document.transactions.find((tx) => tx['transactionType'] === 'purchase');
    expect(purchase).toMatchObject({ amount: 1_500_00, currency: 'TRY' });
    expect(document.invoices.map((i) => i['totalAmount']).sort()).toEqual([1_500_00, 500_00].sort());
  });

  it('holds the audit rows about the user with their states, and what the user did without the other entity\'s states', () => {
    expect(document.auditLog.aboutUser.some((row) => row['action'] === 'user.role_added' && row['newState'] !== null)).toBe(true);
    const acted = document.auditLog.byUser.find((row) => row['entityType'] === 'facilities');
    expect(acted).toMatchObject({ entityId: world.facilityId, userId: world.subject.id, action: 'update', ipAddress: world.ip });
    expect(acted).not.toHaveProperty('newState');
  });

  it("gives the notes the coach shared, withholds the coach's private notes and says so", () => {
    const [relation] = document.coaching.asClient;
    expect(relation).toMatchObject({ coachId: world.coach.id, privateNotesWithheld: 1, notes: { visible: [{ text: `Hoş geldin ${world.subject.firstName}` }] } });
    expect(JSON.stringify(document)).not.toContain(world.privateNote);
    expect(document.withheld.some((line) => line.includes('private coach note'))).toBe(true);
  });

  it('exports only what is about the user: no other member appears by name', () => {
    const text = JSON.stringify(document);
    expect(text).not.toContain(world.other.firstName);
    expect(text).not.toContain(world.coach.lastName);
    expect(text).not.toContain(world.owner.email);
  });

  it('records an export audit row with the requester and counts only', async () => {
    const { items } = await t.nexfit.repositories.auditLogs.listByEntity('users', world.subject.id);
    const row = items.find((item) => item.action === 'export');
    expect(row).toMatchObject({ userId: world.subject.id, ipAddress: '198.51.100.4', userAgent: 'ExportTest/1.0', previousState: null });
    expect(row!.newState).toMatchObject({ format: 'nexfit.user-data-export', version: 1, records: { measurements: 2, transactions: 2, invoices: 2 } });
    expect(JSON.stringify(row!.newState)).not.toContain(world.subject.email);
  });

  it('pages through collections larger than one page', async () => {
    const many = await t.nexfit.users.register({ email: 'many.logs@example.com', password: 'gizli-şifre-1', firstName: 'Çok', lastName: 'Kayıt', role: ['client'] });
    const starts = Array.from({ length: 205 }, (_, i) => new Date(Date.UTC(2025, 0, 1) + i * 3_600_000));
    for (const startTime of starts) await t.nexfit.repositories.workoutLogs.create({ userId: many.id, startTime, exercises: [], photos: [] });
    const exported = await t.nexfit.privacy.exportUserData(many.id);
    expect(new Set(exported.workoutLogs.map((log) => log['id'])).size).toBe(205);
  });

  it('refuses an unknown user with NotFoundError', async () => {
    await expect(t.nexfit.privacy.exportUserData(oid(0xdead))).rejects.toBeInstanceOf(NotFoundError);
  });
});
