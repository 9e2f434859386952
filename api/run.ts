/**
 * `runCampaign`: one run of a campaign from code, through the same loader and engine as
 * `faultline run` (harness/campaign/load.ts, harness/run/run.ts), quiet unless asked.
 */
import { dirname, join } from 'node:path';
import type { Coverage } from '../core/coverage.js';
import type { Anomaly, CheckResult, Validity } from '../core/result.js';
import { loadCampaign, type Campaign } from '../harness/campaign/load.js';
import { defaultRegistries, type Registries } from '../harness/campaign/registries.js';
import { shippedFaults as shippedFaultRegistry } from '../harness/faults/index.js';
import { UserError } from '../core/errors.js';
import type { RuntimeName } from '../harness/runtime/index.js';
import { runCampaign as runEngine } from '../harness/run/run.js';
import type { RunResults } from '../harness/run/check.js';
import { replayCommand } from '../harness/run/shell.js';
import { readRecordedFaults } from '../harness/nemesis/recorded.js';
import { formatVerdictTable, meetsExpectation, verdictWord, type Expected } from '../harness/run/verdict.js';
import { isCampaignDefinition, type CampaignDefinition } from './campaign.js';
import { RUN_FILES } from '../harness/run/folder.js';
import { checkRuntime, checkSeed, parseTimeLimit, progressOf } from './options.js';

export interface RunOptions {
  /** Seed of every random choice (default: the campaign's, else random; the result says which). */
  seed?: number;
  /** Where run folders go (default `runs`, relative to the current directory). */
  out?: string;
  /** Where nodes run (default `process`). */
  runtime?: RuntimeName;
  /** Length of the main phase: seconds, or `'500ms'`, `'2s'`, `'1m'` (default: the campaign's). */
  timeLimit?: number | string;
  /** Progress lines (faults, phases, ops/s): `true` for stderr, or a stream. Default: none. */
  progress?: boolean | NodeJS.WriteStream;
  /** Aborting stops the run early; it still heals, stops every node and checks what was recorded. */
  signal?: AbortSignal;
  /** Runs the fault sequence a run recorded (its plan.json, or its run folder) instead of planning
   *  one: how an adaptive run (`nemesis.mode: 'adaptive'`) is replayed; its `replay` says so. */
  faults?: string;
}

/** A run's anomaly, with the checker that found it. */
export type RunAnomaly = Anomaly & { checker: string };

export interface RunResult {
  /** The verdict over every checker: false over "unknown" over true. */
  valid: Validity;
  verdict: 'valid' | 'invalid' | 'unknown';
  anomalies: RunAnomaly[];
  /** Each checker's result (the verdict table's rows). */
  results: CheckResult[];
  /** The run folder: history.jsonl, results.json, report.html, logs/. */
  dir: string;
  /** What `faultline run` would exit with: 0 valid, 1 anomalies, 2 unknown, 3 harness error. */
  exitCode: number;
  /** Whether the run found what the campaign's `expected` says; without `expected`: valid. */
  meetsExpectation: boolean;
  expected?: Expected;
  /** What the run put the system through: leader changes, terms, restarts, rejoins... (results.json `coverage`). */
  coverage?: Coverage;
  /** How to run exactly this again: a `faultline run` command for a campaign file, a
   *  `runCampaign(campaign, {seed})` call for a campaign defined in code. */
  replay: string;
  seed: number;
  campaign: string;
  /** Set when the run was stopped early (the signal) or the harness failed mid-run. */
  interrupted?: string;
}

/**
 * Runs a campaign (a `defineCampaign` value, or a campaign name or file as `faultline run` takes)
 * and checks it. A campaign with mistakes throws `CampaignError` before anything starts; so does a
 * cluster that cannot be brought up (`UserError`). Anomalies are not errors: they are the result.
 */
export async function runCampaign(campaign: CampaignDefinition | string, options: RunOptions = {}): Promise<RunResult> {
  const runtime = checkRuntime(options.runtime, 'runCampaign');
  const { resolved, registries, replay, replayWithFaults } = await resolve(campaign, options);
  const outDir = options.out ?? 'runs';
  const outcome = await runEngine({
    campaign: resolved,
    runtime,
    outDir,
    replay,
    replayWithFaults,
    checkers: registries.checkers,
    progress: progressOf(options.progress),
    ...(options.signal && { signal: options.signal }),
  });
  return toRunResult(outcome.results, outcome.dir, outcome.exitCode);
}

/** What the engine's results of a run folder say, as the API gives them. */
export function toRunResult(results: RunResults, dir: string, exitCode: number): RunResult {
  return {
    valid: results.valid,
    verdict: verdictWord(results.valid).toLowerCase() as RunResult['verdict'],
    anomalies: results.results.flatMap((r) => r.anomalies.map((a) => ({ checker: r.checker, ...a }))),
    results: results.results,
    dir,
    exitCode,
    meetsExpectation: meetsExpectation(results.results, results.valid, results.expected ?? { verdict: 'valid' }, results.coverage),
    ...(results.expected && { expected: results.expected }),
    ...(results.coverage && { coverage: results.coverage }),
    replay: results.replay,
    seed: results.seed,
    campaign: results.campaign,
    ...(results.interrupted !== undefined && { interrupted: results.interrupted }),
  };
}

