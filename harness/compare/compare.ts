/**
 * `faultline compare`: one store campaign run once per read consistency level (and W/R
 * setting), all with the same seed, so every run gets the same op mix and the same fault
 * schedule. Each run is an ordinary run (the engine's `runCampaign`), with its own folder and
 * report; the comparison reads the figures from their checkers' results.
 */
import { randomInt } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { combineValidity, type Validity } from '../../core/result.js';
import { writeCompareReportHtml, type CompareSummary } from '../../reports/compare.js';
import { readLevels } from '../../workloads/register/options.js';
import { loadCampaign, type Campaign } from '../campaign/load.js';
import type { Registries } from '../campaign/registries.js';
import { UserError } from '../../core/errors.js';
import type { Progress } from '../run/progress.js';
import { readRecordedFaults } from '../nemesis/recorded.js';
import { runCampaign } from '../run/run.js';
import { shellQuote } from '../run/shell.js';
import { metricsOf, type CompareMetrics } from './metrics.js';
import { COLUMNS, compareCells } from './table.js';

export interface Quorum {
  w: number;
  r: number;
}

export interface Variant {
  /** `strong`, or `strong W2/R2` when a quorum setting is given. */
  label: string;
  readLevel: string;
  quorum?: Quorum;
}

export interface CompareRow {
  variant: Variant;
  /** The run folder, relative to the comparison's folder. */
  runDir: string;
  valid: Validity;
  metrics: CompareMetrics;
  /** Set when the run stopped early. */
  interrupted?: string;
}

export interface CompareFile extends CompareSummary {
  rows: CompareRow[];
}

export interface CompareSettings {
  /** A campaign name or file; its system must speak the store API, its workload must be `register`. */
  ref: string;
  /** Read levels to run; default all three. */
  levels?: readonly string[];
  /** W/R settings; each level runs once per setting. Default: the campaign's own. */
  quorums?: readonly Quorum[];
  seed?: number;
  timeLimitMs?: number;
  /** Extra `--set path=value` overrides for every run. */
  sets?: readonly string[];
  runtime: string;
  /** Comparisons go to <outDir>/compare/<campaign>/<timestamp>/. */
  outDir: string;
  registries: Registries;
  progress: Progress;
  signal?: AbortSignal;
  healthTimeoutMs?: number;
}

export interface CompareOutcome {
  dir: string;
  file: CompareFile;
  /** compare.html */
  report: string;
  /** False when a run stopped early or not every setting ran (the signal). */
  complete: boolean;
}

/** The checkers a comparison reads its figures from; added to the campaign when it lacks them. */
const NEEDED_CHECKERS = [
  { name: 'linearizable', options: { model: 'kv' } },
  { name: 'consistency', options: {} },
  { name: 'perf', options: {} },
];

export function parseQuorums(text: string): Quorum[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const m = /^[Ww]?(\d+)\s*\/\s*[Rr]?(\d+)$/.exec(s);
      if (!m) throw new UserError(`--quorums takes W/R pairs like 2/1,2/2,3/1; got "${s}"`);
      return { w: Number(m[1]), r: Number(m[2]) };
    });
}

export function parseLevels(text: string): string[] {
  return checkLevels(text.split(',').map((s) => s.trim()).filter(Boolean), '--levels');
}

/** Read levels as given, each a known one and at least one; errors begin with `who`. */
export function checkLevels(levels: readonly string[], who: string): string[] {
  for (const l of levels) {
    if (!(readLevels as readonly string[]).includes(l)) throw new UserError(`${who}: unknown read level ${JSON.stringify(l)}; valid choices: ${readLevels.join(', ')}`);
  }
  if (levels.length === 0) throw new UserError(`${who} names no read level`);
  return [...levels];
}

export function variantsOf(levels: readonly string[], quorums: readonly Quorum[]): Variant[] {
  if (quorums.length === 0) return levels.map((l) => ({ label: l, readLevel: l }));
  return quorums.flatMap((q) => levels.map((l) => ({ label: `${l} W${q.w}/R${q.r}`, readLevel: l, quorum: q })));
}

