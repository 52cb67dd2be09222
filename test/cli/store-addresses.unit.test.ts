import { describe, expect, it } from 'vitest';
import { driverReason, mongoAddress, postgresAddress, redactCredentials } from '../../src/cli/store-connections.js';

describe('the addresses and reasons nexfit reports for a store it cannot reach', () => {
  it('names the MongoDB hosts with their ports, never the credentials or options', () => {
    expect(mongoAddress('mongodb://ops:p@ss@db1.internal,db2.internal:27018/nexfit?replicaSet=rs0')).toBe('db1.internal:27017,db2.internal:27018');
    expect(mongoAddress('mongodb+srv://ops:secret@cluster0.example.net/nexfit')).toBe('cluster0.example.net');
    expect(mongoAddress('mongodb://127.0.0.1:27017')).toBe('127.0.0.1:27017');
  });

  it('names the PostgreSQL host and port, never the credentials', () => {
    expect(postgresAddress('postgres://ops:secret@pg.internal:6432/nexfit?sslmode=require')).toBe('pg.internal:6432');
    expect(postgresAddress('postgresql://ops@pg.internal/nexfit')).toBe('pg.internal:5432');
    expect(postgresAddress('not a url')).toBe('an unparseable address');
  });

  it('removes user and password from every URL of a message', () => {
    expect(redactCredentials('failed: mongodb://ops:secret@db1:27017/x and postgres://u:pw@pg/x')).toBe('failed: mongodb://db1:27017/x and postgres://pg/x');
  });

  it("takes the driver's most specific reason: a socket code, a server code name, or TIMEOUT", () => {
    expect(driverReason(new Error('outer', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) }))).toBe('ECONNREFUSED');
    expect(driverReason(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })], ''))).toBe('ECONNREFUSED');
    expect(driverReason(Object.assign(new Error('Authentication failed.'), { code: 18, codeName: 'AuthenticationFailed' }))).toBe('AuthenticationFailed');
    expect(driverReason(new Error('timeout exceeded when trying to connect'))).toBe('TIMEOUT');
  });
});
