import { sql, type Kysely } from 'kysely';

/** Everything migrations create in one schema, as sorted text, for before/after comparisons. */
export interface CatalogSnapshot {
  readonly relations: readonly string[];
  readonly columns: readonly string[];
  readonly constraints: readonly string[];
  readonly indexes: readonly string[];
  readonly triggers: readonly string[];
  readonly partitions: readonly string[];
  readonly functions: readonly string[];
}

/** Reads the catalog of `schema` (the current schema by default). */
export async function snapshotCatalog(db: Kysely<any>, schema?: string): Promise<CatalogSnapshot> {
  const ns = schema === undefined ? sql`current_schema()` : sql`${schema}::text`;
  const lines = async (query: ReturnType<typeof sql<{ line: string }>>) =>
    (await query.execute(db)).rows.map((r) => r.line).sort();
  return {
    relations: await lines(sql<{ line: string }>`
      SELECT c.relname || ' ' || c.relkind::text AS line FROM pg_class c
      WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = ${ns})`),
    columns: await lines(sql<{ line: string }>`
      SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' '
        || coalesce(column_default, '-') || ' ' || is_identity || ' ' || coalesce(identity_generation, '-')
        || ' ' || coalesce(character_maximum_length::text, '-') || ' ' || coalesce(numeric_precision::text, '-')
        || ' ' || coalesce(numeric_scale::text, '-') AS line
      FROM information_schema.columns WHERE table_schema = ${ns}`),
    constraints: await lines(sql<{ line: string }>`
      SELECT c.conrelid::regclass::text || ' ' || c.conname || ' ' || pg_get_constraintdef(c.oid) AS line
      FROM pg_constraint c WHERE c.connamespace = (SELECT oid FROM pg_namespace WHERE nspname = ${ns})`),
    indexes: await lines(sql<{ line: string }>`
      SELECT indexname || ' ' || indexdef AS line FROM pg_indexes WHERE schemaname = ${ns}`),
    triggers: await lines(sql<{ line: string }>`
      SELECT pg_get_triggerdef(t.oid) AS line FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
      WHERE NOT t.tgisinternal AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = ${ns})`),
    partitions: await lines(sql<{ line: string }>`
      SELECT i.inhparent::regclass::text || ' <- ' || c.relname || ' ' || pg_get_expr(c.relpartbound, c.oid) AS line
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE c.relkind IN ('r', 'p') AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = ${ns})`),
    functions: await lines(sql<{ line: string }>`
      SELECT pg_get_functiondef(p.oid) AS line FROM pg_proc p
      WHERE p.pronamespace = (SELECT oid FROM pg_namespace WHERE nspname = ${ns})`),
  };
}
