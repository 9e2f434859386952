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
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { positiveInt } from './args.js';
import { runCampaignProcess } from './campaign-process.js';
import { fmtS, judge, summarize, type Entry, type Role, type RunResult } from './detection-matrix.js';
import { parseArgs } from 'node:util';
import pLimit from 'p-limit';
import { projectRoot } from '../harness/descriptor.js';
import { listCampaignNames } from '../harness/campaign/find.js';
import { loadCampaign } from '../harness/campaign/load.js';
import { defaultRegistries } from '../harness/campaign/registries.js';

const CORRECT_SYSTEMS = ['raft', 'queue', 'chat'];
const CORRECT_KINDS = ['partitions', 'crashes', 'mixed'];

function usage(message: string): never {
  process.stderr.write(`detection: ${message}\nusage: npm run detection -- [--seeds N] [--jobs N] [--only TEXT] [--out FILE] [--runtime process|docker]\n`);
  process.exit(3);
}

async function selectCampaigns(only: string | undefined): Promise<Entry[]> {
  const registries = defaultRegistries();
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

async function runOnce(entry: Entry, seed: number, runtime: string): Promise<RunResult> {
  const run = await runCampaignProcess([entry.name, '--seed', String(seed), '--runtime', runtime], entry.timeLimitMs);
  return judge(entry, seed, run.exitCode, run.wallMs, run.folder, run.output);
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
  const seedCount = positiveInt(values.seeds, 'seeds', 5, usage);
  const jobs = positiveInt(values.jobs, 'jobs', 1, usage);
  const runtime = values.runtime ?? 'process';
  const out = resolve(projectRoot, values.out ?? 'runs/detection.md');
  const seeds = Array.from({ length: seedCount }, (_, i) => i + 1);
  const entries = await selectCampaigns(values.only);
  if (entries.length === 0) usage(`no campaign matches${values.only ? ` "${values.only}"` : ''}`);

  const queue = entries.flatMap((e) => seeds.map((seed) => ({ e, seed })));
  process.stdout.write(`detection: ${entries.length} campaigns x ${seeds.length} seeds = ${queue.length} runs, ${jobs} at a time\n`);
  const runs: RunResult[] = [];
  const limit = pLimit(jobs);
  const one = async ({ e, seed }: (typeof queue)[number]): Promise<void> => {
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
  };
  await Promise.all(queue.map((job) => limit(() => one(job))));
  runs.sort((a, b) => a.campaign.localeCompare(b.campaign) || a.seed - b.seed);

  const { markdown, regressions } = summarize(entries, runs, seeds);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, markdown);
  writeFileSync(out.replace(/\.md$/, '') + '.json', JSON.stringify({ seeds, entries, runs }, null, 2));
  process.stdout.write(`\n${markdown.split('\n## Every run')[0]}\nreport: ${out}\n`);
  process.exitCode = regressions > 0 ? 1 : 0;
}

await main();
