/**
 * The plan of a run, derived from the campaign and its seed alone: the op choices of each
 * process and the fault schedule. Same campaign + same seed = same plan (tests compare them);
 * only the interleaving of processes depends on timing.
 */
import type { Campaign } from '../campaign/load.js';
import type { FaultRegistry } from '../faults/registry.js';
import { planAdaptive } from '../nemesis/adaptive.js';
import { describeFault, planFaults, type PlannedFault } from '../nemesis/plan.js';
import { Random } from '../../core/random.js';
import type { OpCall } from '../../core/workload.js';
import { opRandom } from './clients.js';

export interface RunPlan {
  seed: number;
  faults: PlannedFault[];
  /** Faults chosen when they start (adaptive mode): their times are planned, not what they do. */
  slots: ReadonlySet<number>;
  /** Where the faults come from when not from the seed: a recorded sequence. */
  recorded: boolean;
  /** The first ops of each of the first `concurrency` processes. */
  ops: Record<number, OpCall[]>;
}

/** The run's faults: a recorded sequence (`--faults`) as it is; in adaptive mode the timeline and
 *  the slots whose faults are chosen when they start (`slots`); else the seeded schedule. */
export function planFaultsOf(campaign: Campaign, root: Random): { faults: PlannedFault[]; slots: ReadonlySet<number> } {
  if (campaign.recordedFaults) return { faults: campaign.recordedFaults, slots: new Set() };
  const { nemesis, time_limit } = campaign.spec;
  if (nemesis.mode === 'adaptive') {
    const { plan, slots } = planAdaptive(nemesis, campaign.nodes, time_limit, root, campaign.faults);
    return { faults: plan, slots };
  }
  return { faults: planFaults(nemesis, campaign.nodes, time_limit, root, campaign.faults), slots: new Set() };
}

export function planRun(campaign: Campaign, opsPerProcess = 20): RunPlan {
  const root = new Random(campaign.seed);
  const generator = campaign.workload.generator(campaign.workloadOptions, root.fork('generator'));
  const ops: Record<number, OpCall[]> = {};
  for (let p = 0; p < campaign.spec.clients.concurrency; p++) {
    const random = opRandom(root, p);
    ops[p] = Array.from({ length: opsPerProcess }, () => generator.next(p, random));
  }
  const { faults, slots } = planFaultsOf(campaign, root);
  return { seed: campaign.seed, faults, slots, recorded: campaign.recordedFaults !== undefined, ops };
}

/** The plan as text (`faultline run --plan`): same seed, same text. */
export function formatPlan(plan: RunPlan, faults: FaultRegistry): string {
  const lines = [`seed ${plan.seed}`, plan.recorded ? 'faults (recorded, replayed as they ran):' : plan.slots.size ? 'faults (adaptive: the times are fixed; a * fault is chosen when it starts, from the campaign\'s faults):' : 'faults:'];
  for (const f of plan.faults) lines.push(`  ${plan.slots.has(f.id) ? `${describeFault(f, faults).split(' ')[0]} * (chosen at run time)` : describeFault(f, faults)}`);
  if (plan.faults.length === 0) lines.push('  (none)');
  lines.push('first ops per process:');
  for (const [p, ops] of Object.entries(plan.ops)) {
    lines.push(`  ${p}: ${ops.map((o) => [o.f, o.key, o.value === undefined ? undefined : JSON.stringify(o.value)].filter((x) => x !== undefined).join(' ')).join(', ')}`);
  }
  return lines.join('\n') + '\n';
}
