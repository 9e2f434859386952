import type { Model, Operation } from './model.js';
import { OrderSearch } from './order-search.js';
import { prepare } from './prepare.js';
import { scratch } from './scratch.js';

/** What the search of one partition found. Op numbers are positions in the partition's array. */
export interface SearchOutcome<S> {
  /** `abandoned`: stopped because another thread decided the partition or took this order
   *  over (the worker pool); never the final outcome of a partition. */
  result: 'linearizable' | 'not-linearizable' | 'timeout' | 'out-of-memory' | 'abandoned';
  /** The longest linearizable prefix found (op positions, in linearization order). */
  longest: number[];
  /** The op whose return came before it could be placed after `longest` (-1 if none). */
  stuck: number;
  /** Distinct model states in which the search found `stuck` could not be placed (up to 8). */
  statesBefore: S[];
  /** Search steps taken, cache entries made, and the bytes the cache took at its largest (all
   *  orders together). */
  steps: number;
  cacheEntries: number;
  cacheBytes: number;
  /** Set when the search's thread (a worker of the pool) ran out of its JavaScript heap, of this
   *  many bytes, before the cache's budget stopped it (result `out-of-memory`). */
  heapLimitBytes?: number;
}

/** Memory budget of one search: past it the verdict is "unknown". */
export interface SearchLimits {
  /** Cache entries (configurations seen). */
  maxCacheEntries: number;
  /** Bytes of the cache's stored sets of linearized operations. */
  maxCacheBytes: number;
}

/** The budget for `bytes` of cache: those bytes of stored sets, and an entry per 128 of them
 *  (an entry's slot, table share and state take about that much beside its stored set). */
export function limitsForMemory(bytes: number): SearchLimits {
  return { maxCacheEntries: Math.floor(bytes / 128), maxCacheBytes: bytes };
}

/** 512 MiB per partition (4 194 304 entries). */
export const DEFAULT_LIMITS: SearchLimits = limitsForMemory(512 * 1024 * 1024);

/** Steps of each order's first slice; each next slice is twice as long, up to MAX_SLICE. Short
 *  first slices keep small histories as cheap as with one order. */
const FIRST_SLICE = 32;
const MAX_SLICE = 1024;

/**
 * The order in which the search tries the candidates at each step:
 * - `definite-first`: the definite calls first, the indeterminate ones only after them; with the
 *   cache's subsumption (below) this is what makes histories with many timed-out writes that
 *   nothing needed cheap (the etcd histories: 25 thousand steps, 385 thousand in call order);
 * - `call-order`: every call in the order of the calls, as porcupine does (an indeterminate op
 *   is an op that returns at infinity); best when timed-out ops did take effect and later reads
 *   needed them (random kv histories with timed-out appends: 1.5 million steps for 90 histories,
 *   12.8 million definite first, one of them 7 million against 1.4 thousand).
 */
export type SearchOrder = 'definite-first' | 'call-order';

/** What the thread that runs a search learns between slices (see `SearchControl`): bits. */
export const CONTROL = {
  /** Another thread decided this partition: abandon the search. */
  stop: 1,
  /** Another thread searches this partition in call order: drop that order here. */
  dropCallOrder: 2,
  /** The other thread's order stopped without a verdict: the orders here may use all the budget. */
  wholeBudget: 4,
} as const;

/** Lets other threads steer a search between its slices (the worker pool, pool.ts). */
export interface SearchControl {
  /** Called between slices; returns CONTROL bits (0: carry on). */
  poll(): number;
}

/**
 * Searches one partition in both orders at once, slice by slice on this thread (32 steps each,
 * doubling up to 1024; the second order joins after the first one's first slice), and returns the first verdict: either order's verdict is exact, so the time to an
 * answer is at most twice the faster order's. Each order has half the memory budget; when one
 * stops (out of memory) the other gets all of it. Partitions without indeterminate ops, where
 * the orders are the same, are searched once. `orders` narrows the orders (a pool's helper
 * thread searches call order alone); `control` lets other threads stop it or take an order
 * over; it then returns `abandoned`.
 */
export function searchPartition<S, I, O>(
  model: Model<S, I, O>,
  given: readonly Operation<I, O>[],
  deadline: number = Infinity,
  limits: SearchLimits = DEFAULT_LIMITS,
  control?: SearchControl,
  only?: SearchOrder,
): SearchOutcome<S> {
  const mark = scratch.mark();
  try {
    return searchOrders(model, given, deadline, limits, control, only);
  } finally {
    scratch.release(mark); // every typed array of the search was cut from this thread's scratch
  }
}

/** One order's search in searchOrders: its budget (raised in place when the other order stops),
 *  its next slice, and its progress as of its last slice. */
