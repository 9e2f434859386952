/**
 * The detection matrix (`npm run detection`): does faultline find every seeded bug, every time,
 * and never cry wolf on a correct system?
 *
 * - every `campaigns/bugs/*` campaign runs with N seeds and must find its bug each time
 *   (exit 1 with every finding its `expected` names);
 * - the correct systems' `partitions`, `crashes` and `mixed` campaigns (raft, queue, chat) run
 *   with N seeds and must pass (exit 0);
 * - the store's campaigns test the course's claims: a finding they name in `expected.findings` is
 *   expected (the claim does not hold), any other finding is a regression.
 *
 * Prints a table (time to detection per bug) and writes it to runs/detection.md (and .json).
 * Exits 1 when anything regressed, 0 otherwise.
 *
 *   npm run detection -- [--seeds 5] [--jobs 1] [--only raft] [--out runs/detection.md] [--runtime process]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from '../harness/descriptor.js';
import { listCampaignNames } from '../harness/campaign/find.js';
import { loadCampaign } from '../harness/campaign/load.js';
import { defaultRegistries } from '../harness/campaign/registries.js';

type Role = 'bug' | 'correct' | 'claim';

interface Entry {
  name: string;
  role: Role;
  verdict: 'valid' | 'invalid';
  findings: string[];
  timeLimitMs: number;
}

interface RunResult {
  campaign: string;
  seed: number;
  exitCode: number;
  wallMs: number;
  /** Anomaly kinds found, with how many. */
  kinds: Record<string, number>;
  /** Seconds into the run of the first op that completes a witness of an expected finding. */
  firstEvidenceS?: number;
  folder?: string;
  pass: boolean;
  /** Why it did not pass, or what is notable. */
  note: string;
}

const CORRECT_SYSTEMS = ['raft', 'queue', 'chat'];
const CORRECT_KINDS = ['partitions', 'crashes', 'mixed'];

function usage(message: string): never {
  process.stderr.write(`detection: ${message}\nusage: npm run detection -- [--seeds N] [--jobs N] [--only TEXT] [--out FILE] [--runtime process|docker]\n`);
  process.exit(3);
}

function positiveInt(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) usage(`--${name} must be a positive integer, got "${raw}"`);
  return n;
}

async function selectCampaigns(only: string | undefined): Promise<Entry[]> {
  const registries = await defaultRegistries();
  const names = listCampaignNames().filter((n) => {
    if (n.startsWith('bugs/')) return true;
    const [system, ...rest] = n.split('-');
    const kind = rest.join('-');
    if (system === 'store') return kind !== 'smoke';
    return CORRECT_SYSTEMS.includes(system ?? '') && CORRECT_KINDS.includes(kind);
  });
  const entries: Entry[] = [];
  for (const name of names) {
    if (only && !name.includes(only)) continue;
    const c = await loadCampaign(name, { registries, seed: 1 });
    const expected = c.spec.expected;
    if (!expected) usage(`campaign ${name} has no \`expected\`; the matrix needs one`);
    const role: Role = name.startsWith('bugs/') ? 'bug' : c.system.name === 'store' ? 'claim' : 'correct';
    entries.push({ name, role, verdict: expected.verdict, findings: expected.findings ?? [], timeLimitMs: c.spec.time_limit });
  }
  return entries;
}

function runOnce(entry: Entry, seed: number, runtime: string): Promise<RunResult> {
  return new Promise((resolvePromise) => {
    const started = performance.now();
    const child = spawn(process.execPath, [join(projectRoot, 'bin', 'faultline.js'), 'run', entry.name, '--seed', String(seed), '--runtime', runtime], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (out += c.toString('utf8')));
    // A run that hangs is an error, not a wait forever: time limit + generous room to check.
    const killer = setTimeout(() => child.kill('SIGKILL'), entry.timeLimitMs + 180_000);
    child.on('close', (code) => {
      clearTimeout(killer);
      const wallMs = performance.now() - started;
      const folder = /run folder: (.+)$/m.exec(out)?.[1]?.trim();
      resolvePromise(judge(entry, seed, code ?? 3, wallMs, folder, out));
    });
  });
}

interface ResultsFile {
  results?: { anomalies?: { kind: string; ops?: number[] }[] }[];
}

function judge(entry: Entry, seed: number, exitCode: number, wallMs: number, folder: string | undefined, output: string): RunResult {
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

const fmtS = (ms: number | undefined): string => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`);

function summarize(entries: Entry[], runs: RunResult[], seeds: number[]): { markdown: string; regressions: number } {
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

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        seeds: { type: 'string' },
        jobs: { type: 'string' },
        only: { type: 'string' },
        out: { type: 'string' },
        runtime: { type: 'string' },
      },
      allowPositionals: false,
    }));
  } catch (err) {
    usage((err as Error).message);
  }
  const seedCount = positiveInt(values.seeds, 'seeds', 5);
  const jobs = positiveInt(values.jobs, 'jobs', 1);
  const runtime = values.runtime ?? 'process';
  const out = resolve(projectRoot, values.out ?? 'runs/detection.md');
  const seeds = Array.from({ length: seedCount }, (_, i) => i + 1);
  const entries = await selectCampaigns(values.only);
  if (entries.length === 0) usage(`no campaign matches${values.only ? ` "${values.only}"` : ''}`);

  const queue = entries.flatMap((e) => seeds.map((seed) => ({ e, seed })));
  process.stdout.write(`detection: ${entries.length} campaigns x ${seeds.length} seeds = ${queue.length} runs, ${jobs} at a time\n`);
  const runs: RunResult[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < queue.length) {
      const { e, seed } = queue[next++]!;
      let r = await runOnce(e, seed, runtime);
      if (r.exitCode === 3 && r.wallMs < 5000) {
        // Most often dist/ being rebuilt under our feet: one more try, said in the note.
        await new Promise((res) => setTimeout(res, 3000));
        const first = r.note;
        r = await runOnce(e, seed, runtime);
        r.note = `${r.note}${r.note ? '; ' : ''}retried after: ${first}`;
      }
      runs.push(r);
      process.stdout.write(
        `  ${r.pass ? 'pass' : 'FAIL'}  ${e.name} seed ${seed}: exit ${r.exitCode} in ${fmtS(r.wallMs)}` +
          `${Object.keys(r.kinds).length ? ` [${Object.keys(r.kinds).join(', ')}]` : ''}${r.note ? ` ${r.note}` : ''}\n`,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, queue.length) }, worker));
  runs.sort((a, b) => a.campaign.localeCompare(b.campaign) || a.seed - b.seed);

  const { markdown, regressions } = summarize(entries, runs, seeds);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, markdown);
  writeFileSync(out.replace(/\.md$/, '') + '.json', JSON.stringify({ seeds, entries, runs }, null, 2));
  process.stdout.write(`\n${markdown.split('\n## Every run')[0]}\nreport: ${out}\n`);
  process.exitCode = regressions > 0 ? 1 : 0;
}

await main();
