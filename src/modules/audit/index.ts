/**
 * The audit module: its only door. The `audit_logs` schema and repository, the
 * {@link AuditTrail} services and workflows write through, the redaction of encrypted fields
 * in audit snapshots, and the module's part in export and erasure.
 *
 * @example
 * ```ts
 * const trail = new AuditTrail(auditLogs)
 * await trail.record(uow, { entityType: 'users', entityId, action: 'update', newState })
 * ```
 */
export * from './audit-log.schema.js';
export { AuditLogRepository, type AuditStateMatch, type AuditStateFilter } from './audit-log.repository.js';
export { AuditTrail, auditSnapshot, type AuditEntry } from './audit-trail.js';
export { REDACTED, redactEncryptedFields } from './audit-redaction.js';
export { AUDIT_LOG_PERSONAL_DATA, auditLogPersonalData } from './audit-log.personal-data.js';
