import { describe, expect, it } from 'vitest';
import { PERSONAL_SNAPSHOT_KEYS, PersonalStrings, REDACTED } from '../../src/core/personal-data-redaction.js';

describe('PersonalStrings', () => {
  const known = new PersonalStrings(['Ayşegül', 'ayse@example.com', 'Can', '  ']);

  it('replaces every string that contains a personal string, ignoring case (Turkish rules)', () => {
    expect(known.redactJson({ lines: [{ description: 'Aylık üyelik — AYŞEGÜL', quantity: 1 }], to: 'AYSE@example.com' })).toEqual({
      lines: [{ description: REDACTED, quantity: 1 }],
      to: REDACTED,
    });
  });

  it('matches a short string only as a whole value, so it does not blank unrelated text', () => {
    expect(known.redactJson({ a: 'can', b: 'Canlı yayın', c: 'Can ' })).toEqual({ a: REDACTED, b: 'Canlı yayın', c: REDACTED });
  });

  it('drops personal keys at any depth when asked, keeping the rest', () => {
    const snapshot = { status: 'active', roleSpecificData: { client: { medicalConditions: ['astım'] } }, nested: [{ notes: 'x', amount: 5 }] };
    expect(known.redactJson(snapshot, PERSONAL_SNAPSHOT_KEYS)).toEqual({ status: 'active', nested: [{ amount: 5 }] });
  });

  it('returns the same object when nothing matched, so callers rewrite only what changed', () => {
    const untouched = { lines: [{ description: 'Aylık üyelik', gross: '1500.00' }] };
    expect(known.redactJson(untouched)).toBe(untouched);
  });
});
