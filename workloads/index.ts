/** Every workload faultline ships, by name (`workload.name` in a campaign). */
import type { Workload } from '../core/workload.js';
import { chat } from './chat/index.js';
import { queue } from './queue/index.js';
import { register } from './register/index.js';

export const workloads: Record<string, Workload> = {
  register: register as Workload,
  queue: queue as Workload,
  chat: chat as Workload,
};
