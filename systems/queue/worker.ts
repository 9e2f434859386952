/**
 * The course's worker: polls the producer, simulates the work, completes or fails the task.
 * Env: QUEUE_URL (http://localhost:3000), WORKER_ID (worker-1), WORK_MIN_MS (1000),
 * WORK_MAX_MS (3000), FAILURE_RATE (0.2), POLL_INTERVAL_MS (1000, the sleep when idle or on error).
 * It sends its lease id and worker id back with /complete and /fail (see docs/system-queue.md).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { envInt, envNumber, envString } from '../common/env.js';

const queueUrl = envString('QUEUE_URL', 'http://localhost:3000').replace(/\/+$/, '');
const workerId = envString('WORKER_ID', 'worker-1');
const workMin = envInt('WORK_MIN_MS', 1000);
const workMax = Math.max(workMin, envInt('WORK_MAX_MS', 3000));
const failureRate = envNumber('FAILURE_RATE', 0.2, 1);
const pollMs = envInt('POLL_INTERVAL_MS', 1000);
const REQUEST_TIMEOUT_MS = 10_000;

interface LeasedTask {
  id: string;
  type: string;
  payload: unknown;
  leaseId?: string;
}

const log = (line: string) => process.stdout.write(`[${workerId}] ${line}\n`);

function field(payload: unknown, name: string): unknown {
  return payload !== null && typeof payload === 'object' ? (payload as Record<string, unknown>)[name] : undefined;
}

/** The course's results by task type; an unknown type fails like the course's worker. */
function perform(task: LeasedTask): unknown {
  switch (task.type) {
    case 'email':
      return { sent: true, to: field(task.payload, 'to') ?? null };
    case 'image':
      return { processed: true, url: field(task.payload, 'url') ?? null };
    case 'report':
      return { generated: true, format: 'pdf' };
    default:
      throw new Error(`Unknown task type: ${task.type}`);
  }
}

async function post(path: string, body: unknown): Promise<number> {
  const res = await fetch(`${queueUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  await res.text();
  return res.status;
}

async function once(): Promise<boolean> {
  const res = await fetch(`${queueUrl}/dequeue?workerId=${encodeURIComponent(workerId)}`, {
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  if (res.status === 204) {
    await res.text();
    return false;
  }
  if (res.status !== 200) throw new Error(`GET /dequeue answered ${res.status}: ${await res.text()}`);
  const task = (await res.json()) as LeasedTask;
  log(`processing ${task.id} (${task.type})`);
  await sleep(workMin + Math.floor(Math.random() * (workMax - workMin + 1)));
  const claim = { leaseId: task.leaseId, workerId };
  const id = encodeURIComponent(task.id);
  let path: string;
  let body: Record<string, unknown>;
  try {
    if (Math.random() < failureRate) throw new Error('Simulated failure');
    path = `/complete/${id}`;
    body = { result: perform(task), ...claim };
  } catch (err) {
    path = `/fail/${id}`;
    body = { error: (err as Error).message, ...claim };
  }
  const status = await post(path, body);
  log(`${path.startsWith('/complete') ? 'completed' : `failed (${String(body.error)})`} ${task.id}: ${status}`);
  return true;
}

let running = true;
const stop = () => {
  running = false;
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

log(`polling ${queueUrl} (work ${workMin}-${workMax} ms, failure rate ${failureRate})`);
while (running) {
  try {
    if (!(await once())) await sleep(pollMs);
  } catch (err) {
    const e = err as Error & { cause?: { message?: string } };
    log(`error: ${e.message}${e.cause?.message ? ` (${e.cause.message})` : ''}`);
    await sleep(pollMs);
  }
}
