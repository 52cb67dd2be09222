/**
 * Generates docs/er-diagram.md: a Mermaid entity-relationship diagram of both stores, derived
 * from their single sources of truth, never restated by hand:
 * - MongoDB: the collection registry (`MONGO_COLLECTIONS`) and each entity collection's zod
 *   stored schema — fields, and references found through the branded id schemas
 *   (`idSchema('UserId')` points at the collection whose own `id` carries that brand);
 * - PostgreSQL: the catalog of a database migrated to the latest version — columns, primary
 *   and unique keys, foreign keys, and `VARCHAR(24)` `*_id` columns that hold MongoDB ids
 *   (SPEC decision 1) as cross-store references.
 *
 *   npm run docs:er   # DATABASE_URL's server, or an embedded PostgreSQL; writes docs/er-diagram.md
 *
 * A test regenerates the file and fails when the committed one differs.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { z } from 'zod';
import { objectIdBrandOf } from '../src/core/ids.js';
import { ENTITY_COLLECTION_NAMES, MONGO_COLLECTIONS, type MongoCollectionName } from '../src/modules/mongo-collections.js';
import { migratePostgresToLatest } from '../src/stores/postgres/migrator.js';
import { createNexfitPgPool } from '../src/stores/postgres/pg-types.js';

/** One attribute line of an entity. */
export interface ErAttribute {
  readonly type: string;
  readonly name: string;
  readonly keys: readonly ('PK' | 'FK' | 'UK')[];
  readonly comment?: string;
}

/** One entity: a collection or a table. */
export interface ErEntity {
  readonly name: string;
  readonly store: 'MongoDB' | 'PostgreSQL';
  readonly attributes: readonly ErAttribute[];
}

/** A reference from `from` to `to`; `enforced` when the database checks it (a PostgreSQL foreign key). */
export interface ErRelation {
  readonly to: string;
  readonly from: string;
  readonly label: string;
  readonly many: boolean;
  readonly optional: boolean;
  readonly enforced: boolean;
}

/** Both stores' entities and the references between them. */
export interface ErModel {
  readonly entities: readonly ErEntity[];
  readonly relations: readonly ErRelation[];
}

