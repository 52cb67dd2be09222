/**
 * An Express server embedding the SDK. The routes, the error-code-to-status mapping and the
 * request context for the audit trail live in `shared/nexfit-http-api.ts`, shared with the
 * Fastify example; this file only mounts them on Express.
 *
 *   npx tsx examples/express-server.ts   # embedded stores, http://127.0.0.1:3000
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { createNexfit, type Nexfit } from '../src/index.js';
import { TestPaymentProvider } from '../src/testing.js';
import { errorResponse, nexfitRoutes, type ApiRequest } from './shared/nexfit-http-api.js';

const toApiRequest = (req: Request): ApiRequest => ({
  params: req.params as Record<string, string>,
  query: req.query,
  body: req.body,
  ip: req.ip,
  header: (name) => req.header(name),
});

/** The app's routes over one SDK instance. */
export function createApp(nexfit: Nexfit): express.Express {
  const app = express();
  app.use(express.json({ limit: '100kb' }));

  for (const route of nexfitRoutes(nexfit)) {
    // Express 5 forwards a rejected promise to the error handler below.
    app[route.method === 'GET' ? 'get' : 'post'](route.path, async (req, res) => {
      const { status, body } = await route.handle(toApiRequest(req));
      res.status(status).json(body);
    });
  }

  // One place maps every error to a status and a public body: SDK errors by their stable code,
  // a body express.json() could not read as 400/413, anything else as a generic 500.
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const { status, body } = errorResponse(error);
    res.status(status).json(body);
  });
  return app;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const nexfit = await createNexfit({ stores: 'embedded', payments: new TestPaymentProvider() });
  const server = createApp(nexfit).listen(Number(process.env['PORT'] ?? 3000), '127.0.0.1', () => {
    console.log(`NexFit API on http://127.0.0.1:${(server.address() as { port: number }).port} (stores: ${nexfit.stores.mongo.kind} MongoDB, ${nexfit.stores.postgres.kind} PostgreSQL)`);
  });
  const stop = () => server.close(() => void nexfit.close());
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
