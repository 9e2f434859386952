/**
 * The generator and the logical clients (Jepsen's client + generator). `concurrency` logical
 * clients run at once, sharing one target rate. Each op's `invoke` is recorded before it is
 * sent and its completion right after it ends; an op past its timeout completes as `info`, and
 * then the process is retired and a fresh one (id + concurrency) takes its place, as in Jepsen.
 */
import type { Random } from '../../core/random.js';
import type { ClientContext, NodeEndpoint, OpCall, OpGenerator, OpOutcome, Workload, WorkloadClient } from '../../core/workload.js';
import type { HistoryWriter } from './history.js';

export interface ClientsOptions {
  workload: Workload<unknown>;
  workloadOptions: unknown;
  generator: OpGenerator;
  nodes: readonly NodeEndpoint[];
  concurrency: number;
  /** Ops per second over all clients; 0 = no limit. */
  rate: number;
  timeoutMs: number;
  /** The run's root random source; every stream used here is forked from it by label. */
  random: Random;
  history: HistoryWriter;
  api?: string;
}

/** Spaces ops `1000 / rate` ms apart over all clients (no limit when rate is 0). */
export class RateLimiter {
  private next = 0;
  private readonly interval: number;

  constructor(rate: number) {
    this.interval = rate > 0 ? 1000 / rate : 0;
  }

  /** Milliseconds to wait before the next op may start. */
  take(): number {
    if (this.interval === 0) return 0;
    const now = performance.now();
    const slot = Math.max(now, this.next);
    this.next = slot + this.interval;
    return slot - now;
  }
}

/** The op stream of one process id: fixed by the seed and the id, whatever the timing. */
export function opRandom(root: Random, process: number): Random {
  return root.fork(`ops-${process}`);
}

interface Slot {
  process: number;
  client: WorkloadClient;
  random: Random;
  /** Reused from op to op until an op times out (the process is then retired anyway). */
  abort: AbortController;
}

export class Clients {
  private slots: Slot[] = [];
  private stopping = false;
  /** Set by interrupt(): ops in flight then end without a completion (pending: outcome unknown). */
  private interrupted = false;
  private wake: (() => void)[] = [];
  private readonly limiter: RateLimiter;
  private readonly retired: Promise<void>[] = [];

  constructor(private readonly options: ClientsOptions) {
    this.limiter = new RateLimiter(options.rate);
  }

  private async openSlot(process: number): Promise<Slot> {
    const { workload, workloadOptions, nodes, timeoutMs, random, api } = this.options;
    const context: ClientContext = { nodes, process, timeoutMs, random: random.fork(`client-${process}`), api };
    const client = new ReconnectingClient(() => workload.client(workloadOptions, context));
    await client.connect();
    return { process, client, random: opRandom(random, process), abort: new AbortController() };
  }

  /** Opens one client per logical slot (processes 0..concurrency-1). */
  async open(): Promise<void> {
    this.slots = await Promise.all(Array.from({ length: this.options.concurrency }, (_, i) => this.openSlot(i)));
  }

  /** Runs the main phase until `stop()`; resolves when every in-flight op completed. */
  async runMain(): Promise<void> {
    await Promise.all(this.slots.map((_, i) => this.loop(i)));
  }

  /** Ends the phase once every op in flight has completed (the time limit). */
  stop(): void {
    this.stopping = true;
    for (const w of this.wake.splice(0)) w();
  }

  /** Ends the phase now (Ctrl-C): ops in flight are given up on and stay pending in the history
   *  (an invoke with no completion, as in Jepsen: their outcome is unknown, and it is the harness
   *  that stopped waiting, not the system that failed to answer). */
  interrupt(): void {
    this.interrupted = true;
    this.stop();
    for (const slot of this.slots) slot.abort.abort();
  }

  /** Wakes the processes waiting for a rate slot, so that they ask the generator now (called
   *  when the generator has a time-critical op: at most `concurrency` ops start early). */
  hurry(): void {
    for (const w of this.wake.splice(0)) w();
  }

  /** Lets the clients run again after stop() (the final phase). */
  resume(): void {
    this.stopping = false;
  }

  private async loop(i: number): Promise<void> {
    const { generator, timeoutMs } = this.options;
    let sinceYield = 0;
    while (!this.stopping) {
      // a time-critical op (generator.urgent) starts now, outside the rate
      const delay = generator.urgent?.() ? 0 : this.limiter.take();
      if (delay >= 1) {
        await this.sleep(delay);
        sinceYield = 0;
      } else if (++sinceYield >= 32) {
        // A client that answers without I/O would otherwise starve timers (the time limit) forever.
        await new Promise((resolve) => setImmediate(resolve));
        sinceYield = 0;
      }
      if (this.stopping) break;
      const slot = this.slots[i]!;
      const call = generator.next(slot.process, slot.random);
      const outcome = await this.perform(slot, call, timeoutMs);
      if (outcome.type === 'info') await this.retire(i);
    }
  }

