import type { Command } from 'commander';
import { UserError } from './errors.js';

// Placeholder: replaced by the module that implements `faultline check`.
export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .action(() => {
      throw new UserError('faultline check is not implemented yet');
    });
}
