import { nodeFault } from './nodes.js';

/**
 * A machine crash, not a process crash: the node is SIGKILLed and, before it restarts, its data
 * directory goes back to what it had fsynced (LazyFS's lose-unfsynced-writes). A plain `kill`
 * keeps the page cache, so a system that acknowledges before fsync passes it; this does not.
 * The run's nodes then keep a durability record (harness/durability): Node.js nodes only.
 */
export const powerLoss = nodeFault({
  name: 'power-loss',
  description: 'SIGKILL nodes and drop every write they did not fsync (LazyFS lose-unfsynced-writes; targets as kill), restart them after the duration; ops power-loss/restart',
  stop: 'restart',
  keepOnTeardown: true,
  needs: { durability: true },
  apply: (runtime, node) => runtime.kill(node),
  async undo(context, node) {
    const { runtime } = context;
    let lost: Error | undefined;
    try {
      if (!runtime.loseUnsynced) throw new Error('this runtime cannot drop unsynced writes (process and docker can)');
      await runtime.loseUnsynced(node);
    } catch (err) {
      lost = err as Error;
    }
    // Restarted either way; the roll-back's failure is the stop op's error.
    await runtime.restart(node);
    await runtime.waitHealthy(node, context.healthTimeoutMs, context.signal);
    if (lost) throw lost;
  },
  style: { fill: 'rgba(134,46,156,0.12)', bar: '#862e9c', legend: 'rgba(134,46,156,.3)' },
});
