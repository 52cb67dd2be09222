import { ObjectId } from 'mongodb';

/** The key ids of every encrypted envelope `{ v: 1, k, d }` in a raw document, wherever it sits, in document order. */
export function keyIdsOf(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => keyIdsOf(v, out));
  else if (value && typeof value === 'object' && !(value instanceof ObjectId) && !(value instanceof Date)) {
    const record = value as Record<string, unknown>;
    if (record['v'] === 1 && typeof record['k'] === 'string' && typeof record['d'] === 'string') out.push(record['k']);
    else Object.values(record).forEach((v) => keyIdsOf(v, out));
  }
  return out;
}
