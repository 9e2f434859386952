/**
 * The names a campaign may refer to: workloads (workloads/index.ts) and checkers
 * (checkers/index.ts). Tests pass their own; the CLI uses the shipped ones.
 */
import type { CheckResult } from '../../checkers/result.js';
import type { Op } from '../../checkers/history.js';
import type { Workload } from '../workload.js';

/** The checker registry contract (TEAM.md): `checkers/index.ts` exports `checkers: Record<string, CheckerSpec>`. */
export interface CheckerSpec {
  name: string;
  description: string;
  check(history: readonly Op[], options: Record<string, unknown>): CheckResult | Promise<CheckResult>;
}

export interface Registries {
  workloads: Readonly<Record<string, Workload<unknown>>>;
  checkers: Readonly<Record<string, CheckerSpec>>;
}

// Loaded lazily so the engine works (and is testable) even before every registry has landed.
const WORKLOADS_MODULE = '../../workloads/index.js';
const CHECKERS_MODULE = '../../checkers/index.js';

export async function defaultRegistries(): Promise<Registries> {
  return { workloads: await shippedWorkloads(), checkers: await shippedCheckers() };
}

export async function shippedWorkloads(): Promise<Record<string, Workload<unknown>>> {
  try {
    const mod = (await import(WORKLOADS_MODULE)) as { workloads?: Record<string, Workload<unknown>> };
    return mod.workloads ?? {};
  } catch (err) {
    if (isMissingModule(err)) return {};
    throw err;
  }
}

export async function shippedCheckers(): Promise<Record<string, CheckerSpec>> {
  try {
    const mod = (await import(CHECKERS_MODULE)) as { checkers?: Record<string, CheckerSpec> };
    return mod.checkers ?? {};
  } catch (err) {
    if (isMissingModule(err)) return {};
    throw err;
  }
}

function isMissingModule(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' && String((err as Error).message).includes('/index.');
}
