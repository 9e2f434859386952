import { z } from 'zod';
import { linkSet, toxicInt } from './links.js';
import { toxicFault } from './toxic.js';

export const latency = toxicFault({
  name: 'latency',
  description: 'add latency with jitter (ms, jitter) on links (peers, clients, all, or {touching, clients, peers} to choose); ops start-latency/stop-latency',
  options: z.strictObject({
    ms: toxicInt(0).default(100),
    jitter: toxicInt(0).default(0),
    links: linkSet.default('peers'),
  }),
  what: (o) => `${o.ms}ms±${o.jitter}`,
  event: (o) => `${o.ms}ms`,
  apply: (network, o, tag) => network.latency(o.links, { latency: o.ms, jitter: o.jitter, tag }),
  style: { fill: 'rgba(28,126,214,0.10)', bar: '#a5d8ff', legend: 'rgba(28,126,214,.3)' },
});
