/**
 * Loads a campaign: finds the file, applies --set overrides, checks the schema and every name
 * the campaign refers to, and reports all mistakes at once as `file:line: field: what is wrong`.
 */
import { randomInt } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import type { z } from 'zod';
import { DescriptorError, findSystem, nodeIds, type SystemDescriptor } from '../descriptor.js';
import type { Workload } from '../../core/workload.js';
import { UserError } from '../../core/errors.js';
import { findCampaignFile, isPathRef } from './find.js';
import { parseCheckerOptions, type Checker } from '../../core/checker.js';
import { importChecker } from './checker-modules.js';
import { importUserModule } from './user-module.js';
import { fieldsAt } from '../../core/schema-fields.js';
import type { Registries } from './registries.js';
import type { FaultSpec, PlannedFault } from '../../core/fault.js';
import { shippedFaults } from '../faults/index.js';
import { loadFaultModules } from '../faults/modules.js';
import type { FaultRegistry } from '../faults/registry.js';
import { campaignSchemaFor, DEFAULT_CHECKERS, type CampaignFile, type CampaignSchema, type CheckerEntry, type NemesisSettings } from './schema.js';
import {
  applyOverride,
  CampaignSyntaxError,
  formatFieldPath,
  lineOf,
  objectCampaignSource,
  overrideFor,
  readCampaignSource,
  type CampaignSource,
  type FieldPath,
  type SourceProblem,
} from './source.js';

/** A `--set` that an option stands for (`--nodes 5` is `nodes=5`): errors name the option. */
export interface OptionOverride {
  set: string;
  option: string;
}

export interface LoadOptions {
  /** `path=value` overrides, applied in order. */
  sets?: readonly (string | OptionOverride)[];
  /** Overrides the campaign's seed. */
  seed?: number;
  /** Overrides time_limit (milliseconds). */
  timeLimitMs?: number;
  registries: Registries;
}

export interface ResolvedChecker {
  name: string;
  options: Record<string, unknown>;
}

/** A campaign given as an object rather than a file (the API's `defineCampaign`). */
export interface CampaignObject {
  /** The campaign's fields, as a YAML file would have them. */
  fields: Record<string, unknown>;
  /** How errors name the campaign where they would name its file. */
  label: string;
  /** The name when `fields` gives none. */
  name: string;
  /** Where relative paths (a system.yaml, a workload module) are resolved from. */
  baseDir: string;
}

/** A campaign ready to run: every name resolved, every default filled, the seed fixed. */
export interface Campaign {
  /** The campaign file, absolute (a campaign object's label). */
  file: string;
  name: string;
  spec: CampaignFile;
  seed: number;
  system: SystemDescriptor;
  nodes: string[];
  workload: Workload<unknown>;
  workloadOptions: unknown;
  checkers: ResolvedChecker[];
  /** The checkers it names by module path, by absolute path (beside the registry's). */
  checkerModules: Readonly<Record<string, Checker>>;
  /** The faults its nemesis may name: the registry's plus those it names by module path. */
  faults: FaultRegistry;
  /** The campaign as YAML with overrides applied and the seed written in (campaign.yaml of a run). */
  resolvedYaml: string;
  /** A recorded fault sequence to run instead of planning one (`--faults`: a run's plan.json,
   *  harness/nemesis/recorded.ts). */
  recordedFaults?: PlannedFault[];
}

/** Every problem of a campaign file; the message lists them one per line. */
export class CampaignError extends UserError {
  constructor(
    readonly file: string,
    readonly problems: SourceProblem[],
  ) {
    super(formatProblems(file, problems));
    this.name = 'CampaignError';
  }
}

function formatProblems(file: string, problems: SourceProblem[]): string {
  const lines = problems.map((p) => {
    const where = p.override ? p.override : `${file}${p.line !== undefined ? `:${p.line}` : ''}`;
    return `${where}: ${p.field ? `${p.field}: ` : ''}${p.message}`;
  });
  return lines.length === 1 ? `invalid campaign: ${lines[0]}` : `invalid campaign ${file}:\n  ${lines.join('\n  ')}`;
}

