import type { Command } from 'commander';
import { UserError } from './errors.js';

// Placeholder: replaced by the module that implements `faultline proxy`.
export function registerProxy(program: Command): void {
  program
    .command('proxy')
    .description('(not implemented yet)')
    .allowUnknownOption()
    .action(() => {
      throw new UserError('faultline proxy is not implemented yet');
    });
}
