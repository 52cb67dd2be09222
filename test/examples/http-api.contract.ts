import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestPaymentProvider } from '../../src/testing.js';
import { useTestNexfit, type TestNexfit } from '../support/nexfit.js';

/** A server example listening on a loopback port: its base URL and how to stop it. */
export interface RunningServer {
  readonly base: string;
  stop(): Promise<void>;
}

/**
 * Internals that must never reach a client: policy rule names and expressions, index names
 * and key patterns, SQL, stack frames, driver class names.
 */
const LEAKS: readonly RegExp[] = [
  /\n\s+at /,
  /activeCoachOf|facilityManager|ownerOfFacility|staffWithPermission|systemOnly|noPolicyEntry|\bself \|/,
  /idx_|_key\b|_pkey|email_?1|emailBlindIndex|E11000|duplicate key/i,
  /\b(SELECT|INSERT|UPDATE|DELETE)\b.*\b(FROM|INTO|SET)\b/,
  /MongoServerError|DatabaseError|ZodError/,
];

/**
 * The behaviour every server example must show over real HTTP, driven as two members and a
 * gym owner: one suite, run against each framework's adapter (Express, Fastify) and against
 * the Express example installed from the packed tarball, so the examples cannot drift apart.
 * `listen` gets the test's stores: the server under test writes to them, and the suite
 * reads the audit trail from them.
 */
