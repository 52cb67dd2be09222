import { z } from 'zod';
import { entityFields } from '../../core/entity-schema.js';
import { idSchema } from '../../core/ids.js';
import { instantSchema } from '../../core/schema-primitives.js';

/**
 * How an account stands for a dependant: a `guardian` acts for a minor (books, cancels, buys)
 * and pays; a `payer` pays for the dependant's memberships but does not act for them.
 */
export const ACCOUNT_LINK_RELATIONS = ['guardian', 'payer'] as const;
/** How an account stands for a dependant (see {@link ACCOUNT_LINK_RELATIONS}). */
export type AccountLinkRelation = (typeof ACCOUNT_LINK_RELATIONS)[number];

/** A link is `active` until it is revoked; a revoked link grants nothing and is kept for the record. */
export const ACCOUNT_LINK_STATUSES = ['active', 'revoked'] as const;
/** Whether a link is in force. */
export type AccountLinkStatus = (typeof ACCOUNT_LINK_STATUSES)[number];

/** How many active dependants one account may hold (a family, not a club roster). */
export const MAX_DEPENDANTS_PER_ACCOUNT = 10;

/** The age below which a user is a minor for a guardian link. */
export const AGE_OF_MAJORITY = 18;

const accountLinkFields = {
  /** The guardian or payer: the account that acts and/or pays. */
  accountUserId: idSchema('UserId'),
  /** The user the account stands for. */
  dependantUserId: idSchema('UserId'),
  relation: z.enum(ACCOUNT_LINK_RELATIONS),
  status: z.enum(ACCOUNT_LINK_STATUSES),
  /** The facility whose staff created the link (absent: created by the system). */
  facilityId: idSchema('FacilityId').optional(),
  /** Who created the link (absent: the system). */
  createdBy: idSchema('UserId').optional(),
  revokedAt: instantSchema.optional(),
  /** Who revoked the link (absent: the system). */
  revokedBy: idSchema('UserId').optional(),
  /** The last time a guardian acted for the dependant through this link (written inside that act's unit of work). */
  lastActedAt: instantSchema.optional(),
};

/**
 * A family or payer link between two users (Mindbody's "pays for", Glofox's family accounts):
 * one active link per account and dependant (a unique index decides under concurrency).
 *
 * @example
 * ```ts
 * accountLinkSchema.shape.relation.parse('guardian')
 * ```
 */
export const accountLinkSchema = z.strictObject({ ...entityFields('AccountLinkId'), ...accountLinkFields });
/** A stored `account_links` document; the collection's validator is generated from it. */
export const storedAccountLinkSchema = accountLinkSchema;
/** Validates a new link record. */
export const createAccountLinkRecordSchema = z.strictObject(accountLinkFields);
/** A link only changes when it is revoked. */
export const patchAccountLinkInputSchema = z.strictObject({
  status: accountLinkFields.status.optional(),
  revokedAt: accountLinkFields.revokedAt,
  revokedBy: accountLinkFields.revokedBy,
});

/**
 * Input of `nexfit.accountLinks.link`: the account, the dependant, the relation and (for staff)
 * the facility at which the staff member acts.
 *
 * @example
 * ```ts
 * linkAccountsInputSchema.parse({ accountUserId: parentId, dependantUserId: childId, relation: 'guardian', facilityId })
 * ```
 */
export const linkAccountsInputSchema = z.strictObject({
  accountUserId: accountLinkFields.accountUserId,
  dependantUserId: accountLinkFields.dependantUserId,
  relation: accountLinkFields.relation,
  facilityId: accountLinkFields.facilityId,
});
/** Input of `nexfit.accountLinks.link` (see {@link linkAccountsInputSchema}). */
export type LinkAccountsInput = z.input<typeof linkAccountsInputSchema>;

/** A family or payer link (see {@link accountLinkSchema}). */
export type AccountLink = z.output<typeof accountLinkSchema>;
