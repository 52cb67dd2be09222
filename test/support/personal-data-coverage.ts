import type { PersonalDataDeclaration } from '../../src/modules/personal-data.js';

/** The names of `store` that refer to a user and that no declaration of `registry` holds. */
export function unclaimedPersonalData(store: 'mongo' | 'postgres', userLinked: readonly string[], registry: readonly PersonalDataDeclaration[]): string[] {
  const held = new Set(registry.flatMap((declaration) => declaration.holds.filter((h) => h.store === store).map((h) => h.name)));
  return userLinked.filter((name) => !held.has(name));
}