type AnySchema = z.core.$ZodType;
const defOf = (schema: AnySchema): Record<string, unknown> & { type: string } => (schema as unknown as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional', 'lazy']);

function unwrap(schema: AnySchema): { inner: AnySchema; optional: boolean } {
  let inner = schema;
  let optional = false;
  for (;;) {
    if (objectIdBrandOf(inner)) return { inner, optional };
    const def = defOf(inner);
    if (def.type === 'optional' || def.type === 'nullable') optional = true;
    if (WRAPPERS.has(def.type)) inner = (def.type === 'lazy' ? (def['getter'] as () => AnySchema)() : def['innerType']) as AnySchema;
    else if (def.type === 'pipe') inner = (defOf(def['out'] as AnySchema).type === 'transform' ? def['in'] : def['out']) as AnySchema;
    else return { inner, optional };
  }
}

/** The attribute type shown for a zod schema: `ObjectId`, `string`, `date`, `number[]`, `object`, … */
function typeLabel(schema: AnySchema): string {
  const { inner } = unwrap(schema);
  if (objectIdBrandOf(inner)) return 'ObjectId';
  const def = defOf(inner);
  switch (def.type) {
    case 'array':
      return `${typeLabel(def['element'] as AnySchema)}[]`;
    case 'record':
      return 'map';
    case 'union': {
      const labels = [...new Set((def['options'] as AnySchema[]).map(typeLabel))];
      return labels.length === 1 ? labels[0]! : 'union';
    }
    default:
      return def.type;
  }
}

const shapeOf = (schema: AnySchema): Record<string, AnySchema> | undefined => {
  const { inner } = unwrap(schema);
  const def = defOf(inner);
  return def.type === 'object' ? (def['shape'] as Record<string, AnySchema>) : undefined;
};

/** Every branded id below a schema, with its path (`exercises[].exerciseId`). */
function references(schema: AnySchema, path: string, inArray: boolean, optional: boolean, seen: Set<AnySchema>, out: { path: string; brand: string; many: boolean; optional: boolean }[]): void {
  if (seen.has(schema)) return;
  seen.add(schema);
  const { inner, optional: opt } = unwrap(schema);
  const brand = objectIdBrandOf(inner);
  if (brand) {
    out.push({ path, brand, many: inArray, optional: optional || opt });
    return;
  }
  const def = defOf(inner);
  if (def.type === 'object') {
    for (const [key, field] of Object.entries(def['shape'] as Record<string, AnySchema>)) references(field, path ? `${path}.${key}` : key, inArray, optional || opt, seen, out);
  } else if (def.type === 'array') {
    references(def['element'] as AnySchema, `${path}[]`, true, optional || opt, seen, out);
  } else if (def.type === 'record') {
    references(def['valueType'] as AnySchema, `${path}.*`, true, optional || opt, seen, out);
  } else if (def.type === 'union') {
    for (const option of def['options'] as AnySchema[]) references(option, path, inArray, optional || opt, seen, out);
  }
}

/**
 * A `BusinessId` is the facility's id for a gym or studio and the coach's user id for a
 * freelance coach (`businessIdOfFacility`, `businessIdOfCoach`), so it points at either.
 */
const BUSINESS_ID_TARGETS: readonly { readonly brand: string; readonly as: string }[] = [
  { brand: 'FacilityId', as: 'a facility' },
  { brand: 'UserId', as: 'a coach' },
];

/**
 * The collections the diagram draws: the design document's entity collections, then every other
 * collection of the registry that stores entities of a schema (the food diary, measurement
 * categories); counters, locks and the SDK's bookkeeping have none.
 */
const storedSchemaOf = (name: MongoCollectionName): AnySchema | undefined => (MONGO_COLLECTIONS[name] as { readonly storedSchema?: AnySchema }).storedSchema;
const DIAGRAM_COLLECTIONS: readonly MongoCollectionName[] = [
  ...ENTITY_COLLECTION_NAMES,
  ...(Object.keys(MONGO_COLLECTIONS) as MongoCollectionName[]).filter((name) => !(ENTITY_COLLECTION_NAMES as readonly string[]).includes(name) && storedSchemaOf(name) !== undefined),
];

/** The MongoDB side: the entity collections, their top-level fields and every reference. */
export function describeMongoCollections(): { entities: ErEntity[]; relations: ErRelation[]; collectionByBrand: Map<string, string> } {
  const collectionByBrand = new Map<string, string>();
  for (const name of DIAGRAM_COLLECTIONS) {
    const schema = storedSchemaOf(name);
    const id = schema && shapeOf(schema)?.['id'];
    const brand = id && objectIdBrandOf(unwrap(id).inner);
    if (brand) collectionByBrand.set(brand, name);
  }
  const entities: ErEntity[] = [];
  const relations: ErRelation[] = [];
  for (const name of DIAGRAM_COLLECTIONS) {
    const definition = MONGO_COLLECTIONS[name];
    const schema = storedSchemaOf(name);
    const shape = (schema && shapeOf(schema)) ?? {};
    const unique = new Set(definition.indexes.filter((i) => 'unique' in i && i.unique && Object.keys(i.key).length === 1 && !('partialFilterExpression' in i)).map((i) => Object.keys(i.key)[0]!));
    const found: { path: string; brand: string; many: boolean; optional: boolean }[] = [];
    for (const [field, schema] of Object.entries(shape)) if (field !== 'id') references(schema, field, false, false, new Set(), found);
    const referencing = new Set(found.filter((r) => !r.path.includes('.') && !r.path.includes('[]')).map((r) => r.path));
    entities.push({
      name,
      store: 'MongoDB',
      attributes: Object.entries(shape).map(([field, schema]): ErAttribute => {
        const keys: ('PK' | 'FK' | 'UK')[] = field === 'id' ? ['PK'] : [...(referencing.has(field) ? (['FK'] as const) : []), ...(unique.has(field) ? (['UK'] as const) : [])];
        return { type: typeLabel(schema), name: field, keys, ...(field === 'id' ? { comment: 'stored as _id' } : {}) };
      }),
    });
    for (const ref of found) {
      const targets = ref.brand === 'BusinessId' ? BUSINESS_ID_TARGETS.map((t) => ({ to: collectionByBrand.get(t.brand), label: `${ref.path} (${t.as})` })) : [{ to: collectionByBrand.get(ref.brand), label: ref.path }];
      for (const target of targets) if (target.to) relations.push({ to: target.to, from: name, label: target.label, many: ref.many, optional: ref.optional, enforced: false });
    }
  }
  return { entities, relations, collectionByBrand };
}

interface CatalogColumn {
  table_name: string;
  column_name: string;
  data_type: string;
  character_maximum_length: number | null;
  numeric_precision: number | null;
  numeric_scale: number | null;
  is_nullable: 'YES' | 'NO';
}
interface CatalogConstraint {
  table_name: string;
  contype: 'p' | 'u' | 'f';
  columns: string[];
  ref_table: string | null;
}

const SQL_TYPE: Readonly<Record<string, string>> = {
  'character varying': 'varchar',
  'timestamp with time zone': 'timestamptz',
  'timestamp without time zone': 'timestamp',
  'double precision': 'double',
};

const pascal = (snake: string): string => snake.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());

