import { z } from 'zod';
import { linkSet, toxicInt } from './links.js';
import { toxicFault } from './toxic.js';

export const bandwidth = toxicFault({
  name: 'bandwidth',
  description: 'limit bandwidth (rate, KB/s) on links; ops start-bandwidth/stop-bandwidth',
  options: z.strictObject({
    /** KB/s. */
    rate: toxicInt(0).default(16),
    links: linkSet.default('peers'),
  }),
  what: (o) => `${o.rate}KB/s`,
  event: (o) => `${o.rate}KB/s`,
  apply: (network, o, tag) => network.bandwidth(o.links, { rate: o.rate, tag }),
  style: { fill: 'rgba(245,159,0,0.10)', bar: '#ffd43b', legend: 'rgba(245,159,0,.3)' },
});
