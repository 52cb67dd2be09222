import { z } from 'zod';
import { entityFields, patchSchemaOf, pickFields } from '../../core/entity-schema.js';
import { idSchema } from '../../core/ids.js';
import {
  boundedArray,
  coordinatesSchema,
  countSchema,
  DEFAULT_TIME_ZONE,
  emailSchema,
  geoPointSchema,
  instantSchema,
  labelListSchema,
  labelSchema,
  longTextSchema,
  nameSchema,
  phoneSchema,
  requiredText,
  timeOfDaySchema,
  timeZoneSchema,
  toGeoPoint,
  uniqueArray,
  urlSchema,
  weekdaySchema,
} from '../../core/schema-primitives.js';
import { VALIDATION_MESSAGES as M } from '../../core/validation-messages.js';

/**
 * Gyms and studios (seed: `facilities`). Opening hours are wall-clock `HH:mm` times in the
 * facility's IANA `timezone` (SPEC decision 6). The API keeps `address.coordinates`
 * (`{ latitude, longitude }`); the stored document adds `address.location`, the GeoJSON
 * point `[longitude, latitude]` that carries the 2dsphere index (SPEC decision 4).
 *
 * @example
 * ```ts
 * createFacilityInputSchema.parse({ name: 'Kadıköy Gym', type: 'gym', ownerId, address: { street: 'Moda Cd. 1', city: 'İstanbul', country: 'TR', coordinates: { latitude: 40.98, longitude: 29.03 } } })
 * ```
 */
export const FACILITY_TYPES = ['gym', 'studio'] as const;
/** The kind of a facility: a gym or a studio. */
export type FacilityType = (typeof FACILITY_TYPES)[number];

/** The roles a staff member can have at a facility. */
export const FACILITY_STAFF_ROLES = ['manager', 'coach', 'receptionist', 'instructor', 'maintenance', 'other'] as const;
/** A staff member's role at a facility. */
export type FacilityStaffRole = (typeof FACILITY_STAFF_ROLES)[number];

/** What a staff member may do at the facility; read by the access policy. */
export const FACILITY_PERMISSIONS = [
  'manage_facility',
  'manage_staff',
  'manage_memberships',
  'manage_classes',
  'manage_bookings',
  'check_in_members',
  'view_members',
  'view_reports',
  'manage_billing',
] as const;
/** A permission a facility grants one of its staff. */
export type FacilityPermission = (typeof FACILITY_PERMISSIONS)[number];

/** A facility's address with its coordinates (`{ latitude, longitude }`). */
export const addressSchema = z.strictObject({
  street: requiredText(300),
  city: requiredText(100),
  state: requiredText(100).optional(),
  zipCode: requiredText(20).optional(),
  country: requiredText(100),
  coordinates: coordinatesSchema,
});

/** How to reach a facility: phone, e-mail, website. */
export const facilityContactSchema = z.strictObject({
  phoneNumber: phoneSchema.optional(),
  email: emailSchema.optional(),
  website: urlSchema.optional(),
});

/** A facility's logo, photos and virtual tour. */
export const facilityMediaSchema = z.strictObject({
  logo: urlSchema.optional(),
  images: boundedArray(urlSchema, 50).optional(),
  virtualTour: urlSchema.optional(),
});

/**
 * Opening hours of one weekday (0 = Sunday). A `closeTime` at or before `openTime` means the
 * facility closes after midnight.
 */
export const operatingHoursSchema = z.strictObject({
  day: weekdaySchema,
  openTime: timeOfDaySchema,
  closeTime: timeOfDaySchema,
  isClosed: z.boolean(),
});

/** One kind of equipment a facility has: name, category, brand and how many. */
export const equipmentSchema = z.strictObject({
  name: nameSchema,
  category: labelSchema.optional(),
  quantity: countSchema.max(100_000),
  brand: labelSchema.optional(),
});

/** A staff member of a facility: the user, their role, permissions and when they joined. */
export const staffMemberSchema = z.strictObject({
  userId: idSchema('UserId'),
  role: z.enum(FACILITY_STAFF_ROLES),
  permissions: uniqueArray(z.enum(FACILITY_PERMISSIONS), FACILITY_PERMISSIONS.length),
  joinedAt: instantSchema,
});

/** The facility's own plan on the platform (what the business pays NexFit for). */
export const facilitySubscriptionPlanSchema = z.strictObject({
  planId: requiredText(36),
  startDate: instantSchema,
  endDate: instantSchema.optional(),
  isActive: z.boolean(),
});

