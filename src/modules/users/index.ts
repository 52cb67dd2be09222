/**
 * The users module: its only door. Schemas, the repository, the password hasher and the
 * {@link UserService}.
 *
 * @example
 * ```ts
 * const { service: users } = createUsersModule(db, pg, deps)
 * await users.register({ email: 'ilker@example.com', password: 'gizli-şifre-1', firstName: 'İlker', lastName: 'Işık', role: ['client'] })
 * ```
 */
import type { Kysely } from 'kysely';
import type { Db } from 'mongodb';
import type { Database } from '../../stores/postgres/database.js';
import { AuditLogRepository } from '../audit/audit-log.repository.js';
import { AuditTrail } from '../audit/audit-trail.js';
import type { ServiceDeps } from '../service-deps.js';
import { DocumentLocks } from '../../stores/mongo/document-lock.js';
import { AccountLinkRepository } from './account-link.repository.js';
import { AccountLinkService } from './account-link.service.js';
import { PasswordHasher } from './password-hasher.js';
import { UserRepository } from './user.repository.js';
import { UserService } from './user.service.js';

export * from './user.schema.js';
export * from './account-link.schema.js';
export { AccountLinkRepository } from './account-link.repository.js';
export { AccountLinkService, isMinorAt } from './account-link.service.js';
export { UserRepository, createUserRecordSchema, type CreateUserRecordInput, type UserCredentials } from './user.repository.js';
export { PasswordHasher, DEFAULT_SCRYPT_PARAMETERS, type ScryptParameters } from './password-hasher.js';
export { UserService, updateProfileInputSchema, type UpdateProfileInput, type RoleDataInput, type ExpectedVersion } from './user.service.js';

/** The users module's repository and service, built on the SDK's stores. */
export interface UsersModule {
  readonly repository: UserRepository;
  readonly service: UserService;
  /** Family and payer links: who acts and pays for whom. */
  readonly accountLinks: AccountLinkRepository;
  readonly accountLinkService: AccountLinkService;
}

/**
 * Builds the users module. `hasher` raises (or, in tests, lowers) the scrypt cost; hashes
 * made with weaker parameters are upgraded at their owners' next login.
 */
export function createUsersModule(db: Db, pg: Kysely<Database>, deps: ServiceDeps, options: { readonly hasher?: PasswordHasher } = {}): UsersModule {
  const repository = new UserRepository(db, deps);
  const audit = new AuditTrail(new AuditLogRepository(pg, deps));
  const accountLinks = new AccountLinkRepository(db, deps);
  return {
    repository,
    service: new UserService(repository, audit, deps, options),
    accountLinks,
    accountLinkService: new AccountLinkService(accountLinks, repository, new DocumentLocks(db, deps), audit, deps),
  };
}
