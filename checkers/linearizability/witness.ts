import type { Model, Operation } from './model.js';
import type { SearchOutcome } from './search.js';

/** One operation in a witness, for people and for the HTML report. */
export interface WitnessOp {
  /** History `index` of the invoke and of the completion (none for an indeterminate op without one). */
  invokeIndex: number;
  completeIndex?: number;
  process: number;
  description: string;
  indeterminate?: true;
}

/** Why one partition is not linearizable (porcupine's partial linearizations, in JSON). */
export interface PartitionWitness {
  /** The key of this partition, when the model partitions by key. */
  key?: string;
  /** Operations in this partition. */
  operations: number;
  /** The longest linearizable prefix found: ops in linearization order, each with the state
   *  after it; only its last 100 ops when it is longer (`prefixLength` says how long it is). */
  longestPrefix: { op: WitnessOp; stateAfter: string }[];
  prefixLength: number;
  /** The op whose return came before any linearization could place it. */
  op: WitnessOp;
  /** The model states the search found possible just before it (up to 8). */
  statesBefore: string[];
  /** Ops not in the prefix that were running when `op` returned: the candidates that were tried. */
  concurrent: WitnessOp[];
  /** One paragraph a person can follow. */
  explanation: string;
}

const MAX_PREFIX = 100;

export function witnessOp<S, I, O>(model: Model<S, I, O>, op: Operation<I, O>): WitnessOp {
  return {
    invokeIndex: op.invokeIndex,
    ...(op.completeIndex !== undefined ? { completeIndex: op.completeIndex } : {}),
    process: op.client,
    description: model.describeOperation(op.input, op.indeterminate ? undefined : op.output),
    ...(op.indeterminate ? { indeterminate: true as const } : {}),
  };
}

export function buildWitness<S, I, O>(
  model: Model<S, I, O>,
  ops: readonly Operation<I, O>[],
  outcome: SearchOutcome<S>,
): PartitionWitness {
  let state = model.init();
  const fullPrefix = outcome.longest.map((i) => {
    const op = ops[i]!;
    state = model.step(state, op.input, op.indeterminate ? undefined : op.output)[1];
    return { op, state };
  });
  const longestPrefix = fullPrefix
    .slice(-MAX_PREFIX)
    .map(({ op, state: after }) => ({ op: witnessOp(model, op), stateAfter: model.describeState(after) }));
  const stuck = ops[outcome.stuck]!;
  const inPrefix = new Set(outcome.longest);
  const concurrent = ops
    .filter((o, i) => i !== outcome.stuck && !inPrefix.has(i) && o.call < stuck.ret)
    .map((o) => witnessOp(model, o));
  const statesBefore = outcome.statesBefore.map((s) => model.describeState(s));
  const key = (stuck.input as { key?: unknown }).key;
  const op = witnessOp(model, stuck);
  const where = typeof key === 'string' ? `key ${JSON.stringify(key)}: ` : '';
  const states = statesBefore.length === 1 ? `the state could only be ${statesBefore[0]}` : `the state could only be one of ${statesBefore.join(', ')}`;
  const others =
    concurrent.length === 0
      ? 'no other operation overlaps it'
      : `no order of the ${concurrent.length} overlapping operation${concurrent.length === 1 ? '' : 's'} helps`;
  const explanation =
    `${where}"${op.description}" (process ${op.process}, history index ${op.invokeIndex}` +
    `${op.completeIndex !== undefined ? `..${op.completeIndex}` : ''}) cannot take effect: just before it ${states}, ` +
    `and ${others}; the longest linearizable prefix has ${fullPrefix.length} of ${ops.length} operations.`;
  return {
    ...(typeof key === 'string' ? { key } : {}),
    operations: ops.length,
    longestPrefix,
    prefixLength: fullPrefix.length,
    op,
    statesBefore,
    concurrent,
    explanation,
  };
}
