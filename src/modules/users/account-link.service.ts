import type { z } from 'zod';
import { ageInYears } from '../../core/age.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../../core/errors.js';
import type { UserId } from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { instantSchema } from '../../core/schema-primitives.js';
import { parseOrThrow } from '../../core/validation.js';
import type { DocumentLocks } from '../../stores/mongo/document-lock.js';
import { currentActingFor } from '../../uow/acting-for.js';
import { inUnitOfWork } from '../../uow/unit-runner.js';
import type { UnitOfWork } from '../../uow/unit-of-work.js';
import { auditSnapshot, type AuditTrail } from '../audit/audit-trail.js';
import type { ServiceDeps } from '../service-deps.js';
import type { AccountLinkRepository } from './account-link.repository.js';
import { AGE_OF_MAJORITY, MAX_DEPENDANTS_PER_ACCOUNT, accountLinkSchema, linkAccountsInputSchema, type AccountLink, type LinkAccountsInput } from './account-link.schema.js';
import type { UserRepository } from './user.repository.js';

/**
 * True when a person born at `dateOfBirth` is under {@link AGE_OF_MAJORITY} at `at`: whole
 * years by {@link ageInYears}, so the birthday is the UTC calendar date of `dateOfBirth` (how
 * the SDK stores a calendar date) and the person comes of age at 00:00 UTC of their 18th
 * birthday (a 29 February birthday on 1 March of a common year).
 *
 * @example
 * ```ts
 * isMinorAt(new Date('2010-06-15'), new Date('2028-06-14T23:59:59Z')) // true
 * isMinorAt(new Date('2010-06-15'), new Date('2028-06-15T00:00:00Z')) // false
 * ```
 */
export function isMinorAt(dateOfBirth: Date, at: Date): boolean {
  return ageInYears(dateOfBirth, at) < AGE_OF_MAJORITY;
}

/** The lock key serialising the links an account holds (its dependant limit, one link per pair). */
function accountLinksKey(accountUserId: string): string {
  return `account-links:${accountUserId}`;
}

/**
 * Family and payer accounts (Mindbody's "pays for" relationships, Glofox's family accounts):
 * staff or the system link an account to a dependant as `guardian` (the dependant is a minor;
 * the guardian books, cancels and buys for them and pays) or `payer` (pays for the
 * dependant's memberships; an adult dependant's consent is taken by the staff who create the
 * link). Creation and revocation are audited.
 *
 * @example
 * ```ts
 * const link = await nexfit.accountLinks.link({ accountUserId: parentId, dependantUserId: childId, relation: 'guardian' });
 * await nexfit.accountLinks.listDependants(parentId); // { items: [link], nextCursor: null }
 * ```
 */
export class AccountLinkService {
  readonly #links: AccountLinkRepository;
  readonly #users: UserRepository;
  readonly #locks: DocumentLocks;
  readonly #audit: AuditTrail;
  readonly #deps: ServiceDeps;

  constructor(links: AccountLinkRepository, users: UserRepository, locks: DocumentLocks, audit: AuditTrail, deps: ServiceDeps) {
    this.#links = links;
    this.#users = users;
    this.#locks = locks;
    this.#audit = audit;
    this.#deps = deps;
  }

  /**
   * Links `accountUserId` to `dependantUserId`. Refused with `ConflictError`: the same user on
   * both sides (`link_to_self`), a guardian link for a dependant who is not a minor today or
   * has no date of birth (`guardian_requires_minor`), an active link for the pair already
   * (`account_link_exists`, also when the calls race), more than
   * {@link MAX_DEPENDANTS_PER_ACCOUNT} active dependants (`too_many_dependants`). An unknown,
   * inactive or erased user is a `NotFoundError`. Nothing is written on a refusal.
   */
  async link(input: LinkAccountsInput, uow?: UnitOfWork): Promise<AccountLink> {
    const data = this.#parse(linkAccountsInputSchema, input);
    if (data.accountUserId === data.dependantUserId) {
      throw new ConflictError('link_to_self', `User ${data.accountUserId} cannot be linked to themself`, { details: { userId: data.accountUserId } });
    }
    return inUnitOfWork(this.#deps.units, uow, async (u) => {
      await this.#locks.lock(accountLinksKey(data.accountUserId), u.ctx);
      const account = await this.#users.findById(data.accountUserId, u.ctx);
      const dependant = await this.#users.findById(data.dependantUserId, u.ctx);
      if (!account?.isActive || account.erasedAt) throw new NotFoundError('user', data.accountUserId);
      if (!dependant?.isActive || dependant.erasedAt) throw new NotFoundError('user', data.dependantUserId);
      const dateOfBirth = dependant.roleSpecificData.client?.dateOfBirth;
      if (data.relation === 'guardian' && !(dateOfBirth && isMinorAt(dateOfBirth, this.#deps.clock.now()))) {
        throw new ConflictError('guardian_requires_minor', `User ${data.dependantUserId} is not under ${AGE_OF_MAJORITY} (or has no date of birth on their client profile): a guardian link is for a minor`, {
          details: { dependantUserId: data.dependantUserId },
        });
      }
      if (await this.#links.findActive(data.accountUserId as UserId, data.dependantUserId as UserId, u.ctx)) {
        throw new ConflictError('account_link_exists', `User ${data.accountUserId} is already linked to user ${data.dependantUserId}`, { details: { accountUserId: data.accountUserId, dependantUserId: data.dependantUserId } });
      }
      if ((await this.#links.countActiveDependants(data.accountUserId as UserId, u.ctx)) >= MAX_DEPENDANTS_PER_ACCOUNT) {
        throw new ConflictError('too_many_dependants', `User ${data.accountUserId} already has ${MAX_DEPENDANTS_PER_ACCOUNT} dependants`, { details: { limit: MAX_DEPENDANTS_PER_ACCOUNT } });
      }
      const actor = u.context.actorId;
      const link = await this.#links.create(
        {
          accountUserId: data.accountUserId,
          dependantUserId: data.dependantUserId,
          relation: data.relation,
          status: 'active',
          ...(data.facilityId ? { facilityId: data.facilityId } : {}),
          ...(actor ? { createdBy: actor } : {}),
        },
        u.ctx,
      );
      await this.#audit.record(u, { entityType: 'account_links', entityId: link.id, action: 'account_link.created', newState: auditSnapshot(link) });
      return link;
    });
  }

  /**
   * Revokes an active link (audited): from then on the account neither acts nor pays for the
   * dependant. A booking a guardian makes while the revocation commits is either made before
   * it or refused (see {@link holdGuardianship}). A link that is not active:
   * `ConflictError('invalid_transition')`.
   */
  async revoke(linkId: string, uow?: UnitOfWork): Promise<AccountLink> {
    const id = this.#parse(accountLinkSchema.shape.id, linkId);
    return inUnitOfWork(this.#deps.units, uow, async (u) => {
      const before = await this.#links.getById(id, u.ctx);
      if (before.status !== 'active') throw new ConflictError('invalid_transition', `Account link ${id} is ${before.status}`, { details: { linkId: id } });
      return this.#revokeIn(u, before);
    });
  }

