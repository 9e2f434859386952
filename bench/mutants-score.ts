/**
 * The mutation score's judgement and report (`npm run mutants`): which runs killed which mutant,
 * per mutant, per system and in total, and the false alarms of the unmutated baseline. Pure.
 */
import type { MutantInfo, MutantSystem } from '../systems/common/mutants.js';
import type { RunRecord } from './run-record.js';

export interface MutantRun extends RunRecord {
  /** The mutant, or undefined for a baseline run of the unmutated system. */
  mutant: string | undefined;
}

export interface MutantEntry {
  name: string;
  info: MutantInfo;
}

export type MutantStatus = 'killed' | 'missed' | 'error' | 'invisible' | 'not run';

export interface MutantVerdict {
  name: string;
  system: MutantSystem;
  status: MutantStatus;
  /** The run that found it first (in campaign order, then seed). */
  killer?: MutantRun;
  /** Seeds in which some campaign found it, of the seeds run. */
  seedsKilled: number;
  seedsRun: number;
  campaignsRun: string[];
  kinds: string[];
}

/**
 * Findings that alone do not kill a mutant: `unavailable` (perf: too few ops ok outside faults)
 * says how the shared machine coped as much as what the system did, so it is reported, not scored.
 */
export const NOT_SCORED_KINDS: readonly string[] = ['unavailable'];

/** A run kills a mutant when faultline reported an anomaly (exit 1) of a scored kind; exit 2 is unknown, 3 an error. */
export const killed = (run: MutantRun): boolean => run.exitCode === 1 && Object.keys(run.kinds).some((k) => !NOT_SCORED_KINDS.includes(k));
export const errored = (run: MutantRun): boolean => run.exitCode !== 0 && run.exitCode !== 1 && run.exitCode !== 2;

export function judgeMutant(entry: MutantEntry, runs: readonly MutantRun[]): MutantVerdict {
  const mine = runs.filter((r) => r.mutant === entry.name);
  const seeds = [...new Set(mine.map((r) => r.seed))];
  const kills = mine.filter(killed);
  const seedsKilled = seeds.filter((s) => kills.some((r) => r.seed === s)).length;
  let status: MutantStatus;
  if (entry.info.invisible) status = 'invisible';
  else if (mine.length === 0) status = 'not run';
  else if (kills.length > 0) status = 'killed';
  else if (mine.length > 0 && mine.every(errored)) status = 'error';
  else status = 'missed';
  const killer = [...kills].sort((a, b) => a.seed - b.seed || (a.firstEvidenceS ?? Infinity) - (b.firstEvidenceS ?? Infinity))[0];
  return {
    name: entry.name,
    system: entry.info.system,
    status,
    ...(killer ? { killer } : {}),
    seedsKilled,
    seedsRun: seeds.length,
    campaignsRun: [...new Set(mine.map((r) => r.campaign))],
    kinds: [...new Set(kills.flatMap((r) => Object.keys(r.kinds)))].filter((k) => !NOT_SCORED_KINDS.includes(k)).sort(),
  };
}

export interface Score {
  killed: number;
  /** Mutants in the score: every one run, but those no black-box test can see. */
  scored: number;
}

export function scoreOf(verdicts: readonly MutantVerdict[]): Score {
  const scored = verdicts.filter((v) => v.status !== 'invisible' && v.status !== 'not run');
  return { killed: scored.filter((v) => v.status === 'killed').length, scored: scored.length };
}

const pct = (s: Score): string => (s.scored === 0 ? '-' : `${Math.round((100 * s.killed) / s.scored)}%`);
const secs = (s: number | undefined): string => (s === undefined ? '-' : `${s.toFixed(1)} s`);
const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;

