import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { startReportServer } from '../../reports/serve.js';
import { UserError } from './errors.js';

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
      const port = Number(opts.port);
      if (!/^\d+$/.test(opts.port) || port > 65535) throw new UserError(`--port takes a port number from 0 to 65535, got "${opts.port}"`);
      let server;
      try {
        server = await startReportServer({ dir, host: opts.host, port });
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        throw new UserError(`cannot listen on ${opts.host}:${port}: ${e.code === 'EADDRINUSE' ? 'the port is in use (try --port 0)' : e.message}`);
      }
      process.stdout.write(`serving ${dir} at ${server.url} (Ctrl-C stops)\n`);
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void server.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
