/**
 * The HTTP API the server examples expose, written once and mounted by each framework's
 * adapter (`express-server.ts`, `fastify-server.ts`):
 * - the acting user comes from authentication (a signed bearer token; see `authenticate`),
 *   never from the request body;
 * - every member-facing route runs through `nexfit.as(user, origin)`, so the access policy
 *   decides what the user may do and see, and every audit row names the user, the IP
 *   address, the user agent and the request id;
 * - every error becomes a status and a public body through `toHttpError`: no policy
 *   expression, index name or stack trace reaches a client; the full error goes to the log.
 */
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { toHttpError, type Nexfit, type PageRequest, type RequestOrigin, type ScopedNexfit, type UserId } from '../../src/index.js';

/** What a route needs from a request, whatever the framework. */
export interface ApiRequest {
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, unknown>>;
  readonly body: unknown;
  /** The client's address as the framework reports it (`req.ip`). */
  readonly ip: string | undefined;
  header(name: string): string | undefined;
}

/** A status and a JSON body; the adapter sends it. */
export interface ApiResponse {
  readonly status: number;
  readonly body: unknown;
}

/** One route: a method, a path in the `/users/:id` syntax both Express and Fastify accept, a handler. */
export interface ApiRoute {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  handle(request: ApiRequest): Promise<ApiResponse>;
}

// ── authentication: a STUB, replace it with your own ─────────────────────────────────
// A stand-in for a real session or JWT library, so the examples run on their own: the token
// is the user id signed with a server secret (HMAC-SHA256). Replace `issueToken` and
// `authenticate` with your identity provider; what matters is that the acting user comes
// from a verified credential, never from the body or a plain header.
const SECRET = process.env['SESSION_SECRET'] ?? randomBytes(32).toString('hex');
const sign = (userId: string) => createHmac('sha256', SECRET).update(userId).digest('base64url');

/** A bearer token for a user who just proved their password (STUB). */
export function issueToken(userId: string): string {
  return `${userId}.${sign(userId)}`;
}

/** The user a request's `Authorization: Bearer …` token names, or `null` when it is absent or forged (STUB). */
export function authenticate(request: ApiRequest): UserId | null {
  const [scheme, token] = (request.header('authorization') ?? '').split(' ');
  if (scheme !== 'Bearer' || !token) return null;
  const [userId, signature] = token.split('.');
  if (!userId || !signature) return null;
  const expected = Buffer.from(sign(userId));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given) ? (userId as UserId) : null;
}
// ── end of the stub ──────────────────────────────────────────────────────────────────

/** Where a request comes from, for the audit trail: address, user agent and a request id. */
export function requestOrigin(request: ApiRequest): RequestOrigin {
  // An IPv4 client on a dual-stack socket shows up as ::ffff:a.b.c.d; audit rows keep the plain address.
  return { ipAddress: request.ip?.replace(/^::ffff:/, ''), userAgent: request.header('user-agent'), requestId: request.header('x-request-id') ?? randomUUID() };
}

/** The response for any error: the SDK's mapping of status and public body. Server errors are logged in full. */
export function errorResponse(error: unknown, log: (error: unknown) => void = console.error): ApiResponse {
  const { status, body, logged } = toHttpError(error);
  if (status >= 500) log(logged);
  return { status, body };
}

const UNAUTHENTICATED: ApiResponse = { status: 401, body: { code: 'UNAUTHENTICATED', message: 'Sign in: send Authorization: Bearer <token>' } };

/** The fields of a JSON object body; anything else has none. */
const bodyFields = (body: unknown): Readonly<Record<string, unknown>> => (typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {});
const stringField = (body: unknown, name: string): string => {
  const value = bodyFields(body)[name];
  return typeof value === 'string' ? value : '';
};
/** Hands untrusted JSON to a service as its input type: every service parses its input (zod) at its boundary, so the cast grants no trust. */
const asInput = <T>(body: unknown): T => body as T;
/** `?limit=20&after=<cursor>`: the SDK validates both. */
const pageOf = (req: ApiRequest): PageRequest => ({
  ...(req.query['limit'] === undefined ? {} : { limit: Number(req.query['limit']) }),
  ...(typeof req.query['after'] === 'string' ? { after: req.query['after'] } : {}),
});

