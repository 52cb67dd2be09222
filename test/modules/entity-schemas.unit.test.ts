import { describe, expect, it } from 'vitest';
import { buildEntity, buildStored, createInputs, ENTITY_COLLECTIONS, entitySchemas, oid } from './support/factories.js';

const codes = (r: { success: boolean; error?: { issues: { code: string; path: PropertyKey[] }[] } }) =>
  r.error?.issues.map((i) => `${i.path.join('.')}:${i.code}`) ?? [];

describe.each(ENTITY_COLLECTIONS)('%s schemas', (collection) => {
  const schemas = entitySchemas[collection];
  const valid = () => createInputs[collection]() as Record<string, unknown>;

  it('accepts the factory create input and builds a valid entity and stored document', () => {
    expect(schemas.create.safeParse(valid()).success).toBe(true);
    expect(() => buildEntity(collection)).not.toThrow();
    expect(() => buildStored(collection)).not.toThrow();
  });

  it('refuses unknown keys such as $where, __proto__ and constructor', () => {
    expect(codes(schemas.create.safeParse({ ...valid(), $where: 'sleep(1000)' }))).toContain(':unrecognized_keys');
    expect(codes(schemas.create.safeParse(JSON.parse(`{"__proto__": {"isAdmin": true}, ${JSON.stringify(valid()).slice(1)}`)))).toContain(':unrecognized_keys');
    expect(codes(schemas.create.safeParse({ ...valid(), constructor: {} }))).toContain(':unrecognized_keys');
    expect(schemas.entity.safeParse({ ...buildEntity(collection), 'a.b': 1 }).success).toBe(false);
  });

  it('refuses managed fields on create: id, version, schemaVersion, timestamps', () => {
    for (const key of ['id', 'version', 'schemaVersion', 'createdAt', 'updatedAt']) {
      expect(schemas.create.safeParse({ ...valid(), [key]: key === 'id' ? oid(9) : 1 }).success, key).toBe(false);
    }
  });

  it('refuses NaN and Infinity in the entity version', () => {
    expect(schemas.entity.safeParse({ ...buildEntity(collection), version: Number.NaN }).success).toBe(false);
    expect(schemas.entity.safeParse({ ...buildEntity(collection), version: Number.POSITIVE_INFINITY }).success).toBe(false);
  });

  it('refuses a malformed id', () => {
    expect(codes(schemas.entity.safeParse({ ...buildEntity(collection), id: 'not-an-id' }))).toContain('id:invalid_format');
    expect(schemas.entity.safeParse({ ...buildEntity(collection), id: { $ne: null } }).success).toBe(false);
  });

  it('refuses immutable fields and empty patches', () => {
    expect(codes(schemas.patch.safeParse({ [schemas.immutable]: oid(9) }))).toContain(':unrecognized_keys');
    expect(schemas.patch.safeParse({}).success).toBe(false);
  });
});

describe('bounds', () => {
  it('refuses an oversized name and an oversized list', () => {
    expect(entitySchemas.exercises.create.safeParse(createInputs.exercises({ name: 'x'.repeat(201) })).success).toBe(false);
    const tags = Array.from({ length: 101 }, (_, i) => `t${i}`);
    expect(entitySchemas.foods.create.safeParse(createInputs.foods({ tags })).success).toBe(false);
  });

  it('refuses negative amounts, fractional kuruş and NaN', () => {
    expect(entitySchemas.memberships.create.safeParse(createInputs.memberships({ price: -1 })).success).toBe(false);
    expect(entitySchemas.memberships.create.safeParse(createInputs.memberships({ price: 10.5 })).success).toBe(false);
    expect(entitySchemas.memberships.create.safeParse(createInputs.memberships({ price: Number.NaN })).success).toBe(false);
  });

  it('refuses ratings outside 1–5 and percentages above 100', () => {
    const log = createInputs.workout_logs({ feedback: { rating: 6 } });
    expect(entitySchemas.workout_logs.create.safeParse(log).success).toBe(false);
    expect(entitySchemas.measurements.create.safeParse(createInputs.measurements({ measurements: { bodyFatPercentage: 101 } })).success).toBe(false);
  });

  it('refuses a wrong enum value', () => {
    expect(codes(entitySchemas.facilities.create.safeParse(createInputs.facilities({ type: 'pool' as never })))).toContain('type:invalid_value');
  });

  it('refuses dates outside 1900–2200 and numbers as dates', () => {
    expect(entitySchemas.class_bookings.create.safeParse(createInputs.class_bookings({ date: '2300-01-01T00:00:00Z' })).success).toBe(false);
    expect(entitySchemas.class_bookings.create.safeParse(createInputs.class_bookings({ date: 0 as never })).success).toBe(false);
  });
});

