import { hashValue, valueEqual, type Model, type Operation } from './model.js';
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

/** How far a search has gone; what it yields between slices. */
interface Progress {
  steps: number;
  cacheEntries: number;
  cacheBytes: number;
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

const MAX_STATES = 8;
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

function searchOrders<S, I, O>(
  model: Model<S, I, O>,
  given: readonly Operation<I, O>[],
  deadline: number,
  limits: SearchLimits,
  control: SearchControl | undefined,
  only: SearchOrder | undefined,
): SearchOutcome<S> {
  const orders: SearchOrder[] = only ? [only] : hasIndeterminate(given) ? ['definite-first', 'call-order'] : ['definite-first'];
  // a helper's single order shares the budget with the owner's order on the other thread
  const shares = only ? 2 : orders.length;
  const share = (k: number): SearchLimits => ({ maxCacheEntries: limits.maxCacheEntries / k, maxCacheBytes: limits.maxCacheBytes / k });
  const prepared = prepare(given, model);
  const start = (order: SearchOrder) => {
    const budget = share(shares);
    const search = searchInOrder(model, prepared, order, deadline, budget);
    search.next(); // to its first yield, before any step
    return { order, budget, search, slice: FIRST_SLICE, progress: { steps: 0, cacheEntries: 0, cacheBytes: 0 } };
  };
  // The second order starts after the first one's first slice: most partitions are decided in
  // it, and they then pay for one order's arrays only.
  const runs = [start(orders[0]!)];
  const waiting = orders.slice(1);
  const stopped: SearchOutcome<S>[] = [];
  const total = (key: keyof Progress): number => runs.reduce((sum, r) => sum + r.progress[key], 0) + stopped.reduce((sum, o) => sum + o[key], 0);
  const progressed = (result: SearchOutcome<S>['result']): SearchOutcome<S> => ({
    result,
    longest: [],
    stuck: -1,
    statesBefore: [],
    steps: total('steps'),
    cacheEntries: total('cacheEntries'),
    cacheBytes: total('cacheBytes'),
  });
  let first = true;
  while (runs.length > 0 || waiting.length > 0) {
    if (!first) {
      for (const order of waiting.splice(0)) {
        const run = start(order);
        if (stopped.length > 0) Object.assign(run.budget, limits); // the first one stopped: all of it
        runs.push(run);
      }
    }
    first = false;
    if (control) {
      const bits = control.poll();
      if (bits & CONTROL.stop) {
        for (const r of runs) r.search.return(undefined as never);
        return progressed('abandoned');
      }
      if (bits & CONTROL.dropCallOrder && runs.length > 1) {
        const k = runs.findIndex((r) => r.order === 'call-order');
        if (k >= 0) {
          const [dropped] = runs.splice(k, 1);
          dropped!.search.return(undefined as never);
          stopped.push({ result: 'abandoned', longest: [], stuck: -1, statesBefore: [], ...dropped!.progress });
        }
      }
      if (bits & CONTROL.wholeBudget) for (const r of runs) Object.assign(r.budget, limits);
    }
    for (let i = 0; i < runs.length; i++) {
      const run = runs[i]!;
      const step = run.search.next(run.slice);
      run.slice = Math.min(MAX_SLICE, run.slice * 2);
      if (!step.done) {
        run.progress = step.value;
        continue;
      }
      const outcome = step.value;
      runs.splice(i, 1);
      if (isVerdict(outcome)) {
        for (const r of runs) r.search.return(undefined as never);
        const ran = { steps: total('steps'), cacheEntries: total('cacheEntries'), cacheBytes: total('cacheBytes') };
        return { ...outcome, steps: ran.steps + outcome.steps, cacheEntries: ran.cacheEntries + outcome.cacheEntries, cacheBytes: ran.cacheBytes + outcome.cacheBytes };
      }
      stopped.push(outcome);
      for (const r of runs) Object.assign(r.budget, limits); // the others may use all of it now
      i--;
    }
  }
  const last = [...stopped].reverse().find((o) => o.result !== 'abandoned') ?? stopped[stopped.length - 1]!;
  const result = stopped.some((o) => o.result === 'timeout') ? 'timeout' : last.result;
  return { ...last, result, steps: total('steps'), cacheEntries: total('cacheEntries'), cacheBytes: total('cacheBytes') };
}

/** Whether the outcome decides its partition (either verdict is exact). */
export function isVerdict(outcome: SearchOutcome<unknown>): boolean {
  return outcome.result === 'linearizable' || outcome.result === 'not-linearizable';
}

export function hasIndeterminate<I, O>(ops: readonly Operation<I, O>[]): boolean {
  for (const o of ops) if (o.indeterminate) return true;
  return false;
}

/**
 * Wing & Gong's search with Lowe's memoisation, as porcupine does it: call and return entries in
 * a doubly linked list (typed arrays), a cache of (linearized set as a bitset, model state)
 * keyed by a Zobrist hash of the set combined with the model's state hash, and backtracking.
 * Indeterminate operations have a call entry and no return entry: they may be linearized at any
 * point after their call, or never, so the search succeeds once every return entry is gone.
 * The cache treats them as optional (see `definite` below), which keeps histories with many
 * timed-out writes tractable. It yields its progress at the end of each slice; `next(n)` runs
 * the next n steps (see searchPartition), the first `next()` starts it.
 */
/** What both orders of one partition's search share: entries in time order, their ops, and the
 *  per-op data (built once per partition; each order only links its own lists). */
interface Prepared<I, O> {
  n: number;
  original: number[];
  ops: Operation<I, O>[];
  nReturns: number;
  nEntries: number;
  entryOp: Int32Array;
  isCall: Uint8Array;
  match: Int32Array;
  inputs: I[];
  outputs: (O | undefined)[];
  zobrist: Int32Array;
  words: number;
  definite: Uint32Array;
  indetRank: Int32Array;
  nIndet: number;
  sameBefore: Int32Array;
  /** 1 for a definite op the model calls read-only (`Model.readOnly`): linearized as soon as it can be. */
  readOnly: Uint8Array;
  hasReadOnly: boolean;
  /** Growth pruning (`Model.grows`, `Model.reachable`; see the search): 1 for an op that only
   *  grows the state; the definite read-only ops it watches; for each watched op, how many ops
   *  that change the state otherwise could come before it (call before its return); for each
   *  such changer, the watched ops it counts for (`countsFor[countsStart[x] .. countsStart[x+1]]`). */
  grows: Uint8Array;
  watched: Int32Array;
  changersBefore: Int32Array;
  countsStart: Int32Array;
  countsFor: Int32Array;
}

function prepare<S, I, O>(given: readonly Operation<I, O>[], model: Model<S, I, O>): Prepared<I, O> {
  const n = given.length;
  // op numbers are ranks in call order (the cache's watermark relies on it); `original` maps back
  const original = Array.from(given.keys());
  if (!sortedByCall(given)) original.sort((a, b) => given[a]!.call - given[b]!.call || a - b);
  const ops = original.map((i) => given[i]!);
  // ---- entries, sorted by time; at equal times calls come before returns (concurrent), then
  // by op: the calls are in op order already, the returns are sorted, and the two merged
  let nReturns = 0;
  for (const op of ops) if (!op.indeterminate) nReturns++;
  const nEntries = n + nReturns;
  const returns = returnOrder(ops, nReturns);
  const codes = scratch.int32(nEntries); // even: call of op code/2; odd: return of op (code-1)/2
  for (let e = 0, c = 0, r = 0; e < nEntries; e++) {
    if (c < n && (r === nReturns || ops[c]!.call <= ops[returns[r]!]!.ret)) codes[e] = 2 * c++;
    else codes[e] = 2 * returns[r++]! + 1;
  }
  const entryOp = scratch.int32(nEntries);
  const isCall = scratch.uint8(nEntries);
  const match = scratch.int32(nEntries).fill(-1);
  const callEntryOf = scratch.int32(n).fill(-1);
  for (let e = 0; e < nEntries; e++) {
    const code = codes[e]!;
    const op = code >> 1;
    entryOp[e] = op;
    if ((code & 1) === 0) {
      isCall[e] = 1;
      callEntryOf[op] = e;
    } else {
      const c = callEntryOf[op]!;
      if (c < 0) throw new Error(`operation ${op} returns before its call`);
      match[c] = e;
    }
  }
  // ---- per-op data, precomputed
  const inputs = ops.map((o) => o.input);
  const outputs = ops.map((o) => (o.indeterminate ? undefined : o.output));
  const zobrist = scratch.int32(n);
  let seed = 0x2545f491;
  for (let i = 0; i < n; i++) {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    zobrist[i] = seed;
  }
  const words = (n + 31) >>> 5 || 1;
  // Indeterminate ops are optional, so a configuration that used a subset of the indeterminate
  // ops another one used (same definite ops, same state) can do everything that one can: the
  // cache hashes definite ops only and a stored entry covers any superset of its indeterminate ops.
  const definite = scratch.uint32(words);
  const indetRank = scratch.int32(n).fill(-1);
  let nIndet = 0;
  for (let i = 0; i < n; i++) {
    if (ops[i]!.indeterminate) {
      zobrist[i] = 0;
      indetRank[i] = nIndet++;
    } else definite[i >>> 5]! |= 1 << (i & 31);
  }
  // Indeterminate ops with equal inputs are interchangeable once both are called: only the
  // earliest one not yet linearized is tried, so `sameBefore[i]` (the previous op of i's class,
  // or -1) must be linearized before i is.
  const sameBefore = indeterminateClasses(ops, nIndet);
  // Read-only definite ops (see the search: a forced move)
  const readOnly = scratch.uint8(n);
  let hasReadOnly = false;
  if (model.readOnly) {
    for (let i = 0; i < n; i++) {
      if (!ops[i]!.indeterminate && model.readOnly(inputs[i]!)) {
        readOnly[i] = 1;
        hasReadOnly = true;
      }
    }
  }

  const growth = growthPruning(model, ops, inputs, readOnly);

  return { n, original, ops, nReturns, nEntries, entryOp, isCall, match, inputs, outputs, zobrist, words, definite, indetRank, nIndet, sameBefore, readOnly, hasReadOnly, ...growth };
}

function* searchInOrder<S, I, O>(
  model: Model<S, I, O>,
  prepared: Prepared<I, O>,
  order: SearchOrder,
  deadline: number,
  limits: SearchLimits,
): Generator<Progress, SearchOutcome<S>, number> {
  const { n, original, ops, nReturns, nEntries, entryOp, isCall, match, inputs, outputs, zobrist, words, definite, indetRank, nIndet, sameBefore, readOnly, hasReadOnly } = prepared;
  const { grows, watched, countsStart, countsFor } = prepared;
  // Growth pruning: a watched op (a definite read) that only growing or read-only ops can still
  // come before (every other changer that could is linearized) must see a state grown from the
  // current one; when the model says none can fit its output, the configuration is dead.
  const changersLeft = scratch.int32(n);
  changersLeft.set(prepared.changersBefore);
  const reachable = model.reachable?.bind(model);
  const viable = (after: S): boolean => {
    for (let k = 0; k < watched.length; k++) {
      const g = watched[k]!;
      if (changersLeft[g] !== 0 || (linearized[g >>> 5]! & (1 << (g & 31))) !== 0) continue;
      if (!reachable!(after, inputs[g]!, outputs[g] as O)) return false;
    }
    return true;
  };
  // Two lists: definite entries (calls and returns) and indeterminate calls. Entry numbers are
  // their rank in time order, so an indeterminate call is a candidate iff its number is below
  // that of the first return left in the definite list.
  const HEAD_D = nEntries;
  const HEAD_I = nEntries + 1;
  const next = scratch.int32(nEntries + 2).fill(-1);
  const prev = scratch.int32(nEntries + 2).fill(-1);
  {
    let lastD = HEAD_D;
    let lastI = HEAD_I;
    for (let e = 0; e < nEntries; e++) {
      const indet = order === 'definite-first' && isCall[e] === 1 && match[e] === -1;
      const last = indet ? lastI : lastD;
      next[last] = e;
      prev[e] = last;
      if (indet) lastI = e;
      else lastD = e;
    }
  }

  const linearized = scratch.uint32(words);

  // ---- cache
  // A chained hash table on typed arrays: `table` holds the first slot of each bucket, a slot
  // its full hash, the next slot of its bucket, its bitset (`words` words) and its state.
  // small to start with (most searches take a few hundred steps, those of a few ops a few), and
  // the arrays double as needed
  let slotCap = Math.min(256, Math.max(16, 1 << (32 - Math.clz32(4 * n))));
  let tableMask = slotCap * 2 - 1;
  let table = scratch.int32(tableMask + 1).fill(-1);
  let slotHash = scratch.int32(slotCap);
  let slotNext = scratch.int32(slotCap);
  let slotOffset = scratch.int32(slotCap);
  const slotStates: S[] = [];
  let slots = 0;
  // A slot's linearized set, compactly: every definite op below the watermark `wm` is in it, so
  // it is stored as [wm, count, the `count` words of definite bits from word wm>>>5 up to the
  // highest definite op in the set, then the bitset of indeterminate ops by their rank].
  let pool = scratch.int32(slotCap * (4 + ((nIndet + 31) >>> 5)));
  let poolUsed = 0;
  const wordsI = (nIndet + 31) >>> 5;
  const linI = scratch.uint32(wordsI || 1);
  let wm = 0; // smallest definite op not linearized (n when none)
  while (wm < n && ops[wm]!.indeterminate) wm++;
  let hiD = -1; // highest definite op linearized
  const stackWm = scratch.int32(n);
  const stackHi = scratch.int32(n);

  // ---- stack of linearized calls
  const stackEntry = scratch.int32(n);
  const stackState: S[] = new Array<S>(n);
  // A forced move: at a configuration where a definite read-only op is a candidate (its call
  // comes before every return left) and its output fits the state, the configuration is
  // linearizable iff the one after that op is: any linearization that places the op later can
  // place it first instead (it changes no state, and no op left has to precede it). So only that
  // op is tried there; when it fails (or its configuration is in the cache), the configuration fails.
  const stackForced = scratch.uint8(n);
  let fresh = true; // at a configuration whose candidates were not looked at yet
  let forcing = false; // `entry` is a forced move
  let depth = 0;

  // ---- witness tracking
  let bestDepth = -1;
  const longest: number[] = [];
  // the stack below `lowWater` has not changed since `longest` was last recorded
  let lowWater = 0;
  let stuck = -1;
  let statesBefore: S[] = [];

  let state = model.init();
  let linHash = 0;
  let remaining = nReturns;
  let steps = 0;
  let entry = next[HEAD_D]!;
  let firstReturn = -1; // in the indeterminate phase: the first return entry of the definite list
  const stackFirstReturn = scratch.int32(n);

  const outcome = (result: SearchOutcome<S>['result']): SearchOutcome<S> => ({
    result,
    longest: result === 'linearizable' ? [] : longest.map((i) => original[i]!),
    stuck: result === 'linearizable' || stuck === -1 ? -1 : original[stuck]!,
    statesBefore: result === 'linearizable' ? [] : statesBefore,
    steps,
    cacheEntries: slots,
    cacheBytes: cacheBytes(),
  });
  // the pool, the slot arrays and the table, plus a pointer per stored state (the states
  // themselves are the model's: a string or a number for the shipped models)
  const cacheBytes = (): number => pool.length * 4 + slotCap * 12 + table.length * 4 + slots * 8;
  // the first return entry left in the definite list (there is one while returns remain)
  const firstReturnEntry = (): number => {
    let e = next[HEAD_D]!;
    while (isCall[e] === 1) e = next[e]!;
    return e;
  };

  let sliceEnd = yield { steps, cacheEntries: slots, cacheBytes: cacheBytes() };
  while (remaining > 0) {
    if (++steps >= sliceEnd) {
      if (performance.now() > deadline) return outcome('timeout');
      sliceEnd = steps + (yield { steps, cacheEntries: slots, cacheBytes: cacheBytes() });
    }
    if (fresh) {
      fresh = false;
      if (hasReadOnly) {
        for (let e = next[HEAD_D]!; e !== -1 && isCall[e] === 1; e = next[e]!) {
          const op = entryOp[e]!;
          if (readOnly[op] === 1 && model.step(state, inputs[op]!, outputs[op] as O | undefined)[0]) {
            entry = e;
            forcing = true;
            break;
          }
        }
      }
    }
    // Phase 1 walks the definite list; at its first return entry, phase 2 walks the
    // indeterminate calls made before that return; past them is a dead end.
    let candidate = false;
    if (firstReturn === -1) {
      if (isCall[entry] === 1) {
        const before = sameBefore[entryOp[entry]!]!;
        if (before !== -1 && (linearized[before >>> 5]! & (1 << (before & 31))) === 0) {
          entry = next[entry]!;
          continue;
        }
        candidate = true;
      } else {
        firstReturn = entry;
        entry = next[HEAD_I]!;
        continue;
      }
    } else if (entry !== -1 && entry < firstReturn) {
      const before = sameBefore[entryOp[entry]!]!;
      if (before !== -1 && (linearized[before >>> 5]! & (1 << (before & 31))) === 0) {
        entry = next[entry]!;
        continue;
      }
      candidate = true;
    }
    if (candidate) {
      const op = entryOp[entry]!;
      const [ok, nextState] = model.step(state, inputs[op]!, outputs[op] as O | undefined);
      if (ok && (grows[op] === 0 || viable(nextState))) {
        const w = op >>> 5;
        const bit = 1 << (op & 31);
        linearized[w]! |= bit;
        const h = linHash ^ zobrist[op]!;
        const key = (Math.imul(h, 0x9e3779b1) ^ model.hash(nextState)) | 0;
        // cache lookup
        let seen = false;
        // the configuration after `op`: watermark, highest definite op, indeterminate bit
        const indet = indetRank[op]!;
        let nwm = wm;
        if (op === wm) {
          nwm++;
          while (nwm < n && (ops[nwm]!.indeterminate || (linearized[nwm >>> 5]! & (1 << (nwm & 31))) !== 0)) nwm++;
        }
        const nhi = indet === -1 && op > hiD ? op : hiD;
        const lo = nwm >>> 5;
        const count = nhi >= nwm ? (nhi >>> 5) - lo + 1 : 0;
        if (indet !== -1) linI[indet >>> 5]! |= 1 << (indet & 31);
        const bucket = key & tableMask;
        for (let s = table[bucket]!; s !== -1; s = slotNext[s]!) {
          if (slotHash[s] !== key) continue;
          let at = slotOffset[s]!;
          if (pool[at] !== nwm || pool[at + 1] !== count) continue;
          at += 2;
          let same = true;
          for (let k = 0; k < count; k++) {
            if (pool[at + k] !== (linearized[lo + k]! & definite[lo + k]!)) {
              same = false;
              break;
            }
          }
          if (!same) continue;
          at += count;
          for (let k = 0; k < wordsI; k++) {
            if ((pool[at + k]! & ~linI[k]!) !== 0) {
              same = false;
              break;
            }
          }
          if (same && model.equal(slotStates[s]!, nextState)) {
            seen = true;
            break;
          }
        }
        if (!seen) {
          const need = 2 + count + wordsI;
          if (poolUsed + need > pool.length) {
            let size = pool.length * 2;
            while (poolUsed + need > size) size *= 2;
            if (size * 4 > limits.maxCacheBytes) return outcome('out-of-memory');
            const np = scratch.int32(size);
            np.set(pool);
            pool = np;
          }
          if (slots === slotCap) {
            if (slots >= limits.maxCacheEntries) return outcome('out-of-memory');
            slotCap *= 2;
            const nh = scratch.int32(slotCap);
            nh.set(slotHash);
            slotHash = nh;
            const nn = scratch.int32(slotCap);
            nn.set(slotNext);
            slotNext = nn;
            const no = scratch.int32(slotCap);
            no.set(slotOffset);
            slotOffset = no;
            // keep the table at most half full
            tableMask = slotCap * 2 - 1;
            table = scratch.int32(tableMask + 1).fill(-1);
            for (let t = 0; t < slots; t++) {
              const b = slotHash[t]! & tableMask;
              slotNext[t] = table[b]!;
              table[b] = t;
            }
          }
          const b = key & tableMask;
          slotOffset[slots] = poolUsed;
          pool[poolUsed++] = nwm;
          pool[poolUsed++] = count;
          for (let k = 0; k < count; k++) pool[poolUsed++] = linearized[lo + k]! & definite[lo + k]!;
          for (let k = 0; k < wordsI; k++) pool[poolUsed++] = linI[k]!;
          slotStates.push(nextState);
          slotHash[slots] = key;
          slotNext[slots] = table[b]!;
          table[b] = slots;
          slots++;
          // linearize
          stackForced[depth] = forcing ? 1 : 0;
          forcing = false;
          fresh = true;
          stackEntry[depth] = entry;
          stackState[depth] = state;
          stackFirstReturn[depth] = firstReturn;
          stackWm[depth] = wm;
          stackHi[depth] = hiD;
          depth++;
          for (let k = countsStart[op]!; k < countsStart[op + 1]!; k++) changersLeft[countsFor[k]!]!--;
          state = nextState;
          linHash = h;
          wm = nwm;
          hiD = nhi;
          // lift the call and its return out of their list
          let p = prev[entry]!;
          let nx = next[entry]!;
          next[p] = nx;
          if (nx !== -1) prev[nx] = p;
          const m = match[entry]!;
          if (m !== -1) {
            p = prev[m]!;
            nx = next[m]!;
            next[p] = nx;
            if (nx !== -1) prev[nx] = p;
            remaining--;
          }
          firstReturn = -1;
          entry = next[HEAD_D]!;
          continue;
        }
        linearized[w]! &= ~bit;
        if (indet !== -1) linI[indet >>> 5]! &= ~(1 << (indet & 31));
        if (forcing) {
          // the configuration after the forced move failed before: so does this one
          forcing = false;
          firstReturn = firstReturnEntry();
          entry = -1;
          continue;
        }
      }
      entry = next[entry]!;
      continue;
    }
    // dead end: the op of `firstReturn` cannot be placed after the current prefix
    if (depth > bestDepth) {
      bestDepth = depth;
      longest.length = lowWater;
      for (let k = lowWater; k < depth; k++) longest.push(entryOp[stackEntry[k]!]!);
      lowWater = depth;
      stuck = entryOp[firstReturn]!;
      statesBefore = [state];
    } else if (entryOp[firstReturn] === stuck && statesBefore.length < MAX_STATES) {
      if (!statesBefore.some((s) => model.equal(s, state))) statesBefore.push(state);
    }
    if (depth === 0) return outcome('not-linearizable');
    depth--;
    if (depth < lowWater) lowWater = depth;
    const top = stackEntry[depth]!;
    const op = entryOp[top]!;
    state = stackState[depth]!;
    stackState[depth] = undefined as S;
    firstReturn = stackFirstReturn[depth]!;
    wm = stackWm[depth]!;
    hiD = stackHi[depth]!;
    linearized[op >>> 5]! &= ~(1 << (op & 31));
    const rank = indetRank[op]!;
    if (rank !== -1) linI[rank >>> 5]! &= ~(1 << (rank & 31));
    linHash ^= zobrist[op]!;
    for (let k = countsStart[op]!; k < countsStart[op + 1]!; k++) changersLeft[countsFor[k]!]!++;
    // unlift: the return first, then the call (reverse of lift)
    const m = match[top]!;
    if (m !== -1) {
      next[prev[m]!] = m;
      const nx = next[m]!;
      if (nx !== -1) prev[nx] = m;
      remaining++;
    }
    next[prev[top]!] = top;
    const nx = next[top]!;
    if (nx !== -1) prev[nx] = top;
    if (stackForced[depth] === 1) {
      // a forced move failed: so does the configuration it was forced at
      stackForced[depth] = 0;
      firstReturn = firstReturnEntry();
      entry = -1;
    } else entry = next[top]!;
  }
  return outcome('linearizable');
}

/**
 * The data of growth pruning (`Model.grows` and `Model.reachable`): none (empty) unless the model
 * has both and the partition has a growing op. An op is a changer when it neither only grows the
 * state nor is read-only; a changer counts for a watched op when its call comes before that op's
 * return (it could be linearized before it).
 */
function growthPruning<S, I, O>(
  model: Model<S, I, O>,
  ops: readonly Operation<I, O>[],
  inputs: readonly I[],
  readOnly: Uint8Array,
): Pick<Prepared<I, O>, 'grows' | 'watched' | 'changersBefore' | 'countsStart' | 'countsFor'> {
  const n = ops.length;
  const grows = scratch.uint8(n);
  const countsStart = scratch.int32(n + 1);
  const changersBefore = scratch.int32(n);
  const none = { grows, watched: NONE, changersBefore, countsStart, countsFor: NONE };
  if (!model.grows || !model.reachable) return none;
  let growing = false;
  let nWatched = 0;
  for (let i = 0; i < n; i++) {
    if (readOnly[i] === 1) nWatched++;
    if (model.grows(inputs[i]!)) {
      grows[i] = 1;
      growing = true;
    }
  }
  if (!growing || nWatched === 0) return none; // nothing to prune, or nothing to prune for
  const watched = scratch.int32(nWatched);
  for (let i = 0, w = 0; i < n; i++) if (readOnly[i] === 1) watched[w++] = i;
  // counted twice: how many watched ops each changer counts for, then which
  const changer = (x: number): boolean => grows[x] === 0 && readOnly[x] === 0 && !(model.readOnly?.(inputs[x]!) ?? false);
  for (let x = 0; x < n; x++) {
    let counts = 0;
    if (changer(x)) {
      for (let k = 0; k < nWatched; k++) {
        const g = watched[k]!;
        if (ops[x]!.call <= ops[g]!.ret) {
          changersBefore[g]!++;
          counts++;
        }
      }
    }
    countsStart[x + 1] = countsStart[x]! + counts;
  }
  const countsFor = scratch.int32(countsStart[n]!);
  for (let x = 0; x < n; x++) {
    for (let k = 0, at = countsStart[x]!; at < countsStart[x + 1]!; k++) {
      const g = watched[k]!;
      if (ops[x]!.call <= ops[g]!.ret) countsFor[at++] = g;
    }
  }
  return { grows, watched, changersBefore, countsStart, countsFor };
}

const NONE = new Int32Array(0);

function sortedByCall<I, O>(ops: readonly Operation<I, O>[]): boolean {
  for (let i = 1; i < ops.length; i++) if (ops[i]!.call < ops[i - 1]!.call) return false;
  return true;
}

/** The definite ops (by number) in the order of their returns, ties by number. With whole-number
 *  times (positions in a history) a numeric sort of packed (time, op) keys; else a comparison sort. */
function returnOrder<I, O>(ops: readonly Operation<I, O>[], nReturns: number): Int32Array {
  const order = scratch.int32(nReturns);
  const SHIFT = 2 ** 21;
  let packable = ops.length < SHIFT;
  for (let i = 0, r = 0; i < ops.length; i++) {
    const op = ops[i]!;
    if (op.indeterminate) continue;
    order[r++] = i;
    if (!(Number.isInteger(op.ret) && op.ret >= 0 && op.ret < 2 ** 31)) packable = false;
  }
  if (packable) {
    const keys = scratch.float64(nReturns);
    for (let r = 0; r < nReturns; r++) keys[r] = ops[order[r]!]!.ret * SHIFT + order[r]!;
    keys.sort();
    for (let r = 0; r < nReturns; r++) order[r] = keys[r]! % SHIFT;
    return order;
  }
  return Int32Array.from(Array.from(order).sort((a, b) => ops[a]!.ret - ops[b]!.ret || a - b));
}

/** For each indeterminate op, the previous indeterminate op (in call order) with an equal input,
 *  or -1. Only inputs that are plain data (JSON-like) are compared. */
function indeterminateClasses<I, O>(ops: readonly Operation<I, O>[], nIndet: number): Int32Array {
  const sameBefore = scratch.int32(ops.length).fill(-1);
  if (nIndet < 2) return sameBefore;
  // the last op of each class seen so far, by the hash of its input
  const last = new Map<number, number[]>();
  for (let i = 0; i < ops.length; i++) {
    // ops are in call order (see prepare)
    const input = ops[i]!.input;
    if (!ops[i]!.indeterminate || !isPlainData(input, 0)) continue;
    const h = hashValue(input);
    let members = last.get(h);
    if (!members) last.set(h, (members = []));
    const k = members.findIndex((j) => valueEqual(ops[j]!.input, input));
    if (k >= 0) {
      sameBefore[i] = members[k]!;
      members[k] = i;
    } else members.push(i);
  }
  return sameBefore;
}

function isPlainData(v: unknown, depth: number): boolean {
  if (depth > 8) return false;
  if (v === null) return true;
  switch (typeof v) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'undefined':
      return true;
    case 'object': {
      if (Array.isArray(v)) {
        for (const x of v) if (!isPlainData(x, depth + 1)) return false;
        return true;
      }
      const proto = Object.getPrototypeOf(v) as unknown;
      if (proto !== Object.prototype && proto !== null) return false;
      for (const k in v) if (Object.prototype.hasOwnProperty.call(v, k) && !isPlainData((v as Record<string, unknown>)[k], depth + 1)) return false;
      return true;
    }
    default:
      return false;
  }
}
