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
 * exists if and only if the change committed. The actor, IP address, user agent and request id
 * come from the unit's request context.
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
    const recorded = await this.#logs.record(
      {
        entityType: entry.entityType,
        entityId: entry.entityId,
        userId: uow.context.actorId,
        action: entry.action,
        previousState: entry.previousState ?? null,
        newState: entry.newState ?? null,
        ipAddress: uow.context.ipAddress ?? null,
        userAgent: uow.context.userAgent ?? null,
        requestId: uow.context.requestId ?? null,
      },
      uow.ctx,
    );
    // In ordered mode PostgreSQL commits before MongoDB; if MongoDB then fails, this row goes too.
    uow.compensateWith(
      uow.ctx.pg
        .deleteFrom('audit_logs')
        .where('entity_type', '=', recorded.entityType)
        .where('entity_id', '=', recorded.entityId)
        .where('action', '=', recorded.action)
        .where('created_at', '=', recorded.createdAt),
    );
  }
}

/** A JSON-safe snapshot of an entity for an audit row (dates as ISO strings, no undefined). */
export function auditSnapshot(value: unknown): JsonObject {
  return JSON.parse(JSON.stringify(value ?? {})) as JsonObject;
}
