/**
 * The names a campaign may refer to: workloads (workloads/index.ts) and checkers
 * (checkers/index.ts). Tests pass their own; the CLI uses the shipped ones.
 */
import { checkers } from '../../checkers/index.js';
import type { Checker } from '../../core/checker.js';
import type { Workload } from '../../core/workload.js';
import { workloads } from '../../workloads/index.js';
import { shippedFaults } from '../faults/index.js';
import type { FaultRegistry } from '../faults/registry.js';

export interface Registries {
  workloads: Readonly<Record<string, Workload<unknown>>>;
  checkers: Readonly<Record<string, Checker>>;
  /** The faults a campaign's nemesis may name (default: the shipped ones). A campaign adds its
   *  own by module path. */
  faults?: FaultRegistry;
}

/** The workloads, checkers and faults faultline ships. */
export function defaultRegistries(): Registries {
  return { workloads, checkers, faults: shippedFaults };
}