const facilityFields = {
  name: nameSchema,
  type: z.enum(FACILITY_TYPES),
  description: longTextSchema.optional(),
  timezone: timeZoneSchema,
  address: addressSchema,
  contact: facilityContactSchema,
  media: facilityMediaSchema,
  operatingHours: uniqueArray(operatingHoursSchema, 7, (h) => h.day),
  amenities: labelListSchema,
  features: labelListSchema,
  equipments: boundedArray(equipmentSchema),
  ownerId: idSchema('UserId'),
  staff: uniqueArray(staffMemberSchema, 500, (s) => s.userId),
  subscriptionPlan: facilitySubscriptionPlanSchema.optional(),
};

/** A facility as the SDK returns it; its TypeScript type is inferred from this schema. */
export const facilitySchema = z.strictObject({ ...entityFields('FacilityId'), ...facilityFields });

/** The stored address: the API address plus its derived GeoJSON point. */
export const storedAddressSchema = z.strictObject({ ...addressSchema.shape, location: geoPointSchema });

/** A stored `facilities` document: the facility with its stored-only fields; the collection's `$jsonSchema` validator is generated from it. */
export const storedFacilitySchema = z
  .strictObject({ ...entityFields('FacilityId'), ...facilityFields, address: storedAddressSchema })
  .refine(
    (f) => f.address.location.coordinates[0] === f.address.coordinates.longitude && f.address.location.coordinates[1] === f.address.coordinates.latitude,
    { error: M.derivedField.en, path: ['address', 'location'] },
  );

/** Validates the input that creates a facility; fills its defaults. */
export const createFacilityInputSchema = z.strictObject({
  ...facilityFields,
  timezone: timeZoneSchema.default(DEFAULT_TIME_ZONE),
  contact: facilityContactSchema.default({}),
  media: facilityMediaSchema.default({}),
  operatingHours: facilityFields.operatingHours.default([]),
  amenities: facilityFields.amenities.default([]),
  features: facilityFields.features.default([]),
  equipments: facilityFields.equipments.default([]),
  staff: facilityFields.staff.default([]),
});

/** Ownership moves through a dedicated transfer operation, not a patch. */
export const patchFacilityInputSchema = patchSchemaOf(
  pickFields(facilityFields, [
    'name',
    'type',
    'description',
    'timezone',
    'address',
    'contact',
    'media',
    'operatingHours',
    'amenities',
    'features',
    'equipments',
    'staff',
    'subscriptionPlan',
  ]),
);

/** A facility's address with its coordinates. */
export type Address = z.output<typeof addressSchema>;
/** The opening hours of one weekday, in the facility's time zone. */
export type OperatingHours = z.output<typeof operatingHoursSchema>;
/** A staff member of a facility. */
export type StaffMember = z.output<typeof staffMemberSchema>;
/** A facility as the SDK returns it. */
export type Facility = z.output<typeof facilitySchema>;
/** A stored `facilities` document (see `storedFacilitySchema`). */
export type StoredFacility = z.output<typeof storedFacilitySchema>;
/** What a caller passes to create a facility (ids as strings, dates as `Date` or ISO strings, defaults optional). */
export type CreateFacilityInput = z.input<typeof createFacilityInputSchema>;
/** A parsed create input of a facility: normalised, branded ids, defaults filled. */
export type CreateFacilityData = z.output<typeof createFacilityInputSchema>;
/** What a caller passes to update a facility: any subset of its changeable fields, `null` to clear an optional one. */
export type PatchFacilityInput = z.input<typeof patchFacilityInputSchema>;
/** A parsed update of a facility. */
export type PatchFacilityData = z.output<typeof patchFacilityInputSchema>;

/**
 * The stored-only fields of a facility, as top-level fields to merge over its encoded
 * document: the whole `address` (it holds no ids) with `location` derived from `coordinates`.
 */
export function facilityDerivedFields(facility: Pick<Facility, 'address'>): Pick<StoredFacility, 'address'> {
  return { address: { ...facility.address, location: toGeoPoint(facility.address.coordinates) } };
}

/** The stored document of a facility: adds `address.location` from `address.coordinates`. */
export function facilityToStored(facility: Facility): StoredFacility {
  return { ...facility, ...facilityDerivedFields(facility) };
}

/** The API view of a stored facility. */
export function facilityFromStored(stored: StoredFacility): Facility {
  const { location: _derived, ...address } = stored.address;
  return { ...stored, address };
}
