import type { AddressInfo } from 'node:net';
import { createApp } from '../../examples/express-server.js';
import { describeHttpApiExample } from './http-api.contract.js';

describeHttpApiExample('Express', async (t) => {
  const server = createApp(t.nexfit, () => undefined).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
});
