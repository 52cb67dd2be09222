import type { Document } from 'mongodb';
import { ConfigurationError } from '../../../core/errors.js';

/**
 * One change of a collection's document format (SPEC decision 10): documents of
 * `fromVersion` become `toVersion` through `up`, and back through `down`. Both work on
 * stored documents (ObjectIds, stored field names) and return the new document; the
 * runner sets `_id` and `schemaVersion` itself. The same `up` upgrades old documents on
 * read (see `upgradeOnRead`), so a collection reads correctly before, during and after its
 * rewrite.
 *
 * @example
 * ```ts
 * const splitName: DocumentMigration = {
 *   name: 'users-0002-split-name', collection: 'users', fromVersion: 1, toVersion: 2,
 *   up: ({ name, ...doc }) => ({ ...doc, firstName: name.split(' ')[0], lastName: name.split(' ').slice(1).join(' ') }),
 *   down: ({ firstName, lastName, ...doc }) => ({ ...doc, name: `${firstName} ${lastName}` }),
 * };
 * ```
 */
export interface DocumentMigration {
  /** Unique and stable: the `_id` of its record in `nexfit_document_migrations`. */
  readonly name: string;
  readonly collection: string;
  readonly fromVersion: number;
  readonly toVersion: number;
  /** A stored document of `fromVersion` as it is at `toVersion`. */
  up(document: Document): Document;
  /** A stored document of `toVersion` as it was at `fromVersion`. */
  down(document: Document): Document;
}

/**
 * Checks a list of migrations: unique names, versions that move forward, and per
 * collection a chain without forks (one migration leaves each version).
 *
 * @example
 * ```ts
 * assertValidDocumentMigrations([splitName]);
 * ```
 * @throws ConfigurationError naming the first problem.
 */
export function assertValidDocumentMigrations(migrations: readonly DocumentMigration[]): void {
  const names = new Set<string>();
  const leaving = new Set<string>();
  for (const m of migrations) {
    if (names.has(m.name)) throw new ConfigurationError(`Two document migrations are named ${m.name}`);
    names.add(m.name);
    if (!Number.isInteger(m.fromVersion) || !Number.isInteger(m.toVersion) || m.toVersion <= m.fromVersion || m.fromVersion < 1) {
      throw new ConfigurationError(`Document migration ${m.name} must go from a version >= 1 to a higher one`);
    }
    const key = `${m.collection}@${m.fromVersion}`;
    if (leaving.has(key)) throw new ConfigurationError(`Two document migrations start from ${m.collection} version ${m.fromVersion}`);
    leaving.add(key);
  }
}
