/**
 * leader-after-heal: a partition, healed, and at once the leader (as the status monitor sees it
 * right after the heal) killed or paused: the cluster has to elect again while the nodes of the
 * minority side are still catching up, and entries the old leader could not commit must go.
 */
import { z } from 'zod';
import { defineFault } from '../../core/fault.js';
import { partition } from './partition.js';
import { partitionShapeNames, type PartitionShapeName } from '../network/partitions.js';
import { describeSteps, runSteps, splitOption, type TwoStepPlan } from './steps.js';

const SHAPES = partitionShapeNames as readonly [PartitionShapeName, ...PartitionShapeName[]];

export const leaderAfterHeal = defineFault({
  name: 'leader-after-heal',
  description:
    'a partition (shapes as partition, default halves, majorities-ring, isolate-leader; mode drop, reject or delay) for `split` of the duration (default 0.5), healed, then at once the leader killed or paused (`then`, one drawn per fault) for the rest; ops those of partition, kill and pause',
  options: z.strictObject({
    shapes: z.array(z.enum(SHAPES)).min(1).default(['halves', 'majorities-ring', 'isolate-leader']),
    mode: z.enum(['drop', 'reject', 'delay']).default('drop'),
    then: z.array(z.enum(['kill', 'pause'])).min(1).default(['kill', 'pause']),
    split: splitOption,
  }),
  plan(options, context): TwoStepPlan {
    const first = partition.plan({ shapes: options.shapes, mode: options.mode }, context);
    return { first, then: context.random.pick(options.then), split: options.split };
  },
  describe: (p) => `leader-after-heal ${describeSteps(p, 'heal-first')}`,
  start: (fault, context) => runSteps(fault, context, 'leader-after-heal', 'heal-first'),
  // Its steps write partition's, kill's and pause's ops: the report draws them in their colours.
  ops: { start: 'start-partition', stop: 'stop-partition' },
  style: partition.style,
});
