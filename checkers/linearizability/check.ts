import type { Op } from '../history.js';
import type { Validity } from '../result.js';
import type { Model, OpInput, Operation } from './model.js';
import { guessModelName, isModelName, modelByName, type ModelName } from './models/index.js';
import { HistoryError, toOperations } from './operations.js';
import { DEFAULT_LIMITS, searchPartition, type SearchLimits } from './search.js';
import { buildWitness, type PartitionWitness } from './witness.js';

export interface LinearizabilityOptions<S = unknown> {
  /** A shipped model by name, or your own; default: guessed from the ops (kv for get/put/append,
   *  cas-register when there is a cas, register otherwise). */
  model?: Model<S, OpInput, unknown> | ModelName;
  /** Initial value of a shipped model (default null: absent). Ignored for your own model. */
  initial?: unknown;
  /** Time budget for the whole check; when it runs out the verdict is "unknown". */
  timeLimitMs?: number;
  /** Memory budget per partition (default: 4 million cache entries, 512 MiB of bitsets); past it
   *  the verdict is "unknown". */
  limits?: Partial<SearchLimits>;
}

export interface LinearizabilityResult {
  valid: Validity;
  model: string;
  /** Client operations checked (fail ops left out) and partitions they fell into. */
  operations: number;
  partitions: number;
  /** Partitions whose search ran out of time or memory, and which budget ran out. */
  unknownPartitions: number;
  unknownReason?: 'time' | 'memory';
  /** One witness per partition that is not linearizable. */
  failures: PartitionWitness[];
  elapsedMs: number;
  /** Search steps and cache entries over all partitions (for benchmarks). */
  steps: number;
  cacheEntries: number;
}

/**
 * Checks a history (faultline `Op`s, any order of processes, in real-time order) against a model.
 * Non-client ops are ignored; `fail` ops did not happen; `info` ops and invokes without a
 * completion are indeterminate. Throws `HistoryError` when the history is malformed or has an op
 * the model does not know.
 */
export async function checkLinearizability<S>(
  history: readonly Op[],
  options: LinearizabilityOptions<S>,
): Promise<LinearizabilityResult> {
  const operations = toOperations(history);
  const model = resolveModel(options.model, options.initial, operations);
  return checkOperations(model as Model<S, OpInput, unknown>, operations, options.timeLimitMs, options.limits);
}

/** The model to use: a given one, a shipped one by name, or the one the operations suggest. */
export function resolveModel<S>(
  model: Model<S, OpInput, unknown> | string | undefined,
  initial: unknown,
  operations: readonly Operation<OpInput, unknown>[],
): Model<S, OpInput, unknown> | Model<unknown, OpInput, unknown> {
  if (typeof model === 'object') return model;
  const name = model ?? guessModelName(new Set(operations.map((o) => o.input.f)));
  if (!isModelName(name)) throw new HistoryError(`unknown model "${name}" (choose register, cas-register or kv)`, -1);
  return modelByName(name, initial);
}

/** The checker proper, on already-paired operations (porcupine's `CheckOperations`). */
export function checkOperations<S, I, O>(
  model: Model<S, I, O>,
  operations: readonly Operation<I, O>[],
  timeLimitMs?: number,
  limits: Partial<SearchLimits> = {},
): LinearizabilityResult {
  const started = performance.now();
  const budget: SearchLimits = { ...DEFAULT_LIMITS, ...limits };
  const deadline = timeLimitMs === undefined ? Infinity : started + timeLimitMs;
  if (model.validate) {
    for (const op of operations) {
      const problem = model.validate(op.input, op.indeterminate ? undefined : op.output);
      if (problem) throw new HistoryError(problem, op.invokeIndex);
    }
  }
  const parts = model.partition ? model.partition(operations) : [operations.slice()];
  const failures: PartitionWitness[] = [];
  let unknownPartitions = 0;
  let outOfMemory = false;
  let steps = 0;
  let cacheEntries = 0;
  for (const whole of parts) {
    const part = model.reduce ? model.reduce(whole) : whole;
    if (part.length === 0) continue;
    const outcome = searchPartition(model, part, deadline, budget);
    steps += outcome.steps;
    cacheEntries += outcome.cacheEntries;
    if (outcome.result === 'timeout') unknownPartitions++;
    else if (outcome.result === 'out-of-memory') {
      unknownPartitions++;
      outOfMemory = true;
    }
    else if (outcome.result === 'not-linearizable') failures.push(buildWitness(model, part, outcome));
  }
  const valid: Validity = failures.length > 0 ? false : unknownPartitions > 0 ? 'unknown' : true;
  return {
    valid,
    model: model.name,
    operations: operations.length,
    partitions: parts.length,
    unknownPartitions,
    ...(unknownPartitions > 0 ? { unknownReason: outOfMemory ? 'memory' : 'time' } : {}),
    failures,
    elapsedMs: performance.now() - started,
    steps,
    cacheEntries,
  };
}
