/**
 * An Express server embedding the SDK. The routes, authentication (a marked stub), the
 * scopes and the error mapping live in `shared/nexfit-http-api.ts`, shared with the
 * Fastify example; this file only mounts them on Express.
 *
 *   npx tsx examples/express-server.ts   # embedded stores, http://127.0.0.1:3000
 *
 * With MONGODB_URI and DATABASE_URL set it runs on those servers instead (MONGODB_DB names
 * the database; the keyring comes from NEXFIT_ENCRYPTION_KEYS / NEXFIT_BLIND_INDEX_KEY).
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { createNexfit, keyringFromEnv, type Nexfit, type NexfitOptions } from '../src/index.js';
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
export function createApp(nexfit: Nexfit, log: (error: unknown) => void = console.error): express.Express {
  const app = express();
  // A malformed or oversized body makes express.json() throw; the error handler below answers it.
  app.use(express.json({ limit: '100kb' }));

  for (const route of nexfitRoutes(nexfit)) {
    // Express 5 forwards a rejected promise to the error handler below.
    app[route.method === 'GET' ? 'get' : 'post'](route.path, async (req, res) => {
      const { status, body } = await route.handle(toApiRequest(req));
      res.status(status).json(body);
    });
  }

  // Every error, the SDK's and the body parser's, becomes a status and a public JSON body;
  // an unexpected one is a 500 whose details go to the log only.
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const { status, body } = errorResponse(error, log);
    res.status(status).json(body);
  });
  return app;
}

/** The stores of the environment when both are named, else the embedded ones. */
export function storesFromEnv(env: NodeJS.ProcessEnv): Pick<NexfitOptions, 'stores' | 'mongo' | 'postgres' | 'keyring' | 'migrate'> {
  const uri = env['MONGODB_URI'];
  const connectionString = env['DATABASE_URL'];
  if (!uri || !connectionString) return { stores: 'embedded' };
  return { mongo: { uri, dbName: env['MONGODB_DB'] ?? 'nexfit' }, postgres: { connectionString }, keyring: keyringFromEnv(env) ?? 'ephemeral', migrate: true };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const nexfit = await createNexfit({ ...storesFromEnv(process.env), payments: new TestPaymentProvider() });
  const server = createApp(nexfit).listen(Number(process.env['PORT'] ?? 3000), '127.0.0.1', () => {
    console.log(`NexFit API on http://127.0.0.1:${(server.address() as { port: number }).port} (stores: ${nexfit.stores.mongo.kind} MongoDB, ${nexfit.stores.postgres.kind} PostgreSQL)`);
  });
  const stop = () => server.close(() => void nexfit.close());
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
