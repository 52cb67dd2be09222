import type { Db, Document } from 'mongodb';
import { z } from 'zod';
import { ConcurrencyError, ConflictError, NotFoundError } from '../../core/errors.js';
import type { UserId } from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { emailSchema, phoneSchema, ratingSchema } from '../../core/schema-primitives.js';
import { compiledSchema } from '../../core/validation.js';
import { createDocumentCodec } from '../../stores/mongo/document-codec.js';
import { MongoRepository, sessionOf, type RepositoryDeps } from '../../stores/mongo/mongo-repository.js';
import type { StoreContext } from '../../stores/store-context.js';
import {
  createUserInputSchema,
  patchUserInputSchema,
  userDocumentFields,
  userSchema,
  USER_ROLES,
  type User,
  type UserRole,
} from './user.schema.js';
import { USERS_COLLECTION } from './user.collection.js';

const definition = USERS_COLLECTION;
/** The projection leaving out the stored-only fields (the password hash, the phone number's blind index). */
const HIDDEN_FIELDS = Object.fromEntries(definition.hiddenFields.map((field) => [field, 0]));

/** A new user's profile plus the KDF hash of its password (the stored document requires one). */
export const createUserRecordSchema = createUserInputSchema.safeExtend(userDocumentFields);
export type CreateUserRecordInput = z.input<typeof createUserRecordSchema>;

/**
 * A user together with its password hash, kept apart from the user object so spreading the
 * user into a response can never carry the secret along.
 */
export interface UserCredentials {
  readonly user: User;
  readonly passwordHash: string;
}

const passwordHashSchema = userDocumentFields.passwordHash;
const roleSchema = z.enum(USER_ROLES);
const idOfUser = userSchema.shape.id;

/**
 * The `users` collection. Reads never return `passwordHash` (SPEC decision 3) except the two
 * methods named for it, which the auth service uses; e-mails are normalised exactly as the
 * schema does, and a second account with the same e-mail is a `ConflictError('duplicate')`.
 *
 * @example
 * ```ts
 * const users = new UserRepository(db, { clock: systemClock, ids: defaultIdGenerator })
 * const user = await users.create({ email: 'Ayse@Example.com', firstName: 'Ayşe', lastName: 'Yılmaz', role: ['client'], passwordHash })
 * await users.findByEmail('ayse@example.com') // the same user, without passwordHash
 * ```
 */
export class UserRepository extends MongoRepository<User, typeof createUserRecordSchema, typeof patchUserInputSchema> {
  constructor(db: Db, deps: RepositoryDeps) {
    super(
      db,
      {
        entity: 'user',
        collection: definition.name,
        schemaVersion: definition.schemaVersion,
        entitySchema: userSchema,
        idSchema: idOfUser,
        createSchema: createUserRecordSchema,
        patchSchema: patchUserInputSchema,
        codec: createDocumentCodec<User>(definition.storedSchema),
        hiddenFields: definition.hiddenFields,
        encryptedFields: definition.encryptedFields,
        blindIndexes: definition.blindIndexes,
        plaintextUntilRotated: definition.plaintextUntilRotated,
      },
      deps,
    );
  }

  /** Creates a user with its password hash; the returned user has no `passwordHash`. */
  override async create(input: CreateUserRecordInput, ctx?: StoreContext): Promise<User> {
    return this.run('create', async () => {
      const { entity, document } = this.prepareNew(input);
      await this.collection.insertOne(document, sessionOf(ctx));
      return entity;
    });
  }

  /** A new user and its stored document, the password hash stored beside the profile (`create` and `createMany` per row). */
  protected override prepareNew(input: unknown): { readonly entity: User; readonly document: Document } {
    const { passwordHash, ...profile } = this.parse(compiledSchema(createUserRecordSchema), input);
    const user = this.buildNew(profile);
    return { entity: user, document: { ...this.toStored(user), passwordHash } };
  }

  /** The user with this e-mail (normalised as on create), or `null`. */
  async findByEmail(email: string, ctx?: StoreContext): Promise<User | null> {
    return this.run('findByEmail', async () => this.findOneWhere({ email: this.parse(emailSchema, email) }, ctx));
  }

  /**
   * The users with this phone number (normalised as on create), in id order. The number is
   * stored encrypted: the lookup is an equality match on its keyed hash (the blind index
   * `phoneNumberBlindIndex`). Numbers are not unique, so this is a list, capped at `limit`.
   */
  async findByPhoneNumber(phoneNumber: string, options: { readonly limit?: number } = {}, ctx?: StoreContext): Promise<User[]> {
    return this.run('findByPhoneNumber', async () => {
      const { storedAs, value } = this.blindIndexOf('phoneNumber', this.parse(phoneSchema, phoneNumber));
      const { limit } = this.parse(z.strictObject({ limit: z.number().int().min(1).max(100).default(20) }), options);
      return this.findAllWhere({ [storedAs]: value }, ctx, { sort: { _id: 1 }, limit });
    });
  }

