import { z } from 'zod';
import { linkSet, toxicInt } from './links.js';
import { toxicFault } from './toxic.js';

export const resetPeer = toxicFault({
  name: 'reset-peer',
  description: 'reset connections (TCP RST) after timeout ms on links; ops start-reset-peer/stop-reset-peer',
  options: z.strictObject({
    /** Milliseconds before each connection is reset (0 = at once). */
    timeout: toxicInt(0).default(0),
    links: linkSet.default('peers'),
  }),
  what: (o) => `after ${o.timeout}ms`,
  event: (o) => `after ${o.timeout}ms`,
  apply: (network, o, tag) => network.resetPeer(o.links, { timeout: o.timeout, tag }),
  style: { fill: 'rgba(232,89,12,0.10)', bar: '#ffc078', legend: 'rgba(232,89,12,.3)' },
});
