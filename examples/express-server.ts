/**
 * An Express server embedding the SDK: routes call services, `NexfitError` codes map to HTTP
 * statuses, and each request's actor, IP and user agent reach the audit trail through a unit
 * of work's request context.
 *
 *   npx tsx examples/express-server.ts   # embedded stores, http://127.0.0.1:3000
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { createNexfit, HTTP_STATUS_BY_ERROR_CODE, isNexfitError, type Nexfit, type RequestContext } from '../src/index.js';
import { TestPaymentProvider } from '../src/testing.js';

/** The request context the SDK records in audit rows. A real app takes the actor from its session or token. */
function requestContext(req: Request): RequestContext {
  const actor = req.header('x-user-id');
  return { actorId: actor ?? null, ...(req.ip ? { ipAddress: req.ip.replace(/^::ffff:/, '') } : {}), ...(req.header('user-agent') ? { userAgent: req.header('user-agent')! } : {}) };
}

/** The app's routes over one SDK instance. */
export function createApp(nexfit: Nexfit): express.Express {
  const app = express();
  app.use(express.json({ limit: '100kb' }));

  app.post('/users', async (req, res) => {
    res.status(201).json(await nexfit.users.register(req.body));
  });
  app.post('/sessions', async (req, res) => {
    const user = await nexfit.users.verifyCredentials(req.body?.email, req.body?.password);
    if (!user) return res.status(401).json({ code: 'INVALID_CREDENTIALS' });
    return res.json(user);
  });
  app.get('/users/:id', async (req, res) => {
    res.json(await nexfit.repositories.users.getById(req.params.id as never));
  });
  app.post('/facilities', async (req, res) => {
    res.status(201).json(await nexfit.unitOfWork((uow) => nexfit.facilities.create(req.body, uow), { context: requestContext(req) }));
  });
  app.post('/facilities/:id/plans', async (req, res) => {
    res.status(201).json(await nexfit.memberships.createPlan({ ...req.body, facilityId: req.params.id }));
  });
  app.post('/memberships/purchase', async (req, res) => {
    const key = req.header('idempotency-key');
    if (!key) return res.status(400).json({ code: 'VALIDATION_FAILED', message: 'Send an Idempotency-Key header' });
    const result = await nexfit.workflows.purchaseMembership({ ...req.body, idempotencyKey: key });
    return res.status(result.replayed ? 200 : 201).json({ invoice: result.invoice, memberSubscription: result.memberSubscription });
  });
  app.get('/facilities/near', async (req, res) => {
    const latitude = Number(req.query['lat']);
    const longitude = Number(req.query['lng']);
    res.json(await nexfit.facilities.findNear({ latitude, longitude }, { maxDistanceMeters: Number(req.query['radius'] ?? 5_000) }));
  });

  // SDK errors carry a stable code; map them to statuses in one place. Anything else is a 500.
  app.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (isNexfitError(error)) return res.status(HTTP_STATUS_BY_ERROR_CODE[error.code]).json(error.toJSON());
    if ((error as { type?: string }).type === 'entity.parse.failed') return res.status(400).json({ code: 'VALIDATION_FAILED', message: 'Malformed JSON' });
    return next(error);
  });
  return app;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const nexfit = await createNexfit({ payments: new TestPaymentProvider() });
  const server = createApp(nexfit).listen(Number(process.env['PORT'] ?? 3000), '127.0.0.1', () => {
    console.log(`NexFit API on http://127.0.0.1:${(server.address() as { port: number }).port} (stores: ${nexfit.stores.mongo.kind} MongoDB, ${nexfit.stores.postgres.kind} PostgreSQL)`);
  });
  const stop = () => server.close(() => void nexfit.close());
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
