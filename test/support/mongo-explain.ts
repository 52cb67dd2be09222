import type { Collection, Document, Sort } from 'mongodb';

/** The stages of a query's winning plan, with the index each scan used. */
export interface PlanStage {
  readonly stage: string;
  readonly indexName?: string;
}

/**
 * The winning plan of `find(filter).sort(sort)` as a flat list of stages. The walk follows
 * every nested plan (`inputStage`, `inputStages`, and the `queryPlan` of the slot-based
 * engine), so it reads the classic and the SBE explain formats alike.
 *
 * @example
 * ```ts
 * expect(await winningPlanStages(users, { email })).toContainEqual({ stage: 'IXSCAN', indexName: 'email_unique' })
 * ```
 */
export async function winningPlanStages(collection: Collection<Document>, filter: Document, sort: Sort = {}): Promise<PlanStage[]> {
  const explain = await collection.find(filter).sort(sort).explain('queryPlanner');
  const stages: PlanStage[] = [];
  collect((explain['queryPlanner'] as Document | undefined)?.['winningPlan'], stages);
  return stages;
}

/** The names of the indexes the winning plan scans (`IXSCAN`, `GEO_NEAR_2DSPHERE`). */
export async function indexesUsed(collection: Collection<Document>, filter: Document, sort: Sort = {}): Promise<string[]> {
  const stages = await winningPlanStages(collection, filter, sort);
  if (stages.some((s) => s.stage === 'COLLSCAN')) return [];
  return stages.filter((s) => (s.stage === 'IXSCAN' || s.stage === 'GEO_NEAR_2DSPHERE') && s.indexName !== undefined).map((s) => s.indexName!);
}

function collect(node: unknown, out: PlanStage[]): void {
  if (Array.isArray(node)) {
    for (const child of node) collect(child, out);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const plan = node as Document;
  if (typeof plan['stage'] === 'string') {
    out.push({ stage: plan['stage'], ...(typeof plan['indexName'] === 'string' ? { indexName: plan['indexName'] } : {}) });
  }
  for (const key of ['inputStage', 'inputStages', 'queryPlan', 'thenStage', 'elseStage']) collect(plan[key], out);
}