/** Loads a campaign file (a name under campaigns/ or a path), or a campaign object. */
export async function loadCampaign(ref: string | CampaignObject, options: LoadOptions): Promise<Campaign> {
  const located = typeof ref === 'string' ? findCampaignFile(ref) : { file: ref.label, name: ref.name };
  const file = located.file;
  let source: CampaignSource;
  try {
    source = typeof ref === 'string' ? readCampaignSource(file) : objectCampaignSource(ref.label, ref.fields);
    for (const set of options.sets ?? []) {
      if (typeof set === 'string') applyOverride(source, set);
      else applyOverride(source, set.set, set.option);
    }
    if (options.seed !== undefined) applyOverride(source, `seed=${options.seed}`, `--seed ${options.seed}`);
    if (options.timeLimitMs !== undefined) applyOverride(source, `time_limit=${options.timeLimitMs}ms`, `--time-limit ${options.timeLimitMs}ms`);
  } catch (err) {
    if (err instanceof CampaignSyntaxError) throw new CampaignError(file, err.problems);
    throw err;
  }

  const problems: SourceProblem[] = [];
  const problem = (path: FieldPath, message: string): void => {
    const override = overrideFor(source, path);
    problems.push({ field: path.length ? formatFieldPath(path) : undefined, message, line: override ? undefined : lineOf(source, path), override: override?.shownAs });
  };

  let raw: unknown;
  try {
    raw = source.doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (err) {
    // yaml refuses alias bombs (an alias expanded too often) here, not at parse time.
    throw new CampaignError(file, [{ message: `YAML: ${(err as Error).message.split('\n')[0]}` }]);
  }
  const baseDir = typeof ref === 'string' ? dirname(file) : ref.baseDir;
  // Faults named by module path are loaded first: the schema checks their options too.
  const moduleFaults = await loadFaultModules(raw, baseDir, problem);
  const faults = (options.registries.faults ?? shippedFaults).withModules(moduleFaults);
  const schema = campaignSchemaFor(faults);
  const parsed = schema.safeParse(raw, { reportInput: true });
  // A fault module that did not load was reported already: not again as an unknown type.
  const reported = new Set(problems.map((p) => p.field));
  const unreported = (issue: z.core.$ZodIssue): boolean => !reported.has(formatFieldPath(issue.path.filter((p): p is string | number => typeof p !== 'symbol')));
  if (!parsed.success) for (const issue of parsed.error.issues.filter(unreported)) reportIssue(issue, problem, schema);
  // When the schema refuses the file, the names are still checked (from the fields that parse on
  // their own), so one pass reports every mistake.
  const part: Partial<CampaignFile> = parsed.success ? parsed.data : parseFieldsAlone(raw, schema);

  // The system and its bugs.
  let system: SystemDescriptor | undefined;
  const systemRef = part.system === undefined ? undefined : isPathRef(part.system) ? resolve(baseDir, part.system) : part.system;
  try {
    if (systemRef !== undefined) system = findSystem(systemRef);
  } catch (err) {
    if (!(err instanceof DescriptorError)) throw err;
    problem(['system'], err.message);
  }
  let nodes: string[] = [];
  if (system) {
    const count = part.nodes ?? system.nodes.default;
    if (count < system.nodes.min || count > system.nodes.max) {
      problem(['nodes'], `${system.name} runs with ${system.nodes.min} to ${system.nodes.max} nodes, got ${count}`);
    } else {
      nodes = nodeIds(system, count);
    }
    const known = system.bugs.map((b) => b.name);
    part.settings?.bugs.forEach((bug, i) => {
      if (!known.includes(bug)) {
        problem(['settings', 'bugs', i], `unknown bug "${bug}" for ${system!.name}; valid choices: ${known.join(', ') || '(this system has no bugs)'}`);
      }
    });
    if ((part.settings?.bugs.length ?? 0) > 0 && !system.env.bugs) problem(['settings', 'bugs'], `system ${system.name} takes no bugs setting`);
    if (part.nemesis && nodes.length > 0) checkNodeNames(part.nemesis, nodes, faults, problem);
  }

  // The workload and its options.
  let workload: Workload<unknown> | undefined;
  let workloadOptions: unknown;
  if (part.workload && isPathRef(part.workload.name)) {
    workload = await importWorkload(resolve(baseDir, part.workload.name), (m) => problem(['workload', 'name'], m));
  } else if (part.workload) {
    workload = Object.hasOwn(options.registries.workloads, part.workload.name) ? options.registries.workloads[part.workload.name] : undefined;
    if (!workload) {
      const known = Object.keys(options.registries.workloads);
      problem(['workload', 'name'], `unknown workload "${part.workload.name}"; valid choices: ${known.join(', ') || '(no workloads installed)'}`);
    }
  }
  if (workload && part.workload) {
    if (system && !workload.apis.includes(system.api)) {
      problem(['workload', 'name'], `workload ${workload.name} speaks ${workload.apis.join('/')}, but system ${system.name} has api ${system.api}`);
    }
    const opts = workload.options.safeParse(part.workload.options, { reportInput: true });
    if (opts.success) workloadOptions = opts.data;
    else for (const issue of opts.error.issues) reportIssue(issue, (path, m) => problem(['workload', 'options', ...path], m), schema);
  }

  // Checkers: the campaign's list, or the workload's defaults when it names none; `defaults` in
  // the list stands for the workload's defaults there.
  const defaults = workload?.checkers ?? [];
  const listed = part.checkers;
  const expanded: { entry: CheckerEntry | NonNullable<Workload['checkers']>[number]; path: FieldPath; fromDefaults: boolean }[] = [];
  if (listed === undefined) for (const entry of defaults) expanded.push({ entry, path: ['workload', 'name'], fromDefaults: true });
  else
    listed.forEach((entry, i) => {
      if (entry === DEFAULT_CHECKERS) for (const d of defaults) expanded.push({ entry: d, path: ['checkers', i], fromDefaults: true });
      else expanded.push({ entry, path: ['checkers', i], fromDefaults: false });
    });
  const checkers: ResolvedChecker[] = expanded.map(({ entry }) => (typeof entry === 'string' ? { name: entry, options: {} } : { name: entry.name, options: entry.options ?? {} }));
  // A run that no checker judges would pass on no evidence.
  if (workload && checkers.length === 0) {
    if (listed !== undefined && listed.length === 0) problem(['checkers'], "no checker: a run nothing judges cannot pass; list one, or leave checkers out for the workload's defaults");
    else problem(listed === undefined ? ['workload', 'name'] : ['checkers'], `no checker: workload ${workload.name} has no default checkers and the campaign lists none; a run nothing judges cannot pass`);
  }
  const entryPath = (i: number, field: string): FieldPath => {
    const x = expanded[i]!;
    return x.fromDefaults || typeof x.entry === 'string' ? x.path : [...x.path, field];
  };
  // Checkers named by module path run under their absolute path (so campaign.yaml re-checks from anywhere).
  const checkerModules: Record<string, Checker> = {};
  for (const [i, c] of checkers.entries()) {
    if (!isPathRef(c.name)) continue;
    c.name = resolve(baseDir, c.name);
    if (Object.hasOwn(checkerModules, c.name)) continue;
    const loaded = await importChecker(c.name);
    if (typeof loaded === 'string') problem(entryPath(i, 'name'), loaded);
    else checkerModules[c.name] = loaded;
  }
  const checkerSpec = (name: string): Checker | undefined =>
    Object.hasOwn(checkerModules, name) ? checkerModules[name] : Object.hasOwn(options.registries.checkers, name) ? options.registries.checkers[name] : undefined;
  checkers.forEach((c, i) => {
    if (!checkerSpec(c.name) && !isPathRef(c.name)) {
      const known = Object.keys(options.registries.checkers);
      problem(entryPath(i, 'name'), `unknown checker "${c.name}"; valid choices: ${known.join(', ') || '(no checkers installed)'}`);
    }
  });

  // Checker options: checked against each checker's zod schema, before anything starts.
  for (const [i, c] of checkers.entries()) {
    const spec = checkerSpec(c.name);
    if (!spec) continue;
    const at = (path: FieldPath): FieldPath => (expanded[i]!.fromDefaults ? expanded[i]!.path : [...expanded[i]!.path, 'options', ...path]);
    if (!isZodSchema(spec.options)) {
      problem(entryPath(i, 'name'), `checker ${spec.name} declares no options schema (options: a zod object; defineChecker gives one)`);
      continue;
    }
    const checked = parseCheckerOptions(spec.name, spec.options, c.options);
    if (!checked.ok) for (const p of checked.problems) problem(at(p.path), p.message);
  }

  if (problems.length > 0 || !parsed.success || !system || !workload || systemRef === undefined) throw new CampaignError(file, problems);
  const settings = parsed.data;

  const seed = settings.seed ?? randomInt(0, 2 ** 32 - 1);
  const name = settings.name ?? located.name;
  source.doc.set('seed', seed);
  if (!source.doc.has('name')) source.doc.set('name', name);
  if (isPathRef(settings.system)) source.doc.setIn(['system'], systemRef);
  // The checkers as run (the workload's defaults spelled out), so a re-check reads them from campaign.yaml.
  if (listed === undefined || listed.includes(DEFAULT_CHECKERS) || Object.keys(checkerModules).length > 0) source.doc.set('checkers', checkers.map((c) => ({ name: c.name, options: c.options })));
  if (isPathRef(settings.workload.name)) source.doc.setIn(['workload', 'name'], resolve(baseDir, settings.workload.name));
  for (const list of ['faults', 'timeline'] as const) {
    settings.nemesis[list]?.forEach((f, i) => {
      if (isPathRef(f.type)) source.doc.setIn(['nemesis', list, i, 'type'], resolve(baseDir, f.type));
    });
  }

  return {
    file,
    name,
    spec: { ...settings, seed, name, checkers },
    seed,
    system,
    nodes,
    workload,
    workloadOptions,
    checkers,
    checkerModules,
    faults,
    resolvedYaml: source.doc.toString(),
  };
}

/** Asks each fault whether its options name nodes the campaign does not have. */
function checkNodeNames(nemesis: NemesisSettings, nodes: string[], faults: FaultRegistry, problem: (path: FieldPath, message: string) => void): void {
  const checkFault = (f: FaultSpec, path: (string | number)[]): void => {
    const { type, at: _at, duration: _duration, ...options } = f;
    for (const p of faults.get(type)?.check?.(options, nodes) ?? []) problem([...path, ...p.path], p.message);
  };
  nemesis.faults.forEach((f, i) => checkFault(f, ['nemesis', 'faults', i]));
  nemesis.timeline?.forEach((f, i) => checkFault(f, ['nemesis', 'timeline', i]));
}

async function importWorkload(file: string, problem: (message: string) => void): Promise<Workload<unknown> | undefined> {
  const workload = await importUserModule(file, {
    kind: 'workload',
    exportName: 'workload',
    is: isWorkload,
    usage: 'export const workload = {name, options, generator, client, ...}',
  });
  if (typeof workload !== 'string') return workload;
  problem(workload);
  return undefined;
}

function isWorkload(value: unknown): value is Workload<unknown> {
  if (value === null || typeof value !== 'object') return false;
  const w = value as Record<string, unknown>;
  return typeof w.generator === 'function' && typeof w.client === 'function';
}

function reportIssue(issue: z.core.$ZodIssue, problem: (path: FieldPath, message: string) => void, schema: CampaignSchema): void {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  switch (issue.code) {
    case 'unrecognized_keys':
      for (const key of issue.keys) {
        problem([...path, key], `unknown field "${key}"${validFields(schema, path)}`);
      }
      return;
    case 'invalid_value':
      problem(path, `${describeReceived(issue.input)} is not allowed; valid choices: ${issue.values.map((v) => String(v)).join(', ')}`);
      return;
    case 'invalid_type':
      if (issue.input === undefined) problem(path, `missing (expected ${issue.expected})`);
      else problem(path, `expected ${issue.expected}, got ${describeReceived(issue.input)}`);
      return;
    default:
      problem(path, issue.message);
  }
}

/** A zod schema (a JavaScript checker may have left `options` out or given something else). */
function isZodSchema(value: unknown): value is z.ZodType {
  return typeof value === 'object' && value !== null && typeof (value as { safeParse?: unknown }).safeParse === 'function';
}

function describeReceived(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${String(value)}`;
}

/** The valid field names at a path of the campaign schema, for "unknown field" messages. */
function validFields(schema: CampaignSchema, path: FieldPath): string {
  const fields = fieldsAt(schema, path);
  return fields.length ? `; valid fields: ${fields.join(', ')}` : '';
}

/** Each top-level field parsed on its own: what a campaign the schema refused still says clearly. */
function parseFieldsAlone(raw: unknown, schema: CampaignSchema): Partial<CampaignFile> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return {};
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(schema.shape)) {
    const value = (raw as Record<string, unknown>)[key];
    const result = (field as z.ZodType).safeParse(value);
    if (result.success && result.data !== undefined) out[key] = result.data;
  }
  return out as Partial<CampaignFile>;
}
