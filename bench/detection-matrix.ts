/**
 * The detection matrix's judgement: what one run of a campaign found and whether that passes,
 * and the report over all runs. Pure but for reading a run folder's results.json/history.jsonl.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from './run-record.js';

export type Role = 'bug' | 'correct' | 'claim';

export interface Entry {
  name: string;
  role: Role;
  verdict: 'valid' | 'invalid';
  findings: string[];
  timeLimitMs: number;
}

export interface RunResult extends RunRecord {
  pass: boolean;
}

interface ResultsFile {
  results?: { anomalies?: { kind: string; ops?: number[] }[] }[];
}

export function judge(entry: Entry, seed: number, exitCode: number, wallMs: number, folder: string | undefined, output: string): RunResult {
  const kinds: Record<string, number> = {};
  let firstEvidenceS: number | undefined;
  if (folder && existsSync(join(folder, 'results.json'))) {
    const results = JSON.parse(readFileSync(join(folder, 'results.json'), 'utf8')) as ResultsFile;
    const anomalies = (results.results ?? []).flatMap((r) => r.anomalies ?? []);
    for (const a of anomalies) kinds[a.kind] = (kinds[a.kind] ?? 0) + 1;
    const times = opTimes(folder);
    for (const a of anomalies) {
      if (entry.findings.length && !entry.findings.includes(a.kind)) continue;
      const ts = (a.ops ?? []).map((i) => times.get(i)).filter((t): t is number => t !== undefined);
      if (ts.length === 0) continue;
      const t = Math.max(...ts) / 1e9;
      if (firstEvidenceS === undefined || t < firstEvidenceS) firstEvidenceS = t;
    }
  }
  const found = Object.keys(kinds);
  const missing = entry.findings.filter((k) => !found.includes(k));
  const extra = found.filter((k) => !entry.findings.includes(k));
  let pass: boolean;
  let note: string;
  if (exitCode === 3 || (exitCode !== 0 && exitCode !== 1 && exitCode !== 2)) {
    pass = false;
    note = `error (exit ${exitCode}): ${lastLine(output)}`;
  } else if (exitCode === 2) {
    pass = false;
    note = 'unknown (a checker ran out of time)';
  } else if (entry.role === 'bug') {
    pass = exitCode === 1 && missing.length === 0;
    note = pass ? (extra.length ? `also: ${extra.join(', ')}` : '') : exitCode === 0 ? 'MISSED: the run passed' : `MISSED: no ${missing.join(', ')}`;
  } else if (entry.verdict === 'valid') {
    pass = exitCode === 0;
    note = pass ? '' : `FALSE ALARM: ${found.join(', ') || 'invalid'}`;
  } else {
    // A course claim known not to hold: its named findings may show; anything else is a regression.
    pass = extra.length === 0;
    note = pass ? (exitCode === 1 ? 'expected finding' : 'claim held this time') : `REGRESSION: unexpected ${extra.join(', ')}`;
  }
  return { campaign: entry.name, seed, exitCode, wallMs, kinds, firstEvidenceS, folder, pass, note };
}

function opTimes(folder: string): Map<number, number> {
  const map = new Map<number, number>();
  const file = join(folder, 'history.jsonl');
  if (!existsSync(file)) return map;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    try {
      const op = JSON.parse(line) as { index: number; time: number };
      map.set(op.index, op.time);
    } catch {
      break;
    }
  }
  return map;
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return (lines[lines.length - 1] ?? '').slice(0, 200);
}

function median(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}

export const fmtS = (ms: number | undefined): string => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`);

export function summarize(entries: Entry[], runs: RunResult[], seeds: number[]): { markdown: string; regressions: number } {
  const rows: string[][] = [];
  let regressions = 0;
  for (const e of entries) {
    const rs = runs.filter((r) => r.campaign === e.name);
    const passed = rs.filter((r) => r.pass).length;
    if (passed < rs.length) regressions++;
    const kinds = new Map<string, number>();
    for (const r of rs) for (const k of Object.keys(r.kinds)) kinds.set(k, (kinds.get(k) ?? 0) + 1);
    const expectText = e.verdict === 'valid' ? 'valid' : `invalid: ${e.findings.join(', ') || '(any)'}`;
    const detected = rs.filter((r) => r.exitCode === 1);
    rows.push([
      e.name,
      e.role,
      expectText,
      `${passed}/${rs.length}`,
      e.role === 'bug' ? fmtS(median(detected.map((r) => r.wallMs))) : fmtS(median(rs.map((r) => r.wallMs))),
      e.role === 'bug' ? fmtS(Math.max(0, ...detected.map((r) => r.wallMs)) || undefined) : '-',
      (() => {
        const m = median(rs.map((r) => r.firstEvidenceS).filter((t): t is number => t !== undefined));
        return m === undefined ? '-' : `${m.toFixed(1)} s`;
      })(),
      [...kinds].map(([k, n]) => `${k} (${n}/${rs.length})`).join(', ') || '-',
      passed === rs.length ? 'ok' : rs.filter((r) => !r.pass).map((r) => `seed ${r.seed}: ${r.note}`).join('; '),
    ]);
  }
  const header = ['campaign', 'role', 'expected', 'pass', 'time (median)', 'time (max)', 'first evidence', 'findings (runs)', 'status'];
  const table = [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
  const details = runs
    .map((r) => `| ${r.campaign} | ${r.seed} | ${r.exitCode} | ${fmtS(r.wallMs)} | ${r.firstEvidenceS === undefined ? '-' : `${r.firstEvidenceS.toFixed(1)} s`} | ${Object.entries(r.kinds).map(([k, n]) => `${k}×${n}`).join(', ') || '-'} | ${r.pass ? 'pass' : 'FAIL'} ${r.note} | ${r.folder ?? '-'} |`)
    .join('\n');
  const markdown = [
    '# faultline detection matrix',
    '',
    `Seeds: ${seeds.join(', ')}. Roles: \`bug\` must be found in every run (exit 1 with its expected findings); ` +
      '`correct` must pass every run (exit 0); `claim` (store, the course\'s own claims) may show the findings its campaign expects, any other finding is a regression. ' +
      '"time" is the wall time of a whole run (start, main phase, final phase, checks) that found its bug; "first evidence" is how far into the run the first op of a witness of an expected finding completed.',
    '',
    table,
    '',
    `Regressions: ${regressions}.`,
    '',
    '## Every run',
    '',
    '| campaign | seed | exit | time | first evidence | findings | result | run folder |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    details,
    '',
  ].join('\n');
  return { markdown, regressions };
}

