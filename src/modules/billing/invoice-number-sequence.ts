import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import { ConfigurationError, ConflictError } from '../../core/errors.js';
import type { BusinessId } from '../../core/ids.js';
import type { RepositoryDeps } from '../../stores/repository-deps.js';
import type { StoreContext } from '../../stores/store-context.js';
import type { Database } from '../../stores/postgres/database.js';
import { isInTransactionBlock, PostgresRepository, type PostgresHandle } from '../../stores/postgres/postgres-repository.js';
import { prepareStatement, slot } from '../../stores/postgres/prepared-statement.js';
import { invoiceSchema } from './invoice.schema.js';

/** Calendar years an invoice number may carry. */
const yearSchema = z.number().int().min(1900).max(9999);

/**
 * `year = 0` rows of `nexfit_invoice_sequences` hold issuer codes: the row of a business
 * holds that business's code, and the row of this key (which can never be a 24-hex id)
 * holds the last code handed out.
 */
const ISSUER_CODES_KEY = '#issuer-codes';
const ISSUER_CODE_YEAR = 0;

/** Digits each part is padded to; a part that outgrows them widens while the whole fits. */
const PART_DIGITS = 6;
const MAX_LENGTH = 20;

// The two statements of every number, built and compiled once (see prepareStatement).
const REGISTERED_CODE = prepareStatement((db) =>
  db.selectFrom('nexfit_invoice_sequences').select('last_value').where('business_id', '=', slot('business')).where('year', '=', ISSUER_CODE_YEAR),
);
/**
 * The issuer code and, only when the business has one, the next number of its series: one
 * round trip instead of two for every invoice after a business's first. The series row is
 * locked only once the code is known, as in the two-statement path, so a first invoice
 * still takes the shared counter row before any series row.
 */
const CODE_AND_NEXT = prepareStatement<{ code: number | null; sequence: number | null }>(
  () => sql`with code as (
      select last_value from nexfit_invoice_sequences where business_id = ${slot('business')} and year = ${ISSUER_CODE_YEAR}
    ), next as (
      insert into nexfit_invoice_sequences (business_id, year, last_value)
      select ${slot('business')}, ${slot('year')}, 1 where exists (select 1 from code)
      on conflict (business_id, year) do update set last_value = nexfit_invoice_sequences.last_value + 1
      returning last_value
    )
    select (select last_value from code) as code, (select last_value from next) as sequence`,
);
const REGISTERED_CODES = prepareStatement<{ business_id: string; last_value: number }>(
  () => sql`select business_id, last_value from nexfit_invoice_sequences where business_id = any(${slot('businesses')}::text[]) and year = ${ISSUER_CODE_YEAR}`,
);
/** Advances several series at once, each by its count; rows are locked in the order given (business id order). */
const RESERVE_IN_SERIES = prepareStatement<{ business_id: string; last_value: number }>(
  () => sql`insert into nexfit_invoice_sequences (business_id, year, last_value)
    select business, ${slot('year')}, n from unnest(${slot('businesses')}::text[], ${slot('counts')}::int4[]) with ordinality as u(business, n, position)
    order by position
    on conflict (business_id, year) do update set last_value = nexfit_invoice_sequences.last_value + excluded.last_value
    returning business_id, last_value`,
);
/**
 * How long a unit waits for a series row another transaction holds (unless the unit set its own
 * `lock_timeout`). A live issuer holds it for milliseconds; a transaction prepared by a process
 * that died holds it until recovery decides it, and waiters that never gave up would take every
 * pooled connection, recovery's too. Past the wait the unit fails with a `TransientStoreError`.
 */
export const SERIES_LOCK_TIMEOUT = '10s';
const BOUND_LOCK_WAIT = prepareStatement(
  () => sql`select set_config('lock_timeout', ${SERIES_LOCK_TIMEOUT}, true) where current_setting('lock_timeout') in ('0', '0ms')`,
);
const NEXT_IN_SERIES = prepareStatement((db) =>
  db
    .insertInto('nexfit_invoice_sequences')
    .values({ business_id: slot('business'), year: slot('year'), last_value: 1 })
    .onConflict((oc) => oc.columns(['business_id', 'year']).doUpdateSet({ last_value: sql<number>`nexfit_invoice_sequences.last_value + 1` }))
    .returning('last_value'),
);

