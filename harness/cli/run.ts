import type { Command } from 'commander';
import { UserError } from './errors.js';

// Placeholder: replaced by the module that implements `faultline run`.
export function registerRun(program: Command): void {
  program
    .command('run')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .action(() => {
      throw new UserError('faultline run is not implemented yet');
    });
}
