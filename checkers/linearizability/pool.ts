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
 * A check starts on this thread alone, claiming the partitions in the same order without the
 * control words. Only when it is still undecided after `workersAfterMs` (and there is a partition
 * left to claim or to help with) are the control words made, from what this thread has done so
 * far, and the workers started; so a check that needs no worker pays nothing for the pool, not
 * even loading `node:worker_threads`.
 *
 * A worker that dies in the middle of a search loses no partition: each partition's owner and
 * helper are recorded in the control words, and a partition whose owner died without reporting
 * is handed back to this thread, which searches it as soon as it is free. A worker that ran out
 * of its heap (ERR_WORKER_OUT_OF_MEMORY) is not retried here (this thread's heap is no larger by
 * default): its partition is `out-of-memory`, with the heap size that ran out.
 */
import { createRequire } from 'node:module';
import type { ResourceLimits, Worker } from 'node:worker_threads';
import type { Model, Operation } from './model.js';
import type { ModelName } from './models/index.js';
import { CONTROL, hasIndeterminate, isVerdict, searchPartition, type SearchControl, type SearchLimits, type SearchOutcome } from './search.js';

// node:worker_threads and node:v8 are loaded when the workers start (a check that needs none does not load them)
const require = createRequire(import.meta.url);

/** A check still undecided after this long on one thread starts the worker threads. A worker
 *  takes about 35 ms of CPU to start (much longer on a loaded machine) and warms its JIT up
 *  again, so it can only pay for checks well beyond that. */
export const WORKERS_AFTER_MS = 50;

/** The most threads a check may be given (`--threads`, the checker's `threads` option). */
export const MAX_THREADS = 1024;

// the control words: [claim counter, workers that searched, flags of each partition, owner of
// each partition, helper of each partition]; an owner or helper is a thread number (this thread
// 0, worker i i), -1 for none
export const NEXT = 0;
export const SEARCHED = 1;
export const HEADER = 2;
export const DECIDED = 1; // a thread found the verdict
export const HELPED = 2; // a helper searches it in call order
export const OWNER_DONE = 4; // its owner finished, with a verdict or not
const OWNER_STOPPED = 8; // the owner's orders ran out of budget
const HELPER_STOPPED = 16; // the helper's order ran out of budget

