/**
 * The mutation score (`npm run mutants`): how many small, realistic mistakes in the reference
 * systems (systems/common/mutants.ts, switched on with FAULTLINE_MUTANT) the GENERIC campaigns of
 * each system find. Never the `bugs/` campaigns, and no campaign is tuned to a mutant.
 *
 * For each mutant and seed the campaigns `<system>-partitions`, `-crashes`, `-mixed`, `-latency`
 * run in that order (until one finds it, unless --all-campaigns). A run that reports an anomaly
 * (exit 1) kills the mutant. `--baseline` also runs those campaigns unmutated: any finding there
 * is a false alarm. Prints killed/missed per mutant, per system and in total, with the time to the
 * first finding, and writes runs/mutants.md (and .json).
 *
 *   npm run mutants -- [--only TEXT] [--seeds 1] [--jobs 1] [--time-limit 60s] [--all-campaigns]
 *                      [--baseline] [--no-mutants] [--runtime process] [--out runs/mutants.md]
 *   npm run mutants -- --merge runs/a.json,runs/b.json [--out FILE]   # one table from earlier runs, judged again
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pLimit from 'p-limit';
import { parseDuration } from '../harness/campaign/duration.js';
import { loadCampaign } from '../harness/campaign/load.js';
import { defaultRegistries } from '../harness/campaign/registries.js';
import { projectRoot } from '../harness/descriptor.js';
import { MUTANT_ENV, mutantList, type MutantSystem } from '../systems/common/mutants.js';
import { positiveInt } from './args.js';
import { runCampaignProcess } from './campaign-process.js';
import { judge } from './detection-matrix.js';
import { killed, mutantsMarkdown, type MutantEntry, type MutantRun } from './mutants-score.js';

/** The generic campaigns of a system, in the order they are tried. */
export const GENERIC_KINDS = ['partitions', 'crashes', 'mixed', 'latency'] as const;
/** No run of the score may be longer than this (the issue's bound). */
const MAX_TIME_LIMIT_MS = 60_000;

function usage(message: string): never {
  process.stderr.write(
    `mutants: ${message}\nusage: npm run mutants -- [--only TEXT] [--seeds N] [--jobs N] [--time-limit S] [--all-campaigns] [--baseline] [--no-mutants] [--runtime process|docker] [--out FILE]\n`,
  );
  process.exit(3);
}

interface Campaign {
  name: string;
  timeLimitMs: number;
}

async function genericCampaigns(systems: readonly MutantSystem[], timeLimitMs: number | undefined): Promise<Map<MutantSystem, Campaign[]>> {
  const registries = await defaultRegistries();
  const out = new Map<MutantSystem, Campaign[]>();
  for (const system of systems) {
    const list: Campaign[] = [];
    for (const kind of GENERIC_KINDS) {
      const name = `${system}-${kind}`;
      const c = await loadCampaign(name, { registries, seed: 1 });
      const own = c.spec.time_limit;
      if (timeLimitMs === undefined && own > MAX_TIME_LIMIT_MS) usage(`${name} runs ${own / 1000} s, over the score's 60 s: pass --time-limit`);
      list.push({ name, timeLimitMs: timeLimitMs ?? own });
    }
    out.set(system, list);
  }
  return out;
}

