/** The worker thread of `searchInParallel`: searches its partitions and posts the outcomes. */
import { parentPort, workerData } from 'node:worker_threads';
import { modelByName } from './models/index.js';
import type { WorkerJob } from './parallel.js';
import { searchPartition } from './search.js';

const job = workerData as WorkerJob;
const model = modelByName(job.name, job.initial);
const deadline = job.timeLimitMs === undefined ? Infinity : performance.now() + job.timeLimitMs;
parentPort?.postMessage(job.parts.map((part) => searchPartition(model, part, deadline, job.limits)));
