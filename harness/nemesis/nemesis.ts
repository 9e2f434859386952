/**
 * The nemesis: runs the planned faults at their times, one action at a time (Jepsen's single
 * nemesis process), and records each as a `nemesis` invoke + info pair. A fault that fails to
 * apply is recorded as info with the error and the run goes on. `healAll()` ends every fault
 * still active (the final phase runs on a healed cluster).
 */
import type { NewOp } from '../run/history.js';
import { planPartition, type PartitionPlan } from '../network/partitions.js';
import type { Grudge, LinkSelection, Network, PartitionMode } from '../network/network.js';
import type { Random } from '../../core/random.js';
import type { Runtime } from '../runtime/runtime.js';
import { describeLinks, pickTargets, type PlannedFault } from './plan.js';
import type { LinkSet } from '../campaign/schema.js';

export interface NemesisDeps {
  plan: readonly PlannedFault[];
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
}

interface Active {
  fault: PlannedFault;
  describe: string;
  undo: () => Promise<void>;
  /** For a partition that was applied: what it cut. */
  cut?: { grudge: Grudge; mode: PartitionMode };
}

export class Nemesis {
  private timers: NodeJS.Timeout[] = [];
  private chain: Promise<void> = Promise.resolve();
  private readonly active = new Map<number, Active>();
  private stopped = false;

  constructor(private readonly deps: NemesisDeps) {}

  /** Schedules every fault relative to now. */
  start(): void {
    for (const fault of this.deps.plan) {
      this.timers.push(setTimeout(() => this.enqueue(() => this.begin(fault)), fault.at));
      this.timers.push(setTimeout(() => this.enqueue(() => this.end(fault.id)), fault.at + fault.duration));
    }
  }

  /** Descriptions of the faults in force now. */
  activeFaults(): string[] {
    return [...this.active.values()].map((a) => a.describe);
  }

  private enqueue(action: () => Promise<void>): void {
    if (this.stopped) return;
    this.chain = this.chain.then(action, action);
  }

  /** Cancels what has not started yet and ends every active fault. With `restart: false`
   *  (a run being torn down) killed nodes stay down. */
  async healAll(options: { restart?: boolean } = {}): Promise<void> {
    const restart = options.restart ?? true;
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    await this.chain.catch(() => undefined);
    for (const id of [...this.active.keys()].reverse()) {
      if (!restart && this.active.get(id)?.fault.type === 'kill') continue;
      await this.end(id);
    }
    // Belt and braces: whatever the records say, leave the cluster whole.
    await this.deps.network.heal().catch(() => undefined);
    await this.deps.network.clearToxics().catch(() => undefined);
    for (const node of this.deps.nodes) {
      const state = this.deps.runtime.state(node);
      if (state === 'paused') await this.act('resume', { nodes: [node] }, node, () => this.deps.runtime.resume(node));
      if (state === 'stopped' && restart) await this.act('restart', { nodes: [node] }, node, () => this.restart(node));
    }
  }

  private async act(f: string, value: unknown, node: string | undefined, apply: () => Promise<unknown>): Promise<boolean> {
    const base: NewOp = { process: 'nemesis', type: 'invoke', f, value, ...(node !== undefined && { node }) };
    this.deps.record(base);
    try {
      await apply();
      this.deps.record({ ...base, type: 'info' });
      this.deps.onEvent?.(`nemesis: ${f} ${describeValue(value)}`);
      return true;
    } catch (err) {
      const error = (err as Error)?.message ?? String(err);
      this.deps.record({ ...base, type: 'info', error });
      this.deps.onEvent?.(`nemesis: ${f} ${describeValue(value)} failed: ${error}`);
      return false;
    }
  }

  private async restart(node: string): Promise<void> {
    await this.deps.runtime.restart(node);
    await this.deps.runtime.waitHealthy(node, this.deps.healthTimeoutMs, this.deps.signal);
  }

  private targets(fault: PlannedFault & { type: 'kill' | 'pause' }): string[] {
    if (fault.nodes) return fault.nodes;
    const leader = this.deps.leader();
    if (!leader) throw new Error('no leader known (the status monitor saw none)');
    if (fault.targets === 'leader') return [leader];
    const rest = this.deps.nodes.filter((n) => n !== leader);
    return rest.length ? rest : (pickTargets('one', this.deps.nodes, this.deps.random) ?? []);
  }

