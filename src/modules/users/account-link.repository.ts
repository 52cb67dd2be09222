import type { Db } from 'mongodb';
import type { UserId } from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { instantSchema } from '../../core/schema-primitives.js';
import { createDocumentCodec } from '../../stores/mongo/document-codec.js';
import { MongoRepository, sessionOf, type RepositoryDeps } from '../../stores/mongo/mongo-repository.js';
import type { StoreContext } from '../../stores/store-context.js';
import { ACCOUNT_LINKS_COLLECTION } from './account-link.collection.js';
import { accountLinkSchema, createAccountLinkRecordSchema, patchAccountLinkInputSchema, type AccountLink, type AccountLinkRelation, type AccountLinkStatus } from './account-link.schema.js';

/**
 * The `account_links` collection: the active link of an account and a dependant, an account's
 * dependants, a dependant's guardians and payers, and their removal with either user.
 *
 * @example
 * ```ts
 * const links = new AccountLinkRepository(db, deps)
 * const link = await links.findActive(parentId, childId)
 * ```
 */
export class AccountLinkRepository extends MongoRepository<AccountLink, typeof createAccountLinkRecordSchema, typeof patchAccountLinkInputSchema> {
  constructor(db: Db, deps: RepositoryDeps) {
    const definition = ACCOUNT_LINKS_COLLECTION;
    super(
      db,
      {
        entity: 'account link',
        collection: definition.name,
        schemaVersion: definition.schemaVersion,
        entitySchema: accountLinkSchema,
        idSchema: accountLinkSchema.shape.id,
        createSchema: createAccountLinkRecordSchema,
        patchSchema: patchAccountLinkInputSchema,
        codec: createDocumentCodec<AccountLink>(definition.storedSchema),
      },
      deps,
    );
  }

  /** The active link of the account and the dependant, or `null`. */
  async findActive(accountUserId: UserId, dependantUserId: UserId, ctx?: StoreContext): Promise<AccountLink | null> {
    return this.run('findActive', () => this.findOneWhere(this.#activePair(accountUserId, dependantUserId), ctx));
  }

  /** How many active dependants the account holds. */
  async countActiveDependants(accountUserId: UserId, ctx?: StoreContext): Promise<number> {
    return this.countWhere({ accountUserId: this.#user('accountUserId', accountUserId), status: 'active' }, ctx);
  }

  /** The links the account holds (optionally of one status), oldest first, a page at a time. */
  async listByAccount(accountUserId: UserId, filter: { readonly status?: AccountLinkStatus } = {}, page?: PageRequest, ctx?: StoreContext): Promise<Page<AccountLink>> {
    const where = { accountUserId: this.#user('accountUserId', accountUserId), ...this.#status(filter.status) };
    return this.pageWhere('listByAccount', where, [['_id', 1]], page, ctx);
  }

  /** The links that stand for the dependant (optionally of one status), oldest first, a page at a time. */
  async listByDependant(dependantUserId: UserId, filter: { readonly status?: AccountLinkStatus } = {}, page?: PageRequest, ctx?: StoreContext): Promise<Page<AccountLink>> {
    const where = { dependantUserId: this.#user('dependantUserId', dependantUserId), ...this.#status(filter.status) };
    return this.pageWhere('listByDependant', where, [['_id', 1]], page, ctx);
  }

  /** The active links of one relation (`guardian`: the nightly coming-of-age run), oldest first, a page at a time. */
  async listActiveByRelation(relation: AccountLinkRelation, page?: PageRequest, ctx?: StoreContext): Promise<Page<AccountLink>> {
    return this.pageWhere('listActiveByRelation', { relation: this.parse(accountLinkSchema.shape.relation, relation), status: 'active' }, [['_id', 1]], page, ctx);
  }

  /**
   * Marks the active link as used at `at` inside the caller's unit of work and says whether
   * there was one. The write makes a revocation racing the act conflict with it: one of the
   * two commits first, and the other sees its result.
   */
  async holdActive(accountUserId: UserId, dependantUserId: UserId, at: Date, ctx?: StoreContext): Promise<boolean> {
    const when = this.parse(instantSchema, at);
    return this.run('holdActive', async () => {
      const result = await this.collection.updateOne(this.#activePair(accountUserId, dependantUserId), { $set: { lastActedAt: when } }, sessionOf(ctx));
      return result.matchedCount === 1;
    });
  }

  /** Removes every link the user is part of, on either side (erasure); returns how many. */
  async deleteAllOfUser(userId: UserId, ctx?: StoreContext): Promise<number> {
    const filter = { $or: [{ accountUserId: this.#user('accountUserId', userId) }, { dependantUserId: this.#user('dependantUserId', userId) }] };
    return this.run('deleteAllOfUser', async () => (await this.collection.deleteMany(filter, sessionOf(ctx))).deletedCount);
  }

  #activePair(accountUserId: UserId, dependantUserId: UserId) {
    return { accountUserId: this.#user('accountUserId', accountUserId), dependantUserId: this.#user('dependantUserId', dependantUserId), status: 'active' };
  }

  #status(status: AccountLinkStatus | undefined) {
    return status === undefined ? {} : { status: this.parse(accountLinkSchema.shape.status, status) };
  }

  #user(field: 'accountUserId' | 'dependantUserId', userId: unknown) {
    return this.config.codec.toStoredValue(field, this.parse(accountLinkSchema.shape[field], userId));
  }
}
