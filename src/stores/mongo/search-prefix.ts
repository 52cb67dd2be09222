import type { Document } from 'mongodb';
import { foldSearchText } from '../../core/search-text.js';

const REGEX_METACHARACTERS = /[.*+?^${}()|[\]\\/-]/g;

/**
 * The condition matching a stored `searchName` that starts with `text`, folded the same way
 * (`foldSearchText`). The pattern is anchored and free of metacharacters, so MongoDB turns it
 * into a bounded range of the field's index instead of a scan; `undefined` when the folded
 * text is empty (no condition).
 *
 * @example
 * ```ts
 * searchNamePrefix('ŞINAV (') // { $regex: '^sinav \\(' }
 * ```
 */
export function searchNamePrefix(text: string): Document | undefined {
  const folded = foldSearchText(text);
  if (folded === '') return undefined;
  return { $regex: `^${folded.replace(REGEX_METACHARACTERS, '\\$&')}` };
}
