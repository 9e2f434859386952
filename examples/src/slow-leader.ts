/**
 * A fault of our own: latency on every link of the node that leads when the fault starts (its
 * peers' links and its clients'), ended by removing exactly that toxic. Planned from the seed like
 * the shipped faults (nothing to draw here), recorded as start-slow-leader / stop-slow-leader.
 */
import { z } from 'zod';
import { defineFault } from 'faultline';

export const slowLeader = defineFault({
  name: 'slow-leader',
  description: 'add latency (ms) to every link of the current leader',
  options: z.strictObject({ ms: z.number().int().min(1).max(10_000).default(200) }),
  plan: (options) => ({ ms: options.ms }),
  describe: (planned) => `slow-leader ${planned.ms}ms`,
  async start(fault, context) {
    const leader = context.leader();
    const tag = `fault${fault.id}`;
    if (leader === undefined) {
      await context.act('start-slow-leader', { ms: fault.ms }, undefined, () => Promise.reject(new Error('no leader known')));
      return undefined;
    }
    const links = { touching: [leader] };
    await context.act('start-slow-leader', { ms: fault.ms }, leader, () => context.network.latency(links, { latency: fault.ms, tag }), () => `${fault.ms}ms on ${leader}`);
    return {
      describe: `slow-leader ${leader} ${fault.ms}ms`,
      async end() {
        await context.act('stop-slow-leader', {}, leader, () => context.network.clearToxics(links, tag), () => leader);
      },
    };
  },
  style: { fill: 'rgba(12,166,120,0.12)', bar: '#63e6be', legend: 'rgba(12,166,120,.3)' },
});
