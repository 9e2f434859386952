/** A client for the course's work queue (`POST /task`, `GET /dequeue`, `POST /complete/{id}`, `GET /stats`). */
import type { ClientContext, NodeEndpoint, OpCall, OpOutcome, WorkloadClient } from '../../core/workload.js';
import { describeAnswer, HttpClient, type HttpResult } from '../http.js';
import { transportOutcome } from '../outcome.js';
import { isQueueTask, type QueueOptions, type QueueTask } from './options.js';

export interface QueueStats {
  pending: number;
  processing: number;
  completed: number;
  failed: number;
}

function field(body: unknown, name: string): unknown {
  return body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
}

function toStats(body: unknown): QueueStats | undefined {
  const out: Record<string, number> = {};
  for (const k of ['pending', 'processing', 'completed', 'failed']) {
    const v = field(body, k);
    if (typeof v !== 'number') return undefined;
    out[k] = v;
  }
  return out as unknown as QueueStats;
}

/** The task a dequeue answer carries, as `{taskId, payload}`; payloads that are not strings are JSON-encoded. */
function toTask(body: unknown): QueueTask | undefined {
  const id = field(body, 'id') ?? field(body, 'taskId');
  if (typeof id !== 'string') return undefined;
  const payload = field(body, 'payload');
  return { taskId: id, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) };
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

export class QueueClient implements WorkloadClient {
  private readonly http = new HttpClient();
  private readonly node: NodeEndpoint;
  private readonly workerId: string;
  /** The lease each dequeued task came with (a course extension), sent back with its /complete. */
  private readonly leases = new Map<string, string>();

  constructor(
    private readonly options: QueueOptions,
    private readonly context: ClientContext,
  ) {
    if (context.nodes.length === 0) throw new Error('queue client: no nodes to talk to');
    this.node = context.nodes[context.process % context.nodes.length]!;
    this.workerId = `faultline-${context.process}`;
  }

  private send(method: 'GET' | 'POST', path: string, signal: AbortSignal, body?: unknown): Promise<HttpResult> {
    return this.http.request(this.node.url.replace(/\/+$/, '') + path, { method, body, signal, timeoutMs: this.context.timeoutMs });
  }

  async invoke(call: OpCall, signal: AbortSignal): Promise<OpOutcome> {
    const outcome = await this.dispatch(call, signal);
    return { node: this.node.id, ...outcome };
  }

  private async dispatch(call: OpCall, signal: AbortSignal): Promise<OpOutcome> {
    switch (call.f) {
      case 'enqueue':
        return this.enqueue(call, signal);
      case 'dequeue':
        return this.dequeue(signal);
      case 'complete':
        return this.complete(call.value, signal);
      case 'abandon':
        if (!isQueueTask(call.value)) return { type: 'fail', error: 'abandon: no task given' };
        this.leases.delete(call.value.taskId);
        return { type: 'ok', value: call.value };
      case 'drain':
        return this.drain(signal);
      case 'stats':
        return this.stats(signal);
      default:
        return { type: 'fail', error: `queue: unknown op "${call.f}"` };
    }
  }

  private async enqueue(call: OpCall, signal: AbortSignal): Promise<OpOutcome> {
    if (typeof call.value !== 'string') return { type: 'fail', error: 'enqueue: the payload must be a string' };
    const r = await this.send('POST', '/task', signal, { type: this.options.taskType, payload: call.value });
    if (r.kind === 'error') return transportOutcome(r, this.node.id);
    const taskId = field(r.body, 'taskId');
    if (r.status >= 200 && r.status < 300 && typeof taskId === 'string') return { type: 'ok', value: { taskId, payload: call.value } };
    return { type: r.status >= 400 && r.status < 500 ? 'fail' : 'info', error: describeAnswer(r.status, r.body) };
  }

  private async dequeue(signal: AbortSignal): Promise<OpOutcome> {
    const r = await this.send('GET', `/dequeue?workerId=${encodeURIComponent(this.workerId)}`, signal);
    if (r.kind === 'error') return transportOutcome(r, this.node.id);
    if (r.status === 204) return { type: 'ok', value: null };
    if (r.status === 200) {
      const task = toTask(r.body);
      // The task left the queue, but we cannot say which one: unknown.
      if (!task) return { type: 'info', error: 'dequeue: answer without a task id' };
      const leaseId = field(r.body, 'leaseId');
      if (typeof leaseId === 'string') this.leases.set(task.taskId, leaseId);
      return { type: 'ok', value: task };
    }
    return { type: r.status >= 400 && r.status < 500 ? 'fail' : 'info', error: describeAnswer(r.status, r.body) };
  }

  private async complete(value: unknown, signal: AbortSignal): Promise<OpOutcome> {
    if (!isQueueTask(value)) return { type: 'fail', error: 'complete: no task given' };
    const leaseId = this.leases.get(value.taskId);
    this.leases.delete(value.taskId);
    const body = { result: { done: value.payload }, workerId: this.workerId, ...(leaseId ? { leaseId } : {}) };
    const r = await this.send('POST', `/complete/${encodeURIComponent(value.taskId)}`, signal, body);
    if (r.kind === 'error') return { ...transportOutcome(r, this.node.id), value };
    if (r.status >= 200 && r.status < 300) return { type: 'ok', value };
    // 409: the lease was lost (another worker has it); 404: the queue no longer knows the task.
    const type = r.status >= 400 && r.status < 500 ? 'fail' : 'info';
    return { type, value, error: describeAnswer(r.status, r.body) };
  }

  private async stats(signal: AbortSignal): Promise<OpOutcome> {
    const r = await this.send('GET', '/stats', signal);
    if (r.kind === 'error') return { type: 'fail', error: r.error };
    const stats = r.status === 200 ? toStats(r.body) : undefined;
    return stats ? { type: 'ok', value: stats } : { type: 'fail', error: describeAnswer(r.status, r.body) };
  }

  /**
   * Dequeues and completes until the queue is empty and nothing is `processing` (leased tasks
   * come back when their lease runs out), or until `drain.timeoutMs` passes. A task that stays
   * `processing` past it is left for the checker to call stuck.
   */
  private async drain(signal: AbortSignal): Promise<OpOutcome> {
    const drained: QueueTask[] = [];
    const deadline = Date.now() + this.options.drain.timeoutMs;
    let lastError: string | undefined;
    while (!signal.aborted) {
      const d = await this.dequeue(signal);
      if (d.type === 'ok' && isQueueTask(d.value)) {
        const c = await this.complete(d.value, signal);
        if (c.type === 'ok') drained.push(d.value);
        else lastError = c.error;
        continue;
      }
      if (d.type !== 'ok') lastError = d.error;
      // Empty (or erroring): done once nothing is in flight, else wait for leases to expire.
      const s = await this.stats(signal);
      const stats = s.type === 'ok' ? (s.value as QueueStats) : undefined;
      if (stats && stats.pending === 0 && stats.processing === 0) return { type: 'ok', value: drained };
      if (Date.now() >= deadline) {
        return { type: 'ok', value: drained, ...(lastError ? { error: `drain stopped after ${this.options.drain.timeoutMs} ms: ${lastError}` } : {}) };
      }
      await sleep(this.options.drain.pollMs, signal);
    }
    // Cut short by the harness: what was drained is known, whether more would have been is not.
    return { type: 'info', value: drained, error: 'drain aborted' };
  }

  async close(): Promise<void> {
    this.http.close();
  }
}
