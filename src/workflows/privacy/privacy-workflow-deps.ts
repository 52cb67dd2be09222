import type { Kysely } from 'kysely';
import type { AuditTrail } from '../../modules/audit/index.js';
import type { PersonalDataContributor } from '../../modules/personal-data.js';
import type { ServiceDeps } from '../../modules/service-deps.js';
import type { UserRepository } from '../../modules/users/index.js';
import type { Database } from '../../stores/postgres/database.js';

/**
 * What the privacy workflows work with: the account asked about (read first: no such user, or
 * already erased), the registered personal-data contributors of the modules in registry order
 * (each exports and erases its own records), the audit trail for the workflow's own row, and
 * PostgreSQL for closing the compensation log of an erasure unit.
 */
export interface PrivacyWorkflowDeps {
  readonly users: UserRepository;
  readonly contributors: readonly PersonalDataContributor[];
  readonly audit: AuditTrail;
  readonly pg: Kysely<Database>;
  readonly deps: ServiceDeps;
}
