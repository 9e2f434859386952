import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { isRunFolder, writeRunReport } from '../../reports/index.js';
import { EXIT, UserError } from '../../core/errors.js';
import { shippedFaults } from '../faults/index.js';
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
          if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`${dir}: no such run folder`);
          if (!isRunFolder(dir)) throw new UserError(`${dir} is not a run folder (it has neither history.jsonl nor results.json)`);
          process.stdout.write(terminalLines([await writeRunReport(dir, { faultStyles: shippedFaults.styles() })]));
        } catch (err) {
          if (!(err instanceof UserError) && typeof (err as NodeJS.ErrnoException)?.code !== 'string') throw err;
          process.stderr.write(terminalLines([`faultline: ${err instanceof UserError ? err.message : `${dir}: ${(err as Error).message}`}`]));
          failed = true;
        }
      }
      if (failed) process.exitCode = EXIT.error;
    });
}
