/**
 * `@nexfit/sdk/schemas`: the zod schemas, value sets and inferred types of every NexFit
 * entity, with no driver import (no `mongodb`, `pg`, `kysely`), so a front end can validate
 * forms with exactly the rules the SDK and the databases apply. Only what host apps use is
 * exported, by name: the stored shapes, codecs and schema-building helpers stay inside the SDK
 * (`npx tsx scripts/list-exports.ts` prints the list).
 *
 * @example
 * ```ts
 * import { createUserInputSchema, parseOrThrow } from '@nexfit/sdk/schemas';
 * const input = parseOrThrow(createUserInputSchema, form, { locale: 'tr' });
 * ```
 *
 * @packageDocumentation
 */
export {
  DEFAULT_TIME_ZONE, LIMITS, MAX_DATE, MIN_DATE, WEEKDAYS, averageRatingSchema, calendarDateSchema,
  coordinatesSchema, countSchema, currencyWithDefaultSchema, emailSchema, geoPointSchema,
  instantSchema, isTimeZone, isoWeekSchema, jsonObjectSchema, jsonValueSchema, labelListSchema,
  labelSchema, longTextSchema, moneyAmountSchema, nameSchema, percentageSchema, phoneSchema,
  positiveIntSchema, quantitySchema, ratingSchema, timeOfDaySchema, timeZoneSchema, urlSchema,
  uuidSchema, weekdaySchema, type Coordinates, type GeoPoint, type Weekday
} from './core/schema-primitives.js';
export {
  BODY_AREAS, DIFFICULTY_LEVELS, SERVING_UNITS, type BodyArea, type DifficultyLevel,
  type ServingUnit
} from './core/fitness-vocabulary.js';
export {
  VALIDATION_LOCALES, parseOrThrow, type ParseOptions, type ValidationLocale
} from './core/validation.js';
export {
  idSchema, isObjectIdHex,
  type EntityId, type UserId, type MeasurementId, type MeasurementCategoryId, type ExerciseId, type WorkoutTemplateId, type WorkoutProgramId,
  type WorkoutLogId, type NutritionPlanId, type FoodId, type FoodDiaryEntryId, type FacilityId, type MembershipId, type MemberSubscriptionId,
  type ClassId, type ClassBookingId, type CoachClientId, type PtSessionId, type BusinessId,
} from './core/ids.js';
export { currencyCodeSchema, minorUnitsSchema, signedMinorUnitsSchema, DEFAULT_CURRENCY, type MinorUnits } from './core/money.js';
export { ValidationError, type ValidationIssue } from './core/errors.js';

