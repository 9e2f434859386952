/**
 * The producer's queue: leases, retries and the journal. Every state change is an event that is
 * appended to `<dataDir>/queue.jsonl` and fsynced before it is applied and answered, so an
 * acknowledged change survives a crash. On start the journal is replayed and rewritten compactly.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { JsonLog, writeFileDurably } from '../common/durable.js';
import { mutant } from '../common/mutants.js';
import { TaskTable, type QueueEvent, type QueueStats, type Task } from './tasks.js';

export const QUEUE_BUGS = ['no-lease', 'volatile'] as const;
export type QueueBug = (typeof QUEUE_BUGS)[number];

export interface ProducerOptions {
  /** Where the journal lives; unused with BUGS=volatile. */
  dataDir: string;
  leaseMs: number;
  maxRetries: number;
  bugs: ReadonlySet<QueueBug>;
  now?: () => number;
}

/** Why a /complete or /fail was refused. */
export type Refusal =
  | { kind: 'not-found' }
  | { kind: 'lease-lost'; reason: string; task: Task };

export type Outcome = { kind: 'done'; task: Task; duplicate: boolean } | Refusal;

export interface LeaseClaim {
  leaseId?: string;
  workerId?: string;
}

export class Producer {
  private readonly table = new TaskTable();
  private readonly journal: JsonLog<QueueEvent> | undefined;
  private readonly now: () => number;
  /** Events replayed from the journal on start (0 when volatile or new). */
  readonly recovered: number;

  constructor(private readonly options: ProducerOptions) {
    this.now = options.now ?? Date.now;
    if (options.bugs.has('volatile')) {
      this.recovered = 0;
      return;
    }
    const file = join(options.dataDir, 'queue.jsonl');
    const read = JsonLog.read<QueueEvent>(file);
    const events = mutant('queue-replay-drops-last') ? read.slice(0, -1) : read;
    for (const event of events) this.table.apply(event);
    if (mutant('queue-replay-requeues-done')) {
      for (const task of this.table.snapshot()) {
        if (task.status === 'completed') this.table.apply({ e: 'expire', id: task.id, leaseId: task.lastLease?.id ?? 'replay' });
      }
    }
    this.recovered = events.length;
    // Rewrite the journal as one snapshot per task: drops a torn last line and old history.
    const snapshot = this.table.snapshot().map((task) => JSON.stringify({ e: 'snapshot', task } satisfies QueueEvent));
    writeFileDurably(file, snapshot.length ? snapshot.join('\n') + '\n' : '');
    this.journal = new JsonLog<QueueEvent>(file, !mutant('queue-journal-no-fsync'));
  }

  private closed = false;

  /** Closes the journal; later calls do nothing. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.journal?.close();
  }

  stats(): QueueStats {
    return this.table.stats();
  }

  get(id: string): Task | undefined {
    return this.table.get(id);
  }

  enqueue(type: string, payload: unknown): Task {
    let id: string;
    do id = `task-${this.now()}-${randomBytes(6).toString('hex')}`;
    while (this.table.get(id));
    const createdAt = new Date(this.now()).toISOString();
    this.commit({ e: 'enqueue', task: { id, type, payload, createdAt, maxRetries: this.options.maxRetries } });
    return this.table.get(id)!;
  }

  /** Leases the oldest pending task, or undefined when none is pending. */
  dequeue(workerId: string | undefined): Task | undefined {
    this.expireLeases();
    const task = this.table.head();
    if (!task) return undefined;
    const expiresAt = this.options.bugs.has('no-lease') ? null : this.now() + this.options.leaseMs;
    const lease = { id: randomUUID(), expiresAt, ...(workerId !== undefined ? { workerId } : {}) };
    this.commit({ e: 'lease', id: task.id, lease });
    return task;
  }

  complete(id: string, claim: LeaseClaim, result: unknown): Outcome {
    return this.settle(id, claim, 'completed', (leaseId) => ({ e: 'complete', id, leaseId, result }));
  }

  fail(id: string, claim: LeaseClaim, error: unknown): Outcome {
    return this.settle(id, claim, 'failed', (leaseId) => ({ e: 'fail', id, leaseId, error }));
  }

  /** Returns every lease that has run out to pending; called before each request and on a timer. */
  expireLeases(): number {
    const expired = this.table.expired(this.now());
    for (const task of expired) this.commit({ e: 'expire', id: task.id, leaseId: task.lease!.id });
    return expired.length;
  }

  /**
   * The lease rule. With a leaseId: it must be the task's current lease (a repeat of the
   * request that already ended that lease the same way answers done, duplicate, and changes
   * nothing). Without one: the task must be processing, and when both the request and the
   * lease name a worker, the same worker. Everything else is a lost lease.
   */
  private settle(id: string, claim: LeaseClaim, outcome: 'completed' | 'failed', event: (leaseId: string) => QueueEvent): Outcome {
    this.expireLeases();
    const task = this.table.get(id);
    if (!task) return { kind: 'not-found' };
    const lease = task.lease;
    if (claim.leaseId !== undefined) {
      if (task.lastLease?.id === claim.leaseId && task.lastLease.outcome === outcome) {
        return { kind: 'done', task, duplicate: true };
      }
      if (task.status !== 'processing' || (lease?.id !== claim.leaseId && !mutant('queue-lease-check-skipped'))) {
        const why = task.lastLease?.id === claim.leaseId ? `lease ${task.lastLease.outcome}` : 'not the current lease';
        return { kind: 'lease-lost', reason: `${why}; task is ${task.status}`, task };
      }
    } else {
      if (task.status !== 'processing' || !lease) {
        return { kind: 'lease-lost', reason: `task is ${task.status}, not processing`, task };
      }
      if (claim.workerId !== undefined && lease.workerId !== undefined && claim.workerId !== lease.workerId) {
        return { kind: 'lease-lost', reason: `task is leased to ${lease.workerId}`, task };
      }
    }
    const settled = event(lease!.id);
    if (outcome === 'completed' && mutant('queue-complete-not-journaled')) this.table.apply(settled);
    else this.commit(settled);
    return { kind: 'done', task, duplicate: false };
  }

  private commit(event: QueueEvent): void {
    this.journal?.append(event);
    this.table.apply(event);
  }
}
