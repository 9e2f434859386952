import { availableParallelism } from 'node:os';
import type { ResourceLimits } from 'node:worker_threads';
import type { Op } from '../../core/op.js';
import type { Validity } from '../../core/result.js';
import type { Model, OpInput, Operation } from './model.js';
import { guessModelName, isModelName, modelByName, type ModelName } from './models/index.js';
import { HistoryError, toOperations } from './operations.js';
import { MAX_THREADS, searchWithPool, WORKERS_AFTER_MS } from './pool.js';
import { DEFAULT_LIMITS, searchPartition, type SearchLimits, type SearchOutcome } from './search.js';
import { buildWitness, type PartitionWitness } from './witness.js';

export interface LinearizabilityOptions<S = unknown> {
  /** A shipped model by name, or your own; default: guessed from the ops (kv for get/put/append,
   *  cas-register when there is a cas, register otherwise). */
  model?: Model<S, OpInput, unknown> | ModelName;
  /** Initial value of a shipped model (default null: absent). Ignored for your own model. */
  initial?: unknown;
  /** Time budget for the whole check; when it runs out the verdict is "unknown". */
  timeLimitMs?: number;
  /** Memory budget per partition (default: 4 million cache entries, 512 MiB of stored sets); past it
   *  the verdict is "unknown". */
  limits?: Partial<SearchLimits>;
  /** Threads that may search, this one included (default: os.availableParallelism()). With a
   *  shipped model, a check still undecided after `workersAfterMs` spreads its keys and the two
   *  search orders of a key over worker threads (pool.ts); 1 keeps it on this thread. */
  threads?: number;
  /** How long a check runs on this thread alone before the workers start (default 50 ms). */
  workersAfterMs?: number;
  /** Node's resource limits of each worker thread (default: Node's, the same heap as this
   *  thread's). A key whose worker runs out of its heap is `unknown` for lack of memory. */
  workerResourceLimits?: ResourceLimits;
}

export interface LinearizabilityResult {
  valid: Validity;
  model: string;
  /** Client operations checked (fail ops left out) and partitions they fell into. */
  operations: number;
  partitions: number;
  /** Partitions whose search ran out of time or memory, and which budget ran out. */
  unknownPartitions: number;
  /** `time` or `memory`: a budget ran out; `nothing-completed`: no operation of the history
   *  completed ok (all failed, timed out or never returned), so there is nothing to judge. */
  unknownReason?: 'time' | 'memory' | 'nothing-completed';
  /** The budgets the search had: the time for the whole check (none: unlimited) and the memory
   *  of one partition's cache. */
  budget: { timeLimitMs?: number; maxCacheEntries: number; maxCacheBytes: number };
  /** The most memory one partition's cache took (bytes; both search orders together). */
  peakCacheBytes: number;
  /** Partitions whose worker thread ran out of its JavaScript heap (of `heapLimitBytes`) before
   *  the cache's budget stopped the search (counted in `unknownPartitions`). */
  outOfHeap?: { partitions: number; heapLimitBytes: number };
  /** One witness per partition that is not linearizable. */
  failures: PartitionWitness[];
  elapsedMs: number;
  /** Search steps and cache entries over all partitions (for benchmarks). */
  steps: number;
  cacheEntries: number;
  /** Threads that searched (1 + the workers that ran). */
  threads: number;
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
  const model = resolveModel(options.model, options.initial, operations) as Model<S, OpInput, unknown>;
  const started = performance.now();
  const parts = preparePartitions(model, operations);
  const limits: SearchLimits = { ...DEFAULT_LIMITS, ...options.limits };
  // No operation completed (all failed, timed out, or never returned): linearizable in name only.
  // The verdict is unknown, as Jepsen's stats checker fails a test whose operations never succeeded.
  if (!operations.some((o) => !o.indeterminate)) {
    return { ...assemble(model, operations.length, [], [], started, budgetOf(options.timeLimitMs, limits)), valid: 'unknown', unknownReason: 'nothing-completed' };
  }
  const threads = options.threads ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) throw new RangeError(`threads must be a whole number from 1 to ${MAX_THREADS}, got ${threads}`);
  if (threads > 1 && typeof options.model !== 'object' && parts.length > 0) {
    const spec = { name: model.name as ModelName, initial: options.initial };
    const deadline = options.timeLimitMs === undefined ? Infinity : started + options.timeLimitMs;
    const pooled = await searchWithPool(model, parts, spec, deadline, limits, {
      threads,
      workersAfterMs: options.workersAfterMs ?? WORKERS_AFTER_MS,
      ...(options.workerResourceLimits ? { workerResourceLimits: options.workerResourceLimits } : {}),
    });
    return { ...assemble(model, operations.length, parts, pooled.outcomes, started, budgetOf(options.timeLimitMs, limits)), threads: pooled.threads };
  }
  return assemble(model, operations.length, parts, searchAll(model, parts, options.timeLimitMs, limits, started), started, budgetOf(options.timeLimitMs, limits));
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
  const parts = preparePartitions(model, operations);
  const all = { ...DEFAULT_LIMITS, ...limits };
  const outcomes = searchAll(model, parts, timeLimitMs, all, started);
  return assemble(model, operations.length, parts, outcomes, started, budgetOf(timeLimitMs, all));
}

