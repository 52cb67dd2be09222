import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import { instantSchema, jsonObjectSchema } from '../../core/schema-primitives.js';
import type { UserId } from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import type { BulkCreateOptions, BulkCreateResult } from '../../stores/bulk.js';
import type { RepositoryDeps } from '../../stores/repository-deps.js';
import type { StoreContext } from '../../stores/store-context.js';
import type { BulkInsertTable } from '../../stores/postgres/bulk-insert.js';
import { instantOf, jsonTextOf } from '../../stores/postgres/column-values.js';
import type { AuditLogRow, Database, NewAuditLogRow } from '../../stores/postgres/database.js';
import { PostgresRepository, type KeysetOrder } from '../../stores/postgres/postgres-repository.js';
import { redactEncryptedFields } from './audit-redaction.js';
import { auditLogSchema, createAuditLogInputSchema, type AuditLog, type CreateAuditLogData, type CreateAuditLogInput } from './audit-log.schema.js';

const fields = auditLogSchema.shape;

/** Histories read newest first: `idx_audit_logs_entity` / `idx_audit_logs_user_id`, both ending in `created_at`. */
const NEWEST_FIRST: KeysetOrder = { direction: 'desc', columns: [['created_at', 'timestamptz'], ['id', 'bigint']] };

/** A part of a new state to look for: a non-empty JSON object, matched by containment. */
const stateMatchSchema = jsonObjectSchema.refine((value) => Object.keys(value).length > 0, { error: 'Give at least one field of the state to match' });
/** What {@link AuditLogRepository.listByNewState} looks for in `new_state`. */
export type AuditStateMatch = z.input<typeof stateMatchSchema>;
const stateFilterSchema = z.strictObject({ entityType: fields.entityType.optional(), from: instantSchema.optional(), to: instantSchema.optional() });
/** Filters of {@link AuditLogRepository.listByNewState}. */
export type AuditStateFilter = z.input<typeof stateFilterSchema>;

/**
 * The `audit_logs` table: an append-only record of who changed what, with the state before
 * and after, the actor's IP address and user agent. There is no update or delete: history
 * is only added to (old partitions are archived whole by the partition maintenance).
 *
 * @example
 * ```ts
 * const audit = new AuditLogRepository(db, deps);
 * await audit.record({ entityType: 'invoices', entityId: invoice.invoiceId, userId, action: 'status_change', previousState: { status: 'issued' }, newState: { status: 'paid' }, ipAddress: '203.0.113.7' }, ctx);
 * const history = await audit.listByEntity('invoices', invoice.invoiceId);
 * ```
 */
export class AuditLogRepository extends PostgresRepository {
  constructor(db: Kysely<Database>, deps: RepositoryDeps) {
    super(db, deps, { entity: 'audit log', table: 'audit_logs' });
  }

  /**
   * Appends one record; written in the caller's transaction, it commits or rolls back with the
   * change it describes. Fields the entity encrypts at rest are redacted from both states.
   */
  async record(input: CreateAuditLogInput, ctx?: StoreContext): Promise<AuditLog> {
    return this.run('record', async () => {
      const data = this.parse(createAuditLogInputSchema, input);
      const row = await this.dbOf(ctx).insertInto('audit_logs').values({ ...toNewRow(data), created_at: this.deps.clock.now() }).returningAll().executeTakeFirstOrThrow();
      return toAuditLog(row);
    });
  }

  /**
   * Appends many records with one INSERT per chunk of rows (contract in `stores/bulk.ts`),
   * each validated and redacted as {@link AuditLogRepository.record} does it. Audit rows have
   * no unique key, so only a row that fails validation is rejected; by default it stops the
   * batch. Like `record`, in the caller's transaction the rows commit with the changes they
   * describe.
   *
   * @example
   * ```ts
   * await audit.createMany(changes.map((c) => ({ entityType: 'users', entityId: c.id, userId, action: 'update', previousState: c.before, newState: c.after })), {}, ctx);
   * ```
   */
  async createMany(inputs: readonly CreateAuditLogInput[], options?: BulkCreateOptions, ctx?: StoreContext): Promise<BulkCreateResult<AuditLog>> {
    const createdAt = this.deps.clock.now();
    return this.createRows(inputs, options, ctx, {
      ...BULK_TABLE,
      parse: (input) => this.parse(createAuditLogInputSchema, input),
      toRows: (_, rows) => rows.map((data) => ({ ...toNewRow(data), created_at: createdAt })),
      toEntity: toAuditLog,
    });
  }

