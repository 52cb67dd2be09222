import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { fixedClock } from '../../../src/core/clock.js';
import { ConflictError, ValidationError } from '../../../src/core/errors.js';
import { verifyWebhookSignature } from '../../../src/modules/webhooks/webhook-signature.js';
import { WebhookRepository } from '../../../src/modules/webhooks/webhook.repository.js';
import { WebhookService } from '../../../src/modules/webhooks/webhook.service.js';
import { useTestNexfit } from '../../support/nexfit.js';

// Far ahead of the real time: events are stamped by PostgreSQL's clock and are due at once.
const t = useTestNexfit({ clock: '2090-05-04T10:00:00Z', nexfit: { webhooks: { allowPrivateHosts: true, timeoutMs: 5_000, random: () => 0 } } });
const clock = () => t.deps.clock as ReturnType<typeof fixedClock>;

interface Received {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** A real receiver on a random port: records requests and answers with the status its path's handler gives. */
const received: Received[] = [];
const statusFor = new Map<string, number>();
let inFlight = 0;
let maxInFlightPerEvent = 0;
const inFlightByEvent = new Map<string, number>();
let server: Server;
let base = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const event = String(req.headers['nexfit-event-id']);
      inFlight++;
      const now = (inFlightByEvent.get(event) ?? 0) + 1;
      inFlightByEvent.set(event, now);
      maxInFlightPerEvent = Math.max(maxInFlightPerEvent, now);
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      // Answers on a later turn of the event loop, so concurrent dispatchers overlap.
      setImmediate(() => {
        inFlight--;
        inFlightByEvent.set(event, (inFlightByEvent.get(event) ?? 1) - 1);
        res.statusCode = statusFor.get(req.url ?? '') ?? 200;
        res.end('ok');
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const newFacility = () => t.nexfit.ids.newObjectId();
const emit = (payload: Record<string, string | number>) => t.nexfit.unitOfWork(async (uow) => uow.emit('custom', payload));
const deliveriesOf = (endpointId: string) => t.nexfit.pg.selectFrom('nexfit_webhook_deliveries').selectAll().where('endpoint_id', '=', endpointId).orderBy('id').execute();

describe('webhook endpoints', () => {
  it('registers an endpoint with a sealed secret shown once, and lists it without the secret', async () => {
    const facilityId = newFacility();
    const { endpoint, secret } = await t.nexfit.webhooks.registerEndpoint({ facilityId, url: `${base}/a`, events: ['custom'] });
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(endpoint).toMatchObject({ facilityId, url: `${base}/a`, events: ['custom'], active: true });
    expect(JSON.stringify(await t.nexfit.webhooks.listEndpoints(facilityId))).not.toContain(secret);
    const row = await t.nexfit.pg.selectFrom('nexfit_webhook_endpoints').selectAll().where('endpoint_id', '=', endpoint.endpointId).executeTakeFirstOrThrow();
    expect(row.secret_sealed.includes(Buffer.from(secret))).toBe(false);
  });

  it.each([
    ['gopher://example.com/x'],
    ['https://user:pw@example.com/x'],
    ['http://127.0.0.1/x'],
    ['http://localhost/x'],
    ['http://169.254.169.254/x'],
    ['http://10.0.0.1/x'],
    ['http://172.20.0.1/x'],
    ['http://192.168.0.10/x'],
    ['http://0.0.0.0/x'],
    ['http://[::1]/x'],
    ['https://example.com/LONG'],
  ])('refuses %s with VALIDATION_FAILED and writes nothing (private hosts not allowed)', async (given) => {
    const url = given.replace('LONG', 'x'.repeat(2100));
    const strict = new WebhookService(new WebhookRepository(t.nexfit.pg, t.deps), t.deps, {});
    const facilityId = newFacility();
    const error = await strict.registerEndpoint({ facilityId, url, events: ['*'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).code).toBe('VALIDATION_FAILED');
    expect(await t.nexfit.webhooks.listEndpoints(facilityId)).toEqual([]);
  });

  it('refuses bad events and an update to a refused URL, changing nothing', async () => {
    const facilityId = newFacility();
    for (const events of [[], ['Not An Event'], ['custom', 'custom']]) {
      await expect(t.nexfit.webhooks.registerEndpoint({ facilityId, url: `${base}/a`, events })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    }
    expect(await t.nexfit.webhooks.listEndpoints(facilityId)).toEqual([]);
    const strict = new WebhookService(new WebhookRepository(t.nexfit.pg, t.deps), t.deps, {});
    const { endpoint } = await strict.registerEndpoint({ facilityId, url: 'https://hooks.example.com/a', events: ['custom'] });
    await expect(strict.updateEndpoint(endpoint.endpointId, { url: 'http://192.168.1.1/' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((await strict.getEndpoint(endpoint.endpointId)).url).toBe('https://hooks.example.com/a');
  });
});

describe('webhook deliveries', () => {
  it('makes a delivery per matching endpoint in the unit that commits the event, none for a rolled-back unit', async () => {
    const facilityId = newFacility();
    const custom = await t.nexfit.webhooks.registerEndpoint({ facilityId, url: `${base}/fan`, events: ['custom'] });
    const every = await t.nexfit.webhooks.registerEndpoint({ facilityId, url: `${base}/fan-all`, events: ['*'] });
    const other = await t.nexfit.webhooks.registerEndpoint({ facilityId, url: `${base}/fan-other`, events: ['membership.purchased'] });
    const off = await t.nexfit.webhooks.registerEndpoint({ facilityId, url: `${base}/fan-off`, events: ['*'] });
    await t.nexfit.webhooks.disableEndpoint(off.endpoint.endpointId);

    await emit({ facilityId, n: 1 });
    await emit({ facilityId: newFacility(), n: 2 });
    await expect(
      t.nexfit.unitOfWork(async (uow) => {
        await uow.emit('custom', { facilityId, n: 3 });
        throw new Error('the unit fails after emitting');
      }),
    ).rejects.toThrow('the unit fails');

    expect((await deliveriesOf(custom.endpoint.endpointId)).map((d) => d.payload)).toEqual([{ facilityId, n: 1 }]);
    expect((await deliveriesOf(every.endpoint.endpointId)).map((d) => d.payload)).toEqual([{ facilityId, n: 1 }]);
    expect(await deliveriesOf(other.endpoint.endpointId)).toEqual([]);
    expect(await deliveriesOf(off.endpoint.endpointId)).toEqual([]);
  });

  it('POSTs the event signed with the endpoint secret; a 2xx ends the delivery and the attempt is logged', async () => {
    clock().set('2090-05-04T10:00:00Z');
    const facilityId = newFacility();
    const { endpoint, secret } = await t.nexfit.webhooks.registerEndpoint({ facilityId, url: `${base}/ok`, events: ['custom'] });
    await emit({ facilityId, n: 7 });
    await t.nexfit.webhooks.dispatch();

    const [delivery] = await t.nexfit.webhooks.listDeliveries(endpoint.endpointId);
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 1, lastStatusCode: 200, eventType: 'custom' });
    const request = received.find((r) => r.headers['nexfit-event-id'] === delivery!.eventId)!;
    expect(request.path).toBe('/ok');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['nexfit-timestamp']).toBe('3797575200');
    expect(JSON.parse(request.body)).toEqual({ id: delivery!.eventId, type: 'custom', occurredAt: delivery!.occurredAt.toISOString(), data: { facilityId, n: 7 } });
    expect(verifyWebhookSignature({ body: request.body, header: request.headers['nexfit-signature'] as string, secret, now: new Date('2090-05-04T10:00:30Z') })).toEqual({ valid: true, timestamp: 3_797_575_200 });
    const attempts = await t.nexfit.webhooks.listDeliveryAttempts(delivery!.deliveryId);
    expect(attempts).toMatchObject([{ attempt: 1, statusCode: 200, error: null }]);
  });

  it('signs with the new secret after a rotation', async () => {
    const facilityId = newFacility();
    const { endpoint, secret: old } = await t.nexfit.webhooks.registerEndpoint({ facilityId, url: `${base}/rotated`, events: ['custom'] });
    const { secret } = await t.nexfit.webhooks.rotateEndpointSecret(endpoint.endpointId);
    expect(secret).not.toBe(old);
    await emit({ facilityId, n: 8 });
    await t.nexfit.webhooks.dispatch();
    const request = received.filter((r) => r.path === '/rotated').at(-1)!;
    const header = request.headers['nexfit-signature'] as string;
    expect(verifyWebhookSignature({ body: request.body, header, secret, now: clock().now() }).valid).toBe(true);
    expect(verifyWebhookSignature({ body: request.body, header, secret: old, now: clock().now() }).valid).toBe(false);
  });

  it('retries with backoff, dead-letters after the eighth failure, and staff can redeliver', async () => {
    clock().set('2090-05-04T12:00:00Z');
    const facilityId = newFacility();
    statusFor.set('/failing', 500);
    const { endpoint } = await t.nexfit.webhooks.registerEndpoint({ facilityId, url: `${base}/failing`, events: ['custom'] });
    await emit({ facilityId, n: 9 });

    // Hand-computed with no jitter (random = 0): 12:00 + 1 min, then + 4 min, + 16 min, + 1 h, + 2 h, + 6 h, + 12 h.
    const expectedNext = ['2090-05-04T12:01:00.000Z', '2090-05-04T12:05:00.000Z', '2090-05-04T12:21:00.000Z', '2090-05-04T13:21:00.000Z', '2090-05-04T15:21:00.000Z', '2090-05-04T21:21:00.000Z', '2090-05-05T09:21:00.000Z'];
    for (const [i, next] of expectedNext.entries()) {
      await t.nexfit.webhooks.dispatch();
      const [d] = await t.nexfit.webhooks.listDeliveries(endpoint.endpointId);
      expect(d).toMatchObject({ status: 'pending', attempts: i + 1, lastStatusCode: 500, lastError: 'HTTP 500' });
      expect(d!.nextAttemptAt.toISOString()).toBe(next);
      // Not due yet: a pass before the time sends nothing.
      expect((await t.nexfit.webhooks.dispatch()).attempted).toBe(0);
      clock().set(next);
    }
    expect(await t.nexfit.webhooks.dispatch()).toMatchObject({ attempted: 1, deadLettered: 1 });
    const [dead] = await t.nexfit.webhooks.listDeliveries(endpoint.endpointId, { status: 'dead' });
    expect(dead).toMatchObject({ status: 'dead', attempts: 8 });
    expect((await t.nexfit.webhooks.listDeliveryAttempts(dead!.deliveryId)).map((a) => [a.attempt, a.statusCode])).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => [n, 500]));

    statusFor.set('/failing', 204);
    const requeued = await t.nexfit.webhooks.redeliver(dead!.deliveryId);
    expect(requeued).toMatchObject({ status: 'pending', attempts: 0 });
    const pending = await t.nexfit.webhooks.redeliver(dead!.deliveryId).catch((e: unknown) => e);
    expect(pending).toBeInstanceOf(ConflictError);
    expect((pending as ConflictError).reason).toBe('webhook_delivery_pending');
    await t.nexfit.webhooks.dispatch();
    expect((await t.nexfit.webhooks.listDeliveries(endpoint.endpointId))[0]).toMatchObject({ status: 'succeeded', lastStatusCode: 204 });

    await t.nexfit.webhooks.disableEndpoint(endpoint.endpointId);
    await expect(t.nexfit.webhooks.redeliver(dead!.deliveryId)).rejects.toMatchObject({ reason: 'webhook_endpoint_disabled' });
  });

  it('records a timeout or refused connection as a failed attempt with its error', async () => {
    clock().set('2090-05-06T08:00:00Z');
    const facilityId = newFacility();
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { endpoint } = await t.nexfit.webhooks.registerEndpoint({ facilityId, url: `http://127.0.0.1:${port}/gone`, events: ['custom'] });
    await emit({ facilityId, n: 10 });
    await t.nexfit.webhooks.dispatch();
    const [d] = await t.nexfit.webhooks.listDeliveries(endpoint.endpointId);
    expect(d).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: null });
    expect(d!.lastError).toMatch(/fetch failed/);
    await t.nexfit.webhooks.disableEndpoint(endpoint.endpointId);
  });

  it('RACE: dispatchers running at once never send one delivery twice', async () => {
    clock().set('2090-05-07T08:00:00Z');
    const facilityId = newFacility();
    const { endpoint } = await t.nexfit.webhooks.registerEndpoint({ facilityId, url: `${base}/race`, events: ['custom'] });
    await Promise.all(Array.from({ length: 40 }, (_, n) => emit({ facilityId, n })));
    const before = received.filter((r) => r.path === '/race').length;
    maxInFlightPerEvent = 0;

    const reports = await Promise.all(Array.from({ length: 6 }, () => t.nexfit.webhooks.dispatch({ concurrency: 4 })));

    const sent = received.filter((r) => r.path === '/race').slice(before);
    const ids = sent.map((r) => String(r.headers['nexfit-event-id']));
    expect(ids.length).toBe(40);
    expect(new Set(ids).size).toBe(40);
    expect(maxInFlightPerEvent).toBe(1);
    expect(reports.reduce((sum, r) => sum + r.attempted, 0)).toBe(40);
    const rows = await deliveriesOf(endpoint.endpointId);
    expect(rows.map((r) => [r.status, r.attempts])).toEqual(Array.from({ length: 40 }, () => ['succeeded', 1]));
    const attempts = await t.nexfit.pg.selectFrom('nexfit_webhook_attempts').select((eb) => eb.fn.countAll<string>().as('n')).where('delivery_id', 'in', rows.map((r) => r.id)).executeTakeFirstOrThrow();
    expect(Number(attempts.n)).toBe(40);
  });

  it('purges deliveries finished before the retention, with their attempt logs', async () => {
    clock().set('2090-09-01T00:00:00Z');
    const removed = await t.nexfit.webhooks.purgeDeliveries({ olderThanDays: 30 });
    expect(removed).toBeGreaterThan(0);
    const left = await t.nexfit.pg.selectFrom('nexfit_webhook_deliveries').select('id').where('finished_at', '<', new Date('2090-08-02T00:00:00Z')).execute();
    expect(left).toEqual([]);
  });
});
