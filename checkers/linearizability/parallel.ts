import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Model, Operation } from './model.js';
import type { ModelName } from './models/index.js';
import { searchPartition, type SearchLimits, type SearchOutcome } from './search.js';

/** What a worker needs to search partitions of a shipped model. */
export interface WorkerJob {
  name: ModelName;
  initial: unknown;
  parts: Operation<unknown, unknown>[][];
  timeLimitMs: number | undefined;
  limits: SearchLimits;
}

export function shouldParallelize(parts: readonly Operation<unknown, unknown>[][]): boolean {
  return parts.length >= 2 && availableParallelism() >= 2;
}

/**
 * Searches the partitions on this thread and on one worker thread, the biggest first, split by
 * operation count. If the worker cannot start or fails, this thread searches its share too.
 */
export async function searchInParallel<S, I, O>(
  model: Model<S, I, O>,
  parts: readonly Operation<I, O>[][],
  spec: { name: ModelName; initial: unknown },
  timeLimitMs: number | undefined,
  limits: SearchLimits,
): Promise<{ outcomes: SearchOutcome<S>[]; threads: number }> {
  const started = performance.now();
  const deadline = timeLimitMs === undefined ? Infinity : started + timeLimitMs;
  const order = parts.map((_, i) => i).sort((a, b) => parts[b]!.length - parts[a]!.length);
  const mine: number[] = [];
  const theirs: number[] = [];
  let loadMine = 0;
  let loadTheirs = 0;
  for (const i of order) {
    // the worker starts later, so this thread takes the first (biggest) part
    if (loadMine <= loadTheirs) {
      mine.push(i);
      loadMine += parts[i]!.length;
    } else {
      theirs.push(i);
      loadTheirs += parts[i]!.length;
    }
  }
  const outcomes = new Array<SearchOutcome<S>>(parts.length);
  const job: WorkerJob = {
    name: spec.name,
    initial: spec.initial,
    parts: theirs.map((i) => parts[i]! as Operation<unknown, unknown>[]),
    timeLimitMs,
    limits,
  };
  let worker: Worker | undefined;
  let fromWorker: Promise<SearchOutcome<S>[]> | undefined;
  try {
    const w = new Worker(new URL('./worker.js', import.meta.url), { workerData: job });
    worker = w;
    fromWorker = new Promise<SearchOutcome<S>[]>((resolve, reject) => {
      w.once('message', (m: SearchOutcome<S>[]) => resolve(m));
      w.once('error', reject);
      w.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
    });
    fromWorker.catch(() => undefined); // handled below; avoid an unhandled rejection meanwhile
  } catch {
    fromWorker = undefined;
  }
  try {
    for (const i of mine) outcomes[i] = searchPartition(model, parts[i]!, deadline, limits);
    let theirOutcomes: SearchOutcome<S>[] | undefined;
    try {
      theirOutcomes = fromWorker ? await fromWorker : undefined;
    } catch {
      theirOutcomes = undefined;
    }
    theirs.forEach((i, k) => {
      outcomes[i] = theirOutcomes?.[k] ?? searchPartition(model, parts[i]!, deadline, limits);
    });
    return { outcomes, threads: theirOutcomes ? 2 : 1 };
  } finally {
    await worker?.terminate();
  }
}
