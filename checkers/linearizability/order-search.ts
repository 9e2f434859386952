import { ConfigCache } from './config-cache.js';
import type { Model } from './model.js';
import type { Prepared } from './prepare.js';
import { scratch } from './scratch.js';
import type { SearchLimits, SearchOrder, SearchOutcome } from './search.js';

const MAX_STATES = 8;

/**
 * Wing & Gong's search with Lowe's memoisation, as porcupine does it, in one order: call and
 * return entries in a doubly linked list (typed arrays), a cache of (linearized set as a bitset,
 * model state) keyed by a Zobrist hash of the set combined with the model's state hash
 * (config-cache.ts), and backtracking. Indeterminate operations have a call entry and no return
 * entry: they may be linearized at any point after their call, or never, so the search succeeds
 * once every return entry is gone. The cache treats them as optional (see `definite` in
 * prepare.ts), which keeps histories with many timed-out writes tractable.
 *
 * `run(n)` runs the next n steps (a slice; see searchPartition) and returns the outcome once the
 * search has ended. The loop is one plain method with its state in locals, and what it does
 * rarely (the cache, a dead end's witness, a forced move, growth pruning) are small methods: a
 * JIT compiles each of them soon and on its own, where one long generator waited for hundreds of
 * milliseconds of compiling (and for it again after each path it had not seen yet).
 */
export class OrderSearch<S, I, O> {
  // `declare`d fields, all set in the constructor (see ConfigCache: ES2022 class fields would
  // first be defined as undefined, then change type)
  private declare readonly model: Model<S, I, O>;
  private declare readonly p: Prepared<I, O>;
  private declare readonly deadline: number;
  // the two lists: definite entries (calls and returns) and indeterminate calls
  private declare readonly next: Int32Array;
  private declare readonly prev: Int32Array;
  private declare readonly headD: number;
  private declare readonly headI: number;
  private declare readonly linearized: Uint32Array;
  private declare readonly linI: Uint32Array;
  private declare readonly cache: ConfigCache<S>;
  private declare readonly changersLeft: Int32Array;
  // the stack of linearized calls
  private declare readonly stackEntry: Int32Array;
  private declare readonly stackState: S[];
  private declare readonly stackFirstReturn: Int32Array;
  private declare readonly stackWm: Int32Array;
  private declare readonly stackHi: Int32Array;
  private declare readonly stackForced: Uint8Array;

  // where the search is between two slices
  declare steps: number;
  private declare paused: boolean;
  private declare state: S;
  private declare linHash: number;
  private declare remaining: number;
  private declare entry: number;
  /** In the indeterminate phase: the first return entry of the definite list (else -1). */
  private declare firstReturn: number;
  /** At a configuration whose candidates were not looked at yet. */
  private declare fresh: boolean;
  /** `entry` is a forced move. */
  private declare forcing: boolean;
  private declare depth: number;
  /** Smallest definite op not linearized (n when none), and highest definite op linearized. */
  private declare wm: number;
  private declare hiD: number;

  // the witness
  private declare bestDepth: number;
  private declare readonly longest: number[];
  /** The stack below `lowWater` has not changed since `longest` was last recorded. */
  private declare lowWater: number;
  private declare stuck: number;
  private declare statesBefore: S[];

