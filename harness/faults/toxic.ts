/**
 * A fault that is one Toxiproxy toxic on links (latency, bandwidth, reset-peer, slicer): its
 * options plus `links`; it starts with the toxic tagged with the fault's id (so faults that
 * overlap on a link add up and ending one leaves the others) and ends by removing that toxic.
 */
import type { z } from 'zod';
import { defineFault, type Fault, type FaultNetwork, type FaultStyle } from '../../core/fault.js';
import { checkLinkNodes, describeLinks, linksShort, type LinkSet } from './links.js';

export interface ToxicFaultDefinition<Options extends { links: LinkSet }> {
  name: string;
  description: string;
  options: z.ZodType<Options>;
  /** What it sets, in a few words (`100ms±0`), for plan lines; ` on <links>` follows. */
  what(options: Options): string;
  /** What it sets, for the nemesis's event lines (`100ms`); ` on <links>` follows. */
  event(options: Options): string;
  apply(network: FaultNetwork, options: Options, tag: string): Promise<void>;
  style: FaultStyle;
}

export function toxicFault<Options extends { links: LinkSet }>(def: ToxicFaultDefinition<Options>): Fault<Options, Options> {
  return defineFault<Options, Options>({
    name: def.name,
    description: def.description,
    options: def.options,
    check: (options, nodes) => checkLinkNodes(options.links, nodes),
    plan: (options) => options,
    describe: (planned) => `${def.name} ${def.what(planned)} on ${describeLinks(planned.links)}`,
    async start(fault, context) {
      const { id, at: _at, duration: _duration, type: _type, ...options } = fault;
      const planned = options as unknown as Options;
      const tag = `fault${id}`;
      const on = linksShort(planned.links);
      const ok = await context.act(`start-${def.name}`, { ...options }, undefined, () => def.apply(context.network, planned, tag), () => `${def.event(planned)} on ${on}`);
      return {
        describe: `${def.name} ${def.event(planned)} on ${on}${ok ? '' : ' [failed]'}`,
        end: async () => {
          await context.act(`stop-${def.name}`, { links: planned.links }, undefined, () => context.network.clearToxics(planned.links, tag), () => `on ${on}`);
        },
      };
    },
    style: def.style,
  });
}
