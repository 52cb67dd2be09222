import { z } from 'zod';
import { entityFields, patchSchemaOf, pickFields } from '../../core/entity-schema.js';
import { idSchema } from '../../core/ids.js';
import {
  emailSchema,
  instantSchema,
  labelListSchema,
  labelSchema,
  longTextSchema,
  moneyAmountSchema,
  nameSchema,
  phoneSchema,
  requiredText,
  urlSchema,
  averageRatingSchema,
  countSchema,
} from '../../core/schema-primitives.js';
import { VALIDATION_MESSAGES as M } from '../../core/validation-messages.js';

/**
 * Users: every kind of person on the platform in one collection (seed: `users`), with a
 * role array and one block of role-specific data per role.
 *
 * @example
 * ```ts
 * const input = createUserInputSchema.parse({ email: 'Ayse@Example.com', firstName: 'Ayşe', lastName: 'Yılmaz', role: ['client'] })
 * input.email // 'ayse@example.com'
 * ```
 */
export const USER_ROLES = [
  'client',
  'coach',
  'gym_owner',
  'gym_member',
  'gym_coach',
  'studio_owner',
  'studio_coach',
  'studio_client',
] as const;
/** One of the eight roles a user can hold (SPEC decision 2). */
export type UserRole = (typeof USER_ROLES)[number];

/** The fitness levels a client's profile can state. */
export const FITNESS_LEVELS = ['beginner', 'intermediate', 'advanced', 'athlete'] as const;
/** A client's self-assessed fitness level. */
export type FitnessLevel = (typeof FITNESS_LEVELS)[number];

/** How a facility coach is engaged. */
export const EMPLOYMENT_TYPES = ['full_time', 'part_time', 'contractor'] as const;
/** How a coach is employed at a facility: full time, part time or as a contractor. */
export type EmploymentType = (typeof EMPLOYMENT_TYPES)[number];

const emergencyContactSchema = z.strictObject({
  name: nameSchema,
  phoneNumber: phoneSchema,
  relationship: labelSchema.optional(),
});

/** Seed fields of a personal client. Height in centimetres, weight in kilograms. */
export const clientRoleDataSchema = z.strictObject({
  dateOfBirth: instantSchema.optional(),
  height: z.number().min(30).max(300).optional(),
  weight: z.number().min(2).max(700).optional(),
  fitnessGoals: labelListSchema.optional(),
  fitnessLevel: z.enum(FITNESS_LEVELS).optional(),
  dietaryRestrictions: labelListSchema.optional(),
  medicalConditions: labelListSchema.optional(),
  assignedCoachId: idSchema('UserId').optional(),
});

/** Seed fields of a freelance or facility coach; `ratings` is the 0–5 average of `reviewCount` reviews. */
export const coachRoleDataSchema = z.strictObject({
  specializations: labelListSchema.optional(),
  bio: longTextSchema.optional(),
  experience: z.number().min(0).max(80).describe('Years of experience').optional(),
  certifications: labelListSchema.optional(),
  ratings: averageRatingSchema.default(0),
  reviewCount: countSchema.default(0),
  isFreelance: z.boolean().default(true),
  hourlyRate: moneyAmountSchema('Hourly rate').optional(),
});

/** Seed fields of a business owner; a studio owner has the same shape. */
export const businessOwnerRoleDataSchema = z.strictObject({
  businessName: nameSchema,
  businessAddress: requiredText(500).optional(),
  businessPhoneNumber: phoneSchema.optional(),
  businessEmail: emailSchema.optional(),
  taxId: requiredText(50).optional(),
});

/** A member of a gym: the facility it belongs to, since when, and whom to call. */
export const gymMemberRoleDataSchema = z.strictObject({
  facilityId: idSchema('FacilityId'),
  memberSince: instantSchema,
  membershipNumber: requiredText(50).optional(),
  emergencyContact: emergencyContactSchema.optional(),
});

/** A coach employed by (or contracted to) a gym. */
export const gymCoachRoleDataSchema = z.strictObject({
  facilityId: idSchema('FacilityId'),
  specializations: labelListSchema.optional(),
  certifications: labelListSchema.optional(),
  employmentType: z.enum(EMPLOYMENT_TYPES).optional(),
  hourlyRate: moneyAmountSchema('Hourly rate').optional(),
});

/** A coach teaching at a studio, with the class types taught. */
export const studioCoachRoleDataSchema = z.strictObject({
  facilityId: idSchema('FacilityId'),
  specializations: labelListSchema.optional(),
  classTypes: labelListSchema.optional(),
  bio: longTextSchema.optional(),
});

/** A client of a studio. */
export const studioClientRoleDataSchema = z.strictObject({
  facilityId: idSchema('FacilityId'),
  memberSince: instantSchema.optional(),
  preferredClassTypes: labelListSchema.optional(),
  emergencyContact: emergencyContactSchema.optional(),
});

