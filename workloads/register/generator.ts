/**
 * The register op mix: reads, writes and deletes over a few keys. Every write carries a value
 * no other write of the run uses (1, 2, 3, ...), so a read names the write it saw.
 */
import type { OpCall, OpGenerator } from '../../harness/workload.js';
import type { Random } from '../../harness/random.js';
import { keyNames, type RegisterOptions } from './options.js';

export class RegisterGenerator implements OpGenerator {
  private nextValue = 1;
  private readonly keys: string[];

  constructor(private readonly options: RegisterOptions) {
    this.keys = keyNames(options);
  }

  next(_process: number, random: Random): OpCall {
    const f = random.weighted(this.options.weights);
    const key = random.pick(this.keys);
    if (f === 'write') return { f, key, value: this.nextValue++ };
    return { f, key };
  }

  final(_process: number): OpCall[] {
    return this.options.finalReads ? this.keys.map((key) => ({ f: 'read', key })) : [];
  }
}
