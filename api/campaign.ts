/**
 * `defineCampaign`: a campaign from an object, with the fields of a campaign file. Where a file
 * names a workload or a checker, the object may also give the value itself (your own, from
 * `defineWorkload` / `defineChecker`); the loader then sees its name, so the schema, the checks and
 * the error messages are those of a YAML campaign.
 */
import type { Checker } from '../core/checker.js';
import type { Workload } from '../core/workload.js';
import type { AnyFault } from '../core/fault.js';
import type { CampaignInput } from '../harness/campaign/schema.js';
import { UserError } from '../core/errors.js';

/** A checker entry: a name, a checker, or either with options. */
export type CheckerEntry = string | Checker | { name: string | Checker; options?: Record<string, unknown> };

/** A nemesis entry: a fault type by name, or a fault value (`defineFault`); with its options. */
export interface FaultEntry {
  type: string | AnyFault;
  [option: string]: unknown;
}

type NemesisInput = NonNullable<CampaignInput['nemesis']>;

/** The fields of a campaign file, with values allowed where the file has names. */
export interface CampaignFields extends Omit<CampaignInput, 'workload' | 'checkers' | 'nemesis'> {
  nemesis?: Omit<NemesisInput, 'faults' | 'timeline'> & { faults?: FaultEntry[]; timeline?: (FaultEntry & { at: number | string; duration?: number | string })[] };
  /** A shipped workload's name, a module path, or a workload value; with its options. */
  workload: string | Workload<unknown> | { name: string | Workload<unknown>; options?: Record<string, unknown> };
  checkers?: CheckerEntry[];
}

/** A campaign made by `defineCampaign`: checked in full (same checks as a file) when it runs. */
export interface CampaignDefinition {
  readonly kind: 'faultline.campaign';
  /** The campaign's name (its run folders: `<out>/<name>/<timestamp>/`). */
  readonly name: string;
  /** The fields with every workload and checker given by name. */
  readonly fields: Readonly<Record<string, unknown>>;
  /** The workloads and checkers the object gave as values, by name. */
  readonly workloads: Readonly<Record<string, Workload<unknown>>>;
  readonly checkers: Readonly<Record<string, Checker>>;
  readonly faults: Readonly<Record<string, AnyFault>>;
  /** Where relative paths are resolved from: the current directory when it was defined. */
  readonly baseDir: string;
}

export function isCampaignDefinition(value: unknown): value is CampaignDefinition {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'faultline.campaign';
}

/**
 * A campaign from an object: `defineCampaign({system: 'raft', workload: {name: 'register'}, ...})`.
 * Only the object's form is checked here (it must be an object with a workload); `runCampaign`
 * checks the rest before anything starts and throws `CampaignError` with the messages a YAML file
 * would get, naming the field (`defineCampaign(raft-demo): clients.concurrency: expected number`).
 */
export function defineCampaign(fields: CampaignFields): CampaignDefinition {
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) {
    throw new UserError('defineCampaign takes an object: {system, workload, nemesis?, checkers?, ...}');
  }
  const workloads: Record<string, Workload<unknown>> = {};
  const checkers: Record<string, Checker> = {};
  const workloadName = (w: string | Workload<unknown>): string => (typeof w === 'string' ? w : add(workloads, w, 'workload'));
  const checkerName = (c: string | Checker): string => (typeof c === 'string' ? c : add(checkers, c, 'checker'));
  const faults: Record<string, AnyFault> = {};
  const faultEntries = (list: unknown): unknown =>
    Array.isArray(list)
      ? list.map((entry: unknown) => (isFaultEntry(entry) ? { ...entry, type: add(faults, entry.type, 'fault') } : entry))
      : list;

  const out: Record<string, unknown> = { ...fields };
  const workload = fields.workload;
  if (workload !== undefined && workload !== null) {
    if (typeof workload === 'string' || isWorkload(workload)) out.workload = { name: workloadName(workload) };
    else if (typeof workload === 'object') out.workload = { ...workload, name: workloadName(workload.name) };
  }
  if (Array.isArray(fields.checkers)) {
    out.checkers = fields.checkers.map((entry) => {
      if (typeof entry === 'string') return entry;
      if (isChecker(entry)) return checkerName(entry);
      return { ...entry, name: checkerName(entry.name) };
    });
  }
  if (fields.nemesis && typeof fields.nemesis === 'object') {
    out.nemesis = { ...fields.nemesis, faults: faultEntries(fields.nemesis.faults), timeline: faultEntries(fields.nemesis.timeline) };
    for (const key of ['faults', 'timeline'] as const) if ((out.nemesis as Record<string, unknown>)[key] === undefined) delete (out.nemesis as Record<string, unknown>)[key];
  }
  const name = typeof fields.name === 'string' ? fields.name : defaultName(out);
  return Object.freeze({ kind: 'faultline.campaign', name, fields: out, workloads, checkers, faults, baseDir: process.cwd() });
}

function add<T extends { name: string }>(into: Record<string, T>, value: T, what: string): string {
  if (typeof value.name !== 'string' || value.name === '') throw new UserError(`defineCampaign: a ${what} without a name`);
  const known = into[value.name];
  if (known !== undefined && known !== value) throw new UserError(`defineCampaign: two different ${what}s named "${value.name}"`);
  into[value.name] = value;
  return value.name;
}

function isWorkload(value: unknown): value is Workload<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as Workload).generator === 'function';
}

function isFaultEntry(value: unknown): value is { type: AnyFault } {
  const type = (value as { type?: unknown } | null)?.type;
  return typeof type === 'object' && type !== null && typeof (type as AnyFault).start === 'function';
}

function isChecker(value: unknown): value is Checker {
  return typeof value === 'object' && value !== null && typeof (value as Checker).check === 'function';
}

/** `raft-register` for a raft campaign of the register workload (a campaign name's characters only). */
function defaultName(fields: Record<string, unknown>): string {
  const system = typeof fields.system === 'string' ? fields.system.replace(/^.*\//, '').replace(/\.ya?ml$/, '') : 'campaign';
  const workload = (fields.workload as { name?: unknown } | undefined)?.name;
  const parts = [system, typeof workload === 'string' ? workload.replace(/^.*\//, '').replace(/\.m?js$/, '') : undefined];
  return parts.filter(Boolean).join('-').toLowerCase().replace(/[^a-z0-9_-]/g, '-');
}
