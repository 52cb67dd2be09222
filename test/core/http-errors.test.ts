import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import Fastify from 'fastify';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { AccessDeniedError } from '../../src/access/actor.js';
import {
  ConcurrencyError,
  ConfigurationError,
  ConflictError,
  DecryptionError,
  ForbiddenError,
  HTTP_STATUS_BY_ERROR_CODE,
  NotFoundError,
  StoreError,
  TransientStoreError,
  ValidationError,
  type NexfitError,
  type NexfitErrorCode,
} from '../../src/core/errors.js';
import { formatIssuePath, toHttpError, type PublicErrorBody } from '../../src/core/http-errors.js';
import type { UserId } from '../../src/core/ids.js';
import { toNexfitError as postgresError } from '../../src/stores/postgres/error-mapping.js';
import { PaymentFailedError } from '../../src/modules/billing/payment-provider.js';
import { UnitOfWorkError } from '../../src/uow/coordinator.js';
import { WorkflowCompensationError } from '../../src/workflows/workflow.js';
import { createInputs } from '../modules/support/factories.js';
import { useTestNexfit } from '../support/nexfit.js';

const t = useTestNexfit();
let n = 0;
const register = (email = `http-${++n}@example.com`) =>
  t.nexfit.users.register({ ...createInputs.users({ email, role: ['client'], roleSpecificData: {} }), password: 'gizli-şifre-1' } as never);

/** The response of what `promise` rejects with. */
async function responseOf(promise: Promise<unknown>) {
  const error = await promise.then(() => expect.unreachable('expected a rejection'), (e: unknown) => e);
  return { error: error as NexfitError, ...toHttpError(error) };
}

/** What no public body may contain, whatever the error: stacks, SQL, and the internals given. */
function expectNoInternals(body: PublicErrorBody, ...internals: string[]): void {
  const text = JSON.stringify(body);
  expect(text).not.toContain('    at ');
  expect(text).not.toMatch(/\b(SELECT|INSERT|UPDATE|DELETE)\b/);
  for (const internal of internals) expect(text).not.toContain(internal);
  expect(Object.keys(body).every((k) => ['code', 'message', 'reason', 'issues', 'entity', 'id'].includes(k))).toBe(true);
}

