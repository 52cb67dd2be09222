import { importFreeExerciseDb } from '../modules/catalog/free-exercise-db.importer.js';
import type { Nexfit } from '../create-nexfit.js';

/** What {@link seedDemo} created (zero counts on a re-run). */
export interface DemoSeedReport {
  readonly exercisesImported: number;
  readonly usersCreated: number;
  readonly facilitiesCreated: number;
  readonly plansCreated: number;
}

const DEMO_PASSWORD = 'nexfit-demo-password';
const DEMO_USERS = [
  { email: 'owner@demo.nexfit.example', firstName: 'Selin', lastName: 'Aydın', role: ['gym_owner' as const], roleSpecificData: { gym_owner: { businessName: 'Moda Gym' } } },
  { email: 'coach@demo.nexfit.example', firstName: 'Elif', lastName: 'Şahin', role: ['coach' as const], roleSpecificData: { coach: { specializations: ['yoga'], isFreelance: false } } },
  { email: 'client@demo.nexfit.example', firstName: 'Ayşe', lastName: 'Yılmaz', role: ['client' as const], roleSpecificData: { client: { height: 168, weight: 61 } } },
];

/**
 * Demo data for a fresh deployment (`nexfit seed demo`): the free-exercise-db catalogue, three
 * users (owner, coach, client; password `nexfit-demo-password`), a gym in Istanbul and its
 * monthly plan. Idempotent: what exists is left as it is.
 *
 * @example
 * ```ts
 * await seedDemo(nexfit) // { exercisesImported: 873, usersCreated: 3, facilitiesCreated: 1, plansCreated: 1 }
 * ```
 */
export async function seedDemo(nexfit: Nexfit): Promise<DemoSeedReport> {
  const imported = await importFreeExerciseDb(nexfit.repositories.exercises);
  let usersCreated = 0;
  const users = [];
  for (const user of DEMO_USERS) {
    const existing = await nexfit.users.findByEmail(user.email);
    if (existing) {
      users.push(existing);
      continue;
    }
    users.push(await nexfit.users.register({ ...user, password: DEMO_PASSWORD }));
    usersCreated += 1;
  }
  const owner = users[0]!;
  let facilitiesCreated = 0;
  let plansCreated = 0;
  let gym = (await nexfit.facilities.listByOwner(owner.id)).items[0];
  if (!gym) {
    gym = await nexfit.facilities.create({
      name: 'Moda Gym', type: 'gym', ownerId: owner.id, timezone: 'Europe/Istanbul',
      address: { street: 'Moda Cd. 1', city: 'İstanbul', country: 'TR', coordinates: { latitude: 40.9833, longitude: 29.0275 } },
      operatingHours: ([0, 1, 2, 3, 4, 5, 6] as const).map((day) => ({ day, openTime: '06:00', closeTime: '23:00', isClosed: false })),
    });
    facilitiesCreated = 1;
  }
  if ((await nexfit.memberships.listPlans(gym.id)).items.length === 0) {
    await nexfit.memberships.createPlan({ facilityId: gym.id, name: 'Aylık Sınırsız', duration: { value: 1, unit: 'month' }, price: 1_500_00, limitations: { maxClassBookingsPerWeek: 3, classesIncluded: true } });
    plansCreated = 1;
  }
  return { exercisesImported: imported.inserted, usersCreated, facilitiesCreated, plansCreated };
}
