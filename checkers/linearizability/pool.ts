/**
 * The worker pool: the partitions (keys) of a check and the two search orders of a partition
 * spread over threads (P-compositionality: each key is checked alone).
 *
 * Every thread runs `searchShare`: it claims the next partition (biggest first) and searches it
 * as its owner, both orders interleaved; when none is left to claim, it helps a partition still
 * searched elsewhere by searching it in call order alone, and the owner drops that order. The
 * first verdict wins (both orders are exact); the other thread sees it between two slices and
 * stops. The threads share one Int32Array on a SharedArrayBuffer: the claim counter and a word
 * of flags per partition.
 *
 * A check starts on this thread alone. Only when it is still undecided after `workersAfterMs`
 * (and there is a partition left to claim or to help with) do the workers start, so small
 * histories pay nothing for the pool.
 */
import { Worker } from 'node:worker_threads';
import type { Model, Operation } from './model.js';
import type { ModelName } from './models/index.js';
import { CONTROL, hasIndeterminate, isVerdict, searchPartition, type SearchControl, type SearchLimits, type SearchOutcome } from './search.js';

/** A check still undecided after this long on one thread starts the worker threads. A worker
 *  takes about 35 ms of CPU to start (much longer on a loaded machine) and warms its JIT up
 *  again, so it can only pay for checks well beyond that. */
export const WORKERS_AFTER_MS = 50;

/** The most threads a check may be given (`--threads`, the checker's `threads` option). */
export const MAX_THREADS = 1024;

// the control words: [claim counter, workers that searched, flags of partition 0, of partition 1, ...]
export const NEXT = 0;
export const SEARCHED = 1;
export const HEADER = 2;
export const DECIDED = 1; // a thread found the verdict
export const HELPED = 2; // a helper searches it in call order
export const OWNER_DONE = 4; // its owner finished, with a verdict or not
const OWNER_STOPPED = 8; // the owner's orders ran out of budget
const HELPER_STOPPED = 16; // the helper's order ran out of budget

/** What a worker thread gets (workerData). */
export interface PoolJob {
  name: ModelName;
  initial: unknown;
  /** Every partition; those already decided are empty. */
  parts: Operation<unknown, unknown>[][];
  /** The claim order: partition numbers, biggest first. */
  order: number[];
  control: SharedArrayBuffer;
  /** The deadline as a Unix time in ms (performance.timeOrigin + now), or Infinity. */
  deadline: number;
  limits: SearchLimits;
}

export type Role = 'owner' | 'helper';
export type PoolMessage = { part: number; role: Role; outcome: SearchOutcome<unknown> } | { done: true };

/**
 * Claims and searches partitions until none is left to claim or help with. `report` gets every
 * outcome (a partition may get one from its owner and one from its helper); `tick` runs between
 * slices of the owned searches (this thread's chance to start the workers).
 */
export function searchShare<S, I, O>(
  model: Model<S, I, O>,
  parts: readonly Operation<I, O>[][],
  order: readonly number[],
  control: Int32Array,
  deadline: number,
  limits: SearchLimits,
  report: (part: number, role: Role, outcome: SearchOutcome<S>) => void,
  tick?: () => void,
  counted = false,
): void {
  let searching = counted;
  const count = (): void => {
    if (!searching) Atomics.add(control, SEARCHED, 1);
    searching = true;
  };
  const flagsOf = (p: number): number => Atomics.load(control, HEADER + p);
  const finish = (p: number, role: Role, outcome: SearchOutcome<S>): void => {
    if (isVerdict(outcome)) Atomics.or(control, HEADER + p, DECIDED);
    else if (outcome.result !== 'abandoned') Atomics.or(control, HEADER + p, role === 'owner' ? OWNER_STOPPED : HELPER_STOPPED);
    if (role === 'owner') Atomics.or(control, HEADER + p, OWNER_DONE);
    report(p, role, outcome);
  };
  for (;;) {
    const claim = Atomics.add(control, NEXT, 1);
    if (claim < order.length) {
      const p = order[claim]!;
      if (parts[p]!.length === 0) continue;
      count();
      const owner: SearchControl = {
        poll() {
          tick?.();
          const f = flagsOf(p);
          return (f & DECIDED ? CONTROL.stop : 0) | (f & HELPED ? CONTROL.dropCallOrder : 0) | (f & HELPER_STOPPED ? CONTROL.wholeBudget : 0);
        },
      };
      finish(p, 'owner', searchPartition(model, parts[p]!, deadline, limits, owner));
      continue;
    }
    const p = claimHelp(parts, order, control);
    if (p === -1) return;
    count();
    const helper: SearchControl = {
      poll() {
        const f = flagsOf(p);
        return (f & DECIDED ? CONTROL.stop : 0) | (f & OWNER_STOPPED ? CONTROL.wholeBudget : 0);
      },
    };
    finish(p, 'helper', searchPartition(model, parts[p]!, deadline, limits, helper, 'call-order'));
  }
}

/** A partition some other thread owns and still searches, with two orders to race: marked
 *  helped and returned, or -1. */
