/**
 * The nemesis: runs the planned faults at their times, one action at a time (Jepsen's single
 * nemesis process), and records each as a `nemesis` invoke + info pair. A fault that fails to
 * apply is recorded as info with the error and the run goes on. `healAll()` ends every fault
 * still active (the final phase runs on a healed cluster).
 */
import type { ActiveFault, FaultContext, PlannedFault } from '../../core/fault.js';
import type { Random } from '../../core/random.js';
import type { FaultRegistry } from '../faults/registry.js';
import type { Network } from '../network/network.js';
import type { NewOp } from '../run/history.js';
import type { Runtime } from '../runtime/runtime.js';

export interface NemesisDeps {
  plan: readonly PlannedFault[];
  /** The faults the plan names (the campaign's registry). */
  faults: FaultRegistry;
  runtime: Runtime;
  network: Network;
  nodes: readonly string[];
  record: (op: NewOp) => void;
  /** The current leader as the status monitor last saw it. */
  leader: () => string | undefined;
  random: Random;
  /** How long a restarted node has to answer its health check. */
  healthTimeoutMs: number;
  /** Ctrl-C: a restart stops waiting for its node's health check (so a stop is never held up by it). */
  signal?: AbortSignal | undefined;
  /** Told about every fault started or ended (for progress lines). */
  onEvent?: (line: string) => void;
  /** What a planned fault does, decided when it starts (the adaptive mode chooses its slots'
   *  faults here, harness/nemesis/adaptive.ts); default: as planned. */
  decide?: (fault: PlannedFault) => PlannedFault;
}

interface Active {
  fault: PlannedFault;
  started: ActiveFault;
}

export class Nemesis {
  private timers: NodeJS.Timeout[] = [];
  private chain: Promise<void> = Promise.resolve();
  private readonly active = new Map<number, Active>();
  private stopped = false;
  /** What the faults of one kind keep for the run (the partitions in force), by fault type. */
  private readonly shared = new Map<string, unknown>();

  constructor(private readonly deps: NemesisDeps) {}

  /** What a fault of `type` gets when it starts. */
  private contextFor(type: string): FaultContext {
    const { deps } = this;
    return {
      nodes: deps.nodes,
      network: deps.network,
      runtime: deps.runtime,
      random: deps.random,
      leader: deps.leader,
      healthTimeoutMs: deps.healthTimeoutMs,
      signal: deps.signal,
      act: (f, value, node, apply, describe) => this.act(f, value, node, apply, describe),
      shared: <T>(init: () => T): T => {
        if (!this.shared.has(type)) this.shared.set(type, init());
        return this.shared.get(type) as T;
      },
      sleep: (ms) => this.sleep(ms),
    };
  }

  /** Sleepers of faults made of steps: woken (false) when the nemesis stops. */
  private readonly sleepers = new Set<(slept: boolean) => void>();

  private sleep(ms: number): Promise<boolean> {
    if (this.stopped || this.deps.signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const wake = (slept: boolean) => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        this.deps.signal?.removeEventListener('abort', onAbort);
        resolve(slept);
      };
      const onAbort = () => wake(false);
      const timer = setTimeout(() => wake(true), ms);
      this.sleepers.add(wake);
      this.deps.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private wakeSleepers(): void {
    for (const wake of [...this.sleepers]) wake(false);
  }

  /** Schedules every fault relative to now. */
  start(): void {
    for (const fault of this.deps.plan) {
      this.timers.push(setTimeout(() => this.enqueue(() => this.begin(fault)), fault.at));
      this.timers.push(setTimeout(() => this.enqueue(() => this.end(fault.id)), fault.at + fault.duration));
    }
  }

  /** Descriptions of the faults in force now. */
  activeFaults(): string[] {
    return [...this.active.values()].map((a) => a.started.describe);
  }

  private enqueue(action: () => Promise<void>): void {
    if (this.stopped) return;
    this.chain = this.chain.then(action, action);
  }

  /** Cancels what has not started yet and ends every active fault. With `restart: false`
   *  (a run being torn down) killed nodes stay down. */
  async healAll(options: { restart?: boolean } = {}): Promise<void> {
    const restart = options.restart ?? true;
    this.cancel();
    await this.chain.catch(() => undefined);
    for (const id of [...this.active.keys()].reverse()) await this.end(id, { restart });
    // Belt and braces: whatever the records say, leave the cluster whole.
    await this.deps.network.heal().catch(() => undefined);
    await this.deps.network.clearToxics().catch(() => undefined);
    for (const node of this.deps.nodes) {
      const state = this.deps.runtime.state(node);
      if (state === 'paused') await this.act('resume', { nodes: [node] }, node, () => this.deps.runtime.resume(node));
      if (state === 'stopped' && restart) await this.act('restart', { nodes: [node] }, node, () => this.restart(node));
    }
  }

  private async act(f: string, value: Record<string, unknown>, node: string | undefined, apply: () => Promise<unknown>, describe: () => string = () => nodesOf(value)): Promise<boolean> {
    const base: NewOp = { process: 'nemesis', type: 'invoke', f, value, ...(node !== undefined && { node }) };
    this.deps.record(base);
    try {
      await apply();
      this.deps.record({ ...base, type: 'info' });
      this.deps.onEvent?.(`nemesis: ${f} ${describe()}`);
      return true;
    } catch (err) {
      const error = (err as Error)?.message ?? String(err);
      this.deps.record({ ...base, type: 'info', error });
      this.deps.onEvent?.(`nemesis: ${f} ${describe()} failed: ${error}`);
      return false;
    }
  }

  private async restart(node: string): Promise<void> {
    await this.deps.runtime.restart(node);
    await this.deps.runtime.waitHealthy(node, this.deps.healthTimeoutMs, this.deps.signal);
  }

  private async begin(planned: PlannedFault): Promise<void> {
    const fault = this.deps.decide?.(planned) ?? planned;
    const started = await this.deps.faults.require(fault.type).start(fault, this.contextFor(fault.type));
    if (started) this.active.set(fault.id, { fault, started });
  }

  private async end(id: number, how: { restart: boolean } = { restart: true }): Promise<void> {
    const active = this.active.get(id);
    if (!active) return;
    this.active.delete(id);
    await active.started.end(how);
  }

  /** Stops the schedule without healing (used when the run is torn down anyway). */
  cancel(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    this.wakeSleepers();
  }
}

/** The nodes a nemesis op names, for event lines. */
function nodesOf(value: Record<string, unknown>): string {
  return Array.isArray(value.nodes) ? value.nodes.join(' ') : '';
}
