/**
 * Entry of the faultline-toxiproxy image: the embedded Toxiproxy-compatible server with the
 * command line of Shopify's toxiproxy-server: `-host=0.0.0.0 -port=8474 -config=proxies.json
 * -seed=42` (also `-host 0.0.0.0`; `-seed` seeds the toxics' random choices, as toxiproxy-server's). The config file is a JSON array of proxies, as POST /populate takes.
 * Stops on SIGTERM/SIGINT.
 */
import { readFileSync } from 'node:fs';
import { startEmbeddedToxiproxy } from '../proxy/server.js';

function option(name: string): string | undefined {
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!.replace(/^--?/, '-');
    if (arg.startsWith(`-${name}=`)) return arg.slice(name.length + 2);
    if (arg === `-${name}`) return argv[i + 1];
  }
  return undefined;
}

const host = option('host') ?? '127.0.0.1';
const port = Number(option('port') ?? '8474');
const config = option('config');
const seedText = option('seed');
const seed = seedText === undefined ? undefined : Number(seedText);
try {
  if (seed !== undefined && !Number.isSafeInteger(seed)) throw new Error(`-seed ${seedText}: not an integer`);
  const server = await startEmbeddedToxiproxy({ host, port, ...(seed === undefined ? {} : { seed }) });
  if (config) {
    const body = readFileSync(config, 'utf8');
    const res = await fetch(`${server.url.replace('//0.0.0.0', '//127.0.0.1')}/populate`, { method: 'POST', body });
    if (!res.ok) throw new Error(`-config ${config}: ${(await res.text()).trim()}`);
    process.stdout.write(`populated proxies from ${config}\n`);
  }
  process.stdout.write(`faultline toxiproxy: API on ${host}:${port}\n`);
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} catch (err) {
  process.stderr.write(`faultline toxiproxy: ${(err as Error).message}\n`);
  process.exit(1);
}
