import { nodeFault } from './nodes.js';

export const pause = nodeFault({
  name: 'pause',
  description: 'SIGSTOP nodes (docker pause) and resume them after the duration; same targets as kill; ops pause/resume',
  stop: 'resume',
  apply: (runtime, node) => runtime.pause(node),
  undo: (context, node) => context.runtime.resume(node),
  style: { fill: 'rgba(174,62,201,0.12)', bar: '#e599f7', legend: 'rgba(174,62,201,.3)' },
});