export {
  EMPLOYMENT_TYPES, FITNESS_LEVELS, USER_ROLES, businessOwnerRoleDataSchema, clientRoleDataSchema,
  coachRoleDataSchema, createUserInputSchema, gymCoachRoleDataSchema, gymMemberRoleDataSchema,
  passwordSchema, patchUserInputSchema, registerUserInputSchema, roleSpecificDataSchema,
  studioClientRoleDataSchema, studioCoachRoleDataSchema, userRolesSchema, userSchema,
  type CreateUserData, type CreateUserInput, type EmploymentType, type FitnessLevel,
  type PatchUserData, type PatchUserInput, type RegisterUserData, type RegisterUserInput,
  type RoleSpecificData, type User, type UserRole
} from './modules/users/user.schema.js';
export {
  ACCOUNT_LINK_RELATIONS, ACCOUNT_LINK_STATUSES, AGE_OF_MAJORITY, MAX_DEPENDANTS_PER_ACCOUNT, accountLinkSchema, linkAccountsInputSchema,
  type AccountLink, type AccountLinkRelation, type AccountLinkStatus, type LinkAccountsInput,
} from './modules/users/account-link.schema.js';
export {
  MEASUREMENT_PHOTO_POSITIONS, MAX_READINGS_PER_DAY, MAX_CUSTOM_VALUES_PER_READING, bodyMeasurementsSchema, createMeasurementInputSchema,
  customMeasurementValueSchema, dayValuesOf, measurementPhotoSchema, measurementReadingSchema, measurementSchema, patchMeasurementInputSchema,
  readingsOfDayValues, readingsOutsideDay, type BodyMeasurements, type CreateMeasurementData, type CreateMeasurementInput, type CustomMeasurementValue, type Measurement,
  type MeasurementPhotoPosition, type MeasurementReading, type PatchMeasurementData, type PatchMeasurementInput
} from './modules/measurements/measurement.schema.js';
export {
  createMeasurementCategoryInputSchema, measurementCategoryNameKey, measurementCategorySchema, patchMeasurementCategoryInputSchema,
  type CreateMeasurementCategoryData, type CreateMeasurementCategoryInput, type MeasurementCategory,
  type PatchMeasurementCategoryData, type PatchMeasurementCategoryInput
} from './modules/measurements/measurement-category.schema.js';
export {
  EXERCISE_TYPES, createExerciseInputSchema, exerciseMediaSchema, exerciseMetadataSchema,
  exerciseSchema, patchExerciseInputSchema, type CreateExerciseData, type CreateExerciseInput,
  type Exercise, type ExerciseType, type PatchExerciseData, type PatchExerciseInput
} from './modules/catalog/exercise.schema.js';
export {
  DIET_FLAGS, NUTRI_SCORE_GRADES, checkedFoodNutrientsSchema, createFoodInputSchema, foodNutrientsSchema,
  foodPortionSchema, foodSchema, patchFoodInputSchema,
  type CreateFoodData, type CreateFoodInput, type DietFlag, type Food, type FoodNutrients, type FoodPortion,
  type NutriScoreGrade, type PatchFoodData, type PatchFoodInput
} from './modules/catalog/food.schema.js';
export { foodBarcodeSchema, isValidFoodBarcode } from './modules/catalog/food-barcode.js';
export {
  SET_TYPES, enteredDistanceSchema, enteredWeightSchema, loggedWorkoutSetInputSchema, loggedWorkoutSetSchema,
  repsPrescriptionSchema, rirPrescriptionSchema, rpeSchema, setTargetSchema, workoutSetInputSchema, workoutSetSchema,
  type LoggedWorkoutSet, type LoggedWorkoutSetInput, type RepsPrescription, type RirPrescription, type SetTarget, type SetType,
  type WorkoutSet, type WorkoutSetInput
} from './modules/workouts/workout-set.schema.js';
export { DISTANCE_UNITS, WEIGHT_UNITS, loadRoundingSchema, type DistanceUnit, type LoadRounding, type WeightUnit } from './modules/workouts/units.js';
export { nextPrescriptionInputSchema, type NextPrescriptionInput } from './modules/workouts/prescription.schema.js';
export {
  reviewsSchema, type Reviews
} from './modules/workouts/reviews.schema.js';
export {
  createWorkoutTemplateInputSchema, patchWorkoutTemplateInputSchema, templateExerciseInputSchema, templateExerciseSchema,
  workoutTemplateMetadataSchema, workoutTemplateSchema, type CreateWorkoutTemplateData,
  type CreateWorkoutTemplateInput, type PatchWorkoutTemplateData, type PatchWorkoutTemplateInput,
  type TemplateExercise, type WorkoutTemplate
} from './modules/workouts/workout-template.schema.js';
export {
  LOAD_CHANGES, MAX_PROGRAM_DAYS, PROGRESSION_PERIODS, createWorkoutProgramInputSchema, deloadRuleSchema,
  loadProgressionRuleSchema, patchWorkoutProgramInputSchema, progressionRuleSchema,
  programDaySchema, programPricingSchema, workoutProgramMetadataSchema, workoutProgramSchema,
  type CreateWorkoutProgramData, type CreateWorkoutProgramInput, type PatchWorkoutProgramData,
  type PatchWorkoutProgramInput, type ProgramDay, type ProgramPricing, type WorkoutProgram,
  type DeloadRule, type LoadProgressionRule, type ProgressionRule
} from './modules/workouts/workout-program.schema.js';
export {
  createWorkoutLogInputSchema, heartRateSchema, loggedExerciseInputSchema, loggedExerciseSchema, patchWorkoutLogInputSchema,
  workoutFeedbackSchema, workoutLogSchema, type CreateWorkoutLogData, type CreateWorkoutLogInput,
  type LoggedExercise, type PatchWorkoutLogData, type PatchWorkoutLogInput, type WorkoutLog
} from './modules/workouts/workout-log.schema.js';
export {
  createNutritionPlanInputSchema, macrosSchema, mealSchema, nutritionPlanMetadataSchema,
  nutritionPlanSchema, nutritionPricingSchema, patchNutritionPlanInputSchema, plannedFoodSchema,
  type CreateNutritionPlanData, type CreateNutritionPlanInput, type Meal, type NutritionPlan,
  type PatchNutritionPlanData, type PatchNutritionPlanInput, type PlannedFood
} from './modules/nutrition/nutrition-plan.schema.js';
export {
  DIARY_MEALS, DIARY_UNITS, createFoodDiaryEntryInputSchema, diaryNutrientsSchema, foodDiaryEntrySchema,
  patchFoodDiaryEntryInputSchema,
  type CreateFoodDiaryEntryData, type CreateFoodDiaryEntryInput, type DiaryNutrients, type DiaryUnit, type FoodDiaryEntry,
  type PatchFoodDiaryEntryData, type PatchFoodDiaryEntryInput
} from './modules/nutrition/food-diary-entry.schema.js';
export {
  FACILITY_PERMISSIONS, FACILITY_STAFF_ROLES, FACILITY_TYPES, addressSchema,
  createFacilityInputSchema, equipmentSchema, facilityContactSchema, facilityMediaSchema,
  facilitySchema, facilitySubscriptionPlanSchema, operatingHoursSchema, patchFacilityInputSchema,
  staffMemberSchema, type Address, type CreateFacilityData, type CreateFacilityInput,
  type Facility, type FacilityPermission, type FacilityStaffRole, type FacilityType,
  type OperatingHours, type PatchFacilityData, type PatchFacilityInput, type StaffMember
} from './modules/facilities/facility.schema.js';
export {
  WAIVER_BODY_MAX, WAIVER_VERSION_MAX, publishWaiverInputSchema, signWaiverInputSchema, waiverSchema, waiverSignatureSchema,
  type PublishWaiverInput, type SignWaiverInput, type Waiver, type WaiverSignature
} from './modules/facilities/waiver.schema.js';
export {
  DURATION_UNITS, createMembershipInputSchema, membershipDurationSchema,
  membershipLimitationsSchema, membershipSchema, patchMembershipInputSchema,
  type CreateMembershipData, type CreateMembershipInput, type DurationUnit, type Membership,
  type MembershipDuration, type MembershipLimitations, type PatchMembershipData,
  type PatchMembershipInput,
  MAX_PLAN_FACILITIES, membershipGuestPassesSchema, validAtFacilityIdsSchema, type MembershipGuestPasses
} from './modules/memberships/membership.schema.js';
export {
  MEMBER_SUBSCRIPTION_STATUSES, createMemberSubscriptionInputSchema, memberSubscriptionSchema,
  patchMemberSubscriptionInputSchema, paymentRecordSchema, type CreateMemberSubscriptionData,
  type CreateMemberSubscriptionInput, type MemberSubscription, type MemberSubscriptionStatus,
  type PatchMemberSubscriptionData, type PatchMemberSubscriptionInput, type PaymentRecord,
  subscriptionGuestPassesSchema, type SubscriptionGuestPasses
} from './modules/memberships/member-subscription.schema.js';
export {
  DEFAULT_FREEZE_POLICY, MAX_FREEZES_PER_SUBSCRIPTION, MEMBERSHIP_FREEZE_STATUSES, freezePolicySchema, membershipFreezeSchema,
  type FreezePolicy, type MembershipFreeze, type MembershipFreezeStatus,
} from './modules/memberships/membership-freeze.schema.js';
export {
  BOOKING_FEE_KINDS, BOOKING_FEE_STATUSES, bookingFeeSchema,
  type BookingFee, type BookingFeeKind, type BookingFeeStatus,
} from './modules/classes/booking-fee.schema.js';
export {
  DEFAULT_DUNNING_POLICY, DUNNING_ATTEMPT_OUTCOMES, MAX_DUNNING_RETRIES, dunningAttemptSchema, dunningPolicySchema, isOverdueAt, membershipDunningSchema,
  type DunningAttempt, type DunningAttemptOutcome, type DunningPolicy, type MembershipDunning,
} from './modules/memberships/membership-dunning.schema.js';
export {
  MAX_PROMO_CODE_CYCLES, MAX_PROMO_CODE_PLANS, PROMO_CODE_KINDS, createPromoCodeInputSchema, normalisePromoCode,
  promoCodeCyclesSchema, promoCodeInputSchema, promoCodeSchema, promoCodeTextSchema, promoRedemptionSchema,
  subscriptionDiscountSchema, type CreatePromoCodeInput, type PromoCode, type PromoCodeKind, type PromoRedemption,
  type SubscriptionDiscount,
} from './modules/memberships/promo-code.schema.js';
export {
  RECURRENCE_FREQUENCIES, classInstructorSchema, classLocationSchema, classScheduleSchema,
  classSchema, createClassInputSchema, patchClassInputSchema, recurrenceSchema, type ClassSchedule,
  type CreateClassData, type CreateClassInput, type FitnessClass, type PatchClassData,
  type PatchClassInput, type Recurrence, type RecurrenceFrequency,
  BOOKING_OPENS_DAYS_MAX, classBookingWindowSchema, type ClassBookingWindow
} from './modules/classes/class.schema.js';
export {
  CLASS_BOOKING_STATUSES, classBookingSchema, createClassBookingInputSchema,
  patchClassBookingInputSchema, type ClassBooking, type ClassBookingStatus,
  type CreateClassBookingData, type CreateClassBookingInput, type PatchClassBookingData,
  type PatchClassBookingInput,
  bookingGuestSchema, type BookingGuest, type GuestPassCharge
} from './modules/classes/class-booking.schema.js';
export {
  COACH_CLIENT_STATUSES, coachClientNotesSchema, coachClientSchema, coachNoteSchema,
  coachingPackageSchema, createCoachClientInputSchema, patchCoachClientInputSchema,
  relationshipSchema, sessionBalanceSchema, type CoachClient, type CoachClientStatus,
  type CoachingPackage, type CreateCoachClientData, type CreateCoachClientInput,
  type PatchCoachClientData, type PatchCoachClientInput, type SessionBalance
} from './modules/coaching/coach-client.schema.js';
export {
  PT_LOCATION_TYPES, PT_SESSION_STATUSES, createPtSessionInputSchema, patchPtSessionInputSchema,
  ptFeedbackSchema, ptLocationSchema, ptSessionSchema, ptWorkoutSchema, type CreatePtSessionData,
  type CreatePtSessionInput, type PatchPtSessionData, type PatchPtSessionInput,
  type PtLocationType, type PtSession, type PtSessionStatus
} from './modules/coaching/pt-session.schema.js';
export {
  PAYMENT_METHODS, TRANSACTION_STATUSES, TRANSACTION_TYPES, createTransactionInputSchema,
  patchTransactionInputSchema, transactionSchema, type CreateTransactionData,
  type CreateTransactionInput, type PatchTransactionData, type PatchTransactionInput,
  type PaymentMethod, type Transaction, type TransactionStatus, type TransactionType
} from './modules/billing/transaction.schema.js';
export {
  BILLING_CYCLES, SUBSCRIPTION_STATUSES, createSubscriptionInputSchema,
  patchSubscriptionInputSchema, subscriptionSchema, type BillingCycle, type CreateSubscriptionData,
  type CreateSubscriptionInput, type PatchSubscriptionData, type PatchSubscriptionInput,
  type Subscription, type SubscriptionStatus
} from './modules/billing/subscription.schema.js';
export {
  INVOICE_STATUSES, createInvoiceInputSchema, invoiceNumberSchema, invoiceSchema,
  patchInvoiceInputSchema, type CreateInvoiceData, type CreateInvoiceInput, type Invoice,
  type InvoiceStatus, type PatchInvoiceData, type PatchInvoiceInput
} from './modules/billing/invoice.schema.js';
export {
  analyticsDailySchema, type AnalyticsDaily
} from './modules/analytics/analytics-daily.schema.js';
export {
  AUDIT_ACTIONS, auditLogSchema, ipAddressSchema, type AuditAction, type AuditLog
} from './modules/audit/audit-log.schema.js';
export {
  AVAILABILITY_EXCEPTION_KINDS, availabilityExceptionSchema, coachAvailabilitySchema,
  createCoachAvailabilityInputSchema, patchCoachAvailabilityInputSchema, weeklyAvailabilitySchema,
  windowEndSchema, type AvailabilityException, type AvailabilityExceptionKind, type CoachAvailability,
  type CoachAvailabilityData, type CoachAvailabilityInput, type PatchCoachAvailabilityData,
  type WeeklyAvailability
} from './modules/coaching/coach-availability.schema.js';
export type { CoachAvailabilityId } from './core/ids.js';
