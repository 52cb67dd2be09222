import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/program.js';
import { findFreePort } from '../../src/embedded/free-port.js';
import { useTestMongo, useTestPostgres } from '../support/stores.js';
import { runNexfit } from './cli-harness.js';

const mongo = useTestMongo();
const pg = useTestPostgres();
const stores = () => ({ MONGODB_URI: mongo.uri, DATABASE_URL: pg.url, NEXFIT_MONGO_DB: mongo.dbName });

/** TCP servers that accept connections and never answer: stores that hang. */
const silentServers: { server: Server; sockets: Set<Socket> }[] = [];
async function silentServerPort(): Promise<number> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  silentServers.push({ server, sockets });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}
afterAll(async () => {
  for (const { server, sockets } of silentServers) {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
});

describe('the exit codes of nexfit', () => {
  it(`exits ${EXIT.ok} (ok) when the command did its work`, async () => {
    const run = await runNexfit(['migrate', 'up', '--json'], stores());
    expect(run.code).toBe(EXIT.ok);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true });
  });

  it(`exits ${EXIT.pending} (pending) from migrate status while a migration is pending`, async () => {
    const run = await runNexfit(['migrate', 'status', '--store', 'mongo', '--json'], { MONGODB_URI: mongo.uri, NEXFIT_MONGO_DB: `${mongo.dbName}_fresh` });
    expect(run.code).toBe(EXIT.pending);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, state: 'pending', mongo: { state: 'not-migrated' } });
  });

  it(`exits ${EXIT.failure} (failure) when the command fails, with the SDK's error code in the JSON body`, async () => {
    // Reverting the MongoDB layout twice: the second time there is no earlier layout recorded.
    expect((await runNexfit(['migrate', 'down', '--store', 'mongo'], stores())).code).toBe(EXIT.ok);
    const run = await runNexfit(['migrate', 'down', '--store', 'mongo', '--json'], stores());
    expect(run.code).toBe(EXIT.failure);
    expect(JSON.parse(run.stdout)).toEqual({ ok: false, error: { code: 'CONFIGURATION', message: expect.stringContaining('nothing to revert') } });
    expect(run.stderr).toBe('');
    const human = await runNexfit(['migrate', 'down', '--store', 'mongo'], stores());
    expect(human.code).toBe(EXIT.failure);
    expect(human.stderr).toContain('nexfit: CONFIGURATION: ');
    expect(human.stdout).toBe('');
  });

  it(`exits ${EXIT.usage} (usage) for an unknown command or option, a bad value or a missing setting — as JSON with --json`, async () => {
    for (const args of [['frobnicate', '--json'], ['migrate', 'status', '--frobnicate', '--json'], ['housekeeping', '--retention-days', 'soon', '--json'], ['migrate', 'status', '--connect-timeout', 'soon', '--json']]) {
      const run = await runNexfit(args, stores());
      expect(run.code, args.join(' ')).toBe(EXIT.usage);
      expect(JSON.parse(run.stdout), args.join(' ')).toEqual({ ok: false, error: { code: 'USAGE', message: expect.any(String) } });
      expect(run.stderr).toBe('');
    }
    const missing = await runNexfit(['migrate', 'status', '--json'], {});
    expect(missing.code).toBe(EXIT.usage);
    expect(JSON.parse(missing.stdout).error.message).toMatch(/MONGODB_URI.*DATABASE_URL/);
    const human = await runNexfit(['frobnicate'], stores());
    expect(human.code).toBe(EXIT.usage);
    expect(human.stderr).toContain("unknown command 'frobnicate'");
  });

  it(`exits ${EXIT.unreachable} (unreachable) at once when MongoDB refuses the connection, naming the cause and the address without the password`, async () => {
    const port = await findFreePort();
    const started = Date.now();
    const run = await runNexfit(['migrate', 'status', '--store', 'mongo', '--json'], { MONGODB_URI: `mongodb://operator:s3cret-pw@127.0.0.1:${port}/nexfit?authSource=admin` });
    expect(run.code).toBe(EXIT.unreachable);
    expect(JSON.parse(run.stdout)).toEqual({
      ok: false,
      error: { code: 'STORE_UNREACHABLE', message: expect.stringContaining('MongoDB'), cause: 'ECONNREFUSED', address: `127.0.0.1:${port}` },
    });
    expect(run.stdout).not.toContain('s3cret-pw');
    expect(run.stdout).not.toContain('operator');
    // A sanity bound only: the default timeout alone would take 5 s, the driver's own 30 s.
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it(`exits ${EXIT.unreachable} (unreachable) when PostgreSQL refuses the connection, for every command that opens it`, async () => {
    const port = await findFreePort();
    const env = { ...stores(), DATABASE_URL: `postgres://operator:s3cret-pw@127.0.0.1:${port}/nexfit` };
    for (const args of [['migrate', 'status', '--store', 'postgres', '--json'], ['health', '--json']]) {
      const run = await runNexfit(args, env);
      expect(run.code, args.join(' ')).toBe(EXIT.unreachable);
      expect(JSON.parse(run.stdout)).toEqual({ ok: false, error: { code: 'STORE_UNREACHABLE', message: expect.stringContaining('PostgreSQL'), cause: 'ECONNREFUSED', address: `127.0.0.1:${port}` } });
      expect(run.stdout).not.toContain('s3cret-pw');
    }
    const human = await runNexfit(['migrate', 'status', '--store', 'postgres'], env);
    expect(human.stderr).toBe(`nexfit: Could not connect to PostgreSQL at 127.0.0.1:${port} (ECONNREFUSED)\n`);
  });

  it('gives up on a store that accepts the connection and never answers after --connect-timeout, or the environment variable', async () => {
    const port = await silentServerPort();
    const mongoRun = await runNexfit(['migrate', 'status', '--store', 'mongo', '--json', '--connect-timeout', '300'], { MONGODB_URI: `mongodb://127.0.0.1:${port}/?directConnection=true` });
    expect(mongoRun.code).toBe(EXIT.unreachable);
    expect(JSON.parse(mongoRun.stdout).error).toMatchObject({ code: 'STORE_UNREACHABLE', address: `127.0.0.1:${port}` });
    const pgRun = await runNexfit(['migrate', 'status', '--store', 'postgres', '--json'], { DATABASE_URL: `postgres://127.0.0.1:${port}/x`, NEXFIT_CONNECT_TIMEOUT_MS: '300' });
    expect(pgRun.code).toBe(EXIT.unreachable);
    expect(JSON.parse(pgRun.stdout).error).toMatchObject({ code: 'STORE_UNREACHABLE', cause: 'TIMEOUT', address: `127.0.0.1:${port}` });
  });
});

describe('nexfit --version', () => {
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

  it("prints the version of the package's package.json, with -V too, and as JSON with --json", async () => {
    for (const flag of ['--version', '-V']) {
      const run = await runNexfit([flag], {});
      expect(run.code).toBe(EXIT.ok);
      expect(run.stdout).toBe(`${version}\n`);
    }
    expect(JSON.parse((await runNexfit(['--version', '--json'], {})).stdout)).toEqual({ ok: true, version });
  });
});
