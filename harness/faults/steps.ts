/**
 * Faults made of two steps in quick succession (Jepsen's composed nemeses): a partition, healed,
 * then at once the leader taken out. Each step is run by the module of its kind (partition, kill,
 * pause), so it writes that kind's ops (start-partition/stop-partition, kill/restart,
 * pause/resume) and the report and the checkers' fault windows see ordinary faults. The leader
 * of the second step is read from the status monitor when that step starts, right after the heal.
 */
import { z } from 'zod';
import type { ActiveFault, FaultContext, PlannedFault } from '../../core/fault.js';
import { kill } from './kill.js';
import type { PartitionFaultPlan } from './partition.js';
import { partition } from './partition.js';
import { pause } from './pause.js';

/** How the second step takes the leader out: SIGKILL (restarted at the end), SIGSTOP (resumed),
 *  or cut off from its peers (healed at the end). */
export const TAKE_OUT = ['kill', 'pause', 'isolate'] as const;
export type TakeOut = (typeof TAKE_OUT)[number];

/** The share of the fault's duration its first step lasts. */
export const splitOption = z.number().min(0.05).max(0.95).default(0.5);

export interface TwoStepPlan {
  /** The first step: a partition, planned by the partition module. */
  first: PartitionFaultPlan;
  then: TakeOut;
  split: number;
}

/** `halves (drop), healed after 50%, then kill the leader` (heal-first), or
 *  `isolate-follower (drop); after 60% kill the leader, then heal` (out-first). */
export function describeSteps(p: TwoStepPlan, order: 'heal-first' | 'out-first'): string {
  const first = partition.describe(p.first).replace(/^partition /, '');
  const how = p.then === 'isolate' ? 'isolate the leader from its peers' : `${p.then} the leader`;
  const percent = Math.round(p.split * 100);
  return order === 'heal-first' ? `${first}; healed after ${percent}%, then ${how}` : `${first}; after ${percent}% ${how}, at once heal`;
}

/**
 * Runs the first step for `split` of the duration, then the second at once; the fault's end ends
 * the second (or the first, when the nemesis stopped in between). `heal-first` ends the first
 * step and then starts the second (the leader taken out right after the heal); `out-first` takes
 * the leader out and then heals the first step, so the leader has no moment to bring the healed
 * node up to date (with `isolate`, one change of the network: the leader cut, the node healed).
 */
export async function runSteps(fault: PlannedFault<TwoStepPlan>, context: FaultContext, name: string, order: 'heal-first' | 'out-first'): Promise<ActiveFault | undefined> {
  const firstDuration = Math.round(fault.duration * fault.split);
  // The second step counts as a later partition than the first (partition.ts: a later one
  // replaces an earlier one, whose end then leaves it in force).
  const step = <P extends object>(type: string, planned: P, duration: number, later = 0): PlannedFault<P> => ({ ...planned, id: fault.id + later, at: fault.at, duration, type });
  const first = await partition.start(step('partition', fault.first, firstDuration), context);
  if (!(await context.sleep(firstDuration))) {
    return first && { describe: `${name}: ${first.describe}`, end: (how) => first.end(how) };
  }
  if (order === 'heal-first') await first?.end({ restart: true });
  const rest = fault.duration - firstDuration;
  const second =
    fault.then === 'isolate'
      ? await partition.start(step('partition', { shape: 'isolate-leader', mode: fault.first.mode } satisfies PartitionFaultPlan, rest, 0.5), context)
      : await (fault.then === 'kill' ? kill : pause).start(step(fault.then, { targets: 'leader' as const }, rest), context);
  if (order === 'out-first') await first?.end({ restart: true });
  return second && { describe: `${name}: ${second.describe}`, end: (how) => second.end(how) };
}
