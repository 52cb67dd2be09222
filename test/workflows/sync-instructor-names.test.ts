import { describe, expect, it } from 'vitest';
import { createInputs } from '../modules/support/factories.js';
import { useTestNexfit } from '../support/nexfit.js';

const t = useTestNexfit({ nexfit: { cache: 'memory' } });

describe('syncInstructorNames', () => {
  it('rewrites the instructor name each class keeps once the user is renamed, and nothing else', async () => {
    const coach = await t.nexfit.users.register({ email: `coach-${Date.now()}@example.com`, password: 'gizli-şifre-1', firstName: 'Elif', lastName: 'Kaya', role: ['coach'] });
    const other = await t.nexfit.users.register({ email: `other-${Date.now()}@example.com`, password: 'gizli-şifre-1', firstName: 'Can', lastName: 'Demir', role: ['coach'] });
    const yoga = await t.nexfit.repositories.classes.create(createInputs.classes({ instructor: { userId: coach.id, name: 'Elif Kaya' } }));
    const pilates = await t.nexfit.repositories.classes.create(createInputs.classes({ name: 'Pilates', instructor: { userId: coach.id, name: 'Elif Kaya' } }));
    const spin = await t.nexfit.repositories.classes.create(createInputs.classes({ name: 'Spin', instructor: { userId: other.id, name: 'Can Demir' } }));
    await t.nexfit.repositories.classes.getById(yoga.id); // cached

    await t.nexfit.users.updateProfile(coach.id, { lastName: 'Yıldız' });
    const report = await t.nexfit.workflows.syncInstructorNames();
    expect(report).toMatchObject({ classesRenamed: 2, missingUsers: 0 });
    expect(report.instructors).toBeGreaterThanOrEqual(2);

    const renamed = await t.nexfit.repositories.classes.getById(yoga.id); // through the cache: invalidated
    expect(renamed.instructor).toEqual({ userId: coach.id, name: 'Elif Yıldız' });
    expect(renamed.version).toBe(yoga.version + 1);
    expect((await t.nexfit.repositories.classes.getById(pilates.id)).instructor.name).toBe('Elif Yıldız');
    expect(await t.nexfit.repositories.classes.getById(spin.id)).toEqual(spin);

    expect((await t.nexfit.workflows.syncInstructorNames()).classesRenamed).toBe(0); // idempotent
  });
});
