import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { startEmbeddedToxiproxy } from '../proxy/server.js';
import { UserError } from '../../core/errors.js';
import { listenOrExplain, parsePort, untilStopped } from './listen.js';

/**
 * `faultline proxy`: runs the embedded Toxiproxy-compatible server in the foreground until
 * Ctrl-C / SIGTERM, which close every proxy listener and connection.
 */
export function registerProxy(program: Command): void {
  program
    .command('proxy')
    .description('run the embedded Toxiproxy-compatible server (the Toxiproxy v2 HTTP API) in the foreground')
    .option('--host <host>', 'address the API listens on', '127.0.0.1')
    .option('--port <port>', 'API port (0 = a free port)', '8474')
    .option('--config <file>', 'a JSON array of proxies to create at start, as POST /populate takes')
    .option('--seed <n>', "seed for the toxics' random choices (toxicity per connection, jitter, slice sizes)")
    .action(async (opts: { host: string; port: string; config?: string; seed?: string }) => {
      const port = parsePort(opts.port);
      const seed = opts.seed === undefined ? undefined : Number(opts.seed);
      if (seed !== undefined && !(Number.isSafeInteger(seed) && seed >= 0)) {
        throw new UserError(`--seed must be a non-negative integer, got "${opts.seed}"`);
      }
      let populate: string | null = null;
      if (opts.config !== undefined) {
        try {
          populate = readFileSync(opts.config, 'utf8');
          const parsed: unknown = JSON.parse(populate);
          if (!Array.isArray(parsed)) throw new Error('expected a JSON array of proxies');
        } catch (err) {
          throw new UserError(`--config ${opts.config}: ${(err as Error).message}`);
        }
      }
      const server = await listenOrExplain(opts.host, port, () =>
        startEmbeddedToxiproxy({ host: opts.host, port, ...(seed === undefined ? {} : { seed }) }),
      );
      if (populate !== null) {
        const res = await fetch(`${server.url}/populate`, { method: 'POST', body: populate });
        if (!res.ok) {
          const text = await res.text();
          await server.close();
          throw new UserError(`--config ${opts.config}: ${text.trim()}`);
        }
      }
      process.stdout.write(`faultline proxy: Toxiproxy API on ${server.url} (Ctrl-C to stop)\n`);
      await untilStopped();
      await server.close();
      process.stdout.write('faultline proxy: stopped\n');
    });
}