describe('toHttpError', () => {
  it('gives every error code its status and a body without internals', () => {
    const secret = 'SELECT password_hash FROM users WHERE idx_users_email_secret';
    const cause = new Error(secret);
    const errors = {
      VALIDATION_FAILED: new ValidationError('Invalid facility: name: Too small', [{ path: ['name'], code: 'too_small', message: 'Too small' }]),
      NOT_FOUND: new NotFoundError('member subscription', '65f000000000000000000001', { cause }),
      CONFLICT: new ConflictError('class_full', `Class full (${secret})`, { cause, details: { keyPattern: { secret: 1 } } }),
      FORBIDDEN: new ForbiddenError(`Refused by ${secret}`, { cause }),
      CONCURRENCY_CONFLICT: new ConcurrencyError('facility', '65f000000000000000000002', { cause }),
      TRANSIENT: new TransientStoreError('postgres', `PostgreSQL transient failure: ${secret}`, { cause }),
      UNIT_OF_WORK_FAILED: new UnitOfWorkError(`Unit failed at 10.0.0.7:5432: ${secret}`, { cause, details: { unitId: 'u-1' } }),
      WORKFLOW_COMPENSATION_FAILED: new WorkflowCompensationError('purchaseMembership', cause, [{ step: secret, error: cause }]),
      PAYMENT_FAILED: new PaymentFailedError('declined', `Card declined by provider: ${secret}`, { cause }),
      STORE_ERROR: new StoreError('mongo', `MongoDB failure in mongodb://10.0.0.7:27017: ${secret}`, { cause, details: { code: 8000 } }),
      CONFIGURATION: new ConfigurationError(`Cannot reach postgres://admin@10.0.0.7/nexfit: ${secret}`, { cause }),
      DECRYPTION_FAILED: new DecryptionError(`Key k-2024 not in the keyring: ${secret}`, { cause }),
    } satisfies Record<NexfitErrorCode, NexfitError>;

    for (const [code, error] of Object.entries(errors) as [NexfitErrorCode, NexfitError][]) {
      const { status, body, logged } = toHttpError(error);
      expect(status, code).toBe(HTTP_STATUS_BY_ERROR_CODE[code]);
      expect(body.code).toBe(code);
      expect(logged).toBe(error);
      expectNoInternals(body, secret, 'idx_users_email_secret', '10.0.0.7', 'k-2024', 'keyPattern', 'unitId', 'mongodb://', 'postgres://');
      if (status >= 500) expect(body).toEqual({ code, message: 'The service could not complete the request' });
    }
    expect(toHttpError(errors.VALIDATION_FAILED).body).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'Invalid facility: name: Too small',
      issues: [{ path: 'name', code: 'too_small', message: 'Too small' }],
    });
    expect(toHttpError(errors.NOT_FOUND).body).toEqual({
      code: 'NOT_FOUND',
      message: 'Member subscription 65f000000000000000000001 was not found',
      reason: 'member_subscription',
      entity: 'member subscription',
      id: '65f000000000000000000001',
    });
    expect(toHttpError(errors.CONFLICT).body).toEqual({ code: 'CONFLICT', message: 'The occurrence has no place left.', reason: 'class_full' });
    expect(toHttpError(errors.CONFLICT, { locale: 'tr' }).body).toEqual({ code: 'CONFLICT', message: 'Seansta boş yer kalmadı.', reason: 'class_full' });
    const blocked = toHttpError(new ConflictError('erasure_blocked', 'User u1 cannot be erased yet: open_invoice', { details: { blockers: [{ reason: 'open_invoice' }] } }));
    expect(blocked.body).toEqual({ code: 'CONFLICT', message: 'The user cannot be erased yet: they have open obligations.', reason: 'erasure_blocked' });
    expect(toHttpError(errors.FORBIDDEN).body).toEqual({ code: 'FORBIDDEN', message: 'You may not do this', reason: 'forbidden' });
    expect(toHttpError(errors.CONCURRENCY_CONFLICT).body).toMatchObject({ reason: 'stale_version', entity: 'facility', id: '65f000000000000000000002' });
    expect(toHttpError(errors.PAYMENT_FAILED).body).toEqual({ code: 'PAYMENT_FAILED', message: 'The payment was declined', reason: 'declined' });
  });

  it('answers a refusal of the access policy with the operation, never the rule', async () => {
    const client = (await register()).id;
    const stranger = (await register()).id;
    const { error, status, body } = await responseOf((await t.nexfit.as(stranger)).measurements.history(client, {}));
    expect(error).toBeInstanceOf(AccessDeniedError);
    const rule = (error as AccessDeniedError).rule;
    expect(rule).toBe('self | activeCoachOfSubject');
    expect(status).toBe(403);
    expect(body).toEqual({ code: 'FORBIDDEN', message: 'You may not run measurements.history', reason: 'access_denied' });
    expectNoInternals(body, rule, 'activeCoachOfSubject', client);
    expect(toHttpError(error, { locale: 'tr' }).body.message).toBe('measurements.history işlemini çalıştırma yetkiniz yok');
  });

  it('answers an unknown or deactivated actor without naming the rule', async () => {
    const { status, body } = await responseOf(t.nexfit.as(t.nexfit.ids.newObjectId() as UserId));
    expect(status).toBe(403);
    expect(body).toEqual({ code: 'FORBIDDEN', message: 'This account cannot act: it is unknown or deactivated', reason: 'access_denied' });
    expectNoInternals(body, 'activeUser');
  });

  it('answers a duplicate e-mail with the conflict reason, never the unique index or its key pattern', async () => {
    const email = `taken-${++n}@example.com`;
    await register(email);
    const { error, status, body } = await responseOf(register(email));
    expect(error).toBeInstanceOf(ConflictError);
    const keyPattern = JSON.stringify(error.details?.['keyPattern']);
    expect(keyPattern).toContain('email');
    const indexName = /index: (\S+)/.exec(String((error.cause as Error).message))?.[1];
    expect(indexName).toBeTruthy();
    expect(status).toBe(409);
    expect(body).toEqual({ code: 'CONFLICT', message: 'A unique value is taken (email, booking of the same occurrence, invoice number…).', reason: 'duplicate' });
    expectNoInternals(body, keyPattern, indexName!, 'keyValue', 'dup key', 'users');
  });

  it('answers PostgreSQL constraint violations without the constraint, the table or the statement', async () => {
    const client = new pg.Client({ connectionString: t.pg.url });
    await client.connect();
    try {
      await client.query('CREATE TEMP TABLE http_error_probe (code text CONSTRAINT http_error_probe_code_key UNIQUE, amount int CONSTRAINT http_error_probe_amount_check CHECK (amount >= 0))');
      await client.query("INSERT INTO http_error_probe VALUES ('a', 1)");
      const duplicate = await responseOf(client.query("INSERT INTO http_error_probe VALUES ('a', 2)").catch((e: unknown) => Promise.reject(postgresError(e, { entity: 'probe' }))));
      expect(duplicate.error.message).toContain('http_error_probe_code_key');
      expect(duplicate.status).toBe(409);
      expect(duplicate.body).toMatchObject({ code: 'CONFLICT', reason: 'duplicate' });
      expectNoInternals(duplicate.body, 'http_error_probe', 'duplicate key', 'Key (code)');

      const negative = await responseOf(client.query("INSERT INTO http_error_probe VALUES ('b', -1)").catch((e: unknown) => Promise.reject(postgresError(e, { entity: 'probe' }))));
      expect(negative.error).toBeInstanceOf(ValidationError);
      expect(negative.error.message).toContain('http_error_probe_amount_check');
      expect(negative.status).toBe(400);
      expect(negative.body).toEqual({
        code: 'VALIDATION_FAILED',
        message: "The data was refused by the store's validation",
        issues: [{ path: '', code: 'check_violation', message: "The value was refused by the store's validation" }],
      });
      expectNoInternals(negative.body, 'http_error_probe', 'violates');
    } finally {
      await client.end();
    }
  });

  it('answers bad input with field issues whose paths a form can use', async () => {
    const owner = await t.nexfit.users.register({ ...createInputs.users({ email: `owner-${++n}@example.com`, role: ['gym_owner'], roleSpecificData: { gym_owner: { businessName: 'Moda' } } }), password: 'gizli-şifre-1' } as never);
    const input = createInputs.facilities({
      ownerId: owner.id,
      staff: [],
      address: { street: 'Moda Cd. 1', city: 'x'.repeat(101), country: 'TR', coordinates: { latitude: 40.98, longitude: 29.03 } },
      operatingHours: [{ day: 9, openTime: '06:00', closeTime: '23:00', isClosed: false }],
    } as never);
    const { error, status, body } = await responseOf(t.nexfit.facilities.create(input as never));
    expect(error).toBeInstanceOf(ValidationError);
    expect(status).toBe(400);
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.message).toBe(error.message);
    expect(body.issues?.map((i) => i.path).sort()).toEqual(['address.city', 'operatingHours[0].day']);
    expect(body.issues?.every((i) => typeof i.code === 'string' && i.message.length > 0)).toBe(true);
    expect(body).not.toHaveProperty('reason');
    expectNoInternals(body, 'x'.repeat(101));
  });

  it('writes issue paths with brackets for indexes and for keys that are not identifiers', () => {
    expect(formatIssuePath([])).toBe('');
    expect(formatIssuePath(['meals', 2, 'foods', 0, 'quantity'])).toBe('meals[2].foods[0].quantity');
    expect(formatIssuePath(['metadata', 'x-y', 'z'])).toBe('metadata["x-y"].z');
    expect(formatIssuePath([0, 'name'])).toBe('[0].name');
  });

  it('answers anything else with a generic 500 and keeps the original for the logs', () => {
    const boom = new TypeError("Cannot read properties of undefined (reading 'SELECT * FROM secrets')");
    const { status, body, logged } = toHttpError(boom);
    expect(status).toBe(500);
    expect(body).toEqual({ code: 'INTERNAL', message: 'The service could not complete the request' });
    expect(logged).toBe(boom);
    expect(toHttpError('a string', { locale: 'tr' }).body).toEqual({ code: 'INTERNAL', message: 'Hizmet isteği tamamlayamadı' });
    expect(toHttpError(null).status).toBe(500);
    expect(toHttpError(Object.assign(new Error('x'), { status: 400, expose: true })).status).toBe(500);
  });
});

