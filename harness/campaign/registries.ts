/**
 * The names a campaign may refer to: workloads (workloads/index.ts) and checkers
 * (checkers/index.ts). Tests pass their own; the CLI uses the shipped ones.
 */
import { checkers } from '../../checkers/index.js';
import type { Checker } from '../../core/checker.js';
import type { Workload } from '../../core/workload.js';
import { workloads } from '../../workloads/index.js';

export interface Registries {
  workloads: Readonly<Record<string, Workload<unknown>>>;
  checkers: Readonly<Record<string, Checker>>;
}

/** The workloads and checkers faultline ships. */
export function defaultRegistries(): Registries {
  return { workloads, checkers };
}