  /**
   * The nightly coming-of-age run: revokes (audited, as the system) every active guardian
   * link whose dependant is no longer a minor at `asOf` (under 18 by whole years), or has no
   * date of birth on record any more, one unit per link. A payer link is kept: paying for an
   * adult is what it is for. Idempotent: a second run finds nothing. Returns the links it revoked.
   */
  async revokeComeOfAge(asOf: Date): Promise<readonly AccountLink[]> {
    const at = this.#parse(instantSchema, asOf);
    const revoked: AccountLink[] = [];
    let after: string | undefined;
    do {
      const page = await this.#links.listActiveByRelation('guardian', { limit: 200, ...(after ? { after } : {}) });
      for (const link of page.items) {
        const dateOfBirth = (await this.#users.findById(link.dependantUserId))?.roleSpecificData.client?.dateOfBirth;
        if (dateOfBirth && isMinorAt(dateOfBirth, at)) continue;
        const done = await inUnitOfWork(this.#deps.units, undefined, async (u) => {
          const current = await this.#links.findById(link.id, u.ctx);
          return current?.status === 'active' ? this.#revokeIn(u, current) : null;
        });
        if (done) revoked.push(done);
      }
      after = page.nextCursor ?? undefined;
    } while (after);
    return revoked;
  }

  async #revokeIn(u: UnitOfWork, before: AccountLink): Promise<AccountLink> {
    const actor = u.context.actorId;
    const revoked = await this.#links.patch(before.id, { status: 'revoked', revokedAt: this.#deps.clock.now(), ...(actor ? { revokedBy: actor } : {}) }, { expectedVersion: before.version }, u.ctx);
    await this.#audit.record(u, { entityType: 'account_links', entityId: before.id, action: 'account_link.revoked', previousState: auditSnapshot(before), newState: auditSnapshot(revoked) });
    return revoked;
  }

  /** The link; `NotFoundError` when there is none. */
  async getLink(linkId: string): Promise<AccountLink> {
    return this.#links.getById(this.#parse(accountLinkSchema.shape.id, linkId));
  }

  /** The account's active links: its dependants, oldest link first, a page at a time. */
  async listDependants(accountUserId: string, page?: PageRequest): Promise<Page<AccountLink>> {
    return this.#links.listByAccount(this.#parse(accountLinkSchema.shape.accountUserId, accountUserId), { status: 'active' }, page);
  }

  /** The active links that stand for the dependant: their guardians and payers, oldest first, a page at a time. */
  async listGuardiansAndPayers(dependantUserId: string, page?: PageRequest): Promise<Page<AccountLink>> {
    return this.#links.listByDependant(this.#parse(accountLinkSchema.shape.dependantUserId, dependantUserId), { status: 'active' }, page);
  }

  /**
   * Whether `payerUserId` may pay for `userId`: the user themself, or an account with an
   * active link (guardian or payer) to them. Refused with `ConflictError('payer_not_linked')`.
   */
  async assertMayPay(payerUserId: UserId, userId: UserId, uow?: UnitOfWork): Promise<void> {
    if (payerUserId === userId) return;
    if (!(await this.#links.findActive(payerUserId, userId, uow?.ctx))) {
      throw new ConflictError('payer_not_linked', `User ${payerUserId} has no active link to pay for user ${userId}`, { details: { payerUserId, userId } });
    }
  }

  /**
   * Inside the unit of work of an act for `userId`: when a guardian's link allowed the call
   * (the access layer runs it acting for the dependant), confirms in the unit's own
   * transaction that the link is still active, and writes to it, so a revocation racing the
   * act either commits first (the act is refused: `ForbiddenError`, nothing written) or after
   * the act. Any other call passes.
   */
  async holdGuardianship(userId: string, uow: UnitOfWork): Promise<void> {
    const acting = currentActingFor();
    if (!acting || acting.dependantUserId !== userId) return;
    if (!(await this.#links.holdActive(acting.accountUserId as UserId, acting.dependantUserId as UserId, this.#deps.clock.now(), uow.ctx))) {
      throw new ForbiddenError(`User ${acting.accountUserId} no longer acts for user ${userId}: the guardian link was revoked`);
    }
  }

  #parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
    return parseOrThrow(schema, input, { entity: 'account link', ...(this.#deps.locale ? { locale: this.#deps.locale } : {}) });
  }
}
