/**
 * partition: cuts links between nodes in one of the shapes of network/partitions.ts (drawn from
 * `shapes` per fault). Partitions that overlap: ending one puts back the one before it, if it is
 * still in force, and a later one replaces it.
 */
import { z } from 'zod';
import { defineFault, type Grudge } from '../../core/fault.js';
import { partitionShapeNames, planPartition, type PartitionPlan, type PartitionShapeName } from '../network/partitions.js';
import type { PartitionMode } from '../network/network.js';

const PARTITION_SHAPES = partitionShapeNames as readonly [PartitionShapeName, ...PartitionShapeName[]];

export interface PartitionFaultPlan {
  shape: PartitionShapeName;
  mode: PartitionMode;
  /** Fixed at plan time, except for isolate-leader and isolate-follower (the leader is known
   *  only when it starts). */
  partition?: PartitionPlan;
  /** Why the shape could not be planned (the fault is then recorded as failed). */
  error?: string;
}

/** One sentence per shape, for `faultline list nemeses` (partition/<shape>). */
export const PARTITION_SHAPE_DESCRIPTIONS: Record<PartitionShapeName, string> = {
  halves: 'the nodes split into two halves, the first half the majority',
  'majorities-ring': 'every node sees a majority, but each a different one (no two agree on it; Jepsen\'s majorities-ring)',
  'majority-ring': 'the same as majorities-ring (its earlier name, still accepted)',
  'isolate-one': 'one node cut off from all others',
  'isolate-leader': 'the current leader (from the status monitor) cut off from its peers; clients still reach it (no partition shape cuts client links), so it takes writes it cannot commit and may serve reads while deposed',
  'isolate-follower': 'one node that is not the current leader (from the status monitor) cut off from all others, so it falls behind',
  bridge: 'two halves joined by one node that sees both',
  'random-halves': 'the nodes shuffled (seeded), then split into halves',
};

export const partition = defineFault({
  name: 'partition',
  description:
    'cut links between nodes (shapes: see partition/*); mode drop (bytes vanish, requests hang), reject (connections refused) or delay (bytes held, all delivered at the heal); ops start-partition/stop-partition',
  options: z.strictObject({
    /** One of these is picked (seeded) each time the fault starts. */
    shapes: z.array(z.enum(PARTITION_SHAPES)).min(1).default(['halves']),
    mode: z.enum(['drop', 'reject', 'delay']).default('drop'),
  }),
  plan(options, { nodes, random, index }): PartitionFaultPlan {
    const shape = random.pick(options.shapes);
    // A stream of its own per fault, so planning one shape never shifts the next fault's draws.
    const shapeRandom = random.fork(`partition-${index}`);
    if (leaderShape(shape)) return { shape, mode: options.mode };
    try {
      return { shape, mode: options.mode, partition: planPartition(shape, nodes, shapeRandom) };
    } catch (err) {
      return { shape, mode: options.mode, error: (err as Error).message };
    }
  },
  describe: (p) => `partition ${p.shape} (${p.mode})${p.partition ? `: ${p.partition.description}` : ''}`,
  async start(fault, context) {
    // The partitions in force, by fault id: what ending one puts back.
    const cuts = context.shared(() => new Map<number, { grudge: Grudge; mode: PartitionMode }>());
    let plan: PartitionPlan | undefined = fault.partition;
    const value: Record<string, unknown> = { shape: fault.shape, mode: fault.mode };
    const ok = await context.act('start-partition', value, undefined, async () => {
      if (fault.error) throw new Error(fault.error);
      if (!plan) {
        const leader = context.leader();
        if (!leader && fault.shape === 'isolate-leader') throw new Error('no leader known (the status monitor saw none)');
        plan = planPartition(fault.shape, context.nodes, context.random.fork(`partition-${fault.id}`), leader ? { leader } : {});
      }
      value.grudge = plan.grudge;
      value.components = plan.components;
      value.description = plan.description;
      await context.network.partition(plan.grudge, fault.mode);
    }, () => (typeof value.description === 'string' ? `${fault.shape} ${value.description}` : fault.shape));
    // A failed start may still have cut some links: ending it heals them either way.
    const grudge = plan?.grudge;
    if (ok && grudge) cuts.set(fault.id, { grudge, mode: fault.mode });
    return {
      describe: `partition ${fault.shape}${plan ? ` (${plan.description})` : ''}${ok ? '' : ' [failed]'}`,
      end: async () => {
        cuts.delete(fault.id);
        await context.act('stop-partition', { shape: fault.shape, ...(grudge && { grudge }) }, undefined, async () => {
          // A later partition replaced this one: it is healed by its own end. An earlier one
          // still in force is put back; otherwise the network is healed.
          const ids = [...cuts.keys()];
          if (ids.some((id) => id > fault.id)) return;
          const earlier = ids.length ? cuts.get(Math.max(...ids)) : undefined;
          if (earlier) await context.network.partition(earlier.grudge, earlier.mode);
          else await context.network.heal();
        }, () => fault.shape);
      },
    };
  },
  style: { fill: 'rgba(224,49,49,0.10)', bar: '#ffa8a8', legend: 'rgba(224,49,49,.25)' },
});

/** Shapes planned when the fault starts, from the leader the status monitor sees then. */
function leaderShape(shape: PartitionShapeName): boolean {
  return shape === 'isolate-leader' || shape === 'isolate-follower';
}
