/**
 * Folds text for case- and diacritic-insensitive search, the Turkish way: every form of
 * I (`İ`, `I`, `ı`, `i`) becomes `i`, `ş`→`s`, `ğ`→`g`, `ü`→`u`, `ö`→`o`, `ç`→`c`, any other
 * diacritic is stripped after NFD decomposition, and runs of whitespace collapse.
 * Repositories store the folded name as `searchName` and fold the query the same way, so a
 * plain index serves "Şınav", "ŞINAV" and "sinav" alike.
 *
 * @example
 * ```ts
 * foldSearchText('  Şınav  Çekme ') // 'sinav cekme'
 * ```
 */
export function foldSearchText(text: string): string {
  return text
    // Before any case mapping: `İ`.toLowerCase() is `i` + U+0307 and `I` must not map to `ı`.
    .replace(/[İIıi]/g, 'i')
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/ı/g, 'i')
    .replace(/\s+/gu, ' ')
    .trim();
}
