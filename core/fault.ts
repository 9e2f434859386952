/**
 * The fault contract: one module per kind of fault (partition, kill, latency, ...), as Jepsen's
 * nemesis packages and Toxiproxy's toxics are. A fault owns its campaign options (a zod object),
 * how it is planned from the seed, how it starts and ends (start returns its undo), how it is
 * described (plan lines, catalog, op names) and how the report draws it. The campaign schema,
 * the plan, the nemesis, `faultline list nemeses` and the report read only a registry of these.
 */
import type { z } from 'zod';
import type { Random } from './random.js';

/** A fault entry of a campaign, once parsed: its `type` and its own options. */
export interface FaultSpec {
  type: string;
  [option: string]: unknown;
}

/** A fault the plan fixed: when it starts, how long it lasts, and what its module planned. */
export type PlannedFault<Planned extends object = Record<string, unknown>> = {
  /** Position in the run's schedule (faults numbered in the order they start). */
  id: number;
  /** Milliseconds after the main phase started. */
  at: number;
  duration: number;
  type: string;
} & Planned;

/** Which links a toxic fault acts on (structurally the network layer's LinkSelection). */
export type LinkSelection =
  | 'all'
  | 'peers'
  | 'clients'
  | {
      peers?: 'all' | readonly (readonly [string, string])[];
      clients?: 'all' | readonly string[];
      touching?: readonly string[];
    };

/** Who cannot hear from whom: grudge[n] lists the nodes n cannot hear from (`client` for clients). */
export type Grudge = Record<string, string[]>;

/** What a fault may do to the network: the Toxiproxy-backed network layer, as faults see it. */
export interface FaultNetwork {
  /** The links a selection names (throws naming an unknown node). */
  select(selection: LinkSelection): readonly unknown[];
  partition(grudge: Grudge, mode: 'drop' | 'reject' | 'delay'): Promise<void>;
  heal(): Promise<void>;
  latency(links: LinkSelection, options: { latency: number; jitter?: number; tag?: string }): Promise<void>;
  bandwidth(links: LinkSelection, options: { rate: number; tag?: string }): Promise<void>;
  resetPeer(links: LinkSelection, options: { timeout: number; tag?: string }): Promise<void>;
  slicer(links: LinkSelection, options: { averageSize: number; sizeVariation?: number; delay?: number; tag?: string }): Promise<void>;
  /** Removes toxics (not the partition) from the links (default all); with a tag, only those. */
  clearToxics(links?: LinkSelection, tag?: string): Promise<void>;
}

/** What a fault may do to the nodes: the cluster runtime, as faults see it. */
export interface FaultRuntime {
  kill(id: string): Promise<void>;
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  /** Starts a killed node again with its data. */
  restart(id: string): Promise<void>;
  /** Rolls a killed node's data back to what it had fsynced (a machine crash, not a process
   *  crash); says what was lost. Only runtimes started with `durability` have it. */
  loseUnsynced?(id: string): Promise<string>;
  waitHealthy(id: string, timeoutMs: number, signal?: AbortSignal): Promise<void>;
  state(id: string): 'stopped' | 'running' | 'paused';
}

/** What planning may use: the campaign's nodes and the plan's seeded stream. */
export interface FaultPlanContext {
  nodes: readonly string[];
  /** The nemesis plan's stream: draw from it only, so the same seed gives the same plan. */
  random: Random;
  /** The fault's place in the plan before the faults are sorted by start (for `random.fork`). */
  index: number;
}

