/**
 * Run folders from code: `checkRun` is `faultline check <run folder>`, `writeReport` is
 * `faultline report <run folder>`, `planCampaign` is `faultline run --plan`, `listCatalog` is
 * `faultline list`. The same engine functions as the commands.
 */
import type { PlannedFault } from '../core/fault.js';
import type { OpCall } from '../core/workload.js';
import { formatPlan, planRun } from '../harness/run/plan.js';
import { recheckRun } from '../harness/run/recheck.js';
import { exitCodeFor } from '../harness/run/verdict.js';
import type { CampaignDefinition } from './campaign.js';
import { resolve, toRunResult, type RunOptions, type RunResult } from './run.js';

export { CATALOG_KINDS, listCatalog, type CatalogItem, type CatalogKind } from '../harness/catalog.js';
/** Renders a run folder's report.html again from its files (no re-check); resolves to its path. */
export { rewriteReport as writeReport } from '../harness/run/recheck.js';

/**
 * Checks a run folder again with its campaign's checkers, from its files alone (campaign.yaml,
 * history.jsonl), and writes its results.json and report.html again: a run judged by newer
 * checkers without running anything. Throws `UserError` for a folder that is not a run's.
 */
export async function checkRun(dir: string): Promise<RunResult> {
  const results = await recheckRun(dir);
  return toRunResult(results, dir, exitCodeFor(results.valid));
}


export interface CampaignPlan {
  seed: number;
  /** The fault schedule: what starts when, on which nodes (a recorded sequence when `faults`). */
  faults: PlannedFault[];
  /** Adaptive mode: the ids of the faults chosen only when they start (their times are planned). */
  chosenAtRunTime: number[];
  /** The first ops of each process, as the seed draws them. */
  ops: Record<number, OpCall[]>;
  /** What `faultline run --plan` prints. */
  text: string;
}

/** The plan of a run, from the campaign and seed alone, nothing started (`faultline run --plan`):
 *  same campaign and seed, same plan. Takes `runCampaign`'s `seed`, `timeLimit` and `faults`. */
export async function planCampaign(campaign: CampaignDefinition | string, options: Pick<RunOptions, 'seed' | 'timeLimit' | 'faults'> = {}): Promise<CampaignPlan> {
  const { resolved } = await resolve(campaign, options);
  const plan = planRun(resolved);
  return { seed: plan.seed, faults: plan.faults, chosenAtRunTime: [...plan.slots], ops: plan.ops, text: formatPlan(plan, resolved.faults) };
}
