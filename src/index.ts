/**
 * `@nexfit/sdk`: the NexFit data model over MongoDB and PostgreSQL.
 *
 * @example
 * ```ts
 * import { createNexfit } from '@nexfit/sdk';
 * const nexfit = await createNexfit(); // embedded stores
 * await nexfit.close();
 * ```
 */
export { createNexfit } from './create-nexfit.js';
export type { Nexfit, NexfitOptions, NexfitStores, MongoStoreOptions, PostgresStoreOptions } from './create-nexfit.js';
export {
  NexfitError,
  ValidationError,
  NotFoundError,
  ConflictError,
  ForbiddenError,
  ConcurrencyError,
  TransientStoreError,
  StoreError,
  ConfigurationError,
  isNexfitError,
} from './core/errors.js';
export type { NexfitErrorCode, ValidationIssue } from './core/errors.js';
export type { Clock } from './core/clock.js';
export { systemClock, fixedClock } from './core/clock.js';
export type * from './core/ids.js';
export { minorToDecimal, decimalToMinor } from './core/money.js';
export type { MinorUnits } from './core/money.js';
