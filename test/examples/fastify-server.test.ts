import { createApp } from '../../examples/fastify-server.js';
import { describeHttpApiExample } from './http-api.contract.js';

describeHttpApiExample('Fastify', async (t) => {
  const app = createApp(t.nexfit, () => undefined);
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  return { base, stop: () => app.close() };
});
