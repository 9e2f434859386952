import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { DescriptorError, findSystem } from '../descriptor.js';
import { processLaunch } from '../system-command.js';
import { UserError } from '../../core/errors.js';

/** `faultline node <system>`: runs one node of a system by hand, in the foreground. */
export function registerNode(program: Command): void {
  program
    .command('node')
    .description('run one node of a system in the foreground (peers in the system\'s own format)')
    .argument('<system>', 'a system name (faultline list systems) or a descriptor file')
    .requiredOption('--id <id>', 'node id, e.g. node1')
    .requiredOption('--port <port>', 'port to listen on')
    .option('--peers <peers>', 'peers, in the descriptor\'s peer format, comma-separated', '')
    .option('--data-dir <dir>', 'where the node keeps what it persists')
    .option('--bugs <list>', 'seeded defects to switch on, comma-separated (faultline list bugs)')
    .option('--env <KEY=VALUE...>', 'extra environment', [])
    .action((systemName: string, opts: { id: string; port: string; peers: string; dataDir?: string; bugs?: string; env: string[] }) => {
      const system = asUserError(() => findSystem(systemName));
      if (!/^\d+$/.test(opts.port)) throw new UserError(`--port must be a number, got "${opts.port}"`);
      const env: NodeJS.ProcessEnv = { ...process.env, ...system.settings };
      env[system.env.id] = opts.id;
      env[system.env.port] = opts.port;
      env[system.env.peers] = opts.peers;
      if (opts.dataDir !== undefined) {
        if (!system.env.dataDir) throw new UserError(`system ${system.name} has no data dir setting`);
        env[system.env.dataDir] = opts.dataDir;
      }
      if (opts.bugs !== undefined) {
        if (!system.env.bugs) throw new UserError(`system ${system.name} has no BUGS setting`);
        const known = system.bugs.map((b) => b.name);
        for (const bug of opts.bugs.split(',').filter(Boolean)) {
          if (!known.includes(bug)) throw new UserError(`unknown bug "${bug}" for ${system.name}; known: ${known.join(', ')}`);
        }
        env[system.env.bugs] = opts.bugs;
      }
      for (const kv of opts.env) {
        const eq = kv.indexOf('=');
        if (eq <= 0) throw new UserError(`--env takes KEY=VALUE, got "${kv}"`);
        env[kv.slice(0, eq)] = kv.slice(eq + 1);
      }
      const { argv, cwd } = asUserError(() => processLaunch(system, env));
      const [cmd, ...args] = argv;
      const child = spawn(cmd!, args, { env, stdio: 'inherit', cwd });
      const forward = (sig: NodeJS.Signals) => child.kill(sig);
      process.on('SIGINT', forward);
      process.on('SIGTERM', forward);
      child.on('exit', (code, signal) => {
        process.exitCode = code ?? (signal ? 1 : 0);
        process.off('SIGINT', forward);
        process.off('SIGTERM', forward);
      });
    });
}

/** A descriptor problem is bad input: one line, exit 3. */
function asUserError<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof DescriptorError) throw new UserError(err.message);
    throw err;
  }
}
