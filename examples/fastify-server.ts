/**
 * A Fastify server embedding the SDK — the same API as the Express example, from the same
 * `shared/nexfit-http-api.ts`: routes call services, `NexfitError` codes map to HTTP statuses
 * through `HTTP_STATUS_BY_ERROR_CODE`, and each request's actor, IP and user agent reach the
 * audit trail through a unit of work's request context.
 *
 *   npx tsx examples/fastify-server.ts   # embedded stores, http://127.0.0.1:3000
 */
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { createNexfit, type Nexfit } from '../src/index.js';
import { TestPaymentProvider } from '../src/testing.js';
import { MALFORMED_JSON, nexfitErrorResponse, nexfitRoutes, type ApiRequest } from './shared/nexfit-http-api.js';

const toApiRequest = (req: FastifyRequest): ApiRequest => ({
  params: req.params as Record<string, string>,
  query: req.query as Record<string, unknown>,
  body: req.body,
  ip: req.ip,
  header: (name) => {
    const value = req.headers[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
  },
});

/** Fastify's own errors for a body that is not JSON (they carry a 4xx `statusCode` too, but a generic body). */
const MALFORMED_BODY_CODES = new Set(['FST_ERR_CTP_INVALID_JSON_BODY', 'FST_ERR_CTP_EMPTY_JSON_BODY']);

/** The app's routes over one SDK instance. The caller listens and closes it. */
export function createApp(nexfit: Nexfit): FastifyInstance {
  const app = Fastify({ bodyLimit: 100 * 1024 });

  for (const route of nexfitRoutes(nexfit)) {
    app.route({
      method: route.method,
      url: route.path,
      handler: async (req, reply) => {
        const { status, body } = await route.handle(toApiRequest(req));
        return reply.code(status).send(body);
      },
    });
  }

  // SDK errors carry a stable code; map them to statuses in one place. Fastify's default
  // handler answers everything else (its own 4xx errors, and 500 for the unexpected).
  app.setErrorHandler((error, _req, reply) => {
    const code = (error as { code?: unknown }).code;
    const response = nexfitErrorResponse(error) ?? (typeof code === 'string' && MALFORMED_BODY_CODES.has(code) ? MALFORMED_JSON : undefined);
    if (response) return reply.code(response.status).send(response.body);
    throw error;
  });
  return app;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const nexfit = await createNexfit({ stores: 'embedded', payments: new TestPaymentProvider() });
  const app = createApp(nexfit);
  app.addHook('onClose', async () => nexfit.close());
  const address = await app.listen({ port: Number(process.env['PORT'] ?? 3000), host: '127.0.0.1' });
  console.log(`NexFit API on ${address} (stores: ${nexfit.stores.mongo.kind} MongoDB, ${nexfit.stores.postgres.kind} PostgreSQL)`);
  const stop = () => void app.close();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