async function runOne(mutant: string | undefined, campaign: Campaign, seed: number, runtime: string, timeLimit: string | undefined): Promise<MutantRun> {
  const args = [campaign.name, '--seed', String(seed), '--runtime', runtime, '--out', 'runs/mutants'];
  if (timeLimit) args.push('--time-limit', timeLimit);
  if (mutant) args.push('--set', `settings.env.${MUTANT_ENV}=${mutant}`);
  let run = await runCampaignProcess(args, campaign.timeLimitMs);
  if (run.exitCode === 3 && run.wallMs < 5000) {
    // Most often dist/ being rebuilt under our feet: one more try.
    await new Promise((res) => setTimeout(res, 3000));
    run = await runCampaignProcess(args, campaign.timeLimitMs);
  }
  const judged = judge({ name: campaign.name, role: 'bug', verdict: 'invalid', findings: [], timeLimitMs: campaign.timeLimitMs }, seed, run.exitCode, run.wallMs, run.folder, run.output);
  const note = run.exitCode === 0 ? '' : run.exitCode === 1 ? '' : judged.note;
  return {
    mutant,
    campaign: campaign.name,
    seed,
    exitCode: run.exitCode,
    wallMs: run.wallMs,
    kinds: judged.kinds,
    ...(judged.firstEvidenceS !== undefined ? { firstEvidenceS: judged.firstEvidenceS } : {}),
    ...(run.folder ? { folder: run.folder } : {}),
    note,
  };
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        only: { type: 'string' },
        seeds: { type: 'string' },
        jobs: { type: 'string' },
        'time-limit': { type: 'string' },
        'all-campaigns': { type: 'boolean', default: false },
        baseline: { type: 'boolean', default: false },
        'no-mutants': { type: 'boolean', default: false },
        runtime: { type: 'string' },
        out: { type: 'string' },
        merge: { type: 'string' },
      },
      allowPositionals: false,
    }));
  } catch (err) {
    usage((err as Error).message);
  }
  if (values.merge !== undefined) return merge(values.merge.split(',').filter(Boolean), resolve(projectRoot, values.out ?? 'runs/mutants.md'));
  const seeds = Array.from({ length: positiveInt(values.seeds, 'seeds', 1, usage) }, (_, i) => i + 1);
  const jobs = positiveInt(values.jobs, 'jobs', 1, usage);
  const runtime = values.runtime ?? 'process';
  if (runtime !== 'process' && runtime !== 'docker') usage(`--runtime must be process or docker, got "${runtime}"`);
  let timeLimitMs: number | undefined;
  if (values['time-limit'] !== undefined) {
    timeLimitMs = parseDuration(values['time-limit']);
    if (timeLimitMs === undefined || timeLimitMs <= 0) usage(`--time-limit must be a duration like 20s or 500ms, got "${values['time-limit']}"`);
    if (timeLimitMs > MAX_TIME_LIMIT_MS) usage(`--time-limit must be at most 60s, got "${values['time-limit']}"`);
  }
  const only = values.only;
  // A system name selects that system's mutants; other text, the mutants whose name holds it.
  const bySystem = only !== undefined && (['queue', 'store', 'chat', 'raft'] as const).some((s) => s === only);
  const entries: MutantEntry[] = values['no-mutants']
    ? []
    : mutantList().filter((m) => !only || (bySystem ? m.info.system === only : m.name.includes(only)));
  if (!values['no-mutants'] && entries.length === 0) usage(`no mutant matches "${only}"`);
  const systems: MutantSystem[] = values['no-mutants']
    ? (['queue', 'store', 'chat', 'raft'] as const).filter((s) => !only || s === only)
    : [...new Set(entries.map((e) => e.info.system))];
  if (systems.length === 0) usage(`no system matches "${only}"`);
  const campaigns = await genericCampaigns(systems, timeLimitMs);
  const stopAtFirst = !values['all-campaigns'];
  const out = resolve(projectRoot, values.out ?? 'runs/mutants.md');

  const limit = pLimit(jobs);
  const runs: MutantRun[] = [];
  const say = (r: MutantRun): void => {
    const what = r.exitCode === 1 ? 'found ' : r.exitCode === 0 ? 'passed' : `exit ${r.exitCode}`;
    process.stdout.write(
      `  ${what}  ${r.mutant ?? '(unmutated)'} / ${r.campaign} seed ${r.seed} in ${(r.wallMs / 1000).toFixed(1)} s` +
        `${Object.keys(r.kinds).length ? ` [${Object.keys(r.kinds).join(', ')}]` : ''}${r.note ? ` ${r.note}` : ''}\n`,
    );
  };
  const tasks: Promise<void>[] = [];
  // Mutants whose change no black-box test can see are listed, not run.
  const runnable = entries.filter((e) => !e.info.invisible);
  for (const e of runnable) {
    for (const seed of seeds) {
      tasks.push(
        limit(async () => {
          for (const c of campaigns.get(e.info.system)!) {
            const r = await runOne(e.name, c, seed, runtime, values['time-limit']);
            runs.push(r);
            say(r);
            if (stopAtFirst && killed(r)) break;
          }
        }),
      );
    }
  }
  if (values.baseline || values['no-mutants']) {
    for (const system of systems) {
      for (const c of campaigns.get(system)!) {
        for (const seed of seeds) {
          tasks.push(
            limit(async () => {
              const r = await runOne(undefined, c, seed, runtime, values['time-limit']);
              runs.push(r);
              say(r);
            }),
          );
        }
      }
    }
  }
  const baselineRuns = values.baseline || values['no-mutants'] ? systems.reduce((n, s) => n + campaigns.get(s)!.length * seeds.length, 0) : 0;
  process.stdout.write(
    `mutants: ${runnable.length} mutants (${entries.length - runnable.length} dropped as invisible) x ${seeds.length} seed(s), ` +
      `${stopAtFirst ? 'campaigns until the first finding' : 'every campaign'}; ${baselineRuns} unmutated baseline runs; ${jobs} at a time\n`,
  );
  await Promise.all(tasks);
  runs.sort((a, b) => (a.mutant ?? '').localeCompare(b.mutant ?? '') || a.seed - b.seed);

  const command = `npm run mutants --${process.argv.slice(2).map((a) => ` ${a}`).join('')}`;
  const { markdown, verdicts, falseAlarms } = mutantsMarkdown(entries, runs, {
    seeds,
    command,
    stopAtFirst,
    ...(values['time-limit'] ? { timeLimit: values['time-limit'] } : {}),
  });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, markdown);
  writeFileSync(out.replace(/\.md$/, '') + '.json', JSON.stringify({ seeds, command, verdicts, runs }, null, 2));
  process.stdout.write(`\n${markdown.split('\n## Every mutant run')[0]}\nreport: ${out}\n`);
  process.exitCode = falseAlarms > 0 ? 1 : 0;
}