/** The control words of a check of `parts` partitions, owners and helpers none yet. */
export function controlWords(parts: number): Int32Array {
  const control = new Int32Array(new SharedArrayBuffer(4 * (HEADER + 3 * parts)));
  control.fill(-1, HEADER + parts);
  return control;
}
/** The word holding the thread that owns (claimed) partition `p`, or helps it. */
export const ownerWord = (control: Int32Array, p: number): number => HEADER + (control.length - HEADER) / 3 + p;
export const helperWord = (control: Int32Array, p: number): number => HEADER + (2 * (control.length - HEADER)) / 3 + p;

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
  /** This worker's thread number (1, 2, ...). */
  thread: number;
  /** Tests only: the worker crashes in the middle of the search of this partition. */
  crashInPart?: number;
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
  thread: number,
  tick?: (part: number) => void,
  counted = false,
): void {
  let searching = counted;
  const count = (): void => {
    if (!searching) Atomics.add(control, SEARCHED, 1);
    searching = true;
  };
  const flagsOf = (p: number): number => Atomics.load(control, HEADER + p);
  const finish = (p: number, role: Role, outcome: SearchOutcome<S>): void => {
    Atomics.or(control, HEADER + p, flagsFor(role, outcome));
    report(p, role, outcome);
  };
  for (;;) {
    const claim = Atomics.add(control, NEXT, 1);
    if (claim < order.length) {
      const p = order[claim]!;
      if (parts[p]!.length === 0) continue;
      count();
      Atomics.store(control, ownerWord(control, p), thread);
      finish(p, 'owner', searchOwned(model, parts[p]!, p, control, deadline, limits, tick));
      continue;
    }
    const p = claimHelp(parts, order, control);
    if (p === -1) return;
    Atomics.store(control, helperWord(control, p), thread);
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

/** Searches partition `p` as its owner: both orders, steered by the flags other threads set. */
function searchOwned<S, I, O>(
  model: Model<S, I, O>,
  part: readonly Operation<I, O>[],
  p: number,
  control: Int32Array,
  deadline: number,
  limits: SearchLimits,
  tick?: (part: number) => void,
): SearchOutcome<S> {
  const owner: SearchControl = {
    poll() {
      tick?.(p);
      return ownerBits(control, p);
    },
  };
  return searchPartition(model, part, deadline, limits, owner);
}

/** What the owner of partition `p` learns from the flags other threads set (CONTROL bits). */
function ownerBits(control: Int32Array, p: number): number {
  const f = Atomics.load(control, HEADER + p);
  return (f & DECIDED ? CONTROL.stop : 0) | (f & HELPED ? CONTROL.dropCallOrder : 0) | (f & HELPER_STOPPED ? CONTROL.wholeBudget : 0);
}

/** The flags a finished search sets on its partition. */
function flagsFor(role: Role, outcome: SearchOutcome<unknown>): number {
  const stopped = isVerdict(outcome) ? DECIDED : outcome.result !== 'abandoned' ? (role === 'owner' ? OWNER_STOPPED : HELPER_STOPPED) : 0;
  return stopped | (role === 'owner' ? OWNER_DONE : 0);
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

/** How the pool runs: threads, when workers start, and what each worker may take. */
export interface PoolSettings {
  /** Threads that may search, this one included. */
  threads: number;
  /** How long a check runs on this thread alone before the workers start. */
  workersAfterMs: number;
  /** Node's resource limits of each worker (default: Node's own, the same heap as this thread's). */
  workerResourceLimits?: ResourceLimits;
  /** Tests only: a worker that owns this partition crashes in the middle of its search. */
  crashInPart?: number;
}

/** How a worker ended: it posted `done`, or died (of its heap running out, or otherwise). */
type WorkerEnd = { how: 'done' } | { how: 'out-of-memory'; heapLimitBytes: number } | { how: 'crashed'; error: string };

/**
 * Searches the partitions of a shipped model on this thread, and on up to `threads - 1` worker
 * threads once the check has run `workersAfterMs` undecided. A worker that cannot start leaves
 * its partitions to this thread; one that dies hands the partition it was searching back to this
 * thread (or, when its heap ran out, leaves it `out-of-memory`). Returns one outcome per partition,
 * how many threads searched, and how each worker that died did.
 */
export async function searchWithPool<S, I, O>(
  model: Model<S, I, O>,
  parts: readonly Operation<I, O>[][],
  spec: { name: ModelName; initial: unknown },
  deadline: number,
  limits: SearchLimits,
  settings: PoolSettings,
): Promise<{ outcomes: SearchOutcome<S>[]; threads: number; deaths: string[] }> {
  const order = parts.map((_, i) => i).sort((a, b) => parts[b]!.length - parts[a]!.length);
  const found: { role: Role; outcome: SearchOutcome<S> }[][] = parts.map(() => []);
  const report = (p: number, role: Role, outcome: SearchOutcome<S>): void => void found[p]!.push({ role, outcome });
  const workers: Worker[] = [];
  const ends = new Map<number, WorkerEnd>(); // by thread number
  let alive = 0;
  let changed = (): void => undefined;
  const startAt = performance.now() + settings.workersAfterMs;
  const start = (control: Int32Array): void => {
    const { Worker } = require('node:worker_threads') as typeof import('node:worker_threads');
    const useful = usefulWorkers(parts, order, control);
    const job: Omit<PoolJob, 'thread'> = {
      name: spec.name,
      initial: spec.initial,
      parts: parts.map((part, p) => (Atomics.load(control, HEADER + p) & OWNER_DONE ? [] : (part as Operation<unknown, unknown>[]))),
      order,
      control: control.buffer as SharedArrayBuffer,
      deadline: deadline === Infinity ? Infinity : performance.timeOrigin + deadline,
      limits,
      ...(settings.crashInPart !== undefined ? { crashInPart: settings.crashInPart } : {}),
    };
    for (let i = 0; i < Math.min(settings.threads - 1, useful); i++) {
      const thread = i + 1;
      let worker: Worker;
      try {
        worker = new Worker(new URL('./worker.js', import.meta.url), {
          workerData: { ...job, thread } satisfies PoolJob,
          ...(settings.workerResourceLimits ? { resourceLimits: settings.workerResourceLimits } : {}),
        });
      } catch {
        break;
      }
      workers.push(worker);
      alive++;
      const end = (how: WorkerEnd): void => {
        if (ends.has(thread)) return;
        ends.set(thread, how);
        alive--;
        changed();
      };
      worker.on('message', (m: PoolMessage) => {
        if ('done' in m) return end({ how: 'done' });
        report(m.part, m.role, m.outcome as SearchOutcome<S>);
        changed();
      });
      worker.once('error', (err: Error & { code?: string }) =>
        end(err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? { how: 'out-of-memory', heapLimitBytes: workerHeapLimit(settings.workerResourceLimits) } : { how: 'crashed', error: err.message }),
      );
      worker.once('exit', (code) => end({ how: 'crashed', error: `exit code ${code}` }));
    }
  };
  const died = (thread: number): WorkerEnd | undefined => {
    const end = thread > 0 ? ends.get(thread) : undefined;
    return end && end.how !== 'done' ? end : undefined;
  };
  const hasOwnerOutcome = (p: number): boolean => found[p]!.some((x) => x.role === 'owner' && x.outcome.result !== 'abandoned');
  // a partition is settled when a verdict came, or its owner's outcome and (if it had a helper still alive) the helper's
  const settled = (control: Int32Array, p: number): boolean => {
    const f = found[p]!;
    if (f.some((x) => isVerdict(x.outcome))) return true;
    if (!hasOwnerOutcome(p)) return false;
    return !(Atomics.load(control, HEADER + p) & HELPED) || f.some((x) => x.role === 'helper') || died(Atomics.load(control, helperWord(control, p))) !== undefined;
  };
  // a partition whose owner died before reporting it (or that nobody reported and no thread is left to)
  const lost = (control: Int32Array, p: number): boolean => !settled(control, p) && !hasOwnerOutcome(p) && (died(Atomics.load(control, ownerWord(control, p))) !== undefined || alive === 0);
  // hands a lost partition back: searched here as its owner, or out of memory if its worker's heap ran out
  const handBack = (control: Int32Array, p: number): void => {
    const end = died(Atomics.load(control, ownerWord(control, p)));
    Atomics.store(control, ownerWord(control, p), 0);
    if (end?.how === 'out-of-memory') {
      report(p, 'owner', { result: 'out-of-memory', longest: [], stuck: -1, statesBefore: [], steps: 0, cacheEntries: 0, cacheBytes: 0, heapLimitBytes: end.heapLimitBytes });
    } else {
      const outcome = searchOwned(model, parts[p]!, p, control, deadline, limits);
      if (isVerdict(outcome)) Atomics.or(control, HEADER + p, DECIDED);
      report(p, 'owner', outcome);
    }
    Atomics.or(control, HEADER + p, OWNER_DONE);
  };
  try {
    // this thread alone, claiming the partitions in order, until a search runs past workersAfterMs
    let pooled: Int32Array | undefined;
    for (let claimed = 0; claimed < order.length && !pooled; ) {
      const p = order[claimed++]!;
      const alone: SearchControl = {
        poll() {
          if (!pooled && settings.threads > 1 && performance.now() >= startAt) {
            pooled = wordsSoFar(parts.length, order, claimed, found);
            start(pooled);
          }
          return pooled ? ownerBits(pooled, p) : 0;
        },
      };
      const outcome = searchPartition(model, parts[p]!, deadline, limits, alone);
      if (pooled) Atomics.or(pooled, HEADER + p, flagsFor('owner', outcome));
      report(p, 'owner', outcome);
    }
    if (!pooled) return { outcomes: found.map((f) => f[0]!.outcome), threads: 1, deaths: [] };
    const control = pooled;
    searchShare(model, parts, order, control, deadline, limits, report, 0, undefined, true);
    // wait for the workers' outcomes (a worker still starting up is not waited for), searching
    // here any partition a dead worker lost, as soon as it is lost
    for (;;) {
      const p = parts.findIndex((_, q) => lost(control, q));
      if (p !== -1) {
        handBack(control, p);
        continue;
      }
      if (alive === 0 || parts.every((_, q) => settled(control, q))) break;
      await new Promise<void>((resolve) => {
        changed = resolve;
      });
    }
    const outcomes = parts.map((_, p) => merge(found[p]!)!);
    const deaths = [...ends].flatMap(([thread, end]) => (end.how === 'crashed' ? [`worker ${thread}: ${end.error}`] : end.how === 'out-of-memory' ? [`worker ${thread}: out of its heap (${end.heapLimitBytes} bytes)`] : []));
    return { outcomes, threads: 1 + Atomics.load(control, SEARCHED), deaths };
  } finally {
    for (const w of workers) void w.terminate();
  }
}

/** The heap a worker had: its old generation limit when one was given, else this thread's heap
 *  limit (a worker's default). */
function workerHeapLimit(limits: ResourceLimits | undefined): number {
  const { getHeapStatistics } = require('node:v8') as typeof import('node:v8');
  return limits?.maxOldGenerationSizeMb !== undefined ? limits.maxOldGenerationSizeMb * 1024 * 1024 : getHeapStatistics().heap_size_limit;
}

/** The control words when the workers start: the `claimed` first partitions of `order` are this
 *  thread's; those it finished are done (with their flags), the last one it still searches. */
function wordsSoFar<S>(parts: number, order: readonly number[], claimed: number, found: readonly { outcome: SearchOutcome<S> }[][]): Int32Array {
  const control = controlWords(parts);
  control[NEXT] = claimed;
  for (let c = 0; c < claimed; c++) {
    const p = order[c]!;
    control[ownerWord(control, p)] = 0;
    if (c < claimed - 1) control[HEADER + p] = flagsFor('owner', found[p]![0]!.outcome);
  }
  return control;
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
 *  worker died and it was not handed back yet). */
function merge<S>(found: readonly { role: Role; outcome: SearchOutcome<S> }[]): SearchOutcome<S> | undefined {
  const decided = found.find((f) => isVerdict(f.outcome));
  const owner = found.find((f) => f.role === 'owner' && f.outcome.result !== 'abandoned');
  const chosen = decided ?? owner;
  if (!chosen) return undefined;
  const sum = (key: 'steps' | 'cacheEntries' | 'cacheBytes'): number => found.reduce((s, f) => s + f.outcome[key], 0);
  const timedOut = !decided && found.some((f) => f.outcome.result === 'timeout');
  return { ...chosen.outcome, ...(timedOut ? { result: 'timeout' as const } : {}), steps: sum('steps'), cacheEntries: sum('cacheEntries'), cacheBytes: sum('cacheBytes') };
}
