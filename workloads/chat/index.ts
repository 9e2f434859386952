import type { Workload } from '../../core/workload.js';
import { ChatClient } from './client.js';
import { ChatGenerator } from './generator.js';
import { chatOptions, type ChatOptions } from './options.js';

export const chat: Workload<ChatOptions> = {
  name: 'chat',
  description: 'clients join rooms, publish unique messages, poll what they received, reconnect and catch up (chat)',
  apis: ['chat'],
  options: chatOptions,
  /** Every ordering check (one total order, gap-free, delivery, no duplicates, sender FIFO, ...). */
  checkers: ['ordering'],
  generator: (options) => new ChatGenerator(options),
  client: async (options, context) => new ChatClient(options, context),
};