describe('users', () => {
  it('normalises the e-mail and the phone number', () => {
    const user = entitySchemas.users.create.parse(createInputs.users({ email: '  Ayşe.İLKER@Example.COM ' }));
    expect(user.email).toBe('ayşe.İlker@example.com');
    expect(user.phoneNumber).toBe('+905551234567');
  });

  it('refuses role data for a role the user does not have', () => {
    const input = createInputs.users({ role: ['client'] });
    expect(codes(entitySchemas.users.create.safeParse(input))).toContain('roleSpecificData:custom');
  });

  it('refuses an empty or repeated role list', () => {
    expect(entitySchemas.users.create.safeParse(createInputs.users({ role: [], roleSpecificData: {} })).success).toBe(false);
    expect(entitySchemas.users.create.safeParse(createInputs.users({ role: ['coach', 'coach'], roleSpecificData: {} })).success).toBe(false);
  });

  it('defines role data for all eight roles', () => {
    const facilityId = oid(40);
    const all = entitySchemas.users.create.parse(
      createInputs.users({
        role: ['client', 'coach', 'gym_owner', 'gym_member', 'gym_coach', 'studio_owner', 'studio_coach', 'studio_client'],
        roleSpecificData: {
          client: {},
          coach: {},
          gym_owner: { businessName: 'Moda Spor A.Ş.', taxId: '1234567890' },
          gym_member: { facilityId, memberSince: '2025-01-01', emergencyContact: { name: 'Mehmet', phoneNumber: '+905551112233' } },
          gym_coach: { facilityId, employmentType: 'part_time' },
          studio_owner: { businessName: 'Nefes Stüdyo' },
          studio_coach: { facilityId, classTypes: ['pilates'] },
          studio_client: { facilityId },
        },
      }),
    );
    expect(all.roleSpecificData.coach).toEqual({ ratings: 0, reviewCount: 0, isFreelance: true });
  });

  it('keeps passwordHash out of the API shape', () => {
    const stored = buildStored('users');
    expect(stored['passwordHash']).toBeTypeOf('string');
    expect(entitySchemas.users.entity.safeParse(stored).success).toBe(false);
    expect('passwordHash' in entitySchemas.users.entity.shape).toBe(false);
  });
});

