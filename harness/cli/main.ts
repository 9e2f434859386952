/**
 * faultline's command line. Each command lives in its own module and registers itself here.
 */
import { Command, CommanderError } from 'commander';
import { EXIT, exitCodeForError, UserError } from '../../core/errors.js';
import { guardStandardOutput } from './output.js';

type Register = (program: Command) => void;

// Each command's module is imported only when that command runs (or for help and unknown
// commands, all of them): startup stays fast, `faultline check` does not load dockerode & co.
const commands: Record<string, () => Promise<Register>> = {
  run: async () => (await import('./run.js')).registerRun,
  check: async () => (await import('./check.js')).registerCheck,
  list: async () => (await import('./list.js')).registerList,
  node: async () => (await import('./node.js')).registerNode,
  proxy: async () => (await import('./proxy.js')).registerProxy,
  report: async () => (await import('./report.js')).registerReport,
  serve: async () => (await import('./serve.js')).registerServe,
  compare: async () => (await import('./compare.js')).registerCompare,
};

guardStandardOutput();

const program = new Command();
program
  .name('faultline')
  .description('Jepsen-style fault injection for the course systems: run, check, report.')
  .exitOverride()
  .configureOutput({ outputError: (str, write) => write(str) });

const requested = process.argv[2];
const wanted = requested !== undefined && Object.hasOwn(commands, requested) ? [requested] : Object.keys(commands);
for (const register of await Promise.all(wanted.map((name) => commands[name]!()))) register(program);

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
    process.exitCode = exitCodeForError(err);
  }
}
