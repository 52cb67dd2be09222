/**
 * SQL fragments for the `CHECK` constraints, generated from the TypeScript constants so
 * the enumerations in the database and in the types are the same list.
 */

/** `'a', 'b'` with each value quoted as a SQL string literal. */
function sqlStringList(values: readonly string[]): string {
  return values.map((value) => `'${value.replace(/'/g, "''")}'`).join(', ');
}

/**
 * `CONSTRAINT <table>_<column>_check CHECK (<column> IN (...))`. The name follows the
 * `<table>_<column>_check` convention the error mapping reads the column back from.
 *
 * @example
 * ```ts
 * enumCheck('transactions', 'status', TRANSACTION_STATUSES)
 * // CONSTRAINT transactions_status_check CHECK (status IN ('pending', 'completed', …))
 * ```
 */
export function enumCheck(table: string, column: string, values: readonly string[]): string {
  return `CONSTRAINT ${table}_${column}_check CHECK (${column} IN (${sqlStringList(values)}))`;
}

/** `CONSTRAINT <table>_<column>_check CHECK (<column> >= 0)`. */
export function nonNegativeCheck(table: string, column: string): string {
  return `CONSTRAINT ${table}_${column}_check CHECK (${column} >= 0)`;
}

/** An ISO 4217 alphabetic code: three upper-case Latin letters. */
export function currencyCheck(table: string): string {
  return `CONSTRAINT ${table}_currency_check CHECK (currency ~ '^[A-Z]{3}$')`;
}

/**
 * The JSONB column holds an object (or SQL NULL): the row types promise an object, and a
 * JSON `null`, array or scalar there is always a bug.
 */
export function jsonObjectCheck(table: string, column: string): string {
  return `CONSTRAINT ${table}_${column}_check CHECK (jsonb_typeof(${column}) = 'object')`;
}