describe('domain rules', () => {
  it('keeps a package balanced: used + remaining === total', () => {
    const input = createInputs.coach_clients({
      package: { name: 'p', sessions: { total: 10, used: 3, remaining: 8 }, price: 100, startDate: new Date() },
    });
    expect(codes(entitySchemas.coach_clients.create.safeParse(input))).toContain('package.sessions.remaining:custom');
  });

  it('keeps programme days unique, 1-based and within the duration', () => {
    const late = createInputs.workout_programs({ metadata: { difficulty: 'beginner', duration: 1 } });
    expect(entitySchemas.workout_programs.create.safeParse(late).success).toBe(false);
    const zero = createInputs.workout_programs({ schedule: [{ day: 0, isRestDay: true }] });
    expect(entitySchemas.workout_programs.create.safeParse(zero).success).toBe(false);
    const restWithWorkout = createInputs.workout_programs({ schedule: [{ day: 1, isRestDay: true, workoutTemplateId: oid(20) }] });
    expect(entitySchemas.workout_programs.create.safeParse(restWithWorkout).success).toBe(false);
  });

  it('refuses a discount price that is not below the price', () => {
    const input = createInputs.workout_programs({ pricing: { price: 100, discountPrice: 100, isDiscounted: true } });
    expect(entitySchemas.workout_programs.create.safeParse(input).success).toBe(false);
  });

  it('refuses a session or class that ends before it starts', () => {
    expect(entitySchemas.pt_sessions.create.safeParse(createInputs.pt_sessions({ endTime: new Date('2026-03-01T06:00:00Z') })).success).toBe(false);
    const schedule = { startTime: '2026-03-02T07:00:00Z', endTime: '2026-03-02T06:00:00Z' };
    expect(entitySchemas.classes.create.safeParse(createInputs.classes({ schedule })).success).toBe(false);
  });

  it('fills recurrence defaults and refuses an interval below 1 or weekday 7', () => {
    const once = entitySchemas.classes.create.parse(createInputs.classes({ schedule: { startTime: '2026-03-02T06:00:00Z', endTime: '2026-03-02T07:00:00Z' } }));
    expect(once.schedule.recurrence).toEqual({ frequency: 'once', interval: 1, weekdays: [] });
    const bad = (recurrence: object) => createInputs.classes({ schedule: { startTime: '2026-03-02T06:00:00Z', endTime: '2026-03-02T07:00:00Z', recurrence: recurrence as never } });
    expect(entitySchemas.classes.create.safeParse(bad({ frequency: 'weekly', interval: 0 })).success).toBe(false);
    expect(entitySchemas.classes.create.safeParse(bad({ frequency: 'weekly', weekdays: [7] })).success).toBe(false);
  });

  it('requires cancelledAt exactly for a cancelled booking', () => {
    expect(entitySchemas.class_bookings.create.safeParse(createInputs.class_bookings({ status: 'cancelled' })).success).toBe(false);
    expect(entitySchemas.class_bookings.create.safeParse(createInputs.class_bookings({ status: 'cancelled', cancelledAt: new Date() })).success).toBe(true);
  });

  it('derives the stored-only fields', () => {
    expect(buildStored('exercises')['searchName']).toBe('sinav');
    expect((buildStored('facilities')['address'] as { location: unknown }).location).toEqual({ type: 'Point', coordinates: [29.03, 40.98] });
    expect(buildStored('class_bookings')['holdsSeat']).toBe(true);
    expect(buildStored('coach_clients')['isOpen']).toBe(true);
    expect(entitySchemas.class_bookings.stored.safeParse({ ...buildStored('class_bookings'), holdsSeat: false }).success).toBe(false);
  });

  it('defaults the facility time zone to Europe/Istanbul and refuses an unknown zone', () => {
    expect(entitySchemas.facilities.create.parse(createInputs.facilities()).timezone).toBe('Europe/Istanbul');
    expect(entitySchemas.facilities.create.safeParse(createInputs.facilities({ timezone: 'Mars/Olympus' })).success).toBe(false);
  });

  it('refuses HH:mm times out of range and an invalid GeoJSON point', () => {
    const hours = [{ day: 1 as const, openTime: '24:00', closeTime: '23:00', isClosed: false }];
    expect(entitySchemas.facilities.create.safeParse(createInputs.facilities({ operatingHours: hours })).success).toBe(false);
    const location = { type: 'Point' as const, coordinates: [200, 40] as [number, number] };
    expect(entitySchemas.workout_logs.create.safeParse(createInputs.workout_logs({ location })).success).toBe(false);
  });

  it('lets a patch clear an optional field with null', () => {
    expect(entitySchemas.users.patch.parse({ profileImage: null })).toEqual({ profileImage: null });
    expect(entitySchemas.users.patch.safeParse({ firstName: null }).success).toBe(false);
  });
});