/** The verdict table, the anomalies and the replay command, as a person reads them. */
export function formatRunResult(result: RunResult): string {
  const lines = [formatVerdictTable(result.results, result.valid, result.expected, undefined, result.coverage)];
  if (result.interrupted) lines.push(`interrupted: ${result.interrupted}`);
  if (result.anomalies.length > 0) {
    const shown = result.anomalies.slice(0, 10);
    lines.push('', 'anomalies:', ...shown.map((a) => `  [${a.checker}${a.part !== undefined ? `/${a.part}` : ''}] ${a.kind}${a.key !== undefined ? ` (key ${a.key})` : ''}: ${a.explanation}`));
    if (result.anomalies.length > shown.length) lines.push(`  ... and ${result.anomalies.length - shown.length} more (report.html)`);
  }
  lines.push('', `run folder: ${result.dir}`, `report: ${result.dir}/report.html`, `replay: ${result.replay}`);
  return lines.join('\n');
}

/** The campaign as `runCampaign` would run it (loaded, checked, its recorded faults read). */
export async function resolve(
  campaign: CampaignDefinition | string,
  options: RunOptions,
): Promise<{ resolved: Campaign; registries: Registries; replay: (runDir: string) => string; replayWithFaults: (file: string) => string }> {
  const { resolved, registries, replayWith } = await resolveCampaign(campaign, options);
  const withRecorded = options.faults === undefined ? resolved : { ...resolved, recordedFaults: readRecordedFaults(options.faults, resolved.faults, 'runCampaign: faults') };
  return { resolved: withRecorded, registries, replay: (runDir) => replayWith(options.faults, runDir), replayWithFaults: (file) => replayWith(file, dirname(file)) };
}

async function resolveCampaign(
  campaign: CampaignDefinition | string,
  options: RunOptions,
): Promise<{ resolved: Campaign; registries: Registries; replayWith: (faults: string | undefined, runDir: string) => string }> {
  const timeLimitMs = options.timeLimit === undefined ? undefined : parseTimeLimit(options.timeLimit, 'runCampaign');
  const shipped = await defaultRegistries();
  const load = { ...(options.seed !== undefined && { seed: checkSeed(options.seed, 'runCampaign') }), ...(timeLimitMs !== undefined && { timeLimitMs }) };
  if (typeof campaign === 'string') {
    const resolved = await loadCampaign(campaign, { ...load, registries: shipped });
    const replayWith = (faults: string | undefined): string =>
      replayCommand({
        ref: campaign,
        seed: resolved.seed,
        ...(options.runtime !== undefined && { runtime: options.runtime }),
        ...(options.timeLimit !== undefined && { timeLimit: String(options.timeLimit) }),
        ...(options.out !== undefined && { out: options.out }),
        ...(faults !== undefined && { more: ['--faults', faults] }),
      });
    return { resolved, registries: shipped, replayWith };
  }
  if (!isCampaignDefinition(campaign)) throw new UserError('runCampaign takes a campaign from defineCampaign, or a campaign name or file');
  const shippedFaults = shipped.faults ?? shippedFaultRegistry;
  refuseShippedNames((name) => shippedFaults.get(name), campaign.faults, 'fault');
  const registries: Registries = {
    workloads: withOwn(shipped.workloads, campaign.workloads, 'workload'),
    checkers: withOwn(shipped.checkers, campaign.checkers, 'checker'),
    faults: shippedFaults.withFaults(Object.values(campaign.faults).filter((f) => shippedFaults.get(f.name) === undefined)),
  };
  const resolved = await loadCampaign(
    { fields: { ...campaign.fields }, label: `defineCampaign(${campaign.name})`, name: campaign.name, baseDir: campaign.baseDir },
    { ...load, registries },
  );
  // The run folder's campaign.yaml is the campaign as run (seed, time limit, absolute paths): the
  // CLI replays it, unless the campaign gives a workload, checker or fault as a value (not a module).
  const values = [...own('workload', campaign.workloads), ...own('checker', campaign.checkers), ...own('fault', campaign.faults)];
  const replayWith = (faults: string | undefined, runDir: string): string => {
    if (values.length === 0) {
      return replayCommand({
        ref: join(runDir, RUN_FILES.campaign),
        seed: resolved.seed,
        ...(options.runtime !== undefined && { runtime: options.runtime }),
        ...(options.out !== undefined && { out: options.out }),
        ...(faults !== undefined && { more: ['--faults', faults] }),
      });
    }
    const more = [
      `seed: ${resolved.seed}`,
      ...(options.timeLimit !== undefined ? [`timeLimit: ${JSON.stringify(options.timeLimit)}`] : []),
      ...(faults !== undefined ? [`faults: ${JSON.stringify(faults)}`] : []),
    ];
    return `runCampaign(campaign, { ${more.join(', ')} }) with campaign "${campaign.name}" (${values.join(', ')} ${values.length === 1 ? 'is a value' : 'are values'}, not a module: named by module path, \`npx faultline run <run folder>/campaign.yaml\` replays it)`;
  };
  return { resolved, registries, replayWith };
}

/** The shipped registry plus a campaign's own; an own value may not take a shipped name. */
function withOwn<T>(shipped: Readonly<Record<string, T>>, own: Readonly<Record<string, T>>, what: string): Record<string, T> {
  refuseShippedNames((name) => shipped[name], own, what);
  return { ...shipped, ...own };
}

/** Refuses a campaign's own value under the name of a different shipped one. */
function refuseShippedNames<T>(shipped: (name: string) => T | undefined, own: Readonly<Record<string, T>>, what: string): void {
  for (const [name, value] of Object.entries(own)) {
    const known = shipped(name);
    if (known !== undefined && known !== value) {
      throw new UserError(`defineCampaign: your ${what} "${name}" has the name of a shipped ${what}; give it another name`);
    }
  }
}

/** "its own workload counter" for each value a campaign gives that no module path names. */
function own(what: string, values: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(values).map((name) => `its own ${what} ${name}`);
}