  constructor(model: Model<S, I, O>, p: Prepared<I, O>, order: SearchOrder, deadline: number, limits: SearchLimits) {
    this.model = model;
    this.p = p;
    this.deadline = deadline;
    const { n, nEntries, isCall, match, nIndet, ops } = p;
    // Growth pruning: a watched op (a definite read) that only growing or read-only ops can still
    // come before (every other changer that could is linearized) must see a state grown from the
    // current one; when the model says none can fit its output, the configuration is dead.
    this.changersLeft = scratch.int32(n);
    this.changersLeft.set(p.changersBefore);
    // Entry numbers are their rank in time order, so an indeterminate call is a candidate iff its
    // number is below that of the first return left in the definite list.
    this.headD = nEntries;
    this.headI = nEntries + 1;
    const next = (this.next = scratch.int32(nEntries + 2).fill(-1));
    const prev = (this.prev = scratch.int32(nEntries + 2).fill(-1));
    let lastD = this.headD;
    let lastI = this.headI;
    for (let e = 0; e < nEntries; e++) {
      const indet = order === 'definite-first' && isCall[e] === 1 && match[e] === -1;
      const last = indet ? lastI : lastD;
      next[last] = e;
      prev[e] = last;
      if (indet) lastI = e;
      else lastD = e;
    }
    this.linearized = scratch.uint32(p.words);
    const wordsI = (nIndet + 31) >>> 5;
    this.linI = scratch.uint32(wordsI || 1);
    this.cache = new ConfigCache<S>(n, wordsI, p.definite, this.linearized, this.linI, model, limits);
    let wm = 0;
    while (wm < n && ops[wm]!.indeterminate) wm++;
    this.wm = wm;
    this.stackWm = scratch.int32(n);
    this.stackHi = scratch.int32(n);
    this.stackEntry = scratch.int32(n);
    this.stackState = new Array<S>(n);
    // A forced move: at a configuration where a definite read-only op is a candidate (its call
    // comes before every return left) and its output fits the state, the configuration is
    // linearizable iff the one after that op is: any linearization that places the op later can
    // place it first instead (it changes no state, and no op left has to precede it). So only that
    // op is tried there; when it fails (or its configuration is in the cache), the configuration fails.
    this.stackForced = scratch.uint8(n);
    this.stackFirstReturn = scratch.int32(n);
    this.steps = 0;
    this.paused = false;
    this.state = model.init();
    this.linHash = 0;
    this.remaining = p.nReturns;
    this.entry = next[this.headD]!;
    this.firstReturn = -1;
    this.fresh = true;
    this.forcing = false;
    this.depth = 0;
    this.hiD = -1;
    this.bestDepth = -1;
    this.longest = [];
    this.lowWater = 0;
    this.stuck = -1;
    this.statesBefore = [];
  }

  /** Cache entries made and the bytes the cache takes. */
  get cacheEntries(): number {
    return this.cache.entries;
  }

  cacheBytes(): number {
    return this.cache.bytes();
  }