/** One optional block per role (SPEC decision 2 defines the shapes the seed elides). */
export const roleSpecificDataSchema = z.strictObject({
  client: clientRoleDataSchema.optional(),
  coach: coachRoleDataSchema.optional(),
  gym_owner: businessOwnerRoleDataSchema.optional(),
  gym_member: gymMemberRoleDataSchema.optional(),
  gym_coach: gymCoachRoleDataSchema.optional(),
  studio_owner: businessOwnerRoleDataSchema.optional(),
  studio_coach: studioCoachRoleDataSchema.optional(),
  studio_client: studioClientRoleDataSchema.optional(),
});

/** The roles of a user: at least one, each at most once. */
export const userRolesSchema = z
  .array(z.enum(USER_ROLES))
  .min(1)
  .max(USER_ROLES.length)
  .refine((roles) => new Set(roles).size === roles.length, { error: M.uniqueItems.en });

/** A password as typed: 8–128 characters (the upper bound keeps the KDF's input bounded). */
export const passwordSchema = z.string().min(8).max(128);

const userFields = {
  email: emailSchema,
  firstName: requiredText(100),
  lastName: requiredText(100),
  profileImage: urlSchema.optional(),
  phoneNumber: phoneSchema.optional(),
  role: userRolesSchema,
  isActive: z.boolean(),
  fcmToken: requiredText(4_096).describe('Firebase Cloud Messaging registration token').optional(),
  roleSpecificData: roleSpecificDataSchema,
};

/** Role data is allowed only for roles the user has. */
function roleDataMatchesRoles(user: { role: readonly UserRole[]; roleSpecificData: Partial<Record<UserRole, unknown>> }): boolean {
  return Object.entries(user.roleSpecificData).every(([role, data]) => data === undefined || user.role.includes(role as UserRole));
}
const roleDataRule = { error: M.roleDataWithoutRole.en, path: ['roleSpecificData'] };

/**
 * Set only by the erasure workflow (KVKK/GDPR right to erasure): the account is an anonymised
 * tombstone kept so that retained financial records still point at an id. Never an input.
 */
export const userErasureFields = {
  erasedAt: instantSchema.describe('When the personal data of this account was erased').optional(),
};

/** A user as the API returns it. Never has `passwordHash` (SPEC decision 3). */
export const userSchema = z.strictObject({ ...entityFields('UserId'), ...userFields, ...userErasureFields }).refine(roleDataMatchesRoles, roleDataRule);

/** Fields only the stored document has: the KDF hash of the password. */
export const userDocumentFields = {
  passwordHash: z.string().min(1).max(1_024),
};

/** The stored `users` document: {@link userSchema} plus {@link userDocumentFields}. */
export const storedUserSchema = z
  .strictObject({ ...entityFields('UserId'), ...userFields, ...userErasureFields, ...userDocumentFields })
  .refine(roleDataMatchesRoles, roleDataRule);

/** Profile data of a new user; `isActive` defaults to true and `roleSpecificData` to `{}`. */
export const createUserInputSchema = z
  .strictObject({
    ...userFields,
    isActive: userFields.isActive.default(true),
    roleSpecificData: roleSpecificDataSchema.default({}),
  })
  .refine(roleDataMatchesRoles, roleDataRule);

/** Registration: a new user's profile plus the password to hash. */
export const registerUserInputSchema = z
  .strictObject({
    ...userFields,
    isActive: userFields.isActive.default(true),
    roleSpecificData: roleSpecificDataSchema.default({}),
    password: passwordSchema,
  })
  .refine(roleDataMatchesRoles, roleDataRule);

/**
 * Editable fields. `email` changes go through the auth service (uniqueness, verification);
 * role and role-data consistency is checked again on the merged user.
 */
export const patchUserInputSchema = patchSchemaOf(
  pickFields(userFields, ['firstName', 'lastName', 'profileImage', 'phoneNumber', 'role', 'isActive', 'fcmToken', 'roleSpecificData']),
);

/** The per-role profile blocks of a user, keyed by role; only roles the user holds may have one. */
export type RoleSpecificData = z.output<typeof roleSpecificDataSchema>;
/** A user as the SDK returns it: never with `passwordHash`. */
export type User = z.output<typeof userSchema>;
/** A stored `users` document (see `storedUserSchema`). */
export type StoredUser = z.output<typeof storedUserSchema>;
/** What a caller passes to create a user (ids as strings, dates as `Date` or ISO strings, defaults optional). */
export type CreateUserInput = z.input<typeof createUserInputSchema>;
/** A parsed create input: normalised, branded ids, defaults filled. */
export type CreateUserData = z.output<typeof createUserInputSchema>;
/** What a caller passes to register a user: the profile plus the clear-text password, which is hashed and never stored. */
export type RegisterUserInput = z.input<typeof registerUserInputSchema>;
/** A parsed registration: normalised e-mail, branded ids, defaults filled. */
export type RegisterUserData = z.output<typeof registerUserInputSchema>;
/** What a caller passes to update a user: any subset of its changeable fields, `null` to clear an optional one. */
export type PatchUserInput = z.input<typeof patchUserInputSchema>;
/** A parsed update of a user. */
export type PatchUserData = z.output<typeof patchUserInputSchema>;

/** The API view of a stored user: everything but the password hash. */
export function userFromStored(stored: StoredUser): User {
  const { passwordHash: _secret, ...user } = stored;
  return user;
}