interface Run<S, I, O> {
  order: SearchOrder;
  budget: SearchLimits;
  search: OrderSearch<S, I, O>;
  slice: number;
  steps: number;
  cacheEntries: number;
  cacheBytes: number;
}

function searchOrders<S, I, O>(
  model: Model<S, I, O>,
  given: readonly Operation<I, O>[],
  deadline: number,
  limits: SearchLimits,
  control: SearchControl | undefined,
  only: SearchOrder | undefined,
): SearchOutcome<S> {
  const second: SearchOrder | undefined = only ? undefined : hasIndeterminate(given) ? 'call-order' : undefined;
  // a helper's single order shares the budget with the owner's order on the other thread
  const shares = only || second ? 2 : 1;
  const prepared = prepare(given, model);
  const start = (order: SearchOrder): Run<S, I, O> => {
    const budget = { maxCacheEntries: limits.maxCacheEntries / shares, maxCacheBytes: limits.maxCacheBytes / shares };
    return { order, budget, search: new OrderSearch(model, prepared, order, deadline, budget), slice: FIRST_SLICE, steps: 0, cacheEntries: 0, cacheBytes: 0 };
  };
  // The second order starts after the first one's first slice: most partitions are decided in
  // it, and they then pay for one order's arrays only.
  const runs = [start(only ?? 'definite-first')];
  let waiting = second;
  const stopped: SearchOutcome<S>[] = [];
  let first = true;
  while (runs.length > 0 || waiting) {
    if (!first && waiting) {
      const run = start(waiting);
      waiting = undefined;
      if (stopped.length > 0) Object.assign(run.budget, limits); // the first one stopped: all of it
      runs.push(run);
    }
    first = false;
    if (control) {
      const bits = control.poll();
      if (bits & CONTROL.stop) return withWork({ result: 'abandoned', longest: [], stuck: -1, statesBefore: [], steps: 0, cacheEntries: 0, cacheBytes: 0 }, runs, stopped);
      if (bits & CONTROL.dropCallOrder && runs.length > 1) {
        const k = runs.findIndex((r) => r.order === 'call-order');
        if (k >= 0) {
          const [dropped] = runs.splice(k, 1);
          stopped.push({ result: 'abandoned', longest: [], stuck: -1, statesBefore: [], steps: dropped!.steps, cacheEntries: dropped!.cacheEntries, cacheBytes: dropped!.cacheBytes });
        }
      }
      if (bits & CONTROL.wholeBudget) for (const r of runs) Object.assign(r.budget, limits);
    }
    for (let i = 0; i < runs.length; i++) {
      const run = runs[i]!;
      const outcome = run.search.run(run.slice);
      run.slice = Math.min(MAX_SLICE, run.slice * 2);
      if (!outcome) {
        run.steps = run.search.steps;
        run.cacheEntries = run.search.cacheEntries;
        run.cacheBytes = run.search.cacheBytes();
        continue;
      }
      runs.splice(i, 1);
      if (isVerdict(outcome)) return withWork(outcome, runs, stopped);
      stopped.push(outcome);
      for (const r of runs) Object.assign(r.budget, limits); // the others may use all of it now
      i--;
    }
  }
  let last = stopped[stopped.length - 1]!;
  for (let k = stopped.length - 1; k >= 0; k--) {
    if (stopped[k]!.result !== 'abandoned') {
      last = stopped[k]!;
      break;
    }
  }
  const result = stopped.some((o) => o.result === 'timeout') ? 'timeout' : last.result;
  return { ...withWork({ ...last, steps: 0, cacheEntries: 0, cacheBytes: 0 }, runs, stopped), result };
}

/** `outcome` with the work of the other orders (searching, or stopped) added to its own. */
function withWork<S, I, O>(outcome: SearchOutcome<S>, runs: readonly Run<S, I, O>[], stopped: readonly SearchOutcome<S>[]): SearchOutcome<S> {
  let { steps, cacheEntries, cacheBytes } = outcome;
  for (let k = 0; k < runs.length; k++) {
    const r = runs[k]!;
    steps += r.steps;
    cacheEntries += r.cacheEntries;
    cacheBytes += r.cacheBytes;
  }
  for (let k = 0; k < stopped.length; k++) {
    const o = stopped[k]!;
    steps += o.steps;
    cacheEntries += o.cacheEntries;
    cacheBytes += o.cacheBytes;
  }
  return { ...outcome, steps, cacheEntries, cacheBytes };
}

/** Whether the outcome decides its partition (either verdict is exact). */
export function isVerdict(outcome: SearchOutcome<unknown>): boolean {
  return outcome.result === 'linearizable' || outcome.result === 'not-linearizable';
}

export function hasIndeterminate<I, O>(ops: readonly Operation<I, O>[]): boolean {
  for (let i = 0; i < ops.length; i++) if (ops[i]!.indeterminate) return true;
  return false;
}
