/**
 * The queue's state, changed only by applying events. The producer writes an event to its
 * journal (fsync) before it applies it and answers, and replays the journal on start; replaying
 * the same events always rebuilds the same state.
 */
import { mutant } from '../common/mutants.js';

export type TaskStatus = 'pending' | 'processing' | 'completed' | 'failed';

export interface Lease {
  id: string;
  workerId?: string;
  /** Epoch ms; null when leases never expire (BUGS=no-lease). */
  expiresAt: number | null;
}

export interface Task {
  id: string;
  type: string;
  payload: unknown;
  status: TaskStatus;
  createdAt: string;
  retries: number;
  maxRetries: number;
  result?: unknown;
  error?: unknown;
  /** The current lease while `processing`. */
  lease?: Lease;
  /** How the last lease ended, so a repeated /complete or /fail of that lease is recognised. */
  lastLease?: { id: string; outcome: 'completed' | 'failed' | 'expired' };
}

export type QueueEvent =
  | { e: 'enqueue'; task: Pick<Task, 'id' | 'type' | 'payload' | 'createdAt' | 'maxRetries'> }
  | { e: 'lease'; id: string; lease: Lease }
  | { e: 'complete'; id: string; leaseId: string; result: unknown }
  | { e: 'fail'; id: string; leaseId: string; error: unknown }
  | { e: 'expire'; id: string; leaseId: string }
  /** A whole task as it was when the journal was compacted. */
  | { e: 'snapshot'; task: Task };

export interface QueueStats {
  pending: number;
  processing: number;
  completed: number;
  failed: number;
}

export class TaskTable {
  readonly all = new Map<string, Task>();
  /** Pending tasks in queue order (a Map keeps insertion order; re-queueing moves to the end). */
  private readonly pending = new Map<string, Task>();
  private readonly processing = new Map<string, Task>();
  private completed = 0;
  private failed = 0;

  stats(): QueueStats {
    return { pending: this.pending.size, processing: this.processing.size, completed: this.completed, failed: this.failed };
  }

  get(id: string): Task | undefined {
    return this.all.get(id);
  }

  /** The task a dequeue would hand out next. */
  head(): Task | undefined {
    for (const task of this.pending.values()) return task;
    return undefined;
  }

  /** Leases whose time has run out at `now`. */
  expired(now: number): Task[] {
    const out: Task[] = [];
    for (const task of this.processing.values()) {
      const at = task.lease?.expiresAt;
      if (at !== null && at !== undefined && at <= now) out.push(task);
    }
    return out;
  }

  /** Every task in an order whose replay as snapshots rebuilds this table (pending last, in order). */
  snapshot(): Task[] {
    const rest = [...this.all.values()].filter((t) => t.status !== 'pending');
    return [...rest, ...this.pending.values()];
  }

  apply(event: QueueEvent): void {
    switch (event.e) {
      case 'enqueue': {
        const task: Task = { ...event.task, status: 'pending', retries: 0 };
        this.all.set(task.id, task);
        this.pending.set(task.id, task);
        return;
      }
      case 'snapshot': {
        const task = structuredClone(event.task);
        this.all.set(task.id, task);
        this.place(task);
        return;
      }
      case 'lease': {
        const task = this.must(event.id);
        this.pending.delete(task.id);
        task.status = 'processing';
        task.lease = { ...event.lease };
        this.processing.set(task.id, task);
        return;
      }
      case 'complete': {
        const task = this.must(event.id);
        this.processing.delete(task.id);
        task.status = 'completed';
        task.result = event.result;
        delete task.lease;
        task.lastLease = { id: event.leaseId, outcome: 'completed' };
        this.completed++;
        return;
      }
      case 'fail': {
        const task = this.must(event.id);
        this.processing.delete(task.id);
        delete task.lease;
        task.lastLease = { id: event.leaseId, outcome: 'failed' };
        task.error = event.error;
        task.retries++;
        if (task.retries >= task.maxRetries) {
          task.status = 'failed';
          this.failed++;
        } else {
          task.status = 'pending';
          this.pending.set(task.id, task);
        }
        return;
      }
      case 'expire': {
        const task = this.must(event.id);
        this.processing.delete(task.id);
        delete task.lease;
        task.lastLease = { id: event.leaseId, outcome: 'expired' };
        task.status = 'pending';
        if (!mutant('queue-expire-drops-task')) this.pending.set(task.id, task);
        return;
      }
    }
  }

  private place(task: Task): void {
    if (task.status === 'pending') this.pending.set(task.id, task);
    else if (task.status === 'processing') this.processing.set(task.id, task);
    else if (task.status === 'completed') this.completed++;
    else this.failed++;
  }

  private must(id: string): Task {
    const task = this.all.get(id);
    if (!task) throw new Error(`journal refers to unknown task ${id}`);
    return task;
  }
}

/** A task as the API shows it: the course's fields plus the lease (our extension). */
export function taskView(task: Task): Record<string, unknown> {
  const { id, type, payload, status, createdAt, retries, maxRetries, result, error, lease } = task;
  const view: Record<string, unknown> = { id, type, payload, status, createdAt, retries, maxRetries };
  if (result !== undefined) view.result = result;
  if (error !== undefined) view.error = error;
  if (lease) {
    view.leaseId = lease.id;
    view.leaseExpiresAt = lease.expiresAt === null ? null : new Date(lease.expiresAt).toISOString();
    if (lease.workerId !== undefined) view.workerId = lease.workerId;
  }
  return view;
}
