import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { BSON, type Db } from 'mongodb';

/**
 * A cheap fingerprint of everything both stores hold — per MongoDB collection and per
 * PostgreSQL table, its row count and a hash of its contents — so a test can show that a
 * refused call wrote nothing. Collections with a TTL index are listed by document id instead
 * (`ttl:` keys): the server's TTL monitor removes expired documents whenever it runs, so only
 * an added id there is a write.
 */
export async function accessFingerprint(db: Db, pg: Kysely<any>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const collections = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).filter((n) => !n.startsWith('system.')).sort();
  for (const name of collections) {
    const ttl = (await db.collection(name).indexes()).some((index) => index.expireAfterSeconds !== undefined);
    const docs = await db.collection(name).find({}).sort({ _id: 1 }).toArray();
    if (ttl) {
      for (const doc of docs) out[`ttl:${name}:${String(doc._id)}`] = 'present';
      continue;
    }
    out[`mongo:${name}`] = `${docs.length}:${createHash('sha256').update(BSON.EJSON.stringify(docs, { relaxed: false })).digest('hex')}`;
  }
  const { rows: tables } = await sql<{ schema: string; name: string }>`
    SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
    WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
    ORDER BY 1, 2`.execute(pg);
  for (const { schema, name } of tables) {
    const { rows } = await sql<{ n: string; h: string }>`
      SELECT count(*)::text AS n, md5(coalesce(string_agg(t::text, E'\n' ORDER BY t::text), '')) AS h FROM ${sql.table(`${schema}.${name}`)} AS t`.execute(pg);
    out[`pg:${schema}.${name}`] = `${rows[0]!.n}:${rows[0]!.h}`;
  }
  return out;
}
