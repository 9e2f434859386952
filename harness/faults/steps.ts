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

/** `halves (drop), healed after 50%, then kill the leader` */
export function describeSteps(p: TwoStepPlan): string {
  const first = partition.describe(p.first).replace(/^partition /, '');
  const how = p.then === 'isolate' ? 'isolate the leader from its peers' : `${p.then} the leader`;
  return `${first}; healed after ${Math.round(p.split * 100)}%, then ${how}`;
}

/** Runs the first step for `split` of the duration, ends it, and at once starts the second; the
 *  fault's end ends the second (or the first, when the nemesis stopped in between). */
export async function runSteps(fault: PlannedFault<TwoStepPlan>, context: FaultContext, name: string): Promise<ActiveFault | undefined> {
  const firstDuration = Math.round(fault.duration * fault.split);
  const step = <P extends object>(type: string, planned: P, duration: number): PlannedFault<P> => ({ ...planned, id: fault.id, at: fault.at, duration, type });
  const first = await partition.start(step('partition', fault.first, firstDuration), context);
  if (!(await context.sleep(firstDuration))) {
    return first && { describe: `${name}: ${first.describe}`, end: (how) => first.end(how) };
  }
  await first?.end({ restart: true });
  const rest = fault.duration - firstDuration;
  const second =
    fault.then === 'isolate'
      ? await partition.start(step('partition', { shape: 'isolate-leader', mode: fault.first.mode } satisfies PartitionFaultPlan, rest), context)
      : await (fault.then === 'kill' ? kill : pause).start(step(fault.then, { targets: 'leader' as const }, rest), context);
  return second && { describe: `${name}: ${second.describe}`, end: (how) => second.end(how) };
}
