import { ascendingIndex as asc, type MongoCollectionDefinition } from '../../stores/mongo/collections.js';
import { facilityDerivedFields, storedFacilitySchema } from './facility.schema.js';

/**
 * The `facilities` collection: gyms and studios with their staff, found by place (a GeoJSON point derived from the coordinates).
 *
 * @example
 * ```ts
 * FACILITIES_COLLECTION.indexes.map((index) => index.name)
 * ```
 */
export const FACILITIES_COLLECTION = {
  name: 'facilities',
  storedSchema: storedFacilitySchema,
  schemaVersion: 1,
  derive: facilityDerivedFields,
  hiddenFields: ['address.location'],
  indexes: [
    // Seed lists "address.coordinates"; the GeoJSON point derived from it carries the index (SPEC decision 4).
    { key: { 'address.location': '2dsphere' }, name: 'address_location_2dsphere' },
    asc('ownerId'), // seed
    asc('staff.userId'),
  ],
} as const satisfies MongoCollectionDefinition;