/** One table from the runs of earlier `npm run mutants` (their .json files), judged again. */
function merge(files: readonly string[], out: string): void {
  if (files.length === 0) usage('--merge needs a comma-separated list of .json files');
  const runs: MutantRun[] = [];
  const commands: string[] = [];
  for (const file of files) {
    if (!existsSync(file)) usage(`--merge: no file ${file}`);
    let data: { runs?: unknown; command?: unknown };
    try {
      data = JSON.parse(readFileSync(file, 'utf8')) as { runs?: unknown; command?: unknown };
    } catch (err) {
      usage(`--merge: ${file} is not JSON: ${(err as Error).message}`);
    }
    if (!Array.isArray(data.runs)) usage(`--merge: ${file} has no "runs" list (not written by npm run mutants)`);
    runs.push(...(data.runs as MutantRun[]));
    if (typeof data.command === 'string') commands.push(data.command);
  }
  const systems = new Set(runs.map((r) => r.campaign.split('-')[0]));
  const entries = mutantList().filter((m) => systems.has(m.info.system));
  const seeds = [...new Set(runs.map((r) => r.seed))].sort((a, b) => a - b);
  const { markdown, falseAlarms } = mutantsMarkdown(entries, runs, { seeds, command: commands.join('`; `'), stopAtFirst: true });
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, markdown);
  process.stdout.write(`${markdown.split('\n## Every mutant run')[0]}\nreport: ${out}\n`);
  process.exitCode = falseAlarms > 0 ? 1 : 0;
}

await main();
