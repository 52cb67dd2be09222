import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MatrixActor } from './access-world.js';
import type { Kind } from './operation-cases.js';

/** docs/security/access-control.md, read by the tests (the table there is the documented policy). */
export const ACCESS_CONTROL_DOC = fileURLToPath(new URL('../../docs/security/access-control.md', import.meta.url));

/** One row of the documented policy table: the cell of each column, by column name. */
export type PolicyRow = Readonly<Record<string, string>>;

/** The rows of the "Policy table" section, by operation id. */
export function readPolicyTable(path = ACCESS_CONTROL_DOC): ReadonlyMap<string, PolicyRow> {
  const text = readFileSync(path, 'utf8');
  const section = text.slice(text.indexOf('## Policy table'));
  const lines = section.split('\n').filter((l) => l.startsWith('|'));
  const split = (line: string) => line.slice(1, line.lastIndexOf('|')).split('|').map((cell) => cell.trim());
  const header = split(lines[0]!);
  const rows = new Map<string, PolicyRow>();
  for (const line of lines.slice(2)) {
    const cells = split(line);
    const row = Object.fromEntries(header.map((name, i) => [name, cells[i] ?? '']));
    rows.set(row['operation']!.replace(/`/g, ''), row);
  }
  return rows;
}

/**
 * What the documented cell says for `actor` on a target of `kind`: `yes`, `no`, or a list of
 * kinds, where `own facility (p1 / p2)` in the staff column needs one of those permissions.
 */
export function documentedAllows(row: PolicyRow, actor: MatrixActor, kind: Kind): boolean {
  const cell = row[actor.column];
  if (cell === undefined) throw new Error(`The policy table has no column ${actor.column}`);
  if (cell === 'yes') return true;
  if (cell === 'no') return false;
  return cell.split(',').map((item) => item.trim()).some((item) => {
    const staffCondition = /^own facility \(([^)]+)\)$/.exec(item);
    if (staffCondition) return kind === 'own facility' && staffCondition[1]!.split('/').map((p) => p.trim()).some((p) => actor.permissions?.includes(p as never));
    if (!['self', 'active client', 'other client', 'own facility', 'public'].includes(item)) throw new Error(`Unknown policy cell item "${item}"`);
    return item === kind;
  });
}