/**
 * Formats an invoice number as `<year>-<issuer code>-<sequence>`, e.g. `2026-000042-000317`
 * (18 characters). Both parts are padded to six digits and widen beyond (a code of 1 000 000
 * prints as seven digits), which keeps the text unique for every (year, code, sequence) as
 * long as it fits the `VARCHAR(20)` column; a number that would not fit is refused.
 *
 * @example
 * ```ts
 * formatInvoiceNumber(2026, 42, 317) // '2026-000042-000317'
 * ```
 */
export function formatInvoiceNumber(year: number, issuerCode: number, sequence: number): string {
  const text = `${year}-${String(issuerCode).padStart(PART_DIGITS, '0')}-${String(sequence).padStart(PART_DIGITS, '0')}`;
  if (text.length > MAX_LENGTH) {
    throw new ConflictError('invoice_number_exhausted', `Invoice number ${text} does not fit ${MAX_LENGTH} characters`);
  }
  return text;
}

/**
 * Gap-free invoice numbers, one series per business and calendar year (the invoice law's
 * requirement that issued numbers run without gaps), printed with a short issuer code that
 * makes them unique across businesses.
 *
 * - The series lives in `nexfit_invoice_sequences (business_id, year) -> last_value` and
 *   advances with one `INSERT … ON CONFLICT DO UPDATE … RETURNING` (the first number of a
 *   year inserts the row). The row lock it takes is held until the invoice's transaction
 *   ends, so concurrent issuers for the same business queue up, and a rolled-back
 *   transaction gives its number back. A PostgreSQL `SEQUENCE` is not transactional and
 *   would leave gaps.
 * - A business id has 24 hex digits, too many for `VARCHAR(20)` next to a year and a
 *   sequence, and no prefix of it is unique (the first eight digits of an ObjectId are its
 *   creation second). Each business therefore gets a small integer code on its first
 *   invoice, kept in the same table under `year = 0`; codes are handed out under the row
 *   lock of a shared counter row, so they are unique (and, like the numbers, given back
 *   by a rolled-back first invoice).
 *
 * {@link InvoiceNumberSequence.next} must run inside the transaction that writes the
 * invoice: a number taken in a transaction of its own would be committed without its
 * invoice, which is a gap.
 *
 * @example
 * ```ts
 * await db.transaction().execute(async (trx) => {
 *   const invoiceNumber = await numbers.next(businessId, 2026, { pg: trx }); // '2026-000042-000318'
 *   await trx.insertInto('invoices').values({ ...row, invoice_number: invoiceNumber }).execute();
 * });
 * ```
 */
export class InvoiceNumberSequence extends PostgresRepository {
  constructor(db: Kysely<Database>, deps: RepositoryDeps) {
    super(db, deps, { entity: 'invoice number', table: 'nexfit_invoice_sequences' });
  }

  /** Takes the next number of the business's series for `year`, inside the caller's transaction. */
  async next(businessId: BusinessId, year: number, ctx?: StoreContext): Promise<string> {
    return this.run('next', async () => {
      const business = this.parse(invoiceSchema.shape.businessId, businessId);
      const validYear = this.parse(yearSchema, year);
      const db = this.dbOf(ctx);
      if (!(await isInTransactionBlock(db))) {
        throw new ConfigurationError('InvoiceNumberSequence.next must run in the transaction that writes the invoice');
      }
      await BOUND_LOCK_WAIT.execute(db, {});
      const known = (await CODE_AND_NEXT.execute(db, { business, year: validYear })).rows[0];
      if (known?.code != null && known.sequence != null) return formatInvoiceNumber(validYear, known.code, known.sequence);
      // The business's first invoice: register its code, then take the number.
      const code = await this.#issuerCode(db, business);
      const { last_value: sequence } = (await NEXT_IN_SERIES.execute(db, { business, year: validYear })).rows[0]!;
      return formatInvoiceNumber(validYear, code, sequence);
    });
  }

