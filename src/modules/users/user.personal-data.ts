import { ObjectId, type Db } from 'mongodb';
import { sessionOf } from '../../stores/mongo/mongo-repository.js';
import { auditSnapshot } from '../audit/audit-trail.js';
import { isText, jsonOfAll, type PersonalDataContributor, type PersonalDataDeclaration } from '../personal-data.js';
import { ACCOUNT_LINKS_COLLECTION } from './account-link.collection.js';
import type { AccountLinkRepository } from './account-link.repository.js';
import { USERS_COLLECTION } from './user.collection.js';
import type { UserRepository } from './user.repository.js';
import type { User } from './user.schema.js';

/** The names a tombstone carries: required fields of a user, saying nothing about the person. */
export const ERASED_FIRST_NAME = 'Erased';
export const ERASED_LAST_NAME = 'User';
/**
 * The stored `passwordHash` of a tombstone: not in the KDF's format, so no password ever
 * verifies against it (the hasher treats an unreadable hash as a mismatch).
 */
export const ERASED_PASSWORD_HASH = 'erased';

/**
 * The tombstone's e-mail: unique per account (the unique index on `email` stays satisfied,
 * and the address can never be registered by a person: `.invalid` is reserved, RFC 2606),
 * derived from the id alone, so nothing of the erased address can be recovered from it.
 *
 * @example
 * ```ts
 * erasedEmailOf('65f1c0d2e4b0a1b2c3d4e5f6') // 'erased-65f1c0d2e4b0a1b2c3d4e5f6@erased.invalid'
 * ```
 */
export function erasedEmailOf(userId: string): string {
  return `erased-${userId}@erased.invalid`;
}

/** The users module's user-linked data: the account itself and its family and payer links. */
export const USER_PERSONAL_DATA = {
  module: 'users',
  holds: [
    { store: 'mongo', name: USERS_COLLECTION.name },
    { store: 'mongo', name: ACCOUNT_LINKS_COLLECTION.name },
  ],
} as const satisfies PersonalDataDeclaration;

/**
 * The users module's part in export and erasure. The export holds the profile (never the
 * password hash, a hidden field). Erasure turns the account into a tombstone: placeholder
 * names and e-mail, an unusable password hash, no phone, photo, push token or role data,
 * inactive, with `erasedAt`; the profile's identifying strings are handed on so that kept
 * records lose them too. Family and payer links belong to both users: each one's export holds
 * them (as account and as dependant), and the erasure of either deletes them (the audit rows
 * of their creation and revocation keep the history, pseudonymised).
 *
 * @example
 * ```ts
 * const contributor = userPersonalData(usersModule.repository, db);
 * ```
 */
export function userPersonalData(users: UserRepository, db: Db, links: AccountLinkRepository): PersonalDataContributor {
  return {
    ...USER_PERSONAL_DATA,
    async export(userId) {
      return {
        user: auditSnapshot(await users.getById(userId)),
        accountLinks: {
          asAccount: await jsonOfAll((p) => links.listByAccount(userId, {}, p)),
          asDependant: await jsonOfAll((p) => links.listByDependant(userId, {}, p)),
        },
      };
    },
    async erase(userId, { uow, now, personalStrings }) {
      const ctx = uow.ctx;
      personalStrings.push(...personalStringsOf(await users.getById(userId, ctx)));
      // The repository's patch writes what it can (and keeps any field encryption transparent);
      // the e-mail, password hash and marker have no patch path by design, so they are set here
      // directly, in the unit's session.
      await users.patch(
        userId,
        { firstName: ERASED_FIRST_NAME, lastName: ERASED_LAST_NAME, profileImage: null, phoneNumber: null, fcmToken: null, isActive: false, roleSpecificData: {} },
        {},
        ctx,
      );
      await db
        .collection(USERS_COLLECTION.name)
        .updateOne({ _id: new ObjectId(userId) }, { $set: { email: erasedEmailOf(userId), passwordHash: ERASED_PASSWORD_HASH, erasedAt: now } }, sessionOf(ctx));
      const accountLinks = await links.deleteAllOfUser(userId, ctx);
      return { anonymised: { user: 1 }, deleted: { accountLinks } };
    },
  };
}

/**
 * The user's own strings to look for in records that are kept (invoice lines, audit states):
 * identifying profile fields and free text about their health, goals and business. Labels
 * from fixed vocabularies (a fitness level, a specialisation) are left out on purpose: they
 * identify no one and also appear in other people's records.
 */
function personalStringsOf(user: User): string[] {
  const roles = user.roleSpecificData;
  const owners = [roles.gym_owner, roles.studio_owner].flatMap((o) => (o ? [o.businessName, o.businessAddress, o.businessPhoneNumber, o.businessEmail, o.taxId] : []));
  const contacts = [roles.gym_member?.emergencyContact, roles.studio_client?.emergencyContact].flatMap((c) => (c ? [c.name, c.phoneNumber] : []));
  return [
    user.email,
    user.firstName,
    user.lastName,
    user.phoneNumber,
    user.profileImage,
    user.fcmToken,
    ...(roles.client?.medicalConditions ?? []),
    ...(roles.client?.dietaryRestrictions ?? []),
    ...(roles.client?.fitnessGoals ?? []),
    roles.coach?.bio,
    roles.studio_coach?.bio,
    roles.gym_member?.membershipNumber,
    ...owners,
    ...contacts,
  ].filter(isText);
}