  /** The history of one entity, newest first. */
  async listByEntity(entityType: string, entityId: string, page?: PageRequest, ctx?: StoreContext): Promise<Page<AuditLog>> {
    return this.run('listByEntity', async () => {
      const type = this.parse(fields.entityType, entityType);
      const id = this.parse(fields.entityId, entityId);
      const query = this.dbOf(ctx).selectFrom('audit_logs').selectAll().where('entity_type', '=', type).where('entity_id', '=', id);
      const { rows, nextCursor } = await this.keysetPage(query, NEWEST_FIRST, page);
      return { items: rows.map(toAuditLog), nextCursor };
    });
  }

  /** What one user did, newest first. */
  async listByUser(userId: UserId, page?: PageRequest, ctx?: StoreContext): Promise<Page<AuditLog>> {
    return this.run('listByUser', async () => {
      const user = this.parse(fields.userId.unwrap(), userId);
      const query = this.dbOf(ctx).selectFrom('audit_logs').selectAll().where('user_id', '=', user);
      const { rows, nextCursor } = await this.keysetPage(query, NEWEST_FIRST, page);
      return { items: rows.map(toAuditLog), nextCursor };
    });
  }

  /**
   * Changes that set fields to values — every row whose `new_state` contains `newState`
   * (`{ status: 'cancelled' }`), optionally of one entity type, newest first: "who cancelled
   * memberships this month", "which invoices were voided"; `from`/`to` bound `created_at`
   * (and the partitions read). Served by the GIN index `idx_audit_logs_new_state` on every
   * partition (containment, `new_state @> …`); every page collects all matches before
   * ordering them, so it is meant for selective matches. Archived rows
   * (`audit_logs_archive`) are not searched.
   */
  async listByNewState(newState: AuditStateMatch, filter: AuditStateFilter = {}, page?: PageRequest, ctx?: StoreContext): Promise<Page<AuditLog>> {
    return this.run('listByNewState', async () => {
      const match = this.parse(stateMatchSchema, newState);
      const { entityType, from, to } = this.parse(stateFilterSchema, filter);
      // The matches are collected first (a materialised CTE, through the GIN index) and then
      // ordered: with a LIMIT the planner would otherwise walk every partition by created_at,
      // filtering row by row, on the assumption that matches are common — they are not.
      const query = this.dbOf(ctx)
        .with(
          (cte) => cte('audit_logs').materialized(),
          (db) => {
            let matches = db.selectFrom('audit_logs').selectAll().where(sql<boolean>`new_state @> cast(${JSON.stringify(match)} as jsonb)`);
            if (entityType) matches = matches.where('entity_type', '=', entityType);
            if (from) matches = matches.where('created_at', '>=', from);
            if (to) matches = matches.where('created_at', '<', to);
            return matches;
          },
        )
        .selectFrom('audit_logs')
        .selectAll();
      const { rows, nextCursor } = await this.keysetPage(query, NEWEST_FIRST, page);
      return { items: rows.map(toAuditLog), nextCursor };
    });
  }
}

/** How `createMany` writes `audit_logs`: the columns of {@link toNewRow} and `created_at`; no unique key. */
const BULK_TABLE: Omit<BulkInsertTable<CreateAuditLogData, AuditLogRow>, 'toRows'> = {
  table: 'audit_logs',
  columns: [
    ['entity_type', 'text'],
    ['entity_id', 'text'],
    ['user_id', 'text'],
    ['action', 'text'],
    ['previous_state', 'jsonb'],
    ['new_state', 'jsonb'],
    ['ip_address', 'text'],
    ['user_agent', 'text'],
    ['request_id', 'text'],
    ['created_at', 'timestamptz'],
  ],
};

/** Entity -> row: the one place the `audit_logs` columns are written. */
function toNewRow(data: CreateAuditLogData): NewAuditLogRow {
  return {
    entity_type: data.entityType,
    entity_id: data.entityId,
    user_id: data.userId,
    action: data.action,
    previous_state: jsonTextOf(redactEncryptedFields(data.entityType, data.previousState)),
    new_state: jsonTextOf(redactEncryptedFields(data.entityType, data.newState)),
    ip_address: data.ipAddress,
    user_agent: data.userAgent,
    request_id: data.requestId,
  };
}

/** Row -> entity: the one place the `audit_logs` columns are read. */
function toAuditLog(row: AuditLogRow): AuditLog {
  return {
    entityType: row.entity_type,
    entityId: row.entity_id,
    userId: row.user_id as UserId | null,
    action: row.action,
    previousState: row.previous_state as AuditLog['previousState'],
    newState: row.new_state as AuditLog['newState'],
    ipAddress: row.ip_address,
    userAgent: row.user_agent,
    requestId: row.request_id,
    createdAt: instantOf(row.created_at),
  };
}
