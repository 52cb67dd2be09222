import { describe, expect, it } from 'vitest';
import { ConflictError, isNexfitError, NexfitError, NotFoundError, ValidationError } from '../../src/core/errors.js';
import { toHttpError } from '../../src/core/http-errors.js';

/**
 * A second copy of the SDK in the same process (the CommonJS build next to the ESM one, or two
 * installed versions) has its own classes: its errors must still be recognised. The second copy
 * here is the same source loaded as another module instance.
 */
async function secondCopy(): Promise<typeof import('../../src/core/errors.js')> {
  // @ts-expect-error -- the query makes the module loader create a second, distinct instance.
  return import('../../src/core/errors.ts?copy=2');
}

describe('the error brand', () => {
  it('is a registered, non-enumerable symbol that stays out of JSON and keys', () => {
    const error = new ConflictError('class_full', 'full');
    const brand = Symbol.for('@nexfit/sdk/error');
    expect((error as unknown as Record<symbol, unknown>)[brand]).toBe(1);
    expect(Object.keys(error)).not.toContain(brand);
    expect(Object.getOwnPropertySymbols(error)).toEqual([]);
    expect(JSON.stringify(error)).toBe(JSON.stringify({ name: 'ConflictError', code: 'CONFLICT', message: 'full', details: { reason: 'class_full' } }));
  });

  it('recognises the errors of another copy of the SDK', async () => {
    const other = await secondCopy();
    expect(other.NexfitError).not.toBe(NexfitError);
    const foreign = new other.ConflictError('duplicate', 'taken');
    expect(foreign instanceof Error).toBe(true);
    expect(Function.prototype[Symbol.hasInstance].call(NexfitError, foreign)).toBe(false);

    expect(isNexfitError(foreign)).toBe(true);
    expect(other.isNexfitError(new NotFoundError('user', 'u1'))).toBe(true);
    expect(foreign instanceof NexfitError).toBe(true);
    expect(foreign instanceof ConflictError).toBe(true);
    expect(foreign instanceof ValidationError).toBe(false);
    expect(new ConflictError('duplicate', 'x') instanceof other.ConflictError).toBe(true);

    expect(toHttpError(foreign)).toMatchObject({ status: 409, body: { code: 'CONFLICT', reason: 'duplicate' } });
  });

  it('recognises an error class defined apart that carries the brand, and nothing without it', () => {
    class ForeignError extends Error {
      readonly code = 'NOT_FOUND';
      readonly details = { entity: 'user', id: 'u1' };
    }
    Object.defineProperty(ForeignError.prototype, Symbol.for('@nexfit/sdk/error'), { value: 1 });
    const foreign = new ForeignError('gone');
    expect(isNexfitError(foreign)).toBe(true);
    expect(foreign instanceof NexfitError).toBe(true);
    expect(foreign instanceof NotFoundError).toBe(false);
    expect(toHttpError(foreign)).toMatchObject({ status: 404, body: { code: 'NOT_FOUND', entity: 'user', id: 'u1' } });

    const lookalike = Object.assign(new Error('gone'), { code: 'NOT_FOUND' });
    expect(isNexfitError(lookalike)).toBe(false);
    expect(lookalike instanceof NexfitError).toBe(false);
    expect(isNexfitError({ code: 'NOT_FOUND', [Symbol.for('@nexfit/sdk/error')]: 2 })).toBe(false);
  });

  it('does not vouch for a code this copy does not know', () => {
    const future = Object.assign(new Error('new'), { code: 'SOMETHING_NEW', [Symbol.for('@nexfit/sdk/error')]: 1 });
    expect(isNexfitError(future)).toBe(false);
    expect(toHttpError(future)).toMatchObject({ status: 500, body: { code: 'INTERNAL' } });
  });
});
