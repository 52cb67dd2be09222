import type { Db, Document } from 'mongodb';
import { z } from 'zod';
import { ConflictError, NotFoundError } from '../../core/errors.js';
import type { FacilityId, UserId } from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { boundedArray, instantSchema } from '../../core/schema-primitives.js';
import { createDocumentCodec } from '../../stores/mongo/document-codec.js';
import { MongoRepository, type RepositoryDeps, type SafeFilter, type WriteOptions } from '../../stores/mongo/mongo-repository.js';
import type { StoreContext } from '../../stores/store-context.js';
import {
  createMemberSubscriptionInputSchema,
  MEMBER_SUBSCRIPTION_STATUSES,
  memberSubscriptionSchema,
  patchMemberSubscriptionInputSchema,
  paymentRecordSchema,
  subscriptionGuestPassesSchema,
  type MemberSubscription,
  type MemberSubscriptionStatus,
  type PaymentRecord,
} from './member-subscription.schema.js';
import { MEMBER_SUBSCRIPTIONS_COLLECTION } from './member-subscription.collection.js';
import { MAX_FREEZES_PER_SUBSCRIPTION, membershipFreezeSchema } from './membership-freeze.schema.js';
import { membershipDunningSchema } from './membership-dunning.schema.js';

const definition = MEMBER_SUBSCRIPTIONS_COLLECTION;

const { id: subscriptionIdSchema, userId: userIdSchema, facilityId: facilityIdSchema } = memberSubscriptionSchema.shape;
const statusFilterSchema = z.strictObject({ status: z.enum(MEMBER_SUBSCRIPTION_STATUSES).optional() });

/** Which subscriptions of a user or a facility to list. */
export type MemberSubscriptionFilter = z.input<typeof statusFilterSchema>;
export type PaymentRecordInput = z.input<typeof paymentRecordSchema>;

const freezeChangeSchema = z.strictObject({
  freezes: boundedArray(membershipFreezeSchema, MAX_FREEZES_PER_SUBSCRIPTION),
  endDate: instantSchema.optional(),
});
/** What {@link MemberSubscriptionRepository.writeFreezes} writes: the whole freeze list, and the period end when a freeze moved it. */
export type FreezeChangeInput = z.input<typeof freezeChangeSchema>;

/** The shape {@link MemberSubscriptionRepository.writeDunning} accepts. */
export const dunningChangeSchema = z.strictObject({
  dunning: membershipDunningSchema.nullable(),
  writeOff: z.boolean().optional(),
});
/** What {@link MemberSubscriptionRepository.writeDunning} writes: the dunning record (`null` removes it), and whether the membership is written off. */
export type DunningChangeInput = z.input<typeof dunningChangeSchema>;

const ACTIVE: MemberSubscriptionStatus = 'active';
const creditAmountSchema = z.number().int().min(1).max(1_000);
const activationSchema = z.strictObject({ at: instantSchema, expiresAt: instantSchema.optional() }).nullable();

/**
 * The `member_subscriptions` collection: who holds which membership where, the queries the
 * booking and check-in rules ask, the nightly renewal and expiry lists, and the payment
 * history, appended atomically.
 *
 * @example
 * ```ts
 * const subscriptions = new MemberSubscriptionRepository(db, { clock: systemClock, ids: defaultIdGenerator })
 * const current = await subscriptions.findActiveForUserAtFacility(userId, facilityId, new Date())
 * const { items } = await subscriptions.listDueForRenewal(endOfToday)
 * ```
 */
export class MemberSubscriptionRepository extends MongoRepository<
  MemberSubscription,
  typeof createMemberSubscriptionInputSchema,
  typeof patchMemberSubscriptionInputSchema
