import type { Command } from 'commander';
import { EXIT, UserError } from '../../core/errors.js';
import { rewriteReport } from '../run/recheck.js';
import { terminalLines } from './terminal.js';

/** `faultline report RUN_DIR...`: re-renders report.html from a run folder's files (no re-check). */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description('re-render report.html of run folders from their files (history.jsonl, results.json)')
    .argument('<run-dir...>', 'run folders (runs/<campaign>/<timestamp>, or runs/latest)')
    .action(async (dirs: string[]) => {
      // each folder gets its report or one error line; one bad folder never hides the others
      let failed = false;
      for (const dir of dirs) {
        try {
          process.stdout.write(terminalLines([await rewriteReport(dir)]));
        } catch (err) {
          if (!(err instanceof UserError) && typeof (err as NodeJS.ErrnoException)?.code !== 'string') throw err;
          process.stderr.write(terminalLines([`faultline: ${err instanceof UserError ? err.message : `${dir}: ${(err as Error).message}`}`]));
          failed = true;
        }
      }
      if (failed) process.exitCode = EXIT.error;
    });
}
