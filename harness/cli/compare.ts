import type { Command } from 'commander';
import { defaultRegistries } from '../campaign/registries.js';
import { parseLevels, parseQuorums, runComparison } from '../compare/compare.js';
import { formatComparison } from '../compare/table.js';
import { createProgress } from '../run/progress.js';
import { exitCodeFor } from '../run/verdict.js';
import { RUNTIMES } from '../runtime/index.js';
import { EXIT, UserError } from '../../core/errors.js';
import { abortOnSignals, parseSeedOption, parseTimeLimitOption } from './options.js';

interface CompareCliOptions {
  levels?: string;
  quorums?: string;
  seed?: string;
  timeLimit?: string;
  runtime: string;
  out: string;
  set: string[];
}

/** `faultline compare CAMPAIGN`: the campaign once per read level (and W/R), same seed; a table and compare.html. */
export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('run a store campaign once per read consistency level (and W/R setting) with the same seed; table + compare.html')
    .argument('<campaign>', 'a store campaign with the register workload (name or file)')
    .option('--levels <list>', 'read levels, comma-separated', 'strong,eventual,read_your_writes')
    .option('--quorums <list>', 'W/R settings, comma-separated (e.g. 2/1,2/2,3/1); default: the campaign\'s')
    .option('--seed <n>', 'the seed every run shares (default: random, printed)')
    .option('--time-limit <seconds>', 'length of each run\'s main phase (seconds, or 500ms/2s/1m)')
    .option('--runtime <runtime>', `where nodes run: ${RUNTIMES.join('|')}`, 'process')
    .option('--out <dir>', 'comparisons go to <out>/compare/<campaign>/<timestamp>/', 'runs')
    .option('--set <path=value>', 'override a campaign field for every run (repeatable)', (v: string, prev: string[]) => [...prev, v], [])
    .action(async (ref: string, opts: CompareCliOptions) => {
      if (!(RUNTIMES as readonly string[]).includes(opts.runtime)) {
        throw new UserError(`--runtime: unknown runtime "${opts.runtime}"; valid choices: ${RUNTIMES.join(', ')}`);
      }
      const seed = parseSeedOption(opts.seed);
      const timeLimitMs = parseTimeLimitOption(opts.timeLimit);
      const levels = parseLevels(opts.levels ?? 'strong,eventual,read_your_writes');
      const quorums = opts.quorums !== undefined ? parseQuorums(opts.quorums) : [];

      const stop = abortOnSignals();
      try {
        const outcome = await runComparison({
          ref,
          levels,
          quorums,
          ...(seed !== undefined && { seed }),
          ...(timeLimitMs !== undefined && { timeLimitMs }),
          sets: opts.set,
          runtime: opts.runtime,
          outDir: opts.out,
          registries: defaultRegistries(),
          progress: createProgress(process.stderr),
          signal: stop.signal,
        });
        const { file } = outcome;
        process.stdout.write(`\n${formatComparison({ ...file, complete: outcome.complete, report: outcome.report })}\n`);
        process.exitCode = stop.signal.aborted ? EXIT.error : exitCodeFor(file.valid);
      } finally {
        stop.dispose();
      }
    });
}
