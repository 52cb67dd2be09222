// The names the docs' code blocks use without defining them, with their types: a block reads
// like the middle of a host app's code, and this file is the app around it. The blocks are
// type-checked against the source by scripts/check-doc-snippets.ts (run by `npm test`).
import type { Db, MongoClient } from 'mongodb';
import type { Kysely } from 'kysely';
import type { Pool } from 'pg';
import type { ClassBookingId, ClassId, ExerciseId, FacilityId, FoodId, MembershipId, Nexfit, NutritionPlanId, PaymentProvider, UserId } from '@nexfit/sdk';
import type { ServiceDeps } from '../src/modules/service-deps.js';
import type { Database } from '../src/stores/postgres/database.js';

declare global {
  /** An SDK instance, as `createNexfit()` returns it. */
  const nexfit: Nexfit;
  /** The host app's own connections and payment provider. */
  const myMongoClient: MongoClient;
  const myPgPool: Pool;
  const myPaymentProvider: PaymentProvider;
  /** The host's own authentication: the user id a verified session token or JWT names. */
  function verifySessionToken(authorization: string | undefined): string;
  /** For the pages on internals: the SDK's MongoDB database, its Kysely instance and the deps every service takes. */
  const db: Db;
  const pg: Kysely<Database>;
  const deps: ServiceDeps;
  /** Ids a request or an earlier step produced. */
  const userId: UserId;
  const clientId: UserId;
  const coachId: UserId;
  const adminId: UserId;
  const ownerId: UserId;
  const activeClientId: UserId;
  const someoneElse: UserId;
  const facilityId: FacilityId;
  const membershipId: MembershipId;
  const exerciseId: ExerciseId;
  const pushUpId: ExerciseId;
  const kneePushUpId: ExerciseId;
  const oatsId: FoodId;
  const eggId: FoodId;
  const nutritionTemplateId: NutritionPlanId;
  const classId: ClassId;
  const bookingId: ClassBookingId;
  /** The start of one occurrence of a class. */
  const occurrenceStart: Date;
  /** The host's own notification channel (push, e-mail). */
  function notify(userId: string, message: string): void;
  /** A client-chosen key that makes a retried request a replay, e.g. the `Idempotency-Key` header. */
  const idempotencyKey: string;
  /** A progress bar (cli-progress's `SingleBar`, or anything with `update`). */
  const bar: { update(value: number, payload?: object): void };
  const controller: AbortController;
  /** The current HTTP request, its user set by the host's authentication. */
  const req: { readonly user: { readonly id: UserId } };
  /** Untrusted input, such as a submitted form. */
  const form: unknown;
}
