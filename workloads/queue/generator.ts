/**
 * The queue op mix. Producers enqueue unique payloads; workers dequeue, then complete the task
 * they got or (sometimes) abandon it, as a worker that crashed would. A worker learns what its
 * dequeue returned through `update`. The final phase completes any task still held, drains the
 * queue and reads the stats.
 */
import type { OpCall, OpGenerator, OpOutcome } from '../../core/workload.js';
import type { Random } from '../../core/random.js';
import { isQueueTask, type QueueOptions, type QueueTask } from './options.js';

export class QueueGenerator implements OpGenerator {
  private nextPayload = 1;
  private readonly held = new Map<number, QueueTask>();

  constructor(private readonly options: QueueOptions) {}

  isProducer(process: number): boolean {
    const cycle = this.options.producers + this.options.workers;
    return process % cycle < this.options.producers;
  }

  next(process: number, random: Random): OpCall {
    if (this.isProducer(process)) return { f: 'enqueue', value: `payload-${this.nextPayload++}` };
    const task = this.held.get(process);
    if (task) {
      this.held.delete(process);
      return { f: random.chance(this.options.abandonProbability) ? 'abandon' : 'complete', value: task };
    }
    return { f: 'dequeue' };
  }

  update(process: number, call: OpCall, outcome: OpOutcome): void {
    if (call.f === 'dequeue' && outcome.type === 'ok' && isQueueTask(outcome.value)) this.held.set(process, outcome.value);
  }

  final(process: number): OpCall[] {
    const ops: OpCall[] = [];
    const task = this.held.get(process);
    if (task) {
      this.held.delete(process);
      ops.push({ f: 'complete', value: task });
    }
    ops.push({ f: 'drain' }, { f: 'stats' });
    return ops;
  }
}
