import { sql, type Kysely } from 'kysely';
import type { JsonObject } from 'type-fest';
import type { UserId } from '../../core/ids.js';
import { PERSONAL_SNAPSHOT_KEYS, type PersonalStrings } from '../../core/personal-data-redaction.js';
import { jsonTextOf } from '../../stores/postgres/column-values.js';
import type { Database } from '../../stores/postgres/database.js';
import type { UnitOfWork } from '../../uow/unit-of-work.js';
import { everyItem, type PersonalDataContributor, type PersonalDataDeclaration } from '../personal-data.js';
import type { AuditLogRepository } from './audit-log.repository.js';
import type { AuditLog } from './audit-log.schema.js';
import { auditSnapshot } from './audit-trail.js';

/** Rows read per round trip while redacting; keyset-paged on the table's identity. */
const BATCH = 200;

/** The audit module's user-linked data: the rows about the user and the rows of what the user did. */
export const AUDIT_LOG_PERSONAL_DATA = {
  module: 'audit',
  holds: [
    { store: 'postgres', name: 'audit_logs' },
    { store: 'postgres', name: 'audit_logs_archive' },
  ],
} as const satisfies PersonalDataDeclaration;

/**
 * The audit module's part in export and erasure. The export holds the changes to the user's
 * profile with their before and after states, and what the user did (action, entity, when,
 * from where) without the other entity's states. On erasure the rows stay — the history of
 * who changed what is kept, under the tombstone's id — and lose the personal data inside
 * their states; this pass runs last, once every other module has named the user's records.
 *
 * @example
 * ```ts
 * const contributor = auditLogPersonalData(auditLogs);
 * ```
 */
export function auditLogPersonalData(auditLogs: AuditLogRepository): PersonalDataContributor {
  return {
    ...AUDIT_LOG_PERSONAL_DATA,
    async export(userId) {
      const aboutUser: JsonObject[] = [];
      for await (const row of everyItem((p) => auditLogs.listByEntity('users', userId, p))) aboutUser.push(auditSnapshot(row));
      const byUser: JsonObject[] = [];
      for await (const row of everyItem((p) => auditLogs.listByUser(userId, p))) byUser.push(actionOnly(row));
      return { auditLog: { aboutUser, byUser } };
    },
    async redactRetained(userId, { uow, known, subjectIds }) {
      const db = uow.ctx.pg;
      return {
        anonymised: { auditLogs: (await redactAuditTable(uow, db, 'audit_logs', userId, known, subjectIds)) + (await redactAuditTable(uow, db, 'audit_logs_archive', userId, known, subjectIds)) },
      };
    },
  };
}

/** An audit row in which the user acted on some entity: the act, not the entity's states. */
function actionOnly(row: AuditLog): JsonObject {
  const { previousState: _before, newState: _after, ...act } = row;
  return auditSnapshot(act);
}

/**
 * Redacts the audit rows that concern the user. Rows *about* the user or one of their records
 * (`entity_id` among `subjectEntityIds`) lose every personal key and matching string; rows
 * the user only *acted* in keep their keys (they describe someone else's entity) but lose
 * matching strings, and lose the user's IP address and user agent. The rows themselves stay:
 * the history of who changed what is kept, under the tombstone's id.
 */
async function redactAuditTable(
  uow: UnitOfWork,
  db: Kysely<Database>,
  table: 'audit_logs' | 'audit_logs_archive',
  userId: UserId,
  known: PersonalStrings,
  subjectEntityIds: ReadonlySet<string>,
): Promise<number> {
  const subjects = [...subjectEntityIds];
  let changed = 0;
  for (let after = '0'; ; ) {
    const rows = await db
      .selectFrom(table)
      .select(['id', 'created_at', 'entity_id', 'user_id', 'previous_state', 'new_state', 'ip_address', 'user_agent'])
      .where((eb) => eb.or([eb('user_id', '=', userId), ...(subjects.length ? [eb('entity_id', 'in', subjects)] : [])]))
      .where(sql`id`, '>', sql`${after}::bigint`)
      .orderBy('id')
      .limit(BATCH)
      .execute();
    for (const row of rows) {
      const aboutUser = subjectEntityIds.has(row.entity_id);
      const drop = aboutUser ? PERSONAL_SNAPSHOT_KEYS : undefined;
      const previous = row.previous_state === null ? null : known.redactJson(row.previous_state as JsonObject, drop);
      const next = row.new_state === null ? null : known.redactJson(row.new_state as JsonObject, drop);
      const actedByUser = row.user_id === userId;
      const ip = actedByUser ? null : row.ip_address;
      const agent = actedByUser ? null : row.user_agent;
      if (previous === row.previous_state && next === row.new_state && ip === row.ip_address && agent === row.user_agent) continue;
      const id = String(row.id);
      await db
        .updateTable(table)
        .set({ previous_state: jsonTextOf(previous), new_state: jsonTextOf(next), ip_address: ip, user_agent: agent })
        .where(sql`id`, '=', sql`${id}::bigint`)
        .where('created_at', '=', row.created_at)
        .execute();
      uow.compensateWith(
        db
          .updateTable(table)
          .set({ previous_state: jsonTextOf(row.previous_state), new_state: jsonTextOf(row.new_state), ip_address: row.ip_address, user_agent: row.user_agent })
          .where(sql`id`, '=', sql`${id}::bigint`)
          .where('created_at', '=', row.created_at),
      );
      changed++;
    }
    if (rows.length < BATCH) return changed;
    after = String(rows.at(-1)!.id);
  }
}
