/**
 * The plan of a run, derived from the campaign and its seed alone: the op choices of each
 * process and the fault schedule. Same campaign + same seed = same plan (tests compare them);
 * only the interleaving of processes depends on timing.
 */
import type { Campaign } from '../campaign/load.js';
import type { FaultRegistry } from '../faults/registry.js';
import { describeFault, planFaults, type PlannedFault } from '../nemesis/plan.js';
import { Random } from '../../core/random.js';
import type { OpCall } from '../../core/workload.js';
import { opRandom } from './clients.js';

export interface RunPlan {
  seed: number;
  faults: PlannedFault[];
  /** The first ops of each of the first `concurrency` processes. */
  ops: Record<number, OpCall[]>;
}

export function planFaultsOf(campaign: Campaign, root: Random): PlannedFault[] {
  return planFaults(campaign.spec.nemesis, campaign.nodes, campaign.spec.time_limit, root, campaign.faults);
}

export function planRun(campaign: Campaign, opsPerProcess = 20): RunPlan {
  const root = new Random(campaign.seed);
  const generator = campaign.workload.generator(campaign.workloadOptions, root.fork('generator'));
  const ops: Record<number, OpCall[]> = {};
  for (let p = 0; p < campaign.spec.clients.concurrency; p++) {
    const random = opRandom(root, p);
    ops[p] = Array.from({ length: opsPerProcess }, () => generator.next(p, random));
  }
  return { seed: campaign.seed, faults: planFaultsOf(campaign, root), ops };
}

/** The plan as text (`faultline run --plan`): same seed, same text. */
export function formatPlan(plan: RunPlan, faults: FaultRegistry): string {
  const lines = [`seed ${plan.seed}`, 'faults:'];
  for (const f of plan.faults) lines.push(`  ${describeFault(f, faults)}`);
  if (plan.faults.length === 0) lines.push('  (none)');
  lines.push('first ops per process:');
  for (const [p, ops] of Object.entries(plan.ops)) {
    lines.push(`  ${p}: ${ops.map((o) => [o.f, o.key, o.value === undefined ? undefined : JSON.stringify(o.value)].filter((x) => x !== undefined).join(' ')).join(', ')}`);
  }
  return lines.join('\n') + '\n';
}
