/**
 * The register op mix: reads, writes and deletes over a few keys. Every write carries a value
 * no other write of the run uses (1, 2, 3, ...), so a read names the write it saw. With an `add`
 * weight it also grows a set (Jepsen's set): each add writes a fresh key once. The final phase
 * reads every key and every element on every node.
 */
import type { OpCall, OpGenerator } from '../../core/workload.js';
import type { Random } from '../../core/random.js';
import { elementKey, keyNames, type RegisterOptions } from './options.js';

export class RegisterGenerator implements OpGenerator {
  private nextValue = 1;
  /** Set elements handed out so far: 1..elements. */
  private elements = 0;
  private readonly keys: string[];

  constructor(private readonly options: RegisterOptions) {
    this.keys = keyNames(options);
  }

  next(_process: number, random: Random): OpCall {
    const f = random.weighted(this.options.weights);
    if (f === 'add') {
      const n = ++this.elements;
      return { f, key: elementKey(n), value: n };
    }
    const key = random.pick(this.keys);
    if (f === 'write') return { f, key, value: this.nextValue++ };
    return { f, key };
  }

  final(_process: number): OpCall[] {
    return [];
  }

  finalOnEachNode(node: string): OpCall[] {
    if (!this.options.finalReads) return [];
    const elements = Array.from({ length: this.elements }, (_, i) => elementKey(i + 1));
    return [...this.keys, ...elements].map((key) => ({ f: 'read', key, node }));
  }
}