/**
 * The PostgreSQL side, read from the catalog of `db`'s current schema (migrated): tables
 * (partitions and the migrator's bookkeeping left out), keys, foreign keys, and the
 * cross-store references of `VARCHAR(24)` `*_id` columns to the collections of `collectionByBrand`.
 */
export async function describePostgresTables(db: Kysely<any>, collectionByBrand: ReadonlyMap<string, string>): Promise<{ entities: ErEntity[]; relations: ErRelation[] }> {
  const tables = sql`SELECT cl.relname FROM pg_class cl WHERE cl.relnamespace = current_schema()::regnamespace AND cl.relkind IN ('r', 'p') AND NOT cl.relispartition AND cl.relname NOT LIKE 'nexfit\\_migrations%'`;
  const columns = await sql<CatalogColumn>`
    SELECT table_name, column_name, data_type, character_maximum_length, numeric_precision, numeric_scale, is_nullable
    FROM information_schema.columns
    WHERE table_schema = current_schema() AND table_name IN (${tables})
    ORDER BY table_name, ordinal_position`.execute(db);
  const constraints = await sql<CatalogConstraint>`
    SELECT cl.relname AS table_name, con.contype,
      ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(attnum, n) JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.n) AS columns,
      fcl.relname AS ref_table
    FROM pg_constraint con JOIN pg_class cl ON cl.oid = con.conrelid LEFT JOIN pg_class fcl ON fcl.oid = con.confrelid
    WHERE con.contype IN ('p', 'u', 'f') AND cl.relname IN (${tables}) AND cl.relnamespace = current_schema()::regnamespace
    ORDER BY cl.relname, con.conname`.execute(db);

  const keysOf = (table: string, column: CatalogColumn): ('PK' | 'FK' | 'UK')[] => {
    const mine = constraints.rows.filter((c) => c.table_name === table && c.columns.includes(column.column_name));
    const keys: ('PK' | 'FK' | 'UK')[] = [];
    if (mine.some((c) => c.contype === 'p')) keys.push('PK');
    if (mine.some((c) => c.contype === 'f') || mongoTargets(column).length > 0) keys.push('FK');
    if (mine.some((c) => c.contype === 'u' && c.columns.length === 1)) keys.push('UK');
    return keys;
  };
  // A VARCHAR(24) `<entity>_id` column holds the id of the MongoDB document whose brand is `<Entity>Id`.
  const mongoTargets = (c: CatalogColumn): { to: string; label: string }[] => {
    if (c.data_type !== 'character varying' || c.character_maximum_length !== 24 || !c.column_name.endsWith('_id')) return [];
    const brand = `${pascal(c.column_name.slice(0, -'_id'.length))}Id`;
    const targets = brand === 'BusinessId' ? BUSINESS_ID_TARGETS.map((t) => ({ to: collectionByBrand.get(t.brand), label: `${c.column_name} (${t.as})` })) : [{ to: collectionByBrand.get(brand), label: c.column_name }];
    return targets.filter((t): t is { to: string; label: string } => t.to !== undefined);
  };
  const byTable = new Map<string, CatalogColumn[]>();
  for (const column of columns.rows) byTable.set(column.table_name, [...(byTable.get(column.table_name) ?? []), column]);

  const entities: ErEntity[] = [];
  const relations: ErRelation[] = [];
  for (const [table, cols] of [...byTable].sort(([a], [b]) => a.localeCompare(b))) {
    const attributes = cols.map((c): ErAttribute => {
      const sqlType = c.data_type === 'character varying' && c.character_maximum_length ? `VARCHAR(${c.character_maximum_length})` : c.data_type === 'numeric' && c.numeric_precision ? `DECIMAL(${c.numeric_precision},${c.numeric_scale ?? 0})` : undefined;
      const type = (SQL_TYPE[c.data_type] ?? c.data_type).replace(/\s+/g, '_');
      const comment = [sqlType, c.is_nullable === 'YES' ? 'nullable' : undefined].filter(Boolean).join(', ');
      return { type, name: c.column_name, keys: keysOf(table, c), ...(comment ? { comment } : {}) };
    });
    entities.push({ name: table, store: 'PostgreSQL', attributes });
    for (const fk of constraints.rows.filter((c) => c.table_name === table && c.contype === 'f' && c.ref_table)) {
      const optional = fk.columns.some((name) => cols.find((c) => c.column_name === name)?.is_nullable === 'YES');
      relations.push({ to: fk.ref_table!, from: table, label: fk.columns.join(', '), many: false, optional, enforced: true });
    }
    for (const c of cols) {
      for (const target of mongoTargets(c)) relations.push({ to: target.to, from: table, label: target.label, many: false, optional: c.is_nullable === 'YES', enforced: false });
    }
  }
  return { entities, relations };
}

