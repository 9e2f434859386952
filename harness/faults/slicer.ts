import { z } from 'zod';
import { linkSet, toxicInt } from './links.js';
import { toxicFault } from './toxic.js';

export const slicer = toxicFault({
  name: 'slicer',
  description: 'slice data into small packets (average_size, size_variation bytes, delay µs) on links; ops start-slicer/stop-slicer',
  options: z.strictObject({
    /** Bytes per slice on average, +/- size_variation, delay microseconds between slices. */
    average_size: toxicInt(1).default(16),
    size_variation: toxicInt(0).default(8),
    delay: toxicInt(0).default(1000),
    links: linkSet.default('peers'),
  }),
  what: (o) => `${o.average_size}±${o.size_variation} bytes every ${o.delay}µs`,
  event: (o) => `${o.average_size} bytes`,
  apply: (network, o, tag) => network.slicer(o.links, { averageSize: o.average_size, sizeVariation: o.size_variation, delay: o.delay, tag }),
  style: { fill: 'rgba(12,166,120,0.10)', bar: '#96f2d7', legend: 'rgba(12,166,120,.3)' },
});
