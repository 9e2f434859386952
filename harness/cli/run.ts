import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { loadCampaign, type Campaign } from '../campaign/load.js';
import { readRecordedFaults } from '../nemesis/recorded.js';
import { defaultRegistries } from '../campaign/registries.js';
import { RUNTIMES } from '../runtime/index.js';
import { createProgress } from '../run/progress.js';
import { writeJunit, writeJunitError } from '../run/junit.js';
import { formatPlan, planRun } from '../run/plan.js';
import { runCampaign } from '../run/run.js';
import { replayCommand } from '../run/shell.js';
import { formatVerdictTable } from '../run/verdict.js';
import { EXIT, UserError } from '../../core/errors.js';
import { outputClosed, print } from './output.js';
import { abortOnSignals, parseSeedOption, parseTimeLimitOption } from './options.js';
import { parseTestCount, shortOptionArgs, shortOptionOverrides, type ShortRunOptions } from './run-options.js';

interface RunOptions extends ShortRunOptions {
  testCount?: string;
  runtime: string;
  attach?: string;
  project?: string;
  junit?: string;
  plan?: boolean;
  seed?: string;
  timeLimit?: string;
  out?: string;
  faults?: string;
  set: string[];
}

/** `faultline run CAMPAIGN`: one run (or --test-count runs), checked; exit 0 valid, 1 anomalies,
 *  2 unknown, 3 bad input, 4 internal error. */
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
    .option('--nodes <n>', 'node count (sugar for --set nodes=N)')
    .option('--concurrency <n>', 'client count, or clients per node: 2n = twice the node count (sugar for --set clients.concurrency=N)')
    .option('--rate <ops/s>', 'target ops per second over all clients, 0 = as fast as they go (sugar for --set clients.rate=R)')
    .option('--nemesis <faults>', 'fault types to draw from, e.g. partition,kill,pause,latency, or none (sugar for --set nemesis.faults=[...])')
    .option('--test-count <n>', 'run N times with seeds seed, seed+1, ...; stop at the first run that is not valid')
    .option('--attach <compose-file>', 'use the nodes and Toxiproxy of an already-running compose project (docker runtime)')
    .option('--project <name>', 'with --attach: the compose project name (default: the file\'s name:)')
    .option('--junit <file>', 'also write the verdicts as a JUnit XML report')
.option('--faults <file>', "run the fault sequence a run recorded (its plan.json, or its run folder) instead of planning one: an adaptive run's replay")
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
      const testCount = parseTestCount(opts.testCount);
      const registries = defaultRegistries();
      const sets = [
        ...(await shortOptionOverrides(opts, async () => (await loadCampaign(ref, { sets: opts.set, seed, timeLimitMs, registries })).nodes.length)),
        ...opts.set,
      ];
      const recorded = (c: Campaign): Campaign => (opts.faults === undefined ? c : { ...c, recordedFaults: readRecordedFaults(opts.faults, c.faults) });
      const first = recorded(await loadCampaign(ref, { sets, seed, timeLimitMs, registries }));

      if (opts.plan) {
        await print(formatPlan(planRun(first), first.faults));
        return;
      }

      for (let i = 0; i < testCount; i++) {
        const campaign = i === 0 ? first : recorded(await loadCampaign(ref, { sets, seed: (first.seed + i) % 2 ** 32, timeLimitMs, registries }));
        if (testCount > 1) await print(`${i > 0 ? '\n' : ''}run ${i + 1} of ${testCount}, seed ${campaign.seed}\n`);
        const replayWith = (faults: string | undefined): string =>
          replayCommand({
            ref,
            seed: campaign.seed,
            runtime: opts.runtime,
            ...(opts.attach !== undefined && { attach: opts.attach }),
            ...(opts.project !== undefined && { project: opts.project }),
            ...(opts.timeLimit !== undefined && { timeLimit: opts.timeLimit }),
            ...(opts.out !== undefined && { out: opts.out }),
            more: [...shortOptionArgs(opts), ...opts.set.flatMap((s) => ['--set', s]), ...(faults !== undefined ? ['--faults', faults] : [])],
          });
        const replay = replayWith(opts.faults);
        const interrupt = abortOnSignals((sig) =>
          process.stderr.write(`faultline: still cleaning up after ${sig}; a later run removes anything left\n`),
        );
        let exitCode: number;
        let interrupted = false;
        try {
          const outcome = await runCampaign({
            campaign,
            runtime: opts.runtime,
            ...(opts.attach !== undefined && { attach: { file: opts.attach, ...(opts.project !== undefined && { project: opts.project }) } }),
            outDir: opts.out ?? 'runs',
            replay,
            replayWithFaults: (file) => replayWith(file),
            checkers: registries.checkers,
            progress: createProgress(process.stderr),
            signal: AbortSignal.any([interrupt.signal, outputClosed]),
            onCleanedUp: (dir) => {
              interrupt.dispose();
              process.stderr.write(`checking the history; Ctrl-C stops (faultline check ${dir} checks it later)\n`);
            },
          });
          const { results } = outcome;
          if (opts.junit !== undefined) writeJunit(opts.junit, results, outcome.exitCode);
          await print(
            `\n${formatVerdictTable(results.results, results.valid, results.expected, results.interrupted, results.coverage)}\n` +
              `run folder: ${outcome.dir}\nreplay: ${results.replay}\n${opts.junit !== undefined ? `junit: ${opts.junit}\n` : ''}`,
          );
          // Output nobody could read (the pipe closed, even at this last write) is no pass.
          exitCode = outputClosed.aborted && outcome.exitCode === EXIT.valid ? EXIT.unknown : outcome.exitCode;
          interrupted = results.interrupted !== undefined || outputClosed.aborted;
        } catch (err) {
          // The run never started: CI still gets a JUnit file saying why.
          if (opts.junit !== undefined) writeJunitError(opts.junit, campaign.name, (err as Error).message);
          throw err;
        } finally {
          interrupt.dispose();
        }
        process.exitCode = exitCode;
        if (exitCode !== EXIT.valid || interrupted) {
          if (testCount > 1 && i < testCount - 1) await print(`stopped at run ${i + 1} of ${testCount} (seed ${campaign.seed})\n`);
          return;
        }
      }
      if (testCount > 1) await print(`all ${testCount} runs valid (seeds ${first.seed} to ${(first.seed + testCount - 1) % 2 ** 32})\n`);
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
