import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { loadCampaign } from '../campaign/load.js';
import { defaultRegistries } from '../campaign/registries.js';
import { RUNTIMES } from '../runtime/index.js';
import { createProgress } from '../run/progress.js';
import { writeJunit, writeJunitError } from '../run/junit.js';
import { formatPlan, planRun } from '../run/plan.js';
import { runCampaign } from '../run/run.js';
import { shellQuote } from '../run/shell.js';
import { formatVerdictTable } from '../run/verdict.js';
import { UserError } from './errors.js';
import { abortOnSignals, parseSeedOption, parseTimeLimitOption } from './options.js';

interface RunOptions {
  runtime: string;
  attach?: string;
  project?: string;
  junit?: string;
  plan?: boolean;
  seed?: string;
  timeLimit?: string;
  out?: string;
  set: string[];
}

/** `faultline run CAMPAIGN`: one run, checked; exit 0 valid, 1 anomalies, 2 unknown, 3 error. */
export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a campaign: cluster, clients, faults, then check the history')
    .argument('<campaign>', 'a campaign name (faultline list campaigns) or a campaign file')
    .option('--runtime <runtime>', `where nodes run: ${RUNTIMES.join('|')}`, 'process')
    .option('--seed <n>', 'seed for every random choice (replays a run)')
    .option('--time-limit <seconds>', 'length of the main phase (seconds, or 500ms/2s/1m)')
    .option('--out <dir>', 'where run folders go', 'runs')
    .option('--set <path=value>', 'override a campaign field, e.g. clients.concurrency=8 (repeatable)', collect, [])
    .option('--attach <compose-file>', 'use the nodes and Toxiproxy of an already-running compose project (docker runtime)')
    .option('--project <name>', 'with --attach: the compose project name (default: the file\'s name:)')
    .option('--junit <file>', 'also write the verdicts as a JUnit XML report')
    .option('--plan', 'print the seeded plan (fault schedule, first ops of each process) and exit without running')
    .action(async (ref: string, opts: RunOptions) => {
      if (!(RUNTIMES as readonly string[]).includes(opts.runtime)) {
        throw new UserError(`--runtime: unknown runtime "${opts.runtime}"; valid choices: ${RUNTIMES.join(', ')}`);
      }
      if (opts.attach !== undefined) {
        if (opts.runtime !== 'process' && opts.runtime !== 'docker') throw new UserError('--attach works with the docker runtime only');
        if (!existsSync(opts.attach)) throw new UserError(`--attach ${opts.attach}: no such compose file`);
        opts.runtime = 'docker';
      } else if (opts.project !== undefined) {
        throw new UserError('--project goes with --attach');
      }
      const seed = parseSeedOption(opts.seed);
      const timeLimitMs = parseTimeLimitOption(opts.timeLimit);
      const registries = await defaultRegistries();
      const campaign = await loadCampaign(ref, { sets: opts.set, seed, timeLimitMs, registries });

      if (opts.plan) {
        process.stdout.write(formatPlan(planRun(campaign)));
        return;
      }

      const replayArgs = ['npx', 'faultline', 'run', ref, '--seed', String(campaign.seed)];
      if (opts.attach !== undefined) replayArgs.push('--attach', opts.attach);
      else if (opts.runtime !== 'process') replayArgs.push('--runtime', opts.runtime);
      if (opts.project !== undefined) replayArgs.push('--project', opts.project);
      if (opts.timeLimit !== undefined) replayArgs.push('--time-limit', opts.timeLimit);
      if (opts.out !== 'runs') replayArgs.push('--out', opts.out ?? 'runs');
      for (const s of opts.set) replayArgs.push('--set', s);
      const replay = shellQuote(replayArgs);

      const interrupt = abortOnSignals((sig) =>
        process.stderr.write(`faultline: still cleaning up after ${sig}; a later run removes anything left\n`),
      );
      try {
        const outcome = await runCampaign({
          campaign,
          runtime: opts.runtime,
          ...(opts.attach !== undefined && { attach: { file: opts.attach, ...(opts.project !== undefined && { project: opts.project }) } }),
          outDir: opts.out ?? 'runs',
          replay,
          checkers: registries.checkers,
          progress: createProgress(process.stderr),
          signal: interrupt.signal,
          onCleanedUp: (dir) => {
            interrupt.dispose();
            process.stderr.write(`checking the history; Ctrl-C stops (faultline check ${dir} checks it later)\n`);
          },
        });
        const { results } = outcome;
        process.stdout.write(`\n${formatVerdictTable(results.results, results.valid, results.expected)}\n`);
        if (results.interrupted) process.stdout.write(`interrupted: ${results.interrupted}\n`);
        process.stdout.write(`run folder: ${outcome.dir}\nreplay: ${replay}\n`);
        if (opts.junit !== undefined) {
          writeJunit(opts.junit, results, outcome.exitCode);
          process.stdout.write(`junit: ${opts.junit}\n`);
        }
        process.exitCode = outcome.exitCode;
      } catch (err) {
        // The run never started: CI still gets a JUnit file saying why.
        if (opts.junit !== undefined) writeJunitError(opts.junit, campaign.name, (err as Error).message);
        throw err;
      } finally {
        interrupt.dispose();
      }
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
