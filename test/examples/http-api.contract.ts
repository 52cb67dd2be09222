import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Nexfit } from '../../src/index.js';
import { TestPaymentProvider } from '../../src/testing.js';
import { useTestNexfit } from '../support/nexfit.js';

/** A server example listening on a loopback port: its base URL and how to stop it. */
export interface RunningServer {
  readonly base: string;
  stop(): Promise<void>;
}

/**
 * The behaviour every server example must show over real HTTP: one suite, run against each
 * framework's adapter (Express, Fastify), so the examples cannot drift apart.
 */
export function describeHttpApiExample(framework: string, listen: (nexfit: Nexfit) => Promise<RunningServer>): void {
  const t = useTestNexfit({ nexfit: { payments: new TestPaymentProvider() } });
  let server: RunningServer;

  beforeAll(async () => {
    server = await listen(t.nexfit);
  });
  afterAll(async () => {
    await server?.stop();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  // Response bodies are whatever the API sent: the assertions check their shape.
  const json = async (response: Response | Promise<Response>): Promise<any> => (await response).json();

  describe(`the ${framework} example`, () => {
    it('registers a user, answers a duplicate with 409 and a bad payload with 400', async () => {
      const created = await post('/users', { email: 'Deniz@example.com', password: 'correct horse battery', firstName: 'Deniz', lastName: 'Kaya', role: ['client'] });
      expect(created.status).toBe(201);
      const user = await json(created);
      expect(user.email).toBe('deniz@example.com');
      expect(user).not.toHaveProperty('passwordHash');
      const duplicate = await post('/users', { email: 'deniz@example.com', password: 'correct horse battery', firstName: 'D', lastName: 'K', role: ['client'] });
      expect(duplicate.status).toBe(409);
      const conflict = await json(duplicate);
      expect(conflict).toMatchObject({ code: 'CONFLICT', reason: 'duplicate' });
      expect(JSON.stringify(conflict)).not.toMatch(/keyPattern|keyValue|index|details/);
      const invalid = await post('/users', { email: { $gt: '' }, password: 'x', firstName: 'D', lastName: 'K', role: ['client'] });
      expect(invalid.status).toBe(400);
      expect((await json(invalid)).code).toBe('VALIDATION_FAILED');
      expect((await fetch(`${server.base}/users/${'0'.repeat(24)}`)).status).toBe(404);
      expect((await post('/sessions', { email: 'DENIZ@example.com', password: 'correct horse battery' })).status).toBe(200);
      expect((await post('/sessions', { email: 'deniz@example.com', password: 'wrong password!' })).status).toBe(401);
    });

    it('answers a body that is not JSON with 400 VALIDATION_FAILED, and one that is too large with 413', async () => {
      const malformed = await post('/users', '{"email": ');
      expect(malformed.status).toBe(400);
      expect(await json(malformed)).toEqual({ code: 'VALIDATION_FAILED', message: 'Malformed JSON', reason: 'malformed_body' });
      const tooLarge = await post('/users', { note: 'x'.repeat(200 * 1024) });
      expect(tooLarge.status).toBe(413);
      expect(await json(tooLarge)).toEqual({ code: 'VALIDATION_FAILED', message: 'The request body is too large', reason: 'body_too_large' });
    });

    it("records the request's actor, IP and user agent in the audit trail", async () => {
      const owner = await json(post('/users', { email: 'owner@example.com', password: 'correct horse battery', firstName: 'O', lastName: 'W', role: ['gym_owner'], roleSpecificData: { gym_owner: { businessName: 'Kadıköy Fit' } } }));
      const facility = await post('/facilities', {
        name: 'Kadıköy Fit', type: 'gym', ownerId: owner.id,
        address: { street: 'Bahariye 5', city: 'İstanbul', country: 'TR', coordinates: { latitude: 40.99, longitude: 29.03 } },
      }, { 'x-user-id': owner.id, 'user-agent': 'nexfit-example-test' });
      expect(facility.status).toBe(201);
      const { id } = await json(facility);
      const audit = await t.nexfit.repositories.auditLogs.listByEntity('facilities', id);
      expect(audit.items).toEqual([expect.objectContaining({ userId: owner.id, ipAddress: '127.0.0.1', userAgent: 'nexfit-example-test' })]);
      const near = await json(fetch(`${server.base}/facilities/near?lat=40.99&lng=29.03&radius=1000`));
      expect(near.map((n: { facility: { id: string } }) => n.facility.id)).toContain(id);
    });

    it('sells a membership once per idempotency key', async () => {
      const owner = await json(post('/users', { email: 'owner2@example.com', password: 'correct horse battery', firstName: 'O', lastName: 'W', role: ['gym_owner'], roleSpecificData: { gym_owner: { businessName: 'Moda' } } }));
      const member = await json(post('/users', { email: 'member@example.com', password: 'correct horse battery', firstName: 'M', lastName: 'B', role: ['client'] }));
      const facility = await json(post('/facilities', { name: 'Moda', type: 'gym', ownerId: owner.id, address: { street: 'Moda 1', city: 'İstanbul', country: 'TR', coordinates: { latitude: 40.98, longitude: 29.02 } } }));
      const plan = await json(post(`/facilities/${facility.id}/plans`, { name: 'Aylık', duration: { value: 1, unit: 'month' }, price: 1_000_00, limitations: { classesIncluded: true } }));
      const body = { userId: member.id, membershipId: plan.id, paymentMethod: 'card', autoRenew: false };
      expect((await post('/memberships/purchase', body)).status).toBe(400);
      const first = await post('/memberships/purchase', body, { 'idempotency-key': 'purchase-req-0001' });
      expect(first.status).toBe(201);
      const again = await post('/memberships/purchase', body, { 'idempotency-key': 'purchase-req-0001' });
      expect(again.status).toBe(200);
      expect((await json(again)).invoice.invoiceNumber).toBe((await json(first)).invoice.invoiceNumber);
    });
  });
}
