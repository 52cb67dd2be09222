/**
 * The HTTP API the server examples expose, written once and mounted by each framework's
 * adapter (`express-server.ts`, `fastify-server.ts`): routes call services, every error maps to
 * a status and a public body through `toHttpError`, and each request's actor, IP and user agent
 * reach the audit trail through a unit of work's request context.
 */
import { toHttpError, type Nexfit, type RequestContext, type UserId } from '../../src/index.js';

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

/**
 * The request context the SDK records in audit rows. A real app takes the actor from its
 * session or token; the examples read an `x-user-id` header to stay self-contained.
 */
export function requestContext(request: ApiRequest): RequestContext {
  const actor = request.header('x-user-id');
  const userAgent = request.header('user-agent');
  // An IPv4 client on a dual-stack socket shows up as ::ffff:a.b.c.d; audit rows keep the plain address.
  const ipAddress = request.ip?.replace(/^::ffff:/, '');
  return { actorId: actor ?? null, ...(ipAddress ? { ipAddress } : {}), ...(userAgent ? { userAgent } : {}) };
}

/**
 * The response for anything a route or the framework threw: SDK errors by their stable code,
 * unreadable bodies as 400/413, the rest as a generic 500. The body is public; the full error
 * goes to the log when the server is at fault.
 */
export function errorResponse(error: unknown, log: (error: unknown) => void = console.error): ApiResponse {
  const { status, body, logged } = toHttpError(error);
  if (status >= 500) log(logged);
  return { status, body };
}

/** The fields of a JSON object body; anything else has none. */
const bodyFields = (body: unknown): Readonly<Record<string, unknown>> => (typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {});
const stringField = (body: unknown, name: string): string => {
  const value = bodyFields(body)[name];
  return typeof value === 'string' ? value : '';
};
/** Hands untrusted JSON to a service as its input type: every service parses its input (zod) at its boundary, so the cast grants no trust. */
const asInput = <T>(body: unknown): T => body as T;

/** The routes of the example API over one SDK instance. Services validate their input, so bodies are passed as they came. */
export function nexfitRoutes(nexfit: Nexfit): readonly ApiRoute[] {
  return [
    {
      method: 'POST',
      path: '/users',
      handle: async (req) => ({ status: 201, body: await nexfit.users.register(asInput(req.body)) }),
    },
    {
      method: 'POST',
      path: '/sessions',
      handle: async (req) => {
        const user = await nexfit.users.verifyCredentials(stringField(req.body, 'email'), stringField(req.body, 'password'));
        return user ? { status: 200, body: user } : { status: 401, body: { code: 'INVALID_CREDENTIALS' } };
      },
    },
    {
      method: 'GET',
      path: '/users/:id',
      handle: async (req) => ({ status: 200, body: await nexfit.repositories.users.getById(req.params['id'] as UserId) }),
    },
    {
      method: 'POST',
      path: '/facilities',
      handle: async (req) => ({
        status: 201,
        body: await nexfit.unitOfWork((uow) => nexfit.facilities.create(asInput(req.body), uow), { context: requestContext(req) }),
      }),
    },
    {
      method: 'POST',
      path: '/facilities/:id/plans',
      handle: async (req) => ({ status: 201, body: await nexfit.memberships.createPlan(asInput({ ...bodyFields(req.body), facilityId: req.params['id'] })) }),
    },
    {
      method: 'POST',
      path: '/memberships/purchase',
      handle: async (req) => {
        const key = req.header('idempotency-key');
        if (!key) return { status: 400, body: { code: 'VALIDATION_FAILED', message: 'Send an Idempotency-Key header' } };
        const result = await nexfit.workflows.purchaseMembership(asInput({ ...bodyFields(req.body), idempotencyKey: key }));
        return { status: result.replayed ? 200 : 201, body: { invoice: result.invoice, memberSubscription: result.memberSubscription } };
      },
    },
    {
      method: 'GET',
      path: '/facilities/near',
      handle: async (req) => {
        const latitude = Number(req.query['lat']);
        const longitude = Number(req.query['lng']);
        return { status: 200, body: await nexfit.facilities.findNear({ latitude, longitude }, { maxDistanceMeters: Number(req.query['radius'] ?? 5_000) }) };
      },
    },
  ];
}