/** Validates the operations, splits them by the model's partition and reduces each part. */
function preparePartitions<S, I, O>(model: Model<S, I, O>, operations: readonly Operation<I, O>[]): Operation<I, O>[][] {
  // (index loops on the way of every check: a for-of loop allocates an iterator result per
  // element until the JIT has optimised it, and a fresh process's first checks run unoptimised)
  if (model.validate) {
    for (let i = 0; i < operations.length; i++) {
      const op = operations[i]!;
      const problem = model.validate(op.input, op.indeterminate ? undefined : op.output);
      if (problem) throw new HistoryError(problem, op.invokeIndex);
    }
  }
  const parts = model.partition ? model.partition(operations) : [operations.slice()];
  // filled by push: `map` and `filter` make arrays of another elements kind once the JIT inlines
  // them, and the code that reads them is thrown away
  const reduced: Operation<I, O>[][] = [];
  for (let p = 0; p < parts.length; p++) {
    const kept = model.reduce ? model.reduce(parts[p]!) : parts[p]!;
    if (kept.length > 0) reduced.push(kept);
  }
  return reduced;
}

function searchAll<S, I, O>(
  model: Model<S, I, O>,
  parts: readonly Operation<I, O>[][],
  timeLimitMs: number | undefined,
  limits: SearchLimits,
  started: number,
): SearchOutcome<S>[] {
  const deadline = timeLimitMs === undefined ? Infinity : started + timeLimitMs;
  const outcomes: SearchOutcome<S>[] = [];
  for (let p = 0; p < parts.length; p++) outcomes.push(searchPartition(model, parts[p]!, deadline, limits));
  return outcomes;
}

function assemble<S, I, O>(
  model: Model<S, I, O>,
  operationCount: number,
  parts: readonly Operation<I, O>[][],
  outcomes: readonly SearchOutcome<S>[],
  started: number,
  budget: LinearizabilityResult['budget'],
): LinearizabilityResult {
  const failures: PartitionWitness[] = [];
  let unknownPartitions = 0;
  let outOfMemory = false;
  let outOfHeap: LinearizabilityResult['outOfHeap'];
  let steps = 0;
  let cacheEntries = 0;
  let peakCacheBytes = 0;
  for (let i = 0; i < outcomes.length; i++) {
    const outcome = outcomes[i]!;
    steps += outcome.steps;
    cacheEntries += outcome.cacheEntries;
    peakCacheBytes = Math.max(peakCacheBytes, outcome.cacheBytes);
    if (outcome.result === 'timeout') unknownPartitions++;
    else if (outcome.result === 'out-of-memory') {
      unknownPartitions++;
      outOfMemory = true;
      if (outcome.heapLimitBytes !== undefined) outOfHeap = { partitions: (outOfHeap?.partitions ?? 0) + 1, heapLimitBytes: outcome.heapLimitBytes };
    } else if (outcome.result === 'not-linearizable') failures.push(buildWitness(model, parts[i]!, outcome));
  }
  const valid: Validity = failures.length > 0 ? false : unknownPartitions > 0 ? 'unknown' : true;
  return {
    valid,
    model: model.name,
    operations: operationCount,
    partitions: parts.length,
    unknownPartitions,
    ...(unknownPartitions > 0 ? { unknownReason: outOfMemory ? ('memory' as const) : ('time' as const) } : {}),
    budget,
    peakCacheBytes,
    ...(outOfHeap ? { outOfHeap } : {}),
    failures,
    elapsedMs: performance.now() - started,
    steps,
    cacheEntries,
    threads: 1,
  };
}

function budgetOf(timeLimitMs: number | undefined, limits: SearchLimits): LinearizabilityResult['budget'] {
  return { ...(timeLimitMs !== undefined ? { timeLimitMs } : {}), maxCacheEntries: limits.maxCacheEntries, maxCacheBytes: limits.maxCacheBytes };
}

const MIB = 1024 * 1024;

/** Why a verdict is unknown, with the numbers: which budget ran out, how big it was and what the
 *  search had done by then. `hint` names the option that raises it. */
export function describeUnknown(r: LinearizabilityResult, hint: { time: string; memory: string }): string {
  if (r.unknownReason === 'nothing-completed') {
    return r.operations === 0 ? 'no client operation in the history: nothing to judge' : `none of the ${r.operations} client operations completed ok (they failed, timed out or never returned): nothing to judge`;
  }
  const keys = `${r.unknownPartitions} of ${r.partitions} ${r.partitions === 1 ? 'key' : 'keys'}`;
  const done = `${r.steps.toLocaleString('en')} search steps, ${r.cacheEntries.toLocaleString('en')} cache entries`;
  if (r.unknownReason === 'memory') {
    const budget = `${r.budget.maxCacheEntries.toLocaleString('en')} cache entries or ${mib(r.budget.maxCacheBytes)} per key`;
    if (r.outOfHeap && r.outOfHeap.partitions === r.unknownPartitions) {
      const heap = `${r.outOfHeap.partitions === 1 ? 'a worker thread' : `${r.outOfHeap.partitions} worker threads`} ran out of ${r.outOfHeap.partitions === 1 ? 'its' : 'their'} JavaScript heap (${mib(r.outOfHeap.heapLimitBytes)})`;
      return `${keys} not decided: ${heap} before the memory budget (${budget}) did; a smaller memory budget stops such a search first`;
    }
    const heap = r.outOfHeap ? `; of them, ${r.outOfHeap.partitions} ran out of a worker thread's JavaScript heap (${mib(r.outOfHeap.heapLimitBytes)}) first` : '';
    return `${keys} not decided: the memory budget (${budget}) ran out after ${done}, ${mib(r.peakCacheBytes)}${heap}; ${hint.memory}`;
  }
  const limit = r.budget.timeLimitMs === undefined ? 'the time budget' : `the time budget of ${formatSeconds(r.budget.timeLimitMs)}`;
  return `${keys} not decided: ${limit} ran out after ${(r.elapsedMs / 1000).toFixed(1)} s (${done}); ${hint.time}`;
}

function mib(bytes: number): string {
  return bytes < 10 * MIB ? `${(bytes / MIB).toFixed(2)} MiB` : `${Math.round(bytes / MIB)} MiB`;
}

function formatSeconds(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
