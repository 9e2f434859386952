import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { startReportServer } from '../../reports/serve.js';
import { UserError } from '../../core/errors.js';
import { listenOrExplain, parsePort, untilStopped } from './listen.js';

interface ServeCliOptions {
  port: string;
  host: string;
}

/** `faultline serve [DIR]`: an index of the runs under DIR and their reports, over HTTP. */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve an index of runs (campaign, date, verdict, anomalies) and their reports over HTTP')
    .argument('[dir]', 'the folder of runs', 'runs')
    .option('--port <n>', 'port to listen on (0: any free port)', '8080')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .action(async (dir: string, opts: ServeCliOptions) => {
      if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`${dir}: no such folder (run a campaign first, or name the folder of runs)`);
      const port = parsePort(opts.port);
      const server = await listenOrExplain(opts.host, port, () => startReportServer({ dir, host: opts.host, port }));
      process.stdout.write(`serving ${dir} at ${server.url} (Ctrl-C stops)\n`);
      await untilStopped();
      await server.close();
    });
}
