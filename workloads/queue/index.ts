import type { Workload } from '../../core/workload.js';
import { QueueClient } from './client.js';
import { QueueGenerator } from './generator.js';
import { queueOptions, type QueueOptions } from './options.js';

export const queue: Workload<QueueOptions> = {
  name: 'queue',
  description: 'producers enqueue unique payloads, workers dequeue and complete (or abandon) them, then a final drain (queue)',
  apis: ['queue'],
  options: queueOptions,
  /** Lost, duplicated, resurrected, unexpected and stuck tasks. */
  checkers: ['queue'],
  generator: (options) => new QueueGenerator(options),
  client: async (options, context) => new QueueClient(options, context),
};