/** What a fault gets when it starts. */
export interface FaultContext {
  nodes: readonly string[];
  network: FaultNetwork;
  runtime: FaultRuntime;
  /** The nemesis's stream, for choices made when the fault starts. */
  random: Random;
  /** The current leader as the status monitor last saw it. */
  leader(): string | undefined;
  /** How long a restarted node has to answer its health check. */
  healthTimeoutMs: number;
  /** Aborted on Ctrl-C: a fault waiting on a node (a restart's health check) stops waiting. */
  signal?: AbortSignal | undefined;
  /**
   * Records `f` as a nemesis op (invoke, then info; the info carries the error if `apply`
   * threw) and resolves to whether `apply` succeeded. `value` is recorded with both: fields
   * `apply` adds to it before it returns show on the info. `describe` says what was done, for
   * the progress lines (`nemesis: start-latency 100ms on peers`), after `apply`.
   */
  act(f: string, value: Record<string, unknown>, node: string | undefined, apply: () => Promise<unknown>, describe?: () => string): Promise<boolean>;
  /** State the faults of this kind share for one run (overlapping partitions), made by `init`. */
  shared<T>(init: () => T): T;
  /** Waits `ms` between the steps of a fault made of several (a partition, then the leader's
   *  kill). Resolves true after `ms`, or false at once when the nemesis is stopping (the main
   *  phase ended, or Ctrl-C): the fault then skips its remaining steps. */
  sleep(ms: number): Promise<boolean>;
}

/** A started fault: what it is (for progress lines) and how it ends. */
export interface ActiveFault {
  describe: string;
  /** Ends the fault, recording its stop op. `restart: false` when the run is torn down
   *  (killed nodes then stay down). */
  end(how: { restart: boolean }): Promise<void>;
}

/** How the report draws a fault's windows. */
export interface FaultStyle {
  /** The timeline's background over the window (a translucent colour). */
  fill: string;
  /** The window's bar in the fault lane. */
  bar: string;
  /** The legend's swatch. */
  legend: string;
}

/** A problem with a fault's options that needs the cluster to see (an unknown node). The path is
 *  relative to the fault entry. */
export interface FaultProblem {
  path: (string | number)[];
  message: string;
}

export interface Fault<Options extends object = Record<string, unknown>, Planned extends object = Record<string, unknown>> {
  /** The `type` campaigns use. Letters, digits and `-`. */
  name: string;
  /** One sentence, for `faultline list nemeses`. */
  description: string;
  /** The fault's own fields (besides `type`, `at` and `duration`), with their defaults. A strict
   *  object: an unknown field is refused with the valid ones named. */
  options: z.ZodType<Options>;
  /** The history ops it writes: `start-X`/`stop-X` unless it says otherwise. */
  ops?: { start: string; stop: string };
  /** Checks options against the campaign's nodes (names of nodes and links). */
  check?(options: Options, nodes: readonly string[]): FaultProblem[];
  /** Fixes, from the seed, what does not depend on the cluster's state (targets, shapes). */
  plan(options: Options, context: FaultPlanContext): Planned;
  /** What the planned fault does, in a few words (the plan's lines, after the time). */
  describe(planned: Planned): string;
  /** Starts the fault (recording its ops through `context.act`); returns how it ends, or
   *  undefined when there is nothing to end (it hit nothing). */
  start(planned: PlannedFault<Planned>, context: FaultContext): Promise<ActiveFault | undefined>;
  /** How the report draws it. */
  style: FaultStyle;
  /** What the runtime must provide when a run plans it: `durability`, nodes that keep a record of
   *  what they fsynced (FaultRuntime.loseUnsynced). */
  needs?: { durability?: boolean };
}

/** A fault of any options: what registries hold (its methods take what its own schema and plan made). */
export type AnyFault = Fault<object, object>;

/** Declares a fault with its types checked (an identity: the registry takes it as it is). */
export function defineFault<Options extends object, Planned extends object>(fault: Fault<Options, Planned>): Fault<Options, Planned> {
  return fault;
}

/** The op names a fault writes. */
export function faultOps(fault: Pick<AnyFault, 'name' | 'ops'>): { start: string; stop: string } {
  return fault.ops ?? { start: `start-${fault.name}`, stop: `stop-${fault.name}` };
}