export function mutantsMarkdown(
  entries: readonly MutantEntry[],
  runs: readonly MutantRun[],
  settings: { seeds: number[]; command: string; stopAtFirst: boolean; timeLimit?: string },
): { markdown: string; verdicts: MutantVerdict[]; falseAlarms: number } {
  const verdicts = entries.map((e) => judgeMutant(e, runs));
  const byName = new Map(entries.map((e) => [e.name, e.info]));
  const lines: string[] = [
    '# faultline mutation score',
    '',
    `Command: \`${settings.command}\`. Seeds: ${settings.seeds.join(', ')}. ` +
      `Each mutant runs the generic campaigns of its system (\`-partitions\`, \`-crashes\`, \`-mixed\`, \`-latency\`) ` +
      `${settings.stopAtFirst ? 'in that order until one finds it' : 'all of them'}` +
      `${settings.timeLimit ? `, each with --time-limit ${settings.timeLimit}` : ', each at its own time limit (all at most 60 s)'}. ` +
      `Killed: some run reported an anomaly (exit 1) other than ${NOT_SCORED_KINDS.join(', ')} (perf's availability floor, which a loaded machine trips too: shown per run, not scored). ` +
      '"first finding" is how far into that run the first op of a witness completed.',
    '',
    row(['mutant', 'system', 'result', 'seeds', 'found by', 'first finding', 'findings', 'mistake']),
    row(['---', '---', '---', '---', '---', '---', '---', '---']),
  ];
  for (const v of verdicts) {
    const info = byName.get(v.name)!;
    const result =
      v.status === 'invisible' ? 'dropped (invisible)' : v.status === 'missed' && info.needs ? `missed (needs ${info.needs})` : v.status;
    lines.push(
      row([
        v.name,
        v.system,
        result,
        v.seedsRun ? `${v.seedsKilled}/${v.seedsRun}` : '-',
        v.killer?.campaign ?? (v.campaignsRun.length ? `not by ${v.campaignsRun.join(', ')}` : '(not run)'),
        secs(v.killer?.firstEvidenceS),
        v.kinds.join(', ') || '-',
        info.invisible ? `${info.mistake} (dropped: ${info.invisible})` : info.mistake,
      ]),
    );
  }
  lines.push('', row(['system', 'killed', 'missed', 'errors', 'dropped', 'not run', 'score']), row(['---', '---', '---', '---', '---', '---', '---']));
  const systems = [...new Set(verdicts.map((v) => v.system))];
  for (const system of [...systems, 'total'] as const) {
    const vs = system === 'total' ? verdicts : verdicts.filter((v) => v.system === system);
    const s = scoreOf(vs);
    const count = (st: MutantStatus): number => vs.filter((v) => v.status === st).length;
    lines.push(row([system, String(count('killed')), String(count('missed')), String(count('error')), String(count('invisible')), String(count('not run')), `${s.killed}/${s.scored} (${pct(s)})`]));
  }
  const baseline = runs.filter((r) => r.mutant === undefined);
  const falseAlarms = baseline.filter((r) => r.exitCode !== 0);
  if (baseline.length) {
    lines.push(
      '',
      `## Unmutated baseline: ${baseline.length} runs, ${falseAlarms.length} not valid`,
      '',
      row(['campaign', 'seed', 'exit', 'time', 'findings', 'run folder']),
      row(['---', '---', '---', '---', '---', '---']),
      ...baseline.map((r) => row([r.campaign, String(r.seed), String(r.exitCode), `${(r.wallMs / 1000).toFixed(1)} s`, Object.keys(r.kinds).join(', ') || '-', r.folder ?? '-'])),
    );
  }
  const mutantRuns = runs.filter((r) => r.mutant !== undefined);
  lines.push(
    '',
    '## Every mutant run',
    '',
    row(['mutant', 'campaign', 'seed', 'exit', 'time', 'first finding', 'findings', 'note', 'run folder']),
    row(['---', '---', '---', '---', '---', '---', '---', '---', '---']),
    ...mutantRuns.map((r) =>
      row([r.mutant!, r.campaign, String(r.seed), String(r.exitCode), `${(r.wallMs / 1000).toFixed(1)} s`, secs(r.firstEvidenceS), Object.entries(r.kinds).map(([k, n]) => `${k}×${n}`).join(', ') || '-', r.note || '-', r.folder ?? '-']),
    ),
    '',
  );
  return { markdown: lines.join('\n'), verdicts, falseAlarms: falseAlarms.length };
}
