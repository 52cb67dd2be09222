import { MongoServerError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, StoreError, TransientStoreError, ValidationError } from '../../../src/core/errors.js';
import { toNexfitError } from '../../../src/stores/mongo/error-mapping.js';

const serverError = (fields: Record<string, unknown>) => Object.assign(new MongoServerError({ message: 'server said no', ...fields }), fields);

describe('toNexfitError', () => {
  it('maps a duplicate key to ConflictError reason duplicate, with the key', () => {
    const e = toNexfitError(serverError({ code: 11000, keyPattern: { email: 1 }, keyValue: { email: 'a@b.co' } }), { collection: 'users' });
    expect(e).toBeInstanceOf(ConflictError);
    expect((e as ConflictError).reason).toBe('duplicate');
    expect(e.details).toMatchObject({ reason: 'duplicate', collection: 'users', keyPattern: { email: 1 }, keyValue: { email: 'a@b.co' } });
  });

  it('maps a failed document validation to ValidationError carrying errInfo', () => {
    const cause = serverError({ code: 121, errInfo: { failingDocumentId: 1, details: { operatorName: '$jsonSchema' } } });
    const e = toNexfitError(cause);
    expect(e).toBeInstanceOf(ValidationError);
    expect((e as ValidationError).issues[0]?.message).toContain('$jsonSchema');
    expect(e.cause).toBe(cause);
  });

  it('maps a write conflict and a TransientTransactionError label to TransientStoreError', () => {
    expect(toNexfitError(serverError({ code: 112 }))).toBeInstanceOf(TransientStoreError);
    const labelled = serverError({ code: 251 });
    labelled.addErrorLabel('TransientTransactionError');
    expect(toNexfitError(labelled)).toBeInstanceOf(TransientStoreError);
  });

  it('wraps anything else in StoreError and passes SDK errors through', () => {
    const e = toNexfitError(new Error('boom'));
    expect(e).toBeInstanceOf(StoreError);
    expect((e as StoreError).store).toBe('mongo');
    const own = new NotFoundError('user', 'x');
    expect(toNexfitError(own)).toBe(own);
  });
});