  /** For the auth service only: the user and its password hash; `NotFoundError` when missing. */
  async getWithPasswordHash(id: UserId, ctx?: StoreContext): Promise<UserCredentials> {
    return this.run('getWithPasswordHash', async () => {
      const doc = await this.collection.findOne({ _id: this.toObjectId(id) }, sessionOf(ctx));
      if (!doc) throw new NotFoundError(this.config.entity, String(id));
      return this.#credentialsOf(doc);
    });
  }

  /** For the auth service only: the credentials of the account with this e-mail, or `null`. */
  async findCredentialsByEmail(email: string, ctx?: StoreContext): Promise<UserCredentials | null> {
    return this.run('findCredentialsByEmail', async () => {
      const doc = await this.collection.findOne({ email: this.parse(emailSchema, email) }, sessionOf(ctx));
      return doc ? this.#credentialsOf(doc) : null;
    });
  }

  /** Users having `role`, in id order. */
  async listByRole(role: UserRole, page?: PageRequest, ctx?: StoreContext): Promise<Page<User>> {
    return this.pageWhere('listByRole', { role: this.parse(roleSchema, role) }, [], page, ctx);
  }

  /**
   * Replaces the password hash (a new password, or a rehash with stronger KDF parameters);
   * bumps `version`. `ConcurrencyError` on a stale `expectedVersion`.
   */
  async setPasswordHash(id: UserId, passwordHash: string, options: { readonly expectedVersion?: number } = {}, ctx?: StoreContext): Promise<User> {
    return this.run('setPasswordHash', async () => {
      const _id = this.toObjectId(id);
      const hash = this.parse(passwordHashSchema, passwordHash);
      const expected = this.parse(z.strictObject({ expectedVersion: z.number().int().min(1).optional() }), options).expectedVersion;
      const filter: Document = expected === undefined ? { _id } : { _id, version: expected };
      const updated = await this.collection.findOneAndUpdate(
        filter,
        { $set: { passwordHash: hash, updatedAt: this.deps.clock.now() }, $inc: { version: 1 } },
        { ...sessionOf(ctx), returnDocument: 'after', projection: HIDDEN_FIELDS },
      );
      if (updated) return this.fromStored(updated);
      if (expected !== undefined && (await this.collection.countDocuments({ _id }, { ...sessionOf(ctx), limit: 1 })) > 0) {
        throw new ConcurrencyError(this.config.entity, String(id));
      }
      throw new NotFoundError(this.config.entity, String(id));
    });
  }

  /**
   * Adds one review of `rating` (1–5) to a coach's `roleSpecificData.coach`: `reviewCount + 1`
   * and `ratings` the new average, computed by the server from the stored values in one
   * pipeline update, so concurrent reviews are all counted. `ConflictError('not_a_coach')`
   * when the user has no coach data.
   */
  async recordCoachReview(id: UserId, rating: number, ctx?: StoreContext): Promise<User> {
    return this.run('recordCoachReview', async () => {
      const _id = this.toObjectId(id);
      const r = this.parse(ratingSchema, rating);
      const coach = '$roleSpecificData.coach';
      const count = { $ifNull: [`${coach}.reviewCount`, 0] };
      const average = { $ifNull: [`${coach}.ratings`, 0] };
      const updated = await this.collection.findOneAndUpdate(
        { _id, 'roleSpecificData.coach': { $type: 'object' } },
        [
          {
            $set: {
              'roleSpecificData.coach.ratings': { $divide: [{ $add: [{ $multiply: [average, count] }, r] }, { $add: [count, 1] }] },
              'roleSpecificData.coach.reviewCount': { $add: [count, 1] },
              version: { $add: ['$version', 1] },
              updatedAt: this.deps.clock.now(),
            },
          },
        ],
        { ...sessionOf(ctx), returnDocument: 'after', projection: HIDDEN_FIELDS },
      );
      if (updated) return this.fromStored(updated);
      if ((await this.collection.countDocuments({ _id }, { ...sessionOf(ctx), limit: 1 })) > 0) {
        throw new ConflictError('not_a_coach', `User ${String(id)} has no coach profile to review`, { details: { userId: String(id) } });
      }
      throw new NotFoundError(this.config.entity, String(id));
    });
  }

  #credentialsOf(doc: Document): UserCredentials {
    const { passwordHash, phoneNumberBlindIndex: _index, ...rest } = doc;
    return { user: this.fromStored(rest), passwordHash: this.parse(passwordHashSchema, passwordHash) };
  }
}
