import type { Command } from 'commander';
import { UserError } from './errors.js';

// Placeholder: replaced by the module that implements `faultline report`.
export function registerReport(program: Command): void {
  program
    .command('report')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .action(() => {
      throw new UserError('faultline report is not implemented yet');
    });
}