/** The routes of the example API over one SDK instance. Services validate their input, so bodies are passed as they came. */
export function nexfitRoutes(nexfit: Nexfit): readonly ApiRoute[] {
  /** A route for a signed-in user: the handler gets the user's scope, made for this request. */
  const signedIn = (handle: (scope: ScopedNexfit, me: UserId, req: ApiRequest) => Promise<ApiResponse>) => async (req: ApiRequest): Promise<ApiResponse> => {
    const me = authenticate(req);
    if (me === null) return UNAUTHENTICATED;
    return handle(await nexfit.as(me, requestOrigin(req)), me, req);
  };
  const userId = (req: ApiRequest) => req.params['id'] as UserId;

  return [
    // Public: sign up, sign in, find a gym.
    { method: 'POST', path: '/users', handle: async (req) => ({ status: 201, body: await nexfit.users.register(asInput(req.body)) }) },
    {
      method: 'POST',
      path: '/sessions',
      handle: async (req) => {
        const user = await nexfit.users.verifyCredentials(stringField(req.body, 'email'), stringField(req.body, 'password'));
        return user ? { status: 200, body: { token: issueToken(user.id), user } } : { status: 401, body: { code: 'INVALID_CREDENTIALS', message: 'Wrong e-mail or password' } };
      },
    },
    {
      method: 'GET',
      path: '/facilities/near',
      handle: async (req) => {
        const near = await nexfit.facilities.findNear({ latitude: Number(req.query['lat']), longitude: Number(req.query['lng']) }, { maxDistanceMeters: Number(req.query['radius'] ?? 5_000) });
        return { status: 200, body: near };
      },
    },

    // Profiles: another user's is redacted by the policy (no e-mail, phone or health data unless a relationship allows it).
    { method: 'GET', path: '/users/:id', handle: signedIn(async (s, _me, req) => ({ status: 200, body: await s.users.getById(userId(req)) })) },

    // An owner's business: the owner is the signed-in user, whatever the body says.
    { method: 'POST', path: '/facilities', handle: signedIn(async (s, me, req) => ({ status: 201, body: await s.facilities.create(asInput({ ...bodyFields(req.body), ownerId: me })) })) },
    {
      method: 'POST',
      path: '/facilities/:id/plans',
      handle: signedIn(async (s, _me, req) => ({ status: 201, body: await s.memberships.createPlan(asInput({ ...bodyFields(req.body), facilityId: req.params['id'] })) })),
    },

    // Money: the Idempotency-Key header makes a retried request a replay of the first.
    {
      method: 'POST',
      path: '/memberships/purchase',
      handle: signedIn(async (s, me, req) => {
        const idempotencyKey = req.header('idempotency-key');
        if (!idempotencyKey) return { status: 400, body: { code: 'VALIDATION_FAILED', message: 'Send an Idempotency-Key header' } };
        const result = await s.workflows.purchaseMembership(asInput({ ...bodyFields(req.body), userId: me, idempotencyKey }));
        return { status: result.replayed ? 200 : 201, body: { invoice: result.invoice, memberSubscription: result.memberSubscription } };
      }),
    },
    {
      method: 'POST',
      path: '/member-subscriptions/:id/refund',
      handle: signedIn(async (s, _me, req) => {
        const idempotencyKey = req.header('idempotency-key');
        if (!idempotencyKey) return { status: 400, body: { code: 'VALIDATION_FAILED', message: 'Send an Idempotency-Key header' } };
        const result = await s.workflows.refundMembership(asInput({ ...bodyFields(req.body), memberSubscriptionId: req.params['id'], idempotencyKey }));
        return { status: 201, body: result };
      }),
    },

    // A member's own records, a page at a time; the policy refuses anyone else's.
    { method: 'GET', path: '/users/:id/subscriptions', handle: signedIn(async (s, _me, req) => ({ status: 200, body: await s.memberships.listSubscriptionsByUser(userId(req), {}, pageOf(req)) })) },
    { method: 'GET', path: '/users/:id/bookings', handle: signedIn(async (s, _me, req) => ({ status: 200, body: await s.bookings.listMemberBookings(userId(req), {}, pageOf(req)) })) },
    { method: 'GET', path: '/users/:id/invoices', handle: signedIn(async (s, _me, req) => ({ status: 200, body: await s.billing.listUserInvoices(userId(req), {}, pageOf(req)) })) },
    { method: 'GET', path: '/users/:id/payments', handle: signedIn(async (s, _me, req) => ({ status: 200, body: await s.billing.listUserTransactions(userId(req), {}, pageOf(req)) })) },
    { method: 'GET', path: '/users/:id/pt-sessions', handle: signedIn(async (s, _me, req) => ({ status: 200, body: await s.coaching.listClientSessions(userId(req), {}, pageOf(req)) })) },
    { method: 'GET', path: '/users/:id/workouts', handle: signedIn(async (s, _me, req) => ({ status: 200, body: await s.workoutLogs.listLogs(userId(req), {}, pageOf(req)) })) },
    { method: 'GET', path: '/users/:id/measurements', handle: signedIn(async (s, _me, req) => ({ status: 200, body: await s.measurements.history(userId(req), {}, pageOf(req)) })) },
    { method: 'GET', path: '/users/:id/nutrition-plans', handle: signedIn(async (s, _me, req) => ({ status: 200, body: await s.nutrition.listForClient(userId(req), pageOf(req)) })) },
  ];
}