function claimHelp<I, O>(parts: readonly Operation<I, O>[][], order: readonly number[], control: Int32Array): number {
  const claimed = Math.min(order.length, Atomics.load(control, NEXT));
  for (let c = 0; c < claimed; c++) {
    const p = order[c]!;
    if (parts[p]!.length === 0 || !hasIndeterminate(parts[p]!)) continue;
    for (;;) {
      const f = Atomics.load(control, HEADER + p);
      if (f & (DECIDED | HELPED | OWNER_DONE)) break;
      if (Atomics.compareExchange(control, HEADER + p, f, f | HELPED) === f) return p;
    }
  }
  return -1;
}

/**
 * Searches the partitions of a shipped model on this thread, and on up to `threads - 1` worker
 * threads once the check has run `workersAfterMs` undecided. A worker that cannot start or dies
 * leaves its partitions to this thread. Returns one outcome per partition and how many threads
 * searched.
 */
export async function searchWithPool<S, I, O>(
  model: Model<S, I, O>,
  parts: readonly Operation<I, O>[][],
  spec: { name: ModelName; initial: unknown },
  deadline: number,
  limits: SearchLimits,
  threads: number,
  workersAfterMs: number,
): Promise<{ outcomes: SearchOutcome<S>[]; threads: number }> {
  const order = parts.map((_, i) => i).sort((a, b) => parts[b]!.length - parts[a]!.length);
  const control = new Int32Array(new SharedArrayBuffer(4 * (HEADER + parts.length)));
  const found: { role: Role; outcome: SearchOutcome<S> }[][] = parts.map(() => []);
  const workers: Worker[] = [];
  let alive = 0;
  let changed = (): void => undefined;
  const startAt = performance.now() + workersAfterMs;
  let started = threads <= 1;
  const start = (): void => {
    started = true;
    const useful = usefulWorkers(parts, order, control);
    const job: PoolJob = {
      name: spec.name,
      initial: spec.initial,
      parts: parts.map((part, p) => (Atomics.load(control, HEADER + p) & OWNER_DONE ? [] : (part as Operation<unknown, unknown>[]))),
      order,
      control: control.buffer as SharedArrayBuffer,
      deadline: deadline === Infinity ? Infinity : performance.timeOrigin + deadline,
      limits,
    };
    for (let i = 0; i < Math.min(threads - 1, useful); i++) {
      let worker: Worker;
      try {
        worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: job });
      } catch {
        break;
      }
      workers.push(worker);
      alive++;
      let ended = false;
      const end = (): void => {
        if (ended) return;
        ended = true;
        alive--;
        changed();
      };
      worker.on('message', (m: PoolMessage) => {
        if ('done' in m) return end();
        found[m.part]!.push({ role: m.role, outcome: m.outcome as SearchOutcome<S> });
        changed();
      });
      worker.once('error', end);
      worker.once('exit', end);
    }
  };
  const tick = (): void => {
    if (!started && performance.now() >= startAt) start();
  };
  // a partition is settled when a verdict came, or its owner's outcome and (if it had a helper) the helper's
  const settled = (p: number): boolean => {
    const f = found[p]!;
    if (f.some((x) => isVerdict(x.outcome))) return true;
    if (!f.some((x) => x.role === 'owner' && x.outcome.result !== 'abandoned')) return false;
    return !(Atomics.load(control, HEADER + p) & HELPED) || f.some((x) => x.role === 'helper');
  };
  try {
    searchShare(model, parts, order, control, deadline, limits, (p, role, outcome) => found[p]!.push({ role, outcome }), tick, true);
    // wait for the workers' outcomes only: a worker still starting up is not waited for
    await new Promise<void>((resolve) => {
      changed = () => {
        if (alive === 0 || parts.every((_, p) => settled(p))) resolve();
      };
      changed();
    });
    const outcomes = parts.map((part, p) => merge(found[p]!) ?? searchPartition(model, part, deadline, limits));
    return { outcomes, threads: 1 + Atomics.load(control, SEARCHED) };
  } finally {
    for (const w of workers) void w.terminate();
  }
}

/** Workers worth starting now: partitions left to claim, and partitions being searched here
 *  that a helper could race in call order. */
function usefulWorkers<I, O>(parts: readonly Operation<I, O>[][], order: readonly number[], control: Int32Array): number {
  const claimed = Math.min(order.length, Atomics.load(control, NEXT));
  let useful = order.length - claimed;
  for (let c = 0; c < claimed; c++) {
    const p = order[c]!;
    if (!(Atomics.load(control, HEADER + p) & OWNER_DONE) && hasIndeterminate(parts[p]!)) useful++;
  }
  return useful;
}

/** One partition's outcome from what its owner and helper reported: the verdict if either found
 *  it; else the owner's (with the helper's work counted); none if the owner's is missing (its
 *  worker died): then this thread searches it again. */
function merge<S>(found: readonly { role: Role; outcome: SearchOutcome<S> }[]): SearchOutcome<S> | undefined {
  const decided = found.find((f) => isVerdict(f.outcome));
  const owner = found.find((f) => f.role === 'owner' && f.outcome.result !== 'abandoned');
  const chosen = decided ?? owner;
  if (!chosen) return undefined;
  const sum = (key: 'steps' | 'cacheEntries' | 'cacheBytes'): number => found.reduce((s, f) => s + f.outcome[key], 0);
  const timedOut = !decided && found.some((f) => f.outcome.result === 'timeout');
  return { ...chosen.outcome, ...(timedOut ? { result: 'timeout' as const } : {}), steps: sum('steps'), cacheEntries: sum('cacheEntries'), cacheBytes: sum('cacheBytes') };
}
