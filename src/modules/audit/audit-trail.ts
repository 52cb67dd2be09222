import type { JsonObject } from 'type-fest';
import type { UnitOfWork } from '../../uow/unit-of-work.js';
import type { AuditLogRepository } from './audit-log.repository.js';

/** One change to record. */
export interface AuditEntry {
  /** Collection or table of the entity (`member_subscriptions`, `invoices`…). */
  readonly entityType: string;
  readonly entityId: string;
  /** `create`, `update`, `status_change`, … or a dotted domain action (`membership.purchased`). */
  readonly action: string;
  readonly previousState?: JsonObject | null;
  readonly newState?: JsonObject | null;
}

/**
 * Writes audit rows inside the unit of work of the change they describe, so an audit row
 * exists if and only if the change committed. The actor, IP address and user agent come from
 * the unit's request context.
 *
 * @example
 * ```ts
 * await audit.record(uow, { entityType: 'invoices', entityId: invoice.invoiceId, action: 'create', newState: toJson(invoice) });
 * ```
 */
export class AuditTrail {
  readonly #logs: AuditLogRepository;

  constructor(logs: AuditLogRepository) {
    this.#logs = logs;
  }

  async record(uow: UnitOfWork, entry: AuditEntry): Promise<void> {
    await this.#logs.record(
      {
        entityType: entry.entityType,
        entityId: entry.entityId,
        userId: uow.context.actorId,
        action: entry.action,
        previousState: entry.previousState ?? null,
        newState: entry.newState ?? null,
        ipAddress: uow.context.ipAddress ?? null,
        userAgent: uow.context.userAgent ?? null,
      },
      uow.ctx,
    );
  }
}

/** A JSON-safe snapshot of an entity for an audit row (dates as ISO strings, no undefined). */
export function auditSnapshot(value: unknown): JsonObject {
  return JSON.parse(JSON.stringify(value ?? {})) as JsonObject;
}
