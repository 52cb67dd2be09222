import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { describeMongoCollections, generateErDiagramMarkdown } from '../../scripts/er-diagram.js';

const committed = () => readFileSync(fileURLToPath(new URL('../../docs/er-diagram.md', import.meta.url)), 'utf8');

describe('docs/er-diagram.md', () => {
  it('is what npm run docs:er generates from the schemas and the migrated catalog', async () => {
    const generated = await generateErDiagramMarkdown(inject('pgUrl'));
    // Out of date? Run `npm run docs:er` and commit docs/er-diagram.md.
    expect(committed(), 'docs/er-diagram.md is stale: run `npm run docs:er`').toBe(generated);
  });

  it('draws every collection and table of the design document, and the references the seed implies', async () => {
    const page = committed();
    for (const name of ['users', 'measurements', 'exercises', 'workout_templates', 'workout_programs', 'workout_logs', 'nutrition_plans', 'foods', 'facilities', 'memberships', 'member_subscriptions', 'classes', 'class_bookings', 'coach_clients', 'pt_sessions', 'transactions', 'subscriptions', 'invoices', 'analytics_daily', 'audit_logs']) {
      expect(page).toContain(`  ${name} {`);
    }
    expect(page).toContain('users ||..o{ measurements : "userId"');
    expect(page).toContain('transactions |o--o{ invoices : "transaction_id"');
    expect(page).toContain('users ||..o{ transactions : "user_id"');
    expect(page).toContain('exercises }o..o{ workout_templates : "exercises[].exerciseId"');
  });

  it('finds MongoDB references through the branded id schemas, not by field name', () => {
    const { collectionByBrand, relations } = describeMongoCollections();
    expect(collectionByBrand.get('UserId')).toBe('users');
    expect(collectionByBrand.get('PtSessionId')).toBe('pt_sessions');
    // `createdBy` says nothing about its target by name; its schema's brand does.
    expect(relations).toContainEqual(expect.objectContaining({ from: 'workout_templates', to: 'users', label: 'createdBy' }));
  });
});
