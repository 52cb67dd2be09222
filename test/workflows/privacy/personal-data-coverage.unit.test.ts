import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { idSchema } from '../../../src/core/ids.js';
import { MONGO_LAYOUT, PERSONAL_DATA_REGISTRY } from '../../../src/module-registry.js';
import type { MongoCollectionDefinition } from '../../../src/stores/mongo/collections.js';
import { brandedIdPaths } from '../../../src/stores/mongo/document-codec.js';
import { unclaimedPersonalData } from '../../support/personal-data-coverage.js';

/** Collections whose stored documents hold a user's id anywhere (`userId`, `createdBy`, `staff[].userId`, …). */
function userLinkedCollections(layout: readonly MongoCollectionDefinition[]): string[] {
  return layout.filter((d) => d.storedSchema && brandedIdPaths(d.storedSchema, 'UserId').length > 0).map((d) => d.name);
}

describe('personal-data contributors and MongoDB', () => {
  it('finds the collections that refer to a user from their stored schemas', () => {
    expect(userLinkedCollections(MONGO_LAYOUT).sort()).toEqual(
      [
        'users',
        'measurements',
        'measurement_categories',
        'exercises',
        'workout_templates',
        'workout_programs',
        'workout_logs',
        'nutrition_plans',
        'food_diary_entries',
        'foods',
        'facilities',
        'member_subscriptions',
        'classes',
        'class_bookings',
        'coach_clients',
        'pt_sessions',
        'coach_availabilities',
        'booking_strikes',
        'booking_suspensions',
        'waivers',
        'waiver_signatures',
        'booking_fees',
        'account_links',
        'promo_redemptions',
      ].sort(),
    );
  });

  it('has a registered contributor holding every collection that refers to a user', () => {
    expect(unclaimedPersonalData('mongo', userLinkedCollections(MONGO_LAYOUT), PERSONAL_DATA_REGISTRY)).toEqual([]);
  });

  it('fails for a module that stores user-linked data without a contributor', () => {
    const withoutMeasurements = PERSONAL_DATA_REGISTRY.filter((r) => r.module !== 'measurements');
    expect(unclaimedPersonalData('mongo', userLinkedCollections(MONGO_LAYOUT), withoutMeasurements)).toEqual(['measurements', 'measurement_categories']);

    const progressPhotos: MongoCollectionDefinition = {
      name: 'progress_photos',
      storedSchema: z.object({ _id: idSchema('ProgressPhotoId'), takenBy: z.object({ userId: idSchema('UserId') }), url: z.string() }),
      schemaVersion: 1,
      indexes: [],
    };
    expect(unclaimedPersonalData('mongo', userLinkedCollections([...MONGO_LAYOUT, progressPhotos]), PERSONAL_DATA_REGISTRY)).toEqual(['progress_photos']);
  });

  it('holds only collections the SDK defines, each in one module, and says why when it leaves one untouched', () => {
    const names = new Set(MONGO_LAYOUT.flatMap((d) => [d.name, ...(d.archiveCollection ? [d.archiveCollection] : [])]));
    const holdings = PERSONAL_DATA_REGISTRY.flatMap((r) => r.holds.map((h) => ({ ...h, module: r.module })));
    for (const h of holdings.filter((h) => h.store === 'mongo')) expect(names.has(h.name), `${h.module} holds ${h.name}`).toBe(true);
    const keys = holdings.map((h) => `${h.store}:${h.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const h of holdings) if (h.untouched !== undefined) expect(h.untouched.trim().length, `${h.module}: ${h.name}`).toBeGreaterThan(20);
    expect(new Set(PERSONAL_DATA_REGISTRY.map((r) => r.module)).size).toBe(PERSONAL_DATA_REGISTRY.length);
  });

  it('claims the archive of every claimed collection that has one, in the same module', () => {
    const archived = MONGO_LAYOUT.filter((d) => d.archiveCollection !== undefined);
    expect(archived.map((d) => d.name).sort()).toEqual(['class_bookings', 'workout_logs']);
    for (const definition of archived) {
      const owner = PERSONAL_DATA_REGISTRY.find((r) => r.holds.some((h) => h.store === 'mongo' && h.name === definition.name));
      expect(owner, definition.name).toBeDefined();
      expect(owner!.holds.some((h) => h.store === 'mongo' && h.name === definition.archiveCollection), `${owner!.module} holds ${definition.archiveCollection}`).toBe(true);
    }
  });
});