describe('toHttpError on bodies the HTTP framework could not read', () => {
  it("maps Express's body-parser errors: malformed JSON to 400, too large to 413", async () => {
    const app = express();
    app.use(express.json({ limit: '1kb' }));
    app.post('/echo', (req, res) => void res.json(req.body));
    app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
      const { status, body } = toHttpError(error);
      res.status(status).json(body);
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/echo`;
    const post = async (body: string) => {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      return { status: response.status, body: (await response.json()) as PublicErrorBody };
    };
    try {
      expect(await post('{"email": ')).toEqual({ status: 400, body: { code: 'VALIDATION_FAILED', message: 'Malformed JSON', reason: 'malformed_body' } });
      expect(await post(JSON.stringify({ note: 'x'.repeat(2_000) }))).toEqual({
        status: 413,
        body: { code: 'VALIDATION_FAILED', message: 'The request body is too large', reason: 'body_too_large' },
      });
      expect((await post('{"ok": true}')).status).toBe(200);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("maps Fastify's content-type parser errors: malformed and empty JSON to 400, too large to 413", async () => {
    const app = Fastify({ bodyLimit: 1024 });
    app.post('/echo', async (req) => req.body);
    app.setErrorHandler((error, _req, reply) => {
      const { status, body } = toHttpError(error);
      return reply.code(status).send(body);
    });
    try {
      const post = async (payload: string) => {
        const response = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload });
        return { status: response.statusCode, body: response.json() as PublicErrorBody };
      };
      const malformed = { status: 400, body: { code: 'VALIDATION_FAILED', message: 'Malformed JSON', reason: 'malformed_body' } };
      expect(await post('{"email": ')).toEqual(malformed);
      expect(await post('')).toEqual(malformed);
      expect(await post(JSON.stringify({ note: 'x'.repeat(2_000) }))).toEqual({
        status: 413,
        body: { code: 'VALIDATION_FAILED', message: 'The request body is too large', reason: 'body_too_large' },
      });
    } finally {
      await app.close();
    }
  });
});
