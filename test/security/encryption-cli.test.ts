import { randomBytes } from 'node:crypto';
import { ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/program.js';
import { runNexfit } from '../cli/cli-harness.js';
import { createNexfit } from '../../src/create-nexfit.js';
import { keyringFromEnv } from '../../src/core/keyring.js';
import { useTestMongo, useTestPostgres } from '../support/stores.js';

const mongo = useTestMongo();
const pg = useTestPostgres();

const OLD_KEY = randomBytes(32).toString('base64');
const NEW_KEY = randomBytes(32).toString('base64');
const BLIND_INDEX_KEY = randomBytes(32).toString('base64');

/** The environment of the deployment before and after the new key is added (and made active). */
const stores = () => ({ MONGODB_URI: mongo.uri, DATABASE_URL: pg.url, NEXFIT_MONGO_DB: mongo.dbName });
const before = () => ({ ...stores(), NEXFIT_ENCRYPTION_KEYS: `2026-01:${OLD_KEY}`, NEXFIT_BLIND_INDEX_KEY: BLIND_INDEX_KEY });
const during = () => ({ ...stores(), NEXFIT_ENCRYPTION_KEYS: `2026-01:${OLD_KEY},2026-04:${NEW_KEY}`, NEXFIT_BLIND_INDEX_KEY: BLIND_INDEX_KEY });
const after = () => ({ ...stores(), NEXFIT_ENCRYPTION_KEYS: `2026-04:${NEW_KEY}`, NEXFIT_BLIND_INDEX_KEY: BLIND_INDEX_KEY });

const nexfit = runNexfit;

/** Writes through the SDK as the host app does, with the keyring of `env`. */
async function withApp<T>(env: Record<string, string>, fn: (app: Awaited<ReturnType<typeof createNexfit>>) => Promise<T>): Promise<T> {
  const app = await createNexfit({ mongo: { uri: mongo.uri, dbName: mongo.dbName }, postgres: { connectionString: pg.url }, keyring: keyringFromEnv(env)! });
  try {
    return await fn(app);
  } finally {
    await app.close();
  }
}

describe('nexfit keys rotate', () => {
  it('re-encrypts every value under the active key of the environment, reporting per collection', async () => {
    expect((await nexfit(['migrate', 'up'], before())).code).toBe(EXIT.ok);
    const ids = await withApp(before(), async (app) => {
      const written: string[] = [];
      for (let i = 0; i < 5; i++) {
        const user = await app.repositories.users.create({
          email: `cli${i}@example.com`, firstName: 'Cem', lastName: 'Ak', role: ['client'], phoneNumber: `+90532100000${i}`,
          passwordHash: 'scrypt$N=16384,r=8,p=1$c2FsdA$aGFzaA', roleSpecificData: { client: { medicalConditions: ['migren'] } },
        });
        written.push(user.id);
      }
      return written;
    });

    const rotated = await nexfit(['keys', 'rotate', '--batch-size', '2', '--json'], during());
    expect(rotated.stderr).toBe('');
    expect(rotated.code).toBe(EXIT.ok);
    const report = JSON.parse(rotated.stdout);
    expect(report).toMatchObject({ activeKeyId: '2026-04', completed: true, collections: { users: { scanned: 5, rotated: 5 }, coach_clients: { scanned: 0, rotated: 0 } } });
    const keyIds = (await mongo.db.collection('users').find({}).toArray()).flatMap((d) => [d['phoneNumber'].k, d['roleSpecificData'].client.medicalConditions.k]);
    expect(new Set(keyIds)).toEqual(new Set(['2026-04']));

    // The old key is retired from the environment: every value still reads.
    await withApp(after(), async (app) => {
      for (const [i, id] of ids.entries()) {
        const user = await app.repositories.users.getById(id);
        expect(user.phoneNumber).toBe(`+90532100000${i}`);
        expect(user.roleSpecificData.client?.medicalConditions).toEqual(['migren']);
      }
    });

    const human = await nexfit(['keys', 'rotate'], after());
    expect(human.code).toBe(EXIT.ok);
    expect(human.stdout).toContain('rotated to key 2026-04');
    expect(human.stdout).toContain('users: 0 of 5 document(s) re-encrypted');
  });

  it('resumes after a printed checkpoint', async () => {
    const [first] = await mongo.db.collection('users').find({}).sort({ _id: 1 }).limit(1).toArray();
    const resumed = await nexfit(['keys', 'rotate', '--resume-after', `users:${String(first!['_id'])}`, '--json'], after());
    expect(resumed.code).toBe(EXIT.ok);
    expect(JSON.parse(resumed.stdout).collections.users.scanned).toBe(4);
  });

  it('refuses to run without a keyring in the environment, or with a malformed one', async () => {
    const missing = await nexfit(['keys', 'rotate'], stores());
    expect(missing.code).toBe(EXIT.usage);
    expect(missing.stderr).toContain('NEXFIT_ENCRYPTION_KEYS');
    const malformed = await nexfit(['keys', 'rotate'], { ...stores(), NEXFIT_ENCRYPTION_KEYS: '2026-01:c2hvcnQ=', NEXFIT_BLIND_INDEX_KEY: BLIND_INDEX_KEY });
    expect(malformed.code).toBe(EXIT.usage);
    expect(malformed.stderr).toContain('CONFIGURATION');
  });

  it('refuses a bad --batch-size or --resume-after with the usage exit code', async () => {
    expect((await nexfit(['keys', 'rotate', '--batch-size', 'zero'], after())).code).toBe(EXIT.usage);
    const bad = await nexfit(['keys', 'rotate', '--resume-after', 'users'], after());
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.stderr).toContain('--resume-after');
    const notAnId = await nexfit(['keys', 'rotate', '--resume-after', `users:${new ObjectId().toHexString()}x`], after());
    expect(notAnId.code).toBe(EXIT.usage);
  });
});
