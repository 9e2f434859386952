/**
 * `faultline run`'s short options in Jepsen's and Maelstrom's habits (`--nodes`, `--concurrency`,
 * `--rate`, `--nemesis`), each sugar for a `--set`, and `--test-count`.
 */
import type { OptionOverride } from '../campaign/load.js';
import { UserError } from '../../core/errors.js';

export interface ShortRunOptions {
  nodes?: string;
  concurrency?: string;
  rate?: string;
  nemesis?: string;
}

/** `--concurrency`: a count, or `<k>n` (k clients per node: `2n` on 3 nodes is 6). */
export type Concurrency = { clients: number } | { perNode: number };

export function parseConcurrency(value: string): Concurrency {
  const m = /^(\d+)(n?)$/.exec(value.trim());
  const k = m ? Number(m[1]) : 0;
  if (!m || k < 1) throw new UserError(`--concurrency takes a client count (8) or clients per node (2n), got "${value}"`);
  return m[2] ? { perNode: k } : { clients: k };
}

export function parseNodesOption(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) throw new UserError(`--nodes takes a node count (1 or more), got "${value}"`);
  return Number(value);
}

export function parseRateOption(value: string): number {
  const rate = Number(value);
  if (value.trim() === '' || !Number.isFinite(rate) || rate < 0) {
    throw new UserError(`--rate takes ops per second over all clients (0: as fast as they go), got "${value}"`);
  }
  return rate;
}

/** `partition,kill` -> the fault types; `none` -> no faults. */
export function parseNemesisOption(value: string): string[] {
  const names = value.split(',').map((n) => n.trim());
  if (names.length === 1 && names[0] === 'none') return [];
  const bad = names.find((n) => !/^[a-z][a-z0-9-]*$/.test(n));
  if (bad !== undefined) {
    throw new UserError(`--nemesis takes fault types separated by commas (partition,kill,pause,latency) or none, got "${value}"`);
  }
  return names;
}

export function parseTestCount(value: string | undefined): number {
  if (value === undefined) return 1;
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) throw new UserError(`--test-count takes a number of runs (1 or more), got "${value}"`);
  return Number(value);
}

/**
 * The `--set`s the short options stand for, in a fixed order, before the user's own `--set`s (so
 * an explicit `--set` wins). `nodeCount` gives the campaign's node count for `--concurrency <k>n`
 * when `--nodes` is not given; it is asked only then.
 */
export async function shortOptionOverrides(opts: ShortRunOptions, nodeCount: () => Promise<number>): Promise<OptionOverride[]> {
  // Every value is checked before the campaign is read for its node count.
  const nodes = opts.nodes === undefined ? undefined : parseNodesOption(opts.nodes);
  const concurrency = opts.concurrency === undefined ? undefined : parseConcurrency(opts.concurrency);
  const rate = opts.rate === undefined ? undefined : parseRateOption(opts.rate);
  const faults = opts.nemesis === undefined ? undefined : parseNemesisOption(opts.nemesis);
  const sets: OptionOverride[] = [];
  if (nodes !== undefined) sets.push({ set: `nodes=${nodes}`, option: `--nodes ${opts.nodes}` });
  if (concurrency !== undefined) {
    const clients = 'clients' in concurrency ? concurrency.clients : concurrency.perNode * (nodes ?? (await nodeCount()));
    sets.push({ set: `clients.concurrency=${clients}`, option: `--concurrency ${opts.concurrency}` });
  }
  if (rate !== undefined) sets.push({ set: `clients.rate=${rate}`, option: `--rate ${opts.rate}` });
  if (faults !== undefined) {
    sets.push({ set: `nemesis.faults=[${faults.map((type) => `{type: ${type}}`).join(', ')}]`, option: `--nemesis ${opts.nemesis}` });
  }
  return sets;
}

/** The short options as typed, for the replay command. */
export function shortOptionArgs(opts: ShortRunOptions): string[] {
  const args: string[] = [];
  if (opts.nodes !== undefined) args.push('--nodes', opts.nodes);
  if (opts.concurrency !== undefined) args.push('--concurrency', opts.concurrency);
  if (opts.rate !== undefined) args.push('--rate', opts.rate);
  if (opts.nemesis !== undefined) args.push('--nemesis', opts.nemesis);
  return args;
}
