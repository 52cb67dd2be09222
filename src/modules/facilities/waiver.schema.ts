import { z } from 'zod';
import { entityFields, patchSchemaOf, pickFields } from '../../core/entity-schema.js';
import { idSchema } from '../../core/ids.js';
import { instantSchema, nameSchema, optionalText, positiveIntSchema, requiredText } from '../../core/schema-primitives.js';
import { ipAddressSchema } from '../audit/audit-log.schema.js';

/** The longest waiver text a facility may publish, in characters (about 15 pages). */
export const WAIVER_BODY_MAX = 50_000;
/** The highest version a facility's waiver may reach. */
export const WAIVER_VERSION_MAX = 10_000;

const waiverVersionSchema = positiveIntSchema.max(WAIVER_VERSION_MAX);

const waiverFields = {
  facilityId: idSchema('FacilityId'),
  /**
   * 1, 2, … per facility (a unique index): the next number when published. Named apart from
   * `version`, the document's revision that every entity carries.
   */
  waiverVersion: waiverVersionSchema,
  title: nameSchema,
  /** The text the member agrees to. */
  body: requiredText(WAIVER_BODY_MAX),
  publishedAt: instantSchema,
  /** The staff member (or owner) who published it. */
  publishedBy: idSchema('UserId').optional(),
  /** Whether members who signed an earlier version must sign this one again (otherwise only members who never signed do). */
  requiresResign: z.boolean(),
  /**
   * The lowest version a member's signature must have to be cleared while this waiver is the
   * facility's current one: this version when it `requiresResign` (and for the first version),
   * else the previous waiver's `minimumSignedVersion`. Derived on publishing.
   */
  minimumSignedVersion: waiverVersionSchema,
};

/**
 * A published version of a facility's liability waiver (Mindbody's "liability waiver",
 * Glofox's "waivers"). Published versions are immutable: a change is a new version.
 *
 * @example
 * ```ts
 * waiverSchema.shape.requiresResign.parse(true)
 * ```
 */
export const waiverSchema = z.strictObject({ ...entityFields('WaiverId'), ...waiverFields });
/** A stored `waivers` document. */
export const storedWaiverSchema = waiverSchema;
/** Validates a new waiver version as the service builds it. */
export const createWaiverInputSchema = z.strictObject(waiverFields);
/** Published waivers never change: the patch schema accepts no field. */
export const patchWaiverInputSchema = patchSchemaOf({});

/**
 * What staff publish: the text, and whether members who signed before must sign again.
 *
 * @example
 * ```ts
 * publishWaiverInputSchema.parse({ facilityId, title: 'Sorumluluk feragatnamesi', body: 'Derslere kendi sorumluluğumda katılıyorum.', requiresResign: true })
 * ```
 */
export const publishWaiverInputSchema = z.strictObject({
  facilityId: waiverFields.facilityId,
  title: waiverFields.title,
  body: waiverFields.body,
  requiresResign: waiverFields.requiresResign.default(false),
});
/** Input of `waivers.publish`. */
export type PublishWaiverInput = z.input<typeof publishWaiverInputSchema>;

const signatureFields = {
  userId: idSchema('UserId'),
  facilityId: idSchema('FacilityId'),
  waiverId: idSchema('WaiverId'),
  /** The waiver's `waiverVersion`, copied so a member's newest signature at a facility is one indexed read. */
  waiverVersion: waiverVersionSchema,
  signedAt: instantSchema,
  /** The name the member typed as their signature. */
  signedName: nameSchema,
  ipAddress: ipAddressSchema.optional(),
  userAgent: optionalText(1_000).optional(),
};

/**
 * A member's signature of one waiver version: one per user and waiver (a unique index).
 *
 * @example
 * ```ts
 * waiverSignatureSchema.shape.signedName.parse('Ayşe Yılmaz')
 * ```
 */
export const waiverSignatureSchema = z.strictObject({ ...entityFields('WaiverSignatureId'), ...signatureFields });
/** A stored `waiver_signatures` document. */
export const storedWaiverSignatureSchema = waiverSignatureSchema;
/** Validates a new signature as the service builds it. */
export const createWaiverSignatureInputSchema = z.strictObject(signatureFields);
/** Signatures only lose the signer's name, address and browser when the member is erased. */
export const patchWaiverSignatureInputSchema = patchSchemaOf(pickFields(signatureFields, ['signedName', 'ipAddress', 'userAgent']));

/**
 * What a member sends to sign: the facility's waiver version they read, and their name.
 *
 * @example
 * ```ts
 * signWaiverInputSchema.parse({ userId, facilityId, version: 2, signedName: 'Ayşe Yılmaz' })
 * ```
 */
export const signWaiverInputSchema = z.strictObject({
  userId: signatureFields.userId,
  facilityId: signatureFields.facilityId,
  /** The `waiverVersion` the member read and signs. */
  version: signatureFields.waiverVersion,
  signedName: signatureFields.signedName,
  ipAddress: signatureFields.ipAddress,
  userAgent: signatureFields.userAgent,
});
/** Input of `waivers.sign`. */
export type SignWaiverInput = z.input<typeof signWaiverInputSchema>;

/** A published waiver version (see `waiverSchema`). */
export type Waiver = z.output<typeof waiverSchema>;
/** A member's signature of a waiver version (see `waiverSignatureSchema`). */
export type WaiverSignature = z.output<typeof waiverSignatureSchema>;
