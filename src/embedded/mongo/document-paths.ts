import { isPlainObject, type Doc } from './bson-values.js';

/**
 * Every value a dotted path reaches in a document, descending into arrays the way
 * MongoDB's index key generation does. An array at the end of the path contributes
 * its elements (multikey); a path that reaches nothing yields `[]`.
 */
export function valuesAtPath(doc: unknown, path: string): unknown[] {
  const out: unknown[] = [];
  collect(doc, path.split('.'), 0, out);
  return out;
}

function collect(value: unknown, parts: string[], index: number, out: unknown[]): void {
  if (index === parts.length) {
    if (Array.isArray(value)) {
      if (value.length === 0) out.push(undefined);
      else for (const item of value) out.push(item);
    } else {
      out.push(value);
    }
    return;
  }
  const part = parts[index]!;
  if (Array.isArray(value)) {
    if (/^\d+$/.test(part) && Number(part) < value.length) {
      collect(value[Number(part)], parts, index + 1, out);
      return;
    }
    for (const item of value) if (isPlainObject(item)) collect(item, parts, index, out);
    return;
  }
  if (isPlainObject(value) && part in value) collect(value[part], parts, index + 1, out);
}

/** The value at a dotted path without array expansion (`undefined` when missing). */
export function valueAtPath(doc: unknown, path: string): unknown {
  let current: unknown = doc;
  for (const part of path.split('.')) {
    if (Array.isArray(current) && /^\d+$/.test(part)) current = current[Number(part)];
    else if (isPlainObject(current)) current = current[part];
    else return undefined;
  }
  return current;
}

/** Whether a dotted path exists in a document (no array expansion). */
export function hasPath(doc: unknown, path: string): boolean {
  let current: unknown = doc;
  for (const part of path.split('.')) {
    if (Array.isArray(current) && /^\d+$/.test(part)) {
      if (Number(part) >= current.length) return false;
      current = current[Number(part)];
    } else if (isPlainObject(current) && Object.prototype.hasOwnProperty.call(current, part)) {
      current = current[part];
    } else {
      return false;
    }
  }
  return true;
}

/** Sets a dotted path, creating intermediate documents. */
export function setAtPath(doc: Doc, path: string, value: unknown): void {
  const parts = path.split('.');
  let current: Doc = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const part = parts[i]!;
    const next = current[part];
    if (isPlainObject(next)) {
      current = next;
    } else {
      const created: Doc = {};
      current[part] = created;
      current = created;
    }
  }
  current[parts[parts.length - 1]!] = value;
}

/** Removes a dotted path if present. */
export function unsetAtPath(doc: Doc, path: string): void {
  const parts = path.split('.');
  let current: unknown = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    if (!isPlainObject(current)) return;
    current = current[parts[i]!];
  }
  if (isPlainObject(current)) delete current[parts[parts.length - 1]!];
}
