import type { Workload } from '../../core/workload.js';
import { raftApi, storeApi } from './apis.js';
import { RegisterClient } from './client.js';
import { RegisterGenerator } from './generator.js';
import { registerOptions, type RegisterOptions } from './options.js';

export const register: Workload<RegisterOptions> = {
  name: 'register',
  description: 'reads, writes of unique integers and deletes over a few keys, and set adds (each element a key written once), following leader hints; final reads on every node (store, raft)',
  apis: ['store', 'raft'],
  options: registerOptions,
  /** Per-key linearizability (its ops are the kv model's), 15 s of search at most per run. */
  checkers: [{ name: 'linearizable', options: { model: 'kv', timeLimitMs: 15_000 } }],
  generator: (options) => new RegisterGenerator(options),
  async client(options, context) {
    const api = options.api ?? context.api;
    if (api !== 'store' && api !== 'raft') {
      throw new Error(`register workload: api must be "store" or "raft" (set workload.options.api), got ${JSON.stringify(api)}`);
    }
    return new RegisterClient(api === 'store' ? storeApi : raftApi, options, context);
  },
};