export async function runComparison(settings: CompareSettings): Promise<CompareOutcome> {
  const levels = settings.levels ?? readLevels;
  const variants = variantsOf(levels, settings.quorums ?? []);
  const seed = settings.seed ?? randomInt(0, 2 ** 32 - 1);
  const startedAt = new Date();

  // Load every variant first: a mistake is reported before anything runs.
  const campaigns: Campaign[] = [];
  for (const v of variants) campaigns.push(await loadVariant(settings, v, seed));
  const first = campaigns[0]!;
  if (first.system.api !== 'store') {
    throw new UserError(`faultline compare runs store campaigns (read levels and W/R quorums); ${settings.ref} runs system ${first.system.name} (api ${first.system.api})`);
  }
  if (first.workload.name !== 'register') {
    throw new UserError(`faultline compare needs the register workload (it sets workload.options.readLevel); ${settings.ref} uses ${first.workload.name}`);
  }
  for (const [i, v] of variants.entries()) {
    const n = campaigns[i]!.nodes.length;
    if (v.quorum && (v.quorum.w < 1 || v.quorum.r < 1 || v.quorum.w > n || v.quorum.r > n)) {
      throw new UserError(`quorums: W${v.quorum.w}/R${v.quorum.r} does not fit ${n} nodes (each must be 1..${n})`);
    }
  }

  const dir = join(settings.outDir, 'compare', ...first.name.split('/'), startedAt.toISOString().replace(/:/g, '-'));
  mkdirSync(dir, { recursive: true });
  const replay = compareReplay(settings, seed);
  const rows: CompareRow[] = [];
  let faults: unknown[] = [];
  for (const [i, v] of variants.entries()) {
    if (settings.signal?.aborted) break;
    settings.progress.event(`compare: ${v.label} (${i + 1} of ${variants.length}), seed ${seed}`);
    const outcome = await runCampaign({
      campaign: campaigns[i]!,
      runtime: settings.runtime,
      outDir: join(dir, slug(v.label)),
      replay: runReplay(settings, v, seed),
      checkers: settings.registries.checkers,
      progress: settings.progress,
      ...(settings.signal && { signal: settings.signal }),
      ...(settings.healthTimeoutMs !== undefined && { healthTimeoutMs: settings.healthTimeoutMs }),
    });
    if (i === 0) {
      faults = readPlan(outcome.dir);
      // an adaptive campaign chose its faults as the first run went: the other variants run those
      if (first.spec.nemesis.mode === 'adaptive' && !first.recordedFaults) {
        for (let j = 1; j < campaigns.length; j++) campaigns[j] = { ...campaigns[j]!, recordedFaults: readRecordedFaults(outcome.dir, campaigns[j]!.faults) };
      }
    }
    rows.push({
      variant: v,
      runDir: relative(dir, outcome.dir).split('\\').join('/'),
      valid: outcome.results.valid,
      metrics: metricsOf(outcome.results.results),
      ...(outcome.results.interrupted && { interrupted: outcome.results.interrupted }),
    });
  }
  // A comparison cut short is no pass: at best unknown.
  const complete = rows.length === variants.length && rows.every((r) => r.interrupted === undefined);
  const valid = combineValidity([...rows.map((r) => r.valid), ...(complete ? [] : ['unknown' as const])]);
  const file: CompareFile = {
    campaign: first.name,
    system: first.system.name,
    seed,
    startedAt: startedAt.toISOString(),
    valid,
    replay,
    faults,
    rows,
  };
  writeFileSync(join(dir, 'compare.json'), JSON.stringify(file, null, 2) + '\n');
  const report = await writeCompareReport(dir, file);
  return { dir, file, report, complete };
}

async function loadVariant(settings: CompareSettings, v: Variant, seed: number): Promise<Campaign> {
  const sets = [...(settings.sets ?? []), ...variantSets(v)];
  const load = (extra: string[]): Promise<Campaign> =>
    loadCampaign(settings.ref, {
      sets: [...sets, ...extra],
      seed,
      registries: settings.registries,
      ...(settings.timeLimitMs !== undefined && { timeLimitMs: settings.timeLimitMs }),
    });
  const campaign = await load([]);
  const have = new Set(campaign.checkers.map((c) => c.name));
  const missing = NEEDED_CHECKERS.filter((c) => !have.has(c.name));
  if (missing.length === 0) return campaign;
  // Written into the campaign (campaign.yaml of each run), so `faultline check` re-checks the same.
  const all = [...campaign.checkers, ...missing];
  return load([`checkers=${JSON.stringify(all)}`]);
}

function variantSets(v: Variant): string[] {
  const sets = [`workload.options.readLevel=${v.readLevel}`];
  if (v.quorum) sets.push(`settings.env.WRITE_QUORUM=${v.quorum.w}`, `settings.env.READ_QUORUM=${v.quorum.r}`);
  return sets;
}

function runReplay(settings: CompareSettings, v: Variant, seed: number): string {
  const args = ['npx', 'faultline', 'run', settings.ref, '--seed', String(seed)];
  if (settings.runtime !== 'process') args.push('--runtime', settings.runtime);
  if (settings.timeLimitMs !== undefined) args.push('--time-limit', `${settings.timeLimitMs}ms`);
  for (const s of [...(settings.sets ?? []), ...variantSets(v)]) args.push('--set', s);
  return shellQuote(args);
}

function compareReplay(settings: CompareSettings, seed: number): string {
  const args = ['npx', 'faultline', 'compare', settings.ref, '--seed', String(seed)];
  if (settings.levels) args.push('--levels', settings.levels.join(','));
  if (settings.quorums?.length) args.push('--quorums', settings.quorums.map((q) => `${q.w}/${q.r}`).join(','));
  if (settings.runtime !== 'process') args.push('--runtime', settings.runtime);
  if (settings.timeLimitMs !== undefined) args.push('--time-limit', `${settings.timeLimitMs}ms`);
  if (settings.outDir !== 'runs') args.push('--out', settings.outDir);
  for (const s of settings.sets ?? []) args.push('--set', s);
  return shellQuote(args);
}

function slug(label: string): string {
  return label.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

function readPlan(runDir: string): unknown[] {
  try {
    const plan = JSON.parse(readFileSync(join(runDir, 'plan.json'), 'utf8')) as { faults?: unknown[] };
    return Array.isArray(plan.faults) ? plan.faults : [];
  } catch {
    return [];
  }
}

/** compare.html from a comparison: the terminal table's cells and the figures for its charts. */
export function writeCompareReport(dir: string, file: CompareFile): Promise<string> {
  const pct = (v: number | null): number | null => (v === null ? null : Math.round(v * 1000) / 10);
  return writeCompareReportHtml(dir, {
    ...file,
    columns: COLUMNS,
    rows: file.rows.map((r) => ({
      label: r.variant.label,
      runDir: r.runDir,
      valid: r.valid,
      ...(r.interrupted && { interrupted: r.interrupted }),
      cells: compareCells(r),
      figures: {
        'availability during faults (%)': pct(r.metrics.availabilityInFaults),
        'stale reads': r.metrics.staleReads,
        'read-your-writes violations': r.metrics.readYourWrites,
        'monotonic-read violations': r.metrics.monotonicReads,
        'read latency p50 (ms)': r.metrics.readP50,
        'read latency p99 (ms)': r.metrics.readP99,
      },
    })),
  });
}
