import { describe, expect, it } from 'vitest';
import { regexPrefix } from '../../../src/embedded/mongo/query-planner.js';

describe('regexPrefix', () => {
  it('reads the literal prefix of an anchored regex, escapes included', () => {
    expect(regexPrefix('^sinav', '')).toBe('sinav');
    expect(regexPrefix('^sinav \\(', '')).toBe('sinav (');
    expect(regexPrefix('^a\\.b.*', '')).toBe('a.b');
    expect(regexPrefix('^abc$', '')).toBe('abc');
  });

  it('drops a character a quantifier makes optional', () => {
    expect(regexPrefix('^abc?', '')).toBe('ab');
    expect(regexPrefix('^abc*', '')).toBe('ab');
    expect(regexPrefix('^abc{0,2}', '')).toBe('ab');
    expect(regexPrefix('^abc+', '')).toBe('abc');
  });

  it('gives no prefix when the regex can match elsewhere', () => {
    expect(regexPrefix('sinav', '')).toBeUndefined();
    expect(regexPrefix('^sinav', 'i')).toBeUndefined();
    expect(regexPrefix('^a', 'm')).toBeUndefined();
    expect(regexPrefix('^a|b', '')).toBeUndefined();
    expect(regexPrefix('^(a)', '')).toBeUndefined();
    expect(regexPrefix('^\\d+', '')).toBeUndefined();
  });
});