/** Both stores, from their sources of truth; `db` must be migrated to the latest version. */
export async function describeStores(db: Kysely<any>): Promise<ErModel> {
  const mongo = describeMongoCollections();
  const postgres = await describePostgresTables(db, mongo.collectionByBrand);
  return { entities: [...mongo.entities, ...postgres.entities], relations: [...mongo.relations, ...postgres.relations] };
}

const quote = (text: string): string => `"${text.replace(/"/g, "'")}"`;

/** The Markdown page: a short legend and one Mermaid `erDiagram`. */
export function renderErDiagramMarkdown(model: ErModel): string {
  const lines = [
    '# Entity-relationship diagram',
    '',
    '<!-- Generated by `npm run docs:er` (scripts/er-diagram.ts) from the zod schemas, the MongoDB collection',
    '     registry and the migrated PostgreSQL catalog. Do not edit: a test fails when it is out of date. -->',
    '',
    `MongoDB collections: ${model.entities.filter((e) => e.store === 'MongoDB').map((e) => `\`${e.name}\``).join(', ')}.`,
    '',
    `PostgreSQL tables: ${model.entities.filter((e) => e.store === 'PostgreSQL').map((e) => `\`${e.name}\``).join(', ')}.`,
    '',
    'Solid lines are foreign keys PostgreSQL enforces. Dotted lines are references the SDK keeps',
    '(services check them; no database does): between MongoDB documents, and from PostgreSQL',
    "`VARCHAR(24)` `*_id` columns to MongoDB documents across the stores. A MongoDB entity's `id`",
    'is stored as `_id`; nested fields are summarised by their type (`object`, `object[]`) and',
    'detailed in [schemas.md](schemas.md).',
    '',
    '```mermaid',
    'erDiagram',
  ];
  for (const entity of model.entities) {
    lines.push(`  ${entity.name} {`);
    for (const a of entity.attributes) {
      lines.push(`    ${[a.type, a.name, a.keys.join(', '), a.comment ? quote(a.comment) : ''].filter(Boolean).join(' ')}`);
    }
    lines.push('  }');
  }
  const relations = [...model.relations].sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to) || a.label.localeCompare(b.label));
  for (const r of relations) {
    // The referenced side: one (zero or one when optional) per referencing document or row; many
    // when the reference sits in an array (a template lists many exercises).
    const toEnd = r.many ? '}o' : r.optional ? '|o' : '||';
    lines.push(`  ${r.to} ${toEnd}${r.enforced ? '--' : '..'}o{ ${r.from} : ${quote(r.label)}`);
  }
  lines.push('```', '');
  return lines.join('\n');
}

/** Migrates a scratch database on `adminUrl`'s server, renders the page from it, and drops the database. */
export async function generateErDiagramMarkdown(adminUrl: string): Promise<string> {
  const name = `nexfit_er_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: createNexfitPgPool({ connectionString: url.toString(), max: 2 }) }) });
    try {
      await migratePostgresToLatest(db);
      return renderErDiagramMarkdown(await describeStores(db));
    } finally {
      await db.destroy();
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { startEmbeddedPostgres } = await import('../src/embedded/embedded-postgres.js');
  const embedded = process.env['DATABASE_URL'] ? undefined : await startEmbeddedPostgres();
  try {
    const markdown = await generateErDiagramMarkdown(process.env['DATABASE_URL'] ?? embedded!.url);
    writeFileSync(fileURLToPath(new URL('../docs/er-diagram.md', import.meta.url)), markdown);
    console.log('wrote docs/er-diagram.md');
  } finally {
    await embedded?.stop();
  }
}
