import { sql, type Kysely } from 'kysely';
import { enumCheck, jsonObjectCheck } from './check-constraints.js';

/** Where a webhook delivery stands: `pending` until a 2xx (`succeeded`) or its last attempt failed (`dead`). */
export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'succeeded', 'dead'] as const;

/**
 * Signed webhooks for domain events. `nexfit_webhook_endpoints` holds each facility's (or,
 * with no facility, the platform's) receiving URLs, with the signing secret sealed under the
 * keyring. `nexfit_webhook_deliveries` holds one row per event and matching endpoint, written
 * by a trigger on `nexfit_outbox` in the transaction that writes the event: a delivery exists
 * if and only if its unit of work committed, and survives the death of the process. A
 * dispatcher claims due rows with a lease (`lease_token`, `lease_until`) and records every
 * attempt in `nexfit_webhook_attempts`. The trigger copies the event, so housekeeping may
 * delete published outbox rows; when a unit's event is removed by its compensation (ordered
 * mode), the deliveries of that event no dispatcher attempted yet go with it.
 */
const upStatements: readonly string[] = [
  `CREATE TABLE nexfit_webhook_endpoints (
  endpoint_id VARCHAR(24) NOT NULL,
  facility_id VARCHAR(24),
  url VARCHAR(2048) NOT NULL,
  description VARCHAR(200),
  events TEXT[] NOT NULL,
  active BOOLEAN NOT NULL DEFAULT TRUE,
  secret_key_id VARCHAR(100) NOT NULL,
  secret_sealed BYTEA NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT nexfit_webhook_endpoints_pkey PRIMARY KEY (endpoint_id),
  CONSTRAINT nexfit_webhook_endpoints_events_check CHECK (cardinality(events) BETWEEN 1 AND 100)
)`,
  'CREATE INDEX nexfit_webhook_endpoints_facility_idx ON nexfit_webhook_endpoints (facility_id, created_at)',
  `CREATE TABLE nexfit_webhook_deliveries (
  id BIGINT GENERATED ALWAYS AS IDENTITY,
  endpoint_id VARCHAR(24) NOT NULL REFERENCES nexfit_webhook_endpoints (endpoint_id) ON DELETE CASCADE,
  event_id UUID NOT NULL,
  event_type VARCHAR(100) NOT NULL,
  payload JSONB NOT NULL,
  occurred_at TIMESTAMPTZ NOT NULL,
  status VARCHAR(20) NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TIMESTAMPTZ NOT NULL,
  lease_token UUID,
  lease_until TIMESTAMPTZ,
  last_status_code INTEGER,
  last_error TEXT,
  finished_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT nexfit_webhook_deliveries_pkey PRIMARY KEY (id),
  CONSTRAINT nexfit_webhook_deliveries_event_key UNIQUE (endpoint_id, event_id),
  ${enumCheck('nexfit_webhook_deliveries', 'status', WEBHOOK_DELIVERY_STATUSES)},
  CONSTRAINT nexfit_webhook_deliveries_attempts_check CHECK (attempts >= 0),
  ${jsonObjectCheck('nexfit_webhook_deliveries', 'payload')}
)`,
  "CREATE INDEX nexfit_webhook_deliveries_due_idx ON nexfit_webhook_deliveries (next_attempt_at) WHERE status = 'pending'",
  'CREATE INDEX nexfit_webhook_deliveries_endpoint_idx ON nexfit_webhook_deliveries (endpoint_id, id DESC)',
  'CREATE INDEX nexfit_webhook_deliveries_finished_idx ON nexfit_webhook_deliveries (finished_at) WHERE finished_at IS NOT NULL',
  `CREATE TABLE nexfit_webhook_attempts (
  id BIGINT GENERATED ALWAYS AS IDENTITY,
  delivery_id BIGINT NOT NULL REFERENCES nexfit_webhook_deliveries (id) ON DELETE CASCADE,
  attempt INTEGER NOT NULL,
  status_code INTEGER,
  duration_ms INTEGER NOT NULL,
  error TEXT,
  attempted_at TIMESTAMPTZ NOT NULL,
  CONSTRAINT nexfit_webhook_attempts_pkey PRIMARY KEY (id)
)`,
  'CREATE INDEX nexfit_webhook_attempts_delivery_idx ON nexfit_webhook_attempts (delivery_id, id)',
  // The routing facility of an event is the facilityId (or businessId) its payload names.
  `CREATE FUNCTION nexfit_webhook_fan_out() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  INSERT INTO nexfit_webhook_deliveries (endpoint_id, event_id, event_type, payload, occurred_at, next_attempt_at)
  SELECT e.endpoint_id, NEW.event_id, NEW.type, NEW.payload, NEW.created_at, NEW.created_at
  FROM nexfit_webhook_endpoints e
  WHERE e.active
    AND (e.events @> ARRAY[NEW.type]::text[] OR e.events @> ARRAY['*']::text[])
    AND (e.facility_id IS NULL OR e.facility_id = COALESCE(NEW.payload->>'facilityId', NEW.payload->>'businessId'));
  RETURN NULL;
END
$$`,
  `CREATE FUNCTION nexfit_webhook_withdraw() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  DELETE FROM nexfit_webhook_deliveries WHERE event_id = OLD.event_id AND attempts = 0 AND status = 'pending';
  RETURN NULL;
END
$$`,
  'CREATE TRIGGER nexfit_outbox_webhook_fan_out AFTER INSERT ON nexfit_outbox FOR EACH ROW EXECUTE FUNCTION nexfit_webhook_fan_out()',
  'CREATE TRIGGER nexfit_outbox_webhook_withdraw AFTER DELETE ON nexfit_outbox FOR EACH ROW WHEN (OLD.published_at IS NULL) EXECUTE FUNCTION nexfit_webhook_withdraw()',
];

/** Creates the webhook tables and the outbox triggers that fan events out to them. */
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of upStatements) await sql.raw(statement).execute(db);
}

/** Drops the triggers and the webhook tables, undelivered deliveries included. */
export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('DROP TRIGGER nexfit_outbox_webhook_withdraw ON nexfit_outbox').execute(db);
  await sql.raw('DROP TRIGGER nexfit_outbox_webhook_fan_out ON nexfit_outbox').execute(db);
  await sql.raw('DROP FUNCTION nexfit_webhook_withdraw()').execute(db);
  await sql.raw('DROP FUNCTION nexfit_webhook_fan_out()').execute(db);
  await sql.raw('DROP TABLE nexfit_webhook_attempts').execute(db);
  await sql.raw('DROP TABLE nexfit_webhook_deliveries').execute(db);
  await sql.raw('DROP TABLE nexfit_webhook_endpoints').execute(db);
}
