/**
 * A Fastify server embedding the SDK — the same API as the Express example, from the same
 * `shared/nexfit-http-api.ts`: routes call services, errors map to HTTP statuses and public
 * bodies through `toHttpError`, and each request's actor, IP and user agent reach the audit
 * trail through a unit of work's request context.
 *
 *   npx tsx examples/fastify-server.ts   # embedded stores, http://127.0.0.1:3000
 */
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { createNexfit, type Nexfit } from '../src/index.js';
import { TestPaymentProvider } from '../src/testing.js';
import { errorResponse, nexfitRoutes, type ApiRequest } from './shared/nexfit-http-api.js';

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

  // One place maps every error to a status and a public body: SDK errors by their stable code,
  // a body Fastify could not parse as 400/413, anything else as a generic 500.
  app.setErrorHandler((error, _req, reply) => {
    const { status, body } = errorResponse(error, (logged) => app.log.error(logged));
    return reply.code(status).send(body);
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
