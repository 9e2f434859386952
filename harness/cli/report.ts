import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { isRunFolder, writeRunReport } from '../../reports/index.js';
import { UserError } from '../../core/errors.js';

/** `faultline report RUN_DIR...`: re-renders report.html from a run folder's files (no re-check). */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description('re-render report.html of run folders from their files (history.jsonl, results.json)')
    .argument('<run-dir...>', 'run folders (runs/<campaign>/<timestamp>, or runs/latest)')
    .action(async (dirs: string[]) => {
      for (const dir of dirs) {
        if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`${dir}: no such run folder`);
        if (!isRunFolder(dir)) {
          throw new UserError(`${dir} is not a run folder (it has neither history.jsonl nor results.json)`);
        }
        const file = await writeRunReport(dir);
        process.stdout.write(`${file}\n`);
      }
    });
}