    /**
   * Takes `businessIds.length` numbers at once, for invoices of `year` written in input order
   * by the caller's transaction: the i-th number belongs to the i-th business id. Each
   * business's series advances by its count in one `INSERT … ON CONFLICT DO UPDATE …
   * RETURNING` for all of them (businesses locked in id order), so the numbers of one
   * business run consecutively in input order, without gaps — as long as the caller writes
   * every one of them or rolls back.
   *
   * @example
   * ```ts
   * await numbers.nextMany([a, b, a], 2026, { pg: trx }) // ['2026-000001-000007', '2026-000002-000001', '2026-000001-000008']
   * ```
   */
  async nextMany(businessIds: readonly BusinessId[], year: number, ctx?: StoreContext): Promise<string[]> {
    return this.run('nextMany', async () => {
      const businesses = businessIds.map((id) => this.parse(invoiceSchema.shape.businessId, id));
      const validYear = this.parse(yearSchema, year);
      if (businesses.length === 0) return [];
      const db = this.dbOf(ctx);
      if (!(await isInTransactionBlock(db))) {
        throw new ConfigurationError('InvoiceNumberSequence.nextMany must run in the transaction that writes the invoices');
      }
      await BOUND_LOCK_WAIT.execute(db, {});
      const counts = new Map<string, number>();
      for (const business of businesses) counts.set(business, (counts.get(business) ?? 0) + 1);
      const ordered = [...counts.keys()].sort();
      const codes = await this.#issuerCodes(db, ordered);
      const { rows } = await RESERVE_IN_SERIES.execute(db, { businesses: ordered, counts: ordered.map((b) => counts.get(b)!), year: validYear });
      const next = new Map(rows.map((row) => [row.business_id, Number(row.last_value) - counts.get(row.business_id)! + 1]));
      return businesses.map((business) => {
        const sequence = next.get(business)!;
        next.set(business, sequence + 1);
        return formatInvoiceNumber(validYear, codes.get(business)!, sequence);
      });
    });
  }

  /** The last number issued in the business's series for `year` (0 before the first). */
  async lastIssued(businessId: BusinessId, year: number, ctx?: StoreContext): Promise<number> {
    return this.run('lastIssued', async () => {
      const business = this.parse(invoiceSchema.shape.businessId, businessId);
      const validYear = this.parse(yearSchema, year);
      const row = await this.dbOf(ctx)
        .selectFrom('nexfit_invoice_sequences')
        .select('last_value')
        .where('business_id', '=', business)
        .where('year', '=', validYear)
        .executeTakeFirst();
      return row?.last_value ?? 0;
    });
  }

  /** The business's issuer code, assigned on its first invoice (see {@link InvoiceNumberSequence.#issuerCodes}). */
  async #issuerCode(db: PostgresHandle, business: string): Promise<number> {
    return (await this.#issuerCodes(db, [business])).get(business)!;
  }

  /**
   * The businesses' issuer codes, assigning one to each business without one in id order.
   * Registrations serialise on the counter row; after waiting for it the businesses' rows are
   * read again, since a concurrent first invoice may have registered some meanwhile.
   */
  async #issuerCodes(db: PostgresHandle, businesses: readonly string[]): Promise<Map<string, number>> {
    const codes = await this.#registeredCodes(db, businesses);
    if (codes.size === businesses.length) return codes;
    await db
      .insertInto('nexfit_invoice_sequences')
      .values({ business_id: ISSUER_CODES_KEY, year: ISSUER_CODE_YEAR, last_value: 0 })
      .onConflict((oc) => oc.doNothing())
      .execute();
    await db
      .selectFrom('nexfit_invoice_sequences')
      .select('last_value')
      .where('business_id', '=', ISSUER_CODES_KEY)
      .where('year', '=', ISSUER_CODE_YEAR)
      .forUpdate()
      .execute();
    for (const [business, code] of await this.#registeredCodes(db, businesses)) codes.set(business, code);
    const missing = [...new Set(businesses.filter((business) => !codes.has(business)))].sort();
    if (missing.length === 0) return codes;
    const { last_value: last } = await db
      .updateTable('nexfit_invoice_sequences')
      .set({ last_value: sql<number>`last_value + ${missing.length}` })
      .where('business_id', '=', ISSUER_CODES_KEY)
      .where('year', '=', ISSUER_CODE_YEAR)
      .returning('last_value')
      .executeTakeFirstOrThrow();
    const first = Number(last) - missing.length + 1;
    const rows = missing.map((business, i) => ({ business_id: business, year: ISSUER_CODE_YEAR, last_value: first + i }));
    await db.insertInto('nexfit_invoice_sequences').values(rows).execute();
    for (const row of rows) codes.set(row.business_id, row.last_value);
    return codes;
  }

  async #registeredCodes(db: PostgresHandle, businesses: readonly string[]): Promise<Map<string, number>> {
    if (businesses.length === 1) {
      const code = (await REGISTERED_CODE.execute(db, { business: businesses[0] })).rows[0]?.last_value;
      return new Map(code === undefined ? [] : [[businesses[0]!, code]]);
    }
    const { rows } = await REGISTERED_CODES.execute(db, { businesses });
    return new Map(rows.map((row) => [row.business_id, row.last_value]));
  }
}
