import { describe, expect, it } from 'vitest';
import { foldSearchText } from '../../../src/core/search-text.js';

describe('foldSearchText', () => {
  it('folds Şınav, ŞINAV and sinav to the same key', () => {
    expect(['Şınav', 'ŞINAV', 'sinav', 'SINAV', 'şınav'].map(foldSearchText)).toEqual(['sinav', 'sinav', 'sinav', 'sinav', 'sinav']);
  });

  it('maps every Turkish I to i without combining dots', () => {
    expect(foldSearchText('İSTANBUL Isparta ılık')).toBe('istanbul isparta ilik');
    expect(foldSearchText('İ')).toHaveLength(1);
  });

  it('strips the other Turkish and Latin diacritics and collapses whitespace', () => {
    expect(foldSearchText('  Çiğ   Köfte ÜZÜM ')).toBe('cig kofte uzum');
    expect(foldSearchText('Crème brûlée')).toBe('creme brulee');
  });
});
