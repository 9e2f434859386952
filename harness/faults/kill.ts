import { nodeFault } from './nodes.js';

export const kill = nodeFault({
  name: 'kill',
  description: 'SIGKILL nodes (targets: one, minority, majority, all, leader, followers, or nodes: [...]) and restart them after the duration; ops kill/restart',
  stop: 'restart',
  keepOnTeardown: true,
  apply: (runtime, node) => runtime.kill(node),
  async undo(context, node) {
    await context.runtime.restart(node);
    await context.runtime.waitHealthy(node, context.healthTimeoutMs, context.signal);
  },
  style: { fill: 'rgba(33,37,41,0.12)', bar: '#868e96', legend: 'rgba(33,37,41,.3)' },
});