  /** The healed final phase: each logical client runs its final ops in order, then the ops the
   *  generator has for each node (`finalOnEachNode`), node j taken by logical client j % N. */
  async runFinal(timeoutMs: number): Promise<void> {
    const { generator, nodes } = this.options;
    await Promise.all(
      this.slots.map(async (_, i) => {
        const calls = generator.final(this.slots[i]!.process);
        if (generator.finalOnEachNode) {
          nodes.forEach((node, j) => {
            if (j % this.slots.length === i) calls.push(...generator.finalOnEachNode!(node.id));
          });
        }
        for (const call of calls) {
          if (this.stopping) break;
          const outcome = await this.perform(this.slots[i]!, call, timeoutMs);
          if (outcome.type === 'info') await this.retire(i);
        }
      }),
    );
  }

  private async perform(slot: Slot, call: OpCall, timeoutMs: number): Promise<OpOutcome> {
    const { history, generator } = this.options;
    const { process } = slot;
    history.record({ process, type: 'invoke', f: call.f, ...(call.key !== undefined && { key: call.key }), ...('value' in call && { value: call.value }), ...(call.node !== undefined && { node: call.node }) });
    if (slot.abort.signal.aborted) slot.abort = new AbortController();
    const outcome = await invokeWithTimeout(slot.client, call, timeoutMs, slot.abort);
    if (this.interrupted) return { type: 'info', error: 'interrupted' };
    history.record({
      process,
      type: outcome.type,
      f: call.f,
      ...(call.key !== undefined && { key: call.key }),
      ...('value' in outcome ? { value: outcome.value } : 'value' in call ? { value: call.value } : {}),
      ...(outcome.node !== undefined && { node: outcome.node }),
      ...(outcome.error !== undefined && { error: outcome.error }),
    });
    generator.update?.(process, call, outcome);
    return outcome;
  }

  /** After an `info` the process may still have a request in flight: a fresh process takes over. */
  private async retire(i: number): Promise<void> {
    const old = this.slots[i]!;
    this.retired.push(old.client.close().catch(() => undefined));
    this.slots[i] = await this.openSlot(old.process + this.options.concurrency);
  }

  /** Current process ids, one per logical client. */
  processes(): number[] {
    return this.slots.map((s) => s.process);
  }

  async close(): Promise<void> {
    await Promise.all([...this.slots.map((s) => s.client.close().catch(() => undefined)), ...this.retired]);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.wake = this.wake.filter((w) => w !== done);
        resolve();
      }, ms);
      this.wake.push(done);
    });
  }
}

/**
 * A workload client that may not be able to connect yet (its node killed, partitioned): the
 * connection is tried when the client is opened and again by each op until it works; an op
 * whose client cannot connect completes as `fail` (nothing was sent).
 */
export class ReconnectingClient implements WorkloadClient {
  private client: WorkloadClient | undefined;

  constructor(private readonly open: () => Promise<WorkloadClient>) {}

  /** Tries to connect now; a failure is left for the next op. */
  async connect(): Promise<void> {
    try {
      this.client ??= await this.open();
    } catch {
      // retried by invoke()
    }
  }

  async invoke(call: OpCall, signal: AbortSignal): Promise<OpOutcome> {
    if (!this.client) {
      try {
        this.client = await this.open();
      } catch (err) {
        return { type: 'fail', error: `client could not connect: ${(err as Error)?.message ?? String(err)}` };
      }
    }
    return this.client.invoke(call, signal);
  }

  async close(): Promise<void> {
    await this.client?.close();
  }
}

/** Runs one op; past `timeoutMs` it is aborted and completes as `info` (never `fail`). */
export function invokeWithTimeout(
  client: WorkloadClient,
  call: OpCall,
  timeoutMs: number,
  controller: AbortController = new AbortController(),
): Promise<OpOutcome> {
  return new Promise<OpOutcome>((resolve) => {
    // Aborted from outside (Clients.interrupt): given up on, whatever the client says after.
    // Listening before the client does, so this comes first.
    const onAbort = (): void => finish({ type: 'info', error: 'interrupted' });
    const finish = (outcome: OpOutcome): void => {
      clearTimeout(timer);
      controller.signal.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const timer = setTimeout(() => {
      finish({ type: 'info', error: `timeout after ${timeoutMs} ms` });
      controller.abort();
    }, timeoutMs);
    controller.signal.addEventListener('abort', onAbort, { once: true });
    client.invoke(call, controller.signal).then(finish, (err: unknown) =>
      finish({ type: 'info', error: `client error: ${(err as Error)?.message ?? String(err)}` }),
    );
  });
}
