/**
 * The workload contract. A workload is a client for one course API plus an op generator
 * (Jepsen's client + generator). The harness owns processes, timing, recording and faults;
 * a workload only says what to do next and how to do it against a node.
 */
import type { z } from 'zod';
import type { Random } from './random.js';

/** Where a client reaches a node: always through that node's client-to-node proxy. */
export interface NodeEndpoint {
  id: string;
  /** `http://127.0.0.1:PORT` (or `ws://...` for a ws system), the client proxy of this node. */
  url: string;
}

/** What a process is asked to do: becomes the `invoke` op. */
export interface OpCall {
  f: string;
  key?: string;
  value?: unknown;
  /** Send it to this node (final reads on each node); without it the client chooses. */
  node?: string;
  /** Send it first to this node, then follow redirects as for any op (unlike `node`, the op is
   *  not bound to it): e.g. a read tried at the leader before the last leader change. */
  startAt?: string;
}

/** How it ended: becomes the completion op. `info` when the outcome is unknown (timeouts). */
export interface OpOutcome {
  type: 'ok' | 'fail' | 'info';
  value?: unknown;
  /** The node that answered (or was asked). */
  node?: string;
  error?: string;
}

export interface ClientContext {
  nodes: readonly NodeEndpoint[];
  /** The logical client's process id (a fresh one after an `info`). */
  process: number;
  /** Request timeout; past it the op completes as `info`. */
  timeoutMs: number;
  random: Random;
  /** The descriptor's `api` (`store`, `raft`, ...), for workloads that speak several. */
  api?: string;
}

/** One logical client's connection(s). Never throws from invoke: failures are outcomes. */
export interface WorkloadClient {
  invoke(call: OpCall, signal: AbortSignal): Promise<OpOutcome>;
  close(): Promise<void>;
}

/** Picks ops. Deterministic given its Random: same seed, same op mix. */
export interface OpGenerator {
  /** The next op for this process during the main phase. */
  next(process: number, random: Random): OpCall;
  /** The ops each process runs in the healed final phase (final reads, drain, last poll). */
  final(process: number): OpCall[];
  /** Optional (Jepsen's final generator on every node): the ops the healed final phase runs
   *  against `node`, after the per-process `final` ops. The harness spreads the nodes over the
   *  logical clients; each call should carry `node`. */
  finalOnEachNode?(node: string): OpCall[];
  /** Optional (Jepsen's `update`): told every completion, so a generator can follow state
   *  (the queue's workers complete the task their last dequeue returned). The harness calls it
   *  right after recording the completion, before asking that process for its next op. */
  update?(process: number, call: OpCall, outcome: OpOutcome): void;
  /** Optional: told the new leader each time the harness's status monitor sees another node
   *  lead (systems whose descriptor has a `status` endpoint), often before any client noticed
   *  the election: a generator can then aim ops at the moment right after a leader change. */
  leaderChanged?(leader: string): void;
  /** Optional: true while the generator holds a time-critical op (a probe right after a leader
   *  change, which must land before the deposed leader steps down): the harness then starts the
   *  next op at once instead of at the next rate slot, and after `leaderChanged` wakes the
   *  processes that wait for a slot. */
  urgent?(): boolean;
}

export interface Workload<Options = unknown> {
  name: string;
  /** One sentence, for `faultline list workloads`. */
  description: string;
  /** The descriptor `api` values this workload speaks. */
  apis: readonly string[];
  /** Validates and fills defaults for the campaign's `workload.options`. */
  options: z.ZodType<Options>;
  /** The checkers a campaign of this workload runs when it names none (or names `defaults`). */
  checkers?: readonly (string | { name: string; options?: Record<string, unknown> })[];
  generator(options: Options, random: Random): OpGenerator;
  client(options: Options, context: ClientContext): Promise<WorkloadClient>;
}

/** Declares a workload with its types checked: its options' type comes from its zod schema, so
 *  `generator` and `client` get them typed (an identity: registries take it as it is). */
export function defineWorkload<Options>(workload: Workload<Options>): Workload<Options> {
  return workload;
}
