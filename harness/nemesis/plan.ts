/**
 * The fault schedule of a run, worked out from the campaign and the seed before the run starts:
 * when each fault starts, how long it lasts, and (where it does not depend on the cluster's
 * state) which nodes and links it hits. Same campaign + same seed = same schedule.
 */
import { planPartition, type PartitionPlan, type PartitionShapeName } from '../network/partitions.js';
import type { PartitionMode } from '../network/network.js';
import type { Random } from '../../core/random.js';
import { MAX_PLANNED_FAULTS, scheduledFaultCount, type FaultSpec, type LinkSet, type NemesisSettings, type Target } from '../campaign/schema.js';

export type PlannedFault = { id: number; at: number; duration: number } & (
  | {
      type: 'partition';
      shape: PartitionShapeName;
      mode: PartitionMode;
      /** Fixed at plan time, except for isolate-leader (the leader is known only when it starts). */
      partition?: PartitionPlan;
      /** Why the shape could not be planned (the fault is then recorded as failed). */
      error?: string;
    }
  | { type: 'kill' | 'pause'; targets: Target; nodes?: string[] }
  | { type: 'latency'; ms: number; jitter: number; links: LinkSet }
  | { type: 'bandwidth'; rate: number; links: LinkSet }
  | { type: 'reset-peer'; timeout: number; links: LinkSet }
  | { type: 'slicer'; average_size: number; size_variation: number; delay: number; links: LinkSet }
);

export function planFaults(nemesis: NemesisSettings, nodes: readonly string[], timeLimitMs: number, random: Random): PlannedFault[] {
  // The campaign schema refuses these; a plan built some other way must not loop or grow unbounded either.
  const planned = scheduledFaultCount(nemesis, timeLimitMs) + (nemesis.timeline?.length ?? 0);
  if (planned > MAX_PLANNED_FAULTS) throw new RangeError(`the nemesis would plan ${planned} faults; at most ${MAX_PLANNED_FAULTS}`);
  const rng = random.fork('nemesis-plan');
  const out: PlannedFault[] = [];
  const timeline = [...(nemesis.timeline ?? [])].sort((a, b) => a.at - b.at);
  for (const entry of timeline) {
    if (entry.at < timeLimitMs) out.push(concretize(out.length, entry, entry.at, entry.duration ?? nemesis.duration, nodes, rng));
  }
  if (nemesis.faults.length > 0) {
    for (let t = nemesis.start ?? nemesis.interval; t < timeLimitMs; t += nemesis.duration + nemesis.interval) {
      out.push(concretize(out.length, rng.pick(nemesis.faults), t, nemesis.duration, nodes, rng));
    }
  }
  // A timeline and a drawn schedule may overlap (a fault of the timeline in force throughout,
  // say, while the schedule draws others): the faults are numbered in the order they start.
  return out.sort((a, b) => a.at - b.at).map((fault, id) => ({ ...fault, id }));
}

function concretize(id: number, spec: FaultSpec, at: number, duration: number, nodes: readonly string[], rng: Random): PlannedFault {
  switch (spec.type) {
    case 'partition': {
      const shape = rng.pick(spec.shapes);
      // A stream of its own per fault, so planning one shape never shifts the next fault's draws.
      const shapeRandom = rng.fork(`partition-${id}`);
      if (shape === 'isolate-leader') return { id, at, duration, type: 'partition', shape, mode: spec.mode };
      try {
        return { id, at, duration, type: 'partition', shape, mode: spec.mode, partition: planPartition(shape, nodes, shapeRandom) };
      } catch (err) {
        return { id, at, duration, type: 'partition', shape, mode: spec.mode, error: (err as Error).message };
      }
    }
    case 'kill':
    case 'pause': {
      const chosen = spec.nodes ?? pickTargets(spec.targets, nodes, rng);
      return { id, at, duration, type: spec.type, targets: spec.targets, ...(chosen && { nodes: chosen }) };
    }
    case 'latency':
      return { id, at, duration, type: 'latency', ms: spec.ms, jitter: spec.jitter, links: spec.links };
    case 'bandwidth':
    case 'reset-peer':
    case 'slicer':
      return { id, at, duration, ...spec };
  }
}

/** Nodes for a target; undefined for `leader`/`followers`, which are read from the cluster when the fault starts. */
export function pickTargets(target: Target, nodes: readonly string[], rng: Random): string[] | undefined {
  const shuffled = rng.shuffle(nodes);
  const n = nodes.length;
  switch (target) {
    case 'one':
      return shuffled.slice(0, 1);
    case 'minority':
      return shuffled.slice(0, Math.max(1, Math.floor((n - 1) / 2)));
    case 'majority':
      return shuffled.slice(0, Math.floor(n / 2) + 1);
    case 'all':
      return [...nodes];
    case 'leader':
    case 'followers':
      return undefined;
  }
}

/** One line per fault, for logs and the plan comparison. */
export function describeFault(f: PlannedFault): string {
  const when = `${(f.at / 1000).toFixed(2)}s+${(f.duration / 1000).toFixed(2)}s`;
  switch (f.type) {
    case 'partition':
      return `${when} partition ${f.shape} (${f.mode})${f.partition ? `: ${f.partition.description}` : ''}`;
    case 'kill':
    case 'pause':
      return `${when} ${f.type} ${f.nodes ? f.nodes.join(' ') : f.targets}`;
    case 'latency':
      return `${when} latency ${f.ms}ms±${f.jitter} on ${describeLinks(f.links)}`;
    case 'bandwidth':
      return `${when} bandwidth ${f.rate}KB/s on ${describeLinks(f.links)}`;
    case 'reset-peer':
      return `${when} reset-peer after ${f.timeout}ms on ${describeLinks(f.links)}`;
    case 'slicer':
      return `${when} slicer ${f.average_size}±${f.size_variation} bytes every ${f.delay}µs on ${describeLinks(f.links)}`;
  }
}

/** `peers links`, or the chosen links: `links touching n1; peer links n1->n2`. */
export function describeLinks(links: LinkSet): string {
  if (typeof links === 'string') return `${links} links`;
  const parts: string[] = [];
  if (links.touching) parts.push(`links touching ${links.touching.join(' ')}`);
  if (links.clients) parts.push(`client links of ${links.clients.join(' ')}`);
  if (links.peers) parts.push(`peer links ${links.peers.map(([from, to]) => `${from}->${to}`).join(' ')}`);
  return parts.join('; ');
}
