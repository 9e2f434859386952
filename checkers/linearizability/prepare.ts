import { hashValue, valueEqual, type Model, type Operation } from './model.js';
import { scratch } from './scratch.js';

/** What both orders of one partition's search share: entries in time order, their ops, and the
 *  per-op data (built once per partition; each order only links its own lists). */
export interface Prepared<I, O> {
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

export function prepare<S, I, O>(given: readonly Operation<I, O>[], model: Model<S, I, O>): Prepared<I, O> {
  const n = given.length;
  // op numbers are ranks in call order (the cache's watermark relies on it); `original` maps back
  // (the arrays here are filled by push, not made by `map` or `Array.from`: those make arrays of
  // another elements kind once the JIT has inlined them, and the code that reads them is thrown away)
  const original: number[] = [];
  for (let i = 0; i < n; i++) original.push(i);
  if (!sortedByCall(given)) original.sort((a, b) => given[a]!.call - given[b]!.call || a - b);
  const ops: Operation<I, O>[] = [];
  const inputs: I[] = [];
  const outputs: (O | undefined)[] = [];
  for (let k = 0; k < n; k++) {
    const op = given[original[k]!]!;
    ops.push(op);
    inputs.push(op.input);
    outputs.push(op.indeterminate ? undefined : op.output);
  }
  // ---- entries, sorted by time; at equal times calls come before returns (concurrent), then
  // by op: the calls are in op order already, the returns are sorted, and the two merged
  let nReturns = 0;
  for (let i = 0; i < n; i++) if (!ops[i]!.indeterminate) nReturns++;
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
