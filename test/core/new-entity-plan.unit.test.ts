import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ENTITY_MANAGED_FIELDS, entityFields } from '../../src/core/entity-schema.js';
import { planNewEntity } from '../../src/core/new-entity-plan.js';
import { createUserInputSchema, userSchema, type User } from '../../src/modules/users/user.schema.js';
import { createWorkoutLogInputSchema, workoutLogSchema, type WorkoutLog } from '../../src/modules/workouts/workout-log.schema.js';

const ID = '65f0c0ffee0000000000abcd';
const NOW = new Date('2026-03-01T08:00:00.000Z');
const assigned = (overrides: Record<string, unknown> = {}) => ({ id: ID, schemaVersion: 1, version: 1, createdAt: NOW, updatedAt: NOW, ...overrides });
const userPlan = () => planNewEntity<User>(userSchema, createUserInputSchema, ENTITY_MANAGED_FIELDS)!;
const parsedUser = (input: Record<string, unknown> = {}) =>
  createUserInputSchema.parse({ email: 'Ayse@Example.com', firstName: 'Ayşe', lastName: 'Yılmaz', role: ['client'], ...input }) as Record<string, unknown>;

/** A small entity whose create schema defaults `label` to `value`. */
function labelledSchemas(value: string) {
  const label = z.string().min(3);
  const entity = z.strictObject({ ...entityFields('ThingId'), label });
  const create = z.strictObject({ label: label.default(value) });
  return { entity, create };
}

describe('planNewEntity', () => {
  it('assembles the entity the whole entity schema would parse, keys in its order', () => {
    const parsed = parsedUser({ phoneNumber: '+905551234567', roleSpecificData: { client: { height: 172, fitnessLevel: 'beginner' } } });
    const entity = userPlan().assemble(parsed, assigned());
    const reference = userSchema.parse({ ...parsed, ...assigned() });
    expect(entity).toStrictEqual(reference);
    expect(Object.keys(entity!)).toEqual(Object.keys(reference));
  });

  it('fills the defaults of the create schema when the entity schema accepts them', () => {
    const entity = userPlan().assemble(parsedUser(), assigned());
    expect(entity).toMatchObject({ isActive: true, roleSpecificData: {}, email: 'ayse@example.com' });
  });

  it('vouches for nothing when an entity-wide rule fails: role data for a role the user does not have', () => {
    const parsed = { ...parsedUser(), roleSpecificData: { coach: { ratings: 0, reviewCount: 0, isFreelance: true } } };
    expect(userPlan().assemble(parsed, assigned())).toBeUndefined();
    expect(userSchema.safeParse({ ...parsed, ...assigned() }).success).toBe(false);
  });

  it('vouches for nothing when an assigned value is invalid', () => {
    expect(userPlan().assemble(parsedUser(), assigned({ id: 'not-an-id' }))).toBeUndefined();
    expect(userPlan().assemble(parsedUser(), assigned({ version: 0 }))).toBeUndefined();
    expect(userPlan().assemble(parsedUser(), assigned({ createdAt: new Date('1700-01-01T00:00:00Z') }))).toBeUndefined();
  });

  it('validates a constant assigned value again when it changes', () => {
    const plan = userPlan();
    expect(plan.assemble(parsedUser(), assigned())).toBeDefined();
    expect(plan.assemble(parsedUser(), assigned({ schemaVersion: 1.5 }))).toBeUndefined();
  });

  it('vouches for nothing when the input holds a field the entity has no schema for, or one the create schema did not parse', () => {
    expect(userPlan().assemble({ ...parsedUser(), passwordHash: 'scrypt$x' }, assigned())).toBeUndefined();
    expect(userPlan().assemble({ ...parsedUser(), erasedAt: NOW }, assigned())).toBeUndefined();
  });

  it('vouches for nothing when a required field is missing', () => {
    const { firstName: _dropped, ...parsed } = parsedUser();
    expect(userPlan().assemble(parsed, assigned())).toBeUndefined();
  });

  it('does not trust a create default that the entity field refuses', () => {
    const refused = labelledSchemas('x');
    expect(planNewEntity(refused.entity, refused.create, ENTITY_MANAGED_FIELDS)!.assemble({ label: 'x' }, assigned())).toBeUndefined();
    const accepted = labelledSchemas('thing');
    expect(planNewEntity(accepted.entity, accepted.create, ENTITY_MANAGED_FIELDS)!.assemble({ label: 'thing' }, assigned())).toMatchObject({ label: 'thing' });
  });

  it('parses a field the create schema parses its own way with the entity field alone: sets given in pounds', () => {
    const plan = planNewEntity<WorkoutLog>(workoutLogSchema, createWorkoutLogInputSchema, ENTITY_MANAGED_FIELDS)!;
    const parsed = createWorkoutLogInputSchema.parse({
      userId: ID,
      startTime: '2026-03-01T07:00:00Z',
      endTime: '2026-03-01T08:00:00Z',
      exercises: [{ exerciseId: ID, sets: [{ reps: 5, weightIn: { value: 225, unit: 'lb' }, completed: true }, { reps: 8, weight: 70, completed: false }] }],
    }) as Record<string, unknown>;
    const entity = plan.assemble(parsed, assigned());
    expect(entity).toStrictEqual(workoutLogSchema.parse({ ...parsed, ...assigned() }));
    expect(entity!.exercises[0]!.sets[0]).toMatchObject({ weight: expect.closeTo(102.06, 2), weightUnit: 'lb' });
  });

  it('vouches for nothing when a field the create schema parsed its own way fails the entity field', () => {
    const shortened = (to: number) => {
      const label = z.string().min(3);
      const entity = z.strictObject({ ...entityFields('ThingId'), label });
      const create = z.strictObject({ label: z.string().transform((s) => s.slice(0, to)) });
      return planNewEntity(entity, create, ENTITY_MANAGED_FIELDS)!.assemble(create.parse({ label: 'thing' }), assigned());
    };
    expect(shortened(2)).toBeUndefined();
    expect(shortened(4)).toMatchObject({ label: 'thin' });
  });

  it('has no plan for schemas that are not plain objects', () => {
    const entity = z.union([z.strictObject({ ...entityFields('ThingId'), a: z.string() }), z.strictObject({ ...entityFields('ThingId'), b: z.string() })]);
    expect(planNewEntity(entity, z.strictObject({ a: z.string() }), ENTITY_MANAGED_FIELDS)).toBeUndefined();
  });
});