  /** Runs the next `slice` steps; the outcome when the search ended in them, else undefined. */
  run(slice: number): SearchOutcome<S> | undefined {
    const { model, p, next, prev, linearized, linI, cache, changersLeft, headD, headI } = this;
    const { stackEntry, stackState, stackFirstReturn, stackWm, stackHi, stackForced } = this;
    const { n, ops, entryOp, isCall, match, inputs, outputs, zobrist, indetRank, sameBefore, grows, countsStart, countsFor, hasReadOnly } = p;
    let { steps, state, linHash, remaining, entry, firstReturn, fresh, forcing, depth, wm, hiD, bestDepth, lowWater } = this;
    const sliceEnd = steps + slice;
    let resume = this.paused; // the last slice ended at the top of a step: that step comes first
    this.paused = false;
    let result: SearchOutcome<S>['result'] | undefined;
    for (;;) {
      if (resume) resume = false;
      else {
        if (remaining <= 0) {
          result = 'linearizable';
          break;
        }
        if (++steps >= sliceEnd) {
          if (performance.now() > this.deadline) result = 'timeout';
          else this.paused = true;
          break;
        }
      }
      if (fresh) {
        fresh = false;
        if (hasReadOnly) {
          const e = this.forcedMove(state);
          if (e !== -1) {
            entry = e;
            forcing = true;
          }
        }
      }
      // Phase 1 walks the definite list; at its first return entry, phase 2 walks the
      // indeterminate calls made before that return; past them is a dead end.
      if (firstReturn === -1 && isCall[entry] !== 1) {
        firstReturn = entry;
        entry = next[headI]!;
        continue;
      }
      if (firstReturn === -1 || (entry !== -1 && entry < firstReturn)) {
        // a call is a candidate unless the previous op of its class of interchangeable
        // indeterminate ops (sameBefore, prepare.ts) is not linearized yet
        const before = sameBefore[entryOp[entry]!]!;
        if (before !== -1 && (linearized[before >>> 5]! & (1 << (before & 31))) === 0) {
          entry = next[entry]!;
          continue;
        }
        const op = entryOp[entry]!;
        const stepped = model.step(state, inputs[op]!, outputs[op] as O | undefined);
        const nextState = stepped[1];
        if (stepped[0] && (grows[op] === 0 || this.viable(nextState))) {
          const w = op >>> 5;
          const bit = 1 << (op & 31);
          linearized[w]! |= bit;
          const h = linHash ^ zobrist[op]!;
          const key = (Math.imul(h, 0x9e3779b1) ^ model.hash(nextState)) | 0;
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
          if (!cache.has(key, nwm, count, lo, nextState)) {
            if (!cache.add(key, nwm, count, lo, nextState)) {
              result = 'out-of-memory';
              break;
            }
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
            let pe = prev[entry]!;
            let nx = next[entry]!;
            next[pe] = nx;
            if (nx !== -1) prev[nx] = pe;
            const m = match[entry]!;
            if (m !== -1) {
              pe = prev[m]!;
              nx = next[m]!;
              next[pe] = nx;
              if (nx !== -1) prev[nx] = pe;
              remaining--;
            }
            firstReturn = -1;
            entry = next[headD]!;
            continue;
          }
          linearized[w]! &= ~bit;
          if (indet !== -1) linI[indet >>> 5]! &= ~(1 << (indet & 31));
          if (forcing) {
            // the configuration after the forced move failed before: so does this one
            forcing = false;
            firstReturn = this.firstReturnEntry();
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
        this.recordLongest(lowWater, depth, entryOp[firstReturn]!, state);
        lowWater = depth;
      } else if (entryOp[firstReturn] === this.stuck) this.addStateBefore(state);
      if (depth === 0) {
        result = 'not-linearizable';
        break;
      }
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
        firstReturn = this.firstReturnEntry();
        entry = -1;
      } else entry = next[top]!;
    }
    this.steps = steps;
    this.state = state;
    this.linHash = linHash;
    this.remaining = remaining;
    this.entry = entry;
    this.firstReturn = firstReturn;
    this.fresh = fresh;
    this.forcing = forcing;
    this.depth = depth;
    this.wm = wm;
    this.hiD = hiD;
    this.bestDepth = bestDepth;
    this.lowWater = lowWater;
    return result === undefined ? undefined : this.outcome(result);
  }

  private outcome(result: SearchOutcome<S>['result']): SearchOutcome<S> {
    const original = this.p.original;
    return {
      result,
      longest: result === 'linearizable' ? [] : this.longest.map((i) => original[i]!),
      stuck: result === 'linearizable' || this.stuck === -1 ? -1 : original[this.stuck]!,
      statesBefore: result === 'linearizable' ? [] : this.statesBefore,
      steps: this.steps,
      cacheEntries: this.cache.entries,
      cacheBytes: this.cache.bytes(),
    };
  }

  /** A definite read-only op that is a candidate and fits `state` (its call entry), or -1. */
  private forcedMove(state: S): number {
    const { next, p, model } = this;
    const { isCall, entryOp, readOnly, inputs, outputs } = p;
    for (let e = next[this.headD]!; e !== -1 && isCall[e] === 1; e = next[e]!) {
      const op = entryOp[e]!;
      if (readOnly[op] === 1 && model.step(state, inputs[op]!, outputs[op] as O | undefined)[0]) return e;
    }
    return -1;
  }

  /** Growth pruning: false when a watched op that only growing or read-only ops can still come
   *  before cannot fit any state grown from `after`. */
  private viable(after: S): boolean {
    const { watched, inputs, outputs } = this.p;
    const { changersLeft, linearized, model } = this;
    for (let k = 0; k < watched.length; k++) {
      const g = watched[k]!;
      if (changersLeft[g] !== 0 || (linearized[g >>> 5]! & (1 << (g & 31))) !== 0) continue;
      if (!model.reachable!(after, inputs[g]!, outputs[g] as O)) return false;
    }
    return true;
  }

  /** The first return entry left in the definite list (there is one while returns remain). */
  private firstReturnEntry(): number {
    const { next, p } = this;
    let e = next[this.headD]!;
    while (p.isCall[e] === 1) e = next[e]!;
    return e;
  }

  /** A dead end deeper than any before: the stack is the longest prefix (its part from `from`
   *  up changed), `stuck` the op that could not follow it in `state`. */
  private recordLongest(from: number, depth: number, stuck: number, state: S): void {
    const { longest, stackEntry } = this;
    const entryOp = this.p.entryOp;
    longest.length = from;
    for (let k = from; k < depth; k++) longest.push(entryOp[stackEntry[k]!]!);
    this.stuck = stuck;
    this.statesBefore = [state];
  }

  /** Another state in which the stuck op could not be placed (up to MAX_STATES distinct ones). */
  private addStateBefore(state: S): void {
    const states = this.statesBefore;
    if (states.length >= MAX_STATES) return;
    for (const s of states) if (this.model.equal(s, state)) return;
    states.push(state);
  }
}