> {
  constructor(db: Db, deps: RepositoryDeps) {
    super(
      db,
      {
        entity: 'member subscription',
        collection: definition.name,
        schemaVersion: definition.schemaVersion,
        entitySchema: memberSubscriptionSchema,
        idSchema: subscriptionIdSchema,
        createSchema: createMemberSubscriptionInputSchema,
        patchSchema: patchMemberSubscriptionInputSchema,
        codec: createDocumentCodec<MemberSubscription>(definition.storedSchema),
      },
      deps,
    );
  }

  /** A user's subscriptions in creation order, optionally of one status (index `userId_status`). */
  async listByUser(userId: UserId, filter: MemberSubscriptionFilter = {}, page?: PageRequest, ctx?: StoreContext): Promise<Page<MemberSubscription>> {
    const { status } = this.parse(statusFilterSchema, filter);
    return this.pageWhere('listByUser', { userId: this.#ref('userId', userIdSchema, userId), ...(status ? { status } : {}) }, [], page, ctx);
  }

  /** A facility's subscriptions in creation order, optionally of one status (index `facilityId_status`). */
  async listByFacility(facilityId: FacilityId, filter: MemberSubscriptionFilter = {}, page?: PageRequest, ctx?: StoreContext): Promise<Page<MemberSubscription>> {
    const { status } = this.parse(statusFilterSchema, filter);
    const query = { facilityId: this.#ref('facilityId', facilityIdSchema, facilityId), ...(status ? { status } : {}) };
    return this.pageWhere('listByFacility', query, [], page, ctx);
  }

  /**
   * The user's active subscription valid at the facility — held there, or of a multi-location
   * plan listing it in `validAtFacilityIds` — whose period `[startDate, endDate)` contains
   * `at`, or `null`; of overlapping ones, the one ending last (index `userId_status`: a user
   * holds few subscriptions, so the facility test runs on those few documents).
   */
  async findActiveForUserAtFacility(userId: UserId, facilityId: FacilityId, at: Date, ctx?: StoreContext): Promise<MemberSubscription | null> {
    return this.run('findActiveForUserAtFacility', async () => {
      const instant = this.parse(instantSchema, at);
      const facility = this.#ref('facilityId', facilityIdSchema, facilityId);
      const query: SafeFilter = {
        userId: this.#ref('userId', userIdSchema, userId),
        status: ACTIVE,
        $or: [{ facilityId: facility }, { validAtFacilityIds: facility }],
        startDate: { $lte: instant },
        endDate: { $gt: instant },
      };
      return this.findOneWhere(query, ctx, { sort: { endDate: -1, _id: -1 } });
    });
  }

  /**
   * Active, auto-renewing subscriptions ending at or before `before`, soonest first: the
   * renewal job's work list (index `endDate_status`).
   */
  async listDueForRenewal(before: Date, page?: PageRequest, ctx?: StoreContext): Promise<Page<MemberSubscription>> {
    // A subscription in dunning is the dunning run's: the renewal run does not charge it again.
    return this.#endingBy('listDueForRenewal', before, true, page, ctx, { dunning: { $exists: false } });
  }

  /**
   * Active subscriptions that do not renew and end at or before `before`, soonest first:
   * the expiry job's work list and the "your membership ends soon" notices (index `endDate_status`).
   */
  async listExpiring(before: Date, page?: PageRequest, ctx?: StoreContext): Promise<Page<MemberSubscription>> {
    return this.#endingBy('listExpiring', before, false, page, ctx);
  }

  /**
   * Appends a payment to the history in one atomic `$push` that bumps `version`. A payment
   * whose `transactionId` is already recorded is refused with `ConflictError('duplicate_payment')`,
   * so a retried append never records a payment twice.
   */
  async appendPayment(id: MemberSubscription['id'], payment: PaymentRecordInput, ctx?: StoreContext): Promise<MemberSubscription> {
    return this.run('appendPayment', async () => {
      const record = this.parse(paymentRecordSchema, payment);
      const updated = await this.updateAtomically(id, { 'paymentHistory.transactionId': { $ne: record.transactionId } }, { $push: { paymentHistory: record } }, {}, ctx);
      if (updated) return updated;
      throw new ConflictError('duplicate_payment', `Payment ${record.transactionId} is already recorded on member subscription ${String(id)}`, {
        details: { memberSubscriptionId: String(id), transactionId: record.transactionId },
      });
    });
  }

  /**
   * Sets the status of one recorded payment (a refunded purchase moves to `refunded`) in one
   * atomic update that bumps `version`; `NotFoundError` when the payment is not recorded.
   */
  async setPaymentStatus(id: MemberSubscription['id'], transactionId: string, status: PaymentRecord['status'], ctx?: StoreContext): Promise<MemberSubscription> {
    return this.run('setPaymentStatus', async () => {
      const txId = this.parse(paymentRecordSchema.shape.transactionId, transactionId);
      const newStatus = this.parse(paymentRecordSchema.shape.status, status);
      const updated = await this.updateAtomically(
        id,
        { 'paymentHistory.transactionId': txId },
        { $set: { 'paymentHistory.$[payment].status': newStatus } },
        { arrayFilters: [{ 'payment.transactionId': txId }] },
        ctx,
      );
      if (updated) return updated;
      throw new NotFoundError('payment', `${txId} of member subscription ${String(id)}`);
    });
  }

  /**
   * Spends `credits` of a class-pack subscription in one conditional update: only when at
   * least that many remain and the credits are valid at `validAt` (activated, not expired).
   * With `activate`, a pack not yet activated is activated by the same update (`activatedAt`,
   * and `expiresAt` when given). `null` when the guard did not match: the caller reads the
   * subscription to say why. Never read-then-write: concurrent spends never overdraw.
   */
  async spendCredits(
    id: MemberSubscription['id'],
    credits: number,
    validAt: Date,
    activate: { readonly at: Date; readonly expiresAt?: Date | undefined } | null,
    ctx?: StoreContext,
  ): Promise<MemberSubscription | null> {
    return this.run('spendCredits', async () => {
      const cost = this.parse(creditAmountSchema, credits);
      const at = this.parse(instantSchema, validAt);
      const activation = this.parse(activationSchema, activate);
      const active = await this.updateAtomically(
        id,
        { 'credits.remaining': { $gte: cost }, 'credits.activatedAt': { $exists: true }, $or: [{ 'credits.expiresAt': { $exists: false } }, { 'credits.expiresAt': { $gt: at } }] },
        { $inc: { 'credits.remaining': -cost } },
        {},
        ctx,
      );
      if (active || !activation) return active;
      return this.updateAtomically(
        id,
        { 'credits.remaining': { $gte: cost }, 'credits.activatedAt': { $exists: false } },
        { $inc: { 'credits.remaining': -cost }, $set: { 'credits.activatedAt': activation.at, ...(activation.expiresAt ? { 'credits.expiresAt': activation.expiresAt } : {}) } },
        {},
        ctx,
      );
    });
  }

  /**
   * Uses one discounted renewal of a subscription bought with a promo code for N cycles: one
   * conditional decrement of `discount.cyclesRemaining` while it is above 0. `null` when there
   * is nothing to use (no discount, none left, or a discount for every cycle).
   */
  async useDiscountCycle(id: MemberSubscription['id'], ctx?: StoreContext): Promise<MemberSubscription | null> {
    return this.run('useDiscountCycle', () => this.updateAtomically(id, { 'discount.cyclesRemaining': { $gt: 0 } }, { $inc: { 'discount.cyclesRemaining': -1 } }, {}, ctx));
  }

  /**
   * Adds `credits` to a class pack's remaining credits; with `grant` to its total too (a staff
   * grant), without it gives back credits spent (a cancellation). `null` when the subscription
   * is not a class pack.
   */
  async addCredits(id: MemberSubscription['id'], credits: number, grant: boolean, ctx?: StoreContext): Promise<MemberSubscription | null> {
    return this.run('addCredits', async () => {
      const amount = this.parse(creditAmountSchema, credits);
      const addsToTotal = this.parse(z.boolean(), grant);
      return this.updateAtomically(id, { credits: { $exists: true } }, { $inc: { 'credits.remaining': amount, ...(addsToTotal ? { 'credits.total': amount } : {}) } }, {}, ctx);
    });
  }

  /**
   * Takes `credits` off a class pack's remaining and total credits (a staff revocation) when at
   * least that many remain, in one conditional update; `null` otherwise.
   */
  async removeCredits(id: MemberSubscription['id'], credits: number, ctx?: StoreContext): Promise<MemberSubscription | null> {
    return this.run('removeCredits', async () => {
      const amount = this.parse(creditAmountSchema, credits);
      return this.updateAtomically(id, { 'credits.remaining': { $gte: amount } }, { $inc: { 'credits.remaining': -amount, 'credits.total': -amount } }, {}, ctx);
    });
  }

  /**
   * Forfeits the credits left of a class pack that expired at or before `asOf` (remaining to 0,
   * `expiredAt` = `asOf`); `null` when there was nothing to forfeit (already done: idempotent).
   */
  async forfeitExpiredCredits(id: MemberSubscription['id'], asOf: Date, ctx?: StoreContext): Promise<MemberSubscription | null> {
    return this.run('forfeitExpiredCredits', async () => {
      const at = this.parse(instantSchema, asOf);
      return this.updateAtomically(id, { 'credits.expiresAt': { $lte: at }, 'credits.remaining': { $gt: 0 } }, { $set: { 'credits.remaining': 0, 'credits.expiredAt': at } }, {}, ctx);
    });
  }

  /**
   * Class packs whose credits expired at or before `asOf` with credits left, soonest first:
   * the credit-expiry run's work list (index `credits_expiresAt`).
   */
  async listCreditsExpiring(asOf: Date, page?: PageRequest, ctx?: StoreContext): Promise<Page<MemberSubscription>> {
    const query: Document = { 'credits.expiresAt': { $lte: this.parse(instantSchema, asOf) }, 'credits.remaining': { $gt: 0 } };
    return this.pageWhere('listCreditsExpiring', query, [['credits.expiresAt', 1]], page, ctx);
  }

  /**
   * Spends one guest pass of the current period in one conditional update (`used <
   * perPeriod`, `perPeriod` as the caller read it); `null` when the subscription has no guest
   * passes or none are left. Never read-then-write: concurrent guest bookings never spend more
   * passes than the period holds.
   */
  async spendGuestPass(id: MemberSubscription['id'], perPeriod: number, ctx?: StoreContext): Promise<MemberSubscription | null> {
    return this.run('spendGuestPass', async () => {
      const passes = this.parse(subscriptionGuestPassesSchema.shape.perPeriod, perPeriod);
      return this.updateAtomically(id, { 'guestPasses.perPeriod': passes, 'guestPasses.used': { $lt: passes } }, { $inc: { 'guestPasses.used': 1 } }, {}, ctx);
    });
  }

  /** Gives one guest pass back (a guest booking cancelled before the cut-off); `null` when none is used. */
  async returnGuestPass(id: MemberSubscription['id'], ctx?: StoreContext): Promise<MemberSubscription | null> {
    return this.run('returnGuestPass', async () => this.updateAtomically(id, { 'guestPasses.used': { $gt: 0 } }, { $inc: { 'guestPasses.used': -1 } }, {}, ctx));
  }

  /**
   * Sets a subscription's guest passes: `perPeriod` of its plan with `used` already spent (0 for
   * a new period), or removes them (`perPeriod` `null`: the plan includes none).
   */
  async setGuestPasses(id: MemberSubscription['id'], perPeriod: number | null, used: number, ctx?: StoreContext): Promise<MemberSubscription | null> {
    return this.run('setGuestPasses', async () => {
      const passes = this.parse(subscriptionGuestPassesSchema.shape.perPeriod.nullable(), perPeriod);
      const spent = this.parse(subscriptionGuestPassesSchema.shape.used, used);
      const update = passes === null ? { $unset: { guestPasses: '' } } : { $set: { guestPasses: { perPeriod: passes, used: spent } } };
      return this.updateAtomically(id, {}, update, {}, ctx);
    });
  }

  async #endingBy(
    operation: string,
    before: Date,
    autoRenew: boolean,
    page: PageRequest | undefined,
    ctx: StoreContext | undefined,
    extra: Document = {},
  ): Promise<Page<MemberSubscription>> {
    const query: Document = { endDate: { $lte: this.parse(instantSchema, before) }, status: ACTIVE, autoRenew, ...extra };
    return this.pageWhere(operation, query, [['endDate', 1]], page, ctx);
  }

  #ref(path: string, schema: z.ZodType<string, unknown>, value: unknown): unknown {
    return this.config.codec.toStoredValue(path, this.parse(schema, value));
  }

  /**
   * Replaces the subscription's freezes (and moves its period end, when given) on the version
   * read: `expectedVersion` is required, so two freezes decided on the same state cannot both
   * land (the second gets `ConcurrencyError`). The whole new state is validated.
   */
  async writeFreezes(id: MemberSubscription['id'], change: FreezeChangeInput, options: WriteOptions & { readonly expectedVersion: number }, ctx?: StoreContext): Promise<MemberSubscription> {
    return this.run('writeFreezes', async () => {
      const { freezes, endDate } = this.parse(freezeChangeSchema, change);
      const version = this.parse(z.strictObject({ expectedVersion: z.number().int().min(1) }), options);
      return this.modify(id, version, () => ({ freezes, ...(endDate ? { endDate } : {}) }), ctx);
    });
  }

  /**
   * Subscriptions with a scheduled freeze whose first day has come or a running freeze whose
   * latest end has passed by `asOf`: the freeze job's work list (index `freezes_status`).
   */
  async listFreezesDue(asOf: Date, page?: PageRequest, ctx?: StoreContext): Promise<Page<MemberSubscription>> {
    const at = this.parse(instantSchema, asOf);
    const query: Document = {
      freezes: {
        $elemMatch: {
          status: { $in: ['scheduled', 'active'] },
          $or: [{ status: 'scheduled', startsAt: { $lte: at } }, { latestResumesAt: { $lte: at } }],
        },
      },
    };
    return this.pageWhere('listFreezesDue', query, [], page, ctx);
  }

  /**
   * Replaces the subscription's dunning record (`null` removes it) on the version read;
   * with `writeOff` the membership also ends (`expired`, auto-renewal off) in the same write.
   * `expectedVersion` is required, so two runs deciding on the same attempt cannot both land.
   */
  async writeDunning(id: MemberSubscription['id'], change: DunningChangeInput, options: WriteOptions & { readonly expectedVersion: number }, ctx?: StoreContext): Promise<MemberSubscription> {
    return this.run('writeDunning', async () => {
      const { dunning, writeOff } = this.parse(dunningChangeSchema, change);
      const version = this.parse(z.strictObject({ expectedVersion: z.number().int().min(1) }), options);
      return this.modify(id, version, () => ({ dunning, ...(writeOff ? { status: 'expired', autoRenew: false } : {}) }), ctx);
    });
  }

  /**
   * Active, auto-renewing subscriptions in dunning whose next retry is due by `asOf`, soonest
   * first: the dunning run's work list (index `dunning_nextRetryAt`).
   */
  async listRetriesDue(asOf: Date, page?: PageRequest, ctx?: StoreContext): Promise<Page<MemberSubscription>> {
    const query: Document = { 'dunning.nextRetryAt': { $lte: this.parse(instantSchema, asOf) }, status: ACTIVE, autoRenew: true };
    return this.pageWhere('listRetriesDue', query, [['dunning.nextRetryAt', 1]], page, ctx);
  }

  /**
   * The user's active subscription at the facility that is overdue at `at` (its renewal was
   * declined and `at` is past the period it paid for), or `null` (index `userId_status`).
   */
  async findOverdueForUserAtFacility(userId: UserId, facilityId: FacilityId, at: Date, ctx?: StoreContext): Promise<MemberSubscription | null> {
    return this.run('findOverdueForUserAtFacility', async () => {
      const instant = this.parse(instantSchema, at);
      const query: SafeFilter = {
        userId: this.#ref('userId', userIdSchema, userId),
        status: ACTIVE,
        facilityId: this.#ref('facilityId', facilityIdSchema, facilityId),
        'dunning.periodEnd': { $lte: instant },
        'dunning.writtenOffAt': { $exists: false },
      };
      return this.findOneWhere(query, ctx, { sort: { endDate: -1, _id: -1 } });
    });
  }
}
