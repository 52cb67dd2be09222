import type { Document } from 'mongodb';
import type { DocumentMigration } from '../../stores/mongo/document-migrations/document-migration.js';

/**
 * `foods` version 1 → 2: the package data and household portions. Version 1 documents get
 * empty `dietFlags` and `portions` (the fields every version 2 food has); the optional new
 * fields stay absent. Down drops every field version 1 did not know, `nutrients.saturatedFat`
 * included, so a version 1 reader finds nothing unknown.
 *
 * @example
 * ```ts
 * FOODS_0002_PACKAGE_DATA.up({ name: 'Yulaf', schemaVersion: 1 }) // { name: 'Yulaf', schemaVersion: 1, dietFlags: [], portions: [] }
 * ```
 */
export const FOODS_0002_PACKAGE_DATA: DocumentMigration = {
  name: 'foods-0002-package-data',
  collection: 'foods',
  fromVersion: 1,
  toVersion: 2,
  up: (doc) => ({ ...doc, dietFlags: doc['dietFlags'] ?? [], portions: doc['portions'] ?? [] }),
  down: (doc) => {
    const { barcode: _b, brand: _r, dietFlags: _d, nutriScore: _n, portions: _p, ...rest } = doc;
    const nutrients = rest['nutrients'] as Document | undefined;
    if (!nutrients) return rest;
    const { saturatedFat: _s, ...v1Nutrients } = nutrients;
    return { ...rest, nutrients: v1Nutrients };
  },
};

/** The document migrations of the `foods` collection, in order: read through `upgradeOnRead` by the repository. */
export const FOOD_DOCUMENT_MIGRATIONS: readonly DocumentMigration[] = [FOODS_0002_PACKAGE_DATA];
