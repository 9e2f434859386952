/**
 * stale-candidate: one node that is not the leader cut off long enough to fall behind, then the
 * leader taken out (killed, paused or cut off from its peers) and at once the node healed, so the
 * election that follows has a candidate whose log is stale: a node that votes for it, or a rule
 * that lets it win, loses committed entries. The leader goes first: healed first, the node would
 * be brought up to date by the leader's next heartbeat before the election.
 */
import { z } from 'zod';
import { defineFault } from '../../core/fault.js';
import { partition } from './partition.js';
import { describeSteps, runSteps, splitOption, TAKE_OUT, type TwoStepPlan } from './steps.js';

export const staleCandidate = defineFault({
  name: 'stale-candidate',
  description:
    'a follower (not the leader the status monitor sees) cut off for `split` of the duration (default 0.6) so it falls behind, then the leader killed, paused or cut off from its peers (`then`, one drawn per fault) for the rest and at once the follower healed, so it stands in the election with a stale log; ops those of partition, kill and pause',
  options: z.strictObject({
    mode: z.enum(['drop', 'reject', 'delay']).default('drop'),
    then: z.array(z.enum(TAKE_OUT)).min(1).default(['kill', 'isolate']),
    split: splitOption.default(0.6),
  }),
  plan(options, context): TwoStepPlan {
    const first = partition.plan({ shapes: ['isolate-follower'], mode: options.mode }, context);
    return { first, then: context.random.pick(options.then), split: options.split };
  },
  describe: (p) => `stale-candidate ${describeSteps(p, 'out-first')}`,
  start: (fault, context) => runSteps(fault, context, 'stale-candidate', 'out-first'),
  // Its steps write partition's, kill's and pause's ops: the report draws them in their colours.
  ops: { start: 'start-partition', stop: 'stop-partition' },
  style: partition.style,
});