  private async begin(fault: PlannedFault): Promise<void> {
    const { network, runtime } = this.deps;
    switch (fault.type) {
      case 'partition': {
        let plan: PartitionPlan | undefined = fault.partition;
        const value: Record<string, unknown> = { shape: fault.shape, mode: fault.mode };
        const ok = await this.act('start-partition', value, undefined, async () => {
          if (fault.error) throw new Error(fault.error);
          if (!plan) {
            const leader = this.deps.leader();
            if (!leader) throw new Error('no leader known (the status monitor saw none)');
            plan = planPartition(fault.shape, this.deps.nodes, this.deps.random.fork(`partition-${fault.id}`), { leader });
          }
          value.grudge = plan.grudge;
          value.components = plan.components;
          value.description = plan.description;
          await network.partition(plan.grudge, fault.mode);
        });
        // A failed start may still have cut some links: ending it heals them either way.
        const grudge = plan?.grudge;
        this.active.set(fault.id, {
          fault,
          ...(ok && grudge && { cut: { grudge, mode: fault.mode } }),
          describe: `partition ${fault.shape}${plan ? ` (${plan.description})` : ''}${ok ? '' : ' [failed]'}`,
          undo: async () => {
            await this.act('stop-partition', { shape: fault.shape, ...(grudge && { grudge }) }, undefined, () => this.healPartition(fault.id));
          },
        });
        return;
      }
      case 'kill':
      case 'pause': {
        const verb = fault.type;
        let nodes: string[];
        try {
          nodes = this.targets(fault);
        } catch (err) {
          await this.act(verb, { targets: fault.targets }, undefined, () => Promise.reject(err));
          return;
        }
        // Only the nodes really killed/paused are restarted/resumed when the fault ends.
        const hit: string[] = [];
        await this.act(verb, { nodes }, nodes[0], async () => {
          for (const n of nodes) {
            await (verb === 'kill' ? runtime.kill(n) : runtime.pause(n));
            hit.push(n);
          }
        });
        if (hit.length === 0) return;
        nodes = hit;
        const undoVerb = verb === 'kill' ? 'restart' : 'resume';
        this.active.set(fault.id, {
          fault,
          describe: `${verb} ${nodes.join(' ')}`,
          undo: async () => {
            await this.act(undoVerb, { nodes }, nodes[0], async () => {
              const errors: string[] = [];
              for (const n of nodes) {
                try {
                  if (verb === 'kill') await this.restart(n);
                  else await runtime.resume(n);
                } catch (err) {
                  errors.push(`${n}: ${(err as Error).message}`);
                }
              }
              if (errors.length) throw new Error(errors.join('; '));
            });
          },
        });
        return;
      }
      case 'latency':
      case 'bandwidth':
      case 'reset-peer':
      case 'slicer': {
        const links: LinkSelection = fault.links;
        const { id: _id, at: _at, duration: _duration, type, ...value } = fault;
        // Each fault's toxics carry its id, so faults that overlap on a link add up and ending
        // one leaves the others in force.
        const tag = `fault${fault.id}`;
        const apply = (): Promise<void> => {
          switch (fault.type) {
            case 'latency':
              return network.latency(links, { latency: fault.ms, jitter: fault.jitter, tag });
            case 'bandwidth':
              return network.bandwidth(links, { rate: fault.rate, tag });
            case 'reset-peer':
              return network.resetPeer(links, { timeout: fault.timeout, tag });
            case 'slicer':
              return network.slicer(links, { averageSize: fault.average_size, sizeVariation: fault.size_variation, delay: fault.delay, tag });
          }
        };
        const ok = await this.act(`start-${type}`, value, undefined, apply);
        this.active.set(fault.id, {
          fault,
          describe: `${type} ${describeValue(value)}${ok ? '' : ' [failed]'}`,
          undo: async () => {
            await this.act(`stop-${type}`, { links: fault.links }, undefined, () => network.clearToxics(links, tag));
          },
        });
        return;
      }
    }
  }

  /** Heals a partition unless a later one replaced it (that one is then healed by its own end). */
  /** Ends partition `id`: nothing to do if a later one replaced it; an earlier one still in force
   *  is put back; otherwise the network is healed. */
  private async healPartition(id: number): Promise<void> {
    const inForce = [...this.active.values()].filter((a) => a.cut);
    if (inForce.some((a) => a.fault.id > id)) return;
    const earlier = inForce.sort((a, b) => a.fault.id - b.fault.id).at(-1);
    if (earlier?.cut) await this.deps.network.partition(earlier.cut.grudge, earlier.cut.mode);
    else await this.deps.network.heal();
  }

  private async end(id: number): Promise<void> {
    const active = this.active.get(id);
    if (!active) return;
    this.active.delete(id);
    await active.undo();
  }

  /** Stops the schedule without healing (used when the run is torn down anyway). */
  cancel(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }
}

function describeValue(value: unknown): string {
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (typeof v.description === 'string') return `${String(v.shape)} ${v.description}`;
    if (Array.isArray(v.nodes)) return v.nodes.join(' ');
    if (typeof v.shape === 'string') return v.shape;
    if (typeof v.targets === 'string') return v.targets;
    if (v.links === undefined) return '';
    const on = typeof v.links === 'string' ? v.links : describeLinks(v.links as LinkSet);
    if (typeof v.ms === 'number') return `${v.ms}ms on ${on}`;
    if (typeof v.rate === 'number') return `${v.rate}KB/s on ${on}`;
    if (typeof v.timeout === 'number') return `after ${v.timeout}ms on ${on}`;
    if (typeof v.average_size === 'number') return `${v.average_size} bytes on ${on}`;
    return `on ${on}`;
  }
  return '';
}

