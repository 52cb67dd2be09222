import { parse } from 'csv-parse/sync';
import type { z } from 'zod';

/** How a CSV cell is read for a field, told from the field's zod schema. */
export type CellKind = 'string' | 'number' | 'boolean' | 'date' | 'json' | 'any';

/** The parts of zod 4's schema definitions the walk reads. */
interface SchemaDef {
  readonly type: string;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly out?: z.ZodType;
  readonly getter?: () => z.ZodType;
  readonly shape?: Record<string, z.ZodType>;
  readonly element?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly values?: readonly unknown[];
}

const defOf = (schema: z.ZodType): SchemaDef => (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;

/** The schema under wrappers that do not change what a cell must be (optional, nullable, default, preprocess…). */
function unwrapped(schema: z.ZodType): z.ZodType {
  for (let current = schema, depth = 0; depth < 32; depth++) {
    const def = defOf(current);
    if (def.innerType) current = def.innerType;
    else if (def.type === 'pipe' && def.in && def.out) current = defOf(def.in).type === 'transform' ? def.out : def.in;
    else if (def.type === 'lazy' && def.getter) current = def.getter();
    else return current;
  }
  return schema;
}

/** The schema of the field at `path` (object keys, array indexes), or `undefined` for a field the schema does not know. */
export function fieldSchemaAt(schema: z.ZodType, path: readonly string[]): z.ZodType | undefined {
  let current: z.ZodType | undefined = schema;
  for (const segment of path) {
    if (!current) return undefined;
    const def = defOf(unwrapped(current));
    if (def.type === 'object') current = Object.hasOwn(def.shape ?? {}, segment) ? def.shape![segment] : undefined;
    else if (def.type === 'array') current = /^\d+$/.test(segment) ? def.element : undefined;
    else if (def.type === 'record') current = def.valueType;
    else return undefined;
  }
  return current;
}

/**
 * How a cell is read for `schema` (see docs/bulk-import.md, "CSV"). A field that accepts a
 * string (a string, an enum, a date given as ISO text, a union with a string) keeps the cell
 * as text; a number, a boolean or a bare date is converted; an object, an array or a record is
 * parsed as JSON; a field the schema cannot describe (`any`) takes JSON when the cell looks
 * like an object or an array, else the text.
 */
export function cellKindOf(schema: z.ZodType | undefined): CellKind {
  if (!schema) return 'string';
  const inner = unwrapped(schema);
  const def = defOf(inner);
  // A preprocessed field takes the text itself (instants: ISO strings become dates, nonexistent days refused).
  if (def.type === 'pipe') return 'string';
  switch (def.type) {
    case 'string':
    case 'enum':
    case 'template_literal':
      return 'string';
    case 'literal':
      return typeof def.values?.[0] === 'string' ? 'string' : typeof def.values?.[0] === 'number' ? 'number' : typeof def.values?.[0] === 'boolean' ? 'boolean' : 'any';
    case 'number':
    case 'int':
    case 'bigint':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'date':
      return 'date';
    case 'object':
    case 'array':
    case 'record':
    case 'tuple':
      return 'json';
    case 'union': {
      const kinds = new Set((def.options ?? []).map((option) => cellKindOf(option)));
      if (kinds.has('string')) return 'string';
      if (kinds.size === 1) return [...kinds][0]!;
      return kinds.has('json') ? 'json' : 'any';
    }
    default:
      return 'any';
  }
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The value of one cell for a field of `kind`; a cell that does not read as that kind stays text, for the schema to refuse. */
export function cellValue(cell: string, kind: CellKind): unknown {
  const trimmed = cell.trim();
  switch (kind) {
    case 'number':
      return NUMBER.test(trimmed) ? Number(trimmed) : cell;
    case 'boolean':
      return trimmed === 'true' ? true : trimmed === 'false' ? false : cell;
    case 'date': {
      const date = new Date(trimmed);
      return /^\d{4}-\d{2}-\d{2}/.test(trimmed) && !Number.isNaN(date.getTime()) ? date : cell;
    }
    case 'json':
      return parsedJson(trimmed) ?? cell;
    case 'any':
      return /^[[{]/.test(trimmed) ? (parsedJson(trimmed) ?? cell) : cell;
    default:
      return cell;
  }
}

function parsedJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Keys that would reach an object's prototype, or a MongoDB operator, if a header named them. */
const UNSAFE_SEGMENT = /^(__proto__|constructor|prototype|\$.*)$/;

/** The columns of a CSV file: each header cell a field path (`address.city` builds `{ address: { city } }`) and how its cells are read. */
export interface CsvColumns {
  readonly paths: readonly (readonly string[])[];
  readonly kinds: readonly CellKind[];
}

/** Reads a header record against the entity's create schema; throws a message for a header it cannot take. */
export function csvColumnsOf(headerCells: readonly string[], schema: z.ZodType): CsvColumns {
  const paths = headerCells.map((cell) => cell.trim().split('.'));
  const seen = new Set<string>();
  for (const [i, path] of paths.entries()) {
    const name = path.join('.');
    if (path.some((segment) => segment === '' || UNSAFE_SEGMENT.test(segment))) throw new Error(`header column ${i + 1} (${JSON.stringify(name)}) is not a field path`);
    if (seen.has(name)) throw new Error(`header column ${name} appears twice`);
    seen.add(name);
  }
  return { paths, kinds: paths.map((path) => cellKindOf(fieldSchemaAt(schema, path))) };
}

/** The cells of one CSV record (csv-parse, one record); throws csv-parse's error for a malformed record. */
export function csvCellsOf(text: string): string[] {
  const records = parse(text, { record_delimiter: '\n', relax_column_count: true, skip_empty_lines: true }) as string[][];
  if (records.length !== 1) throw new Error(`expected one record, found ${records.length}`);
  return records[0]!;
}

/** The row of one CSV record: empty cells are left out (the field's default applies), the others read by their column's kind. */
export function csvRowOf(cells: readonly string[], columns: CsvColumns): Record<string, unknown> {
  if (cells.length !== columns.paths.length) throw new Error(`${cells.length} cells, the header has ${columns.paths.length} columns`);
  const row: Record<string, unknown> = {};
  cells.forEach((cell, i) => {
    if (cell === '') return;
    const path = columns.paths[i]!;
    let target = row;
    for (const segment of path.slice(0, -1)) {
      const next = target[segment];
      if (typeof next !== 'object' || next === null) target[segment] = {};
      target = target[segment] as Record<string, unknown>;
    }
    target[path.at(-1)!] = cellValue(cell, columns.kinds[i]!);
  });
  return row;
}
