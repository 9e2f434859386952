/**
 * faultline's command line. Each command lives in its own module and registers itself here.
 */
import { Command, CommanderError } from 'commander';
import { EXIT, UserError } from './errors.js';
import { registerCheck } from './check.js';
import { registerRun } from './run.js';
import { registerList } from './list.js';
import { registerNode } from './node.js';
import { registerProxy } from './proxy.js';
import { registerReport } from './report.js';

const program = new Command();
program
  .name('faultline')
  .description('Jepsen-style fault injection for the course systems: run, check, report.')
  .exitOverride()
  .configureOutput({ outputError: (str, write) => write(str) });

registerRun(program);
registerCheck(program);
registerList(program);
registerNode(program);
registerProxy(program);
registerReport(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // help and version exit 0; usage errors were already printed by commander
    process.exitCode = err.exitCode === 0 ? 0 : EXIT.error;
  } else if (err instanceof UserError) {
    process.stderr.write(`faultline: ${err.message}\n`);
    process.exitCode = err.exitCode;
  } else {
    process.stderr.write(`faultline: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = EXIT.error;
  }
}