export function describeHttpApiExample(framework: string, listen: (t: TestNexfit) => Promise<RunningServer>, options: { readonly timeoutMs?: number } = {}): void {
  const t = useTestNexfit({ nexfit: { payments: new TestPaymentProvider() } });
  let server: RunningServer;
  let auditMark = '0';
  const bodies: string[] = [];
  let requests = 0;

  beforeAll(async () => {
    auditMark = (await sql<{ mark: string }>`SELECT coalesce(max(id), 0)::text AS mark FROM audit_logs`.execute(t.nexfit.pg)).rows[0]!.mark;
    server = await listen(t);
  }, options.timeoutMs ?? 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  async function call(method: 'GET' | 'POST', path: string, options: { body?: unknown; token?: string; headers?: Record<string, string> } = {}) {
    requests += 1;
    const headers: Record<string, string> = { 'user-agent': `nexfit-example-test/${slug}`, 'x-request-id': `req-${requests}`, ...options.headers };
    if (options.body !== undefined) headers['content-type'] ??= 'application/json';
    if (options.token) headers['authorization'] = `Bearer ${options.token}`;
    const response = await fetch(`${server.base}${path}`, { method, headers, ...(options.body === undefined ? {} : { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }) });
    const text = await response.text();
    bodies.push(text);
    // Every answer is JSON, errors included.
    return { status: response.status, body: JSON.parse(text) as any };
  }
  const post = (path: string, body: unknown, options: { token?: string; headers?: Record<string, string> } = {}) => call('POST', path, { ...options, body });
  const get = (path: string, token?: string) => call('GET', path, token === undefined ? {} : { token });

  async function signUp(email: string, role: string, roleSpecificData: Record<string, unknown> = {}) {
    const created = await post('/users', { email, password: 'correct horse battery', firstName: 'Deniz', lastName: 'Kaya', role: [role], roleSpecificData });
    expect(created.status).toBe(201);
    const session = await post('/sessions', { email, password: 'correct horse battery' });
    expect(session.status).toBe(200);
    return { id: created.body.id as string, email, token: session.body.token as string };
  }

  const slug = framework.toLowerCase().replace(/[^a-z0-9]+/g, '-');

  describe(`the ${framework} example`, () => {
    let owner: Awaited<ReturnType<typeof signUp>>;
    let ayse: Awaited<ReturnType<typeof signUp>>;
    let mehmet: Awaited<ReturnType<typeof signUp>>;
    let facilityId: string;
    let planId: string;

    it('registers users, answers a duplicate with 409 and bad input with 400 and its field issues', async () => {
      owner = await signUp(`owner-${slug}@example.com`, 'gym_owner', { gym_owner: { businessName: 'Kadıköy Fit' } });
      ayse = await signUp(`ayse-${slug}@example.com`, 'client');
      mehmet = await signUp(`mehmet-${slug}@example.com`, 'client');
      const duplicate = await post('/users', { email: ayse.email.toUpperCase(), password: 'correct horse battery', firstName: 'A', lastName: 'Y', role: ['client'] });
      expect(duplicate.status).toBe(409);
      expect(duplicate.body).toMatchObject({ code: 'CONFLICT', reason: 'duplicate' });
      const invalid = await post('/users', { email: { $gt: '' }, password: 'x', firstName: 'D', lastName: 'K', role: ['client'] });
      expect(invalid.status).toBe(400);
      expect(invalid.body.code).toBe('VALIDATION_FAILED');
      expect(invalid.body.issues.length).toBeGreaterThan(0);
      expect((await post('/sessions', { email: ayse.email, password: 'wrong password!' })).status).toBe(401);
    });

    it('answers a body that is not JSON, or too large, with a JSON error', async () => {
      const malformed = await post('/users', '{"email": ');
      expect(malformed.status).toBe(400);
      expect(malformed.body).toMatchObject({ code: 'VALIDATION_FAILED', reason: 'malformed_body' });
      const huge = await post('/users', { note: 'x'.repeat(200 * 1024) });
      expect(huge.status).toBe(413);
      expect(huge.body.code).toBe('VALIDATION_FAILED');
    });

    it('takes the acting user from the token: none or a forged one is 401', async () => {
      expect((await get(`/users/${ayse.id}/invoices`)).status).toBe(401);
      const forged = `${mehmet.id}.${ayse.token.split('.')[1]}`;
      expect((await get(`/users/${mehmet.id}/invoices`, forged)).status).toBe(401);
    });

    it('lets the owner open a gym and sell plans; a member may not', async () => {
      const address = { street: 'Bahariye 5', city: 'İstanbul', country: 'TR', coordinates: { latitude: 40.99, longitude: 29.03 } };
      // The owner is the signed-in user, whatever the body claims.
      const facility = await post('/facilities', { name: 'Kadıköy Fit', type: 'gym', ownerId: ayse.id, address }, { token: owner.token });
      expect(facility.status).toBe(201);
      expect(facility.body.ownerId).toBe(owner.id);
      facilityId = facility.body.id;
      expect((await post('/facilities', { name: 'Ayşe Gym', type: 'gym', address }, { token: ayse.token })).status).toBe(403);
      const plan = await post(`/facilities/${facilityId}/plans`, { name: 'Aylık', duration: { value: 1, unit: 'month' }, price: 1_000_00, limitations: { classesIncluded: true } }, { token: owner.token });
      expect(plan.status).toBe(201);
      planId = plan.body.id;
      const refused = await post(`/facilities/${facilityId}/plans`, { name: 'Bedava', duration: { value: 1, unit: 'month' }, price: 100 }, { token: mehmet.token });
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ code: 'FORBIDDEN', reason: 'access_denied' });
      const near = await get(`/facilities/near?lat=40.99&lng=29.03&radius=1000`);
      expect(near.body.map((n: { facility: { id: string } }) => n.facility.id)).toContain(facilityId);
    });

    it('sells each member a membership once per idempotency key, for themself only', async () => {
      const body = { membershipId: planId, paymentMethod: 'card', autoRenew: false };
      expect((await post('/memberships/purchase', body, { token: ayse.token })).status).toBe(400);
      const first = await post('/memberships/purchase', body, { token: ayse.token, headers: { 'idempotency-key': `purchase-${slug}-ayse-1` } });
      expect(first.status).toBe(201);
      const again = await post('/memberships/purchase', body, { token: ayse.token, headers: { 'idempotency-key': `purchase-${slug}-ayse-1` } });
      expect(again.status).toBe(200);
      expect(again.body.invoice.invoiceNumber).toBe(first.body.invoice.invoiceNumber);
      // A userId in the body is ignored: the buyer is the signed-in member.
      const forMehmet = await post('/memberships/purchase', { ...body, userId: ayse.id }, { token: mehmet.token, headers: { 'idempotency-key': `purchase-${slug}-mehmet-1` } });
      expect(forMehmet.status).toBe(201);
      expect(forMehmet.body.memberSubscription.userId).toBe(mehmet.id);
    });

    it('shows each member their own records and refuses everyone else', async () => {
      for (const records of ['subscriptions', 'invoices', 'payments', 'bookings', 'pt-sessions', 'workouts', 'measurements', 'nutrition-plans']) {
        const own = await get(`/users/${ayse.id}/${records}?limit=10`, ayse.token);
        expect(own.status, records).toBe(200);
        expect(Array.isArray(own.body.items), records).toBe(true);
        expect(own.body.items.every((item: { userId?: string }) => item.userId === undefined || item.userId === ayse.id), records).toBe(true);
        const others = await get(`/users/${ayse.id}/${records}`, mehmet.token);
        expect(others.status, records).toBe(403);
        expect(others.body).toMatchObject({ code: 'FORBIDDEN', reason: 'access_denied' });
      }
      const invoices = await get(`/users/${ayse.id}/invoices`, ayse.token);
      expect(invoices.body.items.map((i: { userId: string; businessId: string }) => [i.userId, i.businessId])).toEqual([[ayse.id, facilityId]]);
      expect((await get(`/users/${ayse.id}/invoices?limit=0`, ayse.token)).status).toBe(400);
    });

    it("redacts another member's e-mail; the owner of their gym sees it", async () => {
      expect((await get(`/users/${ayse.id}`, ayse.token)).body.email).toBe(ayse.email);
      const seenByMehmet = await get(`/users/${ayse.id}`, mehmet.token);
      expect(seenByMehmet.status).toBe(200);
      expect(seenByMehmet.body.email).not.toBe(ayse.email);
      expect(JSON.stringify(seenByMehmet.body)).not.toContain(ayse.email.split('@')[0]);
      expect((await get(`/users/${ayse.id}`, owner.token)).body.email).toBe(ayse.email);
      expect((await get(`/users/${'0'.repeat(24)}`, ayse.token)).status).toBe(404);
    });

    it('lets the owner refund a membership and not the member', async () => {
      const subscription = (await get(`/users/${ayse.id}/subscriptions`, ayse.token)).body.items[0];
      const byMember = await post(`/member-subscriptions/${subscription.id}/refund`, {}, { token: ayse.token, headers: { 'idempotency-key': `refund-${slug}-1` } });
      expect(byMember.status).toBe(403);
      const byOwner = await post(`/member-subscriptions/${subscription.id}/refund`, { reason: 'moved away' }, { token: owner.token, headers: { 'idempotency-key': `refund-${slug}-1` } });
      expect(byOwner.status).toBe(201);
      const payments = (await get(`/users/${ayse.id}/payments`, ayse.token)).body.items;
      expect(payments.map((p: { transactionType: string }) => p.transactionType).sort()).toEqual(['purchase', 'refund']);
    });

    it('names the acting user, address, user agent and request id in every audit row of the run', async () => {
      const { rows } = await sql<{ entity_type: string; action: string; user_id: string | null; ip_address: string | null; user_agent: string | null; request_id: string | null }>`
        SELECT entity_type, action, user_id, ip_address, user_agent, request_id FROM audit_logs WHERE id > ${auditMark} ORDER BY id`.execute(t.nexfit.pg);
      expect(rows.length).toBeGreaterThanOrEqual(10);
      const actors = new Set([owner.id, ayse.id, mehmet.id]);
      expect(rows.filter((r) => !r.user_id || !actors.has(r.user_id) || r.ip_address !== '127.0.0.1' || r.user_agent !== `nexfit-example-test/${slug}` || !r.request_id?.startsWith('req-'))).toEqual([]);
      expect(new Set(rows.map((r) => r.user_id))).toEqual(actors);
    });

    it('never sends a policy expression, an index name, SQL or a stack trace', () => {
      expect(bodies.length).toBeGreaterThan(30);
      for (const body of bodies) for (const leak of LEAKS) expect(body, `a response leaked ${leak}`).not.toMatch(leak);
    });
  });
}
