/**
 * `compareCampaign`: `faultline compare` from code. A store campaign once per read level (and
 * W/R setting), same seed and fault schedule, through the same engine (harness/compare).
 */
import type { Validity } from '../core/result.js';
import { UserError } from '../core/errors.js';
import { defaultRegistries } from '../harness/campaign/registries.js';
import { checkLevels, runComparison, type CompareRow, type Quorum } from '../harness/compare/compare.js';
import { formatComparison } from '../harness/compare/table.js';
import type { RuntimeName } from '../harness/runtime/index.js';
import { readLevels, type ReadLevel } from '../workloads/register/options.js';
import { checkRuntime, checkSeed, parseTimeLimit, progressOf } from './options.js';

export interface CompareOptions {
  /** Read levels to run (default all three: `strong`, `eventual`, `read_your_writes`). */
  levels?: readonly ReadLevel[];
  /** W/R settings (`{w: 2, r: 1}`); each level runs once per setting. Default: the campaign's. */
  quorums?: readonly Quorum[];
  /** The seed every run shares (default: random; the result says which). */
  seed?: number;
  /** Length of each run's main phase: seconds, or `'500ms'`, `'2s'`, `'1m'`. */
  timeLimit?: number | string;
  /** Comparisons go to `<out>/compare/<campaign>/<timestamp>/` (default `runs`). */
  out?: string;
  /** Where nodes run (default `process`). */
  runtime?: RuntimeName;
  /** `path=value` overrides of campaign fields for every run, as `--set`. */
  set?: readonly string[];
  /** Progress lines: `true` for stderr, or a stream. Default: none. */
  progress?: boolean | NodeJS.WriteStream;
  /** Aborting stops after the current run (which still heals, stops its nodes and checks). */
  signal?: AbortSignal;
}

export interface CompareResult {
  /** The worst verdict of the runs. */
  valid: Validity;
  /** One row per setting that ran: its label, run folder (relative to `dir`), verdict, figures. */
  rows: CompareRow[];
  /** False when a run stopped early or not every setting ran (the signal). */
  complete: boolean;
  /** The comparison's folder (compare.json, compare.html, a run folder per setting). */
  dir: string;
  /** compare.html */
  report: string;
  /** The `faultline compare` command that runs exactly this again. */
  replay: string;
  seed: number;
  campaign: string;
}

/**
 * Runs a store campaign (a name or file, as `faultline compare` takes) once per read level and
 * W/R setting with one seed, so every run has the same faults; writes compare.html. Throws
 * `CampaignError` or `UserError` before anything runs when the campaign or an option is wrong.
 */
export async function compareCampaign(campaign: string, options: CompareOptions = {}): Promise<CompareResult> {
  if (typeof campaign !== 'string') throw new UserError('compareCampaign takes a campaign name or file (a store campaign with the register workload)');
  const runtime = checkRuntime(options.runtime, 'compareCampaign');
  const levels = checkLevels(options.levels ?? readLevels, 'compareCampaign');
  for (const q of options.quorums ?? []) {
    if (!Number.isInteger(q?.w) || !Number.isInteger(q?.r)) throw new UserError(`compareCampaign: quorums take whole numbers {w, r}, got ${JSON.stringify(q)}`);
  }
  const outcome = await runComparison({
    ref: campaign,
    levels,
    quorums: options.quorums ?? [],
    ...(options.seed !== undefined && { seed: checkSeed(options.seed, 'compareCampaign') }),
    ...(options.timeLimit !== undefined && { timeLimitMs: parseTimeLimit(options.timeLimit, 'compareCampaign') }),
    sets: options.set ?? [],
    runtime,
    outDir: options.out ?? 'runs',
    registries: defaultRegistries(),
    progress: progressOf(options.progress),
    ...(options.signal && { signal: options.signal }),
  });
  const { file } = outcome;
  return {
    valid: file.valid,
    rows: file.rows,
    complete: outcome.complete,
    dir: outcome.dir,
    report: outcome.report,
    replay: file.replay,
    seed: file.seed,
    campaign: file.campaign,
  };
}

/** What `faultline compare` prints: a row per setting, then the report and the replay. */
export function formatCompareResult(result: CompareResult): string {
  return formatComparison(result);
}
