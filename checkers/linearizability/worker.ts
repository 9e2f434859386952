/** A worker thread of the pool (pool.ts): claims and searches partitions, posts each outcome. */
import { parentPort, workerData } from 'node:worker_threads';
import { modelByName } from './models/index.js';
import { searchShare, type PoolJob, type PoolMessage } from './pool.js';

const job = workerData as PoolJob;
const model = modelByName(job.name, job.initial);
const deadline = job.deadline === Infinity ? Infinity : job.deadline - performance.timeOrigin;
const post = (m: PoolMessage): void => parentPort?.postMessage(m);
// the test hook: a crash in the middle of a search (between two of its slices)
const crash = (part: number): void => {
  if (part === job.crashInPart) throw new Error(`worker ${job.thread} crashed on purpose searching partition ${part} (test hook)`);
};
searchShare(model, job.parts, job.order, new Int32Array(job.control), deadline, job.limits, (part, role, outcome) => post({ part, role, outcome }), job.thread, job.crashInPart === undefined ? undefined : crash);
post({ done: true });
